"""Organisation now lives in organisers (see organisers 0003): state only, no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
        ("organisers", "0003_organisation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="apikey",
                    name="organisation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="api_keys",
                        to="organisers.organisation", verbose_name="organisation",
                    ),
                ),
            ],
        ),
    ]
