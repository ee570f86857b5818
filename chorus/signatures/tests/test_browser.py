"""A signer in a real browser, with JavaScript on and off (Chromium via Playwright)."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from chorus.signatures.counting.services import signatures_count


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_a_signer_signs_and_confirms_in_a_browser(browser, site, petition, javascript):
    mail.outbox = []
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    page = context.new_page()
    outside_requests = []
    page.on("request", lambda request: request.url.startswith(site) or outside_requests.append(
        request.url))

    page.goto(f"{site}/petitions/{petition.slug}/")
    page.get_by_label("Your name").fill("Nadia Petrova")
    page.get_by_label("Your e-mail address").fill("nadia@example.org")
    page.get_by_label("Country").select_option("DE")
    page.get_by_label("Send me updates about this campaign").check()
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_load_state()
    assert "check your e-mail" in page.content().lower()

    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_load_state()
    assert "your signature is confirmed" in page.content()

    signatures_count()
    cache.clear()  # what a visitor sees once the few seconds of page cache pass
    page.goto(f"{site}/petitions/{petition.slug}/")
    assert page.locator(".count strong").inner_text() == "1"
    assert outside_requests == []
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_mistake_is_explained_next_to_the_field(browser, site, petition):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/petitions/{petition.slug}/")
    page.get_by_label("Your name").fill("Nadia Petrova")
    page.get_by_label("Your e-mail address").fill("not-an-address")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_load_state()
    assert "Please enter a valid e-mail address" in page.locator("#email-error").inner_text()
    assert "Please choose your country." in page.locator("#country-error").inner_text()
    # What the signer typed is kept.
    assert page.get_by_label("Your name").input_value() == "Nadia Petrova"
    context.close()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_a_signer_manages_and_withdraws_their_signature(
    browser, site, petition
):
    mail.outbox = []
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/petitions/{petition.slug}/")
    page.get_by_label("Your name").fill("Ivan Petrov")
    page.get_by_label("Your e-mail address").fill("ivan@example.org")
    page.get_by_label("Country").select_option("GE")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_load_state()
    body = mail.outbox[0].body
    page.goto(re.search(r"http://\S+/confirm/\S+/", body).group(0))
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_load_state()
    signatures_count()

    page.goto(re.search(r"http://\S+/signature/\S+/", body).group(0))
    content = page.content()
    assert "Ivan Petrov" in content and "Georgia" in content
    assert "ivan@example.org" not in content
    page.get_by_label("Yes, withdraw my signature").check()
    page.get_by_role("button", name="Withdraw my signature").click()
    page.wait_for_load_state()
    assert "Withdrawn by the signer" in page.content()
    signatures_count()
    cache.clear()
    page.goto(f"{site}/petitions/{petition.slug}/")
    assert page.locator(".count strong").inner_text() == "0"
    context.close()
