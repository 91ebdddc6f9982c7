"""core.corrections.supersede on a ledger that keeps no stamp (follow-ups): a row is
corrected when a later row supersedes it; a second correction is refused with the caller's
words, and a race the lock did not stop ends at the one-to-one, as the same error."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fangkong.core import corrections
from fangkong.watch import services
from fangkong.watch.models import FollowUp

CALL = {"kind": "phone_call", "outcome": "well"}
REFUSED = "Corrected already."


def _correct(actor, earlier, reason="typo"):
    def build(row, now):
        return FollowUp(
            key_person_id=row.key_person_id,
            kind=row.kind,
            outcome="unwell",
            by=actor,
            at=row.at,
            due_on=row.due_on,
            recorded_at=now,
        )

    def save(correction):
        try:
            with transaction.atomic():
                correction.save()
        except IntegrityError as exc:
            raise ValidationError({"supersedes": REFUSED}) from exc

    return corrections.supersede(
        FollowUp,
        earlier.pk,
        actor=actor,
        reason=reason,
        refused=ValidationError({"supersedes": REFUSED}),
        build=build,
        save=save,
    )


def test_a_corrected_row_is_superseded_by_its_correction(officer, entry):
    earlier = services.record_follow_up(officer, entry, **CALL)
    correction = _correct(officer, earlier, reason="misheard")
    earlier = FollowUp.objects.get(pk=earlier.pk)
    assert (correction.supersedes, correction.correction_reason) == (earlier, "misheard")
    assert earlier.superseded_by == correction
    assert FollowUp.objects.get(pk=earlier.pk).outcome == "well"  # the old row as it was


def test_a_second_correction_of_the_same_row_is_refused_naming_why(officer, entry):
    earlier = services.record_follow_up(officer, entry, **CALL)
    _correct(officer, earlier, reason="one")
    with pytest.raises(ValidationError) as caught:
        _correct(officer, earlier, reason="two")
    assert caught.value.message_dict == {"supersedes": [REFUSED]}
    assert FollowUp.objects.count() == 2


def test_a_correction_the_check_missed_is_refused_by_the_one_to_one(monkeypatch, officer, entry):
    """Were the check to see no correction (one not yet committed, without the lock), the
    database's one-to-one refuses the second: the same words, nothing written."""
    earlier = services.record_follow_up(officer, entry, **CALL)
    _correct(officer, earlier, reason="one")
    monkeypatch.setattr(corrections, "is_corrected", lambda row: False)
    with pytest.raises(ValidationError) as caught:
        _correct(officer, earlier, reason="two")
    assert caught.value.message_dict == {"supersedes": [REFUSED]}
    assert FollowUp.objects.count() == 2
