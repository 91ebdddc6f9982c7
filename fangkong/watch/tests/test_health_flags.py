"""The gate's health question, watch's selector: under isolation, or an open fever flag (an
open fever incident, or the day's check-in at or above the office's fever threshold, which
reporting's part of the statement reads). One query."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.reporting.models import ReportingPolicy
from fangkong.testing.factories import HealthCheckinFactory, PersonFactory
from fangkong.watch.selectors import health_flags

pytestmark = pytest.mark.django_db


def test_a_person_with_nothing_against_them_is_not_flagged_in_one_query():
    person = PersonFactory()
    HealthCheckinFactory(person=person, temperature=Decimal("36.5"))
    with CaptureQueriesContext(connection) as queries:
        assert health_flags(person.pk, timezone.localdate()) == (False, False)
    assert len(queries) == 1


def test_the_check_in_is_read_against_the_offices_threshold():
    person = PersonFactory()
    HealthCheckinFactory(person=person, temperature=Decimal("37.1"))
    today = timezone.localdate()
    assert health_flags(person.pk, today) == (False, False)
    ReportingPolicy.objects.update_or_create(
        pk=ReportingPolicy.SINGLETON_PK, defaults={"fever_threshold": Decimal("37.0")}
    )
    assert health_flags(person.pk, today) == (False, True)
    # Another day's check-in says nothing about today.
    assert health_flags(person.pk, today + datetime.timedelta(days=1)) == (False, False)


def test_without_a_policy_row_the_default_threshold_holds():
    person = PersonFactory()
    HealthCheckinFactory(person=person, temperature=Decimal("37.3"))
    ReportingPolicy.objects.all().delete()
    assert health_flags(person.pk, timezone.localdate()) == (False, True)
