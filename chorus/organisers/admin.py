from django.contrib import admin

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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationKeyInline]


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
