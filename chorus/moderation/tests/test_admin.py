"""The rejection reasons and the text history in the admin (chorus/petitions/admin.py)."""

import pytest

from chorus.petitions.models import PetitionRevision, RejectionReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("ada", "ada@example.org", "pw-long-1234")
    client.force_login(user)
    return client


def test_staff_reorder_and_retire_rejection_reasons_in_the_list(admin_client):
    reasons = list(RejectionReason.objects.order_by("position"))
    page = admin_client.get("/admin/petitions/rejectionreason/")
    assert page.status_code == 200 and "Duplicate of an open petition" in page.text
    data = {"form-TOTAL_FORMS": len(reasons), "form-INITIAL_FORMS": len(reasons),
            "_save": "Save"}
    for index, reason in enumerate(reasons):
        data[f"form-{index}-id"] = reason.pk
        data[f"form-{index}-position"] = len(reasons) - index
        if reason.code != "advertising":
            data[f"form-{index}-active"] = "on"
    response = admin_client.post("/admin/petitions/rejectionreason/", data)
    assert response.status_code == 302
    assert RejectionReason.objects.order_by("position").first().code == reasons[-1].code
    assert not RejectionReason.objects.get(code="advertising").active


def test_the_text_history_can_be_read_but_not_changed(admin_client, petition):
    revision = PetitionRevision.objects.create(
        petition=petition, by_staff=True, note="Typo.", changes={"title": ["a", "b"]})
    assert admin_client.get("/admin/petitions/petitionrevision/").status_code == 200
    change_url = f"/admin/petitions/petitionrevision/{revision.pk}/change/"
    assert admin_client.get(change_url).status_code == 200
    admin_client.post(change_url, {"note": "Rewritten."})
    revision.refresh_from_db()
    assert revision.note == "Typo."
    assert admin_client.get("/admin/petitions/petitionrevision/add/").status_code == 403
    delete_url = f"/admin/petitions/petitionrevision/{revision.pk}/delete/"
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert PetitionRevision.objects.filter(pk=revision.pk).exists()
