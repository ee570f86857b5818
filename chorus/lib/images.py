"""Hero images uploaded by organisers: checked, cleaned and re-encoded before they are stored."""

import contextlib
import io
import re
import secrets
import warnings

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# About 8,000 × 5,000: more than a phone or a press camera takes. Beyond that
# a small file that unpacks into gigabytes of pixels is an attack, not a photo.
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85
# Narrower copies stored beside each picture, for phones (<img srcset>); the picture
# itself is the widest. None is wider than the picture: nothing is scaled up.
NARROWER_WIDTHS = (480, 800)
# "<random>.1200w.jpg": the stored name says the picture's width, so a page lists its
# narrower copies ("<random>.480w.jpg") without opening a file or asking the database.
# Pictures stored before the copies were made have plain names, and are shown alone.
_SIZED_NAME = re.compile(
    r"(?<![^/])(?P<stem>[\w-]{22})\.(?P<width>[1-9]\d*)w\.(?P<extension>jpg|webp)$")
# Said when storing a picture failed (OSError); the page answers 503.
IMAGE_NOT_STORED = _(
    "The picture could not be saved: the server is out of space or cannot write files. "
    "Nothing was changed; try again later or without the picture."
)


def hero_image_clean(upload) -> ContentFile:
    """A safe copy of an uploaded picture, or a ValidationError that says what is wrong.

    The copy is re-encoded from the pixels alone, so it carries none of the
    upload's metadata: EXIF and XMP from a phone hold the GPS position, the
    time and the device of a photo, which can tell a hostile state where a
    group of activists met. Only the orientation is applied first, so the
    picture still stands the right way up.
    """
    if upload.size > settings.CHORUS_IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is too large: it may be at most %(size)s MB.")
            % {"size": settings.CHORUS_IMAGE_MAX_BYTES // (1024 * 1024) or 1},
            code="too_large",
        )
    picture = _open(upload)
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    picture = _scaled(picture.convert("RGBA" if has_alpha else "RGB"),
                      settings.CHORUS_IMAGE_MAX_WIDTH)
    # JPEG has no transparency; WebP keeps it at a photo's size.
    extension = "webp" if has_alpha else "jpg"
    # A random name: the uploaded file's name may say who took it, or where.
    name = f"{secrets.token_urlsafe(16)}.{picture.width}w.{extension}"
    return HeroImage(_encoded(picture), name=name, narrower=_narrower(picture))


class HeroImage(ContentFile):
    """A cleaned picture, with its narrower copies (encoded, by width) to store beside it."""

    def __init__(self, content: bytes, *, name: str, narrower: dict[int, bytes]):
        super().__init__(content, name=name)
        self.narrower = narrower


def _scaled(picture: Image.Image, width: int) -> Image.Image:
    if picture.width <= width:
        return picture
    height = max(1, round(picture.height * width / picture.width))
    return picture.resize((width, height), Image.Resampling.LANCZOS)


def _narrower(picture: Image.Image) -> dict[int, bytes]:
    return {
        width: _encoded(_scaled(picture, width))
        for width in NARROWER_WIDTHS if width < picture.width
    }


def _encoded(picture: Image.Image) -> bytes:
    # A new image from the pixels alone: nothing of the upload's info travels with it.
    clean = Image.new(picture.mode, picture.size)
    clean.paste(picture)
    output = io.BytesIO()
    if clean.mode == "RGBA":
        clean.save(output, format="WEBP", quality=JPEG_QUALITY)
    else:
        clean.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return output.getvalue()


def stored_sizes(name: str) -> dict[int, str]:
    """The stored names of a picture and of its narrower copies, by width, narrowest first;
    {} for a picture stored without copies."""
    sized = _SIZED_NAME.search(name or "")
    if sized is None:
        return {}
    folder, width = name[:sized.start()], int(sized["width"])
    names = {
        narrower: f"{folder}{sized['stem']}.{narrower}w.{sized['extension']}"
        for narrower in NARROWER_WIDTHS if narrower < width
    }
    return {**names, width: name}


def hero_image_delete(name: str, *, storage=default_storage) -> None:
    """Delete a stored picture and its narrower copies."""
    for stored in {*stored_sizes(name).values(), name}:
        storage.delete(stored)


class HeroImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        super().save(name, content, save=False)
        narrower = getattr(content, "narrower", {})
        written = []
        try:
            for width, copy_name in stored_sizes(self.name).items():
                if width in narrower:
                    written.append(self.storage.save(copy_name, ContentFile(narrower[width])))
        except OSError:
            # All or nothing: the row that would point at the picture is rolled back,
            # so neither the picture nor a copy may stay behind.
            for stored in [*written, self.name]:
                with contextlib.suppress(OSError):
                    self.storage.delete(stored)
            raise
        if save:
            self.instance.save()

    save.alters_data = True

    def delete(self, save=True):
        for stored in stored_sizes(self.name).values():
            if stored != self.name:
                self.storage.delete(stored)
        super().delete(save)

    delete.alters_data = True

    @property
    def srcset(self) -> str:
        """The <img srcset> of the picture and its narrower copies; "" for a picture
        stored without copies, which is shown alone."""
        sizes = stored_sizes(self.name)
        if len(sizes) < 2:
            return ""
        return ", ".join(f"{self.storage.url(stored)} {width}w" for width, stored in sizes.items())


