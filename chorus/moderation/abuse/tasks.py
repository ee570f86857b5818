import json
import logging
import urllib.request

from django.conf import settings
from django.tasks import task
from django.utils import translation

from chorus.moderation.abuse import services
from chorus.moderation.models import Flag
from chorus.signatures.counting.services import signatures_count

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 10


def _post_json(url: str, payload: dict) -> None:
    # Only http(s): urllib would also open file:// and ftp:// URLs.
    if not url.lower().startswith(("https://", "http://")):
        raise ValueError("the trending webhook URL must start with https:// or http://")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "Chorus"},
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS):  # noqa: S310
        pass


@task()
def trending_webhook_send(flag_ids: list[int]) -> int:
    """Tell the webhook about new trending flags; returns how many it accepted.

    A failure is logged (without the payload) and never retried: the flags are
    on the moderators' dashboard either way.
    """
    url = settings.CHORUS_TRENDING_WEBHOOK_URL
    if not url:
        return 0
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for flag in Flag.objects.filter(pk__in=flag_ids).select_related("petition"):
            try:
                _post_json(url, services.trending_payload(flag))
            except Exception as error:  # noqa: BLE001 - any failure is only logged
                logger.warning("trending webhook failed for flag %s: %s", flag.pk,
                               type(error).__name__)
                continue
            sent += 1
    return sent


@task()
def invalidation_batch_run_task(batch_id: int) -> int:
    """Invalidate a batch's signatures, then fold the change into the counts at once."""
    batch = services.invalidation_batch_run(batch_id=batch_id)
    if batch is None:
        return 0
    signatures_count()  # if the counter is running just now, its next run does it
    return batch.invalidated


@task()
def counts_reconcile() -> None:
    """One counter run, so an undone invalidation shows in the counts at once."""
    signatures_count()
