"""Isolation policies are dated: a case takes the policy in force on its start day, and
keeps it (and its planned end) when a new policy comes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.watch import services
from fangkong.watch.models import IsolationPolicy


def test_a_case_takes_the_policy_in_force_on_its_start_day(medic, family_person, policy):
    case = services.start_isolation(
        medic,
        person=family_person,
        place_kind="home",
        reason="x",
        start_date=datetime.date(2020, 2, 1),
    )
    assert case.policy == policy
    assert case.planned_end == datetime.date(2020, 2, 15)


def test_a_new_policy_applies_to_cases_started_on_or_after_its_date(
    office, medic, family_person, person, home_case
):
    newer = services.create_isolation_policy(
        office, effective_from=datetime.date(2020, 2, 8), days=7
    )
    later = services.start_isolation(
        medic,
        person=person,
        place_kind="hospital",
        hospital="市医院",
        reason="x",
        start_date=datetime.date(2020, 2, 8),
    )
    assert (later.policy, later.planned_end) == (newer, datetime.date(2020, 2, 15))
    home_case.refresh_from_db()
    assert home_case.policy.days == 14
    assert home_case.planned_end == datetime.date(2020, 2, 19)


def test_editing_a_policy_keeps_the_planned_end_of_its_cases(office, policy, home_case):
    services.update_isolation_policy(office, policy, days=21, reason="省里新规定")
    home_case.refresh_from_db()
    assert home_case.planned_end == datetime.date(2020, 2, 19)
    assert policy.history.count() == 2
    assert policy.history.first().history_change_reason == "省里新规定"


def test_a_policy_s_date_cannot_move_once_cases_use_it(office, policy, home_case):
    with pytest.raises(ValidationError) as caught:
        services.update_isolation_policy(office, policy, effective_from=datetime.date(2020, 2, 1))
    assert "effective_from" in caught.value.message_dict


def test_no_case_starts_before_the_first_policy(medic, family_person, policy):
    with pytest.raises(ValidationError) as caught:
        services.start_isolation(
            medic,
            person=family_person,
            place_kind="home",
            reason="x",
            start_date=datetime.date(2020, 1, 20),
        )
    assert "No isolation policy" in caught.value.message_dict["start_date"][0]


def test_two_policies_on_the_same_day_are_refused(office, policy):
    with pytest.raises(ValidationError) as caught:
        services.create_isolation_policy(office, effective_from=policy.effective_from, days=7)
    assert "effective_from" in caught.value.message_dict


@pytest.mark.parametrize("days", [0, 61])
def test_days_outside_1_to_60_are_refused(office, days):
    with pytest.raises(ValidationError) as caught:
        services.create_isolation_policy(
            office, effective_from=datetime.date(2020, 2, 1), days=days
        )
    assert "days" in caught.value.message_dict
    assert not IsolationPolicy.objects.exists()


def test_only_the_office_sets_policy(medic, leader):
    for user in (medic, leader):
        with pytest.raises(PermissionDenied):
            services.create_isolation_policy(
                user, effective_from=datetime.date(2020, 2, 1), days=14
            )
