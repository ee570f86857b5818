import email.policy
from email.parser import BytesParser

import pytest
from django.core.mail import EmailMultiAlternatives

from chorus.lib.mail import PreparedEmail, ReadableFileBackend, letterhead


def test_development_emails_are_written_readably(tmp_path):
    link = "http://127.0.0.1:8000/confirm/566:1xWfem:bQn_R96SjPYhXlYs6IGtp4LG4-WGuWiGrSN68hPus1E/"
    message = EmailMultiAlternatives(
        subject="Подтвердите подпись", body=f"Откройте “ссылку”:\n\n{link}\n",
        from_email="Chorus <noreply@localhost>", to=["nadia@example.org"],
    )
    message.attach_alternative("<p>html</p>", "text/html")
    ReadableFileBackend(file_path=str(tmp_path), alias="default").send_messages([message])
    [written] = tmp_path.iterdir()
    text = written.read_text(encoding="utf-8")
    assert link in text.splitlines()
    assert "Subject: Подтвердите подпись" in text
    assert "To: nadia@example.org" in text


def django_wrote(subject, from_email, body, html, to):
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=[to])
    message.attach_alternative(html, "text/html")
    return message


@pytest.mark.parametrize(("subject", "from_email", "body", "html"), [
    ("Short", "Chorus <noreply@localhost>", "Hello,\n\nshort lines\n", "<p>short</p>\n"),
    ("A subject long enough to be folded over more than one line of the header block, "
     "as a petition title can make it", "noreply@example.org",
     "x" * 200 + "\n. a dot line\n" + "trailing space \n", "<p style=\"a\">" + "y=" * 90 + "</p>"),
    ("Подтвердите подпись: «Остановите иск» — " * 3, "Подтверждение <noreply@example.org>",
     "Здравствуйте,\n\n" + "Спасибо за подпись. " * 20 + "\n", "<p>" + "شكرا " * 60 + "</p>"),
    ("Mixed", "Chorus <noreply@localhost>", "Hello Ivan ✓,\nshort\n", "<p>Hi</p>"),
], ids=["7bit", "quoted-printable", "base64", "8bit"])
def test_a_prepared_email_reads_back_as_the_email_django_writes(subject, from_email, body, html):
    prepared = PreparedEmail(letterhead=letterhead(subject=subject, from_email=from_email),
                             body=body, html=html, to="nadia@example.org")
    django = django_wrote(subject, from_email, body, html, "nadia@example.org")
    for policy in [email.policy.SMTP, email.policy.default]:
        raw, raw_before = (m.message(policy=policy).as_bytes() for m in (prepared, django))
        assert (b"\r\n" in raw) == (policy.linesep == "\r\n")
        sent, before = (BytesParser(policy=email.policy.default).parsebytes(r)
                        for r in (raw, raw_before))
        assert list(sent.keys()) == list(before.keys())
        for header in ["MIME-Version", "Subject", "From", "To"]:
            assert str(sent[header]) == str(before[header])
        assert [(p.get_content_type(), p["Content-Transfer-Encoding"], p.get_content())
                for p in sent.iter_parts()] == [
            (p.get_content_type(), p["Content-Transfer-Encoding"], p.get_content())
            for p in before.iter_parts()]
        assert max(len(line) for line in raw.splitlines()) <= 998


def test_a_prepared_email_is_inspected_as_what_is_sent():
    prepared = PreparedEmail(letterhead=letterhead(subject="Hi"), body="Text\n", html="<p>x</p>",
                             to="nadia@example.org")
    message = prepared.message()
    assert message["To"] == "nadia@example.org"
    assert dict(message.items())["Subject"] == "Hi"
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/alternative", "text/plain", "text/html"]
