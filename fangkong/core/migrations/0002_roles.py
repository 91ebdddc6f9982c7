"""The roles of DESIGN.md as auth groups. Codes are frozen here: a migration never imports
app code, so a later change to roles.py needs a migration of its own."""

from django.db import migrations

ROLES = ["office", "leader", "officer", "storekeeper", "guard", "disinfector", "medic", "member"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
