import csv
import io

import pytest
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.organisers.models import Membership
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature


@pytest.fixture(autouse=True)
def login_url(settings):
    """Where anonymous visitors are sent; the organisers' login page once it exists."""
    try:
        return resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:
        settings.LOGIN_URL = "/accounts/login/"
        return settings.LOGIN_URL


def sign(petition, name, email, *, state="confirmed", updates=True):
    return Signature.objects.create(
        petition=petition, name=name, email=email, email_digest=email_digest(email),
        country="DE", postcode="10115", updates=updates, state=state,
    )


def urls(petition):
    return [reverse("signatures:exports:csv", args=[petition.slug]),
            reverse("signatures:exports:delivery", args=[petition.slug]),
            reverse("signatures:exports:purge", args=[petition.slug])]


def test_anonymous_visitors_are_sent_to_log_in(client, petition, login_url):
    for url in urls(petition):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(login_url) and "next=" in response.url


def test_a_member_of_another_organisation_gets_not_found(client, petition, outsider):
    client.force_login(outsider)
    for url in urls(petition):
        assert client.get(url).status_code == 404
    assert client.post(urls(petition)[2], {"confirm_slug": petition.slug}).status_code == 404
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_viewers_and_editors_are_refused(client, petition, role, request):
    sign(petition, "Nadia", "nadia@example.org")
    client.force_login(request.getfixturevalue(role))
    for url in urls(petition):
        assert client.get(url).status_code == 403
    assert client.post(urls(petition)[2], {"confirm_slug": petition.slug}).status_code == 403
    assert Signature.objects.get().name == "Nadia"
    assert not AuditEntry.objects.exists()


def test_an_owner_may_open_all_three(client, petition, owner):
    client.force_login(owner)
    for url in urls(petition):
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)


def test_the_csv_streams_the_signatures_privately_and_is_audited(client, petition, owner):
    sign(petition, "Nadia", "nadia@example.org")
    sign(petition, "Ivan", "ivan@example.org", updates=False)
    sign(petition, "Pending Paula", "paula@example.org", state="pending")
    client.force_login(owner)
    response = client.get(reverse("signatures:exports:csv", args=[petition.slug]))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="stop-the-liquidation-signatures.csv"')
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["name"], row["email"]) for row in rows] == [
        ("Nadia", "nadia@example.org"), ("Ivan", "")]
    [entry] = AuditEntry.objects.all()
    assert (entry.actor, entry.action, entry.details) == (owner, "petition.export_csv",
                                                          {"rows": 2})


def test_the_csv_cannot_be_posted_to(client, petition, owner):
    client.force_login(owner)
    assert client.post(reverse("signatures:exports:csv", args=[petition.slug])).status_code == 405


def test_the_delivery_document_is_a_pdf_and_is_audited(client, petition, owner):
    sign(petition, "Nadia", "nadia@example.org")
    client.force_login(owner)
    response = client.get(reverse("signatures:exports:delivery", args=[petition.slug]))
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    [entry] = AuditEntry.objects.all()
    assert (entry.actor, entry.action, entry.details) == (owner, "petition.delivery",
                                                          {"count": 1})


@pytest.fixture
def signed(petition):
    for i in range(3):
        sign(petition, f"Signer {i}", f"s{i}@example.org")
    sign(petition, "Unconfirmed", "u@example.org", state="pending")
    signatures_count()
    petition.refresh_from_db()
    return petition


def test_the_purge_page_says_what_will_happen(client, signed, owner):
    client.force_login(owner)
    page = client.get(reverse("signatures:exports:purge", args=[signed.slug])).content.decode()
    assert "1 unconfirmed signature will be deleted" in page
    assert "3 other signatures will be anonymised" in page
    assert f"<code>{signed.slug}</code>" in page


@pytest.mark.parametrize("typed", ["", "wrong", "stop-the-liquidation\x00", "x" * 500])
def test_a_purge_with_the_wrong_address_changes_nothing(client, signed, owner, typed):
    client.force_login(owner)
    response = client.post(reverse("signatures:exports:purge", args=[signed.slug]),
                           {"confirm_slug": typed})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert Signature.objects.count() == 4
    assert not Signature.objects.filter(name="").exists()
    assert not AuditEntry.objects.exists()


def test_a_purge_with_the_right_address_anonymises_and_keeps_the_count(client, signed, owner):
    client.force_login(owner)
    response = client.post(reverse("signatures:exports:purge", args=[signed.slug]),
                           {"confirm_slug": signed.slug}, follow=True)
    assert "personal data is gone" in response.content.decode()
    assert "0 other signatures will be anonymised" in response.content.decode()
    assert Signature.objects.count() == 3
    assert set(Signature.objects.values_list("name", "email", "postcode")) == {("", "", "")}
    signatures_count()
    signed.refresh_from_db()
    assert signed.signature_count == 3
    [entry] = AuditEntry.objects.all()
    assert (entry.actor, entry.action) == (owner, "petition.purge")


def test_the_purge_refuses_other_methods(client, signed, owner):
    client.force_login(owner)
    assert client.put(reverse("signatures:exports:purge", args=[signed.slug])).status_code == 405
    assert Signature.objects.filter(name="").count() == 0


def manage_box(petition, user):
    membership = Membership.objects.get(user=user)
    return render_to_string("signatures/exports/_manage.html",
                            {"petition": petition, "membership": membership})


def test_the_petition_page_gives_owners_the_links(petition, owner):
    box = manage_box(petition, owner)
    for url in [*urls(petition), reverse("api:keys:list", args=[petition.organisation.slug])]:
        assert f'href="{url}"' in box


def test_the_petition_page_gives_editors_no_links(petition, editor):
    box = manage_box(petition, editor)
    assert "href" not in box
    assert "Only the organisation's owners" in box


def test_a_delivery_document_that_cannot_be_built_answers_a_page_and_audits_nothing(
        client, petition, owner, monkeypatch, tmp_path):
    sign(petition, "Nadia", "nadia@example.org")
    # The fonts cannot be read (a broken disk, a bad deploy): a real failure to build.
    monkeypatch.setattr("chorus.signatures.exports.delivery.pdf.FONTS", tmp_path / "gone")
    client.force_login(owner)
    response = client.get(reverse("signatures:exports:delivery", args=[petition.slug]))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "The delivery document could not be made" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert not AuditEntry.objects.exists()
