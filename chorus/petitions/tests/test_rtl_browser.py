"""An Arabic reader on a narrow phone: the page runs right to left, fits, and signing works."""

import re

import pytest
from django.core import mail

from chorus.petitions.models import PetitionTranslation

PHONE = {"width": 375, "height": 800}


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_an_arabic_reader_signs_on_a_phone(browser, site, petition, javascript):
    PetitionTranslation.objects.create(petition=petition, language="ar",
                                       title="أوقفوا الدعوى", ask="اسحبوا الدعوى.")
    mail.outbox = []
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB",
                                  viewport=PHONE)
    page = context.new_page()
    outside_requests = []
    page.on("request", lambda request: request.url.startswith(site) or outside_requests.append(
        request.url))

    # The reader chooses Arabic in the language menu (a <details> and a form: no JavaScript
    # needed).
    page.goto(f"{site}/petitions/{petition.slug}/")
    page.locator("details.language summary").click()
    page.locator("details.language button[value=ar]").click()
    page.wait_for_load_state()

    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "أوقفوا الدعوى"
    assert fits_the_screen(page)
    width = page.evaluate("window.innerWidth")
    for field in ["#id_name", "#id_email", "#id_country", "#id_postcode", "button.primary"]:
        box = page.locator(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, field
    # Right to left: the form's labels start at the right-hand edge of its box.
    label, name = page.locator("label[for=id_name]"), page.locator("#id_name")
    assert abs((label.bounding_box()["x"] + label.bounding_box()["width"])
               - (name.bounding_box()["x"] + name.bounding_box()["width"])) < 2

    page.get_by_label("اسمك").fill("ليلى حسن")
    page.get_by_label("عنوان بريدك الإلكتروني").fill("layla@example.org")
    page.get_by_label("البلد").select_option("EG")
    page.get_by_role("button", name="وقّع العريضة").click()
    page.wait_for_load_state()
    assert "خطوة أخيرة: تحقّق من بريدك الإلكتروني" in page.content()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert fits_the_screen(page)

    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="أكّد توقيعي").click()
    page.wait_for_load_state()
    assert "شكرًا لك: تأكّد توقيعك" in page.content()
    assert fits_the_screen(page)
    assert outside_requests == []
    context.close()


@pytest.mark.django_db(transaction=True)
def test_an_arabic_page_with_mistakes_still_fits_a_phone(browser, site, petition):
    context = browser.new_context(java_script_enabled=False, locale="ar", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site}/petitions/{petition.slug}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_role("button", name="وقّع العريضة").click()
    page.wait_for_load_state()
    assert "يُرجى إدخال اسمك." in page.locator("#name-error").inner_text()
    assert fits_the_screen(page)
    context.close()
