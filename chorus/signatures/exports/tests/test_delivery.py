import io

import pytest
from pypdf import PdfReader

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("mira", "mira@example.org", "pw-1234-long")
    client.force_login(user)
    return client


def make(petition, name, country, *, show_name, state="confirmed"):
    email = f"{name.lower().replace(' ', '.')}@example.org"
    Signature.objects.create(petition=petition, name=name, email=email,
                             email_digest=email_digest(email), country=country,
                             show_name=show_name, state=state, postcode="SECRET-PC")


def test_the_delivery_document_names_only_those_who_agreed(admin_client, petition):
    make(petition, "Наталья Иванова", "RU", show_name=True)
    make(petition, "Hidden Person", "BY", show_name=False)
    for i in range(6):
        make(petition, f"German {i}", "DE", show_name=True)
    make(petition, "Never Confirmed", "DE", show_name=True, state="pending")
    signatures_count()
    response = admin_client.post("/admin/petitions/petition/", {
        "action": "delivery_document", "_selected_action": [petition.pk]})
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert petition.title in text and petition.target in text
    assert "8 people had signed as of" in text
    assert "Наталья Иванова" in text and "German 3" in text
    assert "Hidden Person" not in text and "A signer from Belarus" in text
    assert "Never Confirmed" not in text
    # The country floor: Germany has 6, Russia and Belarus fewer than 5.
    assert "Germany: 6" in text and "Belarus: fewer than 5" in text
    assert "example.org" not in text and "SECRET-PC" not in text
    assert AuditEntry.objects.get().action == "petition.delivery_pdf"


def test_right_to_left_names_are_shaped_and_latin_ones_are_not():
    from chorus.signatures.exports.delivery.pdf import needs_shaping

    assert needs_shaping("نادية حسن") and needs_shaping("Nadia נדיה")
    assert not needs_shaping("Nadia Petrova") and not needs_shaping("Наталья Иванова")


def test_an_arabic_name_reads_in_the_right_order(petition, monkeypatch):
    from chorus.signatures.exports.delivery import pdf as delivery

    make(petition, "نادية حسن", "EG", show_name=True)
    signatures_count()
    shaped = []
    monkeypatch.setattr(delivery, "needs_shaping",
                        lambda text: shaped.append(text) or "حسن" in text)
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(delivery.delivery_pdf(petition))).pages
    )
    assert "نادية حسن" in text
    assert any("نادية حسن" in line for line in shaped)


def test_the_admin_says_so_when_the_document_cannot_be_built(admin_client, petition, monkeypatch):
    make(petition, "Nadia", "DE", show_name=True)

    def out_of_memory(self, *args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("fpdf.FPDF.output", out_of_memory)
    response = admin_client.post("/admin/petitions/petition/", {
        "action": "delivery_document", "_selected_action": [petition.pk]}, follow=True)
    assert response.status_code == 200
    assert "The delivery document could not be made" in response.content.decode()
    assert not AuditEntry.objects.exists()
