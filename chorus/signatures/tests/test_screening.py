"""Cheap signals: domains, disposable addresses, the honeypot and names that are not names."""

import io

import pytest
from django.core.management import CommandError, call_command

from chorus.lib.forms import BOT_TRAP_FIELD
from chorus.signatures import screening, services
from chorus.signatures.models import Signature


def sign(client, petition, data, **extra):
    return client.post(f"/petitions/{petition.slug}/sign/", data, **extra)


def test_every_signature_stores_its_normalised_domain(petition):
    services.signature_create(petition_id=petition.pk, name="A", email="A@Bücher.Example",
                              country="DE")
    services.signature_create(petition_id=petition.pk, name="B", email="b@GoogleMail.com",
                              country="DE")
    assert sorted(Signature.objects.values_list("email_domain", flat=True)) == [
        "gmail.com", "xn--bcher-kva.example"]


def test_a_disposable_domain_is_held_not_refused(client, petition, signer):
    response = sign(client, petition, {**signer, "email": "someone@mailinator.com"})
    assert response.status_code == 302
    assert Signature.objects.get().held_reason == "disposable"
    sign(client, petition, {**signer, "email": "x@sub.mailinator.com"})
    assert Signature.objects.filter(state="held").count() == 2


def test_an_ordinary_domain_is_not_disposable():
    assert not screening.is_disposable("example.org")
    assert not screening.is_disposable("gmail.com")
    assert screening.is_disposable("mailinator.com")


def test_a_reason_from_the_caller_holds_the_signature(petition):
    services.signature_create(petition_id=petition.pk, name="A", email="a@example.org",
                              country="DE", held_reason="no-proof-of-work")
    assert Signature.objects.values_list("state", "held_reason").get() == (
        "held", "no-proof-of-work")


def test_a_filled_honeypot_stores_nothing_with_the_same_redirect(client, petition, signer):
    human = sign(client, petition, {**signer, "email": "human@example.org"})
    bot = sign(client, petition, {**signer, "email": "bot@example.org",
                                  BOT_TRAP_FIELD: "http://spam.example"})
    assert (bot.status_code, bot["Location"], bot.content) == (
        human.status_code, human["Location"], human.content)
    assert Signature.objects.count() == 1


def test_the_sign_form_hides_its_honeypot_from_people(client, petition):
    page = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert 'class="bot-trap" aria-hidden="true"' in page
    assert f'name="{BOT_TRAP_FIELD}" type="text" tabindex="-1" autocomplete="off"' in page


@pytest.mark.parametrize("name", [
    "Visit http://spam.example", "https://x.example", "www.cheap-pills", "buy cheap.pills now",
    "=HYPERLINK(\"x\")", "+7 Ivan", "-Ivan", "@Ivan", "Nadia\r\nBcc: x@example.org",
    "Nadia\nPetrova", "Nadia\x00",
])
def test_names_that_are_not_names_are_refused(client, petition, signer, name):
    response = sign(client, petition, {**signer, "name": name})
    assert response.status_code == 400
    assert Signature.objects.count() == 0
    assert 'id="name-error"' in response.content.decode()


@pytest.mark.parametrize("name", ["J. R. R. Tolkien", "Mr.Smith", "Anne-Marie O'Neil",
                                  "Иван Петров", "محمد علي"])
def test_real_names_are_accepted(client, petition, signer, name):
    assert sign(client, petition, {**signer, "name": name}).status_code == 302
    assert Signature.objects.get().name == name


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


@pytest.fixture
def domains_file(tmp_path, monkeypatch):
    path = tmp_path / "disposable_domains.txt"
    path.write_text("old.example\n")
    monkeypatch.setattr(screening, "DISPOSABLE_DOMAINS_FILE", path)
    screening.disposable_domains.cache_clear()
    yield path
    screening.disposable_domains.cache_clear()


def fake_download(monkeypatch, body: bytes):
    monkeypatch.setattr("urllib.request.urlopen",
                        lambda url, timeout: FakeResponse(body))


def test_updatedisposable_rewrites_the_list(domains_file, monkeypatch):
    fake_download(monkeypatch, b"# list\nnew-one.example\nNEW-TWO.example\n\n")
    call_command("updatedisposable", "--url", "https://lists.example/list.conf",
                 stdout=io.StringIO())
    assert screening.disposable_domains() == {"new-one.example", "new-two.example"}
    assert "old.example" not in domains_file.read_text()


@pytest.mark.parametrize("body", [b"", b"\n# nothing\n", b"<!DOCTYPE html><html>Sign in</html>",
                                  b"<html>\nexample.com\n</html>"])
def test_updatedisposable_refuses_an_empty_or_html_answer(domains_file, monkeypatch, body):
    fake_download(monkeypatch, body)
    with pytest.raises(CommandError):
        call_command("updatedisposable", "--url", "https://lists.example/list.conf")
    assert domains_file.read_text() == "old.example\n"
