from django.contrib import admin

from chorus.petitions.models import Organisation, Petition


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "state", "signature_count", "goal", "opened_at"]
    list_filter = ["state", "organisation"]
    search_fields = ["title", "ask", "target"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["signature_count", "counted_at", "created_at", "updated_at"]
    date_hierarchy = "opened_at"
    autocomplete_fields = ["organisation"]
