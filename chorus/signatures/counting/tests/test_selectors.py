import random
from datetime import timedelta
from unittest import mock

from django.core.cache import cache
from django.utils import timezone

from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition
from chorus.signatures.counting.selectors import count_history, country_totals
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import CountSnapshot, Signature

COUNTRIES = ["DE", "GE", "AR", "RU", "KZ", "FR"]


def make(petition, n, *, state="pending", countries=COUNTRIES, start=0):
    return Signature.objects.bulk_create(
        Signature(petition=petition, name=f"S{i}", email=f"t{i}@example.org",
                  email_digest=email_digest(f"t{i}@example.org"),
                  country=countries[i % len(countries)], state=state)
        for i in range(start, start + n)
    )


def test_count_history_countries_and_a_real_count_agree_after_one_run(petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 1  # compare raw totals
    rng = random.Random(7)
    signatures = make(petition, 300)
    for _ in range(4):
        for signature in rng.sample(signatures, 60):
            if rng.random() < 0.7:
                signature.confirm()
            else:
                signature.invalidate()
        signatures_count()
        cache.clear()
        real = Signature.objects.filter(petition=petition, state="confirmed").count()
        cached = Petition.objects.get(pk=petition.pk).signature_count
        last_point = count_history(petition.pk)[-1].signature_count
        by_country = sum(row.count for row in country_totals(petition.pk))
        assert real == cached == last_point == by_country


def test_small_countries_show_only_fewer_than_the_floor(client, petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 5
    make(petition, 12, state="confirmed", countries=["DE"])
    make(petition, 3, state="confirmed", countries=["BY"], start=100)
    signatures_count()
    totals = {row.code: (row.count, row.fewer_than) for row in country_totals(petition.pk)}
    assert totals == {"DE": (12, None), "BY": (None, 5)}

    data = client.get(f"/petitions/{petition.slug}/countries.json").json()
    assert {c["code"]: (c["signature_count"], c["fewer_than"]) for c in data["countries"]} == {
        "DE": (12, None), "BY": (None, 5)}
    for url in [f"/petitions/{petition.slug}/", f"/petitions/{petition.slug}/history/"]:
        page = client.get(url).content.decode()
        assert "Belarus" in page and "fewer than 5" in page
        # The table's row (the map's title for Belarus is tested in test_views).
        belarus = page[page.rindex("Belarus"):page.rindex("Belarus") + 400]
        assert ">3<" not in belarus and " 3 " not in belarus
    chart = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "<svg" in chart and "Signatures by country" in chart


def test_a_past_figure_never_changes(petition):
    signatures = make(petition, 10, state="confirmed")
    earlier = timezone.now() - timedelta(hours=3)
    with mock.patch("chorus.signatures.counting.services.timezone.now", return_value=earlier):
        signatures_count()
    for signature in signatures[:4]:
        signature.invalidate()
    make(petition, 2, state="confirmed", start=50)
    signatures_count()
    history = [(s.hour, s.signature_count) for s in CountSnapshot.objects.order_by("hour")]
    assert [count for _, count in history] == [10, 8]
    assert history[0][0] == earlier.replace(minute=0, second=0, microsecond=0)


def test_the_daily_history_keeps_the_last_figure_of_each_day(petition):
    day = timezone.now().replace(hour=5, minute=0, second=0, microsecond=0) - timedelta(days=2)
    for hours, count in [(0, 3), (4, 9), (24, 12), (30, 20)]:
        CountSnapshot.objects.create(petition=petition, hour=day + timedelta(hours=hours),
                                     signature_count=count)
    assert [p.signature_count for p in count_history(petition.pk, by="day")] == [9, 20]


def test_the_history_page_and_json(client, petition):
    make(petition, 4, state="confirmed")
    signatures_count()
    page = client.get(f"/petitions/{petition.slug}/history/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "4 people have signed as of" in content and "<svg" in content
    response = client.get(f"/petitions/{petition.slug}/history.json")
    data = response.json()
    assert data["signature_count"] == 4
    assert [p["signature_count"] for p in data["hourly"]] == [4]
    assert [p["signature_count"] for p in data["daily"]] == [4]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.cookies
    again = client.get(f"/petitions/{petition.slug}/history.json",
                       HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_drafts_have_no_public_figures(client, organisation):
    draft = Petition.objects.create(organisation=organisation, slug="d", title="D", target="T",
                                    ask="A")
    for suffix in ["history/", "history.json", "countries.json"]:
        assert client.get(f"/petitions/{draft.slug}/{suffix}").status_code == 404
