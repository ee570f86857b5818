import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.organisers.models import LoginFailure
from chorus.testing import PASSWORD

LOCKED = "too many failed attempts"


def log_in(client, username: str, password: str, ip: str = "203.0.113.7"):
    return client.post(reverse("organisers:login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username: str, times: int, ip: str = "203.0.113.7") -> None:
    for _attempt in range(times):
        assert LOCKED not in log_in(client, username, "wrong password", ip).text


def later(monkeypatch, seconds: int, *, after=None) -> None:
    now = (after or timezone.now()) + datetime.timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: now)


@pytest.mark.django_db
def test_nineteen_wrong_passwords_do_not_lock_the_account(client, owner):
    fail(client, owner.email, 19)
    response = log_in(client, owner.email, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_twenty_wrong_passwords_lock_the_account_even_for_the_right_one(client, owner):
    fail(client, owner.email, 20)
    response = log_in(client, owner.email, PASSWORD)
    assert response.status_code == 200
    assert LOCKED in response.text and "15 minutes" in response.text
    assert not logged_in(client)


@pytest.mark.django_db
def test_the_lock_holds_for_the_whole_lockout_and_lifts_after_it(client, owner, monkeypatch):
    # Counted from the first failure: the window slides, and twenty posts take a moment.
    first = timezone.now()
    fail(client, owner.email, 20)
    later(monkeypatch, 899, after=first)
    assert LOCKED in log_in(client, owner.email, PASSWORD).text
    later(monkeypatch, 901)
    assert log_in(client, owner.email, PASSWORD).status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_every_spelling_of_the_address_counts_for_the_same_account(client, owner):
    fail(client, owner.email.upper(), 10)
    fail(client, owner.email, 10)
    assert LOCKED in log_in(client, "  Olga.Owner@Example.org", PASSWORD).text


@pytest.mark.django_db
def test_a_locked_account_does_not_lock_out_anyone_else(client, owner, editor):
    fail(client, owner.email, 20)
    assert log_in(client, editor.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_starts_the_account_count_again(client, owner):
    fail(client, owner.email, 19)
    assert log_in(client, owner.email, PASSWORD).status_code == 302
    client.logout()
    fail(client, owner.email, 19)
    assert log_in(client, owner.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_fifty_failures_from_one_address_lock_that_address_for_every_account(client, owner):
    for number in range(50):
        log_in(client, f"guess{number}@example.org", "wrong password", ip="198.51.100.9")
    response = log_in(client, owner.email, PASSWORD, ip="198.51.100.9")
    assert LOCKED in response.text and not logged_in(client)
    assert log_in(client, owner.email, PASSWORD, ip="198.51.100.10").status_code == 302


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_header_does_not_escape_the_address_lock(client, owner):
    for number in range(50):
        client.post(reverse("organisers:login"),
                    {"username": f"guess{number}@example.org", "password": "wrong"},
                    REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    response = client.post(reverse("organisers:login"),
                           {"username": owner.email, "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert LOCKED in response.text


@pytest.mark.django_db
def test_failures_are_kept_without_the_address_or_the_ip(client, owner):
    fail(client, owner.email, 3)
    failures = list(LoginFailure.objects.values_list("account_digest", "ip_digest"))
    assert len(failures) == 3
    for account, address in failures:
        assert "@" not in account and "olga" not in account
        assert "203.0.113" not in address and len(address) == 64


@pytest.mark.django_db
def test_failures_older_than_the_window_are_forgotten(client, owner, monkeypatch):
    fail(client, owner.email, 5)
    later(monkeypatch, 901)
    fail(client, owner.email, 1)
    assert LoginFailure.objects.count() == 1


@pytest.mark.django_db
def test_the_limits_are_settings(client, owner, settings):
    settings.CHORUS_LOGIN_MAX_FAILURES = 3
    settings.CHORUS_LOGIN_LOCKOUT_SECONDS = 120
    fail(client, owner.email, 3)
    response = log_in(client, owner.email, PASSWORD)
    assert LOCKED in response.text and "2 minutes" in response.text
