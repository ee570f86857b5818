"""The public log's pages and files, the proof endpoint, and where counts link to them."""

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from chorus.signatures.models import ProofCheck, Signature
from chorus.signatures.tasks import send_receipt
from chorus.signatures.transparency import receipts
from chorus.signatures.transparency.services import log_publish

from .conftest import RECEIPT, confirmed


@pytest.fixture
def published(petition, clock):
    signatures = [confirmed(petition, f"s{i}@example.org") for i in range(3)]
    log_publish()
    return signatures


def receipt_text(signature):
    return receipts.formatted(receipts.receipt_of(Signature.objects.get(pk=signature.pk)))


def test_the_log_page_lists_statements_and_the_invalidation_record(client, petition,
                                                                     published):
    page = client.get(f"/petitions/{petition.slug}/log/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="statement-1"' in text and "Check that my signature is counted" in text
    assert "removed no signature" in text
    assert not page.cookies


def test_log_json_statement_and_leaves_are_public_files(client, petition, published):
    log = client.get(f"/petitions/{petition.slug}/log.json").json()
    assert [s["number"] for s in log["statements"]] == [1]
    statement = client.get(f"/petitions/{petition.slug}/log/1.json")
    document = json.loads(statement.content)
    assert document["count"] == 3 and "signature" in document
    leaves = client.get(f"/petitions/{petition.slug}/log/1/leaves")
    lines = b"".join(leaves.streaming_content).decode().split()
    assert len(lines) == 3 and lines == sorted(lines)
    assert client.get(f"/petitions/{petition.slug}/log/2.json").status_code == 404
    assert client.get(f"/petitions/{petition.slug}/log/2/leaves").status_code == 404
    assert client.post(f"/petitions/{petition.slug}/log.json").status_code == 405


def test_the_public_key_is_served_and_printed(client, published, capsys):
    from django.core.management import call_command

    document = client.get("/.well-known/chorus/signing-key").json()
    assert document["algorithm"] == "Ed25519"
    call_command("signingkey")
    printed = capsys.readouterr().out
    assert document["public_key"] in printed and document["fingerprint"] in printed


def test_a_receipt_gets_its_proof_and_it_verifies(client, petition, published, verifier):
    response = client.post(f"/petitions/{petition.slug}/proof",
                           {"receipt": receipt_text(published[0])})
    assert response.status_code == 200 and not response.cookies
    proof = response.json()
    root = verifier.root_from_path(bytes.fromhex(proof["leaf"]), proof["leaf_index"],
                                   proof["tree_size"],
                                   [bytes.fromhex(node) for node in proof["audit_path"]])
    assert root.hex() == proof["root"] == json.loads(
        client.get(f"/petitions/{petition.slug}/log/1.json").content)["root"]


def test_json_bodies_work_too(client, petition, published):
    response = client.post(f"/petitions/{petition.slug}/proof",
                           json.dumps({"receipt": receipt_text(published[1])}),
                           content_type="application/json")
    assert response.status_code == 200


def test_a_receipt_not_in_the_tree_and_one_never_issued_get_the_same_answer(
        client, petition, published, clock):
    withdrawn = published[2]
    withdrawn_receipt = receipt_text(withdrawn)
    withdrawn.withdraw()
    clock.advance()
    log_publish()
    never = receipts.formatted(bytes(range(20)))
    answers = [client.post(f"/petitions/{petition.slug}/proof", {"receipt": text})
               for text in (withdrawn_receipt, never)]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].content == answers[1].content
    # Alike in every header; Expires is the clock's second, which two requests may straddle.
    first, second = (dict(answer.headers) for answer in answers)
    assert first.pop("Expires")[-3:] == second.pop("Expires")[-3:] == "GMT"
    assert first == second


def test_an_erased_signers_receipt_has_no_proof_after_the_next_statement(
        client, petition, published, clock):
    text = receipt_text(published[0])
    published[0].erase()
    clock.advance()
    log_publish()
    assert client.post(f"/petitions/{petition.slug}/proof", {"receipt": text}).status_code == 404


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"), ('["a list"]', "application/json"),
    ('{"receipt": 12}', "application/json"),
    ("receipt=%00%00", "application/x-www-form-urlencoded"),
    ("receipt=" + "A" * 5000, "application/x-www-form-urlencoded"),
])
def test_bad_input_is_a_clear_400(client, petition, published, body, content_type):
    response = client.post(f"/petitions/{petition.slug}/proof", body, content_type=content_type)
    assert response.status_code == 400 and response.json()["error"] == "invalid"


