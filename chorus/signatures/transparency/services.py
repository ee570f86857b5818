"""Publishing each petition's log, and proving a receipt is in it.

Once a minute (`runperiodic`'s log step, or `manage.py publishlog`) the
counter counts and, still holding its lock, publishes a statement for every
petition due one: whose counted signatures changed and whose last statement is
from an earlier hour, or, for an open petition, whose last statement is from
an earlier day (UTC). A statement names the count, the root of the Merkle
tree over the leaves of exactly the signatures counted at that moment, what
left the tree since the previous statement and why, the public invalidation
record, and the previous statement's hash; it is canonical JSON signed with
the site's key. docs/verifiable-counts.md explains the scheme.
"""

import bisect
import datetime
import hashlib
import json
import logging
import threading
from collections import OrderedDict

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from chorus.lib.digests import ip_digest
from chorus.petitions.models import Petition
from chorus.signatures.counting.services import counted_moment
from chorus.signatures.models import Signature
from chorus.signatures.transparency import keys, merkle, receipts
from chorus.signatures.transparency.models import (
    Invalidation,
    LogHead,
    LogLeaf,
    ProofCheck,
    Statement,
)

logger = logging.getLogger(__name__)

VERSION = 1
_CHUNK = 5000
# Why a leaf left the tree, by the state of the signature that held it. A leaf
# no signature holds any more was erased (erasing removes the leaf).
REMOVAL_CAUSES = {
    Signature.State.WITHDRAWN: "withdrawn",
    Signature.State.INVALIDATED: "invalidated",
}
ERASED = "erased"
OTHER = "other"


