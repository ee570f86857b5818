"""Demo stories for a new site (people and places invented), loaded with the demo petitions."""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from chorus.lib.images import hero_image_clean
from chorus.organisers.models import Organisation
from chorus.petitions.models import Petition
from chorus.stories.models import Story, StoryTranslation
from chorus.stories.services import tags_for

RAINBOW = ["#e40303", "#ff8c00", "#ffed00", "#008026", "#004dff", "#750787"]


def _court_image_bytes(width: int = 1200, height: int = 600) -> bytes:
    """Columns of a court building under a rainbow, drawn locally so the demo needs no downloads."""
    image = Image.new("RGB", (width, height), "#e9e4ef")
    draw = ImageDraw.Draw(image)
    band = height // 3 // len(RAINBOW)
    for i, colour in enumerate(RAINBOW):
        draw.rectangle([0, i * band, width, (i + 1) * band], fill=colour)
    top = height // 3 + 30
    draw.polygon([(width // 6, top), (width // 2, top - 60), (5 * width // 6, top)], fill="#6b6377")
    for column in range(6):
        x = width // 6 + 40 + column * (2 * width // 3 - 80) // 5
        draw.rectangle([x - 18, top + 10, x + 18, height - 60], fill="#8a8494")
    draw.rectangle([width // 6 - 20, height - 60, 5 * width // 6 + 20, height - 30], fill="#6b6377")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def load_demo_stories(organisation: Organisation) -> list[Story]:
    """Two published stories of the demo organisation: one about the court case, one in two
    languages about the helpline."""
    slugs = ["hearing-postponed", "helpline-answers-every-call"]
    if Story.objects.filter(slug__in=slugs).exists():
        return list(Story.objects.filter(slug__in=slugs).order_by("slug"))
    now = timezone.now()
    court = Story(
        organisation=organisation, slug="hearing-postponed",
        title="Supreme Court postpones the first hearing",
        standfirst="The Ministry of Justice asked for more time. Hundreds of supporters "
                   "waited outside in the rain.",
        body=(
            "The first hearing in the case against the Spectrum Alliance was postponed on "
            "Tuesday, after the Ministry of Justice asked for more time to prepare.\n\n"
            "“Every week the case goes on, our helpline gets more calls,” said Mira Kalnina, "
            "the chair of the board. “People are afraid.”\n\n"
            "## What happens next\n\n"
            "The court will set a new date within a month. Until then the Alliance keeps "
            "working as before."
        ),
        byline="Lev Aronov", language="en", state=Story.State.PUBLISHED,
        published_at=now - timedelta(days=2),
        image_alt="A court building drawn under a rainbow",
        image_caption="The Supreme Court of Norvania.", image_credit="Spectrum Alliance",
    )
    court.image = hero_image_clean(ContentFile(_court_image_bytes()))
    court.save()
    court.tags.set(tags_for(["court"]))
    court.petitions.set(Petition.objects.filter(slug="stop-the-liquidation"))

    helpline = Story.objects.create(
        organisation=organisation, slug="helpline-answers-every-call",
        title="The helpline answers every call",
        standfirst="Since the free number was cut, volunteers call people back instead.",
        body=(
            "When the regulator revoked the helpline's free number, volunteers did not wait. "
            "Callers now leave a short message and are called back within the hour.\n\n"
            "Last month they returned more than 1,200 calls."
        ),
        byline="Spectrum Alliance", language="en", state=Story.State.PUBLISHED,
        published_at=now - timedelta(days=6),
    )
    helpline.tags.set(tags_for(["helpline"]))
    helpline.petitions.set(Petition.objects.filter(slug="keep-the-helpline-open"))
    StoryTranslation.objects.create(
        story=helpline, language="ru",
        title="Горячая линия отвечает на каждый звонок",
        standfirst="С тех пор как бесплатный номер отключили, волонтёры перезванивают сами.",
        body=(
            "Когда регулятор отозвал бесплатный номер горячей линии, волонтёры не стали ждать. "
            "Теперь звонящие оставляют короткое сообщение, и им перезванивают в течение часа.\n\n"
            "В прошлом месяце они перезвонили более чем 1 200 людям."
        ),
    )
    return [court, helpline]
