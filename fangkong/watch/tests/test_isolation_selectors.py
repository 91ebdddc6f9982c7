"""The isolation reads other code calls: counts by unit, under isolation or not, and the
person-times (人次) by place and unit."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.watch import selectors, services
from fangkong.watch.tests.conftest import TODAY


def test_counts_by_unit_on_a_day_in_one_query(
    medic, home_case, stranger_case, unit, other_unit, django_assert_num_queries
):
    with django_assert_num_queries(1):
        counts = selectors.isolation_counts_by_unit(TODAY)
    assert counts == {unit.pk: 1, other_unit.pk: 1}
    assert selectors.isolation_counts_by_unit(datetime.date(2020, 2, 6)) == {unit.pk: 1}
    assert selectors.isolation_counts_by_unit(datetime.date(2020, 2, 4)) == {}


def test_a_released_person_is_not_counted_from_the_end_day(medic, home_case, unit):
    services.release_isolation(medic, home_case, note="期满", end_date=datetime.date(2020, 2, 9))
    assert selectors.isolation_counts_by_unit(datetime.date(2020, 2, 8)) == {unit.pk: 1}
    assert selectors.isolation_counts_by_unit(datetime.date(2020, 2, 9)) == {}


def test_is_under_isolation(medic, home_case, family_person, person):
    assert selectors.is_under_isolation(family_person.pk)
    assert selectors.is_under_isolation(family_person.pk, datetime.date(2020, 2, 5))
    assert not selectors.is_under_isolation(family_person.pk, datetime.date(2020, 2, 4))
    assert not selectors.is_under_isolation(person.pk)


def test_person_times_by_place_and_unit(medic, home_case, stranger_case, unit):
    services.release_isolation(medic, home_case, note="期满")
    services.start_isolation(medic, person=home_case.person, place_kind="home", reason="again")
    summary = selectors.isolation_summary(
        medic, TODAY, datetime.date(2020, 2, 1), datetime.date(2020, 2, 29)
    )
    started = {row["place_kind"]: row["count"] for row in summary.started_by_place}
    assert started == {"home": 2, "room": 0, "hospital": 1}
    assert summary.started_total == 3
    assert summary.open_total == 2
    by_unit = {row["unit_id"]: row["count"] for row in summary.started_by_unit}
    assert by_unit[unit.pk] == 2


def test_the_summary_is_a_fixed_number_of_queries(medic, home_case, stranger_case):
    with CaptureQueriesContext(connection) as queries:
        selectors.isolation_summary(medic, TODAY, datetime.date(2020, 2, 1), TODAY)
    assert len(queries) <= 5
