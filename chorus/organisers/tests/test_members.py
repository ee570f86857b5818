import pytest
from django.urls import reverse

from chorus.audit.models import AuditEntry
from chorus.organisers.models import Invitation, Membership, Role
from chorus.organisers.tests.conftest import link_in

INVITEE = "ines.invitee@example.org"
NEW_PASSWORD = "violet meadow lantern 42"
CONFIRMED = {"confirm": "yes"}  # what the button of the page that asks first sends


def members_url(organisation):
    return reverse("organisers:members", args=[organisation.slug])


def invite_url(organisation):
    return reverse("organisers:member_invite", args=[organisation.slug])


def role_of(user, organisation):
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    return membership.role if membership else None


@pytest.fixture
def invitation_link(client, post, organisation, owner, mailoutbox):
    client.force_login(owner)
    response = post(invite_url(organisation), {"email": "Ines.Invitee@example.org",
                                               "role": Role.VIEWER})
    assert response.status_code == 302
    client.logout()
    (message,) = mailoutbox
    assert message.to == [INVITEE]
    assert "Spectrum Alliance" in message.subject
    mailoutbox.clear()
    return link_in(message)


def test_any_member_sees_the_members_and_the_waiting_invitations(
    client, organisation, owner, viewer
):
    Invitation.objects.create(organisation=organisation, email=INVITEE, invited_by=owner)
    client.force_login(viewer)
    response = client.get(members_url(organisation))
    assert response.status_code == 200
    assert owner.email in response.text and viewer.email in response.text
    assert INVITEE in response.text
    assert "Send the invitation" not in response.text


