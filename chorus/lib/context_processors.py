from django.conf import settings

from chorus.lib.forms import BOT_TRAP_FIELD
from chorus.lib.hosts import site_url


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": site_url(),
            "QUICK_EXIT_URL": settings.CHORUS_QUICK_EXIT_URL,
            "BOT_TRAP_FIELD": BOT_TRAP_FIELD}
