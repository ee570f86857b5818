"""A signer on a shared or watched device: their pages leave nothing behind in the browser."""

import re

import pytest
from django.urls import reverse

from chorus.signatures import tokens
from chorus.signatures.models import Signature

CONFIRM = re.compile(r"http://[^/\s]+(/confirm/[^/\s]+/)")


def assert_no_trace(response):
    directives = {directive.strip() for directive in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives and "public" not in directives
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not response.cookies, "a signer's page set a cookie"


@pytest.mark.django_db(transaction=True)
def test_the_thanks_confirm_and_manage_pages_leave_no_trace(client, post, petition, signer,
                                                           mailoutbox):
    signed = post(reverse("signatures:sign", args=[petition.slug]), signer)
    assert not signed.cookies
    assert_no_trace(client.get(signed["Location"]))
    link = CONFIRM.search(mailoutbox[-1].body).group(1)
    assert_no_trace(client.get(link))
    assert_no_trace(post(link))
    signature = Signature.objects.get()
    assert signature.state == Signature.State.CONFIRMED
    manage = reverse("signatures:manage", args=[tokens.manage_token(signature.pk)])
    assert_no_trace(client.get(manage))
    assert_no_trace(client.get(manage + "my-signature.json"))
    assert_no_trace(post(manage + "withdraw/"))
    assert not client.cookies


def test_the_signers_pages_have_no_csrf_token_and_set_no_cookie(client, petition):
    signature = Signature.objects.create(petition=petition, name="N", email="n@example.org",
                                         email_digest="d", country="DE")
    page = client.get(reverse("signatures:manage", args=[tokens.manage_token(signature.pk)]))
    assert b"csrfmiddlewaretoken" not in page.content
    assert "csrftoken" not in page.cookies


def test_a_post_from_another_site_cannot_withdraw_a_signature(client, petition):
    signature = Signature.objects.create(petition=petition, name="N", email="n@example.org",
                                         email_digest="d", country="DE", state="confirmed")
    token = tokens.manage_token(signature.pk)
    response = client.post(reverse("signatures:withdraw", args=[token]),
                           HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED


def test_a_sensitive_petition_offers_a_quick_exit_and_a_form_nothing_remembers(
    client, petition, settings
):
    settings.CHORUS_QUICK_EXIT_URL = "https://weather.example.com/"
    petition.sensitive = True
    petition.save()
    page = client.get(petition.get_absolute_url()).content.decode()
    assert '<a class="quick-exit" href="https://weather.example.com/"' in page
    assert "js/quick-exit.js" in page
    form = page[page.index('<form class="sign-form"'):]
    form = form[:form.index("</form>")]
    assert form.startswith('<form class="sign-form" method="post"')
    assert 'novalidate autocomplete="off">' in form
    fields = re.findall(r"<(?:input|select) [^>]*>", form)
    typed = [f for f in fields if 'type="hidden"' not in f and 'type="checkbox"' not in f
             and "bot" not in f]
    assert typed and all('autocomplete="off"' in field for field in typed)
    thanks = client.get(reverse("signatures:thanks", args=[petition.slug])).content.decode()
    assert "quick-exit" in thanks


def test_an_ordinary_petition_has_neither(client, petition):
    page = client.get(petition.get_absolute_url()).content.decode()
    assert "quick-exit" not in page
    assert 'autocomplete="email"' in page
