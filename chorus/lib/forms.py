"""What every public form shares."""

# The bot trap: a field people never meet (moved off screen, hidden from screen
# readers and skipped by the keyboard; see templates/_bot_trap.html) and that
# bots which fill in every field fill in. One name for every form, so a bot
# learns nothing from one form about another.
BOT_TRAP_FIELD = "homepage"


def bot_trap_filled(data) -> bool:
    """True if a posted form filled in the bot trap: answer as usual, store nothing."""
    return bool(data.get(BOT_TRAP_FIELD))
