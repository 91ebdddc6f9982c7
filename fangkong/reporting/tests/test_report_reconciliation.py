"""Before approving, the office sees each reported figure beside what the records say for
that unit and day, the differences marked; the consolidated table marks the same."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.reporting import figures, selectors, services
from fangkong.reporting.models import ReportField
from fangkong.reporting.tests.conftest import good_answers
from fangkong.testing.factories import PersonFactory
from fangkong.watch import services as watch_services
from fangkong.watch.models import IsolationCase, KeyPerson

pytestmark = pytest.mark.django_db
Source = ReportField.Source


@pytest.fixture
def ledger_fields(office):
    return {
        source: services.create_report_field(
            office, code=code, label=code, label_en=code, source=source, order=order
        )
        for order, (code, source) in enumerate(
            [
                ("isolated", Source.ISOLATION),
                ("close_contacts", Source.KEY_CLOSE_CONTACT),
                ("flagged", Source.FLAGGED),
                ("checked_in", Source.CHECKED_IN),
            ]
        )
    }


@pytest.fixture
def ledgers(office, unit, today):
    """Three people of the unit: one checked in with a fever, one checked in well, one in
    isolation in hospital, and two of them close contacts under watch."""
    people = PersonFactory.create_batch(3, unit=unit)
    services.submit_checkin(office, people[0], **good_answers(temperature=Decimal("38.1")))
    services.submit_checkin(office, people[1], **good_answers())
    watch_services.create_isolation_policy(office, effective_from=today, days=14)
    watch_services.start_isolation(
        office,
        person=people[2],
        place_kind=IsolationCase.PlaceKind.HOSPITAL,
        hospital="市第八医院",
        reason="fever after travel",
    )
    for person in people[:2]:
        watch_services.list_key_person(
            office,
            person=person,
            category=KeyPerson.Category.CLOSE_CONTACT,
            reason="same office as a case",
            responsible=office,
        )
    return people


def test_figures_come_from_the_ledgers(ledgers, unit, today):
    row = figures.unit_figures(unit.pk, today)
    assert row[Source.HEADCOUNT] == 3
    assert row[Source.CHECKED_IN] == 2
    assert row[Source.ON_CAMPUS] == 2
    assert row[Source.FLAGGED] == 1
    assert row[Source.ISOLATION] == 1
    assert row[Source.KEY_CLOSE_CONTACT] == 2
    assert row[Source.KEY_NATIVE] == 0


def test_reported_figures_beside_the_ledgers(ledger_fields, ledgers, officer, unit, today):
    report = services.create_report(
        officer,
        unit,
        today,
        values={"isolated": 1, "close_contacts": 1, "flagged": 1, "checked_in": 2},
        reasons={"close_contacts": "one was cleared by phone this morning"},
        submit=True,
    )
    rows = {row.field.code: row for row in selectors.reconciliation(report)}
    assert (rows["isolated"].ledger, rows["isolated"].differs) == (1, False)
    assert rows["close_contacts"].ledger == 2
    assert rows["close_contacts"].difference == -1
    assert rows["close_contacts"].differs


def test_a_difference_that_appears_after_submission_is_marked(
    ledger_fields, ledgers, officer, office, unit, today
):
    report = services.create_report(
        officer,
        unit,
        today,
        values={"isolated": 1, "close_contacts": 2, "flagged": 1, "checked_in": 2},
        submit=True,
    )
    # A third check-in arrives after the unit reported.
    late = PersonFactory(unit=unit)
    services.submit_checkin(office, late, **good_answers())
    rows = {row.field.code: row for row in selectors.reconciliation(report)}
    assert rows["checked_in"].value.value == 2
    assert rows["checked_in"].ledger == 3
    assert rows["checked_in"].difference == -1
    assert not rows["isolated"].differs


def test_consolidated_table_marks_what_needs_the_office(
    ledger_fields, ledgers, office, unit, other_unit, today
):
    services.create_report(
        office,
        unit,
        today,
        values={"isolated": 1, "close_contacts": 1, "flagged": 1, "checked_in": 2},
        reasons={"close_contacts": "cleared this morning"},
        submit=True,
    )
    table = selectors.consolidated(office, today)
    assert [row.unit.code for row in table.rows] == ["arch", "civil"]
    assert [row.number for row in table.rows] == [1, 2]
    arch, civil = table.rows
    assert arch.values == [1, 1, 1, 2]
    assert any("close_contacts differs" in problem for problem in arch.problems)
    assert any("flagged" in problem for problem in arch.problems)
    assert civil.values == [None, None, None, None]
    assert civil.problems == ["not reported"]
    assert table.totals == [1, 1, 1, 2]
    assert (table.checked_in, table.headcount, table.flagged) == (2, 3, 1)


def test_consolidated_table_costs_a_fixed_number_of_queries(
    ledger_fields, ledgers, office, unit, other_unit, today
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            selectors.consolidated(office, today)
        return len(captured)

    services.create_report(office, unit, today, values={"isolated": 1}, submit=False)
    before = queries()
    services.create_report(
        office,
        other_unit,
        today,
        values={"isolated": 0, "close_contacts": 0, "flagged": 0, "checked_in": 0},
        submit=True,
    )
    assert queries() == before <= 10
