from django.db import transaction

from chorus.api.models import ApiKey
from chorus.audit.services import audit_record
from chorus.organisers.models import Organisation


def api_key_create(*, organisation: Organisation, name: str, actor) -> tuple[ApiKey, str]:
    """A new key for the organisation and its secret, to be shown once and never again."""
    api_key, secret = ApiKey.issue(organisation=organisation, name=name)
    audit_record(actor=actor, action="api_key.create", target=api_key,
                 organisation=organisation.slug)
    return api_key, secret


def api_key_revoke(*, api_key: ApiKey, actor) -> bool:
    """Stop the key working at once; False (and nothing recorded) if it already was."""
    with transaction.atomic():
        # Locked so that two owners pressing "Revoke" together leave one audit entry.
        locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoke()
        api_key.revoked_at = locked.revoked_at
        audit_record(actor=actor, action="api_key.revoke", target=locked,
                     organisation=api_key.organisation.slug)
    return True
