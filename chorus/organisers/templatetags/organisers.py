from django import template
from django.utils.translation import gettext_lazy as _

from chorus.organisers.models import Role

register = template.Library()

# Short names for tables; Role's own labels explain what each role may do.
ROLE_NAMES = {Role.OWNER: _("Owner"), Role.EDITOR: _("Editor"), Role.VIEWER: _("Viewer")}


@register.filter
def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)
