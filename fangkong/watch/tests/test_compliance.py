"""Compliance as Go.Data computes it: persons followed up that day ÷ persons due that day."""

import datetime
from decimal import Decimal

from fangkong.core.roles import Role
from fangkong.testing.factories import KeyPersonFactory, PersonFactory
from fangkong.watch import selectors, services
from fangkong.watch.tests.conftest import at

D = datetime.date
CALL = {"kind": "phone_call", "outcome": "well"}


def test_compliance_on_a_small_hand_made_example(office, unit, other_unit):
    """Two days. Unit A: three daily persons (two followed up on day 1, all three on day 2).
    Unit B: one daily person, followed up on day 1 only, plus one every other day (due on
    day 1, not day 2) never followed up.

    Day 1: A 2/3, B 1/2, school 3/5. Day 2: A 3/3, B 0/1, school 3/4.
    """
    day1, day2 = D(2020, 2, 3), D(2020, 2, 4)
    a = [KeyPersonFactory(person=PersonFactory(unit=unit), listed_on=day1) for _n in range(3)]
    b = KeyPersonFactory(person=PersonFactory(unit=other_unit), listed_on=day1)
    KeyPersonFactory(person=PersonFactory(unit=other_unit), listed_on=day1, follow_up_every=2)
    for entry in a[:2] + [b]:
        services.record_follow_up(office, entry, at=at(day1), **CALL)
    for entry in a:
        services.record_follow_up(office, entry, at=at(day2), **CALL)
    # Two follow-ups of one person on one day still count once.
    services.record_follow_up(office, a[0], at=at(day2, 18), **CALL)

    table = selectors.compliance(office, day1, day2)

    assert [(c.followed_up, c.due) for c in table.cells[unit.pk]] == [(2, 3), (3, 3)]
    assert [(c.followed_up, c.due) for c in table.cells[other_unit.pk]] == [(1, 2), (0, 1)]
    assert [(c.followed_up, c.due) for c in table.school] == [(3, 5), (3, 4)]
    assert [c.rate for c in table.school] == [Decimal("60.0"), Decimal("75.0")]
    assert (table.total.followed_up, table.total.due) == (6, 9)
    assert table.unit_totals[unit.pk].rate == Decimal("83.3")


def test_a_day_when_nobody_is_due_has_no_rate(office, unit):
    table = selectors.compliance(office, D(2020, 2, 3), D(2020, 2, 3))
    assert table.school[0].due == 0 and table.school[0].rate is None


def test_a_superseded_follow_up_for_another_day_stops_counting(office, entry):
    day = D(2020, 2, 5)
    wrong = services.record_follow_up(office, entry, at=at(day), **CALL)
    assert selectors.compliance(office, day, day).school[0].followed_up == 1
    services.supersede_follow_up(office, wrong, reason="was the 4th", due_on=D(2020, 2, 4))
    assert selectors.compliance(office, day, day).school[0].followed_up == 0


def test_a_drawn_person_counts_as_due(office, unit):
    KeyPersonFactory(person=PersonFactory(unit=unit), follow_up_every=0)
    services.draw_random_check(office, day=D(2020, 2, 10), size=1)
    table = selectors.compliance(office, D(2020, 2, 9), D(2020, 2, 10))
    assert [c.due for c in table.school] == [0, 1]


def test_officer_sees_only_their_unit_s_row(officer, entry, stranger_entry, unit):
    table = selectors.compliance(officer, D(2020, 2, 1), D(2020, 2, 2))
    assert [u.pk for u in table.units] == [unit.pk]
    assert [c.due for c in table.school] == [1, 1]


def test_a_member_sees_nothing_due(make_user, entry):
    table = selectors.compliance(make_user(Role.MEMBER), D(2020, 2, 1), D(2020, 2, 2))
    assert table.units == [] and table.total.due == 0


def test_compliance_takes_a_fixed_number_of_queries(office, unit, django_assert_max_num_queries):
    for _n in range(10):
        KeyPersonFactory(person=PersonFactory(unit=unit))
    with django_assert_max_num_queries(5):
        selectors.compliance(office, D(2020, 2, 1), D(2020, 2, 10))
