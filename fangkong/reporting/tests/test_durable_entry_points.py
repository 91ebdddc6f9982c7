"""The reporting services own their transactions: inside a caller's transaction.atomic()
they refuse to run (see core.transactions)."""

from decimal import Decimal

import pytest
from django.db import transaction

from fangkong.reporting import services
from fangkong.reporting.models import HealthCheckin, ReportingPolicy
from fangkong.reporting.tests.conftest import good_answers


def test_a_check_in_refuses_to_join_a_callers_transaction(member, person):
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.submit_checkin(member, person, **good_answers())
    assert not HealthCheckin.objects.exists()


def test_a_policy_change_refuses_to_join_a_callers_transaction(office):
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.update_policy(office, fever_threshold=Decimal("37.5"), reason="CDC guidance")
    assert ReportingPolicy.current().fever_threshold != Decimal("37.5")