def canonical(document: dict) -> bytes:
    """The one byte string a statement is: sorted keys, no spaces, UTF-8 (RFC 8785 for
    the integers, strings, lists and objects statements are made of)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signed(body: dict, key: keys.SigningKey) -> tuple[str, str]:
    """The published document and its hash."""
    document = canonical({**body, "signature": key.sign(canonical(body))})
    return document.decode(), hashlib.sha256(document).hexdigest()


# Publishing


def log_publish(*, now: datetime.datetime | None = None,
                counted: dict[int, int] | None = None) -> list[Statement]:
    """Publish every statement that is due; returns them ([] if another counter runs).

    It counts first; the changes in count it made are added to `counted` (petition
    id → change), so that the periodic tick records their milestones too.
    """
    with counted_moment(now) as run:
        if run is None:
            return []
        if counted is not None:
            for petition_id, change in run.changes.items():
                counted[petition_id] = counted.get(petition_id, 0) + change
        now = now or timezone.now()
        _give_leaves_to_counted()
        published = []
        for head in _due(now):
            published.extend(_publish(head, now))
    return published


def _give_leaves_to_counted() -> int:
    """A leaf of a receipt nobody is shown, for each counted signature without one.

    Signatures recorded through the keyed API, released from review, or
    counted before receipts existed: so that the count always equals the
    number of leaves.
    """
    if connection.vendor == "postgresql":
        return _give_leaves_in_postgresql()
    given = 0
    while rows := list(
        Signature.objects.filter(counted=True, receipt_leaf__isnull=True)
        .values_list("pk", "petition_id")[:_CHUNK]
    ):
        Signature.objects.bulk_update(
            [Signature(pk=pk, receipt_leaf=receipts.anonymous_leaf(petition_id))
             for pk, petition_id in rows],
            ["receipt_leaf"], batch_size=1000,
        )
        given += len(rows)
    return given


def _give_leaves_in_postgresql() -> int:
    """The same in the database itself, for a site upgrading with millions of signatures:
    the receipt is 20 of the random bytes of two version-4 UUIDs (over 128 random bits)."""
    table = _table(Signature)
    given = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"UPDATE {table} SET receipt_leaf = sha256("  # noqa: S608 - our names
                "'\\x00'::bytea || int8send(petition_id::bigint) || substring("
                "uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) from 1 for %s)) "
                f"WHERE id IN (SELECT id FROM {table} WHERE counted AND receipt_leaf IS NULL "
                "LIMIT %s)", [receipts.RECEIPT_BYTES, 50_000])
            given += cursor.rowcount
            if cursor.rowcount < 50_000:
                return given


def _due(now: datetime.datetime) -> list[LogHead]:
    hour = now.replace(minute=0, second=0, microsecond=0)
    day = hour.replace(hour=0)
    changed = (Q(changed_at__isnull=False)
               & (Q(published_at__isnull=True)
                  | (Q(changed_at__gt=F("published_at")) & Q(published_at__lt=hour))))
    # An open petition says so at least once a day, changed or not: no silent cut.
    quiet_day = Q(published_at__lt=day, petition__in=Petition.objects.open_now())
    return list(LogHead.objects.filter(changed | quiet_day).order_by("pk"))


def _publish(head: LogHead, now: datetime.datetime) -> list[Statement]:
    current = keys.current_key()
    statements = []
    if head.key_fingerprint and head.key_fingerprint != current.fingerprint:
        rotation = _rotate(head, current, now)
        if rotation is None:
            return []
        statements.append(rotation)
    statements.append(_count_statement(head, current, now))
    return statements


def _previous_state(head: LogHead) -> dict:
    if not head.seq:
        return {"signature_count": 0, "root": merkle.EMPTY_ROOT.hex()}
    return Statement.objects.filter(petition_id=head.pk, seq=head.seq).values(
        "signature_count", "root").get()


def _rotate(head: LogHead, new_key: keys.SigningKey, now) -> Statement | None:
    """Hand the log over to the new key, in a statement the old key signs."""
    old_key = keys.key_by_fingerprint(head.key_fingerprint)
    if old_key is None:
        logger.error("petition %s: its log is signed by a key no longer configured; keep the "
                     "old key in CHORUS_SIGNING_KEY until the log has moved to the new one",
                     head.pk)
        return None
    previous = _previous_state(head)
    body = _body(head, "key", now, old_key, count=previous["signature_count"],
                 root=previous["root"])
    body["new_key"] = {"fingerprint": new_key.fingerprint, "public_key": new_key.public_base64}
    return _store(head, body, old_key, now, signature_count=previous["signature_count"],
                  root=previous["root"], next_key=new_key)


def _body(head: LogHead, kind: str, now, key: keys.SigningKey, *, count: int, root: str) -> dict:
    petition = Petition.objects.values("pk", "slug").get(pk=head.pk)
    return {
        "version": VERSION, "kind": kind,
        "petition": {"id": petition["pk"], "slug": petition["slug"]},
        "seq": head.seq + 1, "time": timestamp(now), "previous": head.digest or None,
        "key": key.fingerprint, "count": count, "tree_size": count, "root": root,
    }


def _count_statement(head: LogHead, key: keys.SigningKey, now) -> Statement:
    petition_id, seq = head.pk, head.seq + 1
    leaves = sorted(_counted_leaves(petition_id))
    in_log = dict(_leaves_in_log(petition_id))
    present = set(leaves)
    added = [leaf for leaf in leaves if leaf not in in_log]
    gone = [leaf for leaf in in_log if leaf not in present]
    _add_leaves(petition_id, added, seq)
    gone_ids = [in_log[leaf] for leaf in gone]
    for start in range(0, len(gone_ids), _CHUNK):
        LogLeaf.objects.filter(pk__in=gone_ids[start:start + _CHUNK]).update(removed_seq=seq)

    root = merkle.root_of(leaves).hex()
    body = _body(head, "count", now, key, count=len(leaves), root=root)
    records = list(Invalidation.objects.filter(petition_id=petition_id))
    changed = [record for record in records if record.published != record.as_published()]
    body.update({
        "added": len(added),
        "removed": _removal_causes(petition_id, gone),
        "invalidations": [record.as_published() for record in changed],
        "invalidated_total": sum(record.counted for record in records),
    })
    for record in changed:
        Invalidation.objects.filter(pk=record.pk).update(published=record.as_published())
    counted = Petition.objects.values_list("signature_count", flat=True).get(pk=petition_id)
    if counted != len(leaves):
        logger.warning("petition %s: count %s but %s counted leaves", petition_id, counted,
                       len(leaves))
    return _store(head, body, key, now, signature_count=len(leaves), root=root)


# A statement reads and writes every leaf of a petition: plain SQL, not one
# model instance per leaf (a million of them took minutes through the ORM).


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _counted_leaves(petition_id: int) -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT receipt_leaf FROM {_table(Signature)} "  # noqa: S608 - our names
            "WHERE petition_id = %s AND counted = %s", [petition_id, True])
        return [bytes(leaf) for (leaf,) in cursor.fetchall()]


def _leaves_in_log(petition_id: int) -> list[tuple[bytes, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT leaf, id FROM {_table(LogLeaf)} "  # noqa: S608 - our names
            "WHERE petition_id = %s AND removed_seq IS NULL", [petition_id])
        return [(bytes(leaf), pk) for leaf, pk in cursor.fetchall()]


def _add_leaves(petition_id: int, leaves: list[bytes], seq: int) -> None:
    table = _table(LogLeaf)
    with connection.cursor() as cursor:
        for start in range(0, len(leaves), 50_000):
            chunk = leaves[start:start + 50_000]
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"INSERT INTO {table} (petition_id, leaf, added_seq) "  # noqa: S608
                    "SELECT %s, leaf, %s FROM unnest(%s::bytea[]) AS leaf",
                    [petition_id, seq, chunk])
            else:
                cursor.executemany(
                    f"INSERT INTO {table} (petition_id, leaf, added_seq) "  # noqa: S608
                    "VALUES (%s, %s, %s)", [(petition_id, leaf, seq) for leaf in chunk])


def _removal_causes(petition_id: int, gone: list[bytes]) -> dict[str, int]:
    causes = dict.fromkeys([*REMOVAL_CAUSES.values(), ERASED, OTHER], 0)
    found = 0
    for start in range(0, len(gone), _CHUNK):
        for state in Signature.objects.filter(
            petition_id=petition_id, receipt_leaf__in=gone[start:start + _CHUNK]
        ).values_list("state", flat=True):
            causes[REMOVAL_CAUSES.get(state, OTHER)] += 1
            found += 1
    causes[ERASED] = len(gone) - found
    return causes


def _store(head: LogHead, body: dict, key: keys.SigningKey, now, *, signature_count: int,
           root: str, next_key: keys.SigningKey | None = None) -> Statement:
    document, digest = _signed(body, key)
    statement = Statement.objects.create(
        petition_id=head.pk, seq=body["seq"], kind=body["kind"], published_at=now,
        signature_count=signature_count, root=root, key_fingerprint=key.fingerprint,
        document=document, digest=digest,
    )
    head.seq, head.published_at, head.digest = statement.seq, now, digest
    head.key_fingerprint = (next_key or key).fingerprint
    head.save(update_fields=["seq", "published_at", "digest", "key_fingerprint"])
    return statement


# The public invalidation record


def invalidation_record(*, petition_id: int, kind: str, reason: str, signatures: int = 0,
                        counted: int = 0) -> Invalidation:
    """Record a moderator's invalidation for the public (in the moderator's transaction)."""
    return Invalidation.objects.create(petition_id=petition_id, kind=kind, reason=reason,
                                       signatures=signatures, counted=counted)


def invalidation_grow(*, record_id: int, signatures: int, counted: int) -> None:
    """Add a chunk of a bulk invalidation to its record, in the chunk's own transaction."""
    Invalidation.objects.filter(pk=record_id).update(
        signatures=F("signatures") + signatures, counted=F("counted") + counted
    )


