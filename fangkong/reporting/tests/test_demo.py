"""The demo's check-ins of today: the member's own, most of the College of Architecture
entered by its officer, one flagged, some still missing; loading twice changes nothing."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fangkong.core.models import Person, User
from fangkong.reporting import selectors
from fangkong.reporting.models import HealthCheckin, Symptom

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(demo):
    return User.objects.get(username="office")


@pytest.fixture
def officer(demo):
    return User.objects.get(username="officer")


def test_the_member_checked_in_today(demo):
    member = User.objects.get(username="member")
    checkin = selectors.todays_checkin(member.person_id)
    assert checkin is not None
    assert checkin.channel == HealthCheckin.Channel.SELF
    assert checkin.entered_by == member
    assert not checkin.is_abnormal


def test_one_check_in_flagged_today(office, officer):
    flagged = list(selectors.flagged_checkins(office))
    assert len(flagged) == 1
    checkin = flagged[0]
    assert checkin.temperature == Decimal("37.8")
    assert checkin.symptoms == [Symptom.COUGH]
    assert checkin.person.unit == officer.unit
    assert list(selectors.flagged_checkins(officer)) == flagged
    assert selectors.flagged_count(office) == 1


def test_most_of_the_unit_checked_in_and_some_still_missing(officer):
    today = timezone.localdate()
    summary = selectors.day_summary(officer, today, unit=officer.unit_id)
    assert summary["expected"] == Person.objects.filter(unit=officer.unit).count()
    assert summary["checked_in"] >= summary["expected"] // 2
    assert summary["missing"] > 0
    assert summary["flagged"] == 1
    missing = selectors.people_without_checkin(officer, today, unit=officer.unit_id)
    assert missing.count() == summary["missing"]


def test_entered_through_the_services_for_today_only(officer):
    checkins = HealthCheckin.objects.all()
    assert not checkins.exclude(date=timezone.localdate()).exists()
    assert not checkins.exclude(person__unit=officer.unit).exists()
    by_officer = checkins.filter(entered_by=officer)
    assert by_officer.count() == checkins.count() - 1
    assert not by_officer.exclude(channel=HealthCheckin.Channel.OFFICER).exists()


def test_the_flagged_page_lists_it(client, office):
    client.force_login(office)
    response = client.get(reverse("reporting:flagged"))
    assert response.status_code == 200
    assert "37.8" in response.content.decode()


def snapshot() -> tuple[int, int, int]:
    return (HealthCheckin.objects.count(), User.objects.count(), Person.objects.count())


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert snapshot() == before
