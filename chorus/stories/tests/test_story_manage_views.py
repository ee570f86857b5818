"""Editors write, preview, publish, schedule, translate and unpublish stories."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chorus.audit.models import AuditEntry
from chorus.petitions.models import Petition
from chorus.stories.models import Story, StoryTranslation, Tag

CREATE = "/organiser/stories/new/"
LIST = "/organiser/stories/"


def manage(slug: str, action: str) -> str:
    return f"/organiser/stories/{slug}/{action}/"


def story_form(**changes) -> dict:
    data = {
        "organisation": "spectrum-alliance",
        "title": "The court postpones the hearing",
        "slug": "",
        "standfirst": "The ministry asked for more time.",
        "body": "The hearing was **postponed** on Tuesday.",
        "byline": "Lev Aronov",
        "published_at": "",
        "image_alt": "",
        "image_caption": "",
        "image_credit": "",
        "tags": "court, Supreme Court",
        "replies_open": "on",
        "language": "en",
        "action": "save",
    }
    data.update(changes)
    return data


def jpeg_with_gps(name="rally.jpg") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)})
    output = io.BytesIO()
    Image.new("RGB", (2400, 1200), (10, 120, 200)).save(output, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


@pytest.fixture
def story(organisation, editor):
    return Story.objects.create(
        organisation=organisation, slug="hearing", title="Hearing postponed",
        body="The hearing was postponed.", created_by=editor,
    )


def page(response) -> str:
    return response.content.decode()


# Who may do what


@pytest.mark.parametrize("url", [LIST, CREATE, manage("hearing", "edit"),
                                 manage("hearing", "translations/ru")])
def test_anonymous_visitors_are_sent_to_log_in(client, story, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("organisers:login") + "?next=")


def test_a_viewer_cannot_write_a_story(client, viewer):
    client.force_login(viewer)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, story_form()).status_code == 403
    assert not Story.objects.exists()


@pytest.mark.parametrize("action", ["edit", "translations/ru"])
def test_a_viewer_cannot_edit_a_story_of_their_organisation(client, viewer, story, action):
    client.force_login(viewer)
    assert client.get(manage(story.slug, action)).status_code == 403


@pytest.mark.parametrize("action", ["edit", "publish", "unpublish", "translations/ru"])
def test_an_outsider_cannot_even_see_that_a_story_exists(client, outsider, story, action):
    client.force_login(outsider)
    assert client.post(manage(story.slug, action)).status_code == 404
    story.refresh_from_db()
    assert story.state == Story.State.DRAFT


def test_an_outsider_cannot_write_for_another_organisation(client, outsider, organisation):
    client.force_login(outsider)
    response = client.post(CREATE, story_form())
    assert response.status_code == 400
    assert "Choose one of your organisations." in page(response)
    assert not Story.objects.exists()


def test_a_site_wide_story_is_for_staff_only(client, editor, moderator):
    site_wide = Story.objects.create(slug="about", title="About us", body="We help.")
    client.force_login(editor)
    assert client.get(manage(site_wide.slug, "edit")).status_code == 404


def test_publishing_is_post_only(client, editor, story):
    client.force_login(editor)
    response = client.get(manage(story.slug, "publish"))
    assert response.status_code == 405
    story.refresh_from_db()
    assert story.state == Story.State.DRAFT


# Writing


def test_an_editor_writes_previews_publishes_and_edits_a_story(client, editor, petition):
    client.force_login(editor)
    assert client.get(CREATE).status_code == 200

    preview = client.post(CREATE, story_form(action="preview"))
    assert preview.status_code == 200
    assert "<strong>postponed</strong>" in page(preview)
    assert not Story.objects.exists()

    response = client.post(CREATE, story_form(petitions=[petition.pk]))
    story = Story.objects.get()
    assert response.status_code == 302
    assert response.url == manage(story.slug, "edit")
    assert story.slug == "the-court-postpones-the-hearing"
    assert story.state == Story.State.DRAFT
    assert story.created_by == editor
    assert sorted(tag.name for tag in story.tags.all()) == ["Supreme Court", "court"]
    assert list(story.petitions.all()) == [petition]
    assert client.get(story.get_absolute_url()).status_code == 404

    response = client.post(manage(story.slug, "publish"))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.state == Story.State.PUBLISHED
    assert story.published_at <= timezone.now()
    assert client.get(story.get_absolute_url()).status_code == 200

    edit_page = client.get(manage(story.slug, "edit"))
    assert 'value="Supreme Court, court"' in page(edit_page)
    response = client.post(manage(story.slug, "edit"), story_form(
        slug=story.slug, title="The court sets a new date", tags="court",
        published_at=story.published_at.strftime("%Y-%m-%dT%H:%M"),
    ))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "The court sets a new date"
    assert [tag.name for tag in story.tags.all()] == ["court"]
    assert list(story.petitions.all()) == []
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["story.create", "story.publish", "story.edit"]
    assert "@" not in str(AuditEntry.objects.values_list("actor_name", "details"))


def test_tags_with_the_same_name_in_another_case_are_one_tag(client, editor):
    Tag.objects.create(name="Court", slug="court")
    client.force_login(editor)
    client.post(CREATE, story_form(tags="court, COURT, суд"))
    story = Story.objects.get()
    assert sorted(tag.slug for tag in story.tags.all()) == ["court", "суд"]
    assert Tag.objects.count() == 2


def test_a_new_story_starts_with_no_tags_and_saves_as_it_comes(client, editor):
    client.force_login(editor)
    form = client.get(CREATE).content.decode()
    assert re.search(r'<input[^>]*name="tags"[^>]*>', form)
    assert 'value="[]"' not in form
    tags = re.search(r'<input[^>]*name="tags"[^>]*>', form).group(0)
    assert 'value=' not in tags or 'value=""' in tags

    response = client.post(CREATE, story_form(tags=""))

    assert response.status_code == 302
    assert Story.objects.get().tags.count() == 0


def test_a_future_publication_date_schedules_the_story(client, editor, story):
    client.force_login(editor)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    client.post(manage(story.slug, "edit"), story_form(
        slug=story.slug, published_at=tomorrow.strftime("%Y-%m-%dT%H:%M")))
    response = client.post(manage(story.slug, "publish"), follow=True)
    assert "scheduled" in page(response)
    story.refresh_from_db()
    assert story.state == Story.State.PUBLISHED
    assert client.get(story.get_absolute_url()).status_code == 404
    assert story.title not in page(client.get(reverse("stories:list")))

    Story.objects.filter(pk=story.pk).update(published_at=timezone.now())
    assert client.get(story.get_absolute_url()).status_code == 200


def test_unpublishing_hides_the_story_again(client, editor, story):
    client.force_login(editor)
    client.post(manage(story.slug, "publish"))
    client.post(manage(story.slug, "unpublish"))
    story.refresh_from_db()
    assert story.state == Story.State.DRAFT
    assert client.get(story.get_absolute_url()).status_code == 404
    assert AuditEntry.objects.filter(action="story.unpublish").exists()


def test_staff_may_publish_a_story_for_the_whole_site(client, moderator):
    client.force_login(moderator)
    response = client.post(CREATE, story_form(organisation="", title="Our new site"))
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.organisation is None
    client.post(manage(story.slug, "publish"))
    story.refresh_from_db()
    assert story.state == Story.State.PUBLISHED
    assert client.get(story.get_absolute_url()).status_code == 200


def test_an_editor_must_choose_an_organisation(client, editor):
    client.force_login(editor)
    response = client.post(CREATE, story_form(organisation=""))
    assert response.status_code == 400
    assert not Story.objects.exists()


def test_the_image_is_stripped_of_its_location_and_scaled(client, editor, settings):
    client.force_login(editor)
    response = client.post(CREATE, {**story_form(image_alt="Supporters with flags",
                                                 image_caption="Outside the court",
                                                 image_credit="A volunteer"),
                                     "image": jpeg_with_gps()})
    assert response.status_code == 302
    story = Story.objects.get()
    with Image.open(story.image.path) as stored:
        assert stored.width == settings.CHORUS_IMAGE_MAX_WIDTH
        assert not stored.getexif()
    assert "rally" not in story.image.name


def test_a_photo_chosen_before_a_preview_is_published_with_the_story(client, editor, settings):
    client.force_login(editor)
    preview = client.post(CREATE, {**story_form(action="preview", image_alt="Supporters"),
                                   "image": jpeg_with_gps()})
    assert preview.status_code == 200
    assert "The picture you chose is kept" in page(preview)
    assert "choose it again" not in page(preview)
    assert not Story.objects.exists()
    kept = re.search(r'<img src="([^"]+)" alt="" width="240"', page(preview)).group(1)
    token = re.search(r'name="image_kept" value="([^"]+)"', page(preview)).group(1)
    assert (settings.MEDIA_ROOT / kept.removeprefix("/media/")).is_file()  # shown as chosen

    # Save on the preview page sends the form back without the file.
    saved = client.post(CREATE, story_form(image_kept=token, image_alt="Supporters"))
    assert saved.status_code == 302
    story = Story.objects.get()
    client.post(manage(story.slug, "publish"))
    story.refresh_from_db()
    assert story.image.name.startswith("stories/")
    with Image.open(story.image.path) as stored:
        assert stored.width == settings.CHORUS_IMAGE_MAX_WIDTH
    assert not list((settings.MEDIA_ROOT / "previews").iterdir())  # the waiting copy went
    public = page(client.get(story.get_absolute_url()))
    assert f'<img src="{story.image.url}" srcset="' in public
    assert 'alt="Supporters"' in public


def test_a_preview_of_an_edit_keeps_the_new_photo(client, editor, story):
    client.force_login(editor)
    edit = manage(story.slug, "edit")
    preview = client.post(edit, {**story_form(slug=story.slug, action="preview",
                                              image_alt="Supporters"), "image": jpeg_with_gps()})
    token = re.search(r'name="image_kept" value="([^"]+)"', page(preview)).group(1)
    client.post(edit, story_form(slug=story.slug, image_kept=token, image_alt="Supporters"))
    assert Story.objects.get(pk=story.pk).image


def test_a_photo_on_a_full_disk_gives_the_form_back_and_saves_no_story(
        client, editor, settings, full_disk):
    client.force_login(editor)
    response = client.post(CREATE, {**story_form(image_alt="Supporters with flags"),
                                     "image": jpeg_with_gps()})
    assert response.status_code == 503
    assert "The picture could not be saved: the server is out of space" in page(response)
    assert not Story.objects.exists()
    assert [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()] == []


# Bad input: a clear error, and nothing saved


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": "x" * 201}, "Ensure this value has at most 200 characters"),
    ({"title": "Court\x00hearing"}, "Please use only letters, numbers, spaces and punctuation."),
    ({"body": "A\x00B"}, "Please use only letters, numbers, spaces and punctuation."),
    ({"title": ""}, "This field is required."),
    ({"petitions": ["99999"]}, "Choose only petitions from the list."),
    ({"petitions": ["not-a-number"]}, "Choose only petitions from the list."),
    ({"tags": "x" * 61}, "A tag may be at most 60 characters long."),
    ({"tags": "!!!"}, "A tag needs at least one letter or number."),
    ({"language": "xx"}, "Select a valid choice."),
    ({"published_at": "soon"}, "Enter a date and time like 2030-12-31 18:00."),
    ({"slug": "no spaces"}, "Enter a valid “slug”"),
])
def test_bad_input_is_refused_with_a_clear_error(client, editor, changes, message):
    client.force_login(editor)
    response = client.post(CREATE, story_form(**changes))
    assert response.status_code == 400
    assert message in page(response)
    assert not Story.objects.exists()
    assert not Tag.objects.exists()


def test_a_story_links_at_most_five_petitions(client, editor, organisation):
    petitions = []
    for number in range(6):
        petition = Petition.objects.create(
            organisation=organisation, slug=f"petition-{number}", title=f"Petition {number}",
            target="The government", ask="Act.", body="Now.", goal=10,
        )
        petition.open()
        petitions.append(petition)
    client.force_login(editor)
    response = client.post(CREATE, story_form(petitions=[p.pk for p in petitions]))
    assert response.status_code == 400
    assert "Link at most 5 petitions." in page(response)
    assert not Story.objects.exists()


def test_a_draft_petition_cannot_be_linked(client, editor, draft):
    client.force_login(editor)
    response = client.post(CREATE, story_form(petitions=[draft.pk]))
    assert response.status_code == 400
    assert not Story.objects.exists()


def test_an_image_needs_a_description(client, editor):
    client.force_login(editor)
    response = client.post(CREATE, {**story_form(), "image": jpeg_with_gps()})
    assert response.status_code == 400
    assert "Describe the picture for people who cannot see it." in page(response)
    assert not Story.objects.exists()


def test_a_file_that_is_not_a_picture_is_refused(client, editor):
    client.force_login(editor)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = client.post(CREATE, {**story_form(image_alt="Flags"), "image": fake})
    assert response.status_code == 400
    assert "This file is not a picture we can use." in page(response)
    assert not Story.objects.exists()


def test_a_taken_address_is_refused(client, editor, story):
    client.force_login(editor)
    response = client.post(CREATE, story_form(slug=story.slug))
    assert response.status_code == 400
    assert "Another story already has this address." in page(response)
    assert Story.objects.count() == 1


def test_an_edit_with_bad_input_changes_nothing(client, editor, story):
    client.force_login(editor)
    response = client.post(manage(story.slug, "edit"), story_form(slug=story.slug, title="x" * 300))
    assert response.status_code == 400
    story.refresh_from_db()
    assert story.title == "Hearing postponed"
    assert not AuditEntry.objects.exists()


# Translations


def test_an_editor_adds_changes_and_deletes_a_translation(client, editor, story):
    client.force_login(editor)
    edit_page = page(client.get(manage(story.slug, "edit")))
    assert manage(story.slug, "translations/ru") in edit_page
    assert manage(story.slug, "translations/en") not in edit_page

    url = manage(story.slug, "translations/ru")
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Слушание отложено", "standfirst": "", "body": "",
                                 "image_alt": "", "image_caption": "", "action": "save"})
    assert response.status_code == 302
    translation = StoryTranslation.objects.get(story=story)
    assert (translation.language, translation.title) == ("ru", "Слушание отложено")

    client.post(url, {"title": "Суд отложил слушание", "body": "Текст.", "action": "save"})
    translation.refresh_from_db()
    assert translation.title == "Суд отложил слушание"
    assert StoryTranslation.objects.count() == 1

    client.post(url, {"action": "delete"})
    assert not StoryTranslation.objects.exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["story.translate", "story.translate", "story.translation_delete"]


@pytest.mark.parametrize("language", ["en", "xx"])
def test_there_is_no_translation_into_the_original_or_an_unknown_language(
    client, editor, story, language
):
    client.force_login(editor)
    assert client.get(manage(story.slug, f"translations/{language}")).status_code == 404


def test_a_translation_with_bad_input_is_refused(client, editor, story):
    client.force_login(editor)
    response = client.post(manage(story.slug, "translations/ru"),
                           {"title": "Слушание\x00", "action": "save"})
    assert response.status_code == 400
    assert not StoryTranslation.objects.exists()


# The list of stories


def test_the_list_shows_the_organisations_stories_and_staff_see_all(
    client, editor, outsider, moderator, story
):
    site_wide = Story.objects.create(slug="about", title="About the site", body="We help.")
    client.force_login(editor)
    listing = page(client.get(LIST))
    assert story.title in listing and site_wide.title not in listing
    client.force_login(outsider)
    assert story.title not in page(client.get(LIST))
    client.force_login(moderator)
    listing = page(client.get(LIST))
    assert story.title in listing and site_wide.title in listing
