"""What Fangkong's own records say about a unit on a day (台账数据): the figures a unit
report's computed fields start from, and what the office reconciles the reported ones
against before approving.

Each figure is one grouped query over all units, so a page of 27 units or an export of a
whole term costs the same few queries. The key-person ledger and medical isolation are
kept by the `watch` app; they are read here through its selectors, imported where used
(watch itself reads the reporting policy, so a module-level import would be a cycle).
"""

import contextlib
import contextvars
import datetime
from collections import defaultdict

from django.db.models import Count, Q

from fangkong.core.models import Person
from fangkong.reporting.models import HealthCheckin, ReportField

Source = ReportField.Source

# The key-person ledger's categories behind the report's key-person sources.
KEY_PERSON_SOURCES = {
    Source.KEY_NATIVE: "native",
    Source.KEY_IN_REGION: "in_region",
    Source.KEY_RETURNED: "returned",
    Source.KEY_CLOSE_CONTACT: "close_contact",
    Source.KEY_SYMPTOMS: "symptoms",
    Source.KEY_OTHER: "other",
}


def headcounts(unit_ids=None) -> dict[int, int]:
    """Active people per unit."""
    people = Person.objects.filter(is_active=True)
    if unit_ids is not None:
        people = people.filter(unit_id__in=unit_ids)
    rows = people.order_by().values("unit_id").annotate(n=Count("pk"))
    return {row["unit_id"]: row["n"] for row in rows}


def checkin_figures(start: datetime.date, end: datetime.date, unit_ids=None) -> dict:
    """{(unit_id, day): {"checked_in", "on_campus", "flagged"}} from the current check-ins
    of `start`..`end`: one aggregate, grouped by unit and day."""
    checkins = HealthCheckin.objects.current().filter(date__gte=start, date__lte=end)
    if unit_ids is not None:
        checkins = checkins.filter(person__unit_id__in=unit_ids)
    rows = (
        checkins.order_by()
        .values("person__unit_id", "date")
        .annotate(
            checked_in=Count("pk"),
            on_campus=Count("pk", filter=Q(on_campus=True)),
            flagged=Count("pk", filter=Q(is_abnormal=True)),
        )
    )
    return {
        (row["person__unit_id"], row["date"]): {
            Source.CHECKED_IN: row["checked_in"],
            Source.ON_CAMPUS: row["on_campus"],
            Source.FLAGGED: row["flagged"],
        }
        for row in rows
    }


def key_person_figures(day: datetime.date, unit_ids=None) -> dict[int, dict[str, int]]:
    """{unit_id: {source: persons under watch that day in the category}}."""
    from fangkong.watch.models import KeyPerson

    entries = KeyPerson.objects.under_watch_on(day)
    if unit_ids is not None:
        entries = entries.filter(person__unit_id__in=unit_ids)
    rows = (
        entries.order_by()
        .values("person__unit_id", "category")
        .annotate(n=Count("person", distinct=True))
    )
    by_category = {category: source for source, category in KEY_PERSON_SOURCES.items()}
    figures: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        source = by_category.get(row["category"])
        if source:
            figures[row["person__unit_id"]][source] = row["n"]
    return figures


def isolation_figures(day: datetime.date) -> dict[int, int]:
    from fangkong.watch import selectors as watch_selectors

    return watch_selectors.isolation_counts_by_unit(day)


def ledger_figures(day: datetime.date, unit_ids=None) -> dict[int, dict[str, int]]:
    """{unit_id: {source: figure}} for every computed source, on `day`: four queries."""
    heads = headcounts(unit_ids)
    checkins = checkin_figures(day, day, unit_ids)
    key_persons = key_person_figures(day, unit_ids)
    isolation = isolation_figures(day)
    units = set(heads) | {unit for unit, _day in checkins} | set(key_persons) | set(isolation)
    if unit_ids is not None:
        units &= set(unit_ids)
    figures = {}
    for unit_id in units:
        row = dict.fromkeys(Source.values, 0)
        row.pop(Source.MANUAL)
        row[Source.HEADCOUNT] = heads.get(unit_id, 0)
        row.update(checkins.get((unit_id, day), {}))
        row.update(key_persons.get(unit_id, {}))
        row[Source.ISOLATION] = isolation.get(unit_id, 0)
        figures[unit_id] = row
    return figures


# {day: every unit's figures} while a batch of reports of the same days is filed (see
# reports_of_the_day): a report's figures come from the records, which filing the reports
# does not change, so the day's are read once, not four queries a report.
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("figures_batch", default=None)


@contextlib.contextmanager
def reports_of_the_day():
    """Within the block, unit_figures reads each day's figures of every unit once. For a
    loader filing many units' reports in a row (the demo's days); the records the figures
    count must not change inside it."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def unit_figures(unit_id: int, day: datetime.date) -> dict[str, int]:
    """The figures of one unit on `day` (zero where the records have nothing)."""
    batch = _batch.get()
    if batch is not None:
        if day not in batch:
            batch[day] = ledger_figures(day)
        row = dict(batch[day].get(unit_id) or {}) or None  # a copy: callers may change it
    else:
        row = ledger_figures(day, [unit_id]).get(unit_id)
    if row is None:
        row = dict.fromkeys(Source.values, 0)
        row.pop(Source.MANUAL)
    return row
