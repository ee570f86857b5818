"""A reader on a small phone, JavaScript off, searches from the home page."""

import pytest

SMALL_PHONE = {"width": 320, "height": 640}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_a_reader_searches_from_the_home_page_without_javascript(browser, site, petition):
    petition.body = "The lawsuit reaches the Supreme Court in March."
    petition.save()
    context = browser.new_context(java_script_enabled=False, viewport=SMALL_PHONE)
    page = context.new_page()
    outside_requests = []
    page.on("request", lambda request: request.url.startswith(site) or outside_requests.append(
        request.url))

    page.goto(f"{site}/")
    assert fits_the_screen(page)
    search = page.get_by_role("search")
    box = search.get_by_label("Search petitions").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE["width"]
    search.get_by_label("Search petitions").fill("court supreme")
    search.get_by_role("button", name="Search").click()
    page.wait_for_load_state()

    assert "/petitions/?q=court+supreme" in page.url
    assert page.get_by_role("link", name="Stop the lawsuit").count() == 1
    assert fits_the_screen(page)
    assert outside_requests == []
    context.close()