def invalidation_restored(*, record_id: int, restored: int) -> None:
    Invalidation.objects.filter(pk=record_id).update(restored=F("restored") + restored)


# Inclusion proofs

# Keyed by the statement's digest, which names its tree for good.
_trees: OrderedDict[int, tuple[str, merkle.MerkleTree]] = OrderedDict()
_trees_lock = threading.Lock()
# Trees kept per process: a million leaves take about 64 MB with every level.
_TREES_KEPT = 4


def snapshot_leaves(petition_id: int, seq: int):
    """The sorted leaves of statement `seq`'s tree, streamed from the database."""
    return (
        bytes(leaf) for leaf in LogLeaf.objects.filter(petition_id=petition_id, added_seq__lte=seq)
        .filter(Q(removed_seq__isnull=True) | Q(removed_seq__gt=seq))
        .order_by("leaf").values_list("leaf", flat=True).iterator(chunk_size=_CHUNK)
    )


def _tree(statement: Statement) -> merkle.MerkleTree:
    petition_id = statement.petition_id
    with _trees_lock:
        kept = _trees.get(petition_id)
        if kept and kept[0] == statement.digest:
            _trees.move_to_end(petition_id)
            return kept[1]
    tree = merkle.MerkleTree(sorted(snapshot_leaves(petition_id, statement.seq)))
    with _trees_lock:
        _trees[petition_id] = (statement.digest, tree)
        while len(_trees) > _TREES_KEPT:
            _trees.popitem(last=False)
    return tree


