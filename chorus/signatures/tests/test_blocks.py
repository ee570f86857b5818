"""Staff blocks: IPs and addresses stored only as digests; matching signatures are held."""

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest, ip_digest
from chorus.signatures import services
from chorus.signatures.models import Block, Signature

ADD_URL = "/admin/signatures/block/add/"


def add_block(client, kind, value, note=""):
    return client.post(ADD_URL, {"kind": kind, "value": value, "note": note})


def sign(petition, *, email="nadia@example.org", ip="203.0.113.7"):
    services.signature_create(petition_id=petition.pk, name="Nadia", email=email,
                              country="DE", ip=ip)
    return Signature.objects.order_by("-pk").first()


def test_staff_block_an_ip_by_its_digest_only(client, admin_user):
    client.force_login(admin_user)
    response = add_block(client, "ip", "203.0.113.7", "flood from one address")
    assert response.status_code == 302
    block = Block.objects.get()
    assert block.value == ip_digest("203.0.113.7")
    assert "203.0.113.7" not in str(Block.objects.values().get())
    entry = AuditEntry.objects.get(action="block.add")
    assert "203.0.113.7" not in str(entry.details) + entry.target_repr


def test_staff_block_an_address_by_its_digest_only(client, admin_user):
    client.force_login(admin_user)
    add_block(client, "address", "Spam.Bot@Example.org")
    assert Block.objects.get().value == email_digest("spam.bot@example.org")


def test_domains_are_stored_lower_cased(client, admin_user):
    client.force_login(admin_user)
    add_block(client, "domain", "Bad-Domain.Example")
    assert Block.objects.get().value == "bad-domain.example"


def test_a_malformed_value_is_refused_and_nothing_stored(client, admin_user):
    client.force_login(admin_user)
    for kind, value in [("ip", "not-an-ip"), ("address", "nobody"), ("domain", "nodot"),
                        ("ip", "203.0.113.7\x00")]:
        assert add_block(client, kind, value).status_code == 200  # the form, with an error
    assert not Block.objects.exists()


def test_removing_a_block_is_audited(client, admin_user):
    client.force_login(admin_user)
    add_block(client, "domain", "bad.example")
    block = Block.objects.get()
    client.post(f"/admin/signatures/block/{block.pk}/delete/", {"post": "yes"})
    assert not Block.objects.exists()
    assert AuditEntry.objects.filter(action="block.remove").count() == 1


def test_a_blocked_ip_is_held(petition):
    Block.objects.create(kind="ip", value=ip_digest("203.0.113.7"))
    assert sign(petition).held_reason == "blocked"
    assert sign(petition, email="b@example.org", ip="203.0.113.8").state == "pending"


def test_a_blocked_domain_is_held(petition):
    Block.objects.create(kind="domain", value="bad.example")
    assert sign(petition, email="x@BAD.example").held_reason == "blocked"


def test_a_blocked_address_is_held_in_any_spelling(petition):
    Block.objects.create(kind="address", value=email_digest("nadia.petrova@gmail.com"))
    signature = sign(petition, email="Nadia.Petrova+x@googlemail.com")
    assert (signature.state, signature.held_reason) == ("held", "blocked")
