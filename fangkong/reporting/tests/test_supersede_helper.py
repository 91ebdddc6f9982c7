"""core.corrections.supersede on a ledger that stamps its superseded rows (check-ins): the
corrected row is stamped and linked to its correction; a second correction of it is refused
with the caller's words, and writes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.core import corrections
from fangkong.reporting.models import HealthCheckin
from fangkong.testing.factories import HealthCheckinFactory

REFUSED = "Corrected already: correct its latest version."


def _correct(actor, earlier, reason="typo", built=None):
    """A correction of `earlier` that copies it; `built` collects the times build saw."""

    def build(row, now):
        if built is not None:
            built.append(now)
        return HealthCheckinFactory.build(
            person=row.person, date=row.date, entered_by=actor, entered_at=now
        )

    return corrections.supersede(
        HealthCheckin,
        earlier.pk,
        actor=actor,
        reason=reason,
        refused=ValidationError({"supersedes": REFUSED}),
        build=build,
        save=lambda correction: correction.save(force_insert=True),
        related=("person",),
    )


def test_a_corrected_row_is_stamped_and_linked_to_its_correction(office, person):
    earlier = HealthCheckinFactory(person=person)
    built: list[datetime.datetime] = []
    correction = _correct(office, earlier, reason="misread", built=built)
    earlier.refresh_from_db()
    assert (correction.supersedes, correction.correction_reason) == (earlier, "misread")
    assert earlier.correction == correction
    assert (earlier.superseded_by, earlier.superseded_at) == (office, built[0])
    assert correction.entered_at == earlier.superseded_at  # one moment, taken under the lock
    assert not earlier.is_current and correction.is_current
    assert list(HealthCheckin.objects.current()) == [correction]


def test_a_second_correction_of_the_same_row_is_refused_naming_why(office, person):
    earlier = HealthCheckinFactory(person=person)
    first = _correct(office, earlier, reason="one")
    built: list = []
    with pytest.raises(ValidationError) as caught:
        _correct(office, earlier, reason="two", built=built)
    assert caught.value.message_dict == {"supersedes": [REFUSED]}
    assert built == []  # refused before anything is built or written
    earlier.refresh_from_db()
    assert earlier.correction == first
    assert HealthCheckin.objects.count() == 2


def test_the_latest_version_may_be_corrected_in_turn(office, person):
    earlier = HealthCheckinFactory(person=person)
    second = _correct(office, earlier, reason="one")
    third = _correct(office, second, reason="two")
    assert [row.pk for row in HealthCheckin.objects.current()] == [third.pk]
    assert HealthCheckin.objects.get(pk=second.pk).correction == third


def test_the_lock_is_the_corrected_row_alone(office, person):
    """FOR UPDATE OF the row's own table: the person joined for reading is not locked
    (the PostgreSQL test of test_locks_own_rows sees it; here, the SQL says so)."""
    earlier = HealthCheckinFactory(person=person)
    with CaptureQueriesContext(connection) as queries:
        _correct(office, earlier)
    locking = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert 'FROM "reporting_healthcheckin" INNER JOIN "core_person"' in locking[0]
    if connection.features.has_select_for_update_of:
        assert locking[0].endswith('FOR UPDATE OF "reporting_healthcheckin"')
