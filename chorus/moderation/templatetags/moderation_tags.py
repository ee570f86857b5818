from django import template

register = template.Library()


@register.filter
def detail_value(value) -> str:
    """An audit entry's detail as a person reads it: lists as "a, b", not ['a', 'b']."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    return str(value)
