"""The held signatures page: staff only, never a full address, decisions by POST."""

import pytest

from chorus.signatures import services
from chorus.signatures.models import Signature

URL = "/moderation/held/"
DECIDE = "/moderation/held/decide/"


@pytest.fixture
def held(petition):
    services.signature_create(petition_id=petition.pk, name="Held", email="heldsigner@uni.example",
                              country="RU", ip="203.0.113.7", held_reason="ip-limit")
    services.signature_create(petition_id=petition.pk, name="Disp", email="someone@mailinator.com",
                              country="DE")
    return list(Signature.objects.order_by("pk"))


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_organisers_who_are_not_staff_are_refused(client, owner, held):
    client.force_login(owner)
    assert client.get(URL).status_code == 403
    assert client.post(DECIDE, {"decision": "release",
                                "signatures": [held[0].pk]}).status_code == 403
    assert Signature.objects.filter(state="held").count() == 2


def test_staff_see_held_signatures_oldest_first_with_masked_addresses(client, moderator, held):
    client.force_login(moderator)
    page = client.get(URL).content.decode()
    assert page.index("he•••@uni.example") < page.index("so•••@mailinator.com")
    assert "heldsigner@uni.example" not in page and "heldsigner" not in page
    assert "203.0.113.7" not in page
    assert "ip-limit" in page and "disposable" in page and "Russia" in page


def test_staff_filter_by_reason(client, moderator, held):
    client.force_login(moderator)
    page = client.get(URL, {"reason": "disposable"}).content.decode()
    assert "so•••@mailinator.com" in page and "he•••@uni.example" not in page


def test_a_malformed_filter_gets_a_400(client, moderator, held):
    client.force_login(moderator)
    assert client.get(URL, {"petition": "not a slug\x00"}).status_code == 400


def test_staff_release_the_chosen_signatures(client, moderator, held):
    client.force_login(moderator)
    response = client.post(DECIDE, {"decision": "release", "signatures": [held[0].pk],
                                    "reason": "ip-limit"})
    assert response.status_code == 302 and response["Location"] == URL + "?reason=ip-limit"
    assert list(Signature.objects.order_by("pk").values_list("state", flat=True)) == [
        "pending", "held"]


def test_staff_invalidate_the_chosen_signatures(client, moderator, held):
    client.force_login(moderator)
    client.post(DECIDE, {"decision": "invalidate", "signatures": [s.pk for s in held]})
    assert Signature.objects.filter(state="invalidated").count() == 2


@pytest.mark.parametrize("data", [
    {"decision": "release"}, {"decision": "delete-all", "signatures": ["1"]},
    {"decision": "release", "signatures": ["1; DROP"]}, {"signatures": ["1"]},
    {"decision": "release", "signatures": ["9" * 40]},
])
def test_bad_decisions_change_nothing(client, moderator, held, data):
    client.force_login(moderator)
    response = client.post(DECIDE, data)
    assert response.status_code == 302
    assert Signature.objects.filter(state="held").count() == 2


def test_deciding_needs_a_post(client, moderator):
    client.force_login(moderator)
    assert client.get(DECIDE).status_code == 405
