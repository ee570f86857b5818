"""The services behind the organiser pages (chorus.petitions.services)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from chorus.audit.models import AuditEntry
from chorus.petitions.models import Petition
from chorus.petitions.services import (
    petition_close,
    petition_create,
    petition_edit,
    petition_slug_for,
    petition_submit,
    petition_victory_declare,
)

TEXT = {"target": "The Ministry", "ask": "Stop it.", "body": "Because.", "goal": 10}


def test_a_created_petition_is_a_draft_by_its_author(organisation, editor):
    petition = petition_create(actor=editor, organisation=organisation, title="Free the press",
                               **TEXT)
    assert (petition.state, petition.created_by, petition.slug) == (
        Petition.State.DRAFT, editor, "free-the-press")
    assert AuditEntry.objects.filter(action="petition.create", target_id=str(petition.pk)).exists()


def test_slugs_made_from_titles_never_collide(organisation, editor, draft):
    assert petition_slug_for("Free the press") == "free-the-press-2"
    assert petition_slug_for("New") == "new-petition"
    assert petition_slug_for("Свободу прессе") == "petition"


def test_a_chosen_slug_taken_meanwhile_is_refused(organisation, editor, draft):
    with pytest.raises(ValidationError) as error:
        petition_create(actor=editor, organisation=organisation, title="Other",
                        slug="free-the-press", **TEXT)
    assert error.value.code == "slug_taken"
    assert Petition.objects.count() == 1


def test_invalid_fields_are_refused_by_the_service_too(organisation, editor):
    with pytest.raises(ValidationError):
        petition_create(actor=editor, organisation=organisation, title="x" * 300, **TEXT)
    assert not Petition.objects.exists()


def test_an_edit_is_checked_against_the_petition_as_it_is_now(draft, editor):
    stale = Petition.objects.get(pk=draft.pk)
    draft.open()  # the moderators approved it while the organiser was typing
    with pytest.raises(ValidationError, match="Only a draft's text can be changed."):
        petition_edit(petition=stale, actor=editor, changes={"title": "Changed"})
    assert Petition.objects.get(pk=draft.pk).title == "Free the press"


def test_submit_moves_a_draft_to_review_and_records_who(draft, editor):
    petition_submit(petition=draft, actor=editor)
    assert Petition.objects.get(pk=draft.pk).state == Petition.State.PENDING
    entry = AuditEntry.objects.get(action="petition.submit")
    assert entry.actor == editor


def test_a_refused_move_records_nothing(petition, editor):
    with pytest.raises(ValidationError):
        petition_submit(petition=petition, actor=editor)
    assert not AuditEntry.objects.filter(action="petition.submit").exists()


def test_closing_forgets_the_cached_public_copy(petition, editor,
                                                django_capture_on_commit_callbacks):
    cache.set(f"petition:{petition.slug}", petition)
    with django_capture_on_commit_callbacks(execute=True):
        petition_close(petition=petition, actor=editor)
    assert cache.get(f"petition:{petition.slug}") is None
    assert not Petition.objects.get(pk=petition.pk).is_signable


def test_victory_is_recorded_in_the_audit_log(petition, owner):
    petition_victory_declare(petition=petition, actor=owner)
    assert Petition.objects.get(pk=petition.pk).victory_at is not None
    assert AuditEntry.objects.filter(action="petition.victory", actor=owner).exists()
