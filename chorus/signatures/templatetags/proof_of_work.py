from django import template

from chorus.signatures.proof_of_work import services as proof_of_work

register = template.Library()


@register.simple_tag
def proof_of_work_required(petition) -> bool:
    """{% proof_of_work_required petition as required %}: whether the sign form needs the widget."""
    return proof_of_work.required(petition)
