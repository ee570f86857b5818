from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chorus.signatures.models import Signature


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["pk", "petition", "name", "country", "state", "created_at", "confirmed_at"]
    list_filter = ["state", "country", "petition"]
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
