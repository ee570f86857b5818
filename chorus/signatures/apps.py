from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chorus.lib import checks as site_checks  # noqa: F401 - registers the deployment checks
from chorus.signatures import checks  # noqa: F401 - registers the deployment checks


class SignaturesConfig(AppConfig):
    name = "chorus.signatures"
    verbose_name = _("Signatures")

    def ready(self):
        from django.db.models.signals import post_migrate

        from chorus.signatures.services import insert_function_install

        post_migrate.connect(insert_function_install, sender=self)
