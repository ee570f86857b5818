"""Organisers write, edit, submit, close and win petitions on the site."""

import datetime
import errno
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chorus.audit.models import AuditEntry
from chorus.lib.images import stored_sizes
from chorus.organisers.models import Membership, Organisation
from chorus.petitions.models import Petition, RejectionReason

CREATE = "/organiser/petitions/new/"


def manage(slug: str, action: str = "") -> str:
    return f"/organiser/petitions/{slug}/" + (f"{action}/" if action else "")


def petition_form(**changes) -> dict:
    data = {
        "organisation": "spectrum-alliance",
        "title": "Stop the raids",
        "slug": "",
        "target": "The Ministry of the Interior",
        "ask": "End the raids on community centres.",
        "body": "Police raided **three** centres this month.",
        "statement": "We will not be silenced.",
        "statement_by": "Ana Kovač",
        "statement_role": "Chair of the board",
        "image_alt": "",
        "image_caption": "",
        "image_credit": "",
        "goal": "5000",
        "closes_on": "",
        "action": "save",
    }
    data.update(changes)
    return data


def jpeg_with_gps(width=1200, height=800, name="rally.jpg") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)})
    output = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(output, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def page(response) -> str:
    return response.content.decode()


# Who may do what


@pytest.mark.parametrize("url", [
    CREATE, manage("free-the-press"), manage("free-the-press", "edit")])
def test_anonymous_visitors_are_sent_to_log_in(client, draft, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("organisers:login") + "?next=")


@pytest.mark.parametrize("action", ["", "edit"])
def test_an_outsider_cannot_even_see_that_a_draft_exists(client, draft, outsider, action):
    client.force_login(outsider)
    assert client.get(manage(draft.slug, action)).status_code == 404


@pytest.mark.parametrize("action", ["submit", "close", "victory"])
def test_an_outsider_cannot_move_a_petition(client, petition, outsider, action):
    client.force_login(outsider)
    assert client.post(manage(petition.slug, action)).status_code == 404


def test_a_viewer_sees_the_petition_but_no_buttons(client, draft, viewer):
    client.force_login(viewer)
    response = client.get(manage(draft.slug))
    assert response.status_code == 200
    assert "Free the press" in page(response)
    assert "Submit for review" not in page(response)
    assert manage(draft.slug, "edit") not in page(response)


def test_a_viewer_cannot_edit(client, draft, viewer):
    client.force_login(viewer)
    assert client.get(manage(draft.slug, "edit")).status_code == 403
    response = client.post(manage(draft.slug, "edit"), petition_form(title="Hijacked"))
    assert response.status_code == 403
    assert Petition.objects.get(pk=draft.pk).title == "Free the press"


@pytest.mark.parametrize("fixture, action", [
    ("draft", "submit"), ("petition", "close"), ("petition", "victory")])
def test_a_viewer_cannot_submit_close_or_declare_victory(client, viewer, request, fixture,
                                                          action):
    target = request.getfixturevalue(fixture)
    client.force_login(viewer)
    assert client.post(manage(target.slug, action)).status_code == 403
    stored = Petition.objects.get(pk=target.pk)
    assert (stored.state, stored.victory_at) == (target.state, None)


def test_submitting_only_accepts_a_submitted_form(client, draft, editor):
    client.force_login(editor)
    response = client.get(manage(draft.slug, "submit"))
    assert response.status_code == 405
    assert Petition.objects.get(pk=draft.pk).state == Petition.State.DRAFT


@pytest.mark.parametrize(("action", "question"), [
    ("close", "Close the petition now?"), ("victory", "Declare victory?")])
def test_closing_and_victory_ask_first_on_a_page_of_their_own(client, petition, editor,
                                                              action, question):
    client.force_login(editor)
    response = client.get(manage(petition.slug, action))
    assert response.status_code == 200
    assert question in page(response) and "This cannot be undone" in page(response)
    assert 'class="danger"' in page(response)
    stored = Petition.objects.get(pk=petition.pk)
    assert (stored.state, stored.victory_at) == (Petition.State.OPEN, None)


def test_someone_without_an_organisation_is_told_to_create_one(client, viewer, outsider):
    Membership.objects.filter(user=outsider).delete()
    for user in (viewer, outsider):
        client.force_login(user)
        response = client.get(CREATE)
        assert response.status_code == 200
        assert "you need to be an editor or an owner" in page(response)
        assert f'href="{reverse("organisers:organisation_create")}"' in page(response)
    client.post(CREATE, petition_form())
    assert not Petition.objects.filter(title="Stop the raids").exists()


# Writing a petition


def test_an_editor_creates_a_draft(client, editor):
    client.force_login(editor)
    form = client.get(CREATE)
    assert form.status_code == 200
    # With only one organisation there is nothing to choose.
    assert 'type="hidden" name="organisation" value="spectrum-alliance"' in page(form)
    response = client.post(CREATE, petition_form())
    petition = Petition.objects.get(title="Stop the raids")
    assert response.status_code == 302 and response.url == manage("stop-the-raids")
    assert petition.state == Petition.State.DRAFT
    assert petition.created_by == editor
    assert petition.organisation.slug == "spectrum-alliance"
    assert (petition.statement_by, petition.goal) == ("Ana Kovač", 5000)
    entry = AuditEntry.objects.get(action="petition.create")
    assert entry.actor == editor and entry.target_id == str(petition.pk)
    assert "Your draft is saved" in page(client.get(response.url))


def test_the_slug_is_made_unique_from_the_title(client, editor, draft):
    client.force_login(editor)
    client.post(CREATE, petition_form(title="Free the press!"))
    assert Petition.objects.filter(slug="free-the-press-2", title="Free the press!").exists()


def test_a_chosen_slug_that_is_taken_or_reserved_is_refused(client, editor, draft):
    client.force_login(editor)
    taken = client.post(CREATE, petition_form(slug="free-the-press"))
    reserved = client.post(CREATE, petition_form(slug="new"))
    assert taken.status_code == reserved.status_code == 400
    assert "Another petition already has this address" in page(taken)
    assert "This address is reserved" in page(reserved)
    assert not Petition.objects.filter(title="Stop the raids").exists()


def test_an_editor_of_two_organisations_chooses_one(client, editor, outsider):
    other = Organisation.objects.get(slug="another-group")
    Membership.objects.create(user=editor, organisation=other, role="editor")
    client.force_login(editor)
    form = page(client.get(CREATE + "?organisation=another-group"))
    assert '<select name="organisation"' in form
    assert '<option value="another-group" selected>' in form
    client.post(CREATE, petition_form(organisation="another-group"))
    assert Petition.objects.get(title="Stop the raids").organisation == other


def test_nobody_can_write_for_an_organisation_they_only_view(client, editor, outsider):
    other = Organisation.objects.get(slug="another-group")
    Membership.objects.create(user=editor, organisation=other, role="viewer")
    client.force_login(editor)
    response = client.post(CREATE, petition_form(organisation="another-group"))
    assert response.status_code == 400
    assert "Choose one of your organisations" in page(response)
    assert not Petition.objects.filter(title="Stop the raids").exists()


def test_preview_shows_the_rendered_text_and_saves_nothing(client, editor):
    client.force_login(editor)
    response = client.post(CREATE, petition_form(action="preview"))
    assert response.status_code == 200
    assert "<strong>three</strong>" in page(response)
    assert "The Ministry of the Interior" in page(response)
    assert "We will not be silenced." in page(response)
    # The form comes back filled in, ready to save.
    assert 'value="Stop the raids"' in page(response)
    assert not Petition.objects.exists()
    assert not AuditEntry.objects.exists()


def test_markdown_in_the_preview_cannot_inject_a_script(client, editor):
    client.force_login(editor)
    response = client.post(CREATE, petition_form(
        action="preview", body="<script>alert(1)</script> [x](javascript:alert(1))"))
    assert "<script>alert(1)" not in page(response)
    assert "javascript:" not in page(response).split('id="preview-heading"')[1].split("<form")[0]


def test_the_closing_date_is_stored_as_the_end_of_that_day_in_utc(client, editor):
    client.force_login(editor)
    day = timezone.now().date() + datetime.timedelta(days=30)
    client.post(CREATE, petition_form(closes_on=day.isoformat()))
    closes_at = Petition.objects.get(title="Stop the raids").closes_at
    assert closes_at == datetime.datetime.combine(
        day, datetime.time(23, 59, 59), tzinfo=datetime.UTC)


def test_a_closing_date_in_the_past_is_refused(client, editor):
    client.force_login(editor)
    yesterday = timezone.now().date() - datetime.timedelta(days=1)
    response = client.post(CREATE, petition_form(closes_on=yesterday.isoformat()))
    assert response.status_code == 400
    assert "The closing date must be in the future." in page(response)
    assert not Petition.objects.exists()


@pytest.mark.parametrize("changes, error", [
    ({"title": "x" * 201}, "Ensure this value has at most 200 characters"),
    ({"title": ""}, "This field is required."),
    ({"ask": "End the raids\x00"}, "Null characters are not allowed."),
    ({"body": "Text with a NUL \x00 byte"}, "Null characters are not allowed."),
    ({"target": "The Ministry\x1b[31m"}, "Please use only letters"),
    ({"goal": "0"}, "Ensure this value is greater than or equal to 1."),
    ({"goal": "99999999999999"}, "Ensure this value is less than or equal to"),
    ({"goal": "many"}, "Enter a whole number."),
    ({"closes_on": "31/12/2030"}, "Enter a date like 2030-12-31."),
    ({"slug": "no spaces/here"}, "Enter a valid"),
])
def test_bad_input_is_shown_again_with_an_error_and_creates_nothing(client, editor, changes,
                                                                     error):
    client.force_login(editor)
    response = client.post(CREATE, petition_form(**changes))
    assert response.status_code == 400
    assert error in page(response)
    assert not Petition.objects.exists()


# The hero image


def test_an_uploaded_photo_is_stored_without_its_location(client, editor):
    client.force_login(editor)
    response = client.post(CREATE, petition_form(
        image=jpeg_with_gps(), image_alt="Supporters with rainbow flags",
        image_caption="Outside the court", image_credit="Lena M."))
    assert response.status_code == 302
    petition = Petition.objects.get(title="Stop the raids")
    assert (petition.image_caption, petition.image_credit) == ("Outside the court", "Lena M.")
    assert "rally" not in petition.image.name
    with petition.image.open() as stored:
        picture = Image.open(stored)
        assert picture.format == "JPEG"
        assert not picture.getexif()


def test_a_very_wide_photo_is_scaled_down(client, editor, settings):
    settings.CHORUS_IMAGE_MAX_WIDTH = 1600
    client.force_login(editor)
    client.post(CREATE, petition_form(image=jpeg_with_gps(4000, 1000), image_alt="A crowd"))
    with Petition.objects.get(title="Stop the raids").image.open() as stored:
        assert Image.open(stored).size == (1600, 400)


def test_a_text_file_named_jpg_is_refused(client, editor):
    client.force_login(editor)
    fake = SimpleUploadedFile("rally.jpg", b"just some words\n" * 50, content_type="image/jpeg")
    response = client.post(CREATE, petition_form(image=fake, image_alt="A crowd"))
    assert response.status_code == 400
    assert "This file is not a picture we can use" in page(response)
    assert not Petition.objects.exists()


def test_an_oversized_image_is_refused(client, editor, settings):
    settings.CHORUS_IMAGE_MAX_BYTES = 50_000
    client.force_login(editor)
    big = jpeg_with_gps(3000, 3000)
    assert big.size > 50_000
    response = client.post(CREATE, petition_form(image=big, image_alt="A crowd"))
    assert response.status_code == 400
    assert "The image is too large" in page(response)
    assert not Petition.objects.exists()


def test_an_image_needs_a_description(client, editor):
    client.force_login(editor)
    response = client.post(CREATE, petition_form(image=jpeg_with_gps()))
    assert response.status_code == 400
    assert "Describe the picture for people who cannot see it." in page(response)
    assert not Petition.objects.exists()


def test_a_preview_keeps_the_chosen_image_for_the_save(client, editor):
    client.force_login(editor)
    response = client.post(CREATE, petition_form(
        action="preview", image=jpeg_with_gps(), image_alt="A crowd"))
    assert "The picture you chose is kept" in page(response)
    assert "choose it again" not in page(response)
    assert not Petition.objects.exists()
    token = re.search(r'name="image_kept" value="([^"]+)"', page(response)).group(1)
    # The organiser presses Save on the preview page: no file is sent again.
    saved = client.post(CREATE, petition_form(image_kept=token, image_alt="A crowd"))
    assert saved.status_code == 302
    petition = Petition.objects.get(title="Stop the raids")
    assert petition.image and petition.image.name.startswith("petitions/")
    copies = stored_sizes(petition.image.name)
    assert list(copies) == [480, 800, 1200]  # made again from the kept picture's pixels
    assert all(petition.image.storage.exists(name) for name in copies.values())
    detail = page(client.get(manage(petition.slug)))
    assert petition.image.url in detail  # the organiser's page shows the picture


def test_a_forged_kept_image_is_ignored(client, editor):
    client.force_login(editor)
    response = client.post(CREATE, petition_form(image_kept="previews/../../etc/passwd:x:y"))
    assert response.status_code == 302
    assert not Petition.objects.get(title="Stop the raids").image


# Editing


def test_an_editor_edits_every_field_of_a_draft(client, draft, editor):
    client.force_login(editor)
    form = client.get(manage(draft.slug, "edit"))
    assert 'value="Free the press"' in page(form)
    response = client.post(manage(draft.slug, "edit"), petition_form(
        title="Free the journalists", slug="free-the-journalists", goal="300"))
    assert response.status_code == 302 and response.url == manage("free-the-journalists")
    stored = Petition.objects.get(pk=draft.pk)
    assert (stored.title, stored.slug, stored.goal) == ("Free the journalists",
                                                        "free-the-journalists", 300)
    assert stored.organisation.slug == "spectrum-alliance"
    assert AuditEntry.objects.filter(action="petition.edit", actor=editor).exists()


def test_preview_while_editing_saves_nothing(client, draft, editor):
    client.force_login(editor)
    response = client.post(manage(draft.slug, "edit"),
                           petition_form(title="Free them all", slug=draft.slug, action="preview"))
    assert response.status_code == 200 and "Free them all" in page(response)
    assert Petition.objects.get(pk=draft.pk).title == "Free the press"


def test_signed_text_is_shown_read_only_and_cannot_be_changed(client, petition, editor):
    Petition.objects.filter(pk=petition.pk).update(signature_count=40)
    client.force_login(editor)
    form = page(client.get(manage(petition.slug, "edit")))
    assert "People have signed this text; ask the moderators to correct a mistake." in form
    assert 'name="title"' not in form and 'name="body"' not in form
    assert "<strong>government</strong>" in form  # the signed text, as it reads
    response = client.post(manage(petition.slug, "edit"), petition_form(
        title="Something else", ask="Something else.", goal="250",
        image_caption="At the court", statement="Thank you."))
    assert response.status_code == 302
    stored = Petition.objects.get(pk=petition.pk)
    assert (stored.title, stored.ask) == ("Stop the lawsuit", "Withdraw the lawsuit.")
    assert (stored.goal, stored.image_caption, stored.statement) == (250, "At the court",
                                                                     "Thank you.")
    assert not stored.revisions.exists()


def test_the_goal_must_stay_at_least_one_when_editing(client, petition, editor):
    client.force_login(editor)
    response = client.post(manage(petition.slug, "edit"), petition_form(goal="0"))
    assert response.status_code == 400
    assert Petition.objects.get(pk=petition.pk).goal == 100


def test_a_new_closing_date_must_be_in_the_future_but_an_old_one_may_stay(client, editor,
                                                                          petition):
    client.force_login(editor)
    past = timezone.now().date() - datetime.timedelta(days=2)
    response = client.post(manage(petition.slug, "edit"), petition_form(closes_on=past))
    assert response.status_code == 400
    assert "The closing date must be in the future." in page(response)
    petition.close()
    Petition.objects.filter(pk=petition.pk).update(
        closes_at=datetime.datetime.combine(past, datetime.time(23, 59, 59), tzinfo=datetime.UTC))
    response = client.post(manage(petition.slug, "edit"),
                           petition_form(closes_on=past.isoformat(), image_credit="Lena M."))
    assert response.status_code == 302
    assert Petition.objects.get(pk=petition.pk).image_credit == "Lena M."


def test_a_draft_the_moderators_opened_meanwhile_keeps_its_text(client, draft, editor):
    client.force_login(editor)
    draft.open()  # between loading the form and saving it
    response = client.post(manage(draft.slug, "edit"), petition_form(title="Changed title"))
    # The form now leaves the text out; what was posted for it is ignored.
    assert Petition.objects.get(pk=draft.pk).title == "Free the press"
    assert response.status_code == 302


def test_replacing_the_image_of_an_open_petition_refreshes_its_public_page(
        client, petition, editor, django_capture_on_commit_callbacks):
    client.force_login(editor)
    assert client.get(petition.get_absolute_url()).status_code == 200  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        client.post(manage(petition.slug, "edit"),
                    petition_form(image=jpeg_with_gps(), image_alt="Supporters"))
    stored = Petition.objects.get(pk=petition.pk)
    assert stored.image
    assert stored.image.url in page(client.get(petition.get_absolute_url()))


# The petition's page for organisers


def test_a_draft_says_to_submit_it_for_review(client, draft, viewer):
    client.force_login(viewer)
    assert "submit it for review" in page(client.get(manage(draft.slug)))


def test_a_petition_sent_back_shows_what_the_moderators_asked(client, draft, editor):
    draft.submit()
    draft.send_back(note="Please name the ministry precisely.")
    client.force_login(editor)
    text = page(client.get(manage(draft.slug)))
    assert "The moderators sent this petition back to you" in text
    assert "Please name the ministry precisely." in text
    assert "Submit for review" in text


def test_a_pending_petition_says_it_waits_for_the_moderators(client, draft, editor):
    draft.submit()
    client.force_login(editor)
    text = page(client.get(manage(draft.slug)))
    assert "Waiting for the moderators: submitted on" in text
    assert "Submit for review" not in text


def test_a_rejected_petition_shows_the_reason_and_the_note(client, draft, editor):
    reason = RejectionReason.objects.create(
        code="already-running", title="Already running",
        description="A petition like this is already open.")
    draft.submit()
    draft.reject(reason=reason, note="See stop-the-liquidation.")
    client.force_login(editor)
    text = page(client.get(manage(draft.slug)))
    assert "The moderators rejected this petition" in text
    assert "Already running" in text and "A petition like this is already open." in text
    assert "See stop-the-liquidation." in text
    assert "Submit for review" not in text


def test_a_petition_taken_down_tells_its_organisers_why_and_keeps_its_count(
    client, petition, editor, moderator
):
    Petition.objects.filter(pk=petition.pk).update(signature_count=1234)
    petition.refresh_from_db()
    petition.take_down(by=moderator, reason=RejectionReason.objects.get(code="duplicate"),
                       note="See keep-the-helpline-open.", publish_reason=True)
    client.force_login(editor)
    text = page(client.get(manage(petition.slug)))
    assert "The moderators took this petition down" in text
    assert "Duplicate of an open petition" in text and "shown on the public page" in text
    assert "See keep-the-helpline-open." in text
    assert "1,234" in text
    assert "The public page" not in text and "Close the petition now" not in text


def test_an_open_petition_shows_its_count_links_and_buttons(client, petition, editor):
    Petition.objects.filter(pk=petition.pk).update(signature_count=1234)
    client.force_login(editor)
    text = page(client.get(manage(petition.slug)))
    assert "Open for signing since" in text
    assert "1,234" in text and "<progress" in text
    assert f'href="{petition.get_absolute_url()}"' in text
    assert "Close the petition now" in text and "Declare victory" in text
    assert "Updates to signers" in text and "Signatures and data" in text


def test_a_closed_petition_after_victory_offers_no_more_buttons(client, petition, editor):
    petition.close()
    petition.declare_victory()
    client.force_login(editor)
    text = page(client.get(manage(petition.slug)))
    assert "Closed on" in text and "Victory!" in text
    assert "Close the petition now" not in text and "Declare victory" not in text


# Moving a petition along


def test_an_editor_submits_a_draft_for_review(client, draft, editor):
    client.force_login(editor)
    response = client.post(manage(draft.slug, "submit"))
    assert response.status_code == 302 and response.url == manage(draft.slug)
    assert Petition.objects.get(pk=draft.pk).state == Petition.State.PENDING
    assert AuditEntry.objects.filter(action="petition.submit", actor=editor).exists()
    assert "Submitted for review" in page(client.get(response.url))


def test_submitting_an_open_petition_says_why_not_and_changes_nothing(client, petition, editor):
    client.force_login(editor)
    response = client.post(manage(petition.slug, "submit"), follow=True)
    assert "Only a draft can be submitted for review." in page(response)
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN
    assert not AuditEntry.objects.filter(action="petition.submit").exists()


def test_closing_stops_signing_at_once(client, petition, editor, signer,
                                       django_capture_on_commit_callbacks):
    assert client.get(petition.get_absolute_url()).status_code == 200
    assert cache.get(f"petition:{petition.slug}") is not None
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(manage(petition.slug, "close"), follow=True)
    assert "nobody can sign it any more" in page(response)
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.CLOSED
    assert cache.get(f"petition:{petition.slug}") is None
    assert AuditEntry.objects.filter(action="petition.close", actor=editor).exists()


def test_closing_a_draft_says_why_not(client, draft, editor):
    client.force_login(editor)
    response = client.post(manage(draft.slug, "close"), follow=True)
    assert "Only an open petition can be closed." in page(response)
    assert Petition.objects.get(pk=draft.pk).state == Petition.State.DRAFT


def test_victory_is_declared_once(client, petition, editor):
    client.force_login(editor)
    first = client.post(manage(petition.slug, "victory"), follow=True)
    assert "Victory is declared" in page(first)
    declared = Petition.objects.get(pk=petition.pk).victory_at
    assert declared is not None
    second = client.post(manage(petition.slug, "victory"), follow=True)
    assert "Victory has already been declared." in page(second)
    assert Petition.objects.get(pk=petition.pk).victory_at == declared
    assert AuditEntry.objects.filter(action="petition.victory").count() == 1


def test_the_forms_need_a_csrf_token(editor, draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(manage(draft.slug, "submit")).status_code == 403
    assert client.post(CREATE, petition_form()).status_code == 403
    assert Petition.objects.get(pk=draft.pk).state == Petition.State.DRAFT


def test_an_image_can_be_replaced_and_removed_and_the_old_file_goes(
        client, petition, editor, settings, django_capture_on_commit_callbacks):
    client.force_login(editor)
    url = manage(petition.slug, "edit")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, petition_form(image=jpeg_with_gps(), image_alt="Supporters"))
    first = Petition.objects.get(pk=petition.pk).image
    assert first.storage.exists(first.name)
    assert "Currently" in page(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, petition_form(image=jpeg_with_gps(), image_alt="Supporters"))
    second = Petition.objects.get(pk=petition.pk).image
    assert second.name != first.name and not first.storage.exists(first.name)
    assert sorted(stored_files(settings)) == sorted(  # the old copies went with it
        settings.MEDIA_ROOT / name for name in stored_sizes(second.name).values())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, petition_form(**{"image-clear": "on"}))
    assert response.status_code == 302
    assert not Petition.objects.get(pk=petition.pk).image
    assert stored_files(settings) == []


