"""A big petition's delivery document: asked for on the page, built by the task worker,
downloaded by an owner."""

import errno
import io
import os
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pyrage import x25519

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.signatures.exports.delivery import building, tasks
from chorus.signatures.models import DeliveryDocument, Signature
from chorus.signatures.sealing.services import organisation_key_register
from chorus.signatures.services import petition_purge


@pytest.fixture(autouse=True)
def big(settings, immediate_tasks):
    # Every petition counts as big here, so the background path is the one taken.
    settings.CHORUS_DELIVERY_DIRECT_MAX = 0


@pytest.fixture
def signed(petition):
    for i in range(7):
        email = f"signer{i}@example.org"
        Signature.objects.create(petition=petition, name=f"Signer {i}", email=email,
                                 email_digest=email_digest(email), country="DE",
                                 show_name=True, state="confirmed")
    petition.signature_count = 7
    petition.save()
    return petition


def page_url(petition):
    return reverse("signatures:exports:delivery_page", args=[petition.slug])


def pdf_url(petition):
    return reverse("signatures:exports:delivery", args=[petition.slug])


def prepare(client, petition, capture):
    with capture(execute=True):
        response = client.post(page_url(petition))
    assert response.status_code == 302
    return DeliveryDocument.objects.get(petition=petition)


def stored_files():
    root = storages["private"].location
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root) for name in names
    )


def test_an_owner_asks_for_it_and_downloads_it_when_ready(
        client, signed, owner, mailoutbox, django_capture_on_commit_callbacks, settings):
    client.force_login(owner)
    page = client.get(page_url(signed)).content.decode()
    assert "Prepare the delivery document" in page
    document = prepare(client, signed, django_capture_on_commit_callbacks)
    assert document.state == "ready" and document.signatures == 7 and document.pages >= 3
    # Kept in private storage, never under MEDIA_ROOT.
    [name] = stored_files()
    assert name.startswith(f"delivery/{signed.pk}/") and name.endswith(".pdf")
    assert not str(storages["private"].location).startswith(str(settings.MEDIA_ROOT))
    page = client.get(page_url(signed)).content.decode()
    assert "Ready:" in page and "pages, made on" in page and "signatures since" not in page
    response = client.get(pdf_url(signed))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    content = b"".join(response.streaming_content)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Signer 6 · Germany" in text
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["petition.delivery_request", "petition.delivery"]
    # The owner is told, with a link to the page and not the file.
    [email] = mailoutbox
    assert email.to == [owner.email] and not email.attachments
    assert "ready" in email.subject
    assert settings.SITE_URL + page_url(signed) in email.body
    assert "Signer" not in email.body


def test_the_petition_page_says_it_is_being_prepared_then_ready(client, signed, owner,
                                                                settings):
    client.force_login(owner)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client.post(page_url(signed))  # queued, not yet taken by a worker
    manage = reverse("petitions:manage:detail", args=[signed.slug])
    assert "Being prepared…" in client.get(manage).content.decode()
    assert "Being prepared…" in client.get(page_url(signed)).content.decode()
    document = DeliveryDocument.objects.get()
    assert building.delivery_build(document_id=document.pk, request=str(document.request))
    page = client.get(manage).content.decode()
    assert "Ready — download (" in page and f'href="{pdf_url(signed)}"' in page


@pytest.mark.parametrize(("persona", "status"), [
    ("editor", 403), ("viewer", 403), ("outsider", 404), ("moderator", 404)])
def test_nobody_but_an_owner_may_download_or_ask(
        client, signed, owner, persona, status, request, django_capture_on_commit_callbacks):
    client.force_login(owner)
    prepare(client, signed, django_capture_on_commit_callbacks)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(pdf_url(signed)).status_code == status
    assert client.post(page_url(signed)).status_code == status
    client.logout()
    assert client.get(pdf_url(signed)).status_code == 302
    assert AuditEntry.objects.filter(action="petition.delivery").count() == 0
    assert DeliveryDocument.objects.get().state == "ready"


def test_without_a_ready_document_the_download_sends_the_owner_to_prepare_it(
        client, signed, owner):
    client.force_login(owner)
    response = client.get(pdf_url(signed), follow=True)
    assert response.redirect_chain == [(page_url(signed), 302)]
    assert "prepare it first" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_wrong_methods_are_refused(client, signed, owner):
    client.force_login(owner)
    assert client.put(page_url(signed)).status_code == 405
    assert client.delete(page_url(signed)).status_code == 405
    assert client.post(pdf_url(signed)).status_code == 405
    assert not DeliveryDocument.objects.exists()


