"""Every kind of page, in every language we ship, on a small phone and a desktop:

- nothing scrolls sideways at 320 px (wide tables scroll inside their own box);
- axe-core finds no violation of any impact;
- the Nu HTML Checker finds no error in the HTML as served.

One browser and one Java start for the whole run, so the checks stay cheap enough for every
`make test`. With CHORUS_SCREENSHOTS set (`make screenshots`) the same run also saves a picture
of every page into that folder.
"""

import os
from pathlib import Path

import pytest

from chorus.testing import _staff_client_class
from chorus.tests.pages import (
    AXE,
    LANGUAGES,
    VNU,
    WIDTHS,
    axe_violations,
    demo_site,
    page_list,
    vnu_errors,
)

SCREENSHOTS = os.environ.get("CHORUS_SCREENSHOTS")
ONLY = os.environ.get("CHORUS_PAGES")


def logged_in_cookie(user, site_url):
    # A client of its own per person: logging one out would end the other's session.
    client = _staff_client_class()()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site_url}


@pytest.mark.django_db(transaction=True)
def test_every_page_fits_a_phone_and_passes_axe_and_the_html_checker(browser, site, tmp_path):
    assert AXE.exists() and VNU.exists(), "run `npm ci` for axe-core and vnu-jar"
    content = demo_site()
    pages = page_list(content)
    assert len({page.name for page in pages}) >= 25
    if ONLY:  # while working on a few pages: CHORUS_PAGES=petition,home
        pages = [page for page in pages if page.name in ONLY.split(",")]
    cookies = {
        "reader": [],
        "organiser": [logged_in_cookie(content["organiser"], site)],
        "staff": [logged_in_cookie(content["moderator"], site)],
    }
    html_folder = tmp_path / "html"
    html_folder.mkdir()
    problems, checked = [], 0
    for language in LANGUAGES:
        for width_name, viewport in WIDTHS.items():
            contexts, tabs = {}, {}
            for who, jar in cookies.items():
                # bypass_csp: our Content-Security-Policy rightly refuses the injected axe script.
                contexts[who] = browser.new_context(
                    viewport=viewport, locale=language, bypass_csp=True,
                    extra_http_headers={"Accept-Language": language})
                contexts[who].add_cookies(jar)
                tabs[who] = contexts[who].new_page()
            for page_type in pages:
                tab = tabs[page_type.who]
                where = f"{page_type.name} [{language}, {viewport['width']} px]"
                response = tab.goto(site + page_type.path)
                expected = 404 if page_type.name == "not-found" else 200
                if response.status != expected or (
                        page_type.who != "reader" and "/accounts/" in tab.url):
                    # A back-office page must be seen as its user, not as the login form.
                    problems.append(f"{where}: answered {response.status} at {tab.url}")
                    continue
                checked += 1
                if width_name == "desktop":
                    name = f"{page_type.name}-{language}.html"
                    (html_folder / name).write_text(response.text(), encoding="utf-8")
                if tab.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
                    problems.append(f"{where}: scrolls sideways")
                problems.extend(f"{where}: axe {v}" for v in axe_violations(tab))
                if SCREENSHOTS:
                    folder = Path(SCREENSHOTS)
                    folder.mkdir(parents=True, exist_ok=True)
                    tab.screenshot(path=str(
                        folder / f"{page_type.name}-{language}-{viewport['width']}.png"),
                        full_page=True)
            for context in contexts.values():
                context.close()
    assert checked > 0
    for name, errors in sorted(vnu_errors(html_folder).items()):
        problems.extend(f"{name}: vnu {error}" for error in errors)
    assert not problems, "\n".join(problems)


def test_the_html_checker_finds_errors_when_there_are_some(tmp_path):
    """The checker is wired up: a page with a duplicate id and a stray end tag fails."""
    (tmp_path / "broken.html").write_text(
        '<!doctype html><html lang="en"><title>x</title><p id="a">a</p><p id="a">b</div>')
    errors = vnu_errors(tmp_path)
    assert len(errors["broken.html"]) >= 2


def test_axe_finds_violations_when_there_are_some(browser):
    """axe is wired up: an image without a text alternative and an unlabelled field fail."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_content('<!doctype html><html lang="en"><title>x</title><main>'
                    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input></main>')
    violations = axe_violations(tab)
    context.close()
    assert any(v.startswith("image-alt") for v in violations)
    assert any(v.startswith("label") for v in violations)
