"""Two corrections of the same check-in at once: the first holds the version's row lock
while the second waits for it, then finds it corrected and is refused; one current version.

Real concurrent connections (a thread each), so PostgreSQL only: SQLite takes the whole
database's write lock instead (IMMEDIATE transactions), which serialises them by
construction.
"""

from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError

from fangkong.core.roles import Role
from fangkong.reporting import services
from fangkong.reporting.models import HealthCheckin
from fangkong.reporting.tests.conftest import good_answers
from fangkong.testing.locks import POSTGRES_RACE, correct_at_once

ROUNDS = 24
HOLD = 0.1  # seconds the first correction keeps the version locked, the second queued

pytestmark = POSTGRES_RACE


def test_the_second_of_two_corrections_at_once_waits_and_is_refused(
    monkeypatch, make_user, member, person, unit
):
    officer = make_user(Role.OFFICER, unit=unit)
    latest = services.submit_checkin(member, person, **good_answers())
    for round_number in range(ROUNDS):
        temperature = Decimal("36.0") + Decimal(round_number) / 10
        results = correct_at_once(
            monkeypatch,
            partial(
                services.correct_checkin,
                member,
                latest,
                reason="first",
                **good_answers(temperature=temperature),
            ),
            partial(
                services.correct_checkin,
                officer,
                latest,
                reason="second",
                **good_answers(temperature=Decimal("39.0")),
            ),
            hold=HOLD,
        )
        correction, refused = results["first"], results["second"]
        assert isinstance(correction, HealthCheckin), f"round {round_number}: {correction!r}"
        assert isinstance(refused, ValidationError), f"round {round_number}: {refused!r}"
        assert refused.messages == [
            "This check-in has already been corrected: correct its latest version."
        ]
        assert results["waited"] >= HOLD, f"round {round_number}: the second did not wait"
        latest.refresh_from_db()
        assert (latest.superseded_by, latest.correction) == (member, correction)
        current = HealthCheckin.objects.current().get(person=person)
        assert (current, current.temperature) == (correction, temperature)
        latest = correction
    assert HealthCheckin.objects.filter(person=person).count() == ROUNDS + 1
