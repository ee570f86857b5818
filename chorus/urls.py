from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from django.views.static import serve

from chorus.api.views import api
from chorus.lib.http import public_data

# One include per app; each app includes its own folders (petitions/manage,
# moderation/abuse, ...), so a URL name's namespace says where its view is.
urlpatterns = [
    path("", include("chorus.petitions.urls")),
    path("", include("chorus.signatures.urls")),
    path("", include("chorus.embeds.urls")),
    path("", include("chorus.updates.urls")),
    path("", include("chorus.organisers.urls")),
    path("", include("chorus.dashboard.urls")),
    path("moderation/", include("chorus.moderation.urls")),
    path("", include("chorus.stories.urls")),
    path("", include("chorus.api.urls")),
    path("", include("chorus.about.urls")),
    # Without a CSRF token, so that reading a petition sets no cookie until a
    # reader chooses a language; the worst a forged post can do is switch it.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    # Uploaded images. A large site serves these from its web server instead.
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", public_data(serve),
             {"document_root": settings.MEDIA_ROOT})
    )
