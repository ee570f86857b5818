"""Recovery codes: single-use codes for staff who lose their authenticator app.

Like test_two_factor.py, these use a plain django.test.Client wherever the second
factor itself is what is tested.
"""

import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.audit.models import AuditEntry
from chorus.organisers.security.services import recovery_codes_create

QUEUE = "/moderation/"
VERIFY = reverse("organisers:security:verify")
SETUP = reverse("organisers:security:setup")
RECOVERY = reverse("organisers:security:recovery_codes")
SHOWN_CODE = re.compile(r"<li><code>([a-z2-7]{4}) ([a-z2-7]{4})</code></li>")


@pytest.fixture
def codes(moderator) -> list[str]:
    """The moderator's recovery codes, as they were shown to them."""
    return recovery_codes_create(user=moderator)


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def shown_codes(response) -> list[str]:
    return ["".join(groups) for groups in SHOWN_CODE.findall(response.text)]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_up_device(client, user, next_url=QUEUE):
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post(SETUP, {"code": code_for(device), "next": next_url})


def test_setting_up_the_app_shows_ten_recovery_codes_once(plain, staff):
    plain.force_login(staff)
    response = set_up_device(plain, staff)
    assert response.status_code == 200
    codes = shown_codes(response)
    assert len(set(codes)) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=staff)
                                   .values_list("token", flat=True))
    assert "Keep them somewhere safe" in response.text
    assert f'href="{QUEUE}"' in response.text
    assert "no-store" in response["Cache-Control"]
    # Reloading the answer (the same post again), the set-up page and the codes page show none.
    again = plain.post(SETUP, {"code": "123456", "next": QUEUE})
    assert shown_codes(again) == []
    assert shown_codes(plain.get(SETUP)) == []
    page = plain.get(RECOVERY)
    assert shown_codes(page) == [] and "10 unused recovery codes" in page.text
    assert not any(code in page.text for code in codes)


def test_a_recovery_code_opens_the_back_office_once(plain, moderator, codes):
    plain.force_login(moderator)
    response = plain.post(VERIFY, {"code": codes[0].upper()[:4] + " " + codes[0][4:],
                                   "next": QUEUE})
    assert urlsplit(response["Location"]).path == RECOVERY
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [QUEUE]
    page = plain.get(response["Location"])
    assert "now used up" in page.text and "9 unused recovery codes" in page.text
    assert "Make new recovery codes" in page.text
    assert plain.get(QUEUE).status_code == 200

    again = logged_in(moderator)
    refused = again.post(VERIFY, {"code": codes[0], "next": QUEUE})
    assert refused.status_code == 400
    assert "has been used already" in refused.text
    assert again.get(QUEUE).status_code == 302
    assert again.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_a_wrong_recovery_code_counts_towards_the_lockout_like_a_wrong_app_code(
        plain, moderator, codes):
    plain.force_login(moderator)
    device = TOTPDevice.objects.get(user=moderator)
    wrong_app_code = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    for _attempt in range(2):
        assert plain.post(VERIFY, {"code": wrong_app_code}).status_code == 400
    for _attempt in range(3):
        response = plain.post(VERIFY, {"code": "abcd2345"})
        assert response.status_code == 400 and "recovery code is not right" in response.text
    for right in (codes[0], code_for(device)):
        response = plain.post(VERIFY, {"code": right})
        assert response.status_code == 400
        assert "too many failed attempts" in response.text
    assert plain.get(QUEUE).status_code == 302
    # Refused before it was looked at: the code is still there to use later.
    assert StaticToken.objects.filter(token=codes[0]).exists()


def test_making_a_new_set_stops_the_old_one_working(client, moderator, codes):
    client.force_login(moderator)
    assert "10 unused recovery codes" in client.get(RECOVERY).text
    response = client.post(RECOVERY, {"next": QUEUE})
    new = shown_codes(response)
    assert len(new) == 10 and not set(new) & set(codes)
    assert "no longer work" in response.text and "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="security.recovery_codes_create").count() == 2

    refused = logged_in(moderator).post(VERIFY, {"code": codes[0]})
    assert refused.status_code == 400
    assert logged_in(moderator).post(VERIFY, {"code": new[0]}).status_code == 302


def test_staff_who_lost_their_app_can_come_in_with_a_code_and_set_up_a_new_one(
        plain, moderator, codes):
    old_device = TOTPDevice.objects.get(user=moderator)
    plain.force_login(moderator)
    plain.post(VERIFY, {"code": codes[0]})
    response = set_up_device(plain, moderator)
    assert len(shown_codes(response)) == 10
    assert list(TOTPDevice.objects.filter(user=moderator)) != [old_device]
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
    assert not StaticToken.objects.filter(token=codes[1]).exists()
    assert plain.get(QUEUE).status_code == 200


def test_recovery_codes_never_reach_the_audit_log_e_mail_logs_or_the_session(
        plain, staff, mailoutbox, caplog):
    caplog.set_level(logging.DEBUG)
    plain.force_login(staff)
    codes = shown_codes(set_up_device(plain, staff))
    logged_in(staff).post(VERIFY, {"code": "zzzz2345"})
    plain.logout()
    plain.force_login(staff)
    plain.post(VERIFY, {"code": codes[0]})
    codes += shown_codes(plain.post(RECOVERY))
    assert len(codes) == 20

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"security.recovery_codes_create", "security.recovery_code_use"} <= actions
    assert AuditEntry.objects.get(action="security.recovery_code_use").details == {"left": 9}
    written = [f"{entry.actor_name} {entry.target_repr} {entry.details}"
               for entry in AuditEntry.objects.all()]
    written += [f"{message.subject} {message.body}" for message in mailoutbox]
    written += [caplog.text, str(dict(plain.session))]
    for code in codes:
        assert not any(code in text or code.upper() in text for text in written), code


def test_the_recovery_codes_page_is_for_verified_staff_only(plain, moderator, owner):
    plain.force_login(moderator)
    response = plain.get(RECOVERY)
    assert urlsplit(response["Location"]).path == VERIFY
    assert plain.post(RECOVERY).status_code == 302
    assert not StaticToken.objects.filter(device__user=moderator).exists()
    plain.force_login(owner)
    assert plain.get(RECOVERY).status_code == 403
    assert urlsplit(Client().get(RECOVERY)["Location"]).path == reverse("organisers:login")


@pytest.mark.parametrize("code", ["abcd234", "abcd23456", "abcd!234", "abcd 2 3 1 0"])
def test_a_malformed_recovery_code_gets_a_clear_error(plain, moderator, codes, code):
    plain.force_login(moderator)
    response = plain.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert "a recovery code is eight letters and digits" in response.text
    assert plain.get(QUEUE).status_code == 302


def test_the_code_pages_refuse_other_methods(client, moderator):
    client.force_login(moderator)
    for page in (VERIFY, SETUP, RECOVERY):
        response = client.put(page)
        assert response.status_code == 405 and "POST" in response["Allow"]
