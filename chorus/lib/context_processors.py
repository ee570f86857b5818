from django.conf import settings

from chorus.lib.forms import BOT_TRAP_FIELD
from chorus.lib.hosts import site_url


def site(request):
    match = getattr(request, "resolver_match", None)
    # The area of the site a page belongs to (its URL namespace), for the header's
    # current-page mark; error pages have none.
    section = (match.namespaces[0] if match.namespaces else match.url_name) if match else ""
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": site_url(),
            "QUICK_EXIT_URL": settings.CHORUS_QUICK_EXIT_URL,
            "BOT_TRAP_FIELD": BOT_TRAP_FIELD, "SECTION": section}
