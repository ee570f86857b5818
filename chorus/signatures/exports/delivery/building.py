"""Making a requested delivery document in the task worker, into private storage.

Nothing half-made is ever offered: the file is written under a temporary name
and renamed once whole (a rename within one directory is atomic), and the row
says "ready" only after that, and only if its request is still the latest.
A build that fails, for whatever reason, removes its temporary file and says
why in words that name no file; a worker killed outright leaves at most a
temporary file, swept away by the next build of that petition.
"""

import contextlib
import logging
import os
import shutil
import uuid

from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone, translation

from chorus.lib.storage import write_error_name
from chorus.signatures.exports.delivery.pdf import DeliveryNotBuilt, delivery_make
from chorus.signatures.exports.sealed import export_key, sealed_file
from chorus.signatures.models import DeliveryDocument

logger = logging.getLogger(__name__)

PART = ".part"
# What the organiser page can explain; anything else is "could not be made".
DISK_FULL = "ENOSPC"
NOT_BUILT = "not built"


def delivery_build(*, document_id: int, request: str) -> bool:
    """Build the document of this request; True if it is now ready.

    False, and nothing written, when the request was replaced or taken by
    another worker, or the build failed (the row says why).
    """
    # One conditional UPDATE: of two workers handed the same request, one builds.
    claimed = DeliveryDocument.objects.filter(
        pk=document_id, request=request, state=DeliveryDocument.State.QUEUED,
    ).update(state=DeliveryDocument.State.BUILDING, started_at=timezone.now())
    if not claimed:
        return False
    document = DeliveryDocument.objects.select_related("petition__organisation").get(
        pk=document_id)
    petition = document.petition
    counted = petition.signature_count  # "N since" is measured from here
    storage = storages["private"]
    key = export_key(petition)
    folder = f"delivery/{petition.pk}"
    name = f"{folder}/{uuid.uuid4().hex}.pdf{'.age' if key else ''}"
    _sweep(storage, folder, keep=document.file)
    try:
        with translation.override(document.language or None):
            made = delivery_make(petition)
        _write(storage.path(name), [made.content], key)
    except DeliveryNotBuilt:
        return _failed(document, NOT_BUILT)
    except OSError as error:
        return _failed(document, write_error_name(error))
    except BaseException as error:
        _failed(document, type(error).__name__)
        raise
    with transaction.atomic():
        ready = DeliveryDocument.objects.filter(pk=document_id, request=request).update(
            state=DeliveryDocument.State.READY, file=name, sealed=bool(key),
            pages=made.pages, signatures=made.signatures, counted=counted,
            made_at=timezone.now(), failure="",
        )
    if not ready:  # replaced by a newer request while this one was being built
        storage.delete(name)
        return False
    if document.file and document.file != name:
        storage.delete(document.file)  # the one it replaces
    logger.info("delivery document of petition %s ready: %d pages", petition.pk, made.pages)
    return True


def _write(path: str, chunks: list[bytes], key) -> None:
    """The file at `path`, whole or not at all; sealed to the organisation's key if it has one."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    part = path + PART
    try:
        with open(part, "wb") as file:
            os.chmod(part, 0o600)
            if key:
                with sealed_file(chunks, key) as sealed:
                    shutil.copyfileobj(sealed, file)
            else:
                for chunk in chunks:
                    file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.replace(part, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(part)
        raise


def _sweep(storage, folder: str, keep: str) -> None:
    """Remove what a killed build left in the petition's folder (never the current file)."""
    with contextlib.suppress(FileNotFoundError):
        for name in storage.listdir(folder)[1]:
            if f"{folder}/{name}" != keep:
                with contextlib.suppress(OSError):
                    storage.delete(f"{folder}/{name}")


def _failed(document: DeliveryDocument, failure: str) -> bool:
    # By petition and kind of error only: an OSError's text names a path.
    logger.warning("delivery document of petition %s failed (%s)", document.petition_id,
                   failure)
    DeliveryDocument.objects.filter(pk=document.pk, request=document.request).update(
        state=DeliveryDocument.State.FAILED, failure=failure[:40],
    )
    return False
