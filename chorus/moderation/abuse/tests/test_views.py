import datetime
import itertools
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest, ip_digest
from chorus.moderation.models import Flag, InvalidationBatch
from chorus.petitions.models import Petition
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Block, Signature

BOT_IP = "198.51.100.23"
S = Signature.State
_serial = itertools.count()
BULK = reverse("moderation:abuse:bulk")


def sign(petition, count: int, *, state: str, domain: str, ip: str = "", minutes_ago=10):
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    signatures = []
    for n in itertools.islice(_serial, count):
        address = f"s{n}@{domain}"
        signatures.append(Signature(
            petition=petition, name="Signer", country="DE", created_at=created,
            email_digest=email_digest(address), email=address, email_domain=domain,
            ip_digest=ip_digest(ip), state=state,
        ))
    Signature.objects.bulk_create(signatures)


def count_of(petition) -> int:
    return Petition.objects.values_list("signature_count", flat=True).get(pk=petition.pk)


def snapshot(petition):
    return sorted(Signature.objects.filter(petition=petition).values_list("pk", "state"))


@pytest.fixture
def bots(petition):
    """3 confirmed and 1 held from bots.example, 2 confirmed real signers; counted."""
    sign(petition, 3, state=S.CONFIRMED, domain="bots.example", ip=BOT_IP)
    sign(petition, 1, state=S.HELD, domain="bots.example", ip=BOT_IP)
    sign(petition, 2, state=S.CONFIRMED, domain="example.org")
    signatures_count()
    return petition


@pytest.fixture
def flag(bots):
    now = timezone.now()
    return Flag.objects.create(
        petition=bots, kind=Flag.Kind.IP, value=ip_digest(BOT_IP), count=4,
        window_seconds=3600, window_start=now - datetime.timedelta(hours=1), window_end=now,
    )


def conditions(**changes) -> dict:
    return {"petition": "stop-the-liquidation", "email_domain": "bots.example",
            "states": ["held", "pending", "confirmed"], "reason": "disposable", **changes}


# Who may come in


