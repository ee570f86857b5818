"""Proof of work (ALTCHA) before signing: off by default, on when needed, never a wall."""

import base64
import json
from datetime import timedelta

import altcha
import pytest
from django.core.cache import cache
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature, UsedChallenge
from chorus.signatures.proof_of_work import services as proof_of_work

REFUSED = "did not succeed"


@pytest.fixture(autouse=True)
def _small_puzzles_and_fresh_throttles(settings):
    # A puzzle of a few hundred hashes: solved in the test in milliseconds.
    settings.CHORUS_ALTCHA_MAXNUMBER = 300
    proof_of_work._next_check_at.clear()
    proof_of_work._next_purge_at = 0.0
    yield
    proof_of_work._next_check_at.clear()


@pytest.fixture
def guarded(petition):
    """The petition, with staff having switched proof of work on in the admin."""
    petition.proof_of_work = Petition.ProofOfWork.ALWAYS
    petition.save()
    cache.clear()
    return petition


def solve(challenge: dict) -> str:
    """What the widget posts: the challenge and the number the browser found."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed, timeout=10)
    assert solution is not None
    return altcha.Payload(parsed, solution).to_base64()


def fresh_solution(client) -> str:
    return solve(client.get("/challenge/").json())


def sign(client, petition, signer, solution=None, *, embed=False):
    data = dict(signer)
    if solution is not None:
        data["altcha"] = solution
    prefix = "embed/" if embed else ""
    return client.post(f"/petitions/{petition.slug}/{prefix}sign/", data)


def reencode(payload: str, change) -> str:
    decoded = json.loads(base64.b64decode(payload))
    change(decoded)
    return base64.b64encode(json.dumps(decoded).encode()).decode()


def held_signatures(petition, count, *, age=timedelta(minutes=1)):
    created_at = timezone.now() - age
    Signature.objects.bulk_create(
        Signature(
            petition=petition, name=f"Bot {n}", email_digest=f"bot-{n}-{age}",
            state=Signature.State.HELD, held_reason="ip-limit", created_at=created_at,
        )
        for n in range(count)
    )


# Off by default


def test_the_petition_page_has_no_widget_by_default(client, petition):
    page = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "altcha-widget" not in page
    assert "vendor/altcha" not in page


def test_signing_without_a_solution_is_normal_when_it_is_off(client, petition, signer):
    response = sign(client, petition, signer)
    assert response.status_code == 302
    assert Signature.objects.get().state == Signature.State.PENDING


# The page and the challenge


def test_a_guarded_petition_shows_the_widget_served_from_our_origin(client, guarded):
    page = client.get(f"/petitions/{guarded.slug}/").content.decode()
    assert '<altcha-widget challenge="/challenge/" name="altcha"' in page
    assert 'src="/static/vendor/altcha/altcha.js"' in page
    assert 'src="/static/js/proof-of-work.js"' in page
    assert "With JavaScript off, a person checks your signature" in page
    assert "<script>" not in page and " style=" not in page


def test_the_challenge_endpoint_gives_a_signed_challenge_and_sets_no_cookie(client):
    response = client.get("/challenge/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    challenge = response.json()
    assert challenge["signature"]
    assert challenge["parameters"]["algorithm"] == "SHA-256"
    assert challenge["parameters"]["expiresAt"] > timezone.now().timestamp() + 590
    assert client.get("/challenge/").json()["signature"] != challenge["signature"]


def test_the_challenge_endpoint_refuses_a_post(client):
    response = client.post("/challenge/")
    assert response.status_code == 405
    assert response["Allow"] == "GET"


# Verification


def test_a_valid_solution_lets_the_signature_through(client, guarded, signer):
    response = sign(client, guarded, signer, fresh_solution(client))
    assert response.status_code == 302
    assert response["Location"] == f"/petitions/{guarded.slug}/thanks/"
    signature = Signature.objects.get()
    assert signature.state == Signature.State.PENDING
    assert signature.held_reason == ""


def test_the_same_solution_twice_fails_the_second_time(client, guarded, signer):
    solution = fresh_solution(client)
    assert sign(client, guarded, signer, solution).status_code == 302
    again = sign(client, guarded, {**signer, "email": "someone.else@example.org"}, solution)
    assert again.status_code == 400
    assert REFUSED in again.content.decode()
    assert Signature.objects.count() == 1


def test_an_expired_solution_fails(client, guarded, signer):
    issued_long_ago = timezone.now() - timedelta(seconds=601)
    solution = solve(proof_of_work.challenge_create(now=issued_long_ago))
    response = sign(client, guarded, signer, solution)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Signature.objects.exists()


def test_a_solution_expires_after_the_configured_time(db, settings):
    settings.CHORUS_ALTCHA_EXPIRES_SECONDS = 60
    now = timezone.now()
    solution = solve(proof_of_work.challenge_create(now=now))
    later = now + timedelta(seconds=61)
    assert proof_of_work.solution_verify(solution, now=later) == proof_of_work.Verdict.INVALID
    assert proof_of_work.solution_verify(solution, now=now) == proof_of_work.Verdict.VALID


def _wrong_answer(payload):
    payload["solution"]["derivedKey"] = "00" * 32


def _longer_life(payload):
    payload["challenge"]["parameters"]["expiresAt"] += 3600


def _easier_puzzle(payload):
    payload["challenge"]["parameters"]["keyPrefix"] = "00"


def _forged_signature(payload):
    payload["challenge"]["signature"] = "ab" * 32


def _no_signature(payload):
    del payload["challenge"]["signature"]


@pytest.mark.parametrize(
    "tamper", [_wrong_answer, _longer_life, _easier_puzzle, _forged_signature, _no_signature]
)
def test_a_tampered_solution_fails(client, guarded, signer, tamper):
    solution = reencode(fresh_solution(client), tamper)
    response = sign(client, guarded, signer, solution)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Signature.objects.exists()
    assert not UsedChallenge.objects.exists()


@pytest.mark.parametrize("solution", [
    "not base64 at all!",
    base64.b64encode(b"[1, 2, 3]").decode(),
    base64.b64encode(b'{"challenge": null, "solution": null, "test": true}').decode(),
    base64.b64encode(b'{"challenge": {"parameters": "x"}, "solution": {}}').decode(),
    base64.b64encode(b"[" * 5000 + b"]" * 5000).decode(),
    "eyJ\x00abc",
    "A" * 10_000,
], ids=["garbage", "a-list", "widget-test-mode", "wrong-shapes", "deeply-nested", "nul",
        "overlong"])
def test_a_malformed_solution_is_refused_with_a_clear_error(client, guarded, signer, solution):
    response = sign(client, guarded, signer, solution)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Signature.objects.exists()


# JavaScript off


def test_without_javascript_the_signature_is_held_and_answered_like_any_other(
    client, guarded, signer
):
    solved = sign(client, guarded, signer, fresh_solution(client))
    without = sign(client, guarded, {**signer, "email": "no.script@example.org"})
    assert without.status_code == solved.status_code == 302
    assert without["Location"] == solved["Location"]
    held = Signature.objects.get(state=Signature.State.HELD)
    assert held.held_reason == "no-proof-of-work"
    assert Signature.objects.filter(state=Signature.State.PENDING).count() == 1


def test_the_embed_checks_the_solution_too(client, guarded, signer):
    assert sign(client, guarded, signer, "forged", embed=True).status_code == 400
    response = sign(client, guarded, signer, embed=True)
    assert response.status_code == 302
    assert response["Location"] == f"/petitions/{guarded.slug}/embed/thanks/"
    assert Signature.objects.get().held_reason == "no-proof-of-work"


# Switching itself on


def test_it_switches_on_after_enough_held_signatures_in_the_window(client, petition):
    client.get(f"/petitions/{petition.slug}/")  # the page, now cached without the widget
    held_signatures(petition, 20)
    assert proof_of_work.proof_of_work_check(petition.pk) is True

    petition.refresh_from_db()
    assert proof_of_work.required(petition)
    remaining = petition.proof_of_work_until - timezone.now()
    assert timedelta(minutes=59) < remaining <= timedelta(hours=1)
    entry = AuditEntry.objects.get(action="petition.proof_of_work_on")
    assert entry.actor is None and entry.target_id == str(petition.pk)
    assert entry.details["held"] == 20
    assert "altcha-widget" in client.get(f"/petitions/{petition.slug}/").content.decode()


def test_it_stays_off_below_the_threshold(petition):
    held_signatures(petition, 19)
    assert proof_of_work.proof_of_work_check(petition.pk) is False
    petition.refresh_from_db()
    assert petition.proof_of_work_until is None


def test_held_signatures_older_than_the_window_do_not_count(petition):
    held_signatures(petition, 30, age=timedelta(minutes=11))
    assert proof_of_work.proof_of_work_check(petition.pk) is False


def test_pending_signatures_do_not_count(petition):
    Signature.objects.bulk_create(
        Signature(petition=petition, name="Fan", email_digest=f"fan-{n}") for n in range(30)
    )
    assert proof_of_work.proof_of_work_check(petition.pk) is False


def test_it_switches_off_again_after_the_duration(petition):
    held_signatures(petition, 20)
    proof_of_work.proof_of_work_check(petition.pk)
    petition.refresh_from_db()
    an_hour_later = timezone.now() + timedelta(seconds=3601)
    assert not proof_of_work.required(petition, now=an_hour_later)
    # The old held signatures have left the window: nothing switches it on again.
    assert proof_of_work.proof_of_work_check(petition.pk, now=an_hour_later) is False
    assert AuditEntry.objects.filter(action="petition.proof_of_work_on").count() == 1


def test_it_is_audited_once_while_it_is_on(petition):
    held_signatures(petition, 20)
    assert proof_of_work.proof_of_work_check(petition.pk) is True
    assert proof_of_work.proof_of_work_check(petition.pk) is False
    assert AuditEntry.objects.filter(action="petition.proof_of_work_on").count() == 1


def test_a_signature_on_a_flooded_petition_switches_it_on(client, petition, signer):
    held_signatures(petition, 20)
    assert sign(client, petition, signer).status_code == 302
    petition.refresh_from_db()
    assert proof_of_work.required(petition)
    # The next signer without a solution is held, not refused.
    sign(client, petition, {**signer, "email": "next@example.org"})
    assert Signature.objects.get(held_reason="no-proof-of-work").state == Signature.State.HELD


def test_the_sign_view_looks_at_held_signatures_at_most_every_ten_seconds(
    client, petition, signer, monkeypatch
):
    checks = []
    monkeypatch.setattr(proof_of_work, "proof_of_work_check", checks.append)
    for n in range(3):
        sign(client, petition, {**signer, "email": f"signer{n}@example.org"})
    assert checks == [petition.pk]


def test_staff_choice_of_always_is_left_alone(petition):
    petition.proof_of_work = Petition.ProofOfWork.ALWAYS
    petition.save()
    held_signatures(petition, 20)
    assert proof_of_work.proof_of_work_check(petition.pk) is False
    assert not AuditEntry.objects.filter(action="petition.proof_of_work_on").exists()


# Spent challenges


def test_spent_challenges_are_forgotten_once_expired(client, guarded, signer):
    UsedChallenge.objects.create(
        challenge="old", expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert sign(client, guarded, signer, fresh_solution(client)).status_code == 302
    assert list(UsedChallenge.objects.values_list("challenge", flat=True)) != ["old"]
    assert not UsedChallenge.objects.filter(challenge="old").exists()
    assert UsedChallenge.objects.count() == 1
