"""tools/chorus-verify, run as a journalist would, against a live server and saved files."""

import base64
import hashlib
import json
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

from chorus.moderation.abuse.services import Conditions, signatures_bulk_invalidate
from chorus.signatures.models import Invalidation, Signature
from chorus.signatures.transparency import keys, receipts
from chorus.signatures.transparency.services import canonical, log_publish

from .conftest import confirmed

TOOL = str(settings.BASE_DIR / "tools" / "chorus-verify")


def run(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True,  # noqa: S603
                          text=True, timeout=120)


@pytest.fixture
def chain(transactional_db, petition, clock, moderator, immediate_tasks):
    """Hours of a petition's life: signing, withdrawing, erasing, a bulk invalidation."""
    people = [confirmed(petition, f"p{i}@example.org") for i in range(6)]
    bots = [confirmed(petition, f"b{i}@bots.example") for i in range(3)]
    log_publish()
    clock.advance()
    people[0].withdraw()
    erased = receipt(people[1])
    people[1].erase()
    log_publish()
    clock.advance()
    signatures_bulk_invalidate(conditions=Conditions(petition=petition,
                                                     email_domain="bots.example"),
                               moderator=moderator, expected=3,
                               reason=Invalidation.Reason.AUTOMATED)
    late = confirmed(petition, "late@example.org")
    log_publish()
    assert Signature.objects.filter(state="invalidated").count() == len(bots)
    return {"kept": people[2], "late": late, "erased": erased}


def receipt(signature) -> str:
    return receipts.formatted(receipts.receipt_of(Signature.objects.get(pk=signature.pk)))


def test_the_chain_verifies_against_the_live_site_with_receipts(live_server, petition, chain):
    url = f"{live_server.url}/petitions/{petition.slug}/"
    result = run(url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 statements" in result.stdout
    for who in ("kept", "late"):
        result = run(url, "--receipt", receipt(chain[who]))
        assert result.returncode == 0, result.stdout
        assert "inclusion proof leads to the root of statement 3" in result.stdout


def test_an_erased_receipt_and_a_receipt_never_issued_fail(live_server, petition, chain):
    url = f"{live_server.url}/petitions/{petition.slug}/"
    for text in (chain["erased"], receipts.formatted(bytes(20))):
        result = run(url, "--receipt", text)
        assert result.returncode == 1 and "not in the tree of statement 3" in result.stdout


@pytest.fixture
def saved(live_server, petition, chain, tmp_path):
    folder = tmp_path / "evidence"
    result = run(f"{live_server.url}/petitions/{petition.slug}/", "--save", str(folder))
    assert result.returncode == 0, result.stdout
    assert run("--dir", str(folder)).returncode == 0
    return folder


def copy(saved, tmp_path):
    target = tmp_path / "tampered"
    shutil.copytree(saved, target)
    return target


def rewrite(path, change):
    document = json.loads(path.read_bytes())
    change(document)
    path.write_bytes(canonical(document))


def test_a_changed_count_fails(saved, tmp_path):
    folder = copy(saved, tmp_path)
    rewrite(folder / "statements/3.json", lambda d: d.update(count=d["count"] + 1000))
    result = run("--dir", str(folder))
    assert result.returncode == 1
    assert "signature does not verify" in result.stdout and "leaves" in result.stdout


def test_a_removed_leaf_without_a_record_fails(saved, tmp_path):
    folder = copy(saved, tmp_path)
    leaves = (folder / "leaves/3.txt").read_text().split()
    (folder / "leaves/3.txt").write_text("\n".join(leaves[1:]) + "\n")
    result = run("--dir", str(folder))
    assert result.returncode == 1 and "do not give the published root" in result.stdout


def test_a_re_signed_old_statement_fails(saved, tmp_path):
    """Even with the site's own key, rewriting history breaks the chain after it."""
    folder = copy(saved, tmp_path)
    key = keys.current_key()

    def restate(document):
        # What a cut would need: an old statement said differently, signed again.
        document["time"] = document["time"][:-3] + "59Z"
        body = {k: v for k, v in document.items() if k != "signature"}
        document["signature"] = key.sign(canonical(body))

    rewrite(folder / "statements/2.json", restate)
    result = run("--dir", str(folder))
    assert result.returncode == 1 and "chain is broken" in result.stdout
    assert "statement 2: the signature does not verify" not in result.stdout


def test_a_broken_chain_fails(saved, tmp_path):
    folder = copy(saved, tmp_path)
    (folder / "statements/2.json").unlink()
    shutil.copy(folder / "statements/1.json", folder / "statements/2.json")
    result = run("--dir", str(folder))
    assert result.returncode == 1


def test_a_statement_signed_by_another_key_fails(saved, tmp_path):
    folder = copy(saved, tmp_path)
    stranger = keys.SigningKey(
        __import__("cryptography.hazmat.primitives.asymmetric.ed25519",
                   fromlist=["Ed25519PrivateKey"]).Ed25519PrivateKey.generate())

    def resign(document):
        document["key"] = stranger.fingerprint
        body = {k: v for k, v in document.items() if k != "signature"}
        document["signature"] = stranger.sign(canonical(body))

    rewrite(folder / "statements/3.json", resign)
    result = run("--dir", str(folder))
    assert result.returncode == 1 and "unknown key" in result.stdout


def test_an_invented_inclusion_proof_fails(saved, tmp_path, petition, verifier):
    """A proof for a receipt never issued cannot lead to the published root."""
    statement = json.loads((saved / "statements/3.json").read_bytes())
    leaves = [bytes.fromhex(line) for line in (saved / "leaves/3.txt").read_text().split()]
    never = bytes(20)
    leaf = verifier.leaf_of(petition.pk, never)
    # Pretend it sits where the first real leaf is, with that leaf's true path.
    from chorus.signatures.transparency.merkle import MerkleTree

    path = MerkleTree(leaves).inclusion_proof(0)
    assert verifier.root_from_path(leaves[0], 0, len(leaves), path).hex() == statement["root"]
    assert verifier.root_from_path(leaf, 0, len(leaves), path).hex() != statement["root"]

    class Forged(verifier.Folder):
        def proof(self, receipt):
            return {"statement": 3, "tree_size": len(leaves), "leaf_index": 0,
                    "leaf": leaf.hex(), "audit_path": [node.hex() for node in path]}

    report = verifier.verify(Forged(saved), receipt=receipts.formatted(never),
                             report=verifier.Report(out=open("/dev/null", "w")))
    assert any("does not lead to the latest root" in failure for failure in report.failures)


def test_malformed_evidence_is_a_failure_not_a_crash(saved, tmp_path):
    folder = copy(saved, tmp_path)
    (folder / "leaves/2.txt").write_text("not hex at all\n")
    result = run("--dir", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_digest_of_a_document_is_of_its_published_bytes(saved):
    second = json.loads((saved / "statements/2.json").read_bytes())
    assert second["previous"] == hashlib.sha256((saved / "statements/1.json").read_bytes()
                                                ).hexdigest()
    assert base64.b64decode(second["signature"])
