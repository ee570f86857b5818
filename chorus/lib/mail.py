"""E-mail helpers: a readable development backend, and e-mails written to the wire cheaply."""

import base64
import binascii
import email.policy
import random
import re
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from functools import cached_property, lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.filebased import EmailBackend
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.utils import DNS_NAME
from django.utils.timezone import get_current_timezone


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


# An address whose header and SMTP envelope are the address itself, as the
# `email` package would write them: a dot-atom local part and an ASCII
# dot-atom domain (RFC 5322 3.2.3). Anything else (a quoted local part, a
# non-ASCII domain to IDNA-encode, a display name) takes Django's own path.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


def is_plain_address(address: str) -> bool:
    return len(address) <= 254 and _PLAIN_ADDRESS.fullmatch(address) is not None


class _Pipelining:
    """smtplib's sendmail in two round trips instead of four, where the server allows it.

    A server that announces PIPELINING (RFC 2920; Postfix, Exim and every
    large relay do) takes MAIL FROM, RCPT TO and DATA in one write and
    answers them in order. One recipient per e-mail, as Chorus sends: any
    other case, or a server without the extension, is smtplib's own
    sendmail. Failures raise what smtplib would, after the same RSET, so a
    caller cannot tell the two paths apart except by the time they take.
    """

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        self.ehlo_or_helo_if_needed()
        if (isinstance(to_addrs, str)
                or len(to_addrs) != 1 or mail_options or rcpt_options or isinstance(msg, str)
                or not self.has_extn("pipelining")):
            return super().sendmail(from_addr, to_addrs, msg, mail_options, rcpt_options)
        [to_addr] = to_addrs
        self.send(f"MAIL FROM:{smtplib.quoteaddr(from_addr)}\r\n"
                  f"RCPT TO:{smtplib.quoteaddr(to_addr)}\r\nDATA\r\n")
        sender, recipient, data = self.getreply(), self.getreply(), self.getreply()
        if data[0] == 354 and (sender[0] != 250 or recipient[0] not in (250, 251)):
            # An older server took DATA though the envelope failed: an empty
            # message ends it (RFC 2920 3.1), then the envelope's error is raised.
            self.send(b".\r\n")
            self.getreply()
        if sender[0] != 250:
            self._rset_quietly()
            raise smtplib.SMTPSenderRefused(sender[0], sender[1], from_addr)
        if recipient[0] not in (250, 251):
            self._rset_quietly()
            raise smtplib.SMTPRecipientsRefused({to_addr: recipient})
        if data[0] != 354:
            self._rset_quietly()
            raise smtplib.SMTPDataError(*data)
        quoted = smtplib._quote_periods(msg)  # noqa: SLF001 - smtplib's own dot-stuffing
        if not quoted.endswith(b"\r\n"):
            quoted += b"\r\n"
        self.send(quoted + b".\r\n")
        code, response = self.getreply()
        if code != 250:
            self._rset_quietly()
            raise smtplib.SMTPDataError(code, response)
        return {}

    def _rset_quietly(self) -> None:
        # As smtplib's _rset: the connection may already be gone.
        try:
            self.rset()
        except smtplib.SMTPServerDisconnected:
            pass


class PipeliningSMTP(_Pipelining, smtplib.SMTP):
    pass


class PipeliningSMTPSSL(_Pipelining, smtplib.SMTP_SSL):
    pass


