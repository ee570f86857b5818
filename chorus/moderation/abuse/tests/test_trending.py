import datetime
import itertools
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from chorus.lib.digests import email_digest, ip_digest
from chorus.moderation.abuse import tasks as abuse_tasks
from chorus.moderation.abuse.services import trending_detect
from chorus.moderation.models import Flag
from chorus.signatures.models import Signature

NOW = datetime.datetime(2025, 2, 18, 12, 0, tzinfo=datetime.UTC)
SHARED_IP = "203.0.113.7"
WEBHOOK = "https://hooks.example.net/chorus"
_serial = itertools.count()


def sign(petition, count: int, *, minutes_ago: float, ip: str = "", domain: str = ""):
    """`count` signatures made `minutes_ago` before NOW, each from its own mailbox
    (on its own domain unless one is given)."""
    created = NOW - datetime.timedelta(minutes=minutes_ago)
    signatures = []
    for n in itertools.islice(_serial, count):
        address = f"s{n}@{domain or f'd{n}.example'}"
        signatures.append(Signature(
            petition=petition, name="Signer", country="DE", created_at=created,
            email_digest=email_digest(address), email=address,
            email_domain=address.partition("@")[2], ip_digest=ip_digest(ip),
        ))
    Signature.objects.bulk_create(signatures)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.CHORUS_TRENDING_WINDOW_SECONDS = 3600
    settings.CHORUS_TRENDING_IP_THRESHOLD = 3
    settings.CHORUS_TRENDING_DOMAIN_THRESHOLD = 4
    settings.CHORUS_LIMIT_DOMAIN_EXEMPT = ["gmail.com"]
    settings.CHORUS_TRENDING_WEBHOOK_URL = ""


@pytest.fixture
def sent(monkeypatch):
    """What the webhook would have received."""
    posts = []
    monkeypatch.setattr(abuse_tasks, "_post_json", lambda url, payload: posts.append(
        (url, json.loads(json.dumps(payload)))))
    return posts


def test_an_ip_digest_at_the_threshold_within_the_hour_is_flagged(petition):
    sign(petition, 2, minutes_ago=59, ip=SHARED_IP)
    sign(petition, 1, minutes_ago=1, ip=SHARED_IP)

    [flag] = trending_detect(now=NOW)

    assert (flag.petition, flag.kind, flag.value, flag.count) == (
        petition, Flag.Kind.IP, ip_digest(SHARED_IP), 3)
    assert flag.window_start == NOW - datetime.timedelta(hours=1)
    assert flag.window_end == NOW


def test_signatures_outside_the_hour_do_not_count(petition):
    sign(petition, 2, minutes_ago=30, ip=SHARED_IP)
    sign(petition, 10, minutes_ago=61, ip=SHARED_IP)
    sign(petition, 10, minutes_ago=-1, ip=SHARED_IP)  # after the clock's "now"

    assert trending_detect(now=NOW) == []
    assert not Flag.objects.exists()


def test_an_e_mail_domain_is_flagged_at_the_threshold_and_not_below(petition, draft):
    sign(petition, 4, minutes_ago=10, domain="bots.example")
    sign(petition, 3, minutes_ago=10, domain="club.example")

    [flag] = trending_detect(now=NOW)

    assert (flag.kind, flag.value, flag.count) == (Flag.Kind.DOMAIN, "bots.example", 4)


def test_a_big_mail_provider_is_never_flagged_as_a_domain(petition):
    sign(petition, 50, minutes_ago=10, domain="gmail.com")

    assert trending_detect(now=NOW) == []


def test_the_same_value_on_two_petitions_is_counted_per_petition(petition, draft):
    sign(petition, 2, minutes_ago=5, ip=SHARED_IP)
    sign(draft, 2, minutes_ago=5, ip=SHARED_IP)

    assert trending_detect(now=NOW) == []


def test_a_second_run_updates_the_open_flag_instead_of_adding_one(petition):
    sign(petition, 3, minutes_ago=50, ip=SHARED_IP)
    [flag] = trending_detect(now=NOW)
    sign(petition, 4, minutes_ago=0, ip=SHARED_IP)

    later = NOW + datetime.timedelta(minutes=5)
    assert trending_detect(now=later) == []

    flag.refresh_from_db()
    assert Flag.objects.count() == 1
    assert (flag.count, flag.last_seen_at, flag.window_end) == (7, later, later)
    assert flag.first_seen_at == NOW