def test_a_photo_is_stored_with_narrower_copies_that_the_pages_offer(
        client, petition, editor, settings):
    client.force_login(editor)
    client.post(manage(petition.slug, "edit"),
                petition_form(image=jpeg_with_gps(), image_alt="Supporters"))
    image = Petition.objects.get(pk=petition.pk).image
    sizes = stored_sizes(image.name)
    assert list(sizes) == [480, 800, 1200]
    for width, name in sizes.items():
        with Image.open(settings.MEDIA_ROOT / name) as stored:
            assert stored.width == width
            assert not stored.getexif() and "exif" not in stored.info  # no GPS in any copy
    srcset = ", ".join(f"/media/{name} {width}w" for width, name in sizes.items())
    for url in (petition.get_absolute_url(), manage(petition.slug)):
        shown = page(client.get(url))
        assert f'srcset="{srcset}" sizes="' in shown
        assert 'width="1200" height="600"' in shown  # the space is kept before it loads


def test_a_photo_stored_before_the_copies_existed_is_shown_alone(client, petition, settings):
    (settings.MEDIA_ROOT / "petitions").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1200, 600)).save(settings.MEDIA_ROOT / "petitions" / "rally.jpg")
    Petition.objects.filter(pk=petition.pk).update(image="petitions/rally.jpg",
                                                   image_alt="Supporters")
    shown = page(client.get(petition.get_absolute_url()))
    assert '<img src="/media/petitions/rally.jpg" alt="Supporters"' in shown
    assert "srcset" not in shown


