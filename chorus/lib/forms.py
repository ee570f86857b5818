"""What every public form shares."""

from django import forms
from django.core.exceptions import ValidationError

from chorus.lib.http import form_data
from chorus.lib.text import is_mailable

# The bot trap: a field people never meet (moved off screen, hidden from screen
# readers and skipped by the keyboard; see templates/_bot_trap.html) and that
# bots which fill in every field fill in. One name for every form, so a bot
# learns nothing from one form about another.
BOT_TRAP_FIELD = "homepage"


def bot_trap_filled(data) -> bool:
    """True if a posted form filled in the bot trap: answer as usual, store nothing."""
    return bool(data.get(BOT_TRAP_FIELD))


class MailableEmailField(forms.EmailField):
    """An e-mail address that can also be written in a mail header, or its "invalid" error."""

    def validate(self, value):
        super().validate(value)
        if value and not is_mailable(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")


class _SharedFields(dict):
    """A form's fields that its instances share: deepcopy() copies only the dict."""

    def __deepcopy__(self, memo):
        return dict(self)


class SharedFieldsForm(forms.Form):
    """A form whose instances share their field objects instead of deep-copying them.

    Django copies every field (widget, validators, lazily translated messages) for
    each new form so that one instance may change its own fields; the sign form is
    built on every signature of a rush and never changes a field, so that copy was
    a tenth of its cost. Only for forms that never touch self.fields[...].
    """

    def __init__(self, *args, **kwargs):
        self.base_fields = _SharedFields(type(self).base_fields)
        super().__init__(*args, **kwargs)


def posted_form[F: forms.BaseForm](request, form_class: type[F], **kwargs) -> F:
    """The form bound to a POST's fields and files, or empty for any other method."""
    if request.method == "POST":
        return form_class(form_data(request), request.FILES, **kwargs)
    return form_class(**kwargs)


def saving(request, form) -> bool:
    """A valid POST that asks to save: the forms with a preview button send action=preview."""
    return request.method == "POST" and request.POST.get("action") != "preview" and form.is_valid()
