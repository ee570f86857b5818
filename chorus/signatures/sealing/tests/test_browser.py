"""The key page's optional key maker, in a real browser: its keys are real age keys."""

import pytest
from django.test import Client
from pyrage import x25519

from chorus.organisers.models import OrganisationKey


@pytest.mark.django_db(transaction=True)
def test_a_key_pair_made_in_the_browser_is_an_age_pair_and_only_the_public_half_is_sent(
    browser, site, owner, organisation
):
    logged_in = Client()
    logged_in.force_login(owner)
    context = browser.new_context(accept_downloads=True)
    context.add_cookies([{"name": "sessionid", "value": logged_in.cookies["sessionid"].value,
                          "url": site}])
    page = context.new_page()
    sent = []
    page.on("request", lambda request: sent.append(request.post_data or ""))
    page.goto(f"{site}/organiser/organisations/{organisation.slug}/keys/")
    page.get_by_role("button", name="Make a key pair here").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Save the private key").click()
    private = download.value.path().read_text()
    identity = x25519.Identity.from_str(
        next(line for line in private.splitlines() if line.startswith("AGE-SECRET-KEY-1")))
    recipient = page.locator("[data-keygen-recipient]").input_value()
    assert str(identity.to_public()) == recipient
    assert f"# public key: {recipient}" in private
    page.get_by_role("button", name="Register the key").click()
    page.wait_for_load_state()
    assert OrganisationKey.objects.get().recipient == recipient
    assert not any("AGE-SECRET-KEY" in data.upper() for data in sent)
    context.close()
