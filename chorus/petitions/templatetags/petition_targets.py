"""The targets, the hand-in and each answer's status, on the public and the organiser's page.

A status depends on the day ("no answer 41 days after the hand-in"), so it is
worked out here on each rendering, and the public fragment is cached per day.
"""

from django import template
from django.utils import timezone

from chorus.petitions.models import HandIn, Petition

register = template.Library()


def _targets_and_handin(petition: Petition) -> dict:
    today = timezone.localdate()
    handin = HandIn.objects.filter(petition_id=petition.pk).first()
    targets = list(petition.targets.all())
    rows = [(target, target.answer_status(handin=handin, today=today)) for target in targets]
    return {
        "petition": petition, "handin": handin, "rows": rows, "today": today,
        "any_answered": any(target.is_answered for target in targets),
    }


@register.inclusion_tag("petitions/targets/_public.html")
def public_targets(petition: Petition) -> dict:
    """{% public_targets petition %}: the hand-in and each target's answer."""
    return _targets_and_handin(petition)


@register.inclusion_tag("petitions/targets/_manage.html", takes_context=True)
def manage_targets(context, petition: Petition) -> dict:
    """{% manage_targets petition %} on the organiser's petition page."""
    return {**_targets_and_handin(petition), "can_edit": context.get("can_edit", False)}


@register.simple_tag
def addressed_targets(petition: Petition) -> list:
    """The targets by name for the "Addressed to" line."""
    return list(petition.targets.all())
