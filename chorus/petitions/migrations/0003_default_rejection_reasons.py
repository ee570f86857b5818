from django.db import migrations
from django.utils.translation import gettext_noop

# The reasons the UK Parliament petitions site and Change.org give most often.
# Stored in English and shown translated (they are in the catalogue); staff
# may edit, reorder, retire or add reasons in the admin.
REASONS = [
    ("duplicate", gettext_noop("Duplicate of an open petition"),
     gettext_noop("There is already a petition asking for the same thing. Please sign and share it instead.")),
    ("unclear", gettext_noop("Not clear what it asks for"),
     gettext_noop("A petition must ask a named target for something specific.")),
    ("personal-data", gettext_noop("Names or identifies private people"),
     gettext_noop("Petitions must not expose private people or information that could put anyone at risk.")),
    ("offensive", gettext_noop("Offensive, defamatory or hateful"),
     gettext_noop("Petitions must not contain abuse, hate speech or claims that could be defamatory.")),
    ("out-of-scope", gettext_noop("Outside what this site campaigns for"),
     gettext_noop("This site hosts petitions for human rights.")),
    ("advertising", gettext_noop("Advertising or spam"),
     gettext_noop("Petitions must not promote a product, service or website.")),
]


def create_reasons(apps, schema_editor):
    RejectionReason = apps.get_model("petitions", "RejectionReason")
    for position, (code, title, description) in enumerate(REASONS):
        RejectionReason.objects.get_or_create(
            code=code, defaults={"title": title, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("petitions", "0002_review_and_lifecycle")]

    operations = [migrations.RunPython(create_reasons, migrations.RunPython.noop)]
