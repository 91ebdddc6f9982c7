# The document number sequence moves from supplies to core (access numbers its passes from
# it too). Only Django's picture of the models changes: the table supplies made stays, with
# its name, rows and constraint, so nothing is copied and no number is given twice.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_person_numbers_normalised"),
        # The table exists before core takes it over.
        ("supplies", "0003_labels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DocumentSequence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("prefix", models.CharField(max_length=4)),
                        ("year", models.PositiveSmallIntegerField()),
                        ("last", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "supplies_documentsequence",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("prefix", "year"), name="supplies_sequence_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
