"""The ledgers of the apps above reporting (watch's key persons and isolation) count in a
unit's figures by registering with reporting's figures, which never imports them."""

import datetime

import pytest

from fangkong.reporting import figures
from fangkong.reporting.models import ReportField
from fangkong.testing.factories import PersonFactory, UnitFactory
from fangkong.watch import figures as watch_figures

pytestmark = pytest.mark.django_db

DAY = datetime.date(2020, 2, 1)
Source = ReportField.Source


def test_watch_registers_its_figures_once_when_ready():
    assert figures._ledgers.count(watch_figures.ledger_figures) == 1
    figures.register_ledger(watch_figures.ledger_figures)
    assert figures._ledgers.count(watch_figures.ledger_figures) == 1


def test_a_registered_ledger_counts_in_the_units_figures(monkeypatch):
    unit, other = UnitFactory(code="a"), UnitFactory(code="b")
    PersonFactory(unit=unit)
    asked = []

    def ledger(day, unit_ids):
        asked.append((day, unit_ids))
        return {unit.pk: {Source.ISOLATION: 4}, other.pk: {Source.KEY_OTHER: 2}}

    monkeypatch.setattr(figures, "_ledgers", [ledger])
    row = figures.unit_figures(unit.pk, DAY)
    assert (row[Source.HEADCOUNT], row[Source.ISOLATION], row[Source.KEY_OTHER]) == (1, 4, 0)
    assert asked == [(DAY, [unit.pk])]
    # A unit only a ledger knows has its figures too, zero elsewhere.
    assert figures.ledger_figures(DAY)[other.pk][Source.KEY_OTHER] == 2
    assert figures.ledger_figures(DAY)[other.pk][Source.HEADCOUNT] == 0
