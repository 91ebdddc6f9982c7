"""The watch app's figures for the unit daily report (reporting's 台账数据): persons under
watch by ledger category, and people under medical isolation, per unit on a day. The app
registers `ledger_figures` with reporting.figures when it is ready (see apps.py), so the
report's computed fields count them without reporting importing watch."""

import datetime
from collections import defaultdict

from django.db.models import Count

from fangkong.reporting.models import ReportField
from fangkong.watch.models import KeyPerson
from fangkong.watch.selectors import isolation_counts_by_unit

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


def key_person_figures(day: datetime.date, unit_ids=None) -> dict[int, dict[str, int]]:
    """{unit_id: {source: persons under watch that day in the category}}."""
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


def ledger_figures(day: datetime.date, unit_ids=None) -> dict[int, dict[str, int]]:
    """{unit_id: {source: figure}} of the key-person and isolation sources on `day`: two
    queries. Isolation is counted school-wide; reporting keeps the units it asked for."""
    figures = key_person_figures(day, unit_ids)
    for unit_id, people in isolation_counts_by_unit(day).items():
        figures[unit_id][Source.ISOLATION] = people
    return dict(figures)
