"""Hero images uploaded by organisers: checked, cleaned and re-encoded before they are stored."""

import io
import secrets
import warnings

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# About 8,000 × 5,000: more than a phone or a press camera takes. Beyond that
# a small file that unpacks into gigabytes of pixels is an attack, not a photo.
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85
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
    picture = picture.convert("RGBA" if has_alpha else "RGB")
    max_width = settings.CHORUS_IMAGE_MAX_WIDTH
    if picture.width > max_width:
        height = max(1, round(picture.height * max_width / picture.width))
        picture = picture.resize((max_width, height), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of the upload's info travels with it.
    clean = Image.new(picture.mode, picture.size)
    clean.paste(picture)
    output = io.BytesIO()
    if has_alpha:
        # JPEG has no transparency; WebP keeps it at a photo's size.
        clean.save(output, format="WEBP", quality=JPEG_QUALITY)
        extension = "webp"
    else:
        clean.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension = "jpg"
    # A random name: the uploaded file's name may say who took it, or where.
    return ContentFile(output.getvalue(), name=f"{secrets.token_urlsafe(16)}.{extension}")


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
        except OSError:
            return None
        self.kept_image_name = name
        return ContentFile(content, name=name.removeprefix(PREVIEW_FOLDER))

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
