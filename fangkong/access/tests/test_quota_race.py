"""Two members of one household at two gates at the same moment: exactly one is let out.

Real concurrent connections (a thread each, its own connection, released together by a
barrier), so this runs on PostgreSQL, where the gate's row lock on the household is what
keeps the quota. SQLite takes the whole database's write lock instead (IMMEDIATE
transactions), which serialises the two by construction.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from fangkong.access import services
from fangkong.access.models import Crossing
from fangkong.access.testing import gated_school

ROUNDS = 5

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent connections with row locks: run with a PostgreSQL "
        "DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),
]


def _decide_together(school, at) -> list:
    """Both residents at the two family gates, released at once; each thread's decision."""
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def at_gate(index, gate, person):
        try:
            barrier.wait(timeout=10)
            results[index] = services.decide_at_gate(
                school.guard,
                gate=gate,
                direction=Crossing.Direction.OUT,
                person_number=person.person_number,
                at=at,
            )
        except Exception as exc:  # reported by the test below, not lost in the thread
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=at_gate, args=(0, school.family_gate, school.resident)),
        threading.Thread(target=at_gate, args=(1, school.family_gate_2, school.resident_2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_members_at_two_gates_at_once_exactly_one_goes_out():
    school = gated_school()
    start = timezone.now() - datetime.timedelta(days=ROUNDS * 3 + 1)
    for round_number in range(ROUNDS):
        # Each round 3 days after the last: the 1-exit-per-2-days quota is free again.
        at = start + datetime.timedelta(days=3 * round_number)
        decisions = _decide_together(school, at)
        for decision in decisions:
            assert not isinstance(decision, Exception), decision
        reasons = sorted(decision.reason for decision in decisions)
        assert reasons == [Crossing.Reason.HOUSEHOLD_QUOTA, Crossing.Reason.QUOTA_USED], (
            f"round {round_number}: {reasons}"
        )
        refused = next(d for d in decisions if not d.allowed)
        assert refused.next_exit_at == at + datetime.timedelta(days=2)
        assert Crossing.objects.filter(at=at, allowed=True, counts_quota=True).count() == 1
    assert Crossing.objects.filter(counts_quota=True).count() == ROUNDS
