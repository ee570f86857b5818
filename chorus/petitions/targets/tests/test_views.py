"""Organisers name targets, record the hand-in and each answer; bad input stores nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chorus.audit.models import AuditEntry
from chorus.petitions.models import HandIn, Target

TODAY = datetime.date(2027, 3, 3)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    noon = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: noon)


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


def photo(kind="JPEG") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (600, 400), "purple").save(output, format=kind)
    return SimpleUploadedFile("handin.jpg", output.getvalue(), content_type="image/jpeg")


TARGET = {"name": "Minister of Justice", "role": "Minister", "organisation": "Ministry of Justice",
          "contact": "https://justice.example.org/contact"}
HANDIN = {"handed_in_on": "2027-01-21", "place": "Ministry of Justice, Main Street 1",
          "received_by": "The minister's chief of staff", "reference": "MJ-2027-0042",
          "image_alt": "", "note": "Thirty volunteers came with us.",
          "answers_due": "2027-02-20"}


def test_an_editor_adds_targets_and_they_are_listed_in_order(as_editor, petition):
    as_editor.post(reverse("petitions:targets:add", args=[petition.slug]), TARGET)
    as_editor.post(reverse("petitions:targets:add", args=[petition.slug]),
                   {"name": "President", "contact": "office@president.example.org"})

    assert list(petition.targets.values_list("name", flat=True)) == [
        "Minister of Justice", "President"]
    page = as_editor.get(reverse("petitions:manage:detail", args=[petition.slug]))
    assert "Minister of Justice" in page.text and "Awaiting an answer" in page.text
    assert AuditEntry.objects.filter(action="petition.target_add").count() == 2


def test_an_editor_edits_moves_and_removes_a_target(as_editor, petition):
    first = Target.objects.create(petition=petition, name="Minister", position=0)
    second = Target.objects.create(petition=petition, name="President", position=1)

    as_editor.post(reverse("petitions:targets:edit", args=[petition.slug, first.pk]),
                   {**TARGET, "name": "Minister of the Interior"})
    as_editor.post(reverse("petitions:targets:move", args=[petition.slug, second.pk]),
                   {"direction": "up"})
    assert list(petition.targets.values_list("name", flat=True)) == [
        "President", "Minister of the Interior"]

    asked = as_editor.get(reverse("petitions:targets:remove", args=[petition.slug, first.pk]))
    assert asked.status_code == 200 and petition.targets.count() == 2
    as_editor.post(reverse("petitions:targets:remove", args=[petition.slug, first.pk]))
    assert list(petition.targets.values_list("name", flat=True)) == ["President"]


def test_a_target_of_another_petition_is_not_found(as_editor, petition, draft):
    other = Target.objects.create(petition=draft, name="Someone")
    response = as_editor.get(reverse("petitions:targets:edit", args=[petition.slug, other.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(("field", "value"), [
    ("name", "A" * 201),
    ("name", "Minister\x00of Justice"),
    ("name", ""),
    ("role", "Minister\r\nBcc: everyone@example.org"),
    ("contact", "not a contact"),
    ("contact", "javascript:alert(1)"),
    ("contact", "ftp://files.example.org"),
    ("contact", "someone@"),
])
def test_a_bad_target_is_refused_with_a_clear_error_and_nothing_stored(
        as_editor, petition, field, value):
    response = as_editor.post(reverse("petitions:targets:add", args=[petition.slug]),
                              {**TARGET, field: value})
    assert response.status_code == 400
    assert 'class="error"' in response.text
    assert not Target.objects.exists()


def test_the_hand_in_is_recorded_with_a_photo_and_shown_publicly(as_editor, client, petition):
    response = as_editor.post(reverse("petitions:targets:handin", args=[petition.slug]),
                              {**HANDIN, "image": photo(), "image_alt": "Volunteers with boxes"})
    assert response.status_code == 302

    handin = HandIn.objects.get(petition=petition)
    assert handin.image and handin.image_width == 600 and handin.announced_at is None
    assert AuditEntry.objects.filter(action="petition.handin_record").exists()
    client.logout()
    page = client.get(petition.get_absolute_url())
    assert "21 January 2027" in page.text or "Jan. 21, 2027" in page.text
    assert "Ministry of Justice, Main Street 1" in page.text
    assert 'alt="Volunteers with boxes"' in page.text
    # The reference number is for the organisers' own records.
    assert "MJ-2027-0042" not in page.text


def test_the_hand_in_is_edited_not_recorded_twice(as_editor, petition):
    url = reverse("petitions:targets:handin", args=[petition.slug])
    as_editor.post(url, HANDIN)
    as_editor.post(url, {**HANDIN, "place": "The parliament"})
    assert HandIn.objects.get().place == "The parliament"
    assert AuditEntry.objects.filter(action="petition.handin_edit").exists()


def test_a_draft_cannot_be_handed_in(as_editor, draft, owner):
    as_editor.logout()
    as_editor.force_login(owner)
    response = as_editor.post(reverse("petitions:targets:handin", args=[draft.slug]), HANDIN)
    assert response.status_code == 400
    assert "open or closed petition" in response.text
    assert not HandIn.objects.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("place", "P" * 201),
    ("received_by", "Chief\x00of staff"),
    ("note", "N" * 1001),
    ("note", "Thank\x00you"),
    ("handed_in_on", "2027-03-04"),  # tomorrow
    ("handed_in_on", "9999-12-31"),
    ("handed_in_on", "not a date"),
    ("answers_due", "2099-01-01"),
    ("answers_due", "2027-01-01"),  # before the hand-in
])
def test_a_bad_hand_in_is_refused_with_a_clear_error_and_nothing_stored(
        as_editor, petition, field, value):
    response = as_editor.post(reverse("petitions:targets:handin", args=[petition.slug]),
                              {**HANDIN, field: value})
    assert response.status_code == 400
    assert 'class="error"' in response.text
    assert not HandIn.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused(as_editor, petition):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = as_editor.post(reverse("petitions:targets:handin", args=[petition.slug]),
                              {**HANDIN, "image": fake, "image_alt": "A photo"})
    assert response.status_code == 400
    assert "not a picture we can use" in response.text
    assert not HandIn.objects.exists()


def test_a_photo_needs_a_description(as_editor, petition):
    response = as_editor.post(reverse("petitions:targets:handin", args=[petition.slug]),
                              {**HANDIN, "image": photo()})
    assert response.status_code == 400
    assert "Describe the picture" in response.text
    assert not HandIn.objects.exists()


def test_an_answer_is_recorded_for_one_target(as_editor, petition):
    minister = Target.objects.create(petition=petition, name="Minister")
    president = Target.objects.create(petition=petition, name="President", position=1)
    response = as_editor.post(
        reverse("petitions:targets:answer", args=[petition.slug, minister.pk]),
        {"text": "We will review the case.", "date": "2027-03-01"})
    assert response.status_code == 302
    minister.refresh_from_db()
    president.refresh_from_db()
    assert minister.is_answered and minister.response_date == datetime.date(2027, 3, 1)
    assert not president.is_answered


@pytest.mark.parametrize(("field", "value"), [
    ("text", ""), ("text", "   "), ("text", "We\x00will"), ("text", "A" * 10_001),
    ("date", "2027-03-04"), ("date", "12345-01-01"),
])
def test_a_bad_answer_is_refused_and_nothing_stored(as_editor, petition, field, value):
    minister = Target.objects.create(petition=petition, name="Minister")
    response = as_editor.post(
        reverse("petitions:targets:answer", args=[petition.slug, minister.pk]),
        {"text": "We will review the case.", "date": "2027-03-01", field: value})
    assert response.status_code == 400
    minister.refresh_from_db()
    assert not minister.is_answered


def test_a_wrong_method_is_refused(as_editor, petition):
    minister = Target.objects.create(petition=petition, name="Minister")
    response = as_editor.get(reverse("petitions:targets:move", args=[petition.slug, minister.pk]))
    assert response.status_code == 405
