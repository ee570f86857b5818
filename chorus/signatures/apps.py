from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chorus.lib import checks as site_checks  # noqa: F401 - registers the deployment checks
from chorus.signatures import checks  # noqa: F401 - registers the deployment checks


class SignaturesConfig(AppConfig):
    name = "chorus.signatures"
    verbose_name = _("Signatures")
