"""Completeness and timeliness as DHIS2 computes them: actual ÷ expected and on time ÷
expected, per unit, per day and overall; and the units not yet reported."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.core.roles import Role
from fangkong.reporting import selectors, services
from fangkong.reporting.tests.conftest import at
from fangkong.testing.factories import PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db

GOOD = {"natives": 0, "in_region": 0, "people": 0, "flagged": 0}


@pytest.fixture
def units(unit, other_unit):
    third = UnitFactory(code="env", name="环境学院", name_en="School of Environment")
    UnitFactory(code="canteen", name="食堂", name_en="Canteen", reports_daily=False)
    return [unit, other_unit, third]


def test_rates_per_unit_per_day_and_overall(report_definition, office, units, today):
    arch, civil, env = units
    yesterday = today - datetime.timedelta(days=1)
    services.create_report(office, arch, yesterday, values=GOOD, submit=True, now=at(yesterday, 9))
    services.create_report(office, arch, today, values=GOOD, submit=True, now=at(today, 11))
    report = services.create_report(
        office, civil, yesterday, values=GOOD, submit=True, now=at(yesterday, 8)
    )
    services.approve_report(office, report)
    services.create_report(office, env, today, values=GOOD)  # a draft is not reported

    table = selectors.completeness(office, yesterday, today)

    assert table.days == [yesterday, today]
    assert [row.unit.code for row in table.rows] == ["arch", "civil", "env"]  # not the canteen
    arch_row = table.rows[0]
    assert (arch_row.tally.expected, arch_row.tally.reported, arch_row.tally.on_time) == (2, 2, 1)
    assert arch_row.tally.reporting_rate == Decimal("100.0")
    assert arch_row.tally.timely_rate == Decimal("50.0")
    assert [cell.status for cell in table.rows[2].cells] == ["", "draft"]
    assert table.rows[1].cells[0].approved
    day_before, day = table.day_tallies
    assert (day_before.expected, day_before.reported, day_before.on_time) == (3, 2, 2)
    assert (day.expected, day.reported, day.on_time) == (3, 1, 0)
    total = table.total
    assert (total.expected, total.reported, total.on_time, total.approved) == (6, 3, 2, 1)
    assert total.reporting_rate == Decimal("50.0")
    assert total.timely_rate == Decimal("33.3")


def test_check_in_share_per_unit_and_day(report_definition, office, unit, today):
    from fangkong.reporting.tests.conftest import good_answers

    people = PersonFactory.create_batch(4, unit=unit)
    for person in people[:3]:
        services.submit_checkin(office, person, **good_answers())
    cell = selectors.completeness(office, today, today).rows[0].cells[0]
    assert (cell.checked_in, cell.headcount) == (3, 4)
    assert cell.checkin_rate == Decimal("75.0")


def test_units_not_reported_today(report_definition, office, units, today):
    arch, civil, env = units
    services.create_report(office, arch, today, values=GOOD, submit=True)
    services.create_report(office, civil, today, values=GOOD)
    assert [unit.code for unit in selectors.units_not_reported(office, today)] == ["civil", "env"]


def test_an_officer_sees_only_their_unit(report_definition, make_user, units, today):
    officer = make_user(Role.OFFICER, unit=units[1])
    table = selectors.completeness(officer, today, today)
    assert [row.unit.code for row in table.rows] == ["civil"]
    member = make_user(Role.MEMBER)
    assert selectors.completeness(member, today, today).rows == []


def test_the_table_costs_the_same_queries_for_a_day_or_a_month(
    report_definition, office, units, today
):
    def queries(days):
        start = today - datetime.timedelta(days=days - 1)
        with CaptureQueriesContext(connection) as captured:
            selectors.completeness(office, start, today)
        return len(captured)

    services.create_report(office, units[0], today, values=GOOD, submit=True)
    assert queries(1) == queries(30) <= 5


def test_a_period_too_long_or_reversed_is_refused(today):
    assert "at most" in selectors.period_problem(today - datetime.timedelta(days=400), today)
    assert "ends before" in selectors.period_problem(today, today - datetime.timedelta(days=1))
    assert selectors.period_problem(today, today) is None
