"""The printable sign sheet of a batch: a PDF with ruled lines, its code on every page and a
QR code to the online petition."""

import io

import qrcode
from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF

from chorus.signatures.exports.delivery.pdf import FONTS, needs_shaping
from chorus.signatures.models import PaperBatch

LINES_PER_PAGE = 12
MAX_PAGES = 100


def petition_url(batch: PaperBatch) -> str:
    """What the QR code holds: the petition's public page, nothing that tells batches apart
    (a scan must not say which stall a signer stood at)."""
    return settings.SITE_URL + batch.petition.get_absolute_url()


def qr_png(url: str) -> bytes:
    image = qrcode.make(url, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class _Sheet(FPDF):
    code = ""

    def header(self):
        self.set_font("DejaVu", "B", 10)
        self.cell(0, 6, _("Batch %(code)s") % {"code": self.code}, align="R",
                  new_x="LMARGIN", new_y="NEXT")

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, _("Batch %(code)s · page %(page)s of {nb}")
                  % {"code": self.code, "page": self.page_no()}, align="C")


def _writer(pdf: FPDF, width: float):
    def text(body: str, size: int, style: str = "") -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_shaping(needs_shaping(body))
        pdf.multi_cell(width, size * 0.45, body, new_x="LMARGIN", new_y="NEXT")

    return text


def sign_sheet_pdf(batch: PaperBatch) -> bytes:
    petition = batch.petition
    pdf = _Sheet(format="A4", orientation="landscape")
    pdf.code = batch.code
    pdf.alias_nb_pages()
    pdf.set_title(f"{petition.title} — {batch.code}")
    pdf.set_creator(settings.SITE_NAME)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    url = petition_url(batch)
    qr = io.BytesIO(qr_png(url))
    columns = [(_("Name"), 0.27), (_("Country"), 0.13),
               (_("E-mail (optional, only if you want updates)"), 0.30),
               (_("Send me updates"), 0.10), (_("Signature"), 0.20)]
    line = 0
    # At least one page; as many as the expected rows need, within reason.
    while (line == 0 or line < batch.expected_rows) and pdf.page < MAX_PAGES:
        pdf.add_page()
        top = pdf.get_y()
        pdf.image(qr, x=pdf.l_margin + pdf.epw - 30, y=top, w=30, h=30)
        qr.seek(0)

        text = _writer(pdf, pdf.epw - 34)
        text(petition.title, 15, "B")
        text(_("To: %(target)s") % {"target": petition.target}, 10, "B")
        text(petition.ask, 10)
        text(_("Your e-mail address is never shown to anyone and is used only if you tick "
               "“send me updates”. Your name and country are counted; they are not "
               "published. Sign online: %(url)s") % {"url": url}, 8)
        pdf.set_text_shaping(False)
        pdf.set_y(max(pdf.get_y(), top + 32))
        pdf.set_font("DejaVu", "B", 7)
        pdf.cell(8, 8, "#", border=1, align="C")
        for title, share in columns:
            pdf.cell((pdf.epw - 8) * share, 8, title, border=1, align="C")
        pdf.ln(8)
        pdf.set_font("DejaVu", "", 9)
        # A long ask leaves less room: never draw a line over the footer.
        room = int((pdf.h - 15 - pdf.get_y()) // 11)
        for _row in range(max(min(LINES_PER_PAGE, room), 1)):
            line += 1
            pdf.cell(8, 11, str(line), border=1, align="C")
            for index, (_title, share) in enumerate(columns):
                # The consent column is a box to tick, nothing ticked for the signer.
                pdf.cell((pdf.epw - 8) * share, 11, "☐" if index == 3 else "", border=1,
                         align="C")
            pdf.ln(11)
    return bytes(pdf.output())
