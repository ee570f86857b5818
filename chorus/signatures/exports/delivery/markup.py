"""The petition's text for paper: the site's own sanitised HTML, with each link's address shown.

A printed link cannot be followed, so "our report" becomes "our report
(https://…)". The HTML is the one `lib.markdown` already cleaned with nh3;
this only writes it again, tag for tag, for fpdf2's `write_html`.
"""

from html import escape
from html.parser import HTMLParser

from chorus.lib.markdown import render_markdown


def printable_html(markdown: str, *, right_to_left: bool = False) -> str:
    """The Markdown as the site renders it, links spelled out, for `FPDF.write_html`.

    Right-to-left text (an Arabic petition) has its paragraphs set to the right.
    """
    printer = _LinkPrinter(right_to_left)
    printer.feed(render_markdown(markdown))
    printer.close()
    return "".join(printer.out)


class _LinkPrinter(HTMLParser):
    def __init__(self, right_to_left: bool):
        super().__init__(convert_charrefs=True)
        self.right_to_left = right_to_left
        self.out: list[str] = []
        self.href: str | None = None  # inside a link: its address
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            # No <a> for fpdf2: it would print an underlined word and no address.
            self.href, self.link_text = dict(attrs).get("href") or "", []
            return
        # Only the tags nh3 let through arrive here; none of their attributes is printed.
        if self.right_to_left and tag == "p":
            self.out.append('<p align="right">')
        else:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag != "a":
            self.out.append(f"</{tag}>")
            return
        address = (self.href or "").removeprefix("mailto:")
        if address and address != "".join(self.link_text).strip():
            self.out.append(escape(f" ({address})", quote=False))
        self.href = None

    def handle_data(self, data):
        if self.href is not None:
            self.link_text.append(data)
        self.out.append(escape(data, quote=False))
