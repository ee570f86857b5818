"""A signer of a sensitive petition in a real browser leaves nothing of the site behind.

Debian's Chromium with a profile on disk, as on a shared phone: after signing,
confirming and visiting their private page, the profile holds no cookie, no
local or session storage, no service worker or Cache Storage, and no entry of
the site in the browser's HTTP cache.
"""

import re
from pathlib import Path

import pytest
from django.core import mail

from chorus.testing import CHROMIUM, CHROMIUM_ARGS

MANAGE = re.compile(r"http://\S+/signature/\S+/")
CONFIRM = re.compile(r"http://\S+/confirm/\S+/")


def cached_urls(profile: Path, site: str) -> list[str]:
    """URLs of the site in Chromium's disk cache (each entry's file starts with its key)."""
    found = []
    for entry in profile.rglob("*"):
        if entry.is_file() and "Cache" in entry.parts:
            data = entry.read_bytes()
            # Printable ASCII only: the compressed page that may follow the key is not a URL.
            found += [m.decode() for m in re.findall(re.escape(site.encode()) + rb"[!-~]*",
                                                     data)]
    return found


@pytest.mark.django_db(transaction=True)
def test_signing_and_confirming_leave_no_trace_in_the_browser(site, petition, tmp_path,
                                                              monkeypatch):
    from playwright.sync_api import sync_playwright

    petition.sensitive = True
    petition.save()
    mail.outbox = []
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    profile, reader = tmp_path / "profile", tmp_path / "reader"
    with sync_playwright() as playwright:
        # A reader who only reads: the site's pages and files stay in the cache, as they
        # may (and as this test's search of the cache can see).
        context = playwright.chromium.launch_persistent_context(
            str(reader), executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context.new_page().goto(f"{site}/petitions/")
        context.close()
        assert cached_urls(reader, site)

        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, locale="en-GB")
        page = context.new_page()
        page.goto(f"{site}/petitions/")
        page.goto(f"{site}/petitions/{petition.slug}/")
        assert page.get_by_role("link", name="Leave this page").is_visible()
        page.get_by_label("Your name").fill("Nadia Petrova")
        page.get_by_label("Your e-mail address").fill("nadia@example.org")
        page.get_by_label("Country").select_option("DE")
        with page.expect_response(lambda r: r.url.endswith("/forget/")):
            page.get_by_role("button", name="Sign the petition").click()
        assert "check your e-mail" in page.content().lower()
        page.goto(CONFIRM.search(mail.outbox[0].body).group(0))
        page.get_by_role("button", name="Confirm my signature").click()
        page.wait_for_load_state()
        assert "your signature is confirmed" in page.content()
        with page.expect_response(lambda r: r.url.endswith("/forget/")):
            page.goto(MANAGE.search(mail.outbox[0].body).group(0))
        page.wait_for_load_state("networkidle")

        assert context.cookies() == []
        assert page.evaluate("localStorage.length + sessionStorage.length") == 0
        assert page.evaluate("caches.keys()") == []
        assert page.evaluate(
            "navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
        context.close()
    assert profile.is_dir()
    assert cached_urls(profile, site) == []
