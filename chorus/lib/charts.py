"""Charts drawn on the server as SVG: no script, no other origin, readable without CSS.

Only presentation attributes are used (no style attributes), so the strict
Content-Security-Policy holds. Every chart carries a title and description
for screen readers; the pages also give the same figures as a table.
"""

from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi

INK, ACCENT, LINE = "#1d1b22", "#56287f", "#dcd5e4"


def line_chart(points, *, title: str, width: int = 640, height: int = 240) -> SafeString:
    """A step line of (datetime, count) points: counts only change at a snapshot.

    Time runs left to right in every language, so the chart is drawn `direction="ltr"`:
    otherwise an Arabic page flips every text-anchor and pushes the dates off the edges.
    """
    left, right, top, bottom = 64, 12, 12, 28
    if not points:
        return SafeString("")
    first, last = points[0][0], points[-1][0]
    span = max((last - first).total_seconds(), 1.0)
    top_count = max(max(count for _, count in points), 1)

    def x(at):
        return left + (width - left - right) * (at - first).total_seconds() / span

    def y(count):
        return top + (height - top - bottom) * (1 - count / top_count)

    coordinates, previous = [], None
    for at, count in points:
        if previous is not None:
            coordinates.append(f"{x(at):.1f},{y(previous):.1f}")
        coordinates.append(f"{x(at):.1f},{y(count):.1f}")
        previous = count
    if len(points) == 1:
        coordinates.append(f"{width - right:.1f},{y(points[0][1]):.1f}")
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title"'
        ' direction="ltr">'
        '<title id="chart-title">{title}</title>'
        '<line x1="{l}" y1="{base}" x2="{r}" y2="{base}" stroke="{line}"/>'
        '<line x1="{l}" y1="{t}" x2="{r}" y2="{t}" stroke="{line}"/>'
        '<text x="{lt}" y="{ty}" text-anchor="end" font-size="12" fill="{ink}">{maximum}</text>'
        '<text x="{lt}" y="{base}" text-anchor="end" font-size="12" fill="{ink}">0</text>'
        '<polyline points="{points}" fill="none" stroke="{accent}" stroke-width="2.5"/>'
        '<text x="{l}" y="{dy}" font-size="12" fill="{ink}">{start}</text>'
        '<text x="{r}" y="{dy}" text-anchor="end" font-size="12" fill="{ink}">{end}</text>'
        "</svg>",
        w=width, h=height, title=title, l=left, r=width - right, t=top, lt=left - 6,
        ty=top + 4, base=height - bottom, dy=height - 8, line=LINE, ink=INK, accent=ACCENT,
        maximum=number_format(top_count, force_grouping=True), points=" ".join(coordinates),
        start=date_format(first, "SHORT_DATE_FORMAT"), end=date_format(last, "SHORT_DATE_FORMAT"),
    )


def bar_chart(rows, *, title: str, floor_label: str, width: int = 640) -> SafeString:
    """Horizontal bars of (label, count or None); None is drawn as text, without a bar.

    On a right-to-left page the chart is mirrored: labels on the right, bars growing to
    the left. Mirroring every x and drawing `direction="rtl"` keeps each text-anchor right
    (a label still ends next to its bar, a figure still starts after it).
    """
    if not rows:
        return SafeString("")
    rtl = get_language_bidi()
    label_width, bar_height, gap = 180, 18, 6
    largest = max((count for _, count in rows if count), default=1)
    bars = []
    for index, (label, count) in enumerate(rows):
        top = index * (bar_height + gap)
        length = max((width - label_width - 80) * (count or 0) / largest, 1) if count else 0
        label_x, bar_x, figure_x = label_width - 8, label_width, label_width + length + 6
        if rtl:
            label_x, bar_x, figure_x = width - label_x, width - bar_x - length, width - figure_x
        bars.append((
            f"{label_x:.1f}", top + 13, label, f"{bar_x:.1f}", top,
            f"{length:.1f}", bar_height, f"{figure_x:.1f}", top + 13,
            number_format(count, force_grouping=True) if count else floor_label,
        ))
    height = len(rows) * (bar_height + gap)
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="' + INK + '">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="' + ACCENT + '"/>'
        '<text x="{}" y="{}" font-size="13" fill="' + INK + '">{}</text>',
        bars,
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="bars-title"'
        ' direction="{}"><title id="bars-title">{}</title>{}</svg>',
        width, height, "rtl" if rtl else "ltr", title, body,
    )
