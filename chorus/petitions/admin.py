from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chorus.petitions.models import Partner, Petition, PetitionRevision, RejectionReason


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "state", "signature_count", "goal", "opened_at"]
    list_filter = ["state", "organisation"]
    search_fields = ["title", "ask", "target"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["signature_count", "counted_at", "created_at", "updated_at"]
    date_hierarchy = "opened_at"
    autocomplete_fields = ["organisation"]


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["code", "title"]
    ordering = ["position", "title"]

    @admin.display(description=_("reason"), ordering="title")
    def label(self, reason):
        return reason.label


@admin.register(PetitionRevision)
class PetitionRevisionAdmin(admin.ModelAdmin):
    """The history of a petition's text is kept for ever: it can be read here, not changed."""

    list_display = ["petition", "created_at", "changed_by", "by_staff", "note"]
    list_filter = ["by_staff"]
    search_fields = ["petition__title", "petition__slug", "note"]
    list_select_related = ["petition", "changed_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    """Partnerships are made and ended by the organisations themselves, through their
    pages (which audit each step); staff read them here."""

    list_display = ["petition", "organisation", "source", "invited_at", "accepted_at"]
    search_fields = ["petition__title", "petition__slug", "organisation__name", "source"]
    list_select_related = ["petition", "organisation"]
    exclude = ["secret_digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
