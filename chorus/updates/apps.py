from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpdatesConfig(AppConfig):
    name = "chorus.updates"
    verbose_name = _("Updates to signers")
