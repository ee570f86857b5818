"""Demo content for a new site, written for Chorus (all people and places invented)."""

import io
import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from chorus.demo.stories import load_demo_stories
from chorus.lib.digests import email_digest
from chorus.lib.images import hero_image_clean
from chorus.organisers.models import Membership, Organisation, Role
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature
from chorus.signatures.transparency.services import log_publish
from chorus.updates.models import Update

RAINBOW = ["#e40303", "#ff8c00", "#ffed00", "#008026", "#004dff", "#750787"]

FIRST_NAMES = [
    "Anna", "Ivan", "Maria", "Lucía", "Omar", "Aisha", "Chen", "Priya", "Tomás", "Ingrid",
    "Kwame", "Yuki", "Sofia", "Mateo", "Leila", "Nikolai", "Fatima", "Jonas", "Amara", "Elif",
    "Dmitri", "Olga", "Carlos", "Nadia", "Sam", "Alex", "Noor", "Marta", "Pavel", "Zanele",
]
LAST_INITIALS = "ABCDEFGHIKLMNOPRSTVZ"
COUNTRIES = [
    "DE", "FR", "GB", "US", "ES", "AR", "MX", "EG", "MA", "JO", "IN", "JP", "BR", "NO", "SE",
    "FI", "PL", "LT", "GE", "AM", "KZ", "UA", "CA", "AU", "NL", "IT", "TR", "ZA", "KE", "CL",
]

PETITIONS = [
    {
        "slug": "stop-the-liquidation",
        "title": "Stop the lawsuit to liquidate the Spectrum Alliance",
        "target": "The Government of the Republic of Norvania",
        "ask": "Withdraw the lawsuit against the Spectrum Alliance and end the persecution of "
               "LGBT+ people and those who defend them.",
        "body": (
            "The Ministry of Justice of Norvania has asked the Supreme Court to **liquidate** the "
            "foundation behind the Spectrum Alliance, a network of eleven member groups and "
            "thirteen regional offices, for spreading views “contrary to traditional values”.\n\n"
            "For fifteen years the Alliance has run helplines, legal aid and safe houses for "
            "people who had nowhere else to go. Closing it would leave thousands without help.\n\n"
            "## What we ask\n\n"
            "- Withdraw the lawsuit.\n"
            "- Stop treating human-rights work as a crime.\n"
            "- Guarantee that the Alliance's staff and volunteers can work without fear.\n"
        ),
        "statement": "We are being sued for helping people survive. We will not stop, and "
                     "with your signature the government will know the world is watching.",
        "statement_by": "Mira Kalnina",
        "statement_role": "Chair of the board, Spectrum Alliance",
        "image_caption": "Supporters wrapped in rainbow flags outside the Supreme Court.",
        "image_credit": "Spectrum Alliance",
        "goal": 10_000,
        "signatures": 320,
        "state": Petition.State.OPEN,
    },
    {
        "slug": "free-the-pride-organisers",
        "title": "Free the detained Pride organisers",
        "target": "The Prosecutor General of Norvania",
        "ask": "Release the four volunteers detained for planning a peaceful Pride picnic.",
        "body": "Four volunteers were detained in March for organising a picnic in a city "
                "park. They are charged with “propaganda”. Peaceful assembly is a right, "
                "not a crime.",
        "image_caption": "A picnic blanket and rainbow ribbons left in the park.",
        "image_credit": "A volunteer",
        "goal": 5_000,
        "signatures": 140,
        "state": Petition.State.OPEN,
    },
    {
        "slug": "keep-the-helpline-open",
        "title": "Keep the national LGBT+ helpline open",
        "target": "The Telecommunications Regulator of Norvania",
        "ask": "Restore the free phone number of the national LGBT+ helpline.",
        "body": "The regulator revoked the helpline's free number without explanation. "
                "Callers in crisis now hear a dead line.",
        "goal": 2_000,
        "signatures": 45,
        "state": Petition.State.OPEN,
    },
    {
        "slug": "register-member-groups",
        "title": "Register the Alliance's regional groups",
        "target": "The Registration Service of Norvania",
        "ask": "Register the regional groups whose applications have been refused for years.",
        "body": "This petition is closed. Thank you to everyone who signed.",
        "goal": 500,
        "signatures": 60,
        "state": Petition.State.CLOSED,
    },
]


