"""Follow-ups: append-only, a correction supersedes, bad input names the field."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.core.roles import Role
from fangkong.watch import selectors, services
from fangkong.watch.models import FollowUp, FollowUpIsFinal
from fangkong.watch.tests.conftest import TODAY, at

CALL = {"kind": "phone_call", "outcome": "well"}


def test_officer_records_a_follow_up_for_today(officer, entry):
    follow_up = services.record_follow_up(officer, entry, temperature="36.6", **CALL)
    assert follow_up.by == officer
    assert follow_up.due_on == TODAY
    assert follow_up.temperature == Decimal("36.6")
    assert follow_up.at.tzinfo is not None


@pytest.mark.parametrize("temperature", ["33.9", "43.1", "20", "99.5"])
def test_a_temperature_outside_34_to_43_is_refused(officer, entry, temperature):
    with pytest.raises(ValidationError) as caught:
        services.record_follow_up(officer, entry, temperature=temperature, **CALL)
    assert "temperature" in caught.value.message_dict
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("temperature", ["34", "43.0", "37.3"])
def test_temperatures_at_the_bounds_are_accepted(officer, entry, temperature):
    assert services.record_follow_up(officer, entry, temperature=temperature, **CALL).pk


def test_a_temperature_that_is_not_a_number_is_refused(officer, entry):
    with pytest.raises(ValidationError) as caught:
        services.record_follow_up(officer, entry, temperature="hot", **CALL)
    assert "temperature" in caught.value.message_dict


def test_the_database_refuses_a_temperature_out_of_range(officer, entry):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            key_person=entry,
            by=officer,
            at=at(TODAY),
            due_on=TODAY,
            temperature=Decimal("44.0"),
            **CALL,
        )


def test_a_follow_up_dated_in_the_future_is_refused(officer, entry):
    with pytest.raises(ValidationError) as caught:
        services.record_follow_up(officer, entry, at=at(TODAY, 16), **CALL)
    assert "at" in caught.value.message_dict
    assert not FollowUp.objects.exists()


def test_a_follow_up_for_a_later_day_is_refused(officer, entry):
    with pytest.raises(ValidationError) as caught:
        services.record_follow_up(officer, entry, due_on=TODAY + datetime.timedelta(days=1), **CALL)
    assert "due_on" in caught.value.message_dict


def test_a_follow_up_before_listing_is_refused(officer, entry):
    day = entry.listed_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.record_follow_up(officer, entry, at=at(day), **CALL)
    assert "due_on" in caught.value.message_dict


def test_an_unknown_kind_or_outcome_is_refused_naming_it(officer, entry):
    with pytest.raises(ValidationError) as caught:
        services.record_follow_up(officer, entry, kind="letter", outcome="fine")
    assert {"kind", "outcome"} <= set(caught.value.message_dict)


def test_officer_cannot_follow_up_another_unit_s_key_person(officer, stranger_entry):
    with pytest.raises(PermissionDenied):
        services.record_follow_up(officer, stranger_entry, **CALL)
    assert not FollowUp.objects.exists()


def test_the_hospital_may_follow_up_anyone(make_user, stranger_entry):
    medic = make_user(Role.MEDIC)
    assert services.record_follow_up(medic, stranger_entry, kind="temperature", outcome="well").pk


def test_the_leader_cannot_follow_up(make_user, entry):
    with pytest.raises(PermissionDenied):
        services.record_follow_up(make_user(Role.LEADER), entry, **CALL)


def test_a_saved_follow_up_cannot_be_edited_or_deleted(officer, entry):
    follow_up = services.record_follow_up(officer, entry, **CALL)
    follow_up.outcome = "unwell"
    with pytest.raises(FollowUpIsFinal):
        follow_up.save()
    with pytest.raises(FollowUpIsFinal):
        follow_up.delete()
    assert FollowUp.objects.get().outcome == "well"
    assert not hasattr(services, "update_follow_up") and not hasattr(services, "delete_follow_up")


def test_a_correction_supersedes_and_keeps_the_old_row(officer, entry):
    old = services.record_follow_up(officer, entry, temperature="36.5", **CALL)
    new = services.supersede_follow_up(officer, old, reason="misread", temperature="37.5")
    assert FollowUp.objects.count() == 2
    old.refresh_from_db()
    assert old.temperature == Decimal("36.5")
    assert (new.supersedes, new.correction_reason) == (old, "misread")
    assert (new.kind, new.outcome, new.at) == (old.kind, old.outcome, old.at)
    current = selectors.follow_ups_for(officer, {"key_person": entry.pk, "current_only": True}).rows
    assert list(current) == [new]


def test_a_correction_needs_a_reason(officer, entry):
    old = services.record_follow_up(officer, entry, **CALL)
    with pytest.raises(ValidationError) as caught:
        services.supersede_follow_up(officer, old, reason=" ", outcome="unwell")
    assert "reason" in caught.value.message_dict
    assert FollowUp.objects.count() == 1


def test_a_row_is_corrected_only_once(officer, entry):
    old = services.record_follow_up(officer, entry, **CALL)
    services.supersede_follow_up(officer, old, reason="first", outcome="unwell")
    with pytest.raises(ValidationError) as caught:
        services.supersede_follow_up(officer, old, reason="second", outcome="not_reached")
    assert "supersedes" in caught.value.message_dict
    assert FollowUp.objects.count() == 2


def test_a_correction_with_a_bad_temperature_writes_nothing(officer, entry):
    old = services.record_follow_up(officer, entry, **CALL)
    with pytest.raises(ValidationError) as caught:
        services.supersede_follow_up(officer, old, reason="x", temperature="50")
    assert "temperature" in caught.value.message_dict
    assert FollowUp.objects.count() == 1
