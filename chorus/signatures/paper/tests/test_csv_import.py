import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chorus.signatures.models import PaperBatch, PaperEntry, PaperRow

GOOD = ("name,country,email,updates\r\nAnna Berg,DE,anna@example.org,yes\r\n"
        "Boris Kahn,France,,no\r\n")


@pytest.fixture
def upload(client, editor, batch):
    client.force_login(editor)

    def post(content: bytes, action="import", skip=False):
        data = {"file": SimpleUploadedFile("batch.csv", content, "text/csv"), "action": action}
        if skip:
            data["skip_invalid"] = "on"
        return client.post(reverse("signatures:paper:import",
                                   args=[batch.petition.slug, batch.code]), data)

    return post


def nothing_saved(batch) -> bool:
    batch.refresh_from_db()
    return (not PaperEntry.objects.exists() and not PaperRow.objects.exists()
            and batch.state == PaperBatch.State.FIRST_ENTRY)


def test_a_valid_file_becomes_the_first_entry(upload, batch):
    response = upload(GOOD.encode())

    assert response.status_code == 302
    entry = batch.entry(1)
    assert entry.source == PaperEntry.Source.IMPORTED
    assert [(r.position, r.name, r.country.code, r.email, r.updates) for r in entry.rows.all()] \
        == [(1, "Anna Berg", "DE", "anna@example.org", True), (2, "Boris Kahn", "FR", "", False)]
    batch.refresh_from_db()
    assert batch.state == PaperBatch.State.SECOND_ENTRY


def test_the_preview_saves_nothing(upload, batch):
    response = upload(GOOD.encode(), action="preview")

    assert response.status_code == 200
    assert "2 of 2 rows can be imported." in response.text
    assert nothing_saved(batch)


def test_a_byte_order_mark_is_accepted(upload, batch):
    assert upload(b"\xef\xbb\xbf" + GOOD.encode()).status_code == 302


@pytest.mark.parametrize(("content", "message"), [
    (b"name,country,mail\r\nAnna,DE,a@example.org\r\n", "must name the columns"),
    (b"", "The submitted file is empty."),
    (b"name,country,email,updates\r\n", "The file has no rows."),
    (b"name,country,email,updates\r\nAnna\x00,DE,,no\r\n", "NUL bytes"),
    ("name,country,email,updates\r\nAnna Łuk,DE,,no\r\n".encode("cp1250"), "not UTF-8"),
], ids=["wrong-columns", "empty", "no-rows", "nul", "not-utf8"])
def test_a_malformed_file_is_refused_and_nothing_is_saved(upload, batch, content, message):
    response = upload(content)

    assert response.status_code == 400
    assert message in response.text
    assert nothing_saved(batch)


def test_ten_megabytes_of_garbage_are_refused_before_being_read(upload, batch):
    response = upload(os.urandom(10 * 1024 * 1024))

    assert response.status_code == 413
    assert "over 2 MB" in response.text
    assert nothing_saved(batch)


def test_a_file_just_over_the_limit_is_refused_by_the_form_too(upload, batch, settings):
    from chorus.signatures.paper import forms

    content = GOOD.encode() + b"Anna,DE,,no\r\n" * (forms.CSV_MAX_BYTES // 12)

    response = upload(content)

    assert response.status_code in (400, 413)
    assert "over 2 MB" in response.text
    assert nothing_saved(batch)


@pytest.mark.parametrize("line", [
    "=HYPERLINK(\"http://x\"),DE,,no", "Anna,+DE,,no", "Anna,DE,@evil.example,no",
    "Anna,DE,,-1+1",
])
def test_a_formula_prefix_is_refused_with_its_line_and_column(upload, batch, line):
    response = upload(f"name,country,email,updates\r\nBoris,DE,,no\r\n{line}\r\n".encode())

    assert response.status_code == 400
    assert "which a spreadsheet runs as a formula" in response.text
    assert response.context["invalid"][0].line == 3
    assert nothing_saved(batch)


def test_invalid_rows_are_left_out_only_when_the_organiser_says_so(upload, batch):
    content = (GOOD + "=cmd,DE,,no\r\nChen,Atlantis,,no\r\n").encode()

    refused = upload(content)
    assert refused.status_code == 400
    assert [row.line for row in refused.context["invalid"]] == [4, 5]
    assert nothing_saved(batch)

    accepted = upload(content, skip=True)
    assert accepted.status_code == 302
    assert batch.entry(1).rows.count() == 2


def test_a_batch_already_entered_cannot_be_imported(upload, batch):
    upload(GOOD.encode())

    response = upload(GOOD.encode())

    assert response.status_code == 302
    assert batch.entry(1).rows.count() == 2


def test_the_template_has_the_columns(client, viewer, petition):
    client.force_login(viewer)

    response = client.get(reverse("signatures:paper:csv_template", args=[petition.slug]))

    assert response.content == b"name,country,email,updates\r\n"
    assert {"private", "no-store"} <= {part.strip() for part in
                                       response["Cache-Control"].split(",")}
