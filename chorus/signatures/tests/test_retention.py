from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition, RejectionReason
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature
from chorus.signatures.services import signatures_apply_retention

DAY = timedelta(days=1)


def make(petition, n, *, state="confirmed", age=0, start=0, countries=("DE", "GE", "AR")):
    now = timezone.now()
    return Signature.objects.bulk_create(
        Signature(
            petition=petition, name=f"Signer {i}", email=f"r{i}@example.org",
            email_digest=email_digest(f"r{i}@example.org"), postcode="1234", source="news",
            ip_digest="f" * 64, country=countries[i % len(countries)], state=state,
            created_at=now - age * DAY, updates=True, show_name=True,
        )
        for i in range(start, start + n)
    )


def totals(petition):
    petition = Petition.objects.get(pk=petition.pk)
    by_country = dict(
        petition.signatures.filter(state="confirmed").values_list("country")
        .annotate(n=Count("id"))
    )
    return petition.signature_count, by_country


def assert_no_personal_data(signatures):
    for signature in signatures:
        assert (signature.name, signature.email, signature.postcode, signature.ip_digest,
                signature.source, signature.updates, signature.show_name) == (
            "", "", "", "", "", False, False), signature.pk
        assert signature.email_digest.startswith("anonymised-")


@pytest.fixture
def closed_long_ago(organisation):
    petition = Petition.objects.create(
        organisation=organisation, slug="old", title="Old", target="T", ask="A"
    )
    petition.open()
    petition.close()
    Petition.objects.filter(pk=petition.pk).update(closed_at=timezone.now() - 10 * DAY)
    return petition


def test_retention_leaves_counts_and_country_totals_and_no_personal_data(
    petition, closed_long_ago, settings
):
    settings.CHORUS_CLOSED_PETITION_RETENTION_DAYS = 183
    make(closed_long_ago, 9)
    make(closed_long_ago, 2, state="pending", start=100)
    make(petition, 4, start=200)
    signatures_count()
    before = (totals(closed_long_ago), totals(petition))

    # Half a year after the petition closed.
    result = signatures_apply_retention(now=timezone.now() + 180 * DAY)
    # Its 9 confirmed signers are anonymised; the 2 never confirmed are gone.
    assert (result.anonymised, result.unconfirmed_deleted) == (9, 2)
    signatures_count()
    assert (totals(closed_long_ago), totals(petition)) == before
    assert_no_personal_data(closed_long_ago.signatures.all())
    # The open petition keeps its signers' data (only their old IP digests go).
    kept = petition.signatures.all()
    assert all(s.name and s.email for s in kept)
    assert all(s.ip_digest == "" for s in kept)


def test_retention_waits_for_its_time(closed_long_ago, petition):
    make(closed_long_ago, 3)
    make(petition, 2, state="pending", start=10, age=5)
    result = signatures_apply_retention(now=timezone.now())
    assert result == type(result)(0, 0, 0)
    assert all(s.name for s in Signature.objects.all())


def test_taking_a_closed_petition_down_does_not_put_off_its_retention(
    closed_long_ago, moderator, settings
):
    settings.CHORUS_CLOSED_PETITION_RETENTION_DAYS = 183
    make(closed_long_ago, 3)
    signatures_count()
    closed_long_ago.refresh_from_db()
    closed_long_ago.take_down(by=moderator, reason=RejectionReason.objects.first(), note="Libel.")
    # 180 days from now is 190 days after it closed, but only 180 after the takedown.
    result = signatures_apply_retention(now=timezone.now() + 180 * DAY)
    assert result.anonymised == 3
    assert totals(closed_long_ago)[0] == 3
    assert_no_personal_data(closed_long_ago.signatures.all())


def test_a_petition_taken_down_while_open_is_kept_until_its_days_after_the_takedown(
    petition, moderator, settings
):
    settings.CHORUS_CLOSED_PETITION_RETENTION_DAYS = 183
    make(petition, 2)
    petition.take_down(by=moderator, reason=RejectionReason.objects.first(), note="Libel.")
    assert signatures_apply_retention(now=timezone.now() + 180 * DAY).anonymised == 0
    assert signatures_apply_retention(now=timezone.now() + 184 * DAY).anonymised == 2


def test_unconfirmed_signatures_are_deleted_after_their_days(petition, settings):
    settings.CHORUS_UNCONFIRMED_RETENTION_DAYS = 30
    make(petition, 3, state="pending", age=31)
    make(petition, 2, state="pending", age=29, start=10)
    make(petition, 1, age=400, start=20)
    signatures_count()
    result = signatures_apply_retention()
    assert result.unconfirmed_deleted == 3
    assert petition.signatures.filter(state="pending").count() == 2
    assert totals(petition)[0] == 1


def test_the_command_applies_retention(petition, capsys):
    make(petition, 2, state="pending", age=365)
    call_command("applyretention")
    assert "Deleted 2 unconfirmed signatures" in capsys.readouterr().out


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("mira", "mira@example.org", "pw-1234-long")


def test_an_emergency_purge_asks_to_type_the_address_and_is_audited(
    client, admin_user, petition
):
    make(petition, 6)
    make(petition, 2, state="pending", start=50)
    signatures_count()
    before = totals(petition)
    client.force_login(admin_user)
    url = "/admin/petitions/petition/"
    form = {"action": "purge", "_selected_action": [petition.pk]}

    asked = client.post(url, form)
    assert asked.status_code == 200
    assert "type the address" in asked.content.decode()
    client.post(url, {**form, "confirm_purge": "1", "confirm_slugs": "wrong"})
    assert Signature.objects.filter(anonymised_at__isnull=False).count() == 0
    assert not AuditEntry.objects.exists()

    done = client.post(url, {**form, "confirm_purge": "1", "confirm_slugs": petition.slug},
                       follow=True)
    assert "personal data is gone" in done.content.decode()
    signatures_count()
    assert totals(petition) == before
    assert_no_personal_data(petition.signatures.all())
    assert petition.signatures.count() == 6  # the two unconfirmed went entirely
    [entry] = AuditEntry.objects.all()
    assert (entry.actor, entry.action, entry.target_id) == (
        admin_user, "petition.purge", str(petition.pk))
    assert entry.details == {"anonymised": 6, "unconfirmed_deleted": 2}
    assert client.get("/admin/audit/auditentry/").status_code == 200
