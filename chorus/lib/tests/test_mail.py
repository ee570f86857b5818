from django.core.mail import EmailMultiAlternatives

from chorus.lib.mail import ReadableFileBackend


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
