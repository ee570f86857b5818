from django.contrib import admin

from chorus.stories.models import Story, StoryTranslation, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class StoryTranslationInline(admin.StackedInline):
    model = StoryTranslation
    extra = 0


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "state", "published_at", "language"]
    list_filter = ["state", "organisation", "language"]
    search_fields = ["title", "standfirst", "byline"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organisation", "tags", "petitions"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    date_hierarchy = "published_at"
    inlines = [StoryTranslationInline]