def test_an_invitee_signs_up_through_the_link_and_becomes_a_member(
    client, post, organisation, invitation_link, mailoutbox
):
    page = client.get(invitation_link)
    assert "Create an account to accept" in page.text
    signup = f"{reverse('organisers:signup')}?invitation={invitation_link.split('/')[-2]}"
    form = client.get(signup)
    assert INVITEE in form.text
    response = post(signup, {"name": "Ines", "email": "someone.else@example.org",
                             "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("dashboard:home")
    membership = Membership.objects.get(organisation=organisation, user__username=INVITEE)
    assert membership.role == Role.VIEWER
    assert membership.user.is_active  # the link came to that inbox: no second e-mail
    assert mailoutbox == []
    assert client.session["_auth_user_id"] == str(membership.user.pk)
    assert AuditEntry.objects.filter(action="invitation.accept").exists()


def test_an_invitation_allows_sign_up_when_it_is_otherwise_closed(
    client, post, settings, organisation, invitation_link
):
    settings.CHORUS_OPEN_SIGNUP = False
    token = invitation_link.split("/")[-2]
    post(f"{reverse('organisers:signup')}?invitation={token}",
         {"name": "Ines", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert Membership.objects.filter(organisation=organisation,
                                     user__username=INVITEE).exists()


def test_a_logged_in_organiser_accepts_an_invitation(client, organisation, outsider,
                                                     invitation_link):
    client.force_login(outsider)
    assert "Accept the invitation" in client.get(invitation_link).text
    response = client.post(invitation_link)
    assert response["Location"] == reverse("dashboard:home")
    assert role_of(outsider, organisation) == Role.VIEWER


def test_an_anonymous_visitor_must_log_in_to_accept(client, organisation, invitation_link):
    response = client.post(invitation_link)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisers:login"))
    assert Invitation.objects.get().accepted_at is None


def test_an_invitation_works_once(client, organisation, outsider, editor, invitation_link):
    client.force_login(outsider)
    client.post(invitation_link)
    client.force_login(editor)
    response = client.post(invitation_link)
    assert response.status_code == 404
    assert "no longer works" in response.text
    assert role_of(editor, organisation) == Role.EDITOR


def test_a_withdrawn_invitation_no_longer_works(client, organisation, owner, outsider,
                                                invitation_link):
    client.force_login(owner)
    invitation = Invitation.objects.get()
    client.post(reverse("organisers:invitation_revoke", args=[organisation.slug, invitation.pk]))
    client.force_login(outsider)
    assert client.get(invitation_link).status_code == 404
    assert role_of(outsider, organisation) is None


def test_an_invitation_expires_after_a_week(client, organisation, outsider, invitation_link,
                                            monkeypatch):
    import time

    week_later = time.time() + 7 * 24 * 3600 + 60
    monkeypatch.setattr(time, "time", lambda: week_later)
    client.force_login(outsider)
    assert client.post(invitation_link).status_code == 404
    assert role_of(outsider, organisation) is None


def test_an_editor_cannot_invite(client, post, organisation, editor, mailoutbox):
    client.force_login(editor)
    response = post(invite_url(organisation), {"email": INVITEE, "role": Role.OWNER})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_an_outsider_cannot_even_see_the_members(client, organisation, outsider):
    client.force_login(outsider)
    assert client.get(members_url(organisation)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, organisation):
    response = client.get(members_url(organisation))
    assert response["Location"].startswith(reverse("organisers:login"))


def test_inviting_takes_a_form_not_a_link(client, organisation, owner):
    client.force_login(owner)
    assert client.get(invite_url(organisation)).status_code == 405


@pytest.mark.parametrize(("data", "message"), [
    ({"email": "not-an-address", "role": "editor"}, "valid e-mail address"),
    ({"email": "a\x00b@example.org", "role": "editor"}, "Null characters"),
    ({"email": "x" * 140 + "@example.org", "role": "editor"}, "at most 150 characters"),
    ({"email": INVITEE, "role": "emperor"}, "Select a valid choice"),
    ({"email": "emil.editor@example.org", "role": "editor"}, "already a member"),
])
def test_a_bad_invitation_is_refused_with_a_clear_error(
    client, post, organisation, owner, editor, mailoutbox, data, message
):
    client.force_login(owner)
    response = post(invite_url(organisation), data)
    assert response.status_code == 400
    assert message in response.text
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_an_owner_changes_a_members_role(client, organisation, owner, editor):
    client.force_login(owner)
    membership = Membership.objects.get(user=editor)
    response = client.post(reverse("organisers:member_role",
                                   args=[organisation.slug, membership.pk]), {"role": "owner"})
    assert response.status_code == 302
    assert role_of(editor, organisation) == Role.OWNER
    entry = AuditEntry.objects.get(action="member.role")
    assert entry.details == {"member": editor.pk, "role_before": "editor", "role": "owner"}


def test_an_owner_removes_a_member(client, organisation, owner, editor):
    client.force_login(owner)
    membership = Membership.objects.get(user=editor)
    client.post(reverse("organisers:member_remove", args=[organisation.slug, membership.pk]),
                CONFIRMED)
    assert role_of(editor, organisation) is None
    assert AuditEntry.objects.filter(action="member.remove").exists()


def test_removing_a_member_asks_first_on_a_page_of_its_own(client, organisation, owner, editor):
    client.force_login(owner)
    membership = Membership.objects.get(user=editor)
    url = reverse("organisers:member_remove", args=[organisation.slug, membership.pk])
    members = client.get(members_url(organisation)).content.decode()
    assert f'<a class="button danger" href="{url}">Remove</a>' in members
    asking = client.get(url)
    assert asking.status_code == 200
    assert editor.email in asking.text and "Access ends at once" in asking.text
    assert '<button type="submit" name="confirm" value="yes" class="danger">' in asking.text
    assert role_of(editor, organisation) == Role.EDITOR  # looking changes nothing


@pytest.mark.parametrize("data", [{}, {"confirm": ""}, {"confirm": "false"}])
def test_a_removal_without_the_confirmation_changes_nothing(client, organisation, owner, editor,
                                                            data):
    client.force_login(owner)
    membership = Membership.objects.get(user=editor)
    response = client.post(
        reverse("organisers:member_remove", args=[organisation.slug, membership.pk]), data)
    assert response.status_code == 400
    assert "Access ends at once" in response.text  # asked again
    assert role_of(editor, organisation) == Role.EDITOR
    assert not AuditEntry.objects.filter(action="member.remove").exists()


def test_the_last_owner_can_be_neither_demoted_nor_removed(client, organisation, owner):
    client.force_login(owner)
    membership = Membership.objects.get(user=owner)
    response = client.post(reverse("organisers:member_role",
                                   args=[organisation.slug, membership.pk]), {"role": "editor"})
    assert response.status_code == 400
    assert "at least one owner" in response.text
    response = client.post(reverse("organisers:member_remove",
                                   args=[organisation.slug, membership.pk]), CONFIRMED)
    assert response.status_code == 400
    assert "last owner cannot be removed" in response.text
    assert role_of(owner, organisation) == Role.OWNER


def test_an_owner_may_step_down_once_there_is_another(client, organisation, owner, editor):
    Membership.objects.filter(user=editor).update(role=Role.OWNER)
    client.force_login(owner)
    membership = Membership.objects.get(user=owner)
    response = client.post(reverse("organisers:member_remove",
                                   args=[organisation.slug, membership.pk]), CONFIRMED)
    assert response["Location"] == reverse("dashboard:home")
    assert role_of(owner, organisation) is None


def test_an_editor_cannot_change_roles(client, organisation, owner, editor):
    client.force_login(editor)
    membership = Membership.objects.get(user=owner)
    response = client.post(reverse("organisers:member_remove",
                                   args=[organisation.slug, membership.pk]), CONFIRMED)
    assert response.status_code == 403
    assert role_of(owner, organisation) == Role.OWNER


def test_a_member_of_another_organisation_cannot_be_touched(client, organisation, owner,
                                                            outsider):
    client.force_login(owner)
    membership = Membership.objects.get(user=outsider)
    response = client.post(reverse("organisers:member_role",
                                   args=[organisation.slug, membership.pk]), {"role": "viewer"})
    assert response.status_code == 404
    assert membership.role == Membership.objects.get(pk=membership.pk).role == Role.OWNER


def test_a_bad_role_is_refused(client, organisation, owner, editor):
    client.force_login(owner)
    membership = Membership.objects.get(user=editor)
    response = client.post(reverse("organisers:member_role",
                                   args=[organisation.slug, membership.pk]), {"role": "x\x00"})
    assert response.status_code == 400
    assert role_of(editor, organisation) == Role.EDITOR


def test_the_audit_log_never_holds_an_email_address(
    client, post, organisation, owner, editor, outsider, invitation_link
):
    client.force_login(outsider)
    client.post(invitation_link)
    client.force_login(owner)
    membership = Membership.objects.get(user=editor)
    client.post(reverse("organisers:member_role", args=[organisation.slug, membership.pk]),
                {"role": "viewer"})
    client.post(reverse("organisers:member_remove", args=[organisation.slug, membership.pk]),
                CONFIRMED)
    entries = AuditEntry.objects.filter(
        action__in=["member.invite", "invitation.accept", "member.role", "member.remove"])
    assert entries.count() == 4
    for entry in entries:
        assert "@" not in f"{entry.target_repr} {entry.details}"


def test_an_invitee_with_an_account_is_asked_to_log_in_instead(client, post, organisation,
                                                                owner, outsider, mailoutbox):
    client.force_login(owner)
    post(invite_url(organisation), {"email": outsider.email, "role": Role.EDITOR})
    client.logout()
    token = link_in(mailoutbox[0]).split("/")[-2]
    response = post(f"{reverse('organisers:signup')}?invitation={token}",
                    {"name": "Otto", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 400
    assert "log in to accept" in response.text
    assert role_of(outsider, organisation) is None
    assert Invitation.objects.get().accepted_at is None


def test_a_new_invitation_to_the_same_address_replaces_the_waiting_one(
    client, post, organisation, owner, outsider, mailoutbox
):
    client.force_login(owner)
    post(invite_url(organisation), {"email": INVITEE, "role": Role.OWNER})
    post(invite_url(organisation), {"email": INVITEE, "role": Role.VIEWER})
    first, second = (link_in(m) for m in mailoutbox)
    assert Invitation.objects.get().role == Role.VIEWER
    client.force_login(outsider)
    assert client.post(first).status_code == 404
    client.post(second)
    assert role_of(outsider, organisation) == Role.VIEWER
