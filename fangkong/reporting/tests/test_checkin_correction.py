"""Correcting a check-in: a new version supersedes the old, which is kept as it was."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangkong.reporting import selectors, services
from fangkong.reporting.models import HealthCheckin
from fangkong.reporting.tests.conftest import good_answers


@pytest.fixture
def first(member, person):
    return services.submit_checkin(member, person, **good_answers())


def test_correction_makes_a_new_current_version_and_keeps_the_earlier(member, first):
    correction = services.correct_checkin(
        member, first, reason="Misread the thermometer", **good_answers(temperature=Decimal("37.8"))
    )
    first.refresh_from_db()
    assert correction.pk != first.pk
    assert correction.supersedes == first
    assert correction.correction_reason == "Misread the thermometer"
    assert correction.is_current and correction.is_abnormal
    assert first.temperature == Decimal("36.6")  # the earlier answers are untouched
    assert not first.is_current
    assert first.superseded_by == member and first.superseded_at is not None
    assert HealthCheckin.objects.count() == 2
    assert list(HealthCheckin.objects.current()) == [correction]


def test_officer_corrects_a_check_in_of_their_unit(officer, first):
    correction = services.correct_checkin(officer, first, reason="Phoned back", **good_answers())
    assert correction.channel == HealthCheckin.Channel.OFFICER
    assert correction.entered_by == officer


def test_officer_cannot_correct_another_units_check_in(make_user, other_unit, first):
    outsider = make_user("officer", unit=other_unit)
    with pytest.raises(PermissionDenied):
        services.correct_checkin(outsider, first, reason="no", **good_answers())
    assert HealthCheckin.objects.count() == 1


def test_correction_needs_a_reason(member, first):
    with pytest.raises(ValidationError) as caught:
        services.correct_checkin(member, first, reason="  ", **good_answers())
    assert "reason" in caught.value.message_dict
    assert HealthCheckin.objects.count() == 1


def test_correction_with_a_bad_temperature_changes_nothing(member, first):
    with pytest.raises(ValidationError) as caught:
        services.correct_checkin(
            member, first, reason="typo", **good_answers(temperature=Decimal("44.0"))
        )
    assert "temperature" in caught.value.message_dict
    first.refresh_from_db()
    assert first.is_current and HealthCheckin.objects.count() == 1


def test_superseded_version_cannot_be_corrected_again(member, first):
    services.correct_checkin(member, first, reason="one", **good_answers())
    with pytest.raises(ValidationError) as caught:
        services.correct_checkin(member, first, reason="two", **good_answers())
    assert "already been corrected" in caught.value.messages[0]
    assert HealthCheckin.objects.current().count() == 1


def test_check_in_of_a_closed_day_cannot_be_corrected(member, first, today):
    later = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=4), datetime.time(12))
    )
    with time_machine.travel(later, tick=False), pytest.raises(ValidationError) as caught:
        services.correct_checkin(member, first, reason="late", **good_answers())
    assert "is closed" in caught.value.message_dict["date"][0]
    assert HealthCheckin.objects.count() == 1


def test_history_lists_every_version_of_the_day_in_order(member, person, first):
    second = services.correct_checkin(member, first, reason="one", **good_answers())
    third = services.correct_checkin(member, second, reason="two", **good_answers())
    assert list(selectors.checkin_history(member, person)) == [first, second, third]
    assert selectors.versions_of(first) == [first, second, third]
