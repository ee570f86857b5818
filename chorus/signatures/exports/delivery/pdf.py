"""The delivery document: what the organisers hand to the target, as a PDF.

A cover (the organisation, its logo, the title, who it is addressed to, the
date and the count), the petition's text as the site renders it, the country
totals with the small-count floor, then the signers three to a line. Every
page after the cover has the title at the top and "Page 3 of 41" at the foot.

Built in bounded memory for the signers' rows (read in chunks, drawn as they
come); fpdf2 itself keeps the pages until it writes the file: 100,000 names took
26 MB more at their peak, in 158 s (bench/README.md, "The delivery document").
"""

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language_info, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace
from fpdf.errors import FPDFException

from chorus.petitions.models import Petition
from chorus.signatures.counting.selectors import country_totals, floored
from chorus.signatures.exports.delivery.markup import printable_html
from chorus.signatures.models import Signature
from chorus.signatures.transparency.selectors import latest_reference
from chorus.signatures.transparency.services import fingerprint_short

# DejaVu covers Latin, Cyrillic, Greek and more; shipped with Chorus so the
# document looks the same on every server (licence beside the files).
FONTS = Path(__file__).resolve().parents[3] / "lib" / "fonts"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
              "BI": "DejaVuSans-BoldOblique.ttf"}
FAMILY = "DejaVu"
GREY = (90, 90, 90)
COLUMNS = 3
NAME_SIZE = 8.5
NAME_LINE = 4.6  # mm: about 56 lines, 168 names, to an A4 page
SIGNATURES_CHUNK = 2000

logger = logging.getLogger(__name__)

DELIVERY_NOT_BUILT = gettext_lazy(
    "The delivery document could not be made: the server is short of memory or cannot "
    "read the files it needs. Nothing was handed over or recorded; try again later."
)


class DeliveryNotBuilt(Exception):
    """The document could not be made: the server could not read its fonts, ran out of
    memory, or the PDF library failed. Nothing was handed over, so nothing is audited."""


@dataclass(frozen=True)
class Delivery:
    """A made document: the PDF and what the organiser page says about it."""

    content: bytes
    pages: int
    signatures: int


def delivery_targets(petition: Petition) -> list[str]:
    """Who the petition is addressed to, one entry per target.

    The targets the organisers listed (name, role, organisation), in their
    order; without any, the petition's own `target` text, as people signed it.
    """
    listed = [", ".join(part for part in (target.name, target.role, target.organisation) if part)
              for target in petition.targets.order_by("position", "pk")]
    if listed:
        return listed
    return [petition.target] if petition.target.strip() else []


def delivery_pdf(petition: Petition) -> bytes:
    """Petition text, the confirmed total as of now, countries (with the floor) and signers.

    Signers who agreed to show their name are named; the others appear as
    "a signer from <country>". No address, postcode or anything else.
    Raises DeliveryNotBuilt if the document cannot be made.
    """
    return delivery_make(petition).content


def delivery_make(petition: Petition) -> Delivery:
    """The document with its page count and the total it states; see delivery_pdf."""
    try:
        return _build(petition)
    except (OSError, MemoryError, FPDFException) as error:
        # By petition and kind of error only: an OSError's text names a path.
        logger.warning("delivery document of petition %s not built (%s)", petition.pk,
                       type(error).__name__)
        raise DeliveryNotBuilt from None


class _Document(FPDF):
    """An A4 document whose pages after the cover carry the title and their number."""

    def __init__(self, title: str):
        super().__init__(format="A4")
        self.running_title = title

    def header(self):
        if self.page_no() == 1:
            return
        self._small(self.running_title)
        self.set_y(8)
        # A title of 200 characters would run off the page: one line, cut short.
        title = _fit(self.running_title, self.epw, self.get_string_width)
        self.cell(self.epw, 5, title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*GREY)
        self.line(self.l_margin, 14, self.w - self.r_margin, 14)
        self.set_y(18)
        self.set_text_color(0)

    def footer(self):
        if self.page_no() == 1:
            return
        # {nb} is fpdf2's alias for the total, filled in when the file is written.
        label = _("Page %(page)s of %(pages)s") % {"page": self.page_no(),
                                                   "pages": self.str_alias_nb_pages}
        self._small(label)
        self.set_y(-12)
        self.cell(self.epw, 5, label, align="C")
        self.set_text_color(0)

    def _small(self, text: str):
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*GREY)
        self.set_text_shaping(needs_shaping(text))


