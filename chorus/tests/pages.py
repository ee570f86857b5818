"""Every kind of page a reader, a signer, an organiser and a moderator sees, on demo content.

Used by the browser checks (chorus/tests/test_every_page_browser.py: no sideways scrolling,
axe-core, the Nu HTML Checker) and by `make screenshots`.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

LANGUAGES = ["en", "ru", "ar"]
WIDTHS = {"phone": {"width": 320, "height": 640}, "desktop": {"width": 1280, "height": 800}}
NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java") or "/usr/bin/java"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str = "reader"  # reader, organiser or staff


def demo_site() -> dict:
    """The demo organisation, petitions and stories, with a victory, a signer and a flag."""
    from chorus.demo.services import load_demo
    from chorus.moderation.models import Flag
    from chorus.organisers.models import Membership, Organisation
    from chorus.petitions.models import Partner, Petition, PetitionTranslation
    from chorus.petitions.partners.services import partner_invite
    from chorus.petitions.previews.services import preview_link_create
    from chorus.signatures.models import DeliveryDocument, Signature
    from chorus.signatures.tokens import confirmation_token, manage_token
    from chorus.stories.models import Reply, Story
    from chorus.testing import make_member, make_user

    organisation = load_demo()
    membership = Membership.objects.get(organisation=organisation)
    organiser = membership.user
    moderator = make_user("audit.moderator@example.org", staff=True)
    moderator.is_superuser = True
    moderator.save()
    helpline = Petition.objects.get(slug="keep-the-helpline-open")
    helpline.declare_victory()
    liquidation = Petition.objects.get(slug="stop-the-liquidation")
    Petition.objects.filter(pk=liquidation.pk).update(
        closes_at=timezone.now() + timedelta(days=40))
    PetitionTranslation.objects.create(
        petition=liquidation, language="ar", title="أوقفوا دعوى حلّ تحالف سبكتروم",
        ask="اسحبوا الدعوى ضد تحالف سبكتروم.")
    now = timezone.now()
    signature = Signature.objects.filter(petition=liquidation).order_by("pk").first()
    unconfirmed = Signature.objects.filter(petition=liquidation).order_by("pk").last()
    Signature.objects.filter(pk=unconfirmed.pk).update(state=Signature.State.PENDING,
                                                       confirmed_at=None)
    # A big closed petition whose delivery document was made before the last signatures.
    closed = Petition.objects.get(slug="register-member-groups")
    Petition.objects.filter(pk=closed.pk).update(signature_count=12_050)
    DeliveryDocument.objects.create(
        petition=closed, state=DeliveryDocument.State.READY, file="delivery/demo.pdf",
        pages=75, signatures=12_000, counted=12_000, made_at=now - timedelta(days=1),
        requested_by=organiser)
    story = Story.objects.order_by("slug").first()
    Reply.objects.create(story=story, name="Amara K.", email_digest="0" * 64,
                         body="Thank you for writing this.")
    Flag.objects.create(kind=Flag.Kind.DOMAIN, value="mailinator.example", petition=liquidation,
                        count=40, window_seconds=600, window_start=now - timedelta(minutes=10),
                        window_end=now)
    # Embargoed until a press conference, with a journalist's preview link; and one whose
    # signing is paused while fake signatures are looked into.
    scheduled = Petition.objects.create(
        organisation=organisation, created_by=organiser, slug="embargoed-until-the-press",
        title="Release the detained journalists", target="The Ministry of the Interior",
        ask="Release the three journalists detained last week.", goal=5000,
        body="Three journalists were detained **without charge**.",
        opens_at=now + timedelta(hours=20),
    )
    scheduled.open()
    _link, preview_token = preview_link_create(petition=scheduled, actor=organiser,
                                               label="Reuters")
    paused = Petition.objects.create(
        organisation=organisation, created_by=organiser, slug="paused-while-we-check",
        title="Protect the shelters", target="The City Council",
        ask="Keep the shelters open this winter.", goal=2000,
    )
    paused.open()
    paused.pause()
    targets = _targets_and_handin(liquidation, organiser)
    # A coalition: a partner that brought a signer, and an invitation still waiting.
    partner_organisation = Organisation.objects.create(name="Rainbow Network",
                                                       slug="rainbow-network")
    partner = Partner.objects.create(petition=liquidation, organisation=partner_organisation,
                                     source="rainbow-network", accepted_at=now)
    Signature.objects.filter(pk=signature.pk).update(partner=partner)
    _invitation, invitation_token = partner_invite(actor=organiser, petition=liquidation)
    paper = _paper_batches(liquidation, organiser,
                           make_member(organisation, "paper.helper@example.org", "editor"))
    return {
        "organiser": organiser, "membership": membership, "moderator": moderator,
        "partner": partner, "partner_invitation_token": invitation_token,
        "petition": liquidation, "target": targets[0], **paper,
        "scheduled": scheduled, "preview_token": preview_token, "paused": paused,
        "story": story, "tag": story.tags.first(),
        "confirm_token": confirmation_token(unconfirmed.pk),
        "manage_token": manage_token(signature.pk),
    }


def _targets_and_handin(petition, organiser) -> list:
    """Three targets of the petition: answered, overdue and awaiting; and its hand-in."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from chorus.lib.images import hero_image_clean
    from chorus.petitions.models import HandIn, Target

    today = timezone.localdate()
    targets = [
        Target.objects.create(petition=petition, position=0, name="Ministry of Justice",
                              role="Minister", organisation="Government of Norvania",
                              contact="press@justice.example.org",
                              response_text="We have received the petition.\nWe will reply.",
                              response_date=today - timedelta(days=2)),
        Target.objects.create(petition=petition, position=1, name="Prosecutor General",
                              contact="https://prosecutor.example.org/contact"),
    ]
    picture = io.BytesIO()
    Image.new("RGB", (900, 600), "purple").save(picture, format="JPEG")
    handin = HandIn(petition=petition, handed_in_on=today - timedelta(days=41),
                    place="Ministry of Justice, 1 Main Street", received_by="Chief of staff",
                    reference="MJ-42", image_alt="Volunteers carrying boxes of signatures",
                    note="Thirty volunteers came with us.", recorded_by=organiser,
                    answers_due=today - timedelta(days=10))
    handin.image = hero_image_clean(SimpleUploadedFile("handin.jpg", picture.getvalue()))
    handin.save()
    return targets


