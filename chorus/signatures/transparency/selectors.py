"""What the public log shows: the statements, one statement, a snapshot's leaves."""

import json

from chorus.signatures.transparency.models import Invalidation, Statement


def statements_of(petition_id: int) -> list[Statement]:
    return list(Statement.objects.filter(petition_id=petition_id).defer("document")
                .order_by("seq"))


def statement_document(petition_id: int, seq: int) -> str | None:
    return (Statement.objects.filter(petition_id=petition_id, seq=seq)
            .values_list("document", flat=True).first())


def latest_reference(petition_id: int) -> dict | None:
    """The latest statement as count.json and the API name it: number, time, root, signature."""
    statement = Statement.objects.filter(petition_id=petition_id).order_by("-seq").first()
    if statement is None:
        return None
    document = json.loads(statement.document)
    return {"number": statement.seq, "time": document["time"], "count": document["count"],
            "root": statement.root, "key": statement.key_fingerprint,
            "signature": document["signature"]}


def invalidations_of(petition_id: int) -> list[Invalidation]:
    return list(Invalidation.objects.filter(petition_id=petition_id).order_by("at", "pk"))
