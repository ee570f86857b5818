"""A reader signs inside a partner site's iframe, with third-party cookies blocked."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from chorus.signatures.models import Signature


@pytest.fixture
def partner():
    """A partner's web server on another site than the live server's "localhost"
    (127.0.0.1; a real server, since Chromium keeps pages from outside the
    machine from framing local addresses)."""
    servers = []

    def serve(html: str) -> str:
        class Article(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(html.encode())

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Article)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/story"

    yield serve
    for server in servers:
        server.shutdown()




@pytest.mark.django_db(transaction=True)
def test_signing_inside_a_partner_iframe_works_without_cookies(
    browser, live_server, settings, immediate_tasks, petition, partner
):
    settings.SITE_URL = live_server.url
    mail.outbox = []
    context = browser.new_context()
    page = context.new_page()
    # The partner's article, on another origin, with the snippet from our share page.
    article = (
        "<!doctype html><title>News</title><h1>A story</h1>"
        f'<iframe src="{live_server.url}/petitions/{petition.slug}/embed/?source=partner" '
        'width="600" height="700" data-chorus-embed></iframe>'
        f'<script src="{live_server.url}/static/js/embed.js"></script>'
    )
    page.goto(partner(article))
    frame = page.frame_locator("iframe")
    frame.get_by_label("Your name").fill("Amara K.")
    frame.get_by_label("Your e-mail address").fill("amara@example.org")
    frame.get_by_label("Country").select_option("KE")
    frame.get_by_role("button", name="Sign the petition").click()
    frame.get_by_text("check your e-mail", exact=False).wait_for()

    signature = Signature.objects.get()
    assert (signature.name, signature.source, signature.state) == ("Amara K.", "partner", "pending")
    assert len(mail.outbox) == 1
    assert context.cookies() == []
    context.close()
