"""The SMTP backend sends each e-mail in two round trips where the server allows it."""

import smtplib
import socket
import threading

import pytest
from django.core.mail import mailers

from chorus.lib.mail import PipeliningSMTP, PreparedEmail, letterhead


class Server:
    """An aiosmtpd handler that keeps what it is given and refuses what it is told to."""

    def __init__(self, *, pipelining: bool):
        self.pipelining = pipelining
        self.envelopes = []
        self.refuse_sender = self.refuse_recipient = self.refuse_data = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if self.refuse_recipient:
            return self.refuse_recipient
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse_data:
            return self.refuse_data
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=[True, False], ids=["pipelining", "one-by-one"])
def smtp_server(request, settings):
    from aiosmtpd.controller import Controller

    server = Server(pipelining=request.param)
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {"default": {"BACKEND": "chorus.lib.mail.SMTPBackend", "OPTIONS": {
        "host": "127.0.0.1", "port": controller.port, "use_tls": False, "timeout": 10,
    }}}
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def round_trips(monkeypatch):
    """How many times the client wrote to the server: each write is then answered."""
    writes = []
    send = smtplib.SMTP.send

    def counted(self, data):
        writes.append(data)
        return send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", counted)
    return writes


def email_to(address: str, body: str = "Hello,\n.\nA line with a dot alone above.\n"):
    return PreparedEmail(letterhead=letterhead(subject="Please confirm", from_email="a@b.example"),
                         body=body, html=f"<p>{body}</p>", to=address)


def test_each_email_arrives_whole_in_two_round_trips_when_the_server_pipelines(
    smtp_server, round_trips
):
    server = smtp_server
    with mailers.default as mail:
        mail.send_messages([email_to("first@example.org")])
        round_trips.clear()  # the first also said EHLO
        assert mail.send_messages([email_to(f"signer{i}@example.org") for i in range(3)]) == 3
        per_email = len(round_trips) / 3
    assert [envelope.rcpt_tos for envelope in server.envelopes][1:] == [
        [f"signer{i}@example.org"] for i in range(3)
    ]
    assert {envelope.mail_from for envelope in server.envelopes} == {"a@b.example"}
    # Dot-stuffing survived: the lone dot is a line of the text, not the end.
    assert all(b"\r\n.\r\nA line with a dot alone" in envelope.original_content
               for envelope in server.envelopes)
    assert per_email == (2 if server.pipelining else 4)


@pytest.mark.parametrize(("refusal", "raised"), [
    ("refuse_sender", smtplib.SMTPSenderRefused),
    ("refuse_recipient", smtplib.SMTPRecipientsRefused),
    ("refuse_data", smtplib.SMTPDataError),
])
def test_a_refusal_raises_what_smtplib_raises_and_the_next_email_still_goes(
    smtp_server, refusal, raised
):
    server = smtp_server
    with mailers.default as mail:
        setattr(server, refusal, "550 5.1.1 No such user")
        with pytest.raises(raised) as failure:
            mail.send_messages([email_to("gone@example.org")])
        setattr(server, refusal, None)
        assert mail.send_messages([email_to("here@example.org")]) == 1
    code = (failure.value.recipients["gone@example.org"][0]
            if raised is smtplib.SMTPRecipientsRefused else failure.value.smtp_code)
    assert code == 550
    assert [envelope.rcpt_tos for envelope in server.envelopes] == [["here@example.org"]]


def test_a_server_that_takes_data_after_a_refused_recipient_gets_an_empty_message():
    """RFC 2920 3.1: an older server may answer 354 though no recipient was taken."""
    listener = socket.create_server(("127.0.0.1", 0))
    heard = []

    def scripted_server():
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 old.example ESMTP\r\n")
            lines.readline()  # EHLO
            conn.sendall(b"250-old.example\r\n250 PIPELINING\r\n")
            for reply in (b"250 OK", b"550 No such user", b"354 Go ahead", b"250 Empty",
                          b"250 Reset", b"221 Bye"):
                heard.append(lines.readline())
                conn.sendall(reply + b"\r\n")

    thread = threading.Thread(target=scripted_server, daemon=True)
    thread.start()
    client = PipeliningSMTP("127.0.0.1", listener.getsockname()[1], timeout=10)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail("a@b.example", ["gone@example.org"], b"Subject: x\r\n\r\nHi\r\n")
    client.quit()
    thread.join(5)
    listener.close()
    assert heard == [b"MAIL FROM:<a@b.example>\r\n", b"RCPT TO:<gone@example.org>\r\n",
                     b"DATA\r\n", b".\r\n", b"rset\r\n", b"quit\r\n"]
