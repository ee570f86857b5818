from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo content for `make run`: it loads every area, so it comes last."""

    name = "chorus.demo"
    verbose_name = _("Demo content")
