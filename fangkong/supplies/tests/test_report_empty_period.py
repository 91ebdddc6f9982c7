"""A report page whose period has nothing says so in words, and where the latest record is."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.core.roles import Role

pytestmark = pytest.mark.django_db


def test_a_register_with_nothing_ever_issued_says_so(login_as):
    client = login_as(Role.OFFICE)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=29)
    page = client.get(reverse("supplies:register")).content.decode()
    assert (
        f"Nothing was issued from {start.isoformat()} to {today.isoformat()}. "
        "There are none before it either."
    ) in page


def test_receipts_with_nothing_received_say_so(login_as):
    client = login_as(Role.STOREKEEPER)
    page = client.get(
        reverse("supplies:report-receipts"), {"start": "2020-03-01", "end": "2020-03-06"}
    ).content.decode()
    assert "Nothing was received from 2020-03-01 to 2020-03-06." in page


def test_completeness_without_a_report_says_so(login_as, unit):
    client = login_as(Role.OFFICE)
    response = client.get(
        reverse("reporting:completeness"), {"start": "2020-03-01", "end": "2020-03-06"}
    )
    assert response.status_code == 200
    assert (
        "No unit submitted a report from 2020-03-01 to 2020-03-06. There are none before it either."
    ) in response.content.decode()
