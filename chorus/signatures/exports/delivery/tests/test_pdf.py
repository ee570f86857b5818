import io
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image
from pypdf import PdfReader

from chorus.lib.digests import email_digest
from chorus.petitions.models import Target
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.exports.delivery.pdf import delivery_make, delivery_targets
from chorus.signatures.models import PaperBatch, Signature
from chorus.tests.test_hostile_input import PAYLOADS

BODY = """## What we ask

The government wants to **liquidate** the foundation, *now*.

- Withdraw the lawsuit
- Stop the persecution

1. Meet the network
2. Answer in writing

> We will not be silenced.

Read [our report](https://example.org/report) first.
"""


def sign(petition, name, country="DE", *, show_name=True, state="confirmed"):
    email = f"{abs(hash(name))}@example.org"
    return Signature.objects.create(petition=petition, name=name, email=email,
                                    email_digest=email_digest(email), country=country,
                                    show_name=show_name, state=state, postcode="SECRET-PC")


def pages_of(petition):
    made = delivery_make(petition)
    return made, [page.extract_text() for page in PdfReader(io.BytesIO(made.content)).pages]


@pytest.fixture
def written(petition):
    petition.body = BODY
    petition.save()
    return petition


def test_the_text_is_rendered_not_printed_as_markdown(written):
    _made, pages = pages_of(written)
    text = "\n".join(pages[1:])
    lines = [line.strip() for line in text.splitlines()]
    assert "What we ask" in lines
    assert "The government wants to liquidate the foundation, now." in text
    assert "**" not in text and "##" not in text and "*now*" not in text
    assert not any(line.startswith("- ") for line in lines)
    # List items keep a bullet or their number, and block quotes and links their words.
    assert any(re.fullmatch(r"• ?Withdraw the lawsuit", line) for line in lines)
    assert any(re.fullmatch(r"2\. ?Answer in writing", line) for line in lines)
    assert "We will not be silenced." in text
    assert "our report (https://example.org/report)" in text


def test_the_cover_names_the_organisation_title_target_date_and_count(written):
    for i in range(3):
        sign(written, f"Signer {i}")
    sign(written, "Still Pending", state="pending")
    made, pages = pages_of(written)
    cover = pages[0]
    assert "Spectrum Alliance" in cover and "Stop the lawsuit" in cover
    assert "The Government of Norvania" in cover
    assert date_format(timezone.now(), "DATE_FORMAT") in cover
    assert "3 people had signed as of" in cover
    assert made.signatures == 3
    # The petition's text and the names start after the cover.
    assert "Withdraw the lawsuit" not in cover and "Signer 1" not in cover


def test_who_it_is_addressed_to_is_looked_up_in_one_place(petition):
    assert delivery_targets(petition) == ["The Government of Norvania"]
    petition.target = "   "
    assert delivery_targets(petition) == []


def test_the_cover_names_each_listed_target_in_order(petition):
    Target.objects.create(petition=petition, position=1, name="Prosecutor General")
    Target.objects.create(petition=petition, position=0, name="Anna Berg", role="Minister",
                          organisation="Ministry of Justice")

    assert delivery_targets(petition) == ["Anna Berg, Minister, Ministry of Justice",
                                          "Prosecutor General"]
    cover = pages_of(petition)[1][0]
    assert "Anna Berg, Minister, Ministry of Justice" in cover and "Prosecutor General" in cover


@pytest.mark.parametrize(("paper", "said"), [
    (6, "Of which 6 on paper, verified by a second person."),
    (2, "Of which fewer than 5 on paper."),
    (0, None),
])
def test_the_cover_says_how_many_signed_on_paper(petition, settings, paper, said):
    settings.CHORUS_COUNTRY_FLOOR = 5
    batch = PaperBatch.objects.create(petition=petition, code="DOC234", collector="Stall",
                                      expected_rows=paper)
    for i in range(3):
        sign(petition, f"Online {i}")
    for i in range(paper):
        on_paper = sign(petition, f"On paper {i}", show_name=False)
        Signature.objects.filter(pk=on_paper.pk).update(paper_batch=batch)

    cover = " ".join(pages_of(petition)[1][0].split())
    assert f"{3 + paper} people had signed" in cover
    if said:
        assert said in cover
    else:
        assert "on paper" not in cover


def test_every_page_but_the_cover_is_numbered_and_titled(petition):
    for i in range(400):
        sign(petition, f"Signer number {i}", show_name=i % 4 != 0)
    made, pages = pages_of(petition)
    assert made.pages == len(pages) >= 4
    assert "Page 1 of" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {made.pages}" in page
        assert page.lstrip().startswith("Stop the lawsuit")


