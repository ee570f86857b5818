"""The organisation table takes this app's name, now that the model lives here.

A rename: the rows, their ids and every foreign key pointing at them stay.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("organisers", "0003_organisation"),
        ("petitions", "0006_organisation_moves_to_organisers"),
    ]

    operations = [
        migrations.AlterModelTable(name="organisation", table=None),
    ]
