"""The public history of a petition's text."""

import datetime

from django.utils import timezone

from chorus.petitions.models import PetitionRevision
from chorus.petitions.services import petition_revise


def changes_url(petition) -> str:
    return f"/petitions/{petition.slug}/changes/"


def page(client, petition) -> str:
    response = client.get(changes_url(petition))
    assert response.status_code == 200
    return response.content.decode()


def test_an_unchanged_petition_says_so(client, petition):
    assert "The text has not changed since the petition opened." in page(client, petition)


def test_a_correction_by_the_moderators_is_shown_with_its_note_and_a_word_diff(
        client, petition, moderator):
    petition.signature_count = 12
    petition.save()
    petition_revise(petition=petition, actor=moderator, staff=True,
                    note="The ask named the wrong court.",
                    changes={"ask": "Withdraw the lawsuit now."})
    text = page(client, petition)
    assert "correction by the moderators" in text
    assert "The ask named the wrong court." in text
    assert "What we ask" in text
    assert '<del><span class="visually-hidden">removed: </span>lawsuit.</del>' in text
    assert '<ins><span class="visually-hidden">added: </span>lawsuit now.</ins>' in text
    assert "The text has not changed" not in text
    # Nobody's name or address: only who in general made the change.
    assert moderator.email not in text


def test_changes_are_listed_newest_first_and_say_who_made_them(client, petition, moderator,
                                                               editor):
    PetitionRevision.objects.create(
        petition=petition, changed_by=editor, changes={"title": ["Stop it", "Stop the lawsuit"]},
        created_at=petition.opened_at + datetime.timedelta(hours=1))
    PetitionRevision.objects.create(
        petition=petition, changed_by=moderator, by_staff=True, note="Typo.",
        changes={"target": ["The Govrnment", "The Government of Norvania"]},
        created_at=petition.opened_at + datetime.timedelta(hours=2))
    text = page(client, petition)
    assert text.index("correction by the moderators") < text.index("change by the organisers")


def test_draft_edits_before_the_petition_opened_are_not_public(client, draft, owner):
    petition_revise(petition=draft, actor=owner,
                    changes={"body": "Names the informant who must be removed."})
    draft.open()
    text = page(client, draft)
    assert "informant" not in text
    assert "The text has not changed since the petition opened." in text


def test_text_in_a_change_is_escaped(client, petition, moderator):
    PetitionRevision.objects.create(
        petition=petition, changed_by=moderator, by_staff=True, note="<b>note</b>",
        changes={"body": ["old", "<script>alert(1)</script>"]},
        created_at=timezone.now())
    text = page(client, petition)
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text
    assert "<b>note</b>" not in text


def test_drafts_pending_and_rejected_petitions_have_no_public_changes_page(client, draft):
    assert client.get(changes_url(draft)).status_code == 404
    draft.submit()
    assert client.get(changes_url(draft)).status_code == 404


def test_a_closed_petition_still_shows_its_changes(client, petition):
    petition.close()
    assert "History of changes" in page(client, petition)
