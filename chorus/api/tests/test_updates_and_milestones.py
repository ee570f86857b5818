import datetime

from django.utils import timezone

from chorus.petitions.models import Milestone, Petition
from chorus.updates.models import Update


def test_updates_come_newest_first_with_markdown_and_html(client, petition, settings):
    now = timezone.now()
    older = Update.objects.create(petition=petition, title="Hearing set", body="On *Monday*.",
                                  published_at=now - datetime.timedelta(days=2))
    newer = Update.objects.create(petition=petition, title="Case thrown out",
                                  body="The court **agreed**.", published_at=now)
    updates = client.get(f"/api/v1/petitions/{petition.slug}/updates").json()
    assert [u["id"] for u in updates] == [newer.pk, older.pk]
    assert updates[0]["title"] == "Case thrown out"
    assert updates[0]["body"] == "The court **agreed**."
    assert "<strong>agreed</strong>" in updates[0]["body_html"]
    assert updates[0]["browser_url"] == (
        f"{settings.SITE_URL}/petitions/{petition.slug}/#update-{newer.pk}")


def test_an_update_scheduled_for_later_is_not_listed_yet(client, petition):
    Update.objects.create(petition=petition, title="Embargoed", body="Not yet.",
                          published_at=timezone.now() + datetime.timedelta(hours=1))
    assert client.get(f"/api/v1/petitions/{petition.slug}/updates").json() == []


def test_milestones_list_thresholds_in_order(client, petition):
    reached = timezone.now()
    Milestone.objects.create(petition=petition, threshold=50, percent_of_goal=50,
                             reached_at=reached)
    Milestone.objects.create(petition=petition, threshold=10, reached_at=reached)
    milestones = client.get(f"/api/v1/petitions/{petition.slug}/milestones").json()
    assert [(m["threshold"], m["percent_of_goal"]) for m in milestones] == [(10, None), (50, 50)]
    assert milestones[0]["reached_at"].startswith(str(reached.date()))


def test_a_draft_has_no_updates_or_milestones(client, draft):
    Update.objects.create(petition=draft, title="Secret", body="Draft news.")
    for what in ["updates", "milestones"]:
        response = client.get(f"/api/v1/petitions/{draft.slug}/{what}")
        assert response.status_code == 404
        assert "Secret" not in response.content.decode()
    assert client.get("/api/v1/petitions/nope/updates").status_code == 404


def test_updates_are_public_cacheable_and_cookie_free(client, petition):
    Update.objects.create(petition=petition, title="News", body="Good news.")
    url = f"/api/v1/petitions/{petition.slug}/updates"
    response = client.get(url)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" in response["Cache-Control"]
    assert not response.cookies
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_petition_says_whether_it_won_and_what_the_target_answered(client, petition):
    url = f"/api/v1/petitions/{petition.slug}"
    before = client.get(url).json()
    assert (before["victory"], before["victory_at"], before["response"]) == (False, None, None)
    petition.declare_victory()
    petition.record_response(text="We withdraw the lawsuit.", date=datetime.date(2026, 2, 18))
    after = client.get(url).json()
    assert after["victory"] is True and after["victory_at"]
    assert after["response"] == {"text": "We withdraw the lawsuit.", "date": "2026-02-18"}


def test_the_schema_lists_the_new_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/petitions/{slug}/updates" in paths
    assert "/api/v1/petitions/{slug}/milestones" in paths


def test_a_closed_petition_still_shows_its_updates(client, petition):
    Update.objects.create(petition=petition, title="Delivered", body="Handed over.")
    petition.close()
    assert Petition.objects.get().state == "closed"
    updates = client.get(f"/api/v1/petitions/{petition.slug}/updates").json()
    assert [u["title"] for u in updates] == ["Delivered"]
