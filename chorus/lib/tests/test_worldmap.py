import io

import pytest
from defusedxml import ElementTree as ET
from django.utils import translation
from PIL import Image

from chorus.lib.worldmap import (
    FEWER,
    FILL,
    HIGH,
    LOW,
    MIDDLE,
    NONE,
    PNG_SIZE,
    legend,
    map_class,
    world_map,
    world_map_png,
)


@pytest.fixture(autouse=True)
def english():
    # A page fetched by an earlier test leaves its reader's language active.
    with translation.override("en"):
        yield


def drawn(classes, *, floor=5):
    svg = world_map(classes, floor=floor, title="Signatures by country", description="See below")
    return svg, ET.fromstring(svg)


def titled(root, name):
    return next(path for path in root.iter("path")
                if path.findtext("title", "").startswith(f"{name}:"))


def test_classes_start_at_the_floor():
    assert [map_class(n, floor=5) for n in (0, None, 5, 49, 50, 499, 500, 10**6)] == [
        NONE, FEWER, LOW, LOW, MIDDLE, MIDDLE, HIGH, HIGH]
    assert map_class(3, floor=5) == FEWER


def test_the_legend_names_every_class_with_its_bounds():
    assert [label for _, label in legend(floor=5)] == [
        "no signatures", "fewer than 5", "5 to 49", "50 to 499", "500 or more"]


def test_a_country_below_the_floor_is_only_fewer_than_the_floor():
    svg, root = drawn({"BY": FEWER, "DE": LOW})
    belarus = titled(root, "Belarus")
    assert belarus.findtext("title") == "Belarus: fewer than 5"
    assert belarus.get("fill") == "url(#map-fewer)"
    assert titled(root, "Germany").get("fill") == FILL[LOW]


def test_a_country_with_many_signatures_is_in_the_top_class():
    _, root = drawn({"FR": map_class(25_000, floor=5)})
    france = titled(root, "France")
    assert france.findtext("title") == "France: 500 or more"
    assert france.get("fill") == FILL[HIGH] != FILL[MIDDLE]
    assert titled(root, "Spain").findtext("title") == "Spain: no signatures"


def test_the_map_has_a_name_for_screen_readers_and_stays_small():
    svg, root = drawn({code: HIGH for code in ("US", "RU", "CN", "BR", "IN", "FR")})
    assert root.get("role") == "img"
    assert root.find("title").text == "Signatures by country"
    assert root.get("aria-labelledby") == "map-title"
    assert len(list(root.iter("path"))) > 150
    assert len(svg.encode()) < 60_000


def test_country_names_and_classes_are_in_the_readers_language():
    with translation.override("ru"):
        _, root = drawn({"DE": FEWER})
        assert titled(root, "Германия").findtext("title") == "Германия: меньше 5"
    with translation.override("ar"):
        svg, root = drawn({"DE": FEWER})
        # Geography is not mirrored in a right-to-left language.
        assert root.get("direction") == "ltr"
        assert titled(root, "ألمانيا").findtext("title") == "ألمانيا: أقل من 5"


def test_the_picture_is_a_png_of_the_sharing_size():
    png = world_map_png({"FR": HIGH, "BY": FEWER, "DE": MIDDLE}, floor=5)
    picture = Image.open(io.BytesIO(png))
    picture.verify()
    assert (picture.format, picture.size) == ("PNG", PNG_SIZE) == ("PNG", (1200, 630))
    assert len(png) < 150_000