def test_a_worker_that_dies_mid_build_leaves_no_file_and_it_can_be_asked_again(
        client, signed, owner, monkeypatch, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(owner)

    def killed(petition):
        raise SystemExit("the worker is being stopped")

    monkeypatch.setattr(building, "delivery_make", killed)
    document = prepare(client, signed, django_capture_on_commit_callbacks)
    assert document.state == "failed" and not document.file
    assert stored_files() == []
    assert "could not be made" in client.get(page_url(signed)).content.decode()
    assert client.get(pdf_url(signed)).status_code == 302
    monkeypatch.undo()
    document = prepare(client, signed, django_capture_on_commit_callbacks)
    assert document.state == "ready" and len(stored_files()) == 1
    assert client.get(pdf_url(signed)).status_code == 200
    assert len(mailoutbox) == 1


def test_a_write_cut_short_leaves_no_half_file(
        client, signed, owner, monkeypatch, django_capture_on_commit_callbacks):
    client.force_login(owner)
    written = []

    def full(descriptor):
        written.append(os.fstat(descriptor).st_size)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(building.os, "fsync", full)
    document = prepare(client, signed, django_capture_on_commit_callbacks)
    assert written and written[0] > 0  # part of it was on disk
    assert (document.state, document.failure) == ("failed", "ENOSPC")
    assert stored_files() == []
    page = client.get(page_url(signed)).content.decode()
    assert "the server&#x27;s disk is full" in page or "the server's disk is full" in page


def test_a_newer_request_replaces_the_document_and_its_file(
        client, signed, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    first = prepare(client, signed, django_capture_on_commit_callbacks)
    second = prepare(client, signed, django_capture_on_commit_callbacks)
    assert second.request != first.request
    assert stored_files() == [second.file] and second.file != first.file
    # The first request's task, arriving late, builds nothing.
    assert not building.delivery_build(document_id=first.pk, request=str(first.request))
    assert stored_files() == [second.file]


def test_a_build_whose_request_was_replaced_meanwhile_throws_its_file_away(
        client, signed, owner, settings, monkeypatch):
    client.force_login(owner)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client.post(page_url(signed))
    old = DeliveryDocument.objects.get()
    real_make = building.delivery_make

    def replaced_while_building(petition):
        DeliveryDocument.objects.update(request="00000000-0000-4000-8000-000000000000")
        return real_make(petition)

    monkeypatch.setattr(building, "delivery_make", replaced_while_building)
    assert not building.delivery_build(document_id=old.pk, request=str(old.request))
    assert stored_files() == []


def test_what_a_killed_worker_left_is_swept_by_the_next_build(
        client, signed, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    leftover = storages["private"].path(f"delivery/{signed.pk}/abc.pdf.part")
    os.makedirs(os.path.dirname(leftover))
    with open(leftover, "wb") as file:
        file.write(b"%PDF-1.7 half")
    document = prepare(client, signed, django_capture_on_commit_callbacks)
    assert stored_files() == [document.file]


def test_a_build_lost_with_its_worker_is_shown_as_failed_after_the_timeout(
        client, signed, owner, settings):
    client.force_login(owner)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client.post(page_url(signed))
    DeliveryDocument.objects.update(
        state="building",
        started_at=timezone.now() - timedelta(seconds=settings.CHORUS_DELIVERY_BUILD_TIMEOUT + 1))
    page = client.get(page_url(signed)).content.decode()
    assert "Being prepared" not in page and "could not be made" in page
    assert "Prepare it again" in page


def test_a_document_older_than_the_count_says_how_many_signed_since(
        client, signed, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    prepare(client, signed, django_capture_on_commit_callbacks)
    signed.signature_count = 1_207
    signed.save()
    page = client.get(page_url(signed)).content.decode()
    assert "1,200 signatures since." in page


def test_with_an_organisation_key_only_a_sealed_file_is_kept(
        client, signed, owner, django_capture_on_commit_callbacks):
    organisation_key_register(organisation=signed.organisation, actor=owner,
                              recipient=str(x25519.Identity.generate().to_public()))
    client.force_login(owner)
    document = prepare(client, signed, django_capture_on_commit_callbacks)
    assert document.sealed and document.file.endswith(".pdf.age")
    with storages["private"].open(document.file) as file:
        assert file.read().startswith(b"age-encryption.org/v1")
    response = client.get(pdf_url(signed))
    assert response["Content-Disposition"].endswith('delivery.pdf.age"')
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_a_purge_deletes_the_kept_document(client, signed, owner,
                                           django_capture_on_commit_callbacks):
    client.force_login(owner)
    prepare(client, signed, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        petition_purge(petition=signed, actor=owner)
    assert stored_files() == [] and not DeliveryDocument.objects.exists()


def test_a_named_signer_who_erases_takes_the_kept_document_with_them(
        client, signed, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    prepare(client, signed, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        Signature.objects.get(name="Signer 3").erase()
    assert stored_files() == [] and not DeliveryDocument.objects.exists()


def test_the_ready_email_goes_only_for_the_current_request(signed, owner, mailoutbox):
    document = DeliveryDocument.objects.create(petition=signed, requested_by=owner,
                                               state="ready", file="x.pdf", pages=3)
    assert not tasks.send_delivery_ready.call(document.pk,
                                              "00000000-0000-4000-8000-000000000000")
    assert tasks.send_delivery_ready.call(document.pk, str(document.request))
    assert len(mailoutbox) == 1 and "3 pages" in mailoutbox[0].body


def test_a_request_body_over_the_limit_is_refused_and_asks_for_nothing(client, signed, owner,
                                                                      settings):
    client.force_login(owner)
    response = client.post(page_url(signed),
                           {"x": "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    assert response.status_code == 400
    assert not DeliveryDocument.objects.exists()
