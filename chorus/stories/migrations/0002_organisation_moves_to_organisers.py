"""Organisation now lives in organisers (see organisers 0003): state only, no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("stories", "0001_initial"),
        ("organisers", "0003_organisation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="story",
                    name="organisation",
                    field=models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                        related_name="stories", to="organisers.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
        ),
    ]
