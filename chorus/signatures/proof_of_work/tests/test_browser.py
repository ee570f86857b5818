"""A signer on a petition that asks for proof of work, in a real browser (Chromium)."""

import pytest
from django.core.cache import cache

from chorus.petitions.models import Petition
from chorus.signatures.models import Signature

# Runs before any page script, outside the page's CSP: records every violation.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def guarded(petition, settings):
    settings.CHORUS_ALTCHA_MAXNUMBER = 2000
    petition.proof_of_work = Petition.ProofOfWork.ALWAYS
    petition.save()
    cache.clear()
    return petition


def fill_in(page):
    page.get_by_label("Your name").fill("Nadia Petrova")
    page.get_by_label("Your e-mail address").fill("nadia@example.org")
    page.get_by_label("Country").select_option("DE")


@pytest.mark.django_db(transaction=True)
def test_with_javascript_the_browser_solves_the_puzzle_and_signs(browser, site, guarded):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.add_init_script(WATCH_CSP)
    outside_requests, console_errors, challenges = [], [], []
    page.on("request", lambda request: request.url.startswith(site) or outside_requests.append(
        request.url))
    page.on("request", lambda request: "/challenge/" in request.url and challenges.append(1))
    # (Chromium asks for /favicon.ico on its own; that 404 is not the page's doing.)
    page.on("console", lambda message: message.type == "error" and not message.location.get(
        "url", "").endswith("/favicon.ico") and console_errors.append(message.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    page.goto(f"{site}/petitions/{guarded.slug}/")
    fill_in(page)
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_url(f"{site}/petitions/{guarded.slug}/thanks/", timeout=30_000)

    signature = Signature.objects.get()
    assert signature.state == Signature.State.PENDING
    assert signature.held_reason == ""
    assert challenges
    assert page.evaluate("window.__cspViolations") == []
    assert console_errors == []
    assert outside_requests == []
    context.close()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_signer_still_signs_and_is_held_for_review(
    browser, site, guarded
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/petitions/{guarded.slug}/")
    assert "a person checks your signature" in page.content()
    fill_in(page)
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_load_state()
    assert "check your e-mail" in page.content().lower()
    signature = Signature.objects.get()
    assert signature.state == Signature.State.HELD
    assert signature.held_reason == "no-proof-of-work"
    context.close()
