"""Deployment checks for lib.hosts.SiteSecurityMiddleware, which stands in for Django's.

Django's own checks of HTTPS hardening look for its SecurityMiddleware by
name and, not finding it, skip every other check (security.W001). These take
their place for our subclass: the same warnings, with the same meaning.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register

SITE_SECURITY_MIDDLEWARE = "chorus.lib.hosts.SiteSecurityMiddleware"


@register(Tags.security, deploy=True)
def site_security_check(app_configs, **kwargs):
    if SITE_SECURITY_MIDDLEWARE not in settings.MIDDLEWARE:
        return [Warning(
            f"{SITE_SECURITY_MIDDLEWARE} is not in MIDDLEWARE: no HSTS, no HTTPS redirect and "
            "no per-host (onion) rules.", id="chorus.W003")]
    warnings = []
    if not settings.SECURE_HSTS_SECONDS:
        warnings.append(Warning(
            "SECURE_HSTS_SECONDS is 0: browsers are not told to use only HTTPS.",
            hint="Leave it at its default (one year) in production.", id="chorus.W004"))
    if not settings.SECURE_SSL_REDIRECT:
        warnings.append(Warning(
            "SECURE_SSL_REDIRECT is off: plain HTTP requests are not sent to HTTPS.",
            hint="Leave it on unless a proxy in front redirects (the onion host never is).",
            id="chorus.W005"))
    return warnings
