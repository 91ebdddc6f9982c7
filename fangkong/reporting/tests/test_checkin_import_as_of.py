"""Importing and correcting check-ins as of a stated day (`today=`), as a back-fill such as
the demo's 2020 check-ins does: the days open relative to that day are accepted, the days
before its window and after it are refused with the errors an upload gets, and the rows
written are the ones an upload writes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangkong.reporting import services
from fangkong.reporting.models import HealthCheckin, ReportingPolicy, Symptom
from fangkong.testing.factories import HealthCheckinFactory, PersonFactory

from .conftest import good_answers

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2020, 2, 10)


def day(offset: int) -> datetime.date:
    return AS_OF + datetime.timedelta(days=offset)


def record(person, date: datetime.date, **cells) -> dict:
    cells = {
        "person_number": person.person_number,
        "date": date.isoformat(),
        "temperature": "36.5",
        "symptoms": "",
        "current_province": "湖北省",
        "current_city": "武汉市",
        "on_campus": "否",
        "contact_with_region_of_concern": "是",
        "note": "",
    } | cells
    return cells


def records(*rows) -> list:
    return [(number, row, set()) for number, row in enumerate(rows, start=2)]


def problems(result) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.message) for error in result.errors]


def test_days_open_as_of_the_stated_day_are_imported(officer, unit, person):
    colleague = PersonFactory(unit=unit)
    days_open = ReportingPolicy.current().days_open
    result = services.import_checkin_records(
        officer,
        records(
            record(person, AS_OF, symptoms="咳嗽", temperature="37.4"),
            record(colleague, day(-days_open)),
        ),
        today=AS_OF,
    )
    assert result.ok, problems(result)
    assert result.created == 2
    first = HealthCheckin.objects.get(person=person)
    assert first.date == AS_OF
    assert first.temperature == Decimal("37.4")
    assert first.symptoms == [Symptom.COUGH] and first.is_abnormal
    assert first.current_province == "湖北省" and first.current_city == "武汉市"
    assert first.on_campus is False and first.contact_with_region_of_concern is True
    assert first.channel == HealthCheckin.Channel.IMPORT and first.entered_by == officer
    assert first.is_current and first.supersedes is None and first.correction_reason == ""
    assert HealthCheckin.objects.get(person=colleague).date == day(-days_open)


def test_the_rows_are_stored_as_an_upload_stores_them(officer, person):
    """The same answers through the import (executemany) and through the model."""
    services.import_checkin_records(
        officer,
        records(record(person, AS_OF, symptoms="乏力、发热", temperature="37.0", note="夜里")),
        today=AS_OF,
    )
    imported = HealthCheckin.objects.get(person=person)
    assert imported.symptoms == [Symptom.FEVER, Symptom.FATIGUE]
    assert imported.note == "夜里"
    assert imported.superseded_at is None and imported.superseded_by is None
    assert abs(imported.entered_at - timezone.now()) < datetime.timedelta(minutes=1)
    # Found again by the lookups the pages use, as a row saved through the model is.
    assert list(
        HealthCheckin.objects.current().filter(
            date=AS_OF, temperature__gte=Decimal("37.0"), is_abnormal=True, on_campus=False
        )
    ) == [imported]
    saved = HealthCheckinFactory(
        date=AS_OF, temperature=Decimal("37.0"), symptoms=[Symptom.FEVER, Symptom.FATIGUE]
    )
    fields = ("date", "temperature", "symptoms")
    assert HealthCheckin.objects.filter(pk=saved.pk).values(*fields).get() == (
        HealthCheckin.objects.filter(pk=imported.pk).values(*fields).get()
    )


def test_a_day_before_the_window_is_refused_as_closed(officer, person):
    days_open = ReportingPolicy.current().days_open
    closed = day(-days_open - 1)
    result = services.import_checkin_records(
        officer, records(record(person, AS_OF), record(person, closed)), today=AS_OF
    )
    assert problems(result) == [
        (
            3,
            "Date",
            f"The day {closed.isoformat()} is closed: check-ins may only be entered or "
            f"corrected for the last {days_open} day(s).",
        )
    ]
    assert not HealthCheckin.objects.exists()


def test_a_day_after_the_stated_day_is_refused_as_in_the_future(officer, person):
    result = services.import_checkin_records(officer, records(record(person, day(1))), today=AS_OF)
    assert problems(result) == [(2, "Date", f"The date {day(1).isoformat()} is in the future.")]
    assert not HealthCheckin.objects.exists()


def test_without_a_stated_day_the_local_date_decides(officer, person, today):
    result = services.import_checkin_records(officer, records(record(person, AS_OF)))
    assert not result.ok
    assert "is closed" in result.errors[0].message
    result = services.import_checkin_records(officer, records(record(person, today)))
    assert result.ok, problems(result)


def test_a_stated_day_after_the_local_date_is_a_mistake(officer, person, today):
    with pytest.raises(ValueError):
        services.import_checkin_records(
            officer, records(record(person, today)), today=today + datetime.timedelta(days=1)
        )


def test_a_check_in_already_there_that_day_is_refused(officer, person):
    HealthCheckinFactory(person=person, date=day(-1))
    result = services.import_checkin_records(
        officer, records(record(person, AS_OF), record(person, day(-1))), today=AS_OF
    )
    assert [(row, column) for row, column, _m in problems(result)] == [(3, "Date")]
    assert "already has a check-in" in result.errors[0].message
    assert HealthCheckin.objects.count() == 1


def test_the_same_person_and_day_twice_is_refused(officer, person):
    result = services.import_checkin_records(
        officer, records(record(person, AS_OF), record(person, AS_OF)), today=AS_OF
    )
    assert [(row, column) for row, column, _m in problems(result)] == [(3, "Person number")]
    assert "also on row 2" in result.errors[0].message


def test_people_the_officer_may_not_import_are_told_why(officer, person, stranger):
    gone = PersonFactory(unit=person.unit, is_active=False)
    result = services.import_checkin_records(
        officer,
        records(
            record(person, AS_OF),
            record(stranger, AS_OF),
            record(gone, AS_OF),
            record(person, AS_OF, person_number="NOBODY"),
        ),
        today=AS_OF,
    )
    assert [message for _r, _c, message in problems(result)] == [
        f"{stranger.person_number} is not a person of your unit.",
        f"{gone.name} is deactivated.",
        "No person has the number NOBODY.",
    ]
    assert not HealthCheckin.objects.exists()


def test_the_office_imports_any_unit(office, person, stranger):
    result = services.import_checkin_records(
        office, records(record(person, AS_OF), record(stranger, AS_OF)), today=AS_OF
    )
    assert result.ok, problems(result)
    assert HealthCheckin.objects.filter(entered_by=office).count() == 2


def test_a_member_cannot_import(member, person):
    with pytest.raises(PermissionDenied):
        services.import_checkin_records(member, records(record(person, AS_OF)), today=AS_OF)


def test_no_rows_is_an_error(officer):
    result = services.import_checkin_records(officer, [], today=AS_OF)
    assert not result.ok
    assert "no check-ins" in result.errors[0].message


# ---- corrections as of a stated day ------------------------------------------------------


def imported(officer, person, date: datetime.date) -> HealthCheckin:
    result = services.import_checkin_records(officer, records(record(person, date)), today=date)
    assert result.ok, problems(result)
    return HealthCheckin.objects.get(person=person, date=date)


def test_a_correction_within_the_window_of_the_stated_day(office, officer, person):
    first = imported(officer, person, AS_OF)
    days_open = ReportingPolicy.current().days_open
    correction = services.correct_checkin(
        office,
        first,
        reason="复核：本人在西安",
        today=day(days_open),
        **good_answers(),
    )
    first.refresh_from_db()
    assert correction.supersedes == first and correction.is_current
    assert first.superseded_by == office and not first.is_current
    assert correction.current_province == "陕西省"


def test_a_correction_after_the_window_is_refused_as_closed(office, officer, person):
    first = imported(officer, person, AS_OF)
    days_open = ReportingPolicy.current().days_open
    with pytest.raises(ValidationError) as caught:
        services.correct_checkin(
            office, first, reason="太晚了", today=day(days_open + 1), **good_answers()
        )
    assert caught.value.message_dict["date"] == [
        f"The day {AS_OF.isoformat()} is closed: check-ins may only be entered or corrected "
        f"for the last {days_open} day(s)."
    ]
    with pytest.raises(ValidationError):  # nor as of the local date
        services.correct_checkin(office, first, reason="太晚了", **good_answers())
    assert HealthCheckin.objects.get().is_current


def test_a_correction_before_the_day_it_corrects_is_refused(office, officer, person):
    first = imported(officer, person, AS_OF)
    with pytest.raises(ValidationError) as caught:
        services.correct_checkin(office, first, reason="提前", today=day(-1), **good_answers())
    assert "in the future" in caught.value.message_dict["date"][0]


def test_a_check_in_entered_between_the_checks_and_the_write_stops_the_import(officer, person):
    colleague = PersonFactory(unit=person.unit)

    def rows_then_a_clash():
        yield 2, record(colleague, AS_OF), set()
        yield 3, record(person, AS_OF), set()
        # Someone checks the person in after the rows were checked, before they are written.
        HealthCheckinFactory(person=person, date=AS_OF)

    result = services.import_checkin_records(officer, rows_then_a_clash(), today=AS_OF)
    assert not result.ok and result.created == 0
    assert "clashed with this import" in result.errors[0].message
    assert list(HealthCheckin.objects.values_list("person_id", flat=True)) == [person.pk]
