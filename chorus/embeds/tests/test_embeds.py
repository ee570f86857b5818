import pytest

from chorus.petitions.models import Petition
from chorus.signatures.models import Signature


@pytest.fixture
def sign_url(petition):
    return f"/petitions/{petition.slug}/embed/sign/"


@pytest.mark.parametrize("visit", ["first", "cached"])
def test_the_embed_can_be_framed_by_any_site_and_sets_no_cookie(client, petition, visit):
    if visit == "cached":
        client.get(f"/petitions/{petition.slug}/embed/?source=partner-news")
    response = client.get(f"/petitions/{petition.slug}/embed/?source=partner-news")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert not response.cookies
    content = response.content.decode()
    assert f'action="/petitions/{petition.slug}/embed/sign/"' in content
    assert 'name="source" value="partner-news"' in content


def test_other_pages_still_refuse_to_be_framed(client, petition):
    response = client.get(f"/petitions/{petition.slug}/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_signing_in_the_embed_records_the_signature_and_stays_framed(
    client, petition, signer, sign_url
):
    response = client.post(sign_url, {**signer, "source": "partner-news"},
                           HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 302
    assert response["Location"] == f"/petitions/{petition.slug}/embed/thanks/"
    assert Signature.objects.get().source == "partner-news"
    thanks = client.get(response["Location"])
    assert "X-Frame-Options" not in thanks
    assert "check your e-mail" in thanks.content.decode().lower()


def test_mistakes_are_shown_inside_the_embed(client, petition, signer, sign_url):
    response = client.post(sign_url, {**signer, "email": "nope"})
    assert response.status_code == 400
    assert "Please enter a valid e-mail address" in response.content.decode()
    assert "X-Frame-Options" not in response
    assert Signature.objects.count() == 0


def test_a_post_forged_by_the_partner_page_is_refused(client, signer, sign_url):
    response = client.post(sign_url, signer, HTTP_SEC_FETCH_SITE="cross-site",
                           HTTP_ORIGIN="https://partner.example")
    assert response.status_code == 403
    assert Signature.objects.count() == 0


def test_a_closed_petition_embeds_without_a_form(client, petition, signer, sign_url):
    petition.close()
    embed = client.get(f"/petitions/{petition.slug}/embed/").content.decode()
    assert 'name="email"' not in embed
    assert client.post(sign_url, signer).status_code == 409
    assert Signature.objects.count() == 0


def test_the_badge_shows_the_count(client, petition):
    Petition.objects.filter(pk=petition.pk).update(signature_count=12345)
    response = client.get(f"/petitions/{petition.slug}/badge.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert "12,345 signatures" in response.content.decode()
    assert not response.cookies


def test_oembed_describes_the_embed(client, petition, settings):
    url = f"{settings.SITE_URL}/petitions/{petition.slug}/"
    data = client.get("/oembed/", {"url": url, "format": "json"}).json()
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert f'{settings.SITE_URL}/petitions/{petition.slug}/embed/' in data["html"]
    elsewhere = "https://elsewhere.example/petitions/x/"
    assert client.get("/oembed/", {"url": elsewhere}).status_code == 404
    assert client.get("/oembed/", {"url": f"{settings.SITE_URL}/admin/"}).status_code == 404
    assert client.get("/oembed/", {"url": url, "format": "xml"}).status_code == 501


def test_the_share_page_builds_a_link_with_a_campaign_code(client, petition, settings):
    share = f"/petitions/{petition.slug}/share/"
    content = client.get(share, {"source": "radio-7"}).content.decode()
    assert f"{settings.SITE_URL}/petitions/{petition.slug}/?source=radio-7" in content
    assert "embed/?source=radio-7" in content
    bad = client.get(share, {"source": "<script>"}).content.decode()
    assert "Use only letters" in bad and "<script>" not in bad


def test_the_petition_page_carries_open_graph_metadata(client, petition, settings):
    content = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert f'<meta property="og:title" content="{petition.title}">' in content
    url = f"{settings.SITE_URL}/petitions/{petition.slug}/"
    assert f'<meta property="og:url" content="{url}">' in content
    assert 'type="application/json+oembed"' in content


def test_the_snippet_escapes_the_title(client, petition, settings):
    Petition.objects.filter(pk=petition.pk).update(title='Free "them" <now>')
    url = f"{settings.SITE_URL}/petitions/{petition.slug}/"
    html = client.get("/oembed/", {"url": url}).json()["html"]
    assert 'title="Free &quot;them&quot; &lt;now&gt;"' in html
    assert "<now>" not in html


def test_the_share_page_shows_the_snippet_as_text_to_copy(client, petition):
    Petition.objects.filter(pk=petition.pk).update(title='Free "them"')
    content = client.get(f"/petitions/{petition.slug}/share/").content.decode()
    # Escaped once more for the textarea, so what is copied is the escaped snippet.
    assert "title=&quot;Free &amp;quot;them&amp;quot;&quot;" in content
    assert "&lt;iframe src=" in content
    assert "alt=&quot;Free &amp;quot;them&amp;quot;&quot;" in content  # the badge snippet


def test_signing_in_the_embed_while_the_database_is_down_keeps_the_form_in_the_frame(
    client, petition, signer, outage
):
    outage.start()

    response = client.post(f"/petitions/{petition.slug}/embed/sign/", signer)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "X-Frame-Options" not in response  # still shown inside the partner's page
    page = response.content.decode()
    assert "We cannot record anything just now. Please try again in a moment." in page
    assert f'value="{signer["email"]}"' in page and 'value="DE" selected' in page
    assert f'action="/petitions/{petition.slug}/embed/sign/"' in page
    outage.end()
    assert not Signature.objects.exists()
