from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeriodicConfig(AppConfig):
    """Work done on a clock rather than in a request: see steps.py."""

    name = "chorus.periodic"
    verbose_name = _("Periodic work")
