import logging

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from chorus.lib.storage import write_error_name
from chorus.organisers.models import Invitation, Membership, Organisation, OrganisationKey


class OrganisationKeyInline(admin.TabularInline):
    """Shown, never changed here: only the organisation's owners register a key
    (on their key page, audited), and only they know which private key it is."""

    model = OrganisationKey
    fields = ["fingerprint", "label", "created_by", "created_at", "retired_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


logger = logging.getLogger(__name__)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationKeyInline]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A logo the disk cannot take: a clear message, and nothing saved (the admin's
        transaction rolls back, the storage removes the part it wrote)."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError as error:
            logger.warning("organisation not saved: its logo could not be stored (%s)",
                           write_error_name(error))
            self.message_user(request, _(
                "Nothing was saved: the logo could not be stored, because the server is out "
                "of space or cannot write files. Try again once there is room."), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "organisation__name"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["email", "organisation__name"]
    raw_id_fields = ["invited_by"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_at", "accepted_at"]
