"""The demo's live slice follows the calendar: the last fortnight up to today, refreshed by
a later run of seed_demo (idempotent per day), with the member's own check-in for today
left to do and the default periods of the report pages showing figures or saying why not.

The test that moves the clock runs last: it changes the module's demo."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fangkong.access.models import Crossing, Pass
from fangkong.core.models import Person, User
from fangkong.reporting import selectors
from fangkong.reporting.demo_days import HISTORY_FIRST, HISTORY_LAST, LIVE_DAYS
from fangkong.reporting.models import HealthCheckin, UnitReport
from fangkong.supplies.models import Requisition, StockMove
from fangkong.watch.models import FollowUp, IsolationCheck, KeyPerson

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Person,
            User,
            HealthCheckin,
            UnitReport,
            KeyPerson,
            FollowUp,
            IsolationCheck,
            Requisition,
            StockMove,
            Pass,
            Crossing,
        )
    }


def days_with(model, field="date") -> set[datetime.date]:
    return set(
        model.objects.filter(**{f"{field}__gt": HISTORY_LAST})
        .values_list(field, flat=True)
        .distinct()
    )


def fortnight(today: datetime.date) -> set[datetime.date]:
    return {today - datetime.timedelta(days=n) for n in range(LIVE_DAYS)}


def test_the_live_slice_is_the_last_fortnight_up_to_today(demo):
    today = timezone.localdate()
    assert days_with(HealthCheckin) == fortnight(today)
    assert days_with(UnitReport) == fortnight(today)
    # Each day before today has the whole school's check-ins, a few missing.
    yesterday = today - datetime.timedelta(days=1)
    people = Person.objects.filter(is_active=True).count()
    assert 0.97 * people <= HealthCheckin.objects.filter(date=yesterday).count() < people


def test_the_articles_history_is_untouched(demo):
    history = HealthCheckin.objects.filter(date__range=(HISTORY_FIRST, HISTORY_LAST))
    assert history.count() == 176_252 + 6  # the imported check-ins and the 6 corrections
    assert UnitReport.objects.filter(date__range=(HISTORY_FIRST, HISTORY_LAST)).count() == 1176


def test_the_members_own_check_in_for_today_is_undone(demo):
    member = User.objects.get(username="member")
    today = timezone.localdate()
    assert selectors.todays_checkin(member.person_id, today) is None
    # The days before are done, as the rest of the school's.
    assert selectors.todays_checkin(member.person_id, today - datetime.timedelta(days=1))


def test_completeness_opens_on_a_fortnight_with_reports(client, demo):
    client.force_login(User.objects.get(username="office"))
    response = client.get(reverse("reporting:completeness"))
    assert response.status_code == 200
    table = response.context["table"]
    # 27 units × 13 whole days (today a third so far): well over nine in ten reported.
    assert table.total.expected == 27 * LIVE_DAYS
    assert table.total.reported > 27 * (LIVE_DAYS - 1) * 0.9
    assert "period-empty" not in response.content.decode()


def test_the_register_says_why_its_last_30_days_are_empty(client, demo):
    client.force_login(User.objects.get(username="office"))
    today = timezone.localdate()
    response = client.get(reverse("supplies:register"))
    assert response.status_code == 200
    page = response.content.decode()
    start = (today - datetime.timedelta(days=29)).isoformat()
    assert f"Nothing was issued from {start} to {today.isoformat()}." in page
    assert "The latest issue is on 2020-03-06." in page
    assert "?start=2020-02-06&amp;end=2020-03-06" in page
    shown = client.get(reverse("supplies:register"), {"start": "2020-02-06", "end": "2020-03-06"})
    assert "period-empty" not in shown.content.decode()
    assert len(shown.context["report"].rows) > 50


def test_the_receipts_page_says_why_its_last_30_days_are_empty(client, demo):
    client.force_login(User.objects.get(username="storekeeper"))
    page = client.get(reverse("supplies:report-receipts")).content.decode()
    assert "The latest receipt is on 2020-03-04." in page


def test_seeding_again_the_same_day_adds_nothing(demo):
    before = counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded: nothing to do" in out.getvalue()
    assert counts() == before


def test_a_later_run_fills_the_days_since_the_last_one(demo):
    """Last in the module: it moves the clock three days on."""
    today = timezone.localdate()
    before = {
        day: HealthCheckin.objects.filter(date=day).count() for day in fortnight(today) - {today}
    }
    reports_before = UnitReport.objects.filter(date__lt=today).count()
    later = timezone.now() + datetime.timedelta(days=3)
    with time_machine.travel(later, tick=False):
        new_today = timezone.localdate()
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        assert "already loaded" not in out.getvalue()
        assert days_with(HealthCheckin) == fortnight(today) | fortnight(new_today)
        assert days_with(UnitReport) == fortnight(today) | fortnight(new_today)
        # The days seeded before are as they were; the member's new today is undone.
        assert {day: HealthCheckin.objects.filter(date=day).count() for day in before} == before
        assert UnitReport.objects.filter(date__lt=today).count() == reports_before
        member = User.objects.get(username="member")
        assert selectors.todays_checkin(member.person_id, new_today) is None
        # Twice the same (later) day: nothing more.
        again = counts()
        call_command("seed_demo", stdout=io.StringIO())
        assert counts() == again
