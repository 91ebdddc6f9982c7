"""A check-in correction and a report edit lock their own row, not the person or the unit
they join for display: an unrelated edit of that person or unit does not wait for them.

PostgreSQL only: FOR UPDATE with a join locks the joined rows too unless told `OF` which
table; SQLite locks the whole database instead.
"""

import pytest
from django.db import connection, transaction

from fangkong.core.models import Person, Unit
from fangkong.core.transactions import nesting_allowed
from fangkong.reporting import services
from fangkong.reporting.models import HealthCheckin, UnitReport
from fangkong.reporting.tests.conftest import good_answers
from fangkong.testing.locks import row_is_locked

GOOD = {"natives": 5, "in_region": 2, "people": 0, "flagged": 0}

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL: run with a PostgreSQL DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_correcting_a_check_in_leaves_the_person_unlocked(member, person):
    first = services.submit_checkin(member, person, **good_answers())
    with transaction.atomic(), nesting_allowed():
        services.correct_checkin(member, first, reason="Misread", **good_answers())
        assert row_is_locked(HealthCheckin, first.pk)
        assert not row_is_locked(Person, person.pk)


def test_editing_a_report_leaves_the_unit_unlocked(report_definition, officer, unit, today):
    report = services.create_report(officer, unit, today, values=GOOD)
    with transaction.atomic(), nesting_allowed():
        services.update_report(officer, report, values=GOOD)
        assert row_is_locked(UnitReport, report.pk)
        assert not row_is_locked(Unit, unit.pk)


def test_a_nil_report_leaves_the_unit_unlocked(report_definition, officer, unit, today):
    report = services.create_report(officer, unit, today, values=GOOD)
    with transaction.atomic(), nesting_allowed():
        services.submit_nil_report(officer, unit, today)
        assert row_is_locked(UnitReport, report.pk)
        assert not row_is_locked(Unit, unit.pk)
