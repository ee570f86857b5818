import io
import re

from defusedxml import ElementTree as ET
from PIL import Image

from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature


def confirmed(petition, country, n, *, start=0):
    Signature.objects.bulk_create(
        Signature(petition=petition, name=f"S{i}", email=f"m{i}@example.org",
                  email_digest=email_digest(f"m{i}@example.org"), country=country,
                  state="confirmed")
        for i in range(start, start + n)
    )


def test_it_gives_the_count(client, petition):
    Petition.objects.filter(pk=petition.pk).update(signature_count=42)
    response = client.get(f"/petitions/{petition.slug}/count.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"slug", "signature_count", "goal", "state", "paused", "updated_at",
                         "statement", "paper"}
    assert (data["slug"], data["signature_count"], data["goal"], data["state"],
            data["paused"]) == ("stop-the-liquidation", 42, 100, "open", False)


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


def history_map(client, petition):
    page = client.get(f"/petitions/{petition.slug}/history/").content.decode()
    svg = re.search(r'<svg class="chart"[^>]*aria-labelledby="map-title".*?</svg>', page).group()
    return page, ET.fromstring(svg)


def country_title(root, name):
    return next(title.text for title in root.iter("title") if title.text.startswith(name))


def test_the_map_shows_a_country_below_the_floor_only_as_fewer_than_the_floor(
        client, petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 5
    confirmed(petition, "BY", 3)
    confirmed(petition, "DE", 60, start=100)
    signatures_count()
    page, root = history_map(client, petition)
    assert root.get("role") == "img"
    assert country_title(root, "Belarus") == "Belarus: fewer than 5"
    assert country_title(root, "Germany") == "Germany: 50 to 499"
    # The same figures, in words, for whoever cannot see the map.
    assert "the table below" in root.findtext("desc")
    assert page.index('id="map-title"') < page.index('id="country-table"')


def test_the_map_puts_a_country_with_many_signatures_in_the_top_class(
        client, petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 2  # the top class starts at 100 × the floor
    confirmed(petition, "FR", 250)
    confirmed(petition, "PT", 5, start=1000)
    signatures_count()
    _, root = history_map(client, petition)
    assert country_title(root, "France") == "France: 200 or more"
    assert country_title(root, "Portugal") == "Portugal: 2 to 19"
    assert country_title(root, "Spain") == "Spain: no signatures"


def test_the_map_as_a_png_is_public_and_the_sharing_size(client, petition, settings):
    settings.CHORUS_PUBLIC_MAX_AGE = 3
    confirmed(petition, "FR", 7)
    signatures_count()
    response = client.get(f"/petitions/{petition.slug}/map.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=3"
    assert not response.cookies
    picture = Image.open(io.BytesIO(response.content))
    assert (picture.format, picture.size) == ("PNG", (1200, 630))
    history = client.get(f"/petitions/{petition.slug}/history/").content.decode()
    assert f"/petitions/{petition.slug}/map.png" in history  # the preview image


def test_the_map_png_is_404_for_unknown_petitions(client, db):
    assert client.get("/petitions/nope/map.png").status_code == 404
