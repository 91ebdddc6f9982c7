"""Two members of one household at two gates at the same moment: exactly one is let out.

Real concurrent connections (a thread each, its own connection), so this runs on
PostgreSQL, where the gate's row lock on the household is what keeps the quota. SQLite
takes the whole database's write lock instead (IMMEDIATE transactions), which serialises
the two by construction.
"""

import datetime
import threading
import time

from django.db import connection
from django.utils import timezone

from fangkong.access import services
from fangkong.access.models import Crossing
from fangkong.testing.factories import HouseholdFactory, PersonFactory
from fangkong.testing.locks import POSTGRES_RACE
from fangkong.testing.school import gated_school

ROUNDS = 5
LIVE_ROUNDS = 40
HOLD = 0.05  # seconds the first gate keeps the household locked, the second queued behind it

pytestmark = POSTGRES_RACE


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


class _StampThenWait:
    """Wraps the household lock so that each round replays what gunicorn did: the slow
    gate's request arrives first and reaches the lock, then the fast gate's request arrives,
    takes the lock first and holds it a moment while the slow one waits for it."""

    def __init__(self, real_lock):
        self.real_lock = real_lock
        self.slow_at_lock = threading.Event()
        self.fast_locked = threading.Event()

    def __call__(self, household_id):
        if threading.current_thread().name == "slow":
            self.slow_at_lock.set()
            self.fast_locked.wait(timeout=10)
            self.real_lock(household_id)  # queued until the fast gate commits
        else:
            self.real_lock(household_id)
            self.fast_locked.set()
            time.sleep(HOLD)


def _live_round(school, monkeypatch, first, second) -> dict:
    """`first` at one gate, then `second` at the other while the first is still deciding;
    both at the gate's own clock (no `at`), as the gate page and the API decide."""
    seam = _StampThenWait(services.lock_household)
    monkeypatch.setattr(services, "lock_household", seam)
    results: dict = {}

    def at_gate(name, gate, person):
        try:
            results[name] = services.decide_at_gate(
                school.guard,
                gate=gate,
                direction=Crossing.Direction.OUT,
                person_number=person.person_number,
            )
        except Exception as exc:  # reported by the test below, not lost in the thread
            results[name] = exc
        finally:
            connection.close()

    slow = threading.Thread(target=at_gate, args=("slow", school.family_gate, first), name="slow")
    fast = threading.Thread(
        target=at_gate, args=("fast", school.family_gate_2, second), name="fast"
    )
    slow.start()
    assert seam.slow_at_lock.wait(timeout=10)
    fast.start()
    for thread in (slow, fast):
        thread.join(timeout=30)
    monkeypatch.setattr(services, "lock_household", seam.real_lock)
    return results


def test_a_gate_waiting_for_the_household_sees_the_exit_it_waited_for(monkeypatch):
    school = gated_school()
    both_out = []
    for round_number in range(LIVE_ROUNDS):
        household = HouseholdFactory(area=school.family, building__area=school.family)
        first, second = (
            PersonFactory(unit=school.unit, household=household, residence="household")
            for _n in range(2)
        )
        results = _live_round(school, monkeypatch, first, second)
        for decision in results.values():
            assert not isinstance(decision, Exception), decision
        slow, fast = results["slow"], results["fast"]
        assert fast.allowed, f"round {round_number}: {fast.reason}"
        if slow.allowed:
            both_out.append(round_number)
            continue
        assert slow.reason == Crossing.Reason.QUOTA_USED
        assert slow.crossing.at > fast.crossing.at
        assert slow.next_exit_at == fast.crossing.at + datetime.timedelta(days=2)
    assert both_out == [], f"both members let out in {len(both_out)} of {LIVE_ROUNDS} rounds"
    assert Crossing.objects.filter(counts_quota=True).count() == LIVE_ROUNDS