def _image_bytes(width: int, height: int, *, seed: int) -> bytes:
    """A rainbow-flag banner drawn locally, so the demo needs no downloads."""
    image = Image.new("RGB", (width, height), "#2a1f3d")
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    for flag in range(7):
        x, y = rng.randint(-100, width - 150), rng.randint(20, height - 160)
        w, h = rng.randint(200, 320), rng.randint(120, 180)
        stripe = h / len(RAINBOW)
        for i, colour in enumerate(RAINBOW):
            top = y + i * stripe
            draw.polygon(
                [(x, top + flag * 2), (x + w, top), (x + w, top + stripe), (x, top + stripe + 4)],
                fill=colour,
            )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def _logo_bytes() -> bytes:
    image = Image.new("RGBA", (192, 192), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for i, colour in enumerate(RAINBOW):
        inset = i * 14
        draw.ellipse([inset, inset, 191 - inset, 191 - inset], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@transaction.atomic
def load_demo(*, rng: random.Random | None = None) -> Organisation | None:
    """Create the demo organisation and petitions; None if they already exist."""
    if Organisation.objects.filter(slug="spectrum-alliance").exists():
        return None
    rng = rng or random.Random(2026)
    organisation = Organisation.objects.create(
        name="Spectrum Alliance",
        slug="spectrum-alliance",
        description="A national network of LGBT+ rights groups in Norvania: eleven member "
                    "groups, thirteen regional offices, one helpline.",
        website="https://example.org/",
    )
    organisation.logo.save("spectrum-alliance.png", ContentFile(_logo_bytes()), save=True)
    now = timezone.now()
    for index, spec in enumerate(PETITIONS):
        spec = dict(spec)
        wanted = spec.pop("signatures")
        # The demo is the story of PRODUCT.md: signers who may be watched.
        petition = Petition(organisation=organisation, sensitive=True, **spec)
        petition.opened_at = now - timedelta(days=30 - index * 5)
        if petition.state == Petition.State.CLOSED:
            petition.closed_at = now - timedelta(days=2)
        # Cleaned like an organiser's upload, so it is stored with its narrower copies.
        petition.image = hero_image_clean(ContentFile(_image_bytes(1200, 600, seed=index)))
        petition.image_alt = "Rainbow flags against a dark sky"
        petition.save()
        Signature.objects.bulk_create(
            _demo_signature(petition, n, rng, now) for n in range(wanted)
        )
    organiser, _moderator = _demo_people(organisation)
    Petition.objects.create(
        organisation=organisation, slug="draft-education-rights", goal=1000, created_by=organiser,
        title="Education without censorship", target="The Ministry of Education of Norvania",
        ask="Drop the ban on discussing families like ours in schools.",
        body="Teachers are fined for mentioning that some children have two mothers.",
    ).submit()
    Update.objects.create(
        petition=Petition.objects.get(slug="stop-the-liquidation"), created_by=organiser,
        title="The first hearing is postponed",
        body="The Supreme Court postponed the first hearing to next month. Thank you for "
             "signing: the court has noticed that the world is watching.",
        published_at=now - timedelta(days=3),
    )
    load_demo_stories(organisation)
    # Counted, and in the first signed statement of each petition's public log.
    log_publish()
    return organisation


# Development sites only: well-known passwords must never reach a real server.
DEMO_PASSWORD = "chorus-demo"  # noqa: S105


def _demo_people(organisation):
    """An owner for the organisation and a staff moderator (with known passwords on DEBUG)."""
    User = get_user_model()  # noqa: N806
    people = []
    for email, staff in (("organiser@example.org", False), ("moderator@example.org", True)):
        person = User.objects.create_user(
            username=email, email=email, is_staff=staff, is_superuser=staff,
            first_name="Mira" if staff else "Lev",
        )
        if settings.DEBUG:
            person.set_password(DEMO_PASSWORD)
            person.save(update_fields=["password"])
        people.append(person)
    Membership.objects.create(user=people[0], organisation=organisation, role=Role.OWNER)
    return people


def _demo_signature(petition: Petition, n: int, rng: random.Random, now) -> Signature:
    email = f"demo-{petition.slug}-{n}@example.org"
    signed = petition.opened_at + (now - petition.opened_at) * rng.random()
    return Signature(
        petition=petition,
        name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}.",
        email=email,
        email_digest=email_digest(email),
        country=rng.choice(COUNTRIES),
        updates=rng.random() < 0.4,
        show_name=rng.random() < 0.5,
        state=Signature.State.CONFIRMED,
        created_at=signed,
        confirmed_at=signed + timedelta(minutes=rng.randint(1, 90)),
        confirmation_due=False,  # long since sent
        source=rng.choice(["", "", "newsletter", "partner-news"]),
        language=rng.choice(["en", "ru"]),
    )
