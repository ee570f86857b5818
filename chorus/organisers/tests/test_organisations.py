import pytest
from django.urls import reverse

from chorus.audit.models import AuditEntry
from chorus.organisers.models import Membership, Organisation, Role
from chorus.testing import make_user

URL = reverse("organisers:organisation_create")


@pytest.fixture
def organiser(db):
    return make_user("nina.new@example.org")


def test_the_creator_of_an_organisation_becomes_its_owner(client, organiser):
    client.force_login(organiser)
    response = client.post(URL, {"name": "Rainbow Network", "description": "We campaign.",
                                 "website": "https://rainbow.example.org"})
    organisation = Organisation.objects.get(name="Rainbow Network")
    assert organisation.slug == "rainbow-network"
    assert response["Location"] == reverse("organisers:members", args=["rainbow-network"])
    assert Membership.objects.get(organisation=organisation).user == organiser
    assert Membership.objects.get(organisation=organisation).role == Role.OWNER
    assert AuditEntry.objects.filter(action="organisation.create",
                                     target_id=str(organisation.pk)).exists()


def test_a_name_without_latin_letters_still_gets_an_address(client, organiser, organisation):
    client.force_login(organiser)
    client.post(URL, {"name": "Радуга"})
    client.post(URL, {"name": "Сеть"})
    assert set(Organisation.objects.values_list("slug", flat=True)) == {
        "spectrum-alliance", "organisation", "organisation-2"}


def test_a_taken_address_is_refused(client, organiser, organisation):
    client.force_login(organiser)
    response = client.post(URL, {"name": "Copycat", "slug": "spectrum-alliance"})
    assert response.status_code == 400
    assert "already exists" in response.text
    assert not Organisation.objects.filter(name="Copycat").exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"name": ""}, "Please enter the organisation"),
    ({"name": "x" * 201}, "at most 200 characters"),
    ({"name": "Bad\x00Name"}, "Null characters"),
    ({"name": "Bad\x07Name"}, "Please use only letters"),
    ({"name": "Fine", "slug": "not a slug!"}, "letters, numbers"),
    ({"name": "Fine", "website": "javascript:alert(1)"}, "Enter a valid URL"),
])
def test_bad_input_is_refused_with_a_clear_error(client, organiser, data, message):
    client.force_login(organiser)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert message in response.text
    assert not Organisation.objects.exists()


def test_with_closed_sign_up_only_staff_create_organisations(client, settings, organiser,
                                                            moderator):
    settings.CHORUS_OPEN_SIGNUP = False
    client.force_login(organiser)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "Rainbow Network"}).status_code == 403
    client.force_login(moderator)
    client.post(URL, {"name": "Rainbow Network"})
    assert Organisation.objects.filter(name="Rainbow Network").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    assert client.get(URL)["Location"].startswith(reverse("organisers:login"))
