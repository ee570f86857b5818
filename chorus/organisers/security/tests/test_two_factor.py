"""Staff need a second factor (TOTP) for the admin and the moderation pages.

These tests use a plain django.test.Client: the project's `client` fixture lets
staff through the second factor so that other tests need not (chorus/testing.py).
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.audit.models import AuditEntry

QUEUE = "/moderation/"
ADMIN = "/admin/"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def moderator_device(moderator) -> TOTPDevice:
    return TOTPDevice.objects.get(user=moderator, confirmed=True)


def target(response) -> tuple[str, str]:
    location = urlsplit(response["Location"])
    return location.path, parse_qs(location.query).get("next", [""])[0]


@pytest.mark.parametrize("page", [QUEUE, ADMIN, "/admin/petitions/petition/"])
def test_staff_without_a_device_are_sent_to_set_one_up(plain, staff, page):
    plain.force_login(staff)
    response = plain.get(page)
    assert response.status_code == 302
    assert target(response) == (reverse("organisers:security:setup"), page)


@pytest.mark.parametrize("page", [QUEUE, ADMIN])
def test_staff_with_a_device_are_asked_for_a_code(plain, moderator, page):
    plain.force_login(moderator)
    response = plain.get(page)
    assert target(response) == (reverse("organisers:security:verify"), page)
    assert plain.post(page).status_code == 302


def test_a_right_code_opens_the_back_office(plain, moderator):
    plain.force_login(moderator)
    verify = reverse("organisers:security:verify")
    assert "authenticator app" in plain.get(verify, {"next": QUEUE}).text
    response = plain.post(verify, {"code": code_for(moderator_device(moderator)), "next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert plain.get(QUEUE).status_code == 200
    assert plain.get(ADMIN).status_code == 200


def test_a_wrong_code_is_refused_and_the_back_office_stays_closed(plain, moderator):
    plain.force_login(moderator)
    right = code_for(moderator_device(moderator))
    response = plain.post(reverse("organisers:security:verify"),
                          {"code": other_code(right), "next": QUEUE})
    assert response.status_code == 400
    assert "This code is not right" in response.text
    assert plain.get(QUEUE).status_code == 302


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567890123", "12\x003456"])
def test_a_malformed_code_gets_a_clear_error(plain, moderator, code):
    plain.force_login(moderator)
    response = plain.post(reverse("organisers:security:verify"), {"code": code})
    assert response.status_code == 400
    assert 'class="errors"' in response.text
    assert plain.get(QUEUE).status_code == 302


def test_a_code_cannot_be_used_twice(plain, moderator):
    device = moderator_device(moderator)
    code = code_for(device)
    first = Client()
    first.force_login(moderator)
    assert first.post(reverse("organisers:security:verify"), {"code": code}).status_code == 302
    plain.force_login(moderator)
    assert plain.post(reverse("organisers:security:verify"), {"code": code}).status_code == 400


def test_codes_stop_being_checked_after_five_wrong_ones(plain, moderator):
    plain.force_login(moderator)
    device = moderator_device(moderator)
    for _attempt in range(5):
        plain.post(reverse("organisers:security:verify"), {"code": other_code(code_for(device))})
    response = plain.post(reverse("organisers:security:verify"), {"code": code_for(device)})
    assert response.status_code == 400
    assert "too many failed attempts" in response.text
    assert plain.get(QUEUE).status_code == 302


def test_setting_up_shows_the_secret_as_text_and_as_a_local_qr_code(plain, staff):
    plain.force_login(staff)
    page = plain.get(reverse("organisers:security:setup"), {"next": QUEUE}).text
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert "otpauth://totp/" in page
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', page).group(1)
    assert device.config_url.split("secret=")[1].startswith(secret.replace(" ", "")[:16])
    assert re.search(r'<img class="otp-qr" src="data:image/svg\+xml;base64,', page)
    # Reloading keeps the secret already scanned into the app.
    assert secret in plain.get(reverse("organisers:security:setup")).text
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_confirming_the_device_with_its_code_opens_the_back_office(plain, staff):
    plain.force_login(staff)
    plain.get(reverse("organisers:security:setup"))
    device = TOTPDevice.objects.get(user=staff)
    wrong = plain.post(reverse("organisers:security:setup"), {"code": other_code(code_for(device))})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    response = plain.post(reverse("organisers:security:setup"),
                          {"code": code_for(device), "next": QUEUE})
    assert "Your authenticator app is set up" in response.text
    assert f'href="{QUEUE}"' in response.text  # after the recovery codes (test_recovery_codes.py)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert plain.get(QUEUE).status_code == 200
    entry = AuditEntry.objects.get(action="security.device_confirm")
    assert entry.actor == staff and "@" not in entry.actor_name + str(entry.details)


def test_a_stolen_password_is_not_enough_to_enrol_another_device(plain, moderator):
    plain.force_login(moderator)
    response = plain.get(reverse("organisers:security:setup"))
    assert target(response)[0] == reverse("organisers:security:verify")
    assert TOTPDevice.objects.filter(user=moderator).count() == 1


def test_organisers_who_are_not_staff_are_not_asked_for_a_code(plain, owner):
    plain.force_login(owner)
    assert plain.get(reverse("dashboard:home")).status_code == 200
    assert plain.get(reverse("organisers:security:verify")).status_code == 403
    assert plain.get(QUEUE).status_code == 403


def test_the_code_page_only_sends_staff_on_to_our_own_pages(plain, moderator):
    plain.force_login(moderator)
    response = plain.post(reverse("organisers:security:verify"), {
        "code": code_for(moderator_device(moderator)), "next": "https://evil.example/"})
    assert response["Location"] == reverse("moderation:queue")


def test_the_admin_login_is_our_throttled_login(plain, moderator):
    response = plain.get("/admin/login/", {"next": "/admin/"})
    assert target(response) == (reverse("organisers:login"), "/admin/")
    assert target(plain.get(ADMIN))[0] in ("/admin/login/", reverse("organisers:login"))


def test_anonymous_visitors_are_sent_to_log_in_first(plain):
    response = plain.get(reverse("organisers:security:verify"))
    assert urlsplit(response["Location"]).path == reverse("organisers:login")


def test_staff_sessions_end_after_half_an_hour_idle(plain, moderator, settings):
    plain.force_login(moderator)
    plain.get(reverse("dashboard:home"))
    assert plain.session.get_expiry_age() == settings.CHORUS_STAFF_IDLE_SECONDS == 1800
    cookie = plain.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 1800


def test_staff_who_log_in_with_a_password_get_the_idle_expiry_at_once(plain, moderator):
    from chorus.testing import PASSWORD

    plain.post(reverse("organisers:login"), {"username": moderator.email, "password": PASSWORD})
    assert plain.session.get_expiry_age() == 1800


def test_organisers_keep_the_ordinary_session_length(plain, owner, settings):
    plain.force_login(owner)
    plain.get(reverse("dashboard:home"))
    assert plain.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_the_project_client_lets_staff_personas_through(client, moderator):
    # The helper the rest of the suite relies on (chorus/testing.py).
    client.force_login(moderator)
    assert client.get(QUEUE).status_code == 200
