"""Preview links: a few trusted readers see the petition before it opens; nobody else does."""

import datetime
import re

import pytest
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.petitions.models import Petition, PreviewLink
from chorus.petitions.previews.services import preview_link_create, preview_link_revoke
from chorus.signatures.models import Signature
from chorus.testing import tampered


@pytest.fixture
def scheduled(organisation):
    petition = Petition.objects.create(
        organisation=organisation, slug="press-conference", title="Stop the raids",
        target="The Ministry", ask="Stop the raids.", goal=100,
        opens_at=timezone.now() + datetime.timedelta(hours=5),
    )
    petition.open()
    return petition


@pytest.fixture
def link(scheduled, editor):
    return preview_link_create(petition=scheduled, actor=editor, label="Reuters")


def page(petition, token):
    return f"/petitions/{petition.slug}/preview/{token}/"


def embed(petition, token):
    return f"/petitions/{petition.slug}/embed/preview/{token}/"


def test_an_editor_makes_a_link_and_sees_its_token_once(client, scheduled, editor):
    client.force_login(editor)
    url = f"/organiser/petitions/{scheduled.slug}/previews/"
    response = client.post(url, {"label": "Reuters", "days": "7"})
    assert response.status_code == 200
    content = response.content.decode()
    token = re.search(rf"/petitions/{scheduled.slug}/preview/([^/]+)/", content).group(1)
    assert f"/embed/preview/{token}/" in content  # the embed code for the story
    created = PreviewLink.objects.get()
    assert created.label == "Reuters" and token not in created.digest
    assert created.expires_at - created.created_at == datetime.timedelta(days=7)
    assert token not in client.get(url).content.decode()
    assert "Reuters" in client.get(url).content.decode()
    assert AuditEntry.objects.filter(action="petition.preview_link.create").count() == 1
    assert response["Cache-Control"].startswith("private") or "no-store" in response[
        "Cache-Control"]


@pytest.mark.parametrize("days", ["0", "31", "seven", "", "7\x00"])
def test_a_link_lasts_one_to_thirty_days(client, scheduled, editor, days):
    client.force_login(editor)
    response = client.post(f"/organiser/petitions/{scheduled.slug}/previews/",
                           {"label": "Reuters", "days": days})
    assert response.status_code == 400
    assert not PreviewLink.objects.exists()


@pytest.mark.parametrize("label", ["", "x" * 101, "Reu\x00ters", "Reu\x07ters"])
def test_a_bad_label_is_refused(client, scheduled, editor, label):
    client.force_login(editor)
    response = client.post(f"/organiser/petitions/{scheduled.slug}/previews/",
                           {"label": label, "days": "7"})
    assert response.status_code == 400
    assert not PreviewLink.objects.exists()


def test_no_link_for_a_petition_that_is_already_public(client, petition, editor):
    client.force_login(editor)
    response = client.post(f"/organiser/petitions/{petition.slug}/previews/",
                           {"label": "Reuters", "days": "7"})
    assert response.status_code == 400
    assert not PreviewLink.objects.exists()


def test_the_holder_sees_the_page_with_a_banner_and_no_working_form(client, scheduled, link):
    _link, token = link
    response = client.get(page(scheduled, token))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Preview" in content and "do not share this link" in content
    assert "Stop the raids" in content
    assert re.search(r"<fieldset[^>]*disabled", content)
    assert f'action="/petitions/{scheduled.slug}/sign/"' not in content
    assert '<meta name="robots" content="noindex, nofollow">' in content
    assert response["Cache-Control"] == "private, no-store" or (
        "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"])
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert not response.cookies


def test_the_holder_sees_the_embed_with_the_opening_time_instead_of_the_form(
    client, scheduled, link
):
    _link, token = link
    response = client.get(embed(scheduled, token))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Opens on" in content and "sign-form" not in content
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in response  # partners may frame it


def test_the_first_use_is_audited_once(client, scheduled, link):
    _link, token = link
    client.get(page(scheduled, token))
    client.get(embed(scheduled, token))
    assert AuditEntry.objects.filter(action="petition.preview_link.first_use").count() == 1
    assert PreviewLink.objects.get().first_used_at is not None


def test_a_wrong_expired_or_revoked_link_is_the_same_404(client, scheduled, link, editor,
                                                         monkeypatch):
    preview, token = link
    wrong_token = tampered(token)
    wrong = client.get(page(scheduled, wrong_token))
    assert wrong.status_code == 404
    other, other_token = preview_link_create(petition=scheduled, actor=editor, label="AFP")
    assert preview_link_revoke(link=other, actor=editor)
    revoked = client.get(page(scheduled, other_token))
    assert revoked.status_code == 404
    assert client.get(embed(scheduled, other_token)).status_code == 404
    PreviewLink.objects.filter(pk=preview.pk).update(expires_at=timezone.now())
    expired = client.get(page(scheduled, token))
    assert expired.status_code == 404
    # The same page, but for the address it names (the language switch returns to it).
    answers = {response.content.decode().replace(secret, "TOKEN") for response, secret in [
        (wrong, wrong_token), (revoked, other_token), (expired, token)]}
    assert len(answers) == 1
    assert client.get(page(scheduled, "x" * 5000)).status_code == 404
    assert AuditEntry.objects.filter(action="petition.preview_link.revoke").count() == 1


def test_a_link_to_another_petition_opens_nothing(client, scheduled, link, organisation):
    _link, token = link
    other = Petition.objects.create(organisation=organisation, slug="other", title="Other",
                                    target="T", ask="A.",
                                    opens_at=timezone.now() + datetime.timedelta(hours=1))
    other.open()
    assert client.get(page(other, token)).status_code == 404


def test_an_editor_revokes_a_link_from_the_list(client, scheduled, link, editor):
    preview, token = link
    client.force_login(editor)
    response = client.post(f"/organiser/petitions/{scheduled.slug}/previews/{preview.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    assert client.get(page(scheduled, token)).status_code == 404


def test_a_viewer_can_neither_make_nor_revoke_links(client, scheduled, link, viewer):
    preview, _token = link
    client.force_login(viewer)
    assert client.post(f"/organiser/petitions/{scheduled.slug}/previews/",
                       {"label": "AFP", "days": "7"}).status_code == 403
    assert client.post(f"/organiser/petitions/{scheduled.slug}/previews/{preview.pk}/revoke/"
                       ).status_code == 403
    preview.refresh_from_db()
    assert preview.revoked_at is None and PreviewLink.objects.count() == 1


def test_after_the_opening_the_preview_addresses_lead_to_the_public_ones(
    client, scheduled, link, monkeypatch
):
    _link, token = link
    assert client.get(f"/petitions/{scheduled.slug}/embed/").status_code == 404
    later = timezone.now() + datetime.timedelta(hours=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(embed(scheduled, token))
    assert response.status_code == 302
    assert response["Location"] == f"/petitions/{scheduled.slug}/embed/"
    assert client.get(response["Location"]).status_code == 200
    response = client.get(page(scheduled, "not-a-token"))
    assert response["Location"] == f"/petitions/{scheduled.slug}/"


def test_nobody_can_sign_from_the_preview(client, scheduled, link, signer):
    response = client.post(f"/petitions/{scheduled.slug}/sign/", signer)
    assert response.status_code == 404
    _link, token = link
    assert client.post(page(scheduled, token), signer).status_code == 405
    assert not Signature.objects.exists()
