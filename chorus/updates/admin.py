from django.contrib import admin

from chorus.audit.services import audit_record
from chorus.petitions.services import petition_touch
from chorus.updates.models import Mailing, Update


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    list_display = ["title", "petition", "published_at"]
    list_select_related = ["petition"]
    search_fields = ["title", "petition__title"]
    raw_id_fields = ["petition", "created_by"]

    # The public page is cached under the petition's updated_at: staff edits show at once.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        petition_touch(petition=obj.petition)
        audit_record(actor=request.user, action="update.edit" if change else "update.publish",
                     target=obj, petition=obj.petition.slug)

    def delete_model(self, request, obj):
        petition = obj.petition
        audit_record(actor=request.user, action="update.delete", target=obj,
                     petition=petition.slug)
        super().delete_model(request, obj)
        petition_touch(petition=petition)


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    """Read only: a mailing is started from the organiser page and runs by itself."""

    list_display = ["update", "sent", "recipients", "created_at", "finished_at"]
    list_select_related = ["update"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
