from chorus.api.models import ApiKey, key_digest
from chorus.api.services import api_key_create, api_key_revoke
from chorus.audit.models import AuditEntry


def test_a_created_key_is_stored_only_as_a_digest_and_audited(organisation, owner):
    api_key, secret = api_key_create(organisation=organisation, name="CRM", actor=owner)
    stored = ApiKey.objects.get()
    assert stored.digest == key_digest(secret) and secret not in str(
        ApiKey.objects.values_list().get())
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (owner, "api_key.create",
                                                            str(api_key.pk))
    assert secret not in str(entry.details) + entry.target_repr


def test_revoking_twice_is_recorded_once(organisation, owner):
    api_key, _ = api_key_create(organisation=organisation, name="CRM", actor=owner)
    assert api_key_revoke(api_key=api_key, actor=owner) is True
    assert api_key_revoke(api_key=ApiKey.objects.get(), actor=owner) is False
    assert not ApiKey.objects.active().exists()
    assert AuditEntry.objects.filter(action="api_key.revoke").count() == 1
