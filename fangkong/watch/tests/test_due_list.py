"""The day's follow-up list, computed from the ledger's plans and the day's random draws."""

import datetime

from fangkong.core.roles import Role
from fangkong.testing.factories import KeyPersonFactory, PersonFactory
from fangkong.watch import selectors, services
from fangkong.watch.tests.conftest import TODAY, at

D = datetime.date


def due_names(user, day):
    return {row.person.name for row in selectors.due_list(user, day)}


def test_a_daily_entry_is_due_every_day_from_listing(office, unit):
    person = PersonFactory(unit=unit, name="每日")
    KeyPersonFactory(person=person, listed_on=D(2020, 2, 5), follow_up_every=1)
    assert due_names(office, D(2020, 2, 4)) == set()
    assert due_names(office, D(2020, 2, 5)) == {"每日"}
    assert due_names(office, D(2020, 2, 9)) == {"每日"}


def test_an_every_third_day_entry_is_due_on_days_0_3_6(office, unit):
    person = PersonFactory(unit=unit, name="三天")
    KeyPersonFactory(person=person, listed_on=D(2020, 2, 1), follow_up_every=3)
    due_days = [d for d in range(1, 10) if due_names(office, D(2020, 2, d))]
    assert due_days == [1, 4, 7]


def test_no_routine_plan_means_not_due(office, unit):
    KeyPersonFactory(person=PersonFactory(unit=unit), follow_up_every=0)
    assert selectors.due_list(office, TODAY) == []


def test_monitoring_end_and_clearing_stop_the_follow_ups(office, unit):
    ended = KeyPersonFactory(
        person=PersonFactory(unit=unit, name="期满"), monitoring_until=D(2020, 2, 8)
    )
    cleared = KeyPersonFactory(person=PersonFactory(unit=unit, name="解除"))
    services.clear_key_person(office, cleared, "well", cleared_on=D(2020, 2, 9))
    assert due_names(office, D(2020, 2, 8)) == {"期满", "解除"}
    assert due_names(office, D(2020, 2, 9)) == set()
    assert ended.is_due_on(D(2020, 2, 8)) and not ended.is_due_on(D(2020, 2, 9))


def test_a_person_with_two_entries_is_due_once_with_both_kinds(office, unit):
    person = PersonFactory(unit=unit)
    KeyPersonFactory(person=person, category="returned", follow_up_kind="phone_call")
    KeyPersonFactory(person=person, category="symptoms", follow_up_kind="temperature")
    [row] = selectors.due_list(office, TODAY)
    assert row.kinds == ["phone_call", "temperature"]
    assert len(row.entries) == 2


def test_a_follow_up_that_day_marks_the_person_done(office, entry):
    [row] = selectors.due_list(office, TODAY)
    assert not row.followed_up
    services.record_follow_up(office, entry, kind="phone_call", outcome="not_reached")
    [row] = selectors.due_list(office, TODAY)
    assert row.followed_up and len(row.follow_ups) == 1


def test_a_late_follow_up_is_listed_but_does_not_count_as_on_time(office, entry):
    yesterday = TODAY - datetime.timedelta(days=1)
    services.record_follow_up(office, entry, kind="home_visit", outcome="well", due_on=yesterday)
    [row] = selectors.due_list(office, yesterday)
    assert len(row.follow_ups) == 1 and not row.followed_up


def test_officer_sees_only_their_unit_s_due_persons(officer, entry, stranger_entry):
    assert due_names(officer, TODAY) == {entry.person.name}


def test_a_member_has_an_empty_list(make_user, person, entry):
    assert selectors.due_list(make_user(Role.MEMBER, person=person), TODAY) == []


def test_the_list_is_the_same_when_asked_twice(office, entry, stranger_entry):
    first = [(r.person.pk, r.kinds) for r in selectors.due_list(office, TODAY)]
    assert first == [(r.person.pk, r.kinds) for r in selectors.due_list(office, TODAY)]


def test_the_list_takes_a_fixed_number_of_queries(office, unit, django_assert_max_num_queries):
    for _n in range(20):
        KeyPersonFactory(person=PersonFactory(unit=unit))
    with django_assert_max_num_queries(4):
        rows = selectors.due_list(office, TODAY)
        assert [row.person.unit.code for row in rows] and [row.followed_up for row in rows]


def test_a_drawn_person_without_a_routine_plan_is_due_for_a_phone_call(office, unit):
    person = PersonFactory(unit=unit, name="抽中")
    KeyPersonFactory(person=person, follow_up_every=0)
    services.draw_random_check(office, day=TODAY, size=1)
    [row] = selectors.due_list(office, TODAY)
    assert (row.person.name, row.kinds, row.drawn) == ("抽中", ["phone_call"], True)
    assert selectors.due_list(office, TODAY - datetime.timedelta(days=1)) == []


def test_a_follow_up_at_any_hour_of_the_local_day_counts(office, entry):
    services.record_follow_up(office, entry, kind="phone_call", outcome="well", at=at(TODAY, 0, 5))
    [row] = selectors.due_list(office, TODAY)
    assert row.followed_up