def test_only_post_and_a_rate_limit(client, petition, published, settings):
    assert client.get(f"/petitions/{petition.slug}/proof").status_code == 405
    settings.CHORUS_PROOF_RATE = 2
    statuses = [client.post(f"/petitions/{petition.slug}/proof", {"receipt": "x"}).status_code
                for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_the_proof_rate_is_one_for_every_server(client, petition, published, settings):
    # Each server process has a cache of its own: clearing it is a request to another one.
    settings.CHORUS_PROOF_RATE = 2
    statuses = []
    for _ in range(3):
        cache.clear()
        statuses.append(
            client.post(f"/petitions/{petition.slug}/proof", {"receipt": "x"}).status_code)
    assert statuses == [400, 400, 429]


def test_the_proof_rate_counts_the_last_minute_and_keeps_only_that(
        client, petition, published, settings, monkeypatch):
    settings.CHORUS_PROOF_RATE = 1
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)
    assert client.post(f"/petitions/{petition.slug}/proof", {"receipt": "x"}).status_code == 400
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=61))
    assert client.post(f"/petitions/{petition.slug}/proof", {"receipt": "x"}).status_code == 400
    assert ProofCheck.objects.count() == 1  # the first no longer counts, so it is gone


def test_the_html_form_shows_the_result(client, petition, published):
    response = client.post(f"/petitions/{petition.slug}/proof",
                           {"receipt": receipt_text(published[0])}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and "Your signature is counted" in response.content.decode()
    response = client.post(f"/petitions/{petition.slug}/proof", {"receipt": "nonsense"},
                           HTTP_ACCEPT="text/html")
    assert response.status_code == 400 and "That is not a receipt" in response.content.decode()


def test_count_json_the_api_and_the_page_point_at_the_latest_statement(client, petition,
                                                                         published):
    count = client.get(f"/petitions/{petition.slug}/count.json").json()
    assert count["statement"]["number"] == 1 and count["statement"]["root"]
    assert count["statement"]["url"].endswith(f"/petitions/{petition.slug}/log/1.json")
    api = client.get(f"/api/v1/petitions/{petition.slug}/count").json()
    assert api["statement"]["signature"] == count["statement"]["signature"]
    page = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert f"/petitions/{petition.slug}/log/#statement-1" in page


def test_the_delivery_document_prints_the_statement(petition, published):
    import io

    from pypdf import PdfReader

    from chorus.signatures.exports.delivery.pdf import delivery_pdf
    from chorus.signatures.models import Statement

    statement = Statement.objects.get()
    text = " ".join(page.extract_text() for page in PdfReader(
        io.BytesIO(delivery_pdf(petition))).pages)
    flat = "".join(text.split())
    assert "statement 1 of" in text and statement.root in flat
    assert statement.key_fingerprint[:4] in text


def test_confirming_shows_the_receipt_and_the_manage_page_again(client, petition, signer,
                                                                mailoutbox, immediate_tasks,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/petitions/{petition.slug}/sign/", signer)
    body = mailoutbox[0].body
    confirm = re.search(r"http://[^/\s]+(/confirm/\S+/)", body).group(1)
    manage = re.search(r"http://[^/\s]+(/signature/\S+/)", body).group(1)
    page = client.post(confirm).content.decode()
    receipt = RECEIPT.search(page).group(0)
    assert receipt in client.get(manage).content.decode()
    assert receipts.leaf_for(petition.pk, receipts.parsed(receipt)) == bytes(
        Signature.objects.get().receipt_leaf)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{manage}receipt/")
        client.post(f"{manage}receipt/")  # at most one an hour
    assert "on its way" in response.content.decode()
    assert len(mailoutbox) == 2 and receipt in mailoutbox[1].body
    assert signer["email"] in mailoutbox[1].to


def test_an_erased_signature_gets_no_receipt_mail(petition, clock, mailoutbox):
    signature = confirmed(petition, "a@example.org")
    signature.erase()
    assert send_receipt.call(signature.pk) is False
    assert not mailoutbox
