import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chorus.petitions.models import Milestone, Petition
from chorus.signatures.models import Signature
from chorus.testing import make_user

URL = reverse("dashboard:home")


def sign(petition, n, *, confirmed_at=None, state=Signature.State.CONFIRMED):
    start = Signature.objects.count()
    for i in range(start, start + n):
        Signature.objects.create(
            petition=petition, name=f"Signer {i}", email=f"s{i}@example.org",
            email_digest=f"{i:064d}", state=state, confirmed_at=confirmed_at,
        )


def test_the_dashboard_shows_the_organisations_petitions_with_todays_count(
    client, owner, petition, draft, outsider
):
    now = timezone.now()
    sign(petition, 3, confirmed_at=now)
    sign(petition, 2, confirmed_at=now - datetime.timedelta(days=2))
    sign(petition, 4, state=Signature.State.PENDING)
    Petition.objects.filter(pk=petition.pk).update(signature_count=5)
    Milestone.objects.create(petition=petition, threshold=25, percent_of_goal=25,
                             reached_at=now)
    elsewhere = Petition.objects.create(
        organisation=outsider.memberships.get().organisation, slug="secret-draft",
        title="Their secret draft", target="Someone", ask="Something.")
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    rows = {row.petition.slug: row for panel in response.context["panels"]
            for row in panel.petitions}
    assert set(rows) == {petition.slug, draft.slug}
    assert rows[petition.slug].today == 3
    assert rows[draft.slug].today == 0
    assert "Stop the lawsuit" in response.text and "Free the press" in response.text
    assert elsewhere.title not in response.text
    assert "Open" in response.text and "Draft" in response.text
    assert "25% of the goal" in response.text


def test_todays_count_starts_at_midnight_utc(client, owner, petition):
    midnight = timezone.now().astimezone(datetime.UTC).replace(
        hour=0, minute=0, second=0, microsecond=0)
    sign(petition, 1, confirmed_at=midnight - datetime.timedelta(seconds=1))
    sign(petition, 2, confirmed_at=midnight)
    client.force_login(owner)
    (panel,) = client.get(URL).context["panels"]
    assert panel.petitions[0].today == 2


def test_the_dashboard_costs_the_same_queries_for_many_petitions(
    client, owner, organisation, django_assert_max_num_queries
):
    for i in range(12):
        p = Petition.objects.create(organisation=organisation, slug=f"p-{i}", title=f"P {i}",
                                    target="T", ask="A.")
        sign(p, 1, confirmed_at=timezone.now())
    client.force_login(owner)
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert all(row.today == 1 for row in response.context["panels"][0].petitions)


def test_an_editor_is_offered_to_start_a_petition_and_a_viewer_is_not(
    client, editor, viewer, organisation
):
    client.force_login(editor)
    response = client.get(URL)
    assert "No petitions yet. Start one" in response.text
    try:
        assert reverse("petitions:manage:create") in response.text
    except NoReverseMatch:
        pass  # the petition editor is not there yet; the rest still holds
    client.force_login(viewer)
    response = client.get(URL)
    assert "Editors and owners of this organisation can start one" in response.text
    assert "Start one" not in response.text
    assert reverse("organisers:members", args=[organisation.slug]) in response.text


def test_someone_without_an_organisation_is_told_how_to_begin(client, db):
    client.force_login(make_user("newcomer@example.org"))
    response = client.get(URL)
    assert "not a member of any organisation" in response.text
    assert reverse("organisers:organisation_create") in response.text


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    assert client.get(URL)["Location"].startswith(reverse("organisers:login"))