def test_names_come_three_to_a_line_with_their_country(petition):
    for i in range(9):
        sign(petition, f"Named {i}", "FR")
    sign(petition, "Hidden Person", "BY", show_name=False)
    _made, pages = pages_of(petition)
    names = pages[-1]
    assert "Named 0 · France Named 1 · France Named 2 · France" in names
    assert "Hidden Person" not in names and "A signer from Belarus" in names
    assert "example.org" not in names and "SECRET-PC" not in names


def test_a_long_name_is_cut_short_instead_of_running_into_the_next(petition):
    sign(petition, "Maximiliana " * 7 + "Longname")
    sign(petition, "Next Person")
    _made, pages = pages_of(petition)
    assert "…" in pages[-1] and "Next Person" in pages[-1]
    assert "Longname" not in pages[-1]


def test_country_totals_keep_the_small_count_floor(petition):
    for i in range(6):
        sign(petition, f"German {i}", "DE")
    sign(petition, "Belarusian", "BY")
    signatures_count()
    _made, pages = pages_of(petition)
    text = "\n".join(pages)
    assert "Germany: 6" in text and "Belarus: fewer than 5" in text


def test_a_russian_petition_comes_out_in_cyrillic(petition):
    petition.title = "Остановите иск"
    petition.target = "Правительство Норвании"
    petition.body = "## Что мы просим\n\nПрекратить **преследование**.\n\n- Отозвать иск\n"
    petition.save()
    sign(petition, "Наталья Иванова", "RU")
    _made, pages = pages_of(petition)
    assert "Остановите иск" in pages[0] and "Правительство Норвании" in pages[0]
    text = "\n".join(pages)
    assert "Что мы просим" in text and "Прекратить преследование." in text
    assert "Отозвать иск" in text and "Наталья Иванова" in text


def test_an_arabic_petition_comes_out_shaped_and_in_order(petition):
    petition.title = "أوقفوا الدعوى"
    petition.body = "## ما نطلبه\n\nأوقفوا **الملاحقة** القضائية.\n"
    petition.save()
    sign(petition, "نادية حسن", "EG")
    _made, pages = pages_of(petition)
    text = "\n".join(pages)
    assert "أوقفوا الدعوى" in pages[0]
    assert "ما نطلبه" in text and "نادية حسن" in text
    assert "Page 2 of" in pages[1]


def test_the_organisations_logo_is_on_the_cover(petition):
    picture = io.BytesIO()
    Image.new("RGB", (60, 30), "purple").save(picture, "PNG")
    petition.organisation.logo.save("logo.png", ContentFile(picture.getvalue()))
    made = delivery_make(petition)
    cover = PdfReader(io.BytesIO(made.content)).pages[0]
    assert len(cover.images) == 1


@pytest.mark.parametrize("damage", ["missing", "broken"])
def test_a_missing_or_broken_logo_leaves_a_cover_without_it(petition, damage):
    petition.organisation.logo.save("logo.png", ContentFile(b"\x89PNG not really"))
    if damage == "missing":
        petition.organisation.logo.storage.delete(petition.organisation.logo.name)
    made, pages = pages_of(petition)
    assert "Spectrum Alliance" in pages[0]
    assert not PdfReader(io.BytesIO(made.content)).pages[0].images


@pytest.mark.parametrize("payload", [name for name in PAYLOADS if name != "oversized"])
def test_hostile_petition_text_and_names_still_make_a_plain_document(petition, payload):
    # Not saved: PostgreSQL refuses a NUL, but the document must not depend on that.
    petition.body = f"## {PAYLOADS[payload]}\n\n{PAYLOADS[payload]}\n\n- {PAYLOADS[payload]}"
    petition.statement = PAYLOADS[payload]
    sign(petition, PAYLOADS[payload].replace("\x00", "")[:100])
    made, pages = pages_of(petition)
    assert made.pages >= 3 and "Signers" in pages[-1]
    # Shown as text at most: the document has no link to follow, let alone a script.
    assert b"/URI" not in made.content and b"/JavaScript" not in made.content


def test_a_long_unbroken_word_in_the_text_is_wrapped_not_lost(petition):
    petition.body = "Before " + "A" * 5000 + " after."
    petition.save()
    _made, pages = pages_of(petition)
    assert "after." in "\n".join(pages)


def test_a_long_title_is_cut_short_in_the_running_head(petition):
    petition.title = "Stop the lawsuit against the network " + "and its member groups " * 8
    made, pages = pages_of(petition)
    head = pages[1].lstrip().splitlines()[0]
    assert head.startswith("Stop the lawsuit against") and head.endswith("…")