@pytest.mark.parametrize("name", ["flags", "bulk", "batches"])
def test_anonymous_visitors_are_sent_to_log_in(client, db, name):
    response = client.get(reverse(f"moderation:abuse:{name}"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("organisers:login"))


@pytest.mark.parametrize("name", ["flags", "bulk", "batches"])
def test_an_organiser_who_is_not_staff_is_refused(client, owner, name):
    client.force_login(owner)

    assert client.get(reverse(f"moderation:abuse:{name}")).status_code == 403


def test_an_organiser_cannot_invalidate_dismiss_or_block(client, owner, flag):
    client.force_login(owner)
    before = snapshot(flag.petition)

    assert client.post(BULK, {**conditions(), "expected": 4}).status_code == 403
    assert client.post(reverse("moderation:abuse:flag_dismiss", args=[flag.pk])).status_code == 403
    assert client.post(reverse("moderation:abuse:flag_block", args=[flag.pk])).status_code == 403

    assert snapshot(flag.petition) == before
    flag.refresh_from_db()
    assert flag.state == Flag.State.OPEN
    assert not Block.objects.exists()


# Flags


def test_the_dashboard_shows_open_flags_with_a_shortened_digest(staff_client, flag):
    response = staff_client.get(reverse("moderation:abuse:flags"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Stop the lawsuit" in page
    assert flag.value[:12] in page
    assert flag.value not in unescape(page).split("ip_digest=")[0]  # shown only in the link
    assert ">4 " in page


def test_the_invalidate_link_previews_the_flagged_signatures(staff_client, flag):
    page = staff_client.get(reverse("moderation:abuse:flags")).content.decode()
    link = unescape(page.split(f'href="{BULK}?', 1)[1].split('"', 1)[0])

    response = staff_client.get(f"{BULK}?{link}")

    assert response.status_code == 200
    assert "4 signatures of “Stop the lawsuit” match." in response.content.decode()
    assert "Invalidate 4 signatures" in response.content.decode()


def test_dismissing_a_flag_takes_it_off_the_dashboard_and_is_audited(
        staff_client, flag, moderator):
    response = staff_client.post(reverse("moderation:abuse:flag_dismiss", args=[flag.pk]),
                                 follow=True)

    flag.refresh_from_db()
    assert (flag.state, flag.dismissed_by) == (Flag.State.DISMISSED, moderator)
    assert "No open flags" in response.content.decode()
    entry = AuditEntry.objects.get(action="abuse.flag_dismiss")
    assert entry.details["value"] == flag.value[:12]


def test_blocking_from_a_flag_adds_the_full_digest_to_the_blocklist(staff_client, flag):
    response = staff_client.post(reverse("moderation:abuse:flag_block", args=[flag.pk]),
                                 follow=True)

    block = Block.objects.get()
    assert (block.kind, block.value) == (Block.Kind.IP, ip_digest(BOT_IP))
    assert "Blocked" in response.content.decode()
    assert AuditEntry.objects.filter(action="abuse.block").count() == 1
    staff_client.post(reverse("moderation:abuse:flag_block", args=[flag.pk]))
    assert Block.objects.count() == 1
    assert AuditEntry.objects.filter(action="abuse.block").count() == 1


def test_flag_actions_are_post_only(staff_client, flag):
    for name in ("moderation:abuse:flag_dismiss", "moderation:abuse:flag_block"):
        assert staff_client.get(reverse(name, args=[flag.pk])).status_code == 405
    assert staff_client.get(reverse("moderation:abuse:undo", args=[1])).status_code == 405


# Bulk invalidation


def test_the_empty_form_asks_for_conditions(staff_client, db):
    response = staff_client.get(BULK)

    assert response.status_code == 200
    assert "Preview" in response.content.decode()


def test_the_preview_shows_how_far_the_count_drops_and_changes_nothing(staff_client, bots):
    before = snapshot(bots)

    response = staff_client.get(BULK, conditions())

    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "4 signatures of “Stop the lawsuit” match." in page
    assert "3 of them are confirmed: the petition's count will drop by 3." in page
    assert 'name="expected" value="4"' in page
    assert snapshot(bots) == before
    assert not InvalidationBatch.objects.exists()


def test_a_moderator_invalidates_sees_the_batch_and_undoes_it(staff_client, bots, post):
    assert count_of(bots) == 5

    response = post(BULK, {**conditions(), "expected": 4})

    assert response.status_code == 302
    assert response.url == reverse("moderation:abuse:batches")
    assert count_of(bots) == 2
    assert AuditEntry.objects.filter(action="signatures.bulk_invalidate").count() == 1
    batch = InvalidationBatch.objects.get()
    page = staff_client.get(response.url).content.decode()
    assert "bots.example" in page and "Undo" in page

    response = post(reverse("moderation:abuse:undo", args=[batch.pk]))

    assert response.status_code == 302
    assert count_of(bots) == 5
    batch.refresh_from_db()
    assert batch.state == InvalidationBatch.State.UNDONE
    page = staff_client.get(reverse("moderation:abuse:batches")).content.decode()
    assert "Undone" in page


def test_a_stale_preview_shows_the_new_figures_instead_of_invalidating(
        staff_client, bots, post):
    sign(bots, 2, state=S.PENDING, domain="bots.example")
    before = snapshot(bots)

    response = post(BULK, {**conditions(), "expected": 4})

    page = response.content.decode()
    assert response.status_code == 409
    assert "changed since the preview" in page
    assert 'name="expected" value="6"' in page
    assert snapshot(bots) == before
    assert not InvalidationBatch.objects.exists()


@pytest.mark.parametrize(("changes", "message"), [
    ({"petition": "no-such-petition"}, "No petition has this address."),
    ({"signed_from": "2025-02-18T12:00", "signed_to": "2025-02-18T11:00"},
     "The end of the time window must be after its start."),
    ({"email_domain": "bots\x00.example"}, "Null characters are not allowed."),
    ({"email_domain": "bots.example\r\nBcc: x"}, "letters, numbers, spaces and punctuation"),
    ({"ip_digest": "abc"}, "An IP digest is 64 characters"),
    ({"states": []}, "Choose at least one state."),
    ({"states": ["invalidated"]}, "Select a valid choice."),
    ({"email_domain": ""}, "Choose at least one condition besides the petition"),
    ({"signed_from": "yesterday"}, "Enter a valid date/time."),
    ({"petition": "x" * 101}, "at most 100 characters"),
])
def test_bad_conditions_get_a_400_with_the_error_and_change_nothing(
        staff_client, bots, post, changes, message):
    before = snapshot(bots)

    preview = staff_client.get(BULK, conditions(**changes))
    confirm = post(BULK, {**conditions(**changes), "expected": 4})

    for response in (preview, confirm):
        assert response.status_code == 400
        assert message in unescape(response.content.decode())
    assert snapshot(bots) == before
    assert count_of(bots) == 5
    assert not InvalidationBatch.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_confirmation_without_a_number_is_refused(staff_client, bots, post):
    response = post(BULK, {**conditions(), "expected": "-1"})

    assert response.status_code == 400
    assert not InvalidationBatch.objects.exists()


def test_undoing_twice_says_so_and_changes_nothing(staff_client, bots, post):
    post(BULK, {**conditions(), "expected": 4})
    batch = InvalidationBatch.objects.get()
    post(reverse("moderation:abuse:undo", args=[batch.pk]))

    response = post(reverse("moderation:abuse:undo", args=[batch.pk]), follow=True)

    assert "Only a finished batch can be undone" in response.content.decode()
    assert AuditEntry.objects.filter(action="signatures.bulk_invalidate_undo").count() == 1
    assert count_of(bots) == 5


def test_an_unknown_batch_is_a_404(staff_client, db):
    assert staff_client.post(reverse("moderation:abuse:undo", args=[999])).status_code == 404


def test_the_review_queue_links_to_the_abuse_pages(staff_client, db):
    page = staff_client.get(reverse("moderation:queue")).content.decode()

    assert reverse("moderation:abuse:flags") in page


def test_the_preview_button_confirms_exactly_what_was_previewed(staff_client, bots, post):
    preview = staff_client.get(BULK, conditions(petition="/petitions/stop-the-liquidation/"))
    section = preview.content.decode().split('class="bulk-preview"', 1)[1]
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', section)
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(unescape(value))
    # The reason is chosen beside the button, preselected from the preview.
    data["reason"] = re.findall(r'<option value="(\w+)" selected>', section)

    response = post(BULK, data)

    assert response.status_code == 302
    assert InvalidationBatch.objects.get().matched == 4
    assert count_of(bots) == 2


def test_confirming_needs_a_reason_and_the_log_shows_it(post, staff_client, petition):
    sign(petition, 4, state="confirmed", domain="bots.example")
    missing = post(BULK, {**conditions(reason=""), "expected": 4})
    assert missing.status_code == 400
    assert "Say why these signatures are fake." in missing.content.decode()
    assert not InvalidationBatch.objects.exists()

    post(BULK, {**conditions(reason="one_machine"), "expected": 4})
    record = InvalidationBatch.objects.get().public_record
    assert (record.reason, record.kind, record.signatures, record.counted) == (
        "one_machine", "bulk", 4, 4)
    log = staff_client.get(f"/petitions/{petition.slug}/log/").content.decode()
    assert "Many signatures from one machine" in log
