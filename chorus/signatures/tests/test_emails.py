import email.policy
import re
from email.parser import BytesParser

import pytest
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from chorus.lib.digests import email_digest
from chorus.lib.hosts import origin_for
from chorus.lib.mail import SMTPBackend
from chorus.lib.translations import translated
from chorus.petitions.models import Petition, PetitionTranslation
from chorus.signatures import tokens
from chorus.signatures.emails import Letters
from chorus.signatures.models import Signature


def rendered_one_by_one(signature, template, **context):
    """Each e-mail as it was written before batches: every template rendered for each signer."""
    language = signature.language or settings.LANGUAGE_CODE
    petition = translated(signature.petition, language)
    discreet = petition.discreet_email
    if discreet:
        template = f"{template}_discreet"
    with translation.override(language):
        manage = reverse("signatures:manage", args=[tokens.manage_token(signature.pk)])
        context = {
            "signature": signature,
            "petition": petition,
            "manage_url": origin_for(signature.site_host) + manage,
            "petition_url": origin_for(signature.site_host) + petition.get_absolute_url(),
            "SITE_NAME": settings.SITE_NAME,
            **context,
        }
        subject = render_to_string(f"{template}_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string(f"{template}.txt", context),
            from_email=settings.CHORUS_DISCREET_FROM_EMAIL if discreet else None,
            to=[signature.email],
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


NAMES = [
    "Nadia Petrova",
    "",  # no name: "Hello," alone
    '<script>alert("x")</script> & <b>Bob</b> \'O\'Neil\'',
    "Надежда {name} %(name)s",
    "نادية",
    "\ue000&x\ue001 {{ manage_url }}",
]


@pytest.fixture
def signers(petition):
    """One signer per name and language, on the same petition, in one batch."""
    PetitionTranslation.objects.create(petition=petition, language="ru", title="Остановите иск")
    PetitionTranslation.objects.create(
        petition=petition, language="ar", title="أوقفوا الدعوى <&>"
    )
    rows = []
    for language in ["en", "ru", "ar", ""]:
        for i, name in enumerate(NAMES):
            address = f"s{len(rows)}@example.org"
            rows.append(Signature(
                petition=petition, name=name, email=address, email_digest=email_digest(address),
                country="PL", language=language, site_host="mirror.example" if i % 2 else "",
            ))
    Signature.objects.bulk_create(rows)
    return list(Signature.objects.select_related("petition").order_by("pk"))


def wire(message) -> email.message.EmailMessage:
    return BytesParser(policy=email.policy.default).parsebytes(
        message.message(policy=email.policy.SMTP).as_bytes()
    )


def assert_same_email(new, old):
    assert (new.subject, new.from_email, new.to) == (old.subject, old.from_email, old.to)
    assert new.body == old.body
    assert [(a.content, a.mimetype) for a in new.alternatives] == [
        (a.content, a.mimetype) for a in old.alternatives
    ]
    # As sent: the same headers, the same parts, read back the same.
    sent, before = wire(new), wire(old)
    assert list(sent.keys()) == list(before.keys())
    for header in ["MIME-Version", "Subject", "From", "To"]:
        assert str(sent[header]) == str(before[header])
    assert sent["Date"].datetime.tzinfo is not None
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", sent["Message-ID"])
    assert sent["Message-ID"] != before["Message-ID"]
    assert sent.get_content_type() == before.get_content_type() == "multipart/alternative"
    parts, parts_before = list(sent.iter_parts()), list(before.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content_type() for p in parts_before] == ["text/plain", "text/html"]
    for part, part_before in zip(parts, parts_before, strict=True):
        assert part.get_content_charset() == part_before.get_content_charset() == "utf-8"
        assert part.get_content() == part_before.get_content()
    # Every line fits SMTP's limit (RFC 5321: 998 octets).
    raw = new.message(policy=email.policy.SMTP).as_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


@pytest.mark.parametrize("discreet", [False, True], ids=["plain", "discreet"])
def test_batch_written_emails_are_the_emails_each_signer_got_before(
    petition, signers, discreet
):
    Petition.objects.filter(pk=petition.pk).update(discreet_email=discreet)
    signers = list(Signature.objects.select_related("petition").order_by("pk"))
    letters = Letters()  # one for the whole batch, as the worker keeps it
    for signature in signers:
        assert_same_email(
            letters.already_signed(signature),
            rendered_one_by_one(signature, "signatures/email/already_signed"),
        )
        for reminder in [False, True]:
            template = "signatures/email/reminder" if reminder else "signatures/email/confirm"
            new = letters.confirmation(signature, reminder=reminder)
            # The link is signed with a timestamp: read it from the new e-mail.
            [link] = set(re.findall(r"\S+/confirm/\S+/", new.body))
            assert link.startswith(origin_for(signature.site_host) + "/confirm/")
            old = rendered_one_by_one(signature, template, confirm_url=link)
            assert_same_email(new, old)
        new = letters.write(signature, "signatures/email/receipt", receipt="R-1 <2> & 3",
                            log_url="https://example.org/log/?a=1&b=2")
        old = rendered_one_by_one(signature, "signatures/email/receipt",
                                  receipt="R-1 <2> & 3", log_url="https://example.org/log/?a=1&b=2")
        assert_same_email(new, old)


def test_each_signer_gets_their_own_name_and_links_and_no_one_elses(signers):
    letters = Letters()
    messages = [letters.confirmation(signature) for signature in signers]
    for signature, message in zip(signers, messages, strict=True):
        manage = reverse("signatures:manage", args=[tokens.manage_token(signature.pk)])
        assert manage in message.body and manage in message.alternatives[0].content
        token = tokens.signature_id_from_token(
            re.search(r"/confirm/([^/]+)/", message.body)[1]
        )
        assert token == signature.pk
        others = [s for s in signers if s.pk != signature.pk]
        for other in others:
            other_manage = reverse("signatures:manage", args=[tokens.manage_token(other.pk)])
            assert other_manage not in message.body
        assert message.to == [signature.email]


def test_a_signers_name_never_becomes_markup_in_the_html_part(signers):
    [signature] = [s for s in signers if s.name.startswith("<script>") and s.language == "en"]
    message = Letters().confirmation(signature)
    html = message.alternatives[0].content
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Bob&lt;/b&gt;" in html
    assert signature.name in message.body  # the text part is text


@pytest.mark.parametrize("address", [
    "ivan@пример.рф",  # an IDNA domain: written by Django's own path
    '"quoted local"@example.org',
    "plain.address+tag@example.org",
])
def test_an_address_that_is_not_plain_is_written_as_django_writes_it(petition, address):
    signature = Signature.objects.create(
        petition=petition, name="Ivan", email=address, email_digest=email_digest(address),
        country="PL",
    )
    signature = Signature.objects.select_related("petition").get(pk=signature.pk)
    new = Letters().already_signed(signature)
    assert_same_email(new, rendered_one_by_one(signature, "signatures/email/already_signed"))


def test_an_address_no_header_can_hold_is_refused_before_anything_is_sent(petition):
    signature = Signature.objects.create(
        petition=petition, name="Broken", email="a@\ufffd.org", email_digest="b" * 64,
        country="PL",
    )
    signature = Signature.objects.select_related("petition").get(pk=signature.pk)
    with pytest.raises((UnicodeError, ValueError)):
        Letters().confirmation(signature).message(policy=email.policy.SMTP)


@pytest.mark.parametrize("address", [
    "s0@example.org",
    "Chorus <noreply@localhost>",
    "Confirmation <noreply@example.org>",
    "Имя <noreply@example.org>",
    "ivan@пример.рф",
    '"quoted local"@example.org',
])
def test_the_smtp_backend_gives_the_envelope_the_address_django_would(address):
    backend = SMTPBackend(host="127.0.0.1", alias="default")
    assert backend.prep_address(address) == DjangoSMTPBackend.prep_address(backend, address)
    assert backend.prep_address(address) == DjangoSMTPBackend.prep_address(backend, address)


@pytest.mark.parametrize("address", ["a@\ufffd.org", "a@b.org\r\nBcc: c@d.org", "a@b, c@d"])
def test_the_smtp_backend_still_refuses_what_django_refuses(address):
    backend = SMTPBackend(host="127.0.0.1", alias="default")
    with pytest.raises((UnicodeError, ValueError)):
        backend.prep_address(address)
