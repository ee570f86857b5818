"""One-click unsubscribe links: a signed signature id (django.core.signing).

No expiry: an update e-mail may be opened months later, and leaving must still
work. A salt of its own, so no other Chorus token (confirmation, manage) is an
unsubscribe token, and this one grants nothing else.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_signer = signing.Signer(salt="chorus.updates.unsubscribe")


def unsubscribe_token(signature_id: int) -> str:
    return _signer.sign(str(signature_id))


def signature_id_from_unsubscribe_token(token: str) -> int:
    """Raises signing.BadSignature or ValueError."""
    return int(_signer.unsign(token))


def unsubscribe_url(signature_id: int, *, origin: str = "") -> str:
    return (origin or settings.SITE_URL) + reverse(
        "updates:unsubscribe", args=[unsubscribe_token(signature_id)]
    )
