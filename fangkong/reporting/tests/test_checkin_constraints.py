"""The database's own guards: one current check-in a person a day, a plausible temperature,
corrections with reasons; and two submits racing for the same day."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.reporting import services
from fangkong.reporting.models import HealthCheckin
from fangkong.reporting.tests.conftest import good_answers
from fangkong.testing.factories import HealthCheckinFactory


def test_a_second_current_row_for_the_same_person_and_day_is_refused_by_the_database(person):
    HealthCheckinFactory(person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthCheckinFactory(person=person)


def test_a_superseded_row_may_sit_beside_the_current_one(person, office):
    old = HealthCheckinFactory(person=person, superseded_at=timezone.now(), superseded_by=office)
    HealthCheckinFactory(person=person, supersedes=old, correction_reason="typo")
    assert HealthCheckin.objects.filter(person=person).count() == 2


@pytest.mark.parametrize("temperature", [Decimal("33.9"), Decimal("43.1")])
def test_temperature_outside_34_to_43_is_refused_by_the_database(person, temperature):
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthCheckinFactory(person=person, temperature=temperature)


def test_correction_without_a_reason_is_refused_by_the_database(person, office):
    old = HealthCheckinFactory(person=person, superseded_at=timezone.now(), superseded_by=office)
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthCheckinFactory(person=person, supersedes=old, correction_reason="")


def test_superseded_row_without_who_is_refused_by_the_database(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthCheckinFactory(person=person, superseded_at=timezone.now())


def test_constraint_messages_are_the_offices_words(person):
    checkin = HealthCheckinFactory.build(person=person, temperature=Decimal("50.0"))
    with pytest.raises(ValidationError) as caught:
        checkin.validate_constraints()
    assert "between 34.0 and 43.0" in str(caught.value)


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_end_with_one_current_check_in(make_user, unit):
    from fangkong.testing.factories import PersonFactory

    person = PersonFactory(unit=unit)
    member = make_user("member", person=person)
    officer = make_user("officer", unit=unit)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(actor):
        try:
            barrier.wait(timeout=5)
            services.submit_checkin(actor, person, **good_answers())
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message_dict.get("date", exc.messages)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(actor,)) for actor in (member, officer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=lambda outcome: outcome != "ok")[0] == "ok"
    assert outcomes.count("ok") == 1
    assert "Correct" in next(outcome for outcome in outcomes if outcome != "ok")
    assert HealthCheckin.objects.current().filter(person=person).count() == 1


def test_a_race_lost_at_the_database_becomes_the_correct_instead_error(member, person):
    """No SELECT guards the INSERT (it could not see a row another transaction has not
    committed yet): the unique constraint decides, and its IntegrityError must read as the
    field error, not a 500, with nothing written."""
    HealthCheckinFactory(person=person)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as caught:
        services.submit_checkin(member, person, **good_answers())
    assert "Correct" in caught.value.message_dict["date"][0]
    assert HealthCheckin.objects.filter(person=person).count() == 1
    assert any("INSERT" in query["sql"] for query in queries.captured_queries)
