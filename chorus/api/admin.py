from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from chorus.api.models import ApiKey
from chorus.api.services import api_key_create, api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organisation"]
    fields = ["organisation", "name", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        api_key, key = api_key_create(
            organisation=obj.organisation, name=obj.name, actor=request.user
        )
        obj.pk, obj.prefix, obj.digest = api_key.pk, api_key.prefix, api_key.digest
        obj.created_at = api_key.created_at
        # Shown once: only its digest is stored.
        messages.warning(request, _("Copy this key now; it will not be shown again: %(key)s")
                         % {"key": key})

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for api_key in queryset.active().select_related("organisation"):
            api_key_revoke(api_key=api_key, actor=request.user)
