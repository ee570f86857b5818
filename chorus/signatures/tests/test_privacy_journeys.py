"""Whole journeys, checked for what they leak: to other websites, in e-mail, in logs, at rest.

Each test walks a signer (or several) through the site the way they would, then looks
where personal data could end up without anyone meaning it to: requests to another origin,
the headers of the confirmation e-mail, log records, and a raw dump of the database.
"""

import email
import io
import logging
import re
import socket
from email import policy
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import resolve

from chorus.signatures import tokens
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature

CONFIRM_LINK = re.compile(r"http://\S+/confirm/\S+/")
MANAGE_LINK = re.compile(r"http://\S+/signature/\S+/")




def image_bytes(fmt, colour):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


# Test 1 -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_no_public_page_requests_another_origin(browser, site, settings, petition):
    # The URLconf captured MEDIA_ROOT when it was first imported, which may be another
    # test's temporary directory: store the images where the site actually serves them.
    settings.MEDIA_ROOT = resolve("/media/x.png").kwargs["document_root"]
    petition.image.save("banner.jpg", ContentFile(image_bytes("JPEG", "teal")))
    petition.image_alt = "A banner"
    petition.save()
    petition.organisation.logo.save("logo.png", ContentFile(image_bytes("PNG", "navy")))

    pending = Signature.objects.create(
        petition=petition, name="Nadia", email="nadia@example.org", email_digest="d" * 64,
        country="DE",
    )
    waiting = Signature.objects.create(
        petition=petition, name="Ivan", email="ivan@example.org", email_digest="e" * 64,
        country="GE",
    )
    long_ago = signing.time.time() - settings.CHORUS_CONFIRMATION_MAX_AGE - 60
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        expired_token = tokens.confirmation_token(waiting.pk)
    confirm_token = tokens.confirmation_token(pending.pk)
    manage_token = tokens.manage_token(pending.pk)
    slug = petition.slug

    context = browser.new_context(java_script_enabled=True, locale="en-GB")
    requests, statuses = [], {}
    context.on("request", lambda request: requests.append(request.url))
    context.on("response", lambda response: statuses.setdefault(response.url, response.status))
    page = context.new_page()
    visited = []

    def check(label, response, status):
        assert response is not None, label
        visited.append(label)
        assert response.status == status, f"{label}: {response.url} answered {response.status}"
        if "text/html" in response.headers.get("content-type", ""):
            csp = response.headers.get("content-security-policy", "")
            assert "default-src 'self'" in csp, f"{label}: no CSP default-src 'self': {csp!r}"
        # Lazy images and anything scripts fetch are requested after "load".
        page.wait_for_load_state("networkidle")

    def visit(label, path, status=200):
        check(label, page.goto(f"{site}{path}"), status)

    def press(label, button, status=200):
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=button).click()
        check(label, navigation.value, status)

    try:
        visit("home", "/")
        visit("list", "/petitions/")
        visit("search", "/petitions/?q=x")
        visit("petition", f"/petitions/{slug}/")
        press("petition with a form error", "Sign the petition", status=400)
        assert page.locator("#email-error").count() == 1
        visit("thanks", f"/petitions/{slug}/thanks/")
        visit("confirm", f"/confirm/{confirm_token}/")
        press("confirmed", "Confirm my signature")
        assert "your signature is confirmed" in page.content()
        visit("expired link", f"/confirm/{expired_token}/", status=410)
        press("fresh link sent", "Send me a fresh link")
        visit("organisation", f"/organisations/{petition.organisation.slug}/")
        visit("not found", "/petitions/no-such-petition/", status=404)
        visit("manage my signature", f"/signature/{manage_token}/")
        visit("history", f"/petitions/{slug}/history/")
        visit("share and embed code", f"/petitions/{slug}/share/")
        visit("embed", f"/petitions/{slug}/embed/")
        visit("API docs", "/api/v1/docs")
    finally:
        context.close()
        # That directory may outlive this test (var/media when no test set it).
        petition.image.delete(save=False)
        petition.organisation.logo.delete(save=False)

    assert len(visited) == 17
    outside = [url for url in requests
               if not url.startswith(("data:", "about:")) and origin(url) != origin(site)]
    assert outside == []
    # The images were really part of the pages, and were served from this site.
    images = {url: status for url, status in statuses.items() if "/media/" in url}
    assert any("/media/petitions/" in url for url in images), sorted(statuses)
    assert any("/media/logos/" in url for url in images), sorted(statuses)
    assert set(images.values()) == {200}, images


