"""Organisation now lives in organisers (see organisers 0003): state only, no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("petitions", "0005_proof_of_work"),
        ("organisers", "0003_organisation"),
        ("api", "0002_organisation_moves_to_organisers"),
        ("stories", "0002_organisation_moves_to_organisers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="petition",
                    name="organisation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="petitions",
                        to="organisers.organisation", verbose_name="organisation",
                    ),
                ),
                migrations.DeleteModel(name="Organisation"),
            ],
        ),
    ]
