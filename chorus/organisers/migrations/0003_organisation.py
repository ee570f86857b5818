"""Organisation moves from petitions to organisers, keeping its table and rows.

Only Django's idea of where the model lives changes here; the table is
renamed in 0004, once nothing in the migration state points at the old model.
"""

import django.db.models.deletion
from django.db import migrations, models

ORGANISATION_FIELDS = [
    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                               verbose_name="ID")),
    ("name", models.CharField(max_length=200, verbose_name="name")),
    ("slug", models.SlugField(unique=True, verbose_name="slug")),
    ("description", models.TextField(blank=True, verbose_name="description")),
    ("logo", models.ImageField(blank=True, upload_to="logos/", verbose_name="logo")),
    ("website", models.URLField(blank=True, verbose_name="website")),
    ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
]


def move_content_type(apps, schema_editor):
    # Permissions (and anything else keyed by content type) follow the model.
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="organisers", model="organisation").exists():
        ContentType.objects.filter(app_label="petitions", model="organisation").update(
            app_label="organisers"
        )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="petitions", model="organisation").exists():
        ContentType.objects.filter(app_label="organisers", model="organisation").update(
            app_label="petitions"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("organisers", "0002_login_failure"),
        ("petitions", "0005_proof_of_work"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Organisation",
                    fields=ORGANISATION_FIELDS,
                    options={
                        "verbose_name": "organisation",
                        "verbose_name_plural": "organisations",
                        "ordering": ["name"],
                        "db_table": "petitions_organisation",
                    },
                ),
                migrations.AlterField(
                    model_name="invitation",
                    name="organisation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="invitations",
                        to="organisers.organisation", verbose_name="organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="membership",
                    name="organisation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="memberships",
                        to="organisers.organisation", verbose_name="organisation",
                    ),
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
