from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.lib.markdown import render_markdown
from chorus.petitions.models import Petition


class Update(models.Model):
    """News from the organisers, shown on the petition page."""

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="updates", verbose_name=_("petition"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("posted by"),
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("update")
        verbose_name_plural = _("updates")

    def __str__(self) -> str:
        return self.title

    def body_html(self):
        return render_markdown(self.body)


class Mailing(models.Model):
    """An update e-mailed to the petition's signers who agreed to hear more.

    Recipients are the consenting confirmed signatures with ids up to
    `last_recipient_id` (fixed when the mailing starts), taken in id order.
    `cursor` is the id of the last signature whose e-mail the mail server
    accepted, committed right after each acceptance, so a resumed mailing
    skips no one and repeats at most the one e-mail in flight when a worker
    died. `leased_until` lets one worker at a time send it.
    """

    update = models.OneToOneField(
        Update, on_delete=models.CASCADE, related_name="mailing", verbose_name=_("update"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("requested by"),
    )
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    last_recipient_id = models.BigIntegerField(default=0, editable=False)
    cursor = models.BigIntegerField(default=0, editable=False)
    leased_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")

    def __str__(self) -> str:
        return f"{self.update} ({self.sent}/{self.recipients})"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None
