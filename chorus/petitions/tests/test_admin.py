import pytest

from chorus.organisers.models import Organisation
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("mira", "mira@example.org", "pw-long-1234")
    client.force_login(user)
    return client


def test_staff_manage_organisations_petitions_and_signatures(staff_client, petition):
    Signature.objects.create(
        petition=petition, name="Nadia", email="nadia@example.org", email_digest="n" * 64,
        country="DE",
    )
    for url in ["/admin/organisers/organisation/", "/admin/petitions/petition/",
                "/admin/signatures/signature/", f"/admin/petitions/petition/{petition.pk}/change/",
                "/admin/petitions/petition/add/"]:
        assert staff_client.get(url).status_code == 200, url


def test_staff_create_a_petition_in_the_admin(staff_client, organisation):
    response = staff_client.post("/admin/petitions/petition/add/", {
        "organisation": organisation.pk, "title": "Free them", "slug": "free-them",
        "target": "The Prosecutor", "ask": "Release them.", "body": "", "goal": 500,
        "state": "open", "language": "en", "proof_of_work": "auto",
        "partner_consent": "through",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Petition.objects.get(slug="free-them").organisation == organisation
    assert Organisation.objects.count() == 1


def test_the_signature_admin_never_shows_the_address(staff_client, petition):
    signature = Signature.objects.create(
        petition=petition, name="Nadia", email="nadia@example.org", email_digest="n" * 64,
        country="DE",
    )
    change = f"/admin/signatures/signature/{signature.pk}/change/"
    for url in ["/admin/signatures/signature/", change]:
        assert b"nadia@example.org" not in staff_client.get(url).content


def test_staff_invalidate_signatures_from_the_list(staff_client, petition):
    signature = Signature.objects.create(
        petition=petition, name="Nadia", email="nadia@example.org", email_digest="n" * 64,
        country="DE", state="confirmed",
    )
    response = staff_client.post("/admin/signatures/signature/", {
        "action": "invalidate_one_machine", "_selected_action": [signature.pk],
    }, follow=True)
    assert b"1 signature invalidated" in response.content
    signature.refresh_from_db()
    assert signature.state == Signature.State.INVALIDATED
    # The reason chosen is what the petition's public log shows.
    record = petition.invalidations.get()
    assert (record.kind, record.reason, record.signatures) == ("single", "one_machine", 1)


def test_anonymous_visitors_cannot_reach_the_admin(client, db):
    response = client.get("/admin/petitions/petition/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_organisers_see_which_campaign_code_brought_signatures(staff_client, petition):
    for i, source in enumerate(["radio", "radio", "news", ""]):
        Signature.objects.create(
            petition=petition, name=f"S{i}", email=f"s{i}@example.org",
            email_digest=str(i) * 64, country="DE", state="confirmed", source=source,
        )
    page = staff_client.get(f"/admin/petitions/petition/{petition.pk}/change/").content.decode()
    assert "radio: 2" in page and "news: 1" in page and "(none): 1" in page
