from chorus.petitions.models import Petition


def test_it_gives_the_count(client, petition):
    Petition.objects.filter(pk=petition.pk).update(signature_count=42)
    response = client.get(f"/petitions/{petition.slug}/count.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"slug", "signature_count", "goal", "state", "updated_at", "statement"}
    assert (data["slug"], data["signature_count"], data["goal"], data["state"]) == (
        "stop-the-liquidation", 42, 100, "open",
    )


def test_it_can_be_read_from_any_site_and_cached(client, petition, settings):
    settings.CHORUS_PUBLIC_MAX_AGE = 3
    response = client.get(f"/petitions/{petition.slug}/count.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=3"
    assert response["ETag"]
    assert not response.cookies


def test_it_answers_not_modified_to_a_matching_etag(client, petition):
    etag = client.get(f"/petitions/{petition.slug}/count.json")["ETag"]
    again = client.get(f"/petitions/{petition.slug}/count.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"


def test_it_is_404_for_unknown_petitions(client, db):
    assert client.get("/petitions/nope/count.json").status_code == 404


def test_a_closed_petition_still_reports_its_count(client, petition):
    petition.close()
    assert client.get(f"/petitions/{petition.slug}/count.json").json()["state"] == "closed"
