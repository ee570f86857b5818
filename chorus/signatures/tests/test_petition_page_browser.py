"""The petition page puts signing on the first screen, on a desktop and on a phone."""

import datetime
import time

import pytest
from django.utils import timezone

from chorus.petitions.models import Petition, PetitionTranslation

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}


@pytest.fixture
def campaign(petition):
    """A petition with a long story, a closing date and 2 % of its goal, like a real one."""
    body = "\n\n".join(f"Paragraph {n}: " + "why this matters to us. " * 30 for n in range(12))
    Petition.objects.filter(pk=petition.pk).update(
        body=body, statement="We will not be silenced.", statement_by="Mira Kalnina",
        goal=10_000, signature_count=200,
        closes_at=datetime.datetime(2030, 1, 9, 23, 59, 59, tzinfo=datetime.UTC),
        counted_at=timezone.now(),
    )
    petition.refresh_from_db()
    return petition


def settled(page) -> None:
    """Wait for a smooth scroll to end (polled from here: with JavaScript off the page runs
    no timers of its own)."""
    last = None
    for _ in range(40):
        now = page.evaluate("window.scrollY")
        if now == last:
            return
        last = now
        time.sleep(0.15)


def in_first_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    return (box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
            and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ru", "ar"])
def test_on_a_desktop_the_email_field_is_on_the_first_screen(browser, site, campaign, language):
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    page.goto(f"{site}/petitions/{campaign.slug}/")
    assert in_first_viewport(page, "#id_email")
    # The form sits beside the story, and stays there while the story scrolls.
    form, story = page.locator("#sign").bounding_box(), page.locator(".body").bounding_box()
    assert form["y"] < 800 and story["height"] > 800
    beside = form["x"] > story["x"] + story["width"] if language != "ar" else (
        form["x"] + form["width"] < story["x"])
    assert beside
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(300)
    assert in_first_viewport(page, "#id_name")
    context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_on_a_phone_the_count_and_a_sign_button_lead_to_the_form(
    browser, site, campaign, javascript
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{site}/petitions/{campaign.slug}/")
    assert in_first_viewport(page, ".sign-cta .cta-count")
    assert in_first_viewport(page, ".sign-cta a.button")
    assert not in_first_viewport(page, "#id_email")
    page.locator(".sign-cta a.button").click()
    settled(page)
    assert in_first_viewport(page, "#id_name")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_a_sign_bar_follows_the_reader_through_the_story(browser, site, campaign):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site}/petitions/{campaign.slug}/")
    bar = page.locator("#sign-bar")
    assert not bar.is_visible()  # the count's own button is on screen
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(500)
    assert bar.is_visible()
    bar.get_by_role("link").click()
    settled(page)
    assert in_first_viewport(page, "#id_name") and not bar.is_visible()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_two_percent_of_the_goal_is_still_a_visible_bar(browser, site, campaign):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{site}/petitions/{campaign.slug}/")
    track = page.locator("#sign .progress").bounding_box()
    filled = page.evaluate(
        """() => {
          const bar = document.querySelector('#sign .progress');
          const rect = bar.querySelector('rect').getBoundingClientRect();
          const cap = getComputedStyle(bar, '::before').width;
          return Math.max(rect.width, parseFloat(cap));
        }""")
    assert filled >= 8 and filled < track["width"] / 10
    context.close()


@pytest.mark.django_db(transaction=True)
def test_an_english_petition_on_a_russian_page_is_read_in_english(browser, site, campaign):
    PetitionTranslation.objects.create(petition=campaign, language="ru", title="Остановите иск")
    context = browser.new_context(viewport=DESKTOP, locale="ru")
    page = context.new_page()
    page.goto(f"{site}/petitions/{campaign.slug}/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").get_attribute("lang") == "ru"
    # The body was not translated: a screen reader must switch to English for it.
    assert page.locator(".petition-text .body").get_attribute("lang") == "en"
    assert page.locator(".petition-text .ask").get_attribute("lang") == "en"
    context.close()
