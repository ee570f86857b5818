"""Organiser workflows: accounts, organisations, members and invitations."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.lib.slugs import create_with_free_slug, free_slug
from chorus.organisers import tasks, tokens
from chorus.organisers.models import Invitation, Membership, Organisation, Role

User = get_user_model()


def _after_commit(send, object_id: int, language: str) -> None:
    transaction.on_commit(lambda: send.enqueue(object_id, language))


def username_for(email: str) -> str:
    return email.strip().lower()


# Accounts


def account_create(*, name: str, email: str, password: str, language: str) -> None:
    """Sign up: an inactive account and a verification e-mail.

    The caller learns nothing about whether the address already had an
    account; that account's owner is told by e-mail instead.
    """
    username = username_for(email)
    existing = User._default_manager.filter(username=username).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User._default_manager.create_user(
                    username=username, email=username, password=password,
                    first_name=name, is_active=False,
                )
        except IntegrityError:
            # The same address signed up twice at once: the other request won.
            existing = User._default_manager.get(username=username)
        else:
            _after_commit(tasks.send_verification, user.pk, language)
            return
    if existing.is_active:
        _after_commit(tasks.send_account_exists, existing.pk, language)
        return
    if existing.last_login is not None:
        return  # switched off by staff: a new sign-up must not switch it back on
    # Never verified: the latest sign-up's password wins, and changing it spends
    # the earlier links (the password is part of their hash), so whoever signed
    # up first with someone else's address cannot keep a working link.
    existing.first_name = name
    existing.set_password(password)
    existing.save(update_fields=["first_name", "password"])
    _after_commit(tasks.send_verification, existing.pk, language)


def account_verify(*, token: str):
    """Activate the account a verification link names; None if the link is spent or wrong."""
    user = tokens.user_from_verification_token(token)
    if user is None:
        return None
    # Only an inactive account is switched on, so a double click activates once.
    if not User._default_manager.filter(pk=user.pk, is_active=False).update(is_active=True):
        return None
    user.is_active = True
    audit_record(actor=user, action="signup.verify", user=user.pk)
    return user


def account_create_from_invitation(*, invitation: Invitation, name: str, password: str):
    """Sign up through an invitation link: the invitation reached this inbox, so the
    address counts as verified and the account is active at once."""
    username = username_for(invitation.email)
    with transaction.atomic():
        if User._default_manager.filter(username=username).exists():
            raise ValidationError(
                _("You already have an account: log in to accept the invitation."),
                code="exists",
            )
        user = User._default_manager.create_user(
            username=username, email=username, password=password, first_name=name,
        )
        audit_record(actor=user, action="signup.verify", user=user.pk, via="invitation")
        invitation_accept(invitation=invitation, user=user)
    return user


def password_reset_request(*, users, language: str) -> None:
    for user in users:
        _after_commit(tasks.send_password_reset, user.pk, language)


# Organisations


def organisation_creation_allowed(user) -> bool:
    """With closed sign-up, only staff start organisations."""
    return user.is_authenticated and (settings.CHORUS_OPEN_SIGNUP or user.is_staff)


def organisation_create(
    *, creator, name: str, slug: str = "", description: str = "", website: str = ""
) -> Organisation:
    """A new organisation, with its creator as owner."""
    if not organisation_creation_allowed(creator):
        raise ValidationError(_("Only staff can create organisations on this site."))

    def build(free: str) -> Organisation:
        return Organisation(name=name, slug=free, description=description, website=website)

    def save(organisation: Organisation) -> None:
        organisation.save()
        Membership.objects.create(user=creator, organisation=organisation, role=Role.OWNER)

    organisation = create_with_free_slug(
        slug=slug, build=build, save=save,
        make_slug=lambda: free_slug(Organisation.objects, name, fallback="organisation",
                                    max_length=40),
        taken_message=_("An organisation with this address already exists; choose another."),
    )
    audit_record(actor=creator, action="organisation.create", target=organisation)
    return organisation


# Members and invitations


def member_invite(*, actor, organisation: Organisation, email: str, role: str,
                  language: str) -> Invitation:
    """Invite an address to join; a newer invitation to it replaces a waiting one."""
    email = username_for(email)
    if Membership.objects.filter(organisation=organisation, user__username=email).exists():
        raise ValidationError(_("This person is already a member."), code="member")
    with transaction.atomic():
        Invitation.objects.filter(
            organisation=organisation, email=email, accepted_at__isnull=True
        ).delete()
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, role=role, invited_by=actor,
        )
    audit_record(actor=actor, action="member.invite", target=invitation,
                 organisation=organisation.slug, role=role)
    _after_commit(tasks.send_invitation, invitation.pk, language)
    return invitation


def invitation_revoke(*, actor, invitation: Invitation) -> None:
    audit_record(actor=actor, action="invitation.revoke", target=invitation,
                 organisation=invitation.organisation.slug, invitation=invitation.pk)
    invitation.delete()


def invitation_from_token(token: str) -> Invitation | None:
    """The waiting invitation a link names; None if forged, expired, used or revoked."""
    invitation_id = tokens.invitation_id_from_token(token)
    if invitation_id is None:
        return None
    return (
        Invitation.objects.select_related("organisation")
        .filter(pk=invitation_id, accepted_at__isnull=True).first()
    )


def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Join the organisation; an invitation works once."""
    with transaction.atomic():
        # Marking it used in the same statement that checks it is unused means
        # two clicks at once cannot both accept it.
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True
        ).update(accepted_at=timezone.now())
        if not claimed:
            raise ValidationError(_("This invitation has already been used."), code="used")
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=invitation.organisation,
            defaults={"role": invitation.role},
        )
        audit_record(actor=user, action="invitation.accept", target=invitation,
                     organisation=invitation.organisation.slug, role=membership.role,
                     already_member=not created)
    return membership


def _owners_locked(organisation: Organisation) -> int:
    # Locking every owner row serialises two owners demoting each other at the
    # same moment, so they cannot both succeed and leave nobody in charge.
    # (SQLite takes the write lock at BEGIN IMMEDIATE instead.)
    return len(list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Role.OWNER).values_list("pk", flat=True)
    ))


def member_role_change(*, actor, membership: Membership, role: str) -> Membership:
    with transaction.atomic():
        owners = _owners_locked(membership.organisation)
        membership.refresh_from_db(fields=["role"])
        if membership.role == Role.OWNER and role != Role.OWNER and owners <= 1:
            raise ValidationError(
                _("An organisation needs at least one owner: make someone else an owner "
                  "first."),
                code="last_owner",
            )
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(actor=actor, action="member.role", target=membership.organisation,
                     member=membership.user_id, role_before=before, role=role)
    return membership


def member_remove(*, actor, membership: Membership) -> None:
    with transaction.atomic():
        owners = _owners_locked(membership.organisation)
        membership.refresh_from_db(fields=["role"])
        if membership.role == Role.OWNER and owners <= 1:
            raise ValidationError(
                _("The last owner cannot be removed: make someone else an owner first."),
                code="last_owner",
            )
        audit_record(actor=actor, action="member.remove", target=membership.organisation,
                     member=membership.user_id, role=membership.role)
        membership.delete()
