"""The office's reporting policy: the migration's defaults, the page, the rules."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.core.roles import Role
from fangkong.reporting import services
from fangkong.reporting.models import ReportingPolicy


def test_migration_made_the_policy_with_the_offices_defaults(db):
    policy = ReportingPolicy.objects.get()
    assert policy.deadline == datetime.time(10, 0)
    assert policy.days_open == 3
    assert policy.fever_threshold == Decimal("37.3")


def test_office_changes_the_policy_on_its_page_and_the_change_is_kept(login_as):
    client = login_as(Role.OFFICE)
    data = {"deadline": "09:30", "days_open": "5", "fever_threshold": "37.5", "reason": "CDC"}
    assert client.post("/reporting/policy/", data).status_code == 302
    policy = ReportingPolicy.current()
    assert (policy.deadline, policy.days_open, policy.fever_threshold) == (
        datetime.time(9, 30),
        5,
        Decimal("37.5"),
    )
    assert policy.history.first().history_change_reason == "CDC"
    assert "CDC" in client.get("/reporting/policy/").content.decode()


def test_implausible_threshold_is_refused_on_the_page(login_as):
    client = login_as(Role.OFFICE)
    data = {"deadline": "10:00", "days_open": "3", "fever_threshold": "35.0"}
    response = client.post("/reporting/policy/", data)
    assert response.status_code == 400
    assert "between 36.0 and 39.0" in response.content.decode()
    assert ReportingPolicy.current().fever_threshold == Decimal("37.3")


def test_officer_cannot_open_the_policy_page(login_as):
    assert login_as(Role.OFFICER).get("/reporting/policy/").status_code == 403


def test_officer_cannot_change_the_policy(officer):
    with pytest.raises(PermissionDenied):
        services.update_policy(officer, days_open=30)


def test_days_open_beyond_60_is_refused(office):
    with pytest.raises(ValidationError):
        services.update_policy(office, days_open=61)
    assert ReportingPolicy.current().days_open == 3