def _paper_batches(petition, organiser, helper) -> dict:
    """A batch nobody typed yet, and one typed twice (by a helper, then the organiser) with
    a row the two entries read differently."""
    from chorus.signatures.paper import services as paper

    fresh = paper.batch_create(petition=petition, actor=organiser, collector="Market stall team",
                               expected_rows=30, collected_where="Central market")
    typed = paper.batch_create(petition=petition, actor=organiser, collector="Amara K.",
                               expected_rows=3)
    lines = {1: {"name": "Lena Sokolova", "country": "DE", "email": "lena@example.org",
                 "updates": True},
             2: {"name": "Omar Haddad", "country": "FR", "email": "", "updates": False}}
    for number, actor in ((1, helper), (2, organiser)):
        paper.entry_save_rows(batch=typed, number=number, actor=actor, rows=lines)
        paper.entry_finish(batch=typed, number=number, actor=actor)
        lines = {**lines, 2: {**lines[2], "name": "Omar Hadad"}}
    return {"paper_batch": fresh, "paper_typed": typed}


def page_list(site: dict) -> list[Page]:
    slug = site["petition"].slug
    target = site["target"].pk
    scheduled, paused = site["scheduled"].slug, site["paused"].slug
    story = site["story"]
    organisation = site["petition"].organisation.slug
    paper, typed = site["paper_batch"].code, site["paper_typed"].code
    return [
        Page("home", "/"),
        Page("petitions", "/petitions/"),
        Page("search", "/petitions/?q=helpline"),
        Page("petition", f"/petitions/{slug}/"),
        Page("petition-victory", "/petitions/keep-the-helpline-open/"),
        Page("petition-closed", "/petitions/register-member-groups/"),
        Page("history", f"/petitions/{slug}/history/"),
        Page("changes", f"/petitions/{slug}/changes/"),
        Page("share", f"/petitions/{slug}/share/"),
        Page("embed", f"/petitions/{slug}/embed/"),
        Page("organisation", f"/organisations/{organisation}/"),
        Page("stories", "/stories/"),
        Page("story", story.get_absolute_url()),
        Page("tag", site["tag"].get_absolute_url() if site["tag"] else "/stories/"),
        Page("about", "/about/"),
        Page("privacy", "/privacy/"),
        Page("contact", "/contact/"),
        Page("api-docs", "/api/v1/docs"),
        Page("not-found", "/no-such-page/"),
        Page("thanks", f"/petitions/{slug}/thanks/"),
        Page("confirm", f"/confirm/{site['confirm_token']}/"),
        Page("signer", f"/signature/{site['manage_token']}/"),
        Page("login", "/accounts/login/"),
        Page("signup", "/accounts/signup/"),
        Page("password-reset", "/accounts/password/reset/"),
        Page("dashboard", "/organiser/", "organiser"),
        Page("manage", f"/organiser/petitions/{slug}/", "organiser"),
        Page("edit", f"/organiser/petitions/{slug}/edit/", "organiser"),
        Page("new-petition", "/organiser/petitions/new/", "organiser"),
        Page("close", f"/organiser/petitions/{slug}/close/", "organiser"),
        Page("victory", f"/organiser/petitions/{slug}/victory/", "organiser"),
        Page("purge", f"/organiser/petitions/{slug}/purge/", "organiser"),
        Page("delivery", f"/organiser/petitions/{slug}/delivery/", "organiser"),
        Page("delivery-ready", "/organiser/petitions/register-member-groups/delivery/",
             "organiser"),
        Page("manage-delivery-ready", "/organiser/petitions/register-member-groups/",
             "organiser"),
        Page("pause", f"/organiser/petitions/{slug}/pause/", "organiser"),
        Page("resume", f"/organiser/petitions/{paused}/resume/", "organiser"),
        Page("petition-paused", f"/petitions/{paused}/"),
        Page("embed-paused", f"/petitions/{paused}/embed/"),
        Page("manage-scheduled", f"/organiser/petitions/{scheduled}/", "organiser"),
        Page("opening", f"/organiser/petitions/{scheduled}/opening/", "organiser"),
        Page("preview-links", f"/organiser/petitions/{scheduled}/previews/", "organiser"),
        Page("preview", f"/petitions/{scheduled}/preview/{site['preview_token']}/"),
        Page("embed-preview", f"/petitions/{scheduled}/embed/preview/{site['preview_token']}/"),
        Page("new-update", f"/organiser/petitions/{slug}/updates/new/", "organiser"),
        Page("target-add", f"/organiser/petitions/{slug}/targets/new/", "organiser"),
        Page("target-edit", f"/organiser/petitions/{slug}/targets/{target}/edit/", "organiser"),
        Page("target-answer", f"/organiser/petitions/{slug}/targets/{target}/answer/",
             "organiser"),
        Page("target-remove", f"/organiser/petitions/{slug}/targets/{target}/remove/",
             "organiser"),
        Page("handin", f"/organiser/petitions/{slug}/hand-in/", "organiser"),
        Page("members", f"/organiser/organisations/{organisation}/members/", "organiser"),
        Page("member-remove", f"/organiser/organisations/{organisation}/members/"
                              f"{site['membership'].pk}/remove/", "organiser"),
        Page("api-keys", f"/organiser/organisations/{organisation}/api-keys/", "organiser"),
        Page("partner-sign-form", f"/petitions/{slug}/?source={site['partner'].source}"),
        Page("partner-embed", f"/petitions/{slug}/embed/?source={site['partner'].source}"),
        Page("partners", f"/organiser/petitions/{slug}/partners/", "organiser"),
        Page("partner", f"/organiser/petitions/{slug}/partners/{site['partner'].pk}/",
             "organiser"),
        Page("partner-remove",
             f"/organiser/petitions/{slug}/partners/{site['partner'].pk}/remove/", "organiser"),
        Page("partner-invitation",
             f"/organiser/partner-invitations/{site['partner_invitation_token']}/", "organiser"),
        Page("paper-batches", f"/organiser/petitions/{slug}/paper/", "organiser"),
        Page("paper-new", f"/organiser/petitions/{slug}/paper/new/", "organiser"),
        Page("paper-anomalies", f"/organiser/petitions/{slug}/paper/anomalies/", "organiser"),
        Page("paper-batch", f"/organiser/petitions/{slug}/paper/{paper}/", "organiser"),
        Page("paper-entry", f"/organiser/petitions/{slug}/paper/{paper}/entry/1/", "organiser"),
        Page("paper-import", f"/organiser/petitions/{slug}/paper/{paper}/import/", "organiser"),
        Page("paper-compare", f"/organiser/petitions/{slug}/paper/{typed}/compare/",
             "organiser"),
        Page("organiser-stories", "/organiser/stories/", "organiser"),
        Page("story-form", f"/organiser/stories/{story.slug}/edit/", "organiser"),
        Page("moderation", "/moderation/", "staff"),
        Page("review", "/moderation/petitions/draft-education-rights/", "staff"),
        Page("audit", "/moderation/audit/", "staff"),
        Page("held", "/moderation/held/", "staff"),
        Page("abuse", "/moderation/abuse/", "staff"),
        Page("bulk-invalidate", "/moderation/abuse/invalidate/", "staff"),
        Page("invalidations", "/moderation/abuse/invalidations/", "staff"),
        Page("replies", "/moderation/replies/", "staff"),
    ]


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page, injected from node_modules (never a CDN)."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    return violations


def vnu_errors(folder: Path) -> dict[str, list[str]]:
    """The Nu HTML Checker's errors in every .html file of the folder (one Java start)."""
    result = subprocess.run(  # noqa: S603 - our own checker on our own files
        [JAVA, "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html",
         str(folder)],
        capture_output=True, text=True, check=False,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors: dict[str, list[str]] = {}
    for message in messages:
        name = Path(message.get("url", "?")).name
        errors.setdefault(name, []).append(
            f"{message.get('lastLine', '?')}: {message.get('message', '')}"[:300])
    return errors