# Test 2 -------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps every message it is given, pipelined as relays allow."""

    def __init__(self):
        self.envelopes = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "chorus.lib.mail.SMTPBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


def plain_text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.django_db(transaction=True)
def test_a_signer_without_javascript_signs_through_a_real_smtp_server(
    browser, site, petition, smtp_inbox
):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{site}/petitions/{petition.slug}/")
        assert page.locator(".count strong").inner_text() == "0"
        page.get_by_label("Your name").fill("Nadia Petrova")
        page.get_by_label("Your e-mail address").fill("nadia@example.org")
        page.get_by_label("Country").select_option("DE")
        page.get_by_label("Postcode").fill("X9Z-7Q4")
        page.get_by_role("button", name="Sign the petition").click()
        page.wait_for_load_state()
        assert "check your e-mail" in page.content().lower()

        # The e-mail was sent after the signature's commit, inside the same request
        # (immediate tasks), and the SMTP server acknowledged it before the reply.
        assert len(smtp_inbox.envelopes) == 1
        envelope = smtp_inbox.envelopes[0]
        assert envelope.rcpt_tos == ["nadia@example.org"]
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert message["To"] == "nadia@example.org"
        assert message.get_all("Cc") is None and message.get_all("Bcc") is None
        # Mail servers on the way log headers: only the address the mail goes to is there.
        headers = "\n".join(f"{key}: {value}" for key, value in message.items()).lower()
        others = "\n".join(
            f"{key}: {value}" for key, value in message.items() if key.lower() != "to"
        ).lower()
        assert "nadia@example.org" not in others
        for data in ["Nadia Petrova", "Petrova", "X9Z-7Q4", "X9Z7Q4", "Germany"]:
            assert data.lower() not in headers, data

        link = CONFIRM_LINK.search(plain_text(message)).group(0)
        assert origin(link) == origin(site)
        page.goto(link)
        page.get_by_role("button", name="Confirm my signature").click()
        page.wait_for_load_state()
        assert "your signature is confirmed" in page.content()

        signatures_count()
        cache.clear()  # what a visitor sees once the short page cache expires
        page.goto(f"{site}/petitions/{petition.slug}/")
        assert page.locator(".count strong").inner_text() == "1"
    finally:
        context.close()


# Test 3 -------------------------------------------------------------------------------------

IP = "203.0.113.77"


def every_logger_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    # Loggers given their own level (django.tasks is WARNING in settings) would
    # otherwise hide their debug records from this check.
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET:
            caplog.set_level(logging.DEBUG, logger=name)


def everything_logged(caplog):
    parts = [caplog.text]
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), repr(vars(record))]
    return "\n".join(parts)


