"""Verifying entries one by one (who and when) and clearing them (why, who and when)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangkong.core.history import coded
from fangkong.core.roles import Role
from fangkong.watch import services
from fangkong.watch.models import KeyPerson

D = datetime.date


def test_verification_records_who_and_when(officer, entry):
    services.verify_key_person(officer, entry)
    entry.refresh_from_db()
    assert entry.verified_by == officer
    assert entry.verified_at == timezone.now()
    assert entry.history.order_by("-history_id").first().history_change_reason == coded("verified")


def test_the_one_who_listed_cannot_verify(office, entry):
    with pytest.raises(PermissionDenied):
        services.verify_key_person(office, entry)
    entry.refresh_from_db()
    assert entry.verified_at is None


def test_another_office_user_may_verify(office2, entry):
    assert services.verify_key_person(office2, entry).verified_by == office2


@pytest.mark.parametrize("role", [Role.LEADER, Role.MEDIC])
def test_read_only_roles_cannot_verify(make_user, entry, role):
    with pytest.raises(PermissionDenied):
        services.verify_key_person(make_user(role), entry)


def test_officer_cannot_verify_another_unit_s_entry(officer, stranger_entry):
    with pytest.raises(PermissionDenied):
        services.verify_key_person(officer, stranger_entry)
    stranger_entry.refresh_from_db()
    assert stranger_entry.verified_at is None


def test_verifying_twice_is_refused(officer, office2, entry):
    services.verify_key_person(officer, entry)
    with pytest.raises(ValidationError):
        services.verify_key_person(office2, entry)
    entry.refresh_from_db()
    assert entry.verified_by == officer


def test_clearing_records_why_who_and_when(officer, entry):
    services.clear_key_person(officer, entry, "14 days, no symptoms")
    entry.refresh_from_db()
    assert entry.status == KeyPerson.Status.CLEARED
    assert (entry.cleared_by, entry.cleared_on) == (officer, D(2020, 2, 10))
    assert entry.clear_reason == "14 days, no symptoms"
    assert entry.cleared_at == timezone.now()


def test_clearing_without_a_reason_is_refused_and_nothing_changes(office, entry):
    with pytest.raises(ValidationError) as caught:
        services.clear_key_person(office, entry, "   ")
    assert "reason" in caught.value.message_dict
    entry.refresh_from_db()
    assert entry.is_open and entry.cleared_by is None


def test_clearing_in_the_future_is_refused(office, entry):
    with pytest.raises(ValidationError) as caught:
        services.clear_key_person(office, entry, "done", cleared_on=D(2020, 2, 11))
    assert "cleared_on" in caught.value.message_dict


def test_clearing_twice_is_refused(office, entry):
    services.clear_key_person(office, entry, "done")
    with pytest.raises(ValidationError) as caught:
        services.clear_key_person(office, entry, "again")
    assert "status" in caught.value.message_dict


def test_officer_cannot_clear_another_unit_s_entry(officer, stranger_entry):
    with pytest.raises(PermissionDenied):
        services.clear_key_person(officer, stranger_entry, "done")
    stranger_entry.refresh_from_db()
    assert stranger_entry.is_open
