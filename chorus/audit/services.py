from chorus.audit.models import AuditEntry


def audit_record(*, actor, action: str, target=None, **details) -> AuditEntry:
    """Record an action; `details` must never hold an e-mail address or an IP."""
    return AuditEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        actor_name=actor_label(actor) if actor and actor.is_authenticated else "system",
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        details=details,
    )


def actor_label(user) -> str:
    """How the log names a person: never by e-mail address, which organisers log in with."""
    name = user.get_full_name().strip() or user.get_username()
    return f"{name} (#{user.pk})" if "@" not in name else f"#{user.pk}"
