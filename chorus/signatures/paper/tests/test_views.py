import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import PaperBatch, Signature
from chorus.signatures.paper import sheet
from chorus.signatures.paper.models import ROWS_PER_PAGE
from chorus.signatures.paper.tests.conftest import rows, type_in


def page_data(typed: dict[int, tuple], action="next", prefix="row", total=ROWS_PER_PAGE):
    data = {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(total),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": str(ROWS_PER_PAGE),
            "action": action}
    for index, (name, country, email, updates) in typed.items():
        data.update({f"{prefix}-{index}-name": name, f"{prefix}-{index}-country": country,
                     f"{prefix}-{index}-email": email})
        if updates:
            data[f"{prefix}-{index}-updates"] = "on"
    return data


def url(name, batch, *more):
    return reverse(f"signatures:paper:{name}", args=[batch.petition.slug, batch.code, *more])


def test_an_editor_creates_a_batch_with_a_short_code(client, editor, petition):
    client.force_login(editor)

    response = client.post(reverse("signatures:paper:create", args=[petition.slug]), {
        "collector": "Lena", "collected_where": "Market", "collected_on": "2027-02-18",
        "expected_rows": "40"})

    batch = PaperBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("batch", batch)
    assert len(batch.code) == 6 and batch.expected_rows == 40


def test_a_batch_without_a_collector_is_refused(client, editor, petition):
    client.force_login(editor)

    response = client.post(reverse("signatures:paper:create", args=[petition.slug]),
                           {"collector": "", "expected_rows": "0"})

    assert response.status_code == 400
    assert "Say who collected the signatures." in response.text
    assert not PaperBatch.objects.exists()


def test_rows_typed_on_the_page_are_stored_by_line(client, editor, batch):
    client.force_login(editor)

    response = client.post(url("entry", batch, 1), page_data({
        0: ("Anna Berg", "Germany", "", False), 2: ("Boris Kahn", "fr", "b@example.org", True)}))

    assert response.status_code == 302
    assert response["Location"].endswith("?page=2")
    entry = batch.entry(1)
    assert [(r.position, r.name, r.country.code, r.updates) for r in entry.rows.all()] == [
        (1, "Anna Berg", "DE", False), (3, "Boris Kahn", "FR", True)]


def test_a_row_with_an_error_saves_nothing_on_the_page(client, editor, batch):
    client.force_login(editor)

    response = client.post(url("entry", batch, 1), page_data({
        0: ("Anna Berg", "DE", "", False), 1: ("", "DE", "x@example.org", False),
        2: ("=HYPERLINK()", "DE", "", False)}))

    assert response.status_code == 400
    assert "Enter the name, or leave the whole row empty." in response.text
    assert "not with = + - or @" in response.text
    assert batch.entry(1) is None or not batch.entry(1).rows.exists()


def test_the_second_entry_page_does_not_show_the_first(client, editor, second_editor, batch):
    type_in(batch, 1, editor, rows("Anna Berg"))
    client.force_login(second_editor)

    response = client.get(url("entry", batch, 2))

    assert response.status_code == 200
    assert "Anna Berg" not in response.text


def test_the_first_author_is_sent_away_from_the_second_entry(client, editor, batch):
    type_in(batch, 1, editor, rows("Anna Berg"))
    client.force_login(editor)

    response = client.get(url("entry", batch, 2), follow=True)

    assert "someone else must type the second" in response.text
    assert batch.entry(2) is None


def test_the_comparison_shows_exactly_the_differing_row(client, editor, second_editor, batch):
    type_in(batch, 1, editor, rows("Anna Berg", "Boris Kahn", "Chen Li"))
    type_in(batch, 2, second_editor, rows("ANNA BERG", "Boris Kahn", "Chen Lu"))
    client.force_login(second_editor)

    response = client.get(url("compare", batch))

    assert response.status_code == 200
    assert "Chen Li" in response.text and "Chen Lu" in response.text
    assert "Boris Kahn" not in response.text and "ANNA BERG" not in response.text
    assert response.context["rows"][0][0].position == 3
    assert len(response.context["rows"]) == 1


