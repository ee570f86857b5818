"""Filters every template has without loading them (TEMPLATES' builtins in settings)."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_time(value) -> str:
    """A <time datetime> value: UTC to the second ("2030-01-09T10:00:00Z"), or a date.

    isoformat() gives microseconds, which the HTML standard does not allow there.
    """
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
