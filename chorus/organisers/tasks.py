"""E-mails to organisers, sent by the task worker (never inside a request).

Tasks take ids, not objects, and read the rows afresh: a row deleted in the
meantime (an invitation revoked, say) means there is nothing to send.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from chorus.organisers import tokens
from chorus.organisers.models import Invitation


def _email(template: str, to: str, language: str, context: dict) -> EmailMultiAlternatives:
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
        subject = render_to_string(f"organisers/email/{template}_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string(f"organisers/email/{template}.txt", context),
            to=[to],
        )
        message.attach_alternative(
            render_to_string(f"organisers/email/{template}.html", context), "text/html"
        )
    return message


def _link(name: str, *args, language: str) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse(name, args=args)


def _user(user_id: int, **filters):
    return get_user_model()._default_manager.filter(pk=user_id, **filters).first()


@task(priority=5)
def send_verification(user_id: int, language: str) -> bool:
    user = _user(user_id, is_active=False)
    if user is None:
        return False  # verified (or deleted) before the worker got here
    link = _link("organisers:verify", tokens.verification_token(user), language=language)
    _email("verify", user.email, language, {"user": user, "link": link}).send()
    return True


@task(priority=5)
def send_account_exists(user_id: int, language: str) -> bool:
    """Someone signed up with the address of an existing account: tell its owner, not them."""
    user = _user(user_id)
    if user is None:
        return False
    context = {
        "user": user,
        "login_link": _link("organisers:login", language=language),
        "reset_link": _link("organisers:password_reset", language=language),
    }
    _email("account_exists", user.email, language, context).send()
    return True


@task(priority=5)
def send_password_reset(user_id: int, language: str) -> bool:
    user = _user(user_id, is_active=True)
    if user is None or not user.has_usable_password():
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = _link("organisers:password_reset_confirm", uid, token, language=language)
    _email("password_reset", user.email, language, {"user": user, "link": link}).send()
    return True


@task(priority=5)
def send_invitation(invitation_id: int, language: str) -> bool:
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True).first()
    )
    if invitation is None:
        return False  # revoked or replaced before it went out
    link = _link("organisers:invitation", tokens.invitation_token(invitation.pk),
                 language=language)
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": invitation.invited_by,
        "link": link,
        "days": tokens.INVITATION_MAX_AGE // (24 * 3600),
    }
    _email("invitation", invitation.email, language, context).send()
    return True