def test_verifying_twice_counts_the_batch_once(client, editor, second_editor, batch, petition):
    type_in(batch, 1, editor, rows("Anna Berg", "Chen Li"))
    type_in(batch, 2, second_editor, rows("Anna Berg", "Chen Lu"))
    client.force_login(second_editor)
    data = {**page_data({0: ("Chen Li", "DE", "", False)}, prefix="fix", total=1),
            "fix-0-position": "2"}

    first = client.post(url("compare", batch), data)
    second = client.post(url("compare", batch), data)
    signatures_count()

    petition.refresh_from_db()
    assert first.status_code == second.status_code == 302
    assert petition.signature_count == 2
    assert set(Signature.objects.values_list("name", flat=True)) == {"Anna Berg", "Chen Li"}


def test_the_first_author_cannot_verify_through_the_page(client, editor, second_editor, batch):
    type_in(batch, 1, editor, rows("Anna Berg"))
    type_in(batch, 2, second_editor, rows("Anna Berg"))
    client.force_login(editor)

    response = client.post(url("compare", batch), page_data({}, prefix="fix", total=0))

    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_a_viewer_sees_the_batch_but_cannot_enter(client, viewer, batch):
    client.force_login(viewer)

    assert client.get(url("batch", batch)).status_code == 200
    assert client.get(url("entry", batch, 1)).status_code == 403


def test_the_sign_sheet_has_the_batch_code_on_every_page_and_the_petition_url(
        client, viewer, petition, editor):
    from chorus.signatures.paper import services

    batch = services.batch_create(petition=petition, actor=editor, collector="Stall",
                                  expected_rows=30)
    client.force_login(viewer)

    response = client.get(url("sheet", batch))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    for page in reader.pages:
        text = page.extract_text()
        assert batch.code in text
    petition_url = sheet.petition_url(batch)
    assert petition_url.endswith(petition.get_absolute_url())
    assert petition_url in reader.pages[0].extract_text().replace("\n", "")


def test_the_qr_code_holds_the_petition_url(petition, editor, monkeypatch):
    from chorus.signatures.paper import services

    batch = services.batch_create(petition=petition, actor=editor, collector="Stall",
                                  expected_rows=1)
    encoded = []
    original = sheet.qr_png
    monkeypatch.setattr(sheet, "qr_png", lambda data: encoded.append(data) or original(data))

    sheet.sign_sheet_pdf(batch)

    assert encoded == [sheet.petition_url(batch)]


@pytest.mark.parametrize("number", [0, 3])
def test_there_are_only_two_entries(client, editor, batch, number):
    client.force_login(editor)

    assert client.get(url("entry", batch, number)).status_code == 404


def test_a_viewer_is_not_offered_what_they_may_not_do(client, viewer, batch):
    client.force_login(viewer)

    page = client.get(url("batch", batch)).text

    assert url("entry", batch, 1) not in page
    assert url("import", batch) not in page
    assert url("sheet", batch) in page


def test_a_long_ask_still_gets_every_numbered_line(petition, editor):
    from chorus.petitions.models import Petition
    from chorus.signatures.paper import services

    Petition.objects.filter(pk=petition.pk).update(ask="Drop the case now. " * 26)
    petition.refresh_from_db()
    batch = services.batch_create(petition=petition, actor=editor, collector="Stall",
                                  expected_rows=24)

    reader = PdfReader(io.BytesIO(sheet.sign_sheet_pdf(batch)))

    numbers = [{int(word) for word in page.extract_text().split() if word.isdigit()}
               for page in reader.pages]
    assert set().union(*numbers) >= set(range(1, 25))
    assert len(reader.pages) == 2
