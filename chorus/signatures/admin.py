import ipaddress

from django import forms
from django.contrib import admin, messages
from django.core.validators import validate_email
from django.db.models import Count
from django.http import HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chorus.audit.services import audit_record
from chorus.lib.digests import email_digest, ip_digest
from chorus.lib.text import validate_plain_line
from chorus.petitions.admin import PetitionAdmin
from chorus.petitions.models import Petition
from chorus.signatures import screening, services
from chorus.signatures.exports.delivery.pdf import (
    DELIVERY_NOT_BUILT,
    DeliveryNotBuilt,
    delivery_pdf,
)
from chorus.signatures.exports.delivery.services import delivery_is_direct
from chorus.signatures.models import Block, Invalidation, Signature
from chorus.signatures.services import petition_purge, signatures_csv_rows

# The reasons a moderator may give for invalidating chosen signatures.
INVALIDATION_REASONS = {value: label for value, label in Invalidation.Reason.choices
                        if value != Invalidation.Reason.HELD}


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["pk", "petition", "name", "country", "state", "created_at", "confirmed_at"]
    list_filter = ["state", "held_reason", "country", "petition"]
    # Staff look signers up by name only; addresses are matched by digest elsewhere.
    search_fields = ["name"]
    list_select_related = ["petition"]
    show_full_result_count = False
    readonly_fields = [
        "petition", "email_digest", "ip_digest", "state", "counted", "created_at",
        "confirmed_at", "invalidated_at", "confirmation_sends", "confirmation_undeliverable_at",
        "language", "source",
    ]
    exclude = ["email", "postcode"]  # encrypted, and shown to no one
    actions = [f"invalidate_{reason}" for reason in INVALIDATION_REASONS]

    def has_add_permission(self, request):
        return False

    def _invalidate(self, request, queryset, reason):
        invalidated = services.signatures_invalidate(
            signature_ids=list(queryset.values_list("pk", flat=True)), reason=reason,
            moderator=request.user,
        )
        self.message_user(
            request,
            ngettext(
                "%d signature invalidated; the count follows at the next counter run.",
                "%d signatures invalidated; the count follows at the next counter run.",
                invalidated,
            ) % invalidated,
            messages.SUCCESS,
        )


def _invalidate_action(reason: str, label):
    """One action per reason: the reason is what the petition's public log shows."""

    def action(modeladmin, request, queryset):
        modeladmin._invalidate(request, queryset, reason)

    action.__name__ = f"invalidate_{reason}"
    return admin.action(
        description=format_lazy(_("Invalidate the selected signatures: {reason}"),
                                reason=label),
        permissions=["change"],
    )(action)


for _reason, _label in INVALIDATION_REASONS.items():
    setattr(SignatureAdmin, f"invalidate_{_reason}", _invalidate_action(_reason, _label))


class BlockForm(forms.ModelForm):
    """Staff type an IP or an address in plain; only its keyed digest is stored."""

    value = forms.CharField(
        label=_("Value"), max_length=254, validators=[validate_plain_line],
        help_text=_("An IP address, an e-mail domain or an e-mail address, as the kind says. "
                    "IP and e-mail addresses are stored only as their keyed digest."),
    )

    class Meta:
        model = Block
        fields = ["kind", "value", "note"]

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), (cleaned.get("value") or "").strip()
        if not kind or not value:
            return cleaned
        if kind == Block.Kind.IP:
            try:
                value = ip_digest(str(ipaddress.ip_address(value)))
            except ValueError:
                self.add_error("value", _("Please enter an IP address, like 203.0.113.7."))
        elif kind == Block.Kind.ADDRESS:
            try:
                validate_email(value)
            except forms.ValidationError:
                self.add_error("value", _("Please enter an e-mail address."))
            else:
                value = email_digest(value)
        else:
            value = screening.block_domain(value.rpartition("@")[2])
            if "." not in value or len(value) > 253:
                self.add_error("value", _("Please enter a domain, like example.org."))
        cleaned["value"] = value
        if (not self.errors
                and Block.objects.filter(kind=kind, value=value).exists()):
            self.add_error("value", _("This is already blocked."))
        return cleaned


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    form = BlockForm
    list_display = ["kind", "shown_value", "note", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["note"]

    @admin.display(description=_("value"))
    def shown_value(self, block):
        # A digest is only useful for matching; a prefix tells two apart.
        return block.value if block.kind == Block.Kind.DOMAIN else f"{block.value[:12]}…"

    def has_change_permission(self, request, obj=None):
        # The stored value is a digest: editing it in place would digest the digest.
        return False

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="block.add", target=obj, kind=obj.kind)

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="block.remove", target=obj, kind=obj.kind)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for block in queryset:
            audit_record(actor=request.user, action="block.remove", target=block,
                         kind=block.kind)
        super().delete_queryset(request, queryset)


# Petitions are registered by their own app; this adds what only signatures
# know: the exports, the emergency purge and the counts by campaign code.
admin.site.unregister(Petition)


@admin.register(Petition)
class PetitionWithSignaturesAdmin(PetitionAdmin):
    readonly_fields = [*PetitionAdmin.readonly_fields, "signatures_by_source"]
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
        petition = self._one_to_export(request, queryset)
        if petition is None:
            return None
        if not delivery_is_direct(petition):
            # A million names would hold the request for minutes: the worker makes it.
            self.message_user(request, _(
                "This petition is too big for its delivery document to be made here: its "
                "owners prepare it on the petition's organiser page."), messages.ERROR)
            return None
        try:
            document = delivery_pdf(petition)
        except DeliveryNotBuilt:
            # Back to the list with the reason; nothing was handed over, nothing audited.
            self.message_user(request, DELIVERY_NOT_BUILT, messages.ERROR)
            return None
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{petition.slug}-delivery.pdf"'
        response["Cache-Control"] = "private, no-store"
        audit_record(actor=request.user, action="petition.delivery_pdf", target=petition)
        return response

    @admin.action(description=_("Export the confirmed signatures (CSV)"))
    def export_csv(self, request, queryset):
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