def _build(petition: Petition) -> Delivery:
    pdf = _Document(petition.title)
    pdf.set_title(petition.title)
    pdf.set_creator(settings.SITE_NAME)
    for style, file in FONT_FILES.items():
        pdf.add_font(FAMILY, style, str(FONTS / file))
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 20, 18)

    total = Signature.objects.filter(petition=petition, state=Signature.State.CONFIRMED).count()
    _cover(pdf, petition, total)
    pdf.add_page()
    _petition_text(pdf, petition)
    _countries(pdf, petition)
    _signers(pdf, petition)
    return Delivery(content=bytes(pdf.output()), pages=pdf.pages_count, signatures=total)


def _text(pdf: FPDF, body: str, size: float = 11, style: str = "", gap: float = 2,
          align: str = "L") -> None:
    pdf.set_font(FAMILY, style, size)
    pdf.set_text_shaping(needs_shaping(body))
    pdf.multi_cell(pdf.epw, size * 0.5, body, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def _cover(pdf: FPDF, petition: Petition, total: int) -> None:
    pdf.add_page()
    organisation = petition.organisation
    _logo(pdf, organisation)
    _text(pdf, organisation.name, 14, "B", 14, align="C")
    _text(pdf, petition.title, 24, "B", 10, align="C")
    targets = delivery_targets(petition)
    if targets:
        _text(pdf, _("Addressed to:"), 11, gap=1, align="C")
        for target in targets:
            _text(pdf, target, 14, "B", 1, align="C")
        pdf.ln(8)
    now = timezone.now()
    _text(pdf, date_format(now, "DATE_FORMAT"), 12, gap=10, align="C")
    _text(pdf, ngettext(
        "%(count)s person had signed as of %(date)s UTC (confirmed signatures only).",
        "%(count)s people had signed as of %(date)s UTC (confirmed signatures only).",
        total,
    ) % {
        "count": number_format(total, force_grouping=True),
        "date": date_format(now, "DATETIME_FORMAT"),
    }, 13, "B", 6, align="C")
    on_paper = Signature.objects.filter(petition=petition, state=Signature.State.CONFIRMED,
                                        paper_batch__isnull=False).count()
    if on_paper:
        # With the floor the public figure has: a handful of paper signers is not singled out.
        shown, fewer_than = floored(on_paper)
        _text(pdf, ngettext(
            "Of which %(count)s on paper, verified by a second person.",
            "Of which %(count)s on paper, verified by a second person.", on_paper,
        ) % {"count": number_format(shown, force_grouping=True)} if shown is not None
            else _("Of which fewer than %(floor)s on paper.") % {"floor": fewer_than},
            12, gap=6, align="C")
    statement = latest_reference(petition.pk)
    if statement is not None:
        # So that the target can check this document against the public log.
        _text(pdf, ngettext(
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


def _logo(pdf: FPDF, organisation) -> None:
    """The organisation's logo at the top of the cover, if it has one that can be read."""
    if not organisation.logo:
        pdf.ln(30)
        return
    try:
        with organisation.logo.open("rb") as logo:
            pdf.image(logo, x=pdf.w / 2 - 20, y=pdf.t_margin, w=40, keep_aspect_ratio=True,
                      h=40)
    except Exception as error:  # any unreadable picture: a cover without it
        # A missing, truncated or hostile file must not stop the delivery; logged by
        # kind only (its name is the organisation's upload).
        logger.warning("logo of organisation %s left out (%s)", organisation.pk,
                       type(error).__name__)
    pdf.set_y(pdf.t_margin + 48)


def _petition_text(pdf: FPDF, petition: Petition) -> None:
    _text(pdf, petition.title, 18, "B", 4)
    _text(pdf, petition.ask, 12, "B", 4)
    if petition.body:
        pdf.set_font(FAMILY, "", 10.5)
        pdf.set_text_shaping(needs_shaping(petition.body))
        pdf.write_html(
            printable_html(petition.body, right_to_left=_right_to_left(petition)),
            font_family=FAMILY, li_prefix_color=(0, 0, 0),
            # DejaVu for code too: fpdf2's Courier has no Cyrillic or Arabic.
            tag_styles={"code": FontFace(family=FAMILY), "pre": FontFace(family=FAMILY)},
        )
        pdf.ln(4)
    if petition.statement:
        _text(pdf, petition.statement, 10.5, "I", 1)
        signed = ", ".join(filter(None, [petition.statement_by, petition.statement_role]))
        if signed:
            _text(pdf, f"— {signed}", 10, gap=4)
    pdf.ln(4)


def _right_to_left(petition: Petition) -> bool:
    """An Arabic or Hebrew petition: by its language, or by its title's script."""
    try:
        bidi = bool(get_language_info(petition.language)["bidi"])
    except KeyError:
        bidi = False
    return bidi or needs_shaping(petition.title)


def _countries(pdf: FPDF, petition: Petition) -> None:
    _text(pdf, _("Signatures by country"), 13, "B")
    entries = []
    for row in country_totals(petition.pk):
        count = (
            number_format(row.count, force_grouping=True) if row.count is not None
            else _("fewer than %(floor)s") % {"floor": row.fewer_than}
        )
        entries.append(f"{row.name}: {count}")
    _columns(pdf, entries)
    pdf.ln(6)


def _signers(pdf: FPDF, petition: Petition) -> None:
    pdf.add_page()
    _text(pdf, _("Signers"), 13, "B")
    signers = (
        Signature.objects.filter(petition=petition, state=Signature.State.CONFIRMED)
        .order_by("confirmed_at", "pk").only("name", "country", "show_name")
    )
    _columns(pdf, (_signer_line(signature)
                   for signature in signers.iterator(chunk_size=SIGNATURES_CHUNK)))


def _signer_line(signature: Signature) -> str:
    # Only a name its signer agreed to show; everyone else by country alone.
    # With an organisation key the unshown names are not even readable here.
    country = signature.country.name or "—"
    if signature.show_name and signature.name:
        return f"{signature.name} · {country}"
    return _("A signer from %(country)s") % {"country": country}


def _columns(pdf: FPDF, entries) -> None:
    """Entries three to a line, across then down, each cut to its column's width.

    Drawn as they come, so a million names never sit in memory at once. Most
    go through fpdf2's plain `text()`, three times faster than `cell()`, with
    widths summed from the font's own table; right-to-left ones need
    `cell()`, which shapes them.
    """
    pdf.set_font(FAMILY, "", NAME_SIZE)
    pdf.set_text_shaping(False)
    width = pdf.epw / COLUMNS - 2
    bottom = pdf.h - pdf.b_margin
    glyph_widths = pdf.current_font.cw
    scale = pdf.font_size_pt / 1000 / pdf.k

    def measure(text: str) -> float:
        return sum(glyph_widths[ord(char)] for char in text) * scale

    column = 0
    for entry in entries:
        if column == 0 and pdf.get_y() + NAME_LINE > bottom:
            pdf.add_page()
            pdf.set_font(FAMILY, "", NAME_SIZE)
        x = pdf.l_margin + column * (width + 2)
        line = _fit(entry, width, measure)
        if needs_shaping(line):
            pdf.set_text_shaping(True)
            pdf.set_xy(x, pdf.get_y())
            pdf.cell(width, NAME_LINE, line, new_x="LMARGIN", new_y="TOP")
            pdf.set_text_shaping(False)
        else:
            pdf.text(x, pdf.get_y() + NAME_LINE * 0.72, line)  # the baseline
        column = (column + 1) % COLUMNS
        if column == 0:
            pdf.ln(NAME_LINE)
    if column:
        pdf.ln(NAME_LINE)


def _fit(text: str, width: float, measure) -> str:
    """The text, cut with an ellipsis if it would run into the next column."""
    if measure(text) <= width:
        return text
    while text and measure(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def needs_shaping(text: str) -> bool:
    """Whether a line holds right-to-left script (Arabic, Hebrew, …).

    Such text must be shaped (joined letter forms, right-to-left order) or it
    prints as disconnected letters backwards. Shaping costs four times as
    much, so lines that do not need it — most signers — skip it.
    """
    return any(unicodedata.bidirectional(char) in ("R", "AL", "AN") for char in text)
