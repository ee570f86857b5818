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
    from chorus.organisers.models import Membership
    from chorus.petitions.models import Petition, PetitionTranslation
    from chorus.petitions.previews.services import preview_link_create
    from chorus.signatures.models import Signature
    from chorus.signatures.tokens import confirmation_token, manage_token
    from chorus.stories.models import Reply, Story
    from chorus.testing import make_user

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
    signature = Signature.objects.filter(petition=liquidation).order_by("pk").first()
    unconfirmed = Signature.objects.filter(petition=liquidation).order_by("pk").last()
    Signature.objects.filter(pk=unconfirmed.pk).update(state=Signature.State.PENDING,
                                                       confirmed_at=None)
    story = Story.objects.order_by("slug").first()
    Reply.objects.create(story=story, name="Amara K.", email_digest="0" * 64,
                         body="Thank you for writing this.")
    now = timezone.now()
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
    return {
        "organiser": organiser, "membership": membership, "moderator": moderator,
        "petition": liquidation, "scheduled": scheduled, "preview_token": preview_token,
        "paused": paused,
        "story": story, "tag": story.tags.first(),
        "confirm_token": confirmation_token(unconfirmed.pk),
        "manage_token": manage_token(signature.pk),
    }


def page_list(site: dict) -> list[Page]:
    slug = site["petition"].slug
    scheduled, paused = site["scheduled"].slug, site["paused"].slug
    story = site["story"]
    organisation = site["petition"].organisation.slug
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
        Page("members", f"/organiser/organisations/{organisation}/members/", "organiser"),
        Page("member-remove", f"/organiser/organisations/{organisation}/members/"
                              f"{site['membership'].pk}/remove/", "organiser"),
        Page("api-keys", f"/organiser/organisations/{organisation}/api-keys/", "organiser"),
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
