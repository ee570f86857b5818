"""Who may open which organiser and moderation page: one table for all of them.

LOGIN: redirected to log in. 404: the page does not exist for them (another
organisation's petitions are not even acknowledged). 403: a member without
the role, or an organiser on a staff page. A number: the page works.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.petitions.models import Petition, RejectionReason, Target
from chorus.petitions.partners.services import partner_invite
from chorus.petitions.previews.services import preview_link_create
from chorus.signatures.models import PaperBatch
from chorus.testing import tampered

LOGIN = "login"
PERSONAS = ["anonymous", "outsider", "viewer", "editor", "owner", "moderator",
            "partner_owner", "other_partner"]
_AS_OUTSIDER = object()


def expect(anonymous=LOGIN, outsider=404, viewer=403, editor=403, owner=200, moderator=404,
           partner_owner=_AS_OUTSIDER, other_partner=_AS_OUTSIDER):
    """The owners of the petition's partner organisations are outsiders to everything but
    their own partner pages, unless the row says otherwise."""
    partner_owner = outsider if partner_owner is _AS_OUTSIDER else partner_owner
    other_partner = outsider if other_partner is _AS_OUTSIDER else other_partner
    return dict(zip(PERSONAS, [anonymous, outsider, viewer, editor, owner, moderator,
                               partner_owner, other_partner], strict=True))


MEMBER_READ = expect(viewer=200, editor=200)
EDITOR_PAGE = expect(editor=200)
EDITOR_ACTION = expect(editor=302, owner=302)
# An organiser form posted empty: only editors and owners get as far as its own refusal.
EDITOR_FORM = expect(editor=400, owner=400)
OWNER_PAGE = expect()
OWNER_ACTION = expect(owner=302)
STAFF_PAGE = expect(outsider=403, viewer=403, editor=403, owner=403, moderator=200)
STAFF_ACTION = expect(outsider=403, viewer=403, editor=403, owner=403, moderator=302)
# A public figure: anyone, signed in or not; a draft has none, for anyone.
PUBLIC_READ = expect(anonymous=200, outsider=200, viewer=200, editor=200, moderator=200)
NOT_PUBLIC = expect(anonymous=404, viewer=404, editor=404, owner=404)
EDITOR_FORM = expect(editor=400, owner=400)
EVERYONE = expect(anonymous=200, outsider=200, viewer=200, editor=200, moderator=200)
NOBODY = expect(anonymous=404, viewer=404, editor=404, owner=404)
# A staff form posted empty: only staff get as far as the form's own refusal.
STAFF_FORM = expect(outsider=403, viewer=403, editor=403, owner=403, moderator=400)

# (url name, which petition or organisation, method, expected status per persona)
TABLE = [
    ("organisers:members", "organisation", "get", MEMBER_READ),
    ("api:keys:list", "organisation", "get", OWNER_PAGE),
    ("petitions:manage:detail", "draft", "get", MEMBER_READ),
    ("petitions:manage:edit", "draft", "get", EDITOR_PAGE),
    ("petitions:manage:submit", "draft", "post", EDITOR_ACTION),
    ("petitions:manage:close", "petition", "post", EDITOR_ACTION),
    ("petitions:manage:close", "petition", "get", EDITOR_PAGE),
    ("petitions:manage:victory", "petition", "post", EDITOR_ACTION),
    ("petitions:manage:victory", "petition", "get", EDITOR_PAGE),
    ("petitions:manage:opening", "draft", "get", EDITOR_PAGE),
    ("petitions:manage:opening", "scheduled", "get", EDITOR_PAGE),
    # Posted empty: only editors and owners get as far as the form's own refusal.
    ("petitions:manage:opening", "scheduled", "post", EDITOR_FORM),
    ("petitions:manage:pause", "petition", "get", EDITOR_PAGE),
    ("petitions:manage:pause", "petition", "post", EDITOR_ACTION),
    ("petitions:manage:resume", "paused", "get", EDITOR_PAGE),
    ("petitions:manage:resume", "paused", "post", EDITOR_ACTION),
    ("petitions:previews:list", "scheduled", "get", EDITOR_PAGE),
    ("petitions:previews:list", "scheduled", "post", EDITOR_FORM),
    ("petitions:previews:revoke", "preview_link", "post", EDITOR_ACTION),
    # Before the opening, only a preview link shows the petition, to anyone who holds it.
    ("signatures:preview", "preview_token", "get", EVERYONE),
    ("signatures:preview", "wrong_token", "get", NOBODY),
    ("embeds:preview", "preview_token", "get", EVERYONE),
    ("embeds:preview", "wrong_token", "get", NOBODY),
    ("signatures:petition", "scheduled", "get", NOBODY),
    ("embeds:embed", "scheduled", "get", NOBODY),
    ("updates:create", "petition", "get", EDITOR_PAGE),
    ("petitions:targets:add", "petition", "get", EDITOR_PAGE),
    ("petitions:targets:add", "petition", "post", EDITOR_FORM),
    ("petitions:targets:edit", "target", "get", EDITOR_PAGE),
    ("petitions:targets:edit", "target", "post", EDITOR_FORM),
    ("petitions:targets:move", "target", "post", EDITOR_ACTION),
    ("petitions:targets:remove", "target", "get", EDITOR_PAGE),
    ("petitions:targets:answer", "target", "get", EDITOR_PAGE),
    ("petitions:targets:answer", "target", "post", EDITOR_FORM),
    ("petitions:targets:handin", "petition", "get", EDITOR_PAGE),
    ("petitions:targets:handin", "petition", "post", EDITOR_FORM),
    ("petitions:targets:handin", "draft", "get", EDITOR_PAGE),
    ("signatures:exports:csv", "petition", "get", OWNER_PAGE),
    ("signatures:exports:delivery", "petition", "get", OWNER_PAGE),
    ("signatures:exports:delivery_page", "petition", "get", OWNER_PAGE),
    ("signatures:exports:delivery_page", "petition", "post", OWNER_ACTION),
    ("signatures:exports:purge", "petition", "get", OWNER_PAGE),
    ("moderation:queue", None, "get", STAFF_PAGE),
    ("moderation:audit", None, "get", STAFF_PAGE),
    ("moderation:review", "pending", "get", STAFF_PAGE),
    ("moderation:correct", "petition", "get", STAFF_PAGE),
    ("moderation:response", "petition", "get", STAFF_PAGE),
    ("moderation:take_down", "petition", "post", STAFF_FORM),
    ("moderation:restore", "taken_down", "post", STAFF_ACTION),
    # Paper signatures: viewers may look (batches, sheets, figures), editors and owners enter.
    ("signatures:paper:batches", "petition", "get", MEMBER_READ),
    ("signatures:paper:create", "petition", "get", EDITOR_PAGE),
    ("signatures:paper:anomalies", "petition", "get", MEMBER_READ),
    ("signatures:paper:csv_template", "petition", "get", MEMBER_READ),
    ("signatures:paper:batch", "batch", "get", MEMBER_READ),
    ("signatures:paper:sheet", "batch", "get", MEMBER_READ),
    ("signatures:paper:entry", "batch", "get", EDITOR_PAGE),
    ("signatures:paper:import", "batch", "get", EDITOR_PAGE),
    # Not comparing yet: editors are sent back to the batch.
    ("signatures:paper:compare", "batch", "get", EDITOR_ACTION),
    ("signatures:paper:send_back", "batch", "post", EDITOR_ACTION),
    ("signatures:counting:map_png", "petition", "get", PUBLIC_READ),
    ("signatures:counting:map_png", "draft", "get", NOT_PUBLIC),
    # Partners: the petition's organisation manages them; each partner sees its own page
    # (the "partner" is partner_owner's) and only its owners download its signers.
    ("petitions:partners:list", "petition", "get", MEMBER_READ),
    ("petitions:partners:invite", "petition", "post", OWNER_PAGE),
    ("petitions:partners:consent", "petition", "post", expect(owner=400)),
    ("petitions:partners:revoke", "invitation", "post", expect(owner=302)),
    ("petitions:partners:remove", "partner", "get", OWNER_PAGE),
    ("petitions:partners:remove", "partner", "post", expect(owner=400)),
    ("petitions:partners:detail", "partner", "get",
     expect(viewer=200, editor=200, partner_owner=200)),
    ("signatures:exports:partner_csv", "partner", "get",
     expect(owner=403, partner_owner=200)),
    # Any organiser may open an invitation; only an owner of an organisation can accept.
    ("petitions:partners:accept", "invitation_link", "get",
     expect(outsider=200, viewer=200, editor=200, moderator=200, partner_owner=200,
            other_partner=200)),
]


@pytest.fixture
def people(owner, editor, viewer, moderator, outsider, partner_owner, other_partner):
    return {"owner": owner, "editor": editor, "viewer": viewer, "moderator": moderator,
            "outsider": outsider, "anonymous": None, "partner_owner": partner_owner,
            "other_partner": other_partner}


@pytest.fixture
def objects(organisation, petition, draft, owner, partner_owner):
    pending = Petition.objects.create(
        organisation=organisation, slug="pending-review", title="Waiting", target="Someone",
        ask="Something.", goal=10,
    )
    pending.submit()
    taken_down = Petition.objects.create(
        organisation=organisation, slug="taken-down", title="Removed", target="Someone",
        ask="Something.", goal=10,
    )
    taken_down.open()
    taken_down.take_down(by=None, reason=RejectionReason.objects.first(), note="Duplicate.")
    scheduled = Petition.objects.create(
        organisation=organisation, slug="opens-later", title="Embargoed", target="Someone",
        ask="Something.", goal=10, opens_at=timezone.now() + datetime.timedelta(hours=5),
    )
    scheduled.open()
    paused = Petition.objects.create(
        organisation=organisation, slug="paused", title="Paused", target="Someone",
        ask="Something.", goal=10,
    )
    paused.open()
    paused.pause()
    link, preview_token = preview_link_create(petition=scheduled, actor=None, label="Reuters")
    # A page about one of the petition's targets names the petition and the target.
    target = Target.objects.create(petition=petition, name="Minister of Justice")
    invitation, token = partner_invite(actor=owner, petition=petition)
    batch = PaperBatch.objects.create(petition=petition, code="TBL234", collector="Stall",
                                      expected_rows=10)
    return {"organisation": organisation, "petition": petition, "draft": draft,
            "pending": pending, "taken_down": taken_down, None: None,
            "target": [petition.slug, target.pk], "batch": batch,
            # URL arguments of their own:
            "partner": [petition.slug, partner_owner.partner.pk],
            "invitation": [petition.slug, invitation.pk],
            "invitation_link": [token], "scheduled": scheduled,
            "paused": paused, "preview_link": (scheduled.slug, link.pk),
            "preview_token": (scheduled.slug, preview_token),
            "wrong_token": (scheduled.slug, tampered(preview_token))}


def url_args(name: str, thing) -> list:
    if isinstance(thing, list | tuple):  # URL arguments of its own
        return list(thing)
    if isinstance(thing, PaperBatch):
        return [thing.petition.slug, thing.code, *([1] if name.endswith(":entry") else [])]
    return [thing.slug] if thing is not None else []


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "subject", "method", "expected"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_each_persona_gets_what_their_role_allows(
    client, people, objects, persona, name, subject, method, expected
):
    thing = objects[subject]
    url = reverse(name, args=url_args(name, thing))
    if people[persona] is not None:
        client.force_login(people[persona])
    response = getattr(client, method)(url)
    if expected[persona] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("organisers:login"))
    else:
        assert response.status_code == expected[persona]


@pytest.mark.parametrize("name", ["dashboard:home", "petitions:manage:create"])
def test_organiser_pages_send_anonymous_visitors_to_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisers:login"))


def test_a_refused_action_changes_nothing(client, draft, viewer, outsider):
    for person in (viewer, outsider):
        client.force_login(person)
        client.post(reverse("petitions:manage:submit", args=[draft.slug]))
    draft.refresh_from_db()
    assert draft.state == Petition.State.DRAFT