def test_a_dismissed_value_is_flagged_again_only_after_a_whole_new_window(
        petition, moderator):
    sign(petition, 3, minutes_ago=10, ip=SHARED_IP)
    [flag] = trending_detect(now=NOW)
    flag.dismiss(moderator=moderator, now=NOW)

    assert trending_detect(now=NOW + datetime.timedelta(minutes=1)) == []
    sign(petition, 3, minutes_ago=-70, ip=SHARED_IP)  # still signing an hour later
    [again] = trending_detect(now=NOW + datetime.timedelta(minutes=75))
    assert again.pk != flag.pk and again.count == 3


def test_a_new_flag_is_posted_to_the_webhook_without_any_address_or_ip(
        petition, settings, sent, immediate_tasks, django_capture_on_commit_callbacks):
    settings.CHORUS_TRENDING_WEBHOOK_URL = WEBHOOK
    sign(petition, 3, minutes_ago=10, ip=SHARED_IP, domain="bots.example")
    sign(petition, 1, minutes_ago=10, domain="bots.example")

    with django_capture_on_commit_callbacks(execute=True):
        trending_detect(now=NOW)

    payloads = {payload["kind"]: payload for url, payload in sent}
    assert {url for url, _payload in sent} == {WEBHOOK}
    assert payloads["ip"] == {
        "petition": "stop-the-liquidation", "kind": "ip",
        "value": ip_digest(SHARED_IP)[:12], "count": 3, "window_seconds": 3600,
        "window_start": "2025-02-18T11:00:00+00:00", "window_end": "2025-02-18T12:00:00+00:00",
        "text": payloads["ip"]["text"],
    }
    assert payloads["domain"]["value"] == "bots.example"
    assert payloads["domain"]["count"] == 4
    posted = json.dumps([payload for _url, payload in sent])
    assert SHARED_IP not in posted
    assert ip_digest(SHARED_IP) not in posted  # only its prefix
    assert "@" not in posted


def test_an_updated_flag_is_not_posted_again(
        petition, settings, sent, immediate_tasks, django_capture_on_commit_callbacks):
    settings.CHORUS_TRENDING_WEBHOOK_URL = WEBHOOK
    sign(petition, 3, minutes_ago=10, ip=SHARED_IP)
    with django_capture_on_commit_callbacks(execute=True):
        trending_detect(now=NOW)
        trending_detect(now=NOW + datetime.timedelta(minutes=1))

    assert len(sent) == 1


def test_without_a_webhook_nothing_is_posted(
        petition, sent, immediate_tasks, django_capture_on_commit_callbacks):
    sign(petition, 3, minutes_ago=10, ip=SHARED_IP)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(trending_detect(now=NOW)) == 1

    assert sent == []


def test_a_failing_webhook_is_logged_and_the_flag_kept(
        petition, settings, monkeypatch, immediate_tasks, django_capture_on_commit_callbacks,
        caplog):
    settings.CHORUS_TRENDING_WEBHOOK_URL = WEBHOOK

    def refuse(url, payload):
        raise OSError("connection refused")

    monkeypatch.setattr(abuse_tasks, "_post_json", refuse)
    sign(petition, 3, minutes_ago=10, ip=SHARED_IP)

    with django_capture_on_commit_callbacks(execute=True):
        [flag] = trending_detect(now=NOW)

    assert Flag.objects.filter(pk=flag.pk, state=Flag.State.OPEN).exists()
    assert "trending webhook failed" in caplog.text
    assert SHARED_IP not in caplog.text


def test_the_webhook_refuses_urls_that_are_not_http():
    with pytest.raises(ValueError):
        abuse_tasks._post_json("file:///etc/passwd", {})


def test_the_command_flags_what_is_trending_now(petition, capsys):
    sign(petition, 3, minutes_ago=0, ip=SHARED_IP)
    Signature.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=1))

    call_command("detecttrending")

    assert Flag.objects.get().value == ip_digest(SHARED_IP)
    assert "1 new flags" in capsys.readouterr().out
