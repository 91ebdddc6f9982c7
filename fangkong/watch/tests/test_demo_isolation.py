"""The demo's medical isolation and incidents give the article's figures through the
selectors: 12 person-times of isolation in the family area and 4 incidents by 6 March;
and one person in isolation today, with checks due."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangkong.core.models import User
from fangkong.watch import selectors, services
from fangkong.watch.models import (
    Incident,
    IncidentAction,
    IsolationCase,
    IsolationCheck,
    IsolationPolicy,
    IsolationRoom,
)

FIRST, ARTICLE_DAY = datetime.date(2020, 1, 23), datetime.date(2020, 3, 6)


@pytest.fixture(autouse=True)
def frozen_time():
    """The demo's live slice is dated the real today: no frozen clock here."""
    yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def office(demo):
    return User.objects.get(username="office")


def test_a_14_day_policy_from_23_january_and_rooms(office):
    policy = services.policy_in_force_on(FIRST)
    assert (policy.effective_from, policy.days) == (FIRST, 14)
    assert IsolationRoom.objects.filter(building__name="隔离观察楼", is_active=True).count() >= 3


def test_12_person_times_of_isolation_in_the_family_area(office):
    summary = selectors.isolation_summary(office, ARTICLE_DAY, FIRST, ARTICLE_DAY)
    started = {row["place_kind"]: row["count"] for row in summary.started_by_place}
    assert started["home"] == 12
    assert summary.started_total == 12
    cases = selectors.cases_started_between(office, FIRST, ARTICLE_DAY)
    assert not cases.exclude(household__area__kind="family").exists()
    assert not cases.exclude(status=IsolationCase.Status.RELEASED).exists()
    assert not cases.filter(end_date__gt=ARTICLE_DAY).exists()
    assert selectors.isolation_counts_by_unit(ARTICLE_DAY) == {}
    assert cases.filter(ordered_by="cdc").exclude(cdc_reference="").exists()


def test_each_case_was_checked_twice_a_day(office):
    for case in selectors.cases_started_between(office, FIRST, ARTICLE_DAY):
        days = (case.end_date - case.start_date).days
        checks = IsolationCheck.objects.current().filter(case=case)
        assert checks.count() == 2 * days
        assert set(checks.values_list("slot", flat=True)) == {"morning", "afternoon"}
    assert IsolationCheck.objects.filter(is_fever=True, date__lte=ARTICLE_DAY).count() == 1


def test_4_incidents_handled_with_the_cdc_and_closed(office):
    incidents = selectors.incidents_for(office, {"start": FIRST, "end": ARTICLE_DAY}).rows
    assert incidents.count() == 4
    for incident in incidents:
        assert incident.status == Incident.Status.CLOSED and incident.closing_summary
        assert incident.cdc_notified_at is not None
        kinds = list(incident.actions.values_list("kind", flat=True))
        assert kinds[0] == IncidentAction.Kind.OPENED
        assert IncidentAction.Kind.CDC in kinds and IncidentAction.Kind.NOTE in kinds
        assert timezone.localdate(incident.closed_at) <= ARTICLE_DAY
    assert incidents.filter(isolation_cases__isnull=False).distinct().count() == 2


def test_one_person_in_isolation_today_with_checks_due(office):
    today = timezone.localdate()
    open_now = selectors.cases_open_on(office, today)
    assert open_now.count() == 1
    case = open_now.get()
    assert today - datetime.timedelta(days=5) <= case.start_date < today
    assert selectors.is_under_isolation(case.person_id)
    assert selectors.isolation_counts_by_unit(today) == {case.person.unit_id: 1}
    due = selectors.checks_due(office, today, services.current_slot())
    assert [row.case for row in due] == [case]
    officer = User.objects.get(username="officer")
    assert list(selectors.cases_open_on(officer, today)) == [case]
    assert (
        IsolationCheck.objects.filter(case=case, date=today - datetime.timedelta(days=1)).count()
        == 2
    )


def test_the_isolation_page_shows_the_figures(client, office):
    client.force_login(User.objects.get(username="medic"))
    response = client.get(
        "/watch/isolation/", {"started_from": "2020-01-23", "started_until": "2020-03-06"}
    )
    assert response.status_code == 200
    assert response.context["summary"].started_total == 12
    assert '<th id="started-total">12</th>' in response.content.decode()


def snapshot() -> tuple:
    return tuple(
        model.objects.count()
        for model in (
            IsolationPolicy,
            IsolationRoom,
            IsolationCase,
            IsolationCheck,
            Incident,
            IncidentAction,
        )
    )


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == before
