"""A world map of signatures by country, drawn on the server: SVG for the page, PNG to share.

The shapes are Natural Earth's 1:110m countries (public domain), projected and simplified
once by tools/world-shapes into data/world-110m.json; nothing is fetched at run time.

Countries fall into classes with fixed bounds, not quantiles: a country's colour then
only darkens as it grows, never fades because another grew, and two petitions' maps
read alike. The bounds start at the country floor, so a country below it is only ever
"fewer than <floor>", on the map as in the table.

Colours: the three count classes are purples of the design's accent, each at least
3:1 against the next (3.1 and 3.3); "fewer than" is hatched, so it differs from its
neighbours by pattern and not by shade alone; a country without signatures is a
neutral grey. Every country has an outline at 3:1 or more against the grey, the
lightest and the darkest class, so each shape stands out from the sea and from its
neighbours. The table beside the map gives every figure in words.
"""

import io
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django_countries import countries
from PIL import Image, ImageDraw, ImageFont

DATA = Path(__file__).resolve().parent / "data" / "world-110m.json"
FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"

NONE, FEWER, LOW, MIDDLE, HIGH = range(5)
# Each class starts at floor × this; "fewer than" is everything from 1 below the floor.
STEPS = {LOW: 1, MIDDLE: 10, HIGH: 100}
FILL = {NONE: "#f2f1f3", FEWER: "#ffffff", LOW: "#d9c8ec", MIDDLE: "#8a5cb8", HIGH: "#2f1150"}
HATCH = FILL[MIDDLE]
OUTLINE = "#767080"
PNG_SIZE = (1200, 630)


@dataclass(frozen=True)
class Shape:
    code: str  # ISO 3166-1 alpha-2; "" for land without a code (Kosovo)
    path: str  # SVG path data
    rings: tuple[tuple[tuple[int, int], ...], ...]  # outer rings only, for the PNG


def map_class(count: int | None, *, floor: int) -> int:
    """The class of a country with `count` signatures; None is a count below the floor."""
    if count is None or count < floor:
        return FEWER if count is None or count > 0 else NONE
    if count >= floor * STEPS[HIGH]:
        return HIGH
    return MIDDLE if count >= floor * STEPS[MIDDLE] else LOW


def class_label(kind: int, *, floor: int) -> str:
    """What a class means, in the reader's language: the legend and each country's title."""
    if kind == NONE:
        return _("no signatures")
    if kind == FEWER:
        return _("fewer than %(floor)s") % {"floor": number_format(floor, force_grouping=True)}
    low = floor * STEPS[kind]
    if kind == HIGH:
        return _("%(low)s or more") % {"low": number_format(low, force_grouping=True)}
    return _("%(low)s to %(high)s") % {
        "low": number_format(low, force_grouping=True),
        "high": number_format(floor * STEPS[kind + 1] - 1, force_grouping=True),
    }


def legend(*, floor: int) -> list[tuple[SafeString, str]]:
    """(swatch, label) for every class, lightest first, for the page to list beside the map."""
    return [(_swatch(kind), class_label(kind, floor=floor)) for kind in FILL]


def world_map(classes: dict[str, int], *, floor: int, title: str, description: str) -> SafeString:
    """The map, every country coloured by its class in `classes` (alpha-2 → class)."""
    width, height, shapes = _shapes()
    names = dict(countries)  # translated into the active language
    paths = []
    for shape in shapes:
        kind = classes.get(shape.code, NONE)
        fill = "url(#map-fewer)" if kind == FEWER else FILL[kind]
        if shape.code in names:
            paths.append(format_html(
                '<path d="{}" fill="{}"><title>{}</title></path>', shape.path, fill,
                _("%(country)s: %(figure)s") % {"country": names[shape.code],
                                                "figure": class_label(kind, floor=floor)},
            ))
        else:
            paths.append(format_html('<path d="{}" fill="{}"/>', shape.path, FILL[NONE]))
    # Geography does not turn round in a right-to-left language: drawn "ltr" always.
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="map-title"'
        ' aria-describedby="map-desc" direction="ltr">'
        '<title id="map-title">{}</title><desc id="map-desc">{}</desc>'
        '<defs><pattern id="map-fewer" width="4" height="4" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect width="4" height="4" fill="{}"/>'
        '<rect width="2" height="4" fill="{}"/></pattern></defs>'
        '<g stroke="{}" stroke-width="0.4" stroke-linejoin="round" fill-rule="evenodd">'
        "{}</g></svg>",
        width, height, title, description, FILL[FEWER], HATCH, OUTLINE,
        SafeString("".join(paths)),
    )


