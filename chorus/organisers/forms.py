from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordMixin
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from chorus.lib.http import client_ip
from chorus.lib.text import validate_plain_line
from chorus.organisers.models import LoginFailure, Organisation, Role
from chorus.organisers.security.services import (
    login_attempt_allowed,
    login_failure_record,
    login_failures_clear,
    throttled_error,
)
from chorus.organisers.services import password_reset_request, username_for

# The e-mail address is also the username, which Django keeps to 150 characters.
EMAIL_MAX_LENGTH = 150
NAME_MAX_LENGTH = 150

EMAIL_ERRORS = {
    "required": _("Please enter your e-mail address."),
    "invalid": _("Please enter a valid e-mail address, like name@example.org."),
}


def email_field(label=None, **kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=label or _("E-mail address"), max_length=EMAIL_MAX_LENGTH,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}), **kwargs,
    )


class SignupForm(SetPasswordMixin, forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=NAME_MAX_LENGTH, validators=[validate_plain_line],
        error_messages={"required": _("Please enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = email_field()
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args, invited_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if invited_email:
            # The invitation reached this address: it is the one the account gets.
            self.fields["email"].disabled = True
            self.fields["email"].required = False
            self.initial["email"] = invited_email

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        email = cleaned.get("email") or ""
        user = get_user_model()(
            username=username_for(email), email=email, first_name=cleaned.get("name", "")
        )
        self.validate_password_for_user(user)
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("E-mail address"), max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "This e-mail address and password do not match an active account. If you have "
            "just signed up, open the link we e-mailed you first."
        ),
        "inactive": _("This account is not active."),
    }

    def clean_username(self):
        return username_for(self.cleaned_data["username"])

    def clean(self):
        # Throttled before the password is checked, so that a locked-out guess
        # learns nothing even when it is right.
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()
        kind, ip = LoginFailure.Kind.PASSWORD, client_ip(self.request) if self.request else ""
        if not login_attempt_allowed(kind=kind, account=username, ip=ip):
            raise throttled_error()
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                login_failure_record(kind=kind, account=username, ip=ip)
            raise
        login_failures_clear(kind=kind, account=username)
        return cleaned


class ResetForm(PasswordResetForm):
    email = email_field()

    def save(self, **kwargs) -> None:
        # Django's form would send the e-mail inside the request; ours goes to a task.
        password_reset_request(
            users=list(self.get_users(self.cleaned_data["email"])),
            language=get_language(),
        )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "slug", "description", "website"]
        labels = {"slug": _("Address")}
        help_texts = {
            "slug": _("Letters, numbers and hyphens, used in links. Leave empty to make one "
                      "from the name."),
        }
        error_messages = {
            "name": {"required": _("Please enter the organisation's name.")},
            "slug": {"unique": _("An organisation with this address already exists; "
                                 "choose another.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].max_length = 50
        self.fields["name"].validators.append(validate_plain_line)


class InviteForm(forms.Form):
    email = email_field(label=_("Their e-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MemberRemoveForm(forms.Form):
    # Sent only by the button of the page that asks first: a POST without it (an old
    # page, a form elsewhere) removes nobody.
    confirm = forms.BooleanField()
