"""Races that only a real concurrent database can show (PostgreSQL).

Each thread has its own connection and commits on its own, as separate server
processes do; a Barrier releases the threads together so that their
statements really overlap. On SQLite the single writer serialises everything,
so these tests would prove nothing there and are skipped.
"""

import html
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition
from chorus.signatures import services
from chorus.signatures.counting.services import signatures_count, signatures_recount
from chorus.signatures.models import Signature
from chorus.signatures.tasks import confirmations_send, reminders_send
from chorus.signatures.tokens import confirmation_token

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

THREADS = 50
# Who wins a race is chance: a broken guard may let one burst through
# unharmed, hardly several in a row.
BURSTS = 3
# A thread stuck longer than this is a failure to report, not a hang to wait out.
TIMEOUT = 60

SIGNERS = [("Nadia", "Petrova"), ("Ilse", "Berg"), ("Tomas", "Novak")]


def mailbox(first: str, last: str) -> str:
    return f"{first}{last}@gmail.com".lower()


def spellings(first: str, last: str, n: int) -> list[str]:
    """n different spellings of one Gmail mailbox.

    Gmail ignores case, dots and "+tags", googlemail.com is another name for
    gmail.com, and surrounding space is never part of an address.
    """
    name = f"{first}{last}"
    local_parts = [f"{first}.{last}", name.lower(), ".".join(name), f"{first}.{last}".upper()]
    domains = ["gmail.com", "googlemail.com", "Gmail.Com", "GOOGLEMAIL.COM"]
    wrappers = ["{}", " {} ", "\t{}\n"]
    result = []
    for i in range(n):
        j = i // 2  # odd and even i share a form, told apart by the tag
        tag = f"+petition{i}" if i % 2 else ""
        address = f"{local_parts[j % 4]}{tag}@{domains[j // 4 % 4]}"
        result.append(wrappers[j // 16 % 3].format(address))
    return result


def at_once(work, arguments):
    """work(argument) in one thread per argument, all released together; the results.

    An exception in any thread is raised here.
    """
    barrier = threading.Barrier(len(arguments), timeout=TIMEOUT)

    def run(argument):
        try:
            barrier.wait()
            return work(argument)
        finally:
            # An open connection left behind by a thread would block the
            # teardown's DROP DATABASE.
            connection.close()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(run, arguments, timeout=TIMEOUT))


def clients(n: int) -> list[Client]:
    """n test clients sharing one request handler, as a server's threads do.

    Each new handler loads the middleware on its first request, about 0.1 s of
    CPU (WhiteNoise indexes the static files); fifty of those after the
    barrier would spread the requests over seconds and leave no race to test.
    """
    first = Client()
    first.handler.load_middleware()
    others = [Client() for _ in range(n - 1)]
    for client in others:
        client.handler = first.handler
    return [first, *others]


def sign_at_once(petition, signer, addresses: list[str]) -> list[tuple]:
    """Each address signed from its own thread; each response's status, Location and body."""

    def sign(job):
        client, email = job
        response = client.post(f"/petitions/{petition.slug}/sign/", {**signer, "email": email})
        return response.status_code, response.get("Location"), response.content

    return at_once(sign, list(zip(clients(len(addresses)), addresses, strict=True)))


def pending_signature(petition, email: str) -> Signature:
    return Signature.objects.create(
        petition=petition, name="Nadia Petrova", email=email,
        email_digest=email_digest(email), country="DE",
    )


def heading(page: bytes) -> str:
    match = re.search(rb"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)
    return html.unescape(match[1].decode()).strip() if match else ""


def count_of(petition) -> int:
    return Petition.objects.values_list("signature_count", flat=True).get(pk=petition.pk)


def test_fifty_spellings_of_one_address_at_once_make_one_signature(petition, signer):
    responses = []
    for first, last in SIGNERS[:BURSTS]:
        addresses = spellings(first, last, THREADS)
        assert len(set(addresses)) == THREADS  # fifty different requests, not one repeated
        responses += sign_at_once(petition, signer, addresses)

    digests = Signature.objects.filter(petition=petition).values_list("email_digest", flat=True)
    assert sorted(digests) == sorted(email_digest(mailbox(*name)) for name in SIGNERS[:BURSTS])
    # A first signer and a duplicate cannot be told apart by anything in the
    # response, however the requests interleaved.
    assert set(responses) == {(302, f"/petitions/{petition.slug}/thanks/", b"")}


def test_fifty_duplicate_signers_at_once_get_no_more_emails_than_the_limit(
    petition, signer, settings, immediate_tasks, mailoutbox, monkeypatch
):
    settings.CHORUS_CONFIRMATION_MAX_SENDS = 3
    requested = []  # one entry per e-mail granted; list.append is atomic
    schedule = services.confirmations_schedule

    def recording_schedule():
        requested.append(1)
        schedule()

    # E-mails granted while an earlier one is still due go out as one, so the
    # sent mail could hide a broken limit; the grants cannot, as each one
    # schedules a sending task.
    monkeypatch.setattr(services, "confirmations_schedule", recording_schedule)

    bursts = []
    for first, last in SIGNERS[:BURSTS]:
        requested.clear()
        sign_at_once(petition, signer, spellings(first, last, THREADS))
        signature = Signature.objects.get(email_digest=email_digest(mailbox(first, last)))
        sent = [message for message in mailoutbox if message.to == [signature.email]]
        bursts.append((signature, len(requested), len(sent)))

    for signature, granted, sent in bursts:
        # 49 duplicates each asked for another e-mail: only the limit is granted.
        assert (signature.confirmation_sends, granted) == (3, 3)
        assert sent <= 3
    # Each grant scheduled a task that sends whatever is due, so nothing may be
    # left due for some later, unrelated task to find, and every signer has
    # had an e-mail.
    left_due = [(signature.pk, sent) for signature, _, sent in bursts if signature.confirmation_due]
    assert left_due == []
    assert all(sent for _, _, sent in bursts)


def test_fifty_presses_of_one_confirmation_link_at_once_confirm_it_once(petition, monkeypatch):
    outcomes = []  # (signature id, newly confirmed); list.append is atomic
    confirm = services.signature_confirm

    def recording_confirm(*, signature):
        newly_confirmed = confirm(signature=signature)
        outcomes.append((signature.pk, newly_confirmed))
        return newly_confirmed

    # Only the return value shows how many presses confirmed: the count
    # cannot, since a signature's counted flag is flipped once however often
    # its state is written.
    monkeypatch.setattr(services, "signature_confirm", recording_confirm)

    signatures, responses = [], []
    for burst in range(BURSTS):
        signature = pending_signature(petition, f"signer{burst}@example.org")
        link = f"/confirm/{confirmation_token(signature.pk)}/"

        def press(client, link=link):
            response = client.post(link)
            return response.status_code, response.content

        responses += at_once(press, clients(THREADS))
        signatures.append(signature)

    for signature in signatures:
        mine = [newly for pk, newly in outcomes if pk == signature.pk]
        assert sorted(mine) == [False] * (THREADS - 1) + [True]
        signature.refresh_from_db()
        assert signature.state == Signature.State.CONFIRMED

    signatures_count()
    assert count_of(petition) == BURSTS
    signatures_count()
    assert count_of(petition) == BURSTS
    assert signatures_recount() == []

    # Whoever lost the race pressed the same button and must be told the same:
    # that the signature is confirmed, not asked to press it again.
    assert {status for status, _ in responses} == {200}
    headings = Counter(heading(body) for _, body in responses)
    assert headings == {"Thank you: your signature is confirmed": THREADS * BURSTS}


def test_counters_running_at_once_amid_confirmations_count_every_signature_once(
    petition, organisation
):
    other = Petition.objects.create(
        organisation=organisation, slug="other", title="Other", target="T", ask="A"
    )
    other.open()
    already, pending, on_other = 2_000, 800, 300

    def signatures(target, n, start, state):
        return [
            Signature(
                petition=target, name=f"Signer {i}", email=f"s{i}@example.org",
                email_digest=email_digest(f"s{i}@example.org"), country="FR", state=state,
            )
            for i in range(start, start + n)
        ]

    Signature.objects.bulk_create(
        signatures(petition, already, 0, Signature.State.CONFIRMED)
        + signatures(petition, pending, already, Signature.State.PENDING)
        + signatures(other, on_other, 0, Signature.State.CONFIRMED)
    )
    to_confirm = list(Signature.objects.filter(state=Signature.State.PENDING).order_by("pk"))
    counters, confirmers = 3, 4
    unfinished = [confirmers]
    unfinished_lock = threading.Lock()
    confirmed_all = threading.Event()
    samples = []

    def count_in_rounds():
        runs = []
        while not confirmed_all.is_set():
            runs.append(signatures_count())
        # Two more each, so the last confirmations are folded in by runners
        # that still compete.
        runs += [signatures_count() for _ in range(2)]
        return runs

    def confirm_share(share):
        try:
            for signature in share:
                assert signature.confirm()
        finally:
            with unfinished_lock:
                unfinished[0] -= 1
                if not unfinished[0]:
                    confirmed_all.set()

    def observe():
        # One statement is one snapshot: in each, the cached count must equal
        # the signatures flagged as counted, which no confirmation may exceed.
        sample = Petition.objects.filter(pk=petition.pk).annotate(
            flagged=Count("signatures", filter=Q(signatures__counted=True)),
            confirmed=Count(
                "signatures", filter=Q(signatures__state=Signature.State.CONFIRMED)
            ),
        ).values_list("signature_count", "flagged", "confirmed")
        while not confirmed_all.is_set():
            samples.append(sample.get())
        samples.append(sample.get())

    shares = [to_confirm[i::confirmers] for i in range(confirmers)]
    roles = (
        [count_in_rounds] * counters
        + [lambda share=share: confirm_share(share) for share in shares]
        + [observe]
    )
    results = at_once(lambda role: role(), roles)

    runs = [run for runner in results[:counters] for run in runner]
    assert any(run.ran for run in runs)
    assert samples, "the observer saw nothing"
    for cached, flagged, confirmed in samples:
        assert cached == flagged <= confirmed
    cached_counts = [cached for cached, _, _ in samples]
    assert cached_counts == sorted(cached_counts), "the public count went down"

    signatures_count()
    assert count_of(petition) == already + pending
    assert count_of(other) == on_other
    assert Signature.objects.filter(
        state=Signature.State.CONFIRMED, counted=False
    ).count() == 0
    assert signatures_recount() == []
    assert (count_of(petition), count_of(other)) == (already + pending, on_other)



def test_reminder_workers_running_at_once_remind_each_signer_once(petition, mailoutbox):
    signed = timezone.now() - timedelta(hours=25)
    addresses = [f"waiting{i}@example.org" for i in range(450)]  # three batches
    Signature.objects.bulk_create(
        Signature(petition=petition, name="Waiting", email=email, email_digest=email_digest(email),
                  country="DE", created_at=signed, confirmation_due=False)
        for email in addresses
    )

    sent = at_once(lambda _: reminders_send(), range(8))

    assert sum(sent) == len(addresses)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(addresses)
    assert set(Signature.objects.values_list("reminders_sent", "confirmation_sends")) == {(1, 2)}


def test_confirmation_workers_running_at_once_send_each_email_once(petition, mailoutbox):
    addresses = [f"signer{i}@example.org" for i in range(450)]  # three batches
    Signature.objects.bulk_create(
        Signature(petition=petition, name="Signer", email=email, email_digest=email_digest(email),
                  country="DE")
        for email in addresses
    )

    sent = at_once(lambda _: confirmations_send(), range(8))

    assert sum(sent) == len(addresses)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(addresses)
    assert not Signature.objects.filter(confirmation_due=True).exists()


def test_workers_taking_over_an_expired_lease_at_once_send_each_email_once(
    petition, mailoutbox
):
    addresses = [f"left{i}@example.org" for i in range(300)]
    ran_out = timezone.now() - timedelta(seconds=1)  # a killed worker's lease
    Signature.objects.bulk_create(
        Signature(petition=petition, name="Left", email=email, email_digest=email_digest(email),
                  country="DE", confirmation_claimed_until=ran_out)
        for email in addresses
    )

    sent = at_once(lambda _: confirmations_send(), range(8))

    assert sum(sent) == len(addresses)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(addresses)
