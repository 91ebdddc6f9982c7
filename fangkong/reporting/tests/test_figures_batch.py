"""A loader filing many units' reports reads each day's figures once, not four queries a
report, and finds the same figures."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.reporting import figures
from fangkong.reporting.models import ReportField
from fangkong.testing.factories import PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2020, 2, 1)


@pytest.fixture
def units():
    made = [UnitFactory(code=f"u{n}", name=f"单位{n}") for n in range(6)]
    for index, unit in enumerate(made):
        PersonFactory.create_batch(index + 1, unit=unit)
    return made


def test_a_days_figures_are_read_once_for_every_unit(units):
    one_by_one = {unit.pk: figures.unit_figures(unit.pk, DAY) for unit in units}
    with CaptureQueriesContext(connection) as queries, figures.reports_of_the_day():
        batched = {unit.pk: figures.unit_figures(unit.pk, DAY) for unit in units}
        again = figures.unit_figures(units[0].pk, DAY)
    assert batched == one_by_one
    assert again == one_by_one[units[0].pk]
    assert batched[units[5].pk][ReportField.Source.HEADCOUNT] == 6
    # One day's ledger figures (a handful of grouped queries), not a handful a unit.
    assert len(queries) <= 6


def test_a_caller_changing_its_figures_does_not_change_the_next_ones(units):
    with figures.reports_of_the_day():
        first = figures.unit_figures(units[0].pk, DAY)
        first[ReportField.Source.HEADCOUNT] = 99
        assert figures.unit_figures(units[0].pk, DAY)[ReportField.Source.HEADCOUNT] == 1


def test_outside_the_block_figures_are_read_anew(units):
    with figures.reports_of_the_day():
        figures.unit_figures(units[0].pk, DAY)
    PersonFactory(unit=units[0])
    assert figures.unit_figures(units[0].pk, DAY)[ReportField.Source.HEADCOUNT] == 2
