"""One site on several hosts: the main domain, an onion address and a mirror (lib/hosts.py)."""

import re

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.urls import reverse

from chorus.signatures.models import Signature

MAIN = "petitions.example.org"
ONION = "chorusxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstu.onion"
MIRROR = "mirror.example.net"
ABSOLUTE = re.compile(r"""(?:href|src|content|action)=["'](https?://[^"'/]+)""")
# The petition page's share links (petitions/_share.html) go to these, carrying our address.
SHARE_SERVICES = {"https://wa.me", "https://x.com", "https://t.me", "https://mastodon.social",
                  "https://www.facebook.com"}


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.SITE_URL = f"https://{MAIN}"
    settings.CHORUS_SITE_HOSTS = [ONION, f"https://{MIRROR}"]
    settings.ALLOWED_HOSTS = [MAIN, ONION, MIRROR]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.CSRF_COOKIE_SECURE = True


def on_onion(client, path, **extra):
    return client.get(path, HTTP_HOST=ONION, **extra)


def on_main(client, path, **extra):
    return client.get(path, HTTP_HOST=MAIN, secure=True, **extra)


def test_onion_pages_link_only_to_the_onion_and_send_no_hsts(client, petition):
    on_main(client, petition.get_absolute_url())  # cached for the main host first
    page = on_onion(client, petition.get_absolute_url())
    assert page.status_code == 200  # no redirect to an HTTPS the onion does not have
    links = set(ABSOLUTE.findall(page.content.decode())) - SHARE_SERVICES
    assert links == {f"http://{ONION}"}
    assert MAIN not in page.content.decode()
    assert "Strict-Transport-Security" not in page
    assert "Onion-Location" not in page


def test_clearnet_pages_say_where_the_onion_is(client, petition):
    page = on_main(client, petition.get_absolute_url() + "?source=news")
    assert page["Onion-Location"] == f"http://{ONION}{petition.get_absolute_url()}?source=news"
    assert "max-age=31536000" in page["Strict-Transport-Security"]
    assert set(ABSOLUTE.findall(page.content.decode())) - SHARE_SERVICES == {f"https://{MAIN}"}


def test_the_clearnet_host_over_http_is_still_sent_to_https(client, petition):
    response = client.get(petition.get_absolute_url(), HTTP_HOST=MAIN)
    assert response.status_code == 301
    assert response["Location"].startswith(f"https://{MAIN}/")


def test_a_host_that_is_not_configured_is_refused(client, petition):
    assert client.get(petition.get_absolute_url(), HTTP_HOST="evil.example.com").status_code == 400


def test_cookies_on_the_onion_are_not_marked_secure(client):
    main = on_main(client, reverse("organisers:login"))
    onion = on_onion(client, reverse("organisers:login"))
    assert main.cookies["csrftoken"]["secure"] is True
    assert not onion.cookies["csrftoken"]["secure"]


@pytest.mark.django_db(transaction=True)
def test_a_signer_on_the_onion_is_e_mailed_onion_links(client, post, petition, signer):
    response = post(petition.get_absolute_url() + "sign/", signer, HTTP_HOST=ONION)
    assert response.status_code == 302
    body = mail.outbox[-1].body
    assert f"http://{ONION}/confirm/" in body
    assert f"http://{ONION}/signature/" in body
    assert MAIN not in body


def test_the_embed_works_from_a_mirror(client, petition):
    share = client.get(reverse("embeds:share", args=[petition.slug]), HTTP_HOST=MIRROR,
                       secure=True)
    assert f"https://{MIRROR}/embed/" in share.content.decode() or (
        f"https://{MIRROR}{reverse('embeds:embed', args=[petition.slug])}"
        in share.content.decode())
    assert MAIN not in share.content.decode()
    oembed = client.get(reverse("embeds:oembed"), {
        "url": f"https://{MIRROR}{petition.get_absolute_url()}"}, HTTP_HOST=MIRROR, secure=True)
    assert oembed.status_code == 200
    assert f"https://{MIRROR}" in oembed.json()["html"]
    elsewhere = client.get(reverse("embeds:oembed"), {
        "url": f"https://evil.example.com{petition.get_absolute_url()}"}, HTTP_HOST=MIRROR,
        secure=True)
    assert elsewhere.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_onion_signers_are_not_taken_for_one_address(client, post, petition, signer):
    post(petition.get_absolute_url() + "sign/", signer, HTTP_HOST=ONION)
    post(petition.get_absolute_url() + "sign/", {**signer, "email": "b@example.org"},
         HTTP_HOST=MAIN, secure=True)
    onion, main = Signature.objects.order_by("pk")
    assert onion.ip_digest == "" and onion.site_host == ONION
    assert main.ip_digest != "" and main.site_host == MAIN


def test_the_deployment_checks_stand_in_for_djangos_own(settings, db):
    def ids():
        return {m.id for m in run_checks(include_deployment_checks=True) if not m.is_silenced()}

    assert not {"security.W001", "chorus.W003", "chorus.W004", "chorus.W005"} & ids()
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    assert {"chorus.W004", "chorus.W005"} <= ids()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "SiteSecurity" not in m]
    assert "chorus.W003" in ids()
