import ipaddress

from django import forms
from django.contrib import admin, messages
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chorus.audit.services import audit_record
from chorus.lib.digests import email_digest, ip_digest
from chorus.lib.text import validate_plain_line
from chorus.signatures import screening
from chorus.signatures.models import Block, Signature


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
        "confirmed_at", "invalidated_at", "confirmation_sends", "language", "source",
    ]
    exclude = ["email", "postcode"]  # encrypted, and shown to no one
    actions = ["invalidate"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Invalidate the selected signatures"), permissions=["change"])
    def invalidate(self, request, queryset):
        invalidated = sum(signature.invalidate() for signature in queryset)
        self.message_user(
            request,
            ngettext(
                "%d signature invalidated; the count follows at the next counter run.",
                "%d signatures invalidated; the count follows at the next counter run.",
                invalidated,
            ) % invalidated,
            messages.SUCCESS,
        )


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
