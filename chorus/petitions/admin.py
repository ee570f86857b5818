from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from chorus.audit.services import audit_record
from chorus.petitions.models import Petition, PetitionRevision, RejectionReason


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "state", "signature_count", "goal", "opened_at"]
    list_filter = ["state", "organisation"]
    search_fields = ["title", "ask", "target"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "signature_count", "counted_at", "created_at", "updated_at", "signatures_by_source",
    ]
    date_hierarchy = "opened_at"
    autocomplete_fields = ["organisation"]
    actions = ["delivery_document", "export_csv", "purge"]

    def _one_to_export(self, request, queryset):
        """The one petition to export, if the user may; None (with a message) if not."""
        if not request.user.is_superuser:
            self.message_user(request, _("Only administrators can export."), messages.ERROR)
            return None
        if queryset.count() != 1:
            self.message_user(request, _("Choose one petition to export."), messages.ERROR)
            return None
        return queryset.get()

    @admin.action(description=_("Download the delivery document (PDF)"))
    def delivery_document(self, request, queryset):
        from chorus.signatures.exports.delivery import delivery_pdf

        petition = self._one_to_export(request, queryset)
        if petition is None:
            return None
        response = HttpResponse(delivery_pdf(petition), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{petition.slug}-delivery.pdf"'
        response["Cache-Control"] = "private, no-store"
        audit_record(actor=request.user, action="petition.delivery_pdf", target=petition)
        return response

    @admin.action(description=_("Export the confirmed signatures (CSV)"))
    def export_csv(self, request, queryset):
        from chorus.signatures.services import signatures_csv_rows

        petition = self._one_to_export(request, queryset)
        if petition is None:
            return None
        response = StreamingHttpResponse(
            signatures_csv_rows(petition=petition, actor=request.user),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{petition.slug}-signatures.csv"'
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.display(description=_("Confirmed signatures by campaign code"))
    def signatures_by_source(self, petition):
        """Which partner's link brought how many signatures: counts only, never who."""
        rows = (
            petition.signatures.filter(state="confirmed").values_list("source")
            .annotate(n=Count("id")).order_by("-n")
        )
        return format_html_join(
            ", ", "{}: {}", ((source or _("(none)"), n) for source, n in rows)
        ) or "—"

    @admin.action(description=_("Purge the signers' personal data now (emergency)"))
    def purge(self, request, queryset):
        """Staff confirm by typing each petition's address; then it is done and audited."""
        from chorus.signatures.services import petition_purge

        if not request.user.is_superuser:
            self.message_user(request, _("Only administrators can purge."), messages.ERROR)
            return None
        typed = request.POST.get("confirm_slugs", "").split()
        if "confirm_purge" in request.POST:
            if sorted(typed) != sorted(p.slug for p in queryset):
                self.message_user(
                    request, _("Nothing was purged: the addresses typed did not match."),
                    messages.ERROR,
                )
                return None
            for petition in queryset:
                petition_purge(petition=petition, actor=request.user)
            self.message_user(
                request,
                _("The signers' personal data is gone; counts and country totals are kept."),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Purge the signers' personal data"),
            "petitions": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/petitions/purge_confirmation.html", context)


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
