"""The reporting forms' date fields show their date in Chinese too: a browser's date field
reads only an ISO value, and a Chinese-formatted one (2020/02/14) leaves it blank."""

import datetime

import pytest
from django.utils import translation

from fangkong.reporting.filtersets import CheckinFilterSet
from fangkong.reporting.forms import OfficerCheckinForm, PeriodForm, ReportDayForm

DAY = datetime.date(2020, 2, 14)


def filterset_form(filterset, initial: dict):
    """A list's filter form (unbound) showing `initial`."""
    form = filterset.form
    form.initial = initial
    return form


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("form", "names"),
    [
        (lambda initial, user: OfficerCheckinForm(initial=initial, user=user), ["date"]),
        (lambda initial, user: filterset_form(CheckinFilterSet(user=user), initial), ["date"]),
        (lambda initial, user: ReportDayForm(initial=initial), ["date"]),
        (lambda initial, user: PeriodForm(initial=initial), ["start", "end"]),
    ],
    ids=["officer-checkin", "day", "report-day", "period"],
)
def test_a_date_field_shows_its_initial_date_as_iso(language, form, names, office):
    with translation.override(language):
        built = form({name: DAY for name in names}, office)
        for name in names:
            html = str(built[name])
            assert 'type="date"' in html
            assert 'value="2020-02-14"' in html, html