def test_a_copy_the_disk_cannot_take_leaves_no_file_and_no_change(
        client, petition, editor, settings, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    client.force_login(editor)
    save = FileSystemStorage._save
    writes = []

    def full_after_the_first_file(storage, name, content):
        writes.append(name)
        if len(writes) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return save(storage, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", full_after_the_first_file)
    response = client.post(manage(petition.slug, "edit"),
                           petition_form(image=jpeg_with_gps(), image_alt="Supporters"))
    assert response.status_code == 503
    assert NOT_STORED in page(response)
    assert len(writes) == 2  # the picture was written, then its first copy failed
    assert not Petition.objects.get(pk=petition.pk).image
    assert stored_files(settings) == []


def stored_files(settings) -> list:
    return [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


NOT_STORED = "The picture could not be saved: the server is out of space or cannot write files."


def test_a_photo_on_a_full_disk_gives_the_form_back_and_saves_nothing(
        client, editor, settings, full_disk):
    client.force_login(editor)
    response = client.post(CREATE, petition_form(image=jpeg_with_gps(), image_alt="A crowd"))
    assert response.status_code == 503
    assert NOT_STORED in page(response)
    assert 'value="Stop the raids"' in page(response)  # what they wrote is still there
    assert not Petition.objects.exists()
    assert not AuditEntry.objects.filter(action="petition.create").exists()
    assert stored_files(settings) == []  # not even the part written before the disk filled


def test_a_new_photo_on_a_full_disk_keeps_the_petition_and_its_old_photo(
        client, petition, editor, settings, full_disk):
    client.force_login(editor)
    full_disk.free()
    client.post(manage(petition.slug, "edit"),
                petition_form(image=jpeg_with_gps(), image_alt="Supporters"))
    first = Petition.objects.get(pk=petition.pk).image.name
    full_disk.fill()
    response = client.post(manage(petition.slug, "edit"), petition_form(
        image_caption="At the court", image=jpeg_with_gps(), image_alt="Supporters"))
    assert response.status_code == 503
    assert NOT_STORED in page(response)
    stored = Petition.objects.get(pk=petition.pk)
    assert (stored.image_caption, stored.image.name) == ("", first)
    assert sorted(path.name for path in stored_files(settings)) == sorted(
        name.rsplit("/", 1)[-1] for name in stored_sizes(first).values())

    full_disk.free()  # room again: the same form goes through
    response = client.post(manage(petition.slug, "edit"), petition_form(
        image_caption="At the court", image=jpeg_with_gps(), image_alt="Supporters"))
    assert response.status_code == 302
    assert Petition.objects.get(pk=petition.pk).image_caption == "At the court"


def test_a_kept_image_still_needs_its_description(client, petition, editor):
    client.force_login(editor)
    client.post(manage(petition.slug, "edit"),
                petition_form(image=jpeg_with_gps(), image_alt="Supporters"))
    response = client.post(manage(petition.slug, "edit"), petition_form(image_alt=""))
    assert response.status_code == 400
    assert Petition.objects.get(pk=petition.pk).image_alt == "Supporters"


def test_a_draft_keeps_an_address(client, draft, editor):
    client.force_login(editor)
    response = client.post(manage(draft.slug, "edit"), petition_form(slug=""))
    assert response.status_code == 400
    assert Petition.objects.get(pk=draft.pk).slug == "free-the-press"
