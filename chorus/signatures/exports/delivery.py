"""The delivery document: what the organisers hand to the target, as a PDF."""

import logging
import unicodedata
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from fpdf import FPDF
from fpdf.errors import FPDFException

from chorus.petitions.models import Petition
from chorus.signatures.counting.selectors import country_totals
from chorus.signatures.models import Signature
from chorus.signatures.transparency.selectors import latest_reference
from chorus.signatures.transparency.services import fingerprint_short

# DejaVu covers Latin, Cyrillic, Greek and more; shipped with Chorus so the
# document looks the same on every server (licence beside the files).
FONTS = Path(__file__).resolve().parents[2] / "lib" / "fonts"

logger = logging.getLogger(__name__)

DELIVERY_NOT_BUILT = gettext_lazy(
    "The delivery document could not be made: the server is short of memory or cannot "
    "read the files it needs. Nothing was handed over or recorded; try again later."
)


class DeliveryNotBuilt(Exception):
    """The document could not be made: the server could not read its fonts, ran out of
    memory, or the PDF library failed. Nothing was handed over, so nothing is audited."""


def delivery_pdf(petition: Petition) -> bytes:
    """Petition text, the confirmed total as of now, countries (with the floor) and signers.

    Signers who agreed to show their name are named; the others appear as
    "a signer from <country>". No address, postcode or anything else.
    Raises DeliveryNotBuilt if the document cannot be made.
    """
    try:
        return _build(petition)
    except (OSError, MemoryError, FPDFException) as error:
        # By petition and kind of error only: an OSError's text names a path.
        logger.warning("delivery document of petition %s not built (%s)", petition.pk,
                       type(error).__name__)
        raise DeliveryNotBuilt from None


def _build(petition: Petition) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(petition.title)
    pdf.set_creator(settings.SITE_NAME)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def text(body: str, size: int = 11, style: str = "", gap: float = 2) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_shaping(needs_shaping(body))
        pdf.multi_cell(width, size * 0.5, body)
        pdf.ln(gap)

    total = Signature.objects.filter(petition=petition, state=Signature.State.CONFIRMED).count()
    now = timezone.now()
    text(petition.title, 18, "B", 4)
    text(_("To: %(target)s") % {"target": petition.target}, 12, "B")
    text(petition.ask, 12)
    if petition.body:
        text(petition.body, 10, gap=4)
    text(ngettext(
        "%(count)s person had signed as of %(date)s UTC (confirmed signatures only).",
        "%(count)s people had signed as of %(date)s UTC (confirmed signatures only).",
        total,
    ) % {
        "count": number_format(total, force_grouping=True),
        "date": date_format(now, "DATETIME_FORMAT"),
    }, 12, "B", 4)
    statement = latest_reference(petition.pk)
    if statement is not None:
        # So that the target can check this document against the public log.
        text(ngettext(
            "The count is published in the petition's public log, signed by the site: "
            "statement %(statement)s of %(date)s UTC, %(count)s signature, tree root "
            "%(root)s, signing key %(key)s. Anyone can check it at %(url)s.",
            "The count is published in the petition's public log, signed by the site: "
            "statement %(statement)s of %(date)s UTC, %(count)s signatures, tree root "
            "%(root)s, signing key %(key)s. Anyone can check it at %(url)s.",
            statement["count"],
        ) % {
            "statement": statement["number"], "count": number_format(
                statement["count"], force_grouping=True),
            "date": statement["time"].replace("T", " ").removesuffix("Z"),
            "root": statement["root"], "key": fingerprint_short(statement["key"]),
            "url": settings.SITE_URL + reverse("signatures:transparency:log",
                                               args=[petition.slug]),
        }, 9, gap=4)

    text(_("Signatures by country"), 13, "B")
    for row in country_totals(petition.pk):
        count = (
            number_format(row.count, force_grouping=True) if row.count is not None
            else _("fewer than %(floor)s") % {"floor": row.fewer_than}
        )
        text(f"{row.name}: {count}", 10, gap=0)
    pdf.ln(4)

    text(_("Signers"), 13, "B")
    signers = (
        Signature.objects.filter(petition=petition, state=Signature.State.CONFIRMED)
        .order_by("confirmed_at", "pk").only("name", "country", "show_name")
    )
    for signature in signers.iterator(chunk_size=2000):
        if signature.show_name and signature.name:
            line = signature.name
        else:
            line = _("A signer from %(country)s") % {"country": signature.country.name or "—"}
        text(line, 9, gap=0)
    return bytes(pdf.output())


def needs_shaping(text: str) -> bool:
    """Whether a line holds right-to-left script (Arabic, Hebrew, …).

    Such text must be shaped (joined letter forms, right-to-left order) or it
    prints as disconnected letters backwards. Shaping costs four times as
    much, so lines that do not need it — most signers — skip it.
    """
    return any(unicodedata.bidirectional(char) in ("R", "AL", "AN") for char in text)
