import pytest

from chorus.api.models import ApiKey, key_digest
from chorus.audit.models import AuditEntry


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("mira", "mira@example.org", "pw-1234-long")
    client.force_login(user)
    return client


def test_staff_make_a_key_in_the_admin_and_see_it_once(admin_client, organisation):
    response = admin_client.post("/admin/api/apikey/add/",
                                 {"organisation": organisation.pk, "name": "CRM",
                                  "revoked_at_0": "", "revoked_at_1": ""}, follow=True)
    [message] = [str(m) for m in response.context["messages"] if "not be shown again" in str(m)]
    secret = message.rsplit(" ", 1)[1]
    assert ApiKey.objects.get().digest == key_digest(secret)
    assert secret not in admin_client.get("/admin/api/apikey/").content.decode()
    assert AuditEntry.objects.get().action == "api_key.create"


def test_staff_revoke_keys_in_the_admin(admin_client, organisation):
    api_key, _ = ApiKey.issue(organisation=organisation, name="CRM")
    admin_client.post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]})
    assert not ApiKey.objects.active().exists()
    assert AuditEntry.objects.get().action == "api_key.revoke"