def test_the_logs_of_a_whole_journey_hold_no_address_and_no_ip(
    client, settings, petition, signer, caplog, mailoutbox, immediate_tasks,
    django_capture_on_commit_callbacks,
):
    assert settings.DEBUG is False  # so django.db.backends logs no SQL, as in production
    every_logger_at_debug(caplog)
    address = signer["email"]
    sign = f"/petitions/{petition.slug}/sign/"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(sign, signer, REMOTE_ADDR=IP).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        duplicate = {**signer, "email": address.upper()}
        assert client.post(sign, duplicate, REMOTE_ADDR=IP).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        mistake = {**signer, "country": "XX"}
        assert client.post(sign, mistake, REMOTE_ADDR=IP).status_code == 400
    assert len(mailoutbox) == 2  # the first e-mail and the one the duplicate asked again

    body = mailoutbox[0].body
    confirm = urlsplit(CONFIRM_LINK.search(body).group(0)).path
    assert client.get(confirm, REMOTE_ADDR=IP).status_code == 200
    assert client.post(confirm, REMOTE_ADDR=IP).status_code == 200
    signatures_count()
    manage = urlsplit(MANAGE_LINK.search(body).group(0)).path
    assert client.get(manage, REMOTE_ADDR=IP).status_code == 200
    assert client.get(confirm[:-3] + "xx/", REMOTE_ADDR=IP).status_code == 404
    assert client.post(confirm[:-3] + "xx/", REMOTE_ADDR=IP).status_code == 404

    assert Signature.objects.get().state == Signature.State.CONFIRMED
    assert caplog.records, "the journey logged nothing: the check would prove nothing"
    logged = everything_logged(caplog)
    assert address.lower() not in logged.lower()
    assert IP not in logged


# Test 4 -------------------------------------------------------------------------------------

SIGNERS = [
    # (name, address, country, postcode, IP)
    ("Nadia Petrova", "Nadia.Petrova@Example.org", "DE", "X9Z-7Q4", "203.0.113.77"),
    ("Ivan Petrov", "ivan+petition@example.net", "GE", "", "198.51.100.23"),
    ("Amara Okafor", "amara.okafor@example.com", "NG", "K8P 3R5", "2001:db8::4f2a"),
    ("Li Wei", "li.wei@example.edu", "CN", "", "192.0.2.199"),
]


def database_dump():
    """Every value of every row of every table, as text, read with plain SQL."""
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", errors="replace")
                    lines.append(str(value))
    if connection.vendor == "sqlite":
        lines.extend(connection.connection.iterdump())
    return "\n".join(lines).lower()


def test_a_raw_dump_of_the_database_after_the_journeys_holds_no_address_or_ip(
    client, petition, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks,
):
    sign = f"/petitions/{petition.slug}/sign/"
    for name, address, country, postcode, ip in SIGNERS:
        data = {"name": name, "email": address, "country": country, "postcode": postcode,
                "updates": "on", "show_name": "on"}
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(sign, data, REMOTE_ADDR=ip).status_code == 302
    # Nadia signs again from another network; Amara makes a mistake first.
    with django_capture_on_commit_callbacks(execute=True):
        again = {"name": "Nadia P.", "email": "nadia.petrova@example.org", "country": "DE"}
        assert client.post(sign, again, REMOTE_ADDR="198.51.100.200").status_code == 302
    mistake = {"name": "Amara Okafor", "email": "amara.okafor@example.com", "country": "XX"}
    assert client.post(sign, mistake, REMOTE_ADDR="2001:db8::4f2a").status_code == 400
    assert len(mailoutbox) == len(SIGNERS) + 1

    links = {}
    for message in mailoutbox:
        links[message.to[0]] = (
            urlsplit(CONFIRM_LINK.search(message.body).group(0)).path,
            urlsplit(MANAGE_LINK.search(message.body).group(0)).path,
        )
    # Nadia, Ivan and Amara confirm, Li Wei does not; Ivan then withdraws.
    for _, address, *_ in SIGNERS[:3]:
        assert client.post(links[address][0]).status_code == 200
    signatures_count()
    assert client.post(links[SIGNERS[1][1]][1] + "withdraw/", {"confirm": "1"}).status_code == 302
    signatures_count()
    assert Signature.objects.filter(state=Signature.State.CONFIRMED).count() == 2
    assert Signature.objects.count() == len(SIGNERS)

    dump = database_dump()
    assert petition.title.lower() in dump  # the dump does read the data
    for _, address, _, postcode, ip in SIGNERS:
        assert address.lower() not in dump, address
        assert ip.lower() not in dump, ip
        if postcode:
            assert postcode.lower() not in dump, postcode
    assert "nadia.petrova@example.org" not in dump
    assert "198.51.100.200" not in dump
    assert "x9z7q4" not in dump