class HeroImageField(models.ImageField):
    """An image field whose pictures are stored with narrower copies for small screens."""

    attr_class = HeroImageFieldFile


def _open(upload) -> Image.Image:
    """The decoded picture, refusing anything that is not really a JPEG, PNG or WebP image."""
    not_an_image = ValidationError(
        _("This file is not a picture we can use. Upload a JPEG, PNG or WebP image."),
        code="invalid_image",
    )
    too_many_pixels = ValidationError(
        _("The image has too many pixels. Upload a smaller picture."), code="too_many_pixels"
    )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns about moderately large images; refuse them too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(upload, formats=sorted(ACCEPTED_FORMATS))
            if picture.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if picture.width * picture.height > MAX_PIXELS:
                raise too_many_pixels
            picture.load()
            picture = ImageOps.exif_transpose(picture)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    return picture


# A picture chosen before a Preview waits here (under a random name) until the form is saved,
# so the organiser need not choose it again. The form carries only a signed reference.
PREVIEW_FOLDER = "previews/"
_preview_signer = signing.TimestampSigner(salt="chorus.images.preview")
PREVIEW_MAX_AGE = 24 * 3600


class HeroImageFormMixin:
    """For model forms with a hero image: checks and re-encodes the upload, and
    requires a description whenever there is a picture (new or kept)."""

    kept_image_name = ""

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image is None:
            return self._image_kept_from_preview()
        if not image:
            return image  # False: its "clear" box was ticked
        return hero_image_clean(image)

    def _image_kept_from_preview(self):
        """The picture a Preview kept (already cleaned), or None: keep the current image."""
        try:
            name = _preview_signer.unsign(self.data.get("image_kept", ""), max_age=PREVIEW_MAX_AGE)
        except signing.BadSignature:
            return None
        if not name.startswith(PREVIEW_FOLDER) or ".." in name:
            return None
        try:
            with default_storage.open(name) as stored:
                content = stored.read()
            # Our own cleaned file: its narrower copies are made from its pixels again.
            with Image.open(io.BytesIO(content)) as picture:
                narrower = _narrower(picture.convert("RGBA" if picture.mode == "RGBA" else "RGB"))
        except OSError:
            return None
        self.kept_image_name = name
        return HeroImage(content, name=name.removeprefix(PREVIEW_FOLDER), narrower=narrower)

    def keep_image_for_preview(self) -> dict | None:
        """After a valid Preview with a picture: store it aside and say how to show and send
        it back ({"token", "url"}), or None if there is none (or it cannot be written)."""
        image = self.cleaned_data.get("image") if self.is_valid() else None
        if not image:
            return None
        name = self.kept_image_name
        if not name:
            try:
                name = default_storage.save(PREVIEW_FOLDER + image.name, image)
            except OSError:
                return None
        return {"token": _preview_signer.sign(name), "url": default_storage.url(name)}

    def image_preview(self, *, previewing: bool) -> dict:
        """For the form's page: the picture a Preview kept ("kept_image"), and whether a
        chosen picture could not be kept and must be chosen again ("image_dropped")."""
        kept = self.keep_image_for_preview() if previewing else None
        return {
            "kept_image": kept,
            "image_dropped": previewing and bool(self.files.get("image")) and not kept,
        }

    def discard_kept_image(self) -> None:
        """Once saved, the waiting copy is no longer needed."""
        if self.kept_image_name:
            try:
                default_storage.delete(self.kept_image_name)
            except OSError:
                pass  # a leftover copy under a random name; nothing links to it

    def clean(self):
        cleaned = super().clean()
        image = cleaned.get("image")
        keeps_image = image is None and self.instance.pk is not None and self.instance.image
        if (image or keeps_image) and not cleaned.get("image_alt", "").strip():
            self.add_error("image_alt", ValidationError(
                _("Describe the picture for people who cannot see it."), code="alt_required"))
        return cleaned

    def _get_validation_exclusions(self):
        # Uniqueness of the slug is checked by the form, and the image by hero_image_clean.
        return {*super()._get_validation_exclusions(), "slug", "image"}

    def image_not_stored(self) -> None:
        """Say on the form that the picture could not be written (the disk is full, or
        read-only): the service's transaction rolled back, so nothing was changed."""
        self.add_error("image", ValidationError(IMAGE_NOT_STORED, code="not_stored"))

    def image_change(self) -> dict:
        """{"image": …} if the submitted form replaces or removes the image, else {}."""
        image = self.cleaned_data.get("image")
        if image is False:
            return {"image": ""}
        return {"image": image} if image else {}