def world_map_png(classes: dict[str, int], *, floor: int) -> bytes:
    """The same map as a PNG of PNG_SIZE for link previews, with a legend in figures only
    ("< 5", "5–49"…), so that one picture serves readers of every language."""
    scale = 2  # drawn at twice the size and reduced: Pillow's polygons have no anti-aliasing
    width, height = PNG_SIZE[0] * scale, PNG_SIZE[1] * scale
    picture = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(picture)
    map_width, map_height, shapes = _shapes()
    legend_height = 70 * scale
    zoom = min((width - 40 * scale) / map_width, (height - legend_height - 40 * scale) / map_height)
    left = (width - map_width * zoom) / 2
    top = 20 * scale
    fewer = Image.new("L", (width, height), 0)  # where the hatching goes
    mark = ImageDraw.Draw(fewer)
    placed = []
    for shape in shapes:  # biggest first: a country inside another is drawn over it
        kind = classes.get(shape.code, NONE)
        for ring in shape.rings:
            points = [(left + x * zoom, top + y * zoom) for x, y in ring]
            placed.append(points)
            mark.polygon(points, fill=255 if kind == FEWER else 0)
            if kind != FEWER:
                draw.polygon(points, fill=FILL[kind])
    hatch = _hatch((width, height), scale)
    picture.paste(hatch, (0, 0), fewer)
    for points in placed:
        draw.polygon(points, outline=OUTLINE, width=scale)
    font = ImageFont.truetype(str(FONT), 22 * scale)
    labels = _figure_labels(floor)
    slot = (width - 80 * scale) / len(labels)
    y = height - legend_height
    for index, (kind, label) in enumerate(labels):
        x = 40 * scale + index * slot
        box = (x, y, x + 36 * scale, y + 36 * scale)
        if kind == FEWER:
            picture.paste(hatch.crop(tuple(map(int, box))), tuple(map(int, box[:2])))
            draw.rectangle(box, outline=OUTLINE, width=scale)
        else:
            draw.rectangle(box, fill=FILL[kind], outline=OUTLINE, width=scale)
        draw.text((x + 48 * scale, y + 18 * scale), label, fill="#1d1b22", font=font, anchor="lm")
    # A few dozen colours are all a map has, edges included: a palette PNG is a fifth the size.
    picture = picture.resize(PNG_SIZE, Image.Resampling.LANCZOS).quantize(64)
    output = io.BytesIO()
    picture.save(output, format="PNG")
    return output.getvalue()


def _figure_labels(floor: int) -> list[tuple[int, str]]:
    def figure(n: int) -> str:
        return f"{n:,}"

    return [
        (NONE, "0"),
        (FEWER, f"< {figure(floor)}"),
        (LOW, f"{figure(floor)}–{figure(floor * STEPS[MIDDLE] - 1)}"),
        (MIDDLE, f"{figure(floor * STEPS[MIDDLE])}–{figure(floor * STEPS[HIGH] - 1)}"),
        (HIGH, f"{figure(floor * STEPS[HIGH])}+"),
    ]


def _hatch(size: tuple[int, int], scale: int) -> Image.Image:
    """The "fewer than" pattern, across the whole picture, to be pasted through a mask."""
    pattern = Image.new("RGB", size, FILL[FEWER])
    draw = ImageDraw.Draw(pattern)
    step = 8 * scale
    for start in range(-size[1], size[0], step):
        draw.line([(start, size[1]), (start + size[1], 0)], fill=HATCH, width=3 * scale)
    return pattern


def _swatch(kind: int) -> SafeString:
    if kind == FEWER:
        inside = format_html(
            '<rect width="16" height="16" fill="{}"/>'
            '<path d="M-4 4 4-4M-4 12 12-4M-4 20 20-4M4 20 20 4M12 20 20 12" stroke="{}"'
            ' stroke-width="2"/>', FILL[FEWER], HATCH)
    else:
        inside = format_html('<rect width="16" height="16" fill="{}"/>', FILL[kind])
    return format_html(
        '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">{}'
        '<rect x="0.5" y="0.5" width="15" height="15" fill="none" stroke="{}"/></svg>',
        inside, OUTLINE,
    )


@cache
def _shapes() -> tuple[int, int, tuple[Shape, ...]]:
    """The shapes, read once per process: about 5,000 points in some 170 countries."""
    world = json.loads(DATA.read_text(encoding="utf-8"))
    shapes = []
    for numeric, polygons in world["countries"]:
        code = (countries.alpha2(int(numeric)) or "") if numeric else ""
        rings = [[tuple(ring[i:i + 2]) for i in range(0, len(ring), 2)]
                 for polygon in polygons for ring in polygon]
        path = "".join(_path(ring) for ring in rings)
        outer = tuple(tuple(tuple(ring[i:i + 2]) for i in range(0, len(ring), 2))
                      for polygon in polygons for ring in polygon[:1])
        shapes.append(Shape(code, path, outer))
    return world["width"], world["height"], tuple(shapes)


def _path(ring: list[tuple[int, int]]) -> str:
    """One closed ring in relative moves: "M12 3l4-1 2 5z", the shortest SVG can say it."""
    (x, y), *rest = ring
    parts = [f"M{x} {y}l"]
    for next_x, next_y in rest:
        for n in (next_x - x, next_y - y):
            text = str(n)
            if not text.startswith("-") and not parts[-1].endswith("l"):
                text = " " + text
            parts.append(text)
        x, y = next_x, next_y
    parts.append("z")
    return "".join(parts)
