"""The site's own pages: who runs it, what it keeps about signers, how to reach the operator.

Their facts come from the operator's settings (docs/configuration.md) and from what
docs/privacy.md describes, so the pages say what this installation really does.
"""

from django.conf import settings
from django.shortcuts import render

from chorus.lib.http import public_page, require_safe


def _operator() -> dict:
    return {
        "operator": settings.CHORUS_OPERATOR_NAME,
        "contact_email": settings.CHORUS_CONTACT_EMAIL,
    }


@public_page
@require_safe
def about(request):
    return render(request, "about/about.html", _operator())


@public_page
@require_safe
def privacy(request):
    context = {
        **_operator(),
        "unconfirmed_days": settings.CHORUS_UNCONFIRMED_RETENTION_DAYS,
        "ip_days": settings.CHORUS_IP_DIGEST_RETENTION_DAYS,
        "closed_days": settings.CHORUS_CLOSED_PETITION_RETENTION_DAYS,
    }
    return render(request, "about/privacy.html", context)


@public_page
@require_safe
def contact(request):
    return render(request, "about/contact.html", _operator())
