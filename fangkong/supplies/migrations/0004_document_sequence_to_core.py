# The document number sequence is core's now (see core 0006): supplies forgets the model,
# and the table, which core keeps using, is not dropped.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supplies", "0003_labels"),
        ("core", "0006_document_sequence_from_supplies"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DocumentSequence")],
            database_operations=[],
        ),
    ]
