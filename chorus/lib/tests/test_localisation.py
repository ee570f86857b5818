"""Numbers, dates and country names read as a reader of that language expects."""

import datetime

from django.test import Client

from chorus.petitions.models import Petition

PAGE = "/petitions/stop-the-liquidation/"
NBSP = "\u00a0"


def counted(petition, count: int) -> Petition:
    Petition.objects.filter(pk=petition.pk).update(
        signature_count=count, goal=20000,
        counted_at=datetime.datetime(2025, 2, 18, 12, 0, tzinfo=datetime.UTC),
    )
    return Petition.objects.get(pk=petition.pk)


def page_in(language: str) -> str:
    return Client(HTTP_ACCEPT_LANGUAGE=language).get(PAGE).content.decode()


def test_a_russian_reader_sees_thousands_grouped_with_a_non_breaking_space(petition):
    counted(petition, 9500)
    page = page_in("ru")
    assert f"<strong>9{NBSP}500</strong>" in page
    assert f"20{NBSP}000" in page  # the goal


def test_an_english_reader_sees_thousands_grouped_with_a_comma(petition):
    counted(petition, 9500)
    assert "<strong>9,500</strong>" in page_in("en")


def test_a_russian_reader_sees_russian_month_names(petition):
    counted(petition, 9500)
    page = page_in("ru")
    assert "18 февраля 2025" in page
    assert "February" not in page


def test_a_russian_reader_chooses_among_russian_country_names(petition):
    page = page_in("ru")
    assert ">Германия</option>" in page
    assert ">Germany</option>" not in page
    assert ">Germany</option>" in page_in("en")


def test_the_history_page_uses_the_readers_number_and_date_formats(petition):
    counted(petition, 9500)
    page = Client(HTTP_ACCEPT_LANGUAGE="ru").get(PAGE + "history/").content.decode()
    assert f"9{NBSP}500" in page
    assert "18 февраля 2025" in page


def test_an_arabic_page_runs_right_to_left(petition):
    page = page_in("ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert '<html lang="en" dir="ltr">' in page_in("en")


def test_the_arabic_interface_skeleton_is_translated(petition):
    page = page_in("ar")
    assert "تخطَّ إلى المحتوى" in page  # the skip link
    assert ">العرائض</a>" in page  # the main navigation
    assert "وقّع العريضة" in page  # the sign button
    assert "اسمك" in page and "عنوان بريدك الإلكتروني" in page  # the form's labels
    assert "Sign the petition" not in page


def test_an_arabic_sign_form_explains_mistakes_in_arabic(petition):
    response = Client(HTTP_ACCEPT_LANGUAGE="ar").post(PAGE + "sign/", {"name": "", "email": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "يُرجى تصحيح ما يلي:" in page
    assert "يُرجى إدخال اسمك." in page


def test_arabic_counts_use_all_six_plural_forms():
    from django.utils.translation import ngettext, override

    with override("ar"):
        forms = {n: ngettext("person has signed", "people have signed", n)
                 for n in (0, 1, 2, 3, 11, 100)}
    assert forms[2] == "شخصان وقّعا"
    assert forms[3] == "أشخاص وقّعوا"
    assert forms[11] == "شخصًا وقّعوا"
    assert forms[100] == "شخص وقّعوا"