def inclusion_proof(*, petition_id: int, receipt_text: str) -> dict | None:
    """The proof that a receipt's leaf is in the latest statement's tree, or None.

    None alike for a receipt that is not in the tree and for one that never
    existed: nobody learns anything from asking.
    """
    receipt = receipts.parsed(receipt_text)
    statement = latest_statement(petition_id)
    if receipt is None or statement is None:
        return None
    leaf = receipts.leaf_for(petition_id, receipt)
    tree = _tree(statement)
    index = bisect.bisect_left(tree.levels[0], leaf)
    if index == tree.size or tree.levels[0][index] != leaf:
        return None
    return {
        "statement": statement.seq, "tree_size": tree.size, "root": tree.root.hex(),
        "leaf": leaf.hex(), "leaf_index": index,
        "audit_path": [node.hex() for node in tree.inclusion_proof(index)],
    }


def latest_statement(petition_id: int) -> Statement | None:
    return Statement.objects.filter(petition_id=petition_id).order_by("-seq").first()


def public_key_document() -> dict:
    configured = keys.signing_keys()
    return {
        "algorithm": "Ed25519",
        "public_key": configured[0].public_base64,
        "fingerprint": configured[0].fingerprint,
        "keys": [{"public_key": key.public_base64, "fingerprint": key.fingerprint}
                 for key in configured],
    }


def fingerprint_short(fingerprint: str) -> str:
    """The first 16 hex digits, grouped, as printed where space is short (the PDF)."""
    return " ".join(fingerprint[i:i + 4] for i in range(0, 16, 4))



def proof_check_allowed(*, ip: str) -> bool:
    """Whether one more inclusion proof may be looked up from this address; if so, it counts.

    At most CHORUS_PROOF_RATE in any minute, counted in the database like the signing
    limits and the login lockout, so that every process and server shares one count.
    One bounded index range scan and an insert; rows that no longer count are deleted at
    once. Two checks at the same instant may both pass at the limit: it holds off a
    flood, it is not a quota. An address we cannot know (an onion visitor) is not
    limited, as no per-IP limit holds them (lib.http.client_ip).
    """
    address = ip_digest(ip)
    if not address:
        return True
    now = timezone.now()
    since = now - datetime.timedelta(minutes=1)
    rate = settings.CHORUS_PROOF_RATE
    if ProofCheck.objects.filter(ip_digest=address, created_at__gt=since)[:rate].count() >= rate:
        return False
    ProofCheck.objects.create(ip_digest=address, created_at=now)
    ProofCheck.objects.filter(created_at__lte=since).delete()
    return True
