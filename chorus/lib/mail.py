"""A development e-mail backend whose files a person can read."""

from django.core.mail.backends.filebased import EmailBackend


class ReadableFileBackend(EmailBackend):
    """Writes each e-mail's headers and plain text as they would be read.

    Django's file backend writes the raw MIME message, where quoted-printable
    encoding breaks long links across lines; a developer following the
    confirmation link needs it whole.
    """

    def write_message(self, message):
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            message.body.rstrip(),
            "",
            "-" * 79,
            "",
        ]
        self.stream.write("\n".join(lines).encode())
