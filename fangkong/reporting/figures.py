"""What Fangkong's own records say about a unit on a day (台账数据): the figures a unit
report's computed fields start from, and what the office reconciles the reported ones
against before approving.

Each figure is one grouped query over all units, so a page of 27 units or an export of a
whole term costs the same few queries. The headcounts and check-ins are read here; the
key-person ledger and medical isolation are kept by the `watch` app, above this one, which
registers its figures here when it is ready (`register_ledger`): reporting never imports
the apps above it.
"""

import contextlib
import contextvars
import datetime

from django.db.models import Count, Q

from fangkong.core.models import Person
from fangkong.reporting.models import HealthCheckin, ReportField

Source = ReportField.Source

# The figures of the ledgers the apps above keep: functions (day, unit_ids or None) ->
# {unit_id: {source: figure}}, registered by those apps' AppConfig.ready().
_ledgers: list = []


def register_ledger(figures_of) -> None:
    """Count `figures_of(day, unit_ids)` ({unit_id: {source: figure}}) among the records'
    figures. Called once per app, when it is ready; registering again changes nothing."""
    if figures_of not in _ledgers:
        _ledgers.append(figures_of)


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


def ledger_figures(day: datetime.date, unit_ids=None) -> dict[int, dict[str, int]]:
    """{unit_id: {source: figure}} for every computed source, on `day`: two queries, and
    those of the registered ledgers (the watch app's two)."""
    heads = headcounts(unit_ids)
    checkins = checkin_figures(day, day, unit_ids)
    ledgers = [figures_of(day, unit_ids) for figures_of in _ledgers]
    units = set(heads) | {unit for unit, _day in checkins}
    for ledger in ledgers:
        units |= set(ledger)
    if unit_ids is not None:
        units &= set(unit_ids)
    figures = {}
    for unit_id in units:
        row = dict.fromkeys(Source.values, 0)
        row.pop(Source.MANUAL)
        row[Source.HEADCOUNT] = heads.get(unit_id, 0)
        row.update(checkins.get((unit_id, day), {}))
        for ledger in ledgers:
            row.update(ledger.get(unit_id, {}))
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
