"""core.periods and core.forms.ReportPeriodForm: one reading of a report's period."""

import datetime

from django.http import QueryDict

from fangkong.core import periods
from fangkong.core.forms import ReportPeriodForm

TODAY = datetime.date(2020, 2, 14)


def _period(query: str, default_days=30, max_days=periods.MAX_REPORT_DAYS):
    return periods.period_from(QueryDict(query), default_days, max_days, today=TODAY)


def test_by_default_the_days_up_to_today():
    assert tuple(_period("")) == (datetime.date(2020, 1, 16), TODAY, None)
    assert tuple(_period("end=2020-01-31", default_days=7)) == (
        datetime.date(2020, 1, 25),
        datetime.date(2020, 1, 31),
        None,
    )


def test_a_bad_date_names_the_field_and_the_text_and_keeps_the_default():
    period = _period("start=2020-02-31&end=")
    assert period.problem == "From: “2020-02-31” is not a date (YYYY-MM-DD)."
    assert period.start == datetime.date(2020, 1, 16)
    both = _period("start=x&end=yesterday")
    assert both.problem == (
        "To: “yesterday” is not a date (YYYY-MM-DD). From: “x” is not a date (YYYY-MM-DD)."
    )


def test_a_start_after_the_end_is_refused():
    assert _period("start=2020-02-10&end=2020-02-09").problem == "The period ends before it starts."


def test_too_long_a_period_names_the_limit():
    assert _period("start=2019-01-01&end=2020-01-02").problem == (
        "Choose a period of at most 366 days."
    )
    assert _period("start=2019-01-01&end=2020-01-01").problem is None  # 366 days, the limit
    short = _period("start=2020-01-01&end=2020-02-14", max_days=14)
    assert short.problem == "Choose a period of at most 14 days."


def test_a_missing_day_is_refused():
    assert periods.period_problem(None, TODAY) == "Choose the first and the last day."


def test_days_before_the_first_day_there_is():
    assert periods.days_before(datetime.date(1, 1, 3), 29) == datetime.date.min
    assert periods.days_before(TODAY, 1) == datetime.date(2020, 2, 13)
    assert _period("end=0001-01-02").start == datetime.date.min


def test_a_day_reads_and_refuses_the_same_way():
    assert periods.day_from(QueryDict("day=2020-02-01"), today=TODAY) == (
        datetime.date(2020, 2, 1),
        None,
    )
    assert periods.day_from(QueryDict("day=soon"), today=TODAY) == (
        TODAY,
        "Day: “soon” is not a date (YYYY-MM-DD).",
    )


def test_the_form_reads_its_reports_length_and_limit():
    class Fortnight(ReportPeriodForm):
        default_days = 14
        max_days = 20

    assert tuple(Fortnight(QueryDict("")).period(today=TODAY)) == (
        datetime.date(2020, 2, 1),
        TODAY,
        None,
    )
    long = Fortnight(QueryDict("start=2020-01-01&end=2020-02-14")).period(today=TODAY)
    assert long.problem == "Choose a period of at most 20 days."
    assert Fortnight().period(today=TODAY).end == TODAY  # an unbound form: the defaults
    assert 'type="date"' in str(Fortnight()["start"])
