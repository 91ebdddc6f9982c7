"""The period a report covers, chosen by GET `start` and `end` (or a single `day`), read
and checked the same way by every report page, workbook and API endpoint: a date that is
not one, a period that ends before it starts or is longer than the report allows each say
so in the user's language, and the page answers 400 with what it read. The From/To
fields of a page are core.forms.ReportPeriodForm."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

# A report covers at most a year (and a day): longer is a slow page nobody reads.
MAX_REPORT_DAYS = 366


def days_before(day: datetime.date, days: int) -> datetime.date:
    """`days` before `day`, or the first day there is (a date near year 1 has no earlier)."""
    try:
        return day - datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.min


def period_problem(start, end, max_days: int = MAX_REPORT_DAYS) -> str | None:
    """Why (start, end) is not a period a report can cover, or None."""
    if start is None or end is None:
        return _("Choose the first and the last day.")
    if start > end:
        return _("The period ends before it starts.")
    if (end - start).days + 1 > max_days:
        return _("Choose a period of at most %(days)d days.") % {"days": max_days}
    return None


def parse_date(query, name: str, label: str, default: datetime.date, errors: list):
    """The ISO date GET `name` gives, `default` when it is blank; a text that is not a
    date adds its message (naming the field by `label`) to `errors` and gives `default`."""
    text = query.get(name, "").strip()
    if not text:
        return default
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        errors.append(
            _("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).")
            % {"field": label, "value": text[:20]}
        )
        return default


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    problem: str | None  # what the user is told instead of the report, or None

    def __iter__(self):
        return iter((self.start, self.end, self.problem))


def period_from(
    query,
    default_days: int,
    max_days: int = MAX_REPORT_DAYS,
    today: datetime.date | None = None,
) -> Period:
    """The period of GET `start` and `end` (`query`): by default the `default_days` days
    up to `end`, `end` by default today; with the problem of a bad date or period."""
    errors: list[str] = []
    end = parse_date(query, "end", _("To"), today or timezone.localdate(), errors)
    start = parse_date(query, "start", _("From"), days_before(end, default_days - 1), errors)
    return Period(start, end, " ".join(errors) or period_problem(start, end, max_days))


def day_from(query, name: str = "day", today: datetime.date | None = None):
    """(day, problem) of GET `name`: today by default, the problem of a text not a date."""
    errors: list[str] = []
    day = parse_date(query, name, _("Day"), today or timezone.localdate(), errors)
    return day, " ".join(errors) or None
