"""The office's one reporting policy, with the defaults the office starts from."""

import datetime
from decimal import Decimal

from django.db import migrations


def create_policy(apps, schema_editor):
    ReportingPolicy = apps.get_model("reporting", "ReportingPolicy")
    ReportingPolicy.objects.get_or_create(
        pk=1,
        defaults={
            "deadline": datetime.time(10, 0),
            "days_open": 3,
            "fever_threshold": Decimal("37.3"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_checkins"),
    ]

    operations = [
        migrations.RunPython(create_policy, migrations.RunPython.noop),
    ]
