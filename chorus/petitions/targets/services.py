"""The petition's targets, its hand-in and each target's answer, as organisers record them.

Every change shows on the public page at once (petition_touch) and is audited.
Telling the signers about a hand-in is the updates area's job
(chorus.updates.services.handins_announce, run by the periodic step "handins"),
and the reminder of an overdue answer is sent by the task worker, never in a request.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.lib.images import hero_image_delete
from chorus.petitions.models import HandIn, Petition, Target
from chorus.petitions.services import petition_touch
from chorus.petitions.targets.tasks import send_target_reminders


def _locked(petition: Petition) -> Petition:
    # One writer at a time per petition: positions and the one hand-in stay consistent.
    return Petition.objects.select_for_update().get(pk=petition.pk)


@transaction.atomic
def target_add(*, petition: Petition, actor, fields: dict[str, str]) -> Target:
    """A new target, listed after the others."""
    _locked(petition)
    last = petition.targets.aggregate(last=Max("position"))["last"]
    target = Target(petition=petition, position=0 if last is None else last + 1, **fields)
    target.full_clean()
    target.save()
    petition_touch(petition=petition)
    audit_record(actor=actor, action="petition.target_add", target=target,
                 petition=petition.slug)
    return target


@transaction.atomic
def target_edit(*, target: Target, actor, fields: dict[str, str]) -> Target:
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    target.save(update_fields=list(fields))
    petition_touch(petition=target.petition)
    audit_record(actor=actor, action="petition.target_edit", target=target,
                 petition=target.petition.slug, fields=sorted(fields))
    return target


@transaction.atomic
def target_move(*, target: Target, actor, direction: str) -> bool:
    """Swap the target with its neighbour ("up": earlier, "down": later); False at an end."""
    petition = _locked(target.petition)
    order = list(petition.targets.order_by("position", "id"))
    index = next(i for i, row in enumerate(order) if row.pk == target.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(order):
        return False
    order[index], order[other] = order[other], order[index]
    # Numbered afresh, so rows added with equal positions get distinct ones.
    for position, row in enumerate(order):
        if row.position != position:
            Target.objects.filter(pk=row.pk).update(position=position)
    petition_touch(petition=petition)
    audit_record(actor=actor, action="petition.target_move", target=target,
                 petition=petition.slug, direction=direction)
    return True


@transaction.atomic
def target_remove(*, target: Target, actor) -> None:
    petition = target.petition
    audit_record(actor=actor, action="petition.target_remove", target=target,
                 petition=petition.slug, answered=target.is_answered)
    target.delete()
    petition_touch(petition=petition)


@transaction.atomic
def target_answer_record(*, target: Target, actor, text: str, date: datetime.date) -> Target:
    """What this target answered, shown on the public page with its date."""
    current = Target.objects.select_for_update().select_related("petition").get(pk=target.pk)
    current.record_response(text=text, date=date)
    petition_touch(petition=current.petition)
    audit_record(actor=actor, action="petition.target_answer", target=current,
                 petition=current.petition.slug, date=date.isoformat())
    return current


@transaction.atomic
def handin_record(*, petition: Petition, actor, fields: dict) -> tuple[HandIn, bool]:
    """Record (or correct) the hand-in of an open or closed petition: (hand-in, created).

    The first recording is announced to the signers who asked for news by the
    periodic step "handins" (announced_at stays empty until then); a correction
    changes the page only, and e-mails nobody again.
    """
    current = _locked(petition)
    if not current.is_public:
        raise ValidationError(_("Signatures can only be handed in for an open or closed "
                                "petition."))
    handin = HandIn.objects.filter(petition=current).first()
    created = handin is None
    handin = handin or HandIn(petition=current, recorded_by=actor)
    old_image = handin.image.name
    for name, value in fields.items():
        setattr(handin, name, value)
    handin.full_clean(exclude=["image"])
    handin.save()
    if old_image and handin.image.name != old_image:
        # A replaced or removed photo is deleted, not left reachable at its old address.
        storage = handin.image.storage
        transaction.on_commit(lambda: hero_image_delete(old_image, storage=storage))
    petition_touch(petition=current)
    audit_record(actor=actor, action="petition.handin_record" if created
                 else "petition.handin_edit", target=current,
                 handed_in_on=handin.handed_in_on.isoformat(), fields=sorted(fields))
    return handin, created


def overdue_targets(*, today: datetime.date):
    """Targets of public petitions whose answer is late and whose organisers were not
    reminded yet."""
    return Target.objects.filter(
        petition__state__in=[Petition.State.OPEN, Petition.State.CLOSED],
        petition__handin__answers_due__lt=today, reminded_at__isnull=True,
    ).filter(Q(response_text="") | Q(response_date__isnull=True))


def target_reminders_schedule(*, now: datetime.datetime | None = None) -> list[int]:
    """Have the worker send the reminders now due; returns the targets' ids.

    Each is claimed for CHORUS_MAIL_LEASE_SECONDS by one conditional UPDATE, so
    a second run (or a second server) queues nothing while the first task is on
    its way; if that task dies, the claim runs out and a later run queues it again.
    The task marks the target reminded only after sending, and skips one already
    reminded, so no run sends twice.
    """
    now = now or timezone.now()
    lease = now + datetime.timedelta(seconds=settings.CHORUS_MAIL_LEASE_SECONDS)
    free = Q(reminder_claimed_until__isnull=True) | Q(reminder_claimed_until__lt=now)
    with transaction.atomic():
        due = list(
            overdue_targets(today=now.date()).filter(free)
            .select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)
        )
        if not due:
            return []
        Target.objects.filter(pk__in=due).update(reminder_claimed_until=lease)
        transaction.on_commit(lambda: send_target_reminders.enqueue(due))
    return due

