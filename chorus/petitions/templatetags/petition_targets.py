"""The targets, the hand-in and each answer's status, on the public and the organiser's page.

A status depends on the day ("no answer 41 days after the hand-in"), so it is
worked out on each rendering, and the public fragment is cached per day. Read
lazily: a fragment served from the cache costs no query.
"""

import datetime
from functools import cached_property

from django import template
from django.utils import timezone

from chorus.petitions.models import AnswerStatus, HandIn, Petition, Target

register = template.Library()


class TargetsAndHandIn:
    def __init__(self, petition: Petition, today: datetime.date):
        self.petition, self.today = petition, today

    @cached_property
    def handin(self) -> HandIn | None:
        return HandIn.objects.filter(petition_id=self.petition.pk).first()

    @cached_property
    def rows(self) -> list[tuple[Target, AnswerStatus]]:
        return [(target, target.answer_status(handin=self.handin, today=self.today))
                for target in self.petition.targets.all()]


@register.inclusion_tag("petitions/targets/_public.html")
def public_targets(petition: Petition) -> dict:
    """{% public_targets petition %}: the hand-in and each target's answer."""
    today = timezone.localdate()
    return {"petition": petition, "today": today, "answers": TargetsAndHandIn(petition, today)}


@register.inclusion_tag("petitions/targets/_manage.html", takes_context=True)
def manage_targets(context, petition: Petition) -> dict:
    """{% manage_targets petition %} on the organiser's petition page."""
    answers = TargetsAndHandIn(petition, timezone.localdate())
    return {"petition": petition, "handin": answers.handin, "rows": answers.rows,
            "can_edit": context.get("can_edit", False)}


@register.simple_tag
def addressed_targets(petition: Petition) -> list[Target]:
    """The targets, in order, for the "Addressed to" line."""
    return list(petition.targets.all())
