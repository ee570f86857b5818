from django.conf import settings

from chorus.lib.forms import BOT_TRAP_FIELD


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL,
            "BOT_TRAP_FIELD": BOT_TRAP_FIELD}
