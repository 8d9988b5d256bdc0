"""ImportBatch now belongs to core (core.0001_importbatch); the table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('resources', '0002_importbatch'),
        ('core', '0001_importbatch'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ImportBatch')],
            database_operations=[],
        ),
    ]
