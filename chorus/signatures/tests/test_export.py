import csv
import io

import pytest

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.signatures.models import Signature
from chorus.signatures.services import signatures_csv_rows


def make(petition, name, email, *, updates, state="confirmed", source=""):
    return Signature.objects.create(
        petition=petition, name=name, email=email, email_digest=email_digest(email),
        country="DE", postcode="10115", updates=updates, state=state, source=source,
    )


def read(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("mira", "mira@example.org", "pw-1234-long")
    client.force_login(user)
    client.user = user
    return client


def export(client, petition):
    return client.post("/admin/petitions/petition/",
                       {"action": "export_csv", "_selected_action": [petition.pk]})


def test_the_export_streams_confirmed_signatures_with_consented_addresses_only(
    admin_client, petition
):
    make(petition, "Nadia", "nadia@example.org", updates=True, source="radio")
    make(petition, "Ivan", "ivan@example.org", updates=False)
    make(petition, "Pending", "p@example.org", updates=True, state="pending")
    response = export(admin_client, petition)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read(response)
    assert [(r["name"], r["email"], r["postcode"]) for r in rows] == [
        ("Nadia", "nadia@example.org", "10115"), ("Ivan", "", "")]
    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.actor, entry.details) == (
        "petition.export_csv", admin_client.user, {"rows": 2})


def test_formulas_come_out_as_text(admin_client, petition):
    make(petition, "=HYPERLINK(\"http://evil\")", "a@example.org", updates=True,
         source="-2+3")
    make(petition, "@SUM(A1)", "b@example.org", updates=True)
    make(petition, "+1", "c@example.org", updates=True)
    names = [(r["name"], r["source"]) for r in read(export(admin_client, petition))]
    assert names == [("'=HYPERLINK(\"http://evil\")", "'-2+3"), ("'@SUM(A1)", ""), ("'+1", "")]


def test_only_administrators_export(client, django_user_model, petition):
    staff = django_user_model.objects.create_user("ed", password="pw-1234-long", is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_petition", "change_petition"]))
    client.force_login(staff)
    make(petition, "Nadia", "nadia@example.org", updates=True)
    response = export(client, petition)
    assert not getattr(response, "streaming", False)
    assert not AuditEntry.objects.exists()


def test_the_rows_are_generated_lazily(petition, django_user_model):
    for i in range(5):
        make(petition, f"S{i}", f"s{i}@example.org", updates=False)
    rows = signatures_csv_rows(petition=petition, actor=None)
    assert next(rows).startswith("signed_at,")
    next(rows)
    rows.close()  # the download stopped half-way
    assert AuditEntry.objects.get().details == {"rows": 1}
