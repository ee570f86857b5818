"""Limits hold signatures, never refuse them; tested with a controlled clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.signatures import services
from chorus.signatures.models import Signature

START = timezone.now().replace(microsecond=0)


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves by hand."""
    now = [START]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


def sign(petition, n, *, ip="198.51.100.4", domain="example.org", first=0):
    for i in range(first, first + n):
        services.signature_create(petition_id=petition.pk, name=f"Signer {i}",
                                  email=f"signer{i}@{domain}", country="DE", ip=ip)


def states(petition):
    return list(petition.signatures.order_by("pk").values_list("state", "held_reason"))


def test_an_address_at_the_ip_limit_is_accepted(petition, clock, settings):
    settings.CHORUS_LIMIT_IP_PER_PETITION = 3
    sign(petition, 3)
    assert states(petition) == [("pending", "")] * 3


def test_one_over_the_ip_limit_is_held(petition, clock, settings):
    settings.CHORUS_LIMIT_IP_PER_PETITION = 3
    sign(petition, 4)
    assert states(petition)[-1] == ("held", "ip-limit")
    assert petition.signatures.filter(state="pending").count() == 3


def test_after_the_window_the_ip_is_accepted_again(petition, clock, settings):
    settings.CHORUS_LIMIT_IP_PER_PETITION = 3
    settings.CHORUS_LIMIT_WINDOW_SECONDS = 3600
    sign(petition, 4)
    clock[0] = START + timedelta(seconds=3601)
    sign(petition, 1, first=10)
    assert states(petition)[-1] == ("pending", "")


def test_the_ip_limit_is_per_petition_and_per_address(petition, draft, clock, settings):
    settings.CHORUS_LIMIT_IP_PER_PETITION = 2
    draft.submit()
    draft.open()
    sign(petition, 2)
    sign(draft, 2)
    sign(petition, 1, ip="198.51.100.5", first=20)
    assert Signature.objects.filter(state="held").count() == 0


def test_signatures_without_an_ip_are_never_ip_limited(petition, clock, settings):
    settings.CHORUS_LIMIT_IP_PER_PETITION = 1
    sign(petition, 3, ip="")
    assert Signature.objects.filter(state="held").count() == 0


def test_one_over_the_domain_limit_is_held_and_the_window_resets_it(petition, clock, settings):
    settings.CHORUS_LIMIT_DOMAIN_PER_PETITION = 3
    settings.CHORUS_LIMIT_IP_PER_PETITION = 0
    sign(petition, 3, domain="uni.example")
    assert states(petition) == [("pending", "")] * 3
    sign(petition, 1, domain="Uni.Example", first=3)
    assert states(petition)[-1] == ("held", "domain-limit")
    clock[0] = START + timedelta(seconds=settings.CHORUS_LIMIT_WINDOW_SECONDS + 1)
    sign(petition, 1, domain="uni.example", first=4)
    assert states(petition)[-1] == ("pending", "")


def test_big_providers_are_never_domain_limited(petition, clock, settings):
    settings.CHORUS_LIMIT_DOMAIN_PER_PETITION = 2
    settings.CHORUS_LIMIT_IP_PER_PETITION = 0
    sign(petition, 5, domain="gmail.com")
    sign(petition, 5, domain="yandex.ru", first=5)
    assert Signature.objects.filter(state="held").count() == 0


def test_a_burst_on_one_petition_is_held_when_the_limit_is_on(petition, clock, settings):
    settings.CHORUS_LIMIT_IP_PER_PETITION = 0
    settings.CHORUS_LIMIT_PETITION_BURST = 3
    for i in range(4):
        sign(petition, 1, ip=f"198.51.100.{i}", domain=f"d{i}.example", first=i)
    assert states(petition)[-1] == ("held", "burst")
    clock[0] = START + timedelta(seconds=61)
    sign(petition, 1, ip="198.51.100.9", domain="d9.example", first=9)
    assert states(petition)[-1] == ("pending", "")


def test_the_burst_limit_is_off_by_default(petition, clock, settings):
    settings.CHORUS_LIMIT_IP_PER_PETITION = 0
    for i in range(30):
        sign(petition, 1, ip=f"198.51.100.{i}", domain=f"d{i}.example", first=i)
    assert Signature.objects.filter(state="held").count() == 0


def test_the_default_ip_limit_holds_the_eleventh_signature(client, petition, signer):
    for i in range(11):
        client.post(f"/petitions/{petition.slug}/sign/",
                    {**signer, "email": f"s{i}@example.org"}, REMOTE_ADDR="203.0.113.7")
    assert states(petition)[9] == ("pending", "")
    assert states(petition)[10] == ("held", "ip-limit")
