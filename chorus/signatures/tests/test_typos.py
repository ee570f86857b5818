"""A mistyped provider domain is asked about before signing; a real domain or no DNS is not."""

import dns.exception
import dns.resolver
import pytest

from chorus.signatures import typos
from chorus.signatures.models import Signature


@pytest.fixture
def dns_answers(monkeypatch):
    """What the resolver says, per domain: "mx", "nxdomain", "noanswer" or "timeout"."""
    answers = {}
    asked = []

    def resolve(self, domain, kind):
        asked.append(domain)
        answer = answers.get(domain, "nxdomain")
        if answer == "nxdomain":
            raise dns.resolver.NXDOMAIN
        if answer == "noanswer":
            raise dns.resolver.NoAnswer
        if answer == "timeout":
            raise dns.exception.Timeout
        return ["10 mx.example."]

    monkeypatch.setattr(dns.resolver.Resolver, "resolve", resolve)
    monkeypatch.setattr(dns.resolver.Resolver, "__init__", lambda self, *a, **k: None)
    answers["asked"] = asked
    return answers


def sign(client, petition, data):
    return client.post(f"/petitions/{petition.slug}/sign/", data)


@pytest.mark.parametrize(("domain", "provider"), [
    ("gmial.com", "gmail.com"), ("gmai.com", "gmail.com"), ("yandx.ru", "yandex.ru"),
    ("outlok.com", "outlook.com"), ("iclod.com", "icloud.com"), ("mali.ru", "mail.ru"),
])
def test_a_domain_near_a_big_provider_is_noticed(domain, provider):
    assert typos.near_provider(domain) == provider


@pytest.mark.parametrize("domain", ["gmail.com", "example.org", "spectrum-alliance.org", ""])
def test_providers_themselves_and_other_domains_are_not(domain):
    assert typos.near_provider(domain) is None


def test_a_mistyped_domain_gets_the_question_and_nothing_is_signed(
        client, petition, signer, dns_answers):
    response = sign(client, petition, {**signer, "email": "nadia@gmial.com"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Did you mean nadia@gmail.com?" in page
    assert 'name="email_choice" value="nadia@gmail.com"' in page
    assert 'name="email_choice" value="keep"' in page
    assert Signature.objects.count() == 0


def test_using_the_suggestion_signs_with_it(client, petition, signer, dns_answers):
    response = sign(client, petition, {**signer, "email": "nadia@gmial.com",
                                       "email_choice": "nadia@gmail.com"})

    assert response.status_code == 302
    assert Signature.objects.get().email == "nadia@gmail.com"


def test_keeping_the_address_signs_as_typed(client, petition, signer, dns_answers):
    response = sign(client, petition, {**signer, "email": "nadia@gmial.com",
                                       "email_choice": "keep"})

    assert response.status_code == 302
    assert Signature.objects.get().email == "nadia@gmial.com"


def test_a_real_small_domain_with_mail_is_not_questioned(client, petition, signer, dns_answers):
    dns_answers["gmaii.com"] = "mx"

    response = sign(client, petition, {**signer, "email": "nadia@gmaii.com"})

    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_a_domain_without_an_mx_record_is_questioned(client, petition, signer, dns_answers):
    dns_answers["gmial.com"] = "noanswer"

    assert sign(client, petition, {**signer, "email": "n@gmial.com"}).status_code == 400


def test_without_dns_the_signature_goes_through(client, petition, signer, dns_answers):
    dns_answers["gmial.com"] = "timeout"

    response = sign(client, petition, {**signer, "email": "nadia@gmial.com"})

    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_big_providers_never_cost_a_dns_lookup(client, petition, signer, dns_answers):
    sign(client, petition, {**signer, "email": "nadia@gmail.com"})

    assert dns_answers["asked"] == []


def test_the_answer_is_remembered(dns_answers):
    typos.mail_status("gmial.com")
    typos.mail_status("gmial.com")

    assert dns_answers["asked"] == ["gmial.com"]


def test_the_question_does_not_depend_on_who_has_signed(client, petition, signer, dns_answers):
    first = sign(client, petition, {**signer, "email": "nadia@gmial.com"})
    sign(client, petition, {**signer, "email": "nadia@gmial.com", "email_choice": "keep"})
    again = sign(client, petition, {**signer, "email": "nadia@gmial.com"})

    assert (first.status_code, first.content) == (again.status_code, again.content)
