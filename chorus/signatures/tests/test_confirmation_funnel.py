"""The confirmation funnel as organisers see it on their petition page."""

import datetime
import html
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chorus.petitions.models import Petition
from chorus.signatures.counting.tests.test_funnel import at, opened_long_ago, sign
from chorus.signatures.models import Signature


@pytest.fixture
def page(client, petition, owner):
    client.force_login(owner)

    def page(language="en") -> str:
        response = client.get(
            reverse("petitions:manage:detail", args=[petition.slug]),
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 200
        return response.content.decode()

    return page


def funnel_of(content: str) -> str:
    match = re.search(r'<section class="funnel".*?</section>', content, re.S)
    assert match, "the page has no confirmation funnel"
    return match.group(0)


def rows(section: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table class="figures {table}">.*?<tbody>(.*?)</tbody>', section, re.S)
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
         for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


def test_it_shows_made_confirmed_and_the_rate_for_each_day(page, petition):
    petition = opened_long_ago(petition)
    sign(petition, 3, when=at(0), confirmed=True)
    sign(petition, 1, when=at(0))
    sign(petition, 1, when=at(2), confirmed=True)
    sign(petition, 3, when=at(2))
    section = funnel_of(page())
    days = rows(section, "funnel-days")
    assert len(days) == 14
    assert days[0][1:] == ["4", "3", "75%", "0"]  # made, confirmed, rate, reminded
    assert days[1][1:] == ["0", "0", "—", "0"]
    assert days[2][1:] == ["4", "1", "25%", "0"]
    assert f'<time datetime="{at(2).date().isoformat()}">' in section
    assert "The last 14 days (UTC), newest first" in section
    assert re.search(r"<dt>Signatures made</dt><dd>8</dd>\s*<dt>Confirmed</dt><dd>4</dd>", section)


def test_a_domain_below_the_floor_is_grouped_into_other_domains(page, petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 5
    petition = opened_long_ago(petition)
    sign(petition, 6, when=at(0), domain="mail.example", confirmed=True)
    sign(petition, 4, when=at(0), domain="small-ngo.example")
    sign(petition, 2, when=at(0), domain="tiny.example", confirmed=True)
    content = page()
    domains = rows(funnel_of(content), "funnel-domains")
    # Domain, made, confirmed, rate, refused by the mail server.
    assert domains == [["mail.example", "6", "6", "100%", "0"],
                       ["Other domains", "6", "2", "33%", "0"]]
    assert "small-ngo.example" not in content and "tiny.example" not in content
    assert "domains with fewer than 5 signatures are counted together" in content


def test_other_domains_too_few_to_show_say_only_fewer_than_the_floor(page, petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 5
    petition = opened_long_ago(petition)
    sign(petition, 5, when=at(0), domain="mail.example")
    sign(petition, 1, when=at(0), domain="lonely.example", confirmed=True)
    domains = rows(funnel_of(page()), "funnel-domains")
    assert domains[-1] == ["Other domains", "fewer than 5", "—", "—", "—"]


def test_no_address_appears_on_the_page(page, petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 1
    petition = opened_long_ago(petition)
    sign(petition, 3, when=at(0), domain="mail.example", confirmed=True)
    sign(petition, 2, when=at(1), domain="other.example")
    content = page()
    for signature in Signature.objects.all():
        assert signature.email not in content
        assert signature.name not in content
    assert "@mail.example" not in content and "@other.example" not in content


def test_the_page_makes_as_many_queries_for_many_signatures_as_for_few(
    page, petition, settings, django_assert_max_num_queries
):
    settings.CHORUS_COUNTRY_FLOOR = 2
    petition = opened_long_ago(petition)

    def queries() -> int:
        cache.clear()  # the funnel is cached for a minute: make each page read it afresh
        with CaptureQueriesContext(connection) as captured:
            page()
        return len(captured.captured_queries)

    sign(petition, 3, when=at(0), domain="a.example", confirmed=True)
    page()
    few = queries()
    for days_ago in range(14):
        for domain in ("b.example", "c.example", f"only-{days_ago}.example"):
            sign(petition, 3, when=at(days_ago), domain=domain, confirmed=days_ago % 3 == 0)
    cache.clear()
    with django_assert_max_num_queries(few):
        page()
    assert queries() == few


def test_the_page_reads_in_russian(page, petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 5
    petition = opened_long_ago(petition)
    sign(petition, 5, when=at(0), domain="mail.example", confirmed=True)
    sign(petition, 1, when=at(0), domain="lonely.example")
    section = funnel_of(page("ru"))
    assert "Последние 14 дней (UTC), сначала новые" in section
    assert "Другие домены" in section
    assert "меньше 5 подписей, учитываются вместе" in section


def test_an_open_petition_nobody_has_signed_says_so_without_empty_tables(page, petition):
    section = funnel_of(page())
    assert "Nobody has signed yet." in section
    assert "<table" not in section


def test_a_petition_that_never_opened_has_no_funnel(client, draft, owner):
    client.force_login(owner)
    content = client.get(reverse("petitions:manage:detail", args=[draft.slug])).content.decode()
    assert 'class="funnel"' not in content


def test_a_viewer_of_the_organisation_sees_it_and_an_outsider_does_not(
    client, petition, viewer, outsider
):
    petition = opened_long_ago(petition)
    sign(petition, 2, when=at(0), confirmed=True)
    url = reverse("petitions:manage:detail", args=[petition.slug])
    client.force_login(viewer)
    assert 'class="funnel"' in client.get(url).content.decode()
    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code in (403, 404)
    assert 'class="funnel"' not in response.content.decode()


class Balance(HTMLParser):
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.problems.append(tag)


def test_the_funnel_is_well_formed_with_captioned_tables(page, petition, settings):
    settings.CHORUS_COUNTRY_FLOOR = 2
    petition = Petition.objects.get(pk=opened_long_ago(petition).pk)
    sign(petition, 3, when=at(0), domain="mail.example", confirmed=True)
    sign(petition, 1, when=at(0) - datetime.timedelta(days=1), domain="lone.example")
    section = funnel_of(page())
    checker = Balance()
    checker.feed(section)
    assert checker.problems == [] and checker.open == []
    assert section.count("<caption>") == section.count("<table") == 2
    assert 'aria-labelledby="funnel-heading"' in section and 'id="funnel-heading"' in section