class SMTPBackend(DjangoSMTPBackend):
    """Django's SMTP backend, in fewer round trips and without parsing the same addresses again.

    Before each e-mail Django parses its sender and its recipients with the
    `email` package's header parser, some 200 µs each: a plain address
    (is_plain_address) is its own envelope address, and the sender, the same
    for a whole batch, is parsed once per connection. Any other address is
    parsed, and refused, as before. Each e-mail is sent pipelined where the
    server allows it (_Pipelining): the worker waits for the server twice per
    e-mail instead of four times.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._senders: dict[tuple[str, bool], str] = {}

    @property
    def connection_class(self):
        return PipeliningSMTPSSL if self.use_ssl else PipeliningSMTP

    def prep_address(self, address, force_ascii=True):
        if isinstance(address, str) and is_plain_address(address):
            return address
        if not (isinstance(address, str) and "<" in address):
            return super().prep_address(address, force_ascii)
        key = (address, force_ascii)
        if key not in self._senders:
            prepared = super().prep_address(address, force_ascii)
            if len(self._senders) >= 16:  # a handful of senders: never grow without bound
                self._senders.clear()
            self._senders[key] = prepared
        return self._senders[key]


@dataclass(frozen=True)
class Letterhead:
    """What every e-mail of one kind in one batch shares: subject and sender.

    Both are folded, and RFC 2047-encoded where they are not ASCII, by the
    `email` package itself, once (`letterhead`): exactly the header lines
    Django writes for them.
    """

    subject: str
    from_email: str
    header_lines: bytes


def letterhead(*, subject: str, from_email: str | None = None) -> Letterhead:
    from_email = from_email or settings.DEFAULT_FROM_EMAIL
    return _letterhead(subject, from_email)


@lru_cache(maxsize=256)
def _letterhead(subject: str, from_email: str) -> Letterhead:
    headers = email.message.EmailMessage(policy=email.policy.SMTP)
    headers["Subject"] = subject
    headers["From"] = from_email
    # Only header lines, with \n line ends: the blank line ending the block is dropped.
    lines = headers.as_bytes().removesuffix(b"\r\n").replace(b"\r\n", b"\n")
    return Letterhead(subject=subject, from_email=from_email, header_lines=lines)


class PreparedEmail(EmailMultiAlternatives):
    """A text and HTML e-mail that writes itself to the wire in one pass.

    Django's message() builds every e-mail through the `email` package's
    object model, header registry and generator: about 2 ms of CPU each,
    most of what a confirmation e-mail cost the worker. This one joins
    bytes: the Letterhead's ready Subject and From lines, then per e-mail
    To, Date, Message-ID and the two bodies, each encoded as the `email`
    package would choose (7bit or 8bit when every line fits, else the shorter
    of quoted-printable and base64). It reads back as the same e-mail as
    EmailMultiAlternatives.message() would have written (a test compares
    them). An address that is not plain (is_plain_address) takes Django's
    path, which also refuses what no header can hold.

    For everything else (the mail backends, a test's outbox) it is an
    EmailMultiAlternatives with that subject, sender, text and HTML.
    """

    def __init__(self, *, letterhead: Letterhead, body: str, html: str, to: str):
        super().__init__(subject=letterhead.subject, body=body, from_email=letterhead.from_email,
                         to=[to])
        self.attach_alternative(html, "text/html")
        self.letterhead = letterhead

    def message(self, *, policy=email.policy.default):
        [to] = self.to
        if (self.cc or self.bcc or self.reply_to or self.extra_headers or self.attachments
                or len(self.alternatives) != 1 or not is_plain_address(to)):
            return super().message(policy=policy)
        timezone = get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC
        # Written with \n line ends, then given the policy's (CRLF for SMTP).
        linesep = policy.linesep.encode()
        text = _encoded_text(self.body, "plain", linesep)
        html = _encoded_text(self.alternatives[0].content, "html", linesep)
        boundary = _boundary(text, html)
        raw = b"".join([
            b'MIME-Version: 1.0\nContent-Type: multipart/alternative;\n boundary="', boundary,
            b'"\n', self.letterhead.header_lines,
            b"To: ", to.encode(), b"\nDate: ", format_datetime(datetime.now(timezone)).encode(),
            b"\nMessage-ID: ", make_msgid(domain=DNS_NAME).encode(), b"\n\n--", boundary,
            b"\n", text, b"\n--", boundary, b"\n", html, b"\n--", boundary, b"--\n",
        ])
        return WireMessage(raw if linesep == b"\n" else raw.replace(b"\n", linesep), policy)


def _encoded_text(content: str, subtype: str, linesep: bytes) -> bytes:
    """One text part, headers and body, in email.contentmanager's encoding for it.

    Line ends are \n, except inside base64, which encodes the text with the
    policy's own line ends as the `email` package does.
    """
    lines = content.encode().splitlines()
    if max(map(len, lines), default=0) <= 78:  # policy.max_line_length
        cte = "7bit" if content.isascii() else "8bit"
        body = b"\n".join(lines) + b"\n"
    else:
        quoted = binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True)
        embedded = linesep.join(lines) + linesep
        if len(quoted) > len(embedded) * 4 // 3:  # about what base64 takes
            cte, body = "base64", base64.encodebytes(embedded)
        else:
            cte, body = "quoted-printable", quoted
    return (f'Content-Type: text/{subtype}; charset="utf-8"\n'
            f"Content-Transfer-Encoding: {cte}\n\n").encode() + body


def _boundary(*parts: bytes) -> bytes:
    # email.generator's kind of boundary, and, like it, never one the parts contain.
    while True:
        boundary = b"===============%019d==" % random.randrange(10**19)  # noqa: S311
        if not any(boundary in part for part in parts):
            return boundary


class WireMessage:
    """A message already written out: as_bytes() is those bytes, as they are sent.

    Read as a message (its headers, its parts) it is parsed from those bytes
    on first use, so whatever inspects an e-mail sees exactly what is sent.
    """

    def __init__(self, raw: bytes, policy=email.policy.default):
        self._raw = raw
        self.policy = policy

    @cached_property
    def _message(self) -> email.message.EmailMessage:
        return BytesParser(policy=self.policy).parsebytes(self._raw)

    def as_bytes(self, unixfrom=False, policy=None) -> bytes:
        ours, theirs = self.policy.linesep, (policy or self.policy).linesep
        return self._raw if ours == theirs else self._raw.replace(ours.encode(), theirs.encode())

    def as_string(self, unixfrom=False, maxheaderlen=0, policy=None) -> str:
        return self.as_bytes(policy=policy).decode("utf-8", "surrogateescape")

    __bytes__ = as_bytes
    __str__ = as_string

    def __getattr__(self, name):
        return getattr(self._message, name)

    def __getitem__(self, name):
        return self._message[name]

    def __contains__(self, name):
        return name in self._message

    def __iter__(self):
        return iter(self._message)

    def __len__(self):
        return len(self._message)
