from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.lib.text import validate_plain_line
from chorus.petitions.manage.forms import validate_plain_text
from chorus.petitions.models import PetitionTranslation

LINE_FIELDS = ("title", "target", "ask", "image_alt", "image_caption")
TEXT_FIELDS = ("body", "statement")


class PetitionTranslationForm(forms.ModelForm):
    """The petition's text in one more language; a field left empty shows the original's."""

    class Meta:
        model = PetitionTranslation
        fields = list(PetitionTranslation.TRANSLATED_FIELDS)
        widgets = {
            "ask": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "statement": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "target": _("Leave empty to show the original."),
            "body": _("Markdown, like the original. Leave empty to show the original."),
            "statement": _("Leave empty to show the original."),
            "image_alt": _("What the picture shows, for people who cannot see it."),
        }

    def __init__(self, *args, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Typed in the translation's language, which may run right to left
            # while the page around it does not.
            field.widget.attrs.update({"lang": language, "dir": "auto"} if language else {})
        for name in LINE_FIELDS:
            self.fields[name].validators.append(validate_plain_line)
        for name in TEXT_FIELDS:
            self.fields[name].validators.append(validate_plain_text)

    def translation_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in PetitionTranslation.TRANSLATED_FIELDS}
