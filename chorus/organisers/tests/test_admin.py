import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "purple").save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def stored_files(settings):
    return [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def inline_management(admin_client, url) -> dict:
    """The hidden counters of the page's inlines, as the browser sends them back."""
    page = admin_client.get(url).content.decode()
    return dict(re.findall(r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"'
                           r'[^>]*value="(\d*)"', page))


def test_a_logo_on_a_full_disk_saves_nothing_and_says_why(admin_client, organisation, settings,
                                                          full_disk):
    url = f"/admin/organisers/organisation/{organisation.pk}/change/"
    inlines = inline_management(admin_client, url)
    response = admin_client.post(url, {"name": "Renamed", "slug": organisation.slug,
                                       "logo": png(), **inlines}, follow=True)
    assert response.status_code == 200
    assert "the logo could not be stored" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Spectrum Alliance" and not organisation.logo
    assert stored_files(settings) == []

    full_disk.free()
    admin_client.post(url, {"name": "Renamed", "slug": organisation.slug, "logo": png(),
                            **inlines})
    organisation.refresh_from_db()
    assert organisation.name == "Renamed" and organisation.logo
