import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chorus.lib.images import hero_image_clean, stored_sizes

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(width=800, height=600, *, format="JPEG", mode="RGB", exif=None, name=None):
    output = io.BytesIO()
    image = Image.new(mode, (width, height), (200, 30, 90) if mode == "RGB" else (200, 30, 90, 128))
    options = {"exif": exif} if exif is not None else {}
    image.save(output, format=format, **options)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[format]
    return SimpleUploadedFile(name or f"protest.{extension}", output.getvalue())


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return exif


def opened(content_file) -> Image.Image:
    return Image.open(io.BytesIO(content_file.read()))


def test_a_photo_with_gps_comes_out_without_any_exif():
    upload = picture(exif=gps_exif())
    assert Image.open(io.BytesIO(upload.read())).getexif().get_ifd(GPS_IFD)  # the test is real
    upload.seek(0)
    clean = opened(hero_image_clean(upload))
    assert clean.format == "JPEG"
    assert not clean.getexif()
    assert "exif" not in clean.info and "xmp" not in clean.info


def test_the_orientation_is_applied_before_the_metadata_goes():
    # 6 = "rotate 90° clockwise to display": a landscape file shown as portrait.
    clean = opened(hero_image_clean(picture(800, 600, exif=gps_exif(orientation=6))))
    assert clean.size == (600, 800)


def test_a_large_picture_is_scaled_to_the_maximum_width(settings):
    settings.CHORUS_IMAGE_MAX_WIDTH = 1600
    clean = opened(hero_image_clean(picture(4000, 2000)))
    assert clean.size == (1600, 800)


def test_a_small_picture_keeps_its_size():
    assert opened(hero_image_clean(picture(640, 480, format="PNG"))).size == (640, 480)


def test_the_file_gets_a_random_name_not_the_uploaded_one():
    first = hero_image_clean(picture(name="rally-at-ministry-square.jpg"))
    second = hero_image_clean(picture(name="rally-at-ministry-square.jpg"))
    assert "ministry" not in first.name
    assert first.name != second.name and first.name.endswith(".jpg")


def test_narrower_copies_are_made_at_480_and_800_pixels_without_any_exif(settings):
    settings.CHORUS_IMAGE_MAX_WIDTH = 1600
    clean = hero_image_clean(picture(4000, 2000, exif=gps_exif()))
    assert clean.name.endswith(".1600w.jpg")
    assert sorted(clean.narrower) == [480, 800]
    for width, content in clean.narrower.items():
        copy = Image.open(io.BytesIO(content))
        assert copy.size == (width, width // 2) and copy.format == "JPEG"
        assert not copy.getexif() and "exif" not in copy.info and "xmp" not in copy.info


def test_no_copy_is_wider_than_the_picture():
    clean = hero_image_clean(picture(640, 480))
    assert clean.name.endswith(".640w.jpg")
    assert list(clean.narrower) == [480]
    assert hero_image_clean(picture(480, 300)).narrower == {}


def test_the_copies_are_named_after_the_stored_picture():
    name = "petitions/" + "a" * 22 + ".1200w.jpg"
    assert stored_sizes(name) == {
        480: "petitions/" + "a" * 22 + ".480w.jpg",
        800: "petitions/" + "a" * 22 + ".800w.jpg",
        1200: name,
    }


def test_a_picture_stored_before_the_copies_existed_has_none():
    assert stored_sizes("petitions/rally-at-the-court.jpg") == {}
    assert stored_sizes("petitions/" + "a" * 22 + ".jpg") == {}
    assert stored_sizes("") == {}


def test_a_transparent_png_stays_transparent_as_webp():
    clean = hero_image_clean(picture(format="PNG", mode="RGBA"))
    assert clean.name.endswith(".webp")
    assert opened(clean).mode == "RGBA"
    assert Image.open(io.BytesIO(clean.narrower[480])).mode == "RGBA"  # its copies too


def test_a_webp_picture_is_accepted():
    assert opened(hero_image_clean(picture(format="WEBP"))).format == "JPEG"


def test_a_text_file_named_jpg_is_refused():
    upload = SimpleUploadedFile("protest.jpg", b"I am not a picture, only text.\n" * 20)
    with pytest.raises(ValidationError) as error:
        hero_image_clean(upload)
    assert "not a picture we can use" in error.value.messages[0]


def test_a_gif_is_refused():
    output = io.BytesIO()
    Image.new("RGB", (10, 10)).save(output, format="GIF")
    with pytest.raises(ValidationError, match="not a picture"):
        hero_image_clean(SimpleUploadedFile("a.gif", output.getvalue()))


def test_a_truncated_jpeg_is_refused():
    data = picture().read()
    with pytest.raises(ValidationError, match="not a picture"):
        hero_image_clean(SimpleUploadedFile("cut.jpg", data[: len(data) // 2]))


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.CHORUS_IMAGE_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as error:
        hero_image_clean(upload)
    assert error.value.messages == ["The image is too large: it may be at most 1 MB."]


def test_a_decompression_bomb_is_refused_without_being_decoded():
    # 20,000 × 20,000 pixels of one colour compress into a small PNG.
    output = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(output, format="PNG")
    assert output.tell() < 1024 * 1024
    with pytest.raises(ValidationError, match="too many pixels"):
        hero_image_clean(SimpleUploadedFile("bomb.png", output.getvalue()))
