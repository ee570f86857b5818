"""What the petition page tells a signer, and what it weighs."""

import datetime
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from chorus.lib.charts import bar_chart, line_chart
from chorus.lib.template_filters import machine_time
from chorus.petitions.models import Petition

STATIC = Path(settings.BASE_DIR) / "static"
# The page stays light enough for a slow phone on a slow network (docs/architecture.md).
# The one stylesheet serves the organisers' pages too (targets, partners, paper): 27 KB,
# about 6 KB as it travels compressed, and cached for a year under its hashed name.
HTML_BUDGET, CSS_BUDGET, JS_BUDGET = 30 * 1024, 27 * 1024, 15 * 1024


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def closing(petition):
    Petition.objects.filter(pk=petition.pk).update(
        closes_at=datetime.datetime(2030, 1, 9, 23, 59, 59, tzinfo=datetime.UTC))
    return petition


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Closes 9 January 2030"),
    ("ru", "Закрывается 9 января 2030"),
    ("ar", "تُغلق في 9 يناير 2030"),
])
def test_the_closing_date_reads_the_same_way_in_each_language(client, closing, language, words):
    cache.clear()
    page = text_of(client.get(closing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language))
    assert words in page


def test_the_page_names_the_target_the_ask_the_goal_and_who_runs_it(client, petition):
    page = text_of(client.get(petition.get_absolute_url()))
    assert "To: The Government of Norvania" in page
    assert "Withdraw the lawsuit." in page
    assert "Goal: 100" in page
    assert "Started by Spectrum Alliance" in page


def test_share_links_are_on_the_petition_page_itself(client, petition):
    content = client.get(petition.get_absolute_url()).content.decode()
    for share in ["mailto:?subject=", "https://t.me/share/url", "https://wa.me/",
                  "https://x.com/intent/post", "https://www.facebook.com/sharer/",
                  'class="mastodon"', 'id="share-url"']:
        assert share in content, share


def test_a_victory_replaces_the_form_with_the_outcome(client, petition):
    petition.declare_victory()
    content = client.get(petition.get_absolute_url()).content.decode()
    assert 'class="badge victory"' in content and "This petition won" in content
    assert 'id="id_email"' not in content


def test_a_closed_petition_says_so_instead_of_the_form(client, petition):
    petition.close()
    content = client.get(petition.get_absolute_url()).content.decode()
    assert 'class="badge closed"' in content and "Signing has ended" in content
    assert 'id="id_email"' not in content and 'class="sign-cta"' not in content


def test_the_form_says_where_a_name_appears_and_keeps_the_privacy_promise_by_the_button(
    client, petition
):
    content = client.get(petition.get_absolute_url()).content.decode()
    assert "Put my name in the list of signers handed to the target" in content
    assert "This website never shows signers’ names." in content
    button = content.index('class="primary sign-button"')
    promise = content.index('class="privacy"')
    assert 0 < promise - button < 300


def test_the_petition_page_html_css_and_script_stay_within_their_budgets(client, db):
    """Measured on the demo's richest petition: a statement, Markdown, an update, countries."""
    from chorus.demo.services import load_demo

    assert load_demo() is not None
    richest = Petition.objects.get(slug="stop-the-liquidation")
    assert richest.statement and richest.updates.exists() and richest.image
    content = client.get(richest.get_absolute_url()).content
    assert len(content) <= HTML_BUDGET, len(content)
    stylesheets = re.findall(rb'<link rel="stylesheet" href="/static/([^"]+)"', content)
    scripts = re.findall(rb'<script src="/static/([^"]+)"', content)
    assert stylesheets == [b"css/chorus.css"]
    css = sum((STATIC / name.decode()).stat().st_size for name in stylesheets)
    js = sum((STATIC / name.decode()).stat().st_size for name in scripts
             if b"proof-of-work" not in name)
    assert css <= CSS_BUDGET, css
    assert js <= JS_BUDGET, js


def test_the_petition_page_is_still_cached_whole_and_sets_no_cookie(client, petition):
    first = client.get(petition.get_absolute_url())
    assert not first.cookies
    Petition.objects.filter(pk=petition.pk).update(title="Changed behind the cache")
    assert client.get(petition.get_absolute_url()).content == first.content


def test_pictures_below_the_fold_load_lazily(client, db):
    from chorus.demo.services import load_demo

    assert load_demo() is not None
    home = client.get("/").content.decode()
    cards = re.findall(r'<img src="/media/petitions/[^"]+"[^>]*>', home)
    assert cards and all('loading="lazy"' in card for card in cards)


def test_time_elements_carry_valid_datetimes_without_microseconds():
    moment = datetime.datetime(2030, 1, 9, 10, 0, 0, 123456, tzinfo=datetime.UTC)
    assert machine_time(moment) == "2030-01-09T10:00:00Z"
    assert machine_time(moment.date()) == "2030-01-09"
    assert machine_time(None) == ""


def test_in_arabic_the_bar_chart_is_mirrored_so_labels_sit_beside_their_bars():
    rows = [("مصر", 120), ("الأردن", 40)]
    with translation.override("ar"):
        chart = str(bar_chart(rows, title="t", floor_label="<5"))
    assert 'direction="rtl"' in chart
    labels = [float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end"', chart)]
    bars = re.findall(r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)"', chart)
    for label_x, (bar_x, bar_width) in zip(labels, bars, strict=True):
        # The label starts right of where its bar ends: nothing is hidden behind the bar.
        assert label_x >= float(bar_x) + float(bar_width)
    with translation.override("en"):
        assert 'direction="ltr"' in str(bar_chart(rows, title="t", floor_label="<5"))


def test_the_line_chart_keeps_time_running_left_to_right_in_every_language():
    now = timezone.now()
    points = [(now - datetime.timedelta(days=3), 10), (now, 50)]
    with translation.override("ar"):
        chart = str(line_chart(points, title="t"))
    assert 'direction="ltr"' in chart


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        value = value / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    if len(hex_colour) == 4:  # #fff
        hex_colour = "#" + "".join(digit * 2 for digit in hex_colour[1:])
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted([_luminance(one), _luminance(other)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_design_tokens_keep_text_readable_and_the_focus_ring_visible():
    css = (STATIC / "css" / "chorus.css").read_text(encoding="utf-8")
    tokens = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6}|#[0-9a-f]{3})\b", css))
    for background in ("paper", "tint"):
        for text in ("ink", "muted", "accent", "danger", "ok"):
            assert contrast(tokens[text], tokens[background]) >= 4.5, (text, background)
        assert contrast(tokens["focus"], tokens[background]) >= 3, background
    assert contrast(tokens["accent-ink"], tokens["accent"]) >= 4.5
    assert ":focus-visible { outline:3px solid var(--focus)" in css
