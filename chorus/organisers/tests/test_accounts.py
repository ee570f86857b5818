import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from chorus.audit.models import AuditEntry
from chorus.organisers.tests.conftest import link_in
from chorus.testing import PASSWORD

User = get_user_model()
NEW_PASSWORD = "violet meadow lantern 42"


def signup_data(**changes):
    return {"name": "Lena Organiser", "email": "Lena@Example.org",
            "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **changes}


def session_user(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_signing_up_sends_a_link_that_activates_the_account_and_logs_in(
    client, post, mailoutbox
):
    response = post(reverse("organisers:signup"), signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("organisers:signup_done")
    user = User.objects.get(username="lena@example.org")
    assert not user.is_active
    assert session_user(client) is None
    assert [m.to for m in mailoutbox] == [["lena@example.org"]]

    response = client.get(link_in(mailoutbox[0]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    user.refresh_from_db()
    assert user.is_active
    assert session_user(client) == str(user.pk)
    assert AuditEntry.objects.filter(action="signup.verify", actor=user).exists()


@pytest.mark.django_db
def test_a_verification_link_works_once(client, post, mailoutbox):
    post(reverse("organisers:signup"), signup_data())
    link = link_in(mailoutbox[0])
    client.get(link)
    client.logout()
    response = client.get(link)
    assert response.status_code == 404
    assert "no longer works" in response.text
    assert session_user(client) is None


@pytest.mark.django_db
def test_a_forged_verification_link_activates_nothing(client, post, mailoutbox):
    post(reverse("organisers:signup"), signup_data())
    link = link_in(mailoutbox[0])
    response = client.get(link[:-3] + "abc/")
    assert response.status_code == 404
    assert not User.objects.get(username="lena@example.org").is_active


@pytest.mark.django_db
def test_an_unverified_organiser_cannot_log_in(client, post):
    post(reverse("organisers:signup"), signup_data())
    response = client.post(reverse("organisers:login"),
                           {"username": "lena@example.org", "password": NEW_PASSWORD})
    assert response.status_code == 200
    assert "open the link we e-mailed you" in response.text
    assert session_user(client) is None


@pytest.mark.django_db
def test_signing_up_with_a_taken_address_looks_the_same_and_warns_its_owner(
    client, post, owner, mailoutbox
):
    response = post(reverse("organisers:signup"),
                    signup_data(email="Olga.Owner@example.org", name="Someone Else"))
    assert response.status_code == 302
    assert response["Location"] == reverse("organisers:signup_done")
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and owner.first_name == ""
    assert [m.to for m in mailoutbox] == [["olga.owner@example.org"]]
    assert "already has one" in mailoutbox[0].body


@pytest.mark.django_db
def test_signing_up_again_before_verifying_sends_a_new_link_and_spends_the_old(
    client, post, mailoutbox
):
    post(reverse("organisers:signup"), signup_data())
    post(reverse("organisers:signup"), signup_data(password1="another long passphrase 7",
                                                   password2="another long passphrase 7"))
    first, second = (link_in(m) for m in mailoutbox)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 302
    assert User.objects.get(username="lena@example.org").check_password(
        "another long passphrase 7")


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "message"), [
    ({"name": "x" * 151}, "at most 150 characters"),
    ({"name": "Lena\x00"}, "Null characters are not allowed"),
    ({"name": "Lena\u202e"}, "Please use only letters"),
    ({"email": "not-an-address"}, "valid e-mail address"),
    ({"email": ""}, "Please enter your e-mail address"),
    ({"password2": "something else entirely"}, "didn’t match"),
    ({"password1": "short", "password2": "short"}, "too short"),
])
def test_bad_sign_up_input_is_refused_with_a_clear_error(client, post, mailoutbox,
                                                         changes, message):
    response = post(reverse("organisers:signup"), signup_data(**changes))
    assert response.status_code == 400
    assert message in response.text
    assert not User.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_sign_up_is_refused_when_it_is_by_invitation_only(client, post, settings, mailoutbox):
    settings.CHORUS_OPEN_SIGNUP = False
    assert "by invitation only" in client.get(reverse("organisers:signup")).text
    response = post(reverse("organisers:signup"), signup_data())
    assert response.status_code == 403
    assert not User.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_an_organiser_logs_in_with_their_email_address_in_any_case(client, owner):
    response = client.post(reverse("organisers:login"),
                           {"username": "OLGA.Owner@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert session_user(client) == str(owner.pk)


@pytest.mark.django_db
def test_a_wrong_password_is_refused(client, owner):
    response = client.post(reverse("organisers:login"),
                           {"username": owner.email, "password": "wrong"})
    assert response.status_code == 200
    assert "do not match an active account" in response.text
    assert session_user(client) is None


@pytest.mark.django_db
def test_logging_out_takes_a_form_not_a_link(client, owner):
    client.force_login(owner)
    response = client.get(reverse("organisers:logout"))
    assert response.status_code == 405
    assert session_user(client) == str(owner.pk)
    response = client.post(reverse("organisers:logout"))
    assert response.status_code == 302
    assert session_user(client) is None


@pytest.mark.django_db
def test_a_password_reset_link_is_emailed_and_sets_a_new_password(client, post, owner,
                                                                   mailoutbox):
    response = post(reverse("organisers:password_reset"), {"email": "olga.owner@example.org"})
    assert response["Location"] == reverse("organisers:password_reset_done")
    assert [m.to for m in mailoutbox] == [[owner.email]]
    form_page = client.get(link_in(mailoutbox[0]), follow=True)
    assert "Choose a new password" in form_page.text
    response = client.post(form_page.redirect_chain[-1][0],
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("organisers:password_reset_complete")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_a_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client, post, mailoutbox
):
    response = post(reverse("organisers:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("organisers:password_reset_done")
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_menu_offers_log_in_without_setting_a_cookie(client):
    response = client.get(reverse("petitions:list"))
    assert reverse("organisers:login") in response.text
    assert "Log out" not in response.text
    assert not response.cookies


@pytest.mark.django_db
def test_the_menu_offers_the_dashboard_and_log_out_to_an_organiser(client, owner):
    client.force_login(owner)
    response = client.get(reverse("petitions:list"))
    assert reverse("dashboard:home") in response.text
    assert "Log out" in response.text
    assert "Moderation" not in response.text


@pytest.mark.django_db
def test_a_cached_petition_page_shows_nobody_elses_menu(client, petition, owner):
    client.force_login(owner)
    client.get(petition.get_absolute_url())
    client.logout()
    response = client.get(petition.get_absolute_url())
    assert "Log out" not in response.text
    assert "csrfmiddlewaretoken" not in response.text


def test_only_staff_see_the_moderation_link(client, owner, moderator):
    try:
        queue = reverse("moderation:queue")
    except NoReverseMatch:
        pytest.skip("the moderation pages are not there yet")
    client.force_login(owner)
    assert queue not in client.get(reverse("petitions:list")).text
    client.force_login(moderator)
    assert queue in client.get(reverse("petitions:list")).text


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["x", "MTIz.abc-def", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5.1-2",
                                   "%00", "." * 300])
def test_a_malformed_verification_link_is_a_polite_404(client, token):
    response = client.get(f"/accounts/verify/{token}/")
    assert response.status_code == 404
    assert "no longer works" in response.text
