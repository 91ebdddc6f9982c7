"""Document numbers (RK-2020-0001, LY-…, TX-…) come from core's one sequence, which every
app that numbers its documents shares; the sequence moved from supplies without losing a
number."""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from fangkong.core.models import DocumentSequence
from fangkong.core.services import next_number

BEFORE = [("core", "0005_person_numbers_normalised"), ("supplies", "0003_labels")]


@pytest.mark.django_db
def test_numbers_run_on_per_prefix_and_year():
    with transaction.atomic():
        taken = [
            next_number("RK", 2020),
            next_number("RK", 2020),
            next_number("TX", 2020),
            next_number("RK", 2021),
            next_number("RK", 2020),
        ]
    assert taken == ["RK-2020-0001", "RK-2020-0002", "TX-2020-0001", "RK-2021-0001", "RK-2020-0003"]
    assert DocumentSequence.objects.get(prefix="RK", year=2020).last == 3


@pytest.mark.django_db(transaction=True)
def test_the_move_from_supplies_keeps_the_table_and_its_numbers():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE[0]])  # takes supplies 0004 back too, which depends on it
    old = executor.loader.project_state(BEFORE).apps.get_model("supplies", "DocumentSequence")
    old.objects.create(prefix="LY", year=2020, last=41)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert DocumentSequence._meta.db_table == old._meta.db_table
    with transaction.atomic():
        assert next_number("LY", 2020) == "LY-2020-0042"
