import pytest
from django.urls import NoReverseMatch, reverse


@pytest.fixture
def page(client, petition):
    return client.get(reverse("signatures:petition", args=[petition.slug]))


def test_pages_send_the_security_headers(page):
    assert page.status_code == 200
    assert page["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


@pytest.mark.parametrize("feature", ["camera", "microphone", "geolocation", "interest-cohort",
                                     "payment", "usb"])
def test_pages_switch_off_browser_features_we_never_use(page, feature):
    assert f"{feature}=()" in page["Permissions-Policy"].split(", ")


def test_the_content_security_policy_allows_nothing_from_elsewhere(page):
    policy = page["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy


def test_the_embed_can_still_be_framed_by_partner_sites(client, petition):
    try:
        url = reverse("embeds:embed", args=[petition.slug])
    except NoReverseMatch:
        pytest.skip("no embed page")
    response = client.get(url)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "Permissions-Policy" in response


def test_the_back_office_sends_them_too(client, moderator):
    client.force_login(moderator)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_signers_pages_set_no_session_and_never_read_one(page):
    # The staff-session middleware must not touch signers' requests. (The page varies on
    # Cookie all the same, for the language cookie: lib.middleware.CacheHeadersMiddleware.)
    assert "sessionid" not in page.cookies
    assert not page.wsgi_request.session.accessed


def test_the_language_cookie_is_secure_http_only_and_same_site(client):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})

    cookie = response.cookies["django_language"]
    assert cookie.value == "ru"
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"
