"""The watch services own their transactions: inside a caller's transaction.atomic() they
refuse to run (see core.transactions)."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from fangkong.watch import services
from fangkong.watch.models import Incident, RegionOfConcern


def test_a_region_refuses_to_join_a_callers_transaction(office):
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.create_region(office, name="甲省", from_date=datetime.date(2020, 1, 23))
    assert not RegionOfConcern.objects.exists()


def test_an_incident_refuses_to_join_a_callers_transaction(office):
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.open_incident(
            office,
            occurred_at=timezone.now(),
            kind=Incident.Kind.FEVER,
            place="东门",
            description="37.8 °C",
        )
    assert not Incident.objects.exists()
