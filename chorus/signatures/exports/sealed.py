"""Exports sealed to the organisation's own key: only its private key opens the file.

An organisation with a key gets every export as an `age` file: the server
cannot keep or leak a readable copy, and the file is safe wherever it is
downloaded or forwarded. `age -d -i key.txt` opens it; for the CSV,
`tools/chorus-open` also opens each row's sealed fields (docs/organisers.md).
"""

import tempfile
from collections.abc import Iterable

import pyrage

from chorus.lib import sealing
from chorus.organisers.models import OrganisationKey
from chorus.signatures.sealing.services import current_key

# Beyond this the plain file goes to a temporary file while it is sealed: it
# holds only what the server could already read, and is gone when sealed.
IN_MEMORY_BYTES = 32 * 1024 * 1024


def export_key(petition) -> OrganisationKey | None:
    return current_key(petition.organisation_id)


def sealed_file(chunks: Iterable[str | bytes], key: OrganisationKey):
    """The chunks sealed to `key`, as a file positioned at its start."""
    plain = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)
    for chunk in chunks:
        plain.write(chunk.encode() if isinstance(chunk, str) else chunk)
    plain.seek(0)
    sealed = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)
    pyrage.encrypt_io(plain, sealed, [sealing.recipient(key.recipient)])
    plain.close()
    sealed.seek(0)
    return sealed
