from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "chorus.signatures"
    verbose_name = _("Signatures")

    def ready(self):
        from chorus.signatures import checks  # noqa: F401 - registers the checks
