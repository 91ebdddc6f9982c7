"""Fixtures of the check-in tests: the roles, and a set of good answers to vary."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from fangkong.core.roles import Role
from fangkong.reporting.models import HealthCheckin


@pytest.fixture(autouse=True)
def english():
    """Messages in English, whatever language an earlier test's request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE)


@pytest.fixture
def officer(make_user, unit):
    return make_user(Role.OFFICER, unit=unit)


@pytest.fixture
def member(make_user, person):
    """The login of `person` (of the `unit` fixture)."""
    return make_user(Role.MEMBER, person=person)


def good_answers(**changes) -> dict:
    answers = {
        "temperature": Decimal("36.6"),
        "symptoms": [],
        "current_province": "陕西省",
        "current_city": "西安市",
        "on_campus": True,
        "contact_with_region_of_concern": False,
        "note": "",
    }
    answers.update(changes)
    return answers


def form_data(**changes) -> dict:
    """good_answers as a browser posts them."""
    data = {
        "temperature": "36.6",
        "current_province": "陕西省",
        "current_city": "西安市",
        "on_campus": "1",
        "contact_with_region_of_concern": "0",
        "note": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def checkin_count() -> int:
    return HealthCheckin.objects.count()


# ---- unit daily reports --------------------------------------------------------------------


@pytest.fixture
def report_definition(db, make_user):
    """A small daily report as the office would define it: two figures the officer enters,
    two computed from the records, a high rule and a medium one."""
    from fangkong.reporting import services
    from fangkong.reporting.models import ReportField, RulePriority, ValidationRule

    keeper = make_user(Role.OFFICE)
    natives = services.create_report_field(
        keeper, code="natives", label="籍贯重点地区", label_en="Natives of a region", order=1
    )
    in_region = services.create_report_field(
        keeper, code="in_region", label="现在重点地区", label_en="In a region now", order=2
    )
    people = services.create_report_field(
        keeper,
        code="people",
        label="单位人数",
        label_en="People of the unit",
        order=3,
        source=ReportField.Source.HEADCOUNT,
    )
    flagged = services.create_report_field(
        keeper,
        code="flagged",
        label="异常打卡",
        label_en="Flagged check-ins",
        order=4,
        source=ReportField.Source.FLAGGED,
    )
    in_le_natives = services.create_validation_rule(
        keeper,
        left=in_region,
        operator=ValidationRule.Operator.LE,
        right=natives,
        priority=RulePriority.HIGH,
        message="现在重点地区人数不得多于籍贯人数",
        message_en="In a region now ≤ natives of a region",
    )
    natives_le_people = services.create_validation_rule(
        keeper,
        left=natives,
        operator=ValidationRule.Operator.LE,
        right=people,
        priority=RulePriority.MEDIUM,
    )
    return {
        "natives": natives,
        "in_region": in_region,
        "people": people,
        "flagged": flagged,
        "high_rule": in_le_natives,
        "medium_rule": natives_le_people,
    }


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time on `day`, as a service's `now`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
