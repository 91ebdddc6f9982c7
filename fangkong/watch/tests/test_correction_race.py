"""Two corrections of the same isolation check, or of the same follow-up, at once: the first
holds the row lock while the second waits for it, then finds the row corrected and is
refused; one current version.

Real concurrent connections (a thread each), so PostgreSQL only: SQLite takes the whole
database's write lock instead (IMMEDIATE transactions), which serialises them by
construction.
"""

from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError

from fangkong.core.roles import Role
from fangkong.testing.locks import POSTGRES_RACE, correct_at_once
from fangkong.watch import services
from fangkong.watch.models import FollowUp, IsolationCheck

ROUNDS = 24
HOLD = 0.1  # seconds the first correction keeps the row locked, the second queued

pytestmark = POSTGRES_RACE


def _temperature(round_number: int) -> Decimal:
    return Decimal("36.0") + Decimal(round_number) / 10


def test_the_second_of_two_check_corrections_at_once_waits_and_is_refused(
    monkeypatch, medic, office, home_case
):
    latest = services.record_isolation_check(medic, home_case, temperature="36.5")
    for round_number in range(ROUNDS):
        temperature = _temperature(round_number)
        earlier = latest
        results = correct_at_once(
            monkeypatch,
            partial(
                services.correct_isolation_check,
                medic,
                earlier,
                reason="first",
                temperature=str(temperature),
            ),
            partial(
                services.correct_isolation_check,
                office,
                earlier,
                reason="second",
                temperature="39.0",
            ),
            hold=HOLD,
        )
        correction, refused = results["first"], results["second"]
        assert isinstance(correction, IsolationCheck), f"round {round_number}: {correction!r}"
        assert isinstance(refused, ValidationError), f"round {round_number}: {refused!r}"
        assert refused.message_dict == {
            "supersedes": ["This check has already been corrected: correct its latest version."]
        }
        assert results["waited"] >= HOLD, f"round {round_number}: the second did not wait"
        earlier.refresh_from_db()
        assert (earlier.superseded_by, earlier.correction) == (medic, correction)
        current = IsolationCheck.objects.current().get(case=home_case)
        assert (current, current.temperature) == (correction, temperature)
        latest = correction
    assert IsolationCheck.objects.filter(case=home_case).count() == ROUNDS + 1


def test_the_second_of_two_follow_up_corrections_at_once_waits_and_is_refused(
    monkeypatch, make_user, unit, officer, entry
):
    colleague = make_user(Role.OFFICER, unit=unit, username="officer2")
    latest = services.record_follow_up(officer, entry, kind="phone_call", outcome="well")
    for round_number in range(ROUNDS):
        temperature = _temperature(round_number)
        earlier = latest
        results = correct_at_once(
            monkeypatch,
            partial(
                services.supersede_follow_up,
                officer,
                earlier,
                reason="first",
                temperature=str(temperature),
            ),
            partial(
                services.supersede_follow_up,
                colleague,
                earlier,
                reason="second",
                outcome="not_reached",
            ),
            hold=HOLD,
        )
        correction, refused = results["first"], results["second"]
        assert isinstance(correction, FollowUp), f"round {round_number}: {correction!r}"
        assert isinstance(refused, ValidationError), f"round {round_number}: {refused!r}"
        assert refused.message_dict == {"supersedes": ["This follow-up is already corrected."]}
        assert results["waited"] >= HOLD, f"round {round_number}: the second did not wait"
        assert FollowUp.objects.get(supersedes=earlier) == correction
        assert (correction.by, correction.temperature) == (officer, temperature)
        latest = correction
    assert FollowUp.objects.filter(key_person=entry).count() == ROUNDS + 1
    assert not FollowUp.objects.filter(correction_reason="second").exists()
