"""Listing and editing key persons: permission, validation naming the field, history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fangkong.core.roles import Role
from fangkong.testing.factories import KeyPersonFactory
from fangkong.watch import services
from fangkong.watch.models import KeyPerson

D = datetime.date


def listing(person, **changes):
    return {"person": person, "category": "returned", "reason": "returned 2 Feb", **changes}


def test_officer_lists_a_person_of_their_unit_with_history(officer, person, region):
    entry = services.list_key_person(officer, **listing(person, region=region))
    assert (entry.status, entry.listed_on, entry.listed_by) == (
        "under_watch",
        D(2020, 2, 10),
        officer,
    )
    assert entry.responsible == officer  # the lister, unless someone else is named
    record = entry.history.get()
    assert (record.history_user, record.history_type) == (officer, "+")


def test_officer_cannot_list_another_unit_s_person(officer, stranger):
    with pytest.raises(PermissionDenied):
        services.list_key_person(officer, **listing(stranger))
    assert not KeyPerson.objects.exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.MEDIC, Role.MEMBER, Role.GUARD])
def test_roles_other_than_office_and_officer_cannot_list(make_user, unit, person, role):
    with pytest.raises(PermissionDenied):
        services.list_key_person(make_user(role, unit=unit), **listing(person))
    assert not KeyPerson.objects.exists()


def test_a_duplicate_open_entry_is_refused_naming_the_category(office, entry):
    with pytest.raises(ValidationError) as caught:
        services.list_key_person(office, **listing(entry.person, category=entry.category))
    assert "category" in caught.value.message_dict
    assert KeyPerson.objects.count() == 1


def test_the_same_person_may_be_open_in_two_categories(office, entry):
    services.list_key_person(office, **listing(entry.person, category="native"))
    assert KeyPerson.objects.filter(person=entry.person).count() == 2


def test_a_cleared_entry_does_not_block_listing_again(office, entry):
    services.clear_key_person(office, entry, "14 days without symptoms")
    again = services.list_key_person(office, **listing(entry.person, category=entry.category))
    assert again.is_open


def test_the_database_refuses_a_second_open_entry(entry):
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyPersonFactory(person=entry.person, category=entry.category)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"category": "tourist"}, "category"),
        ({"listed_on": D(2020, 2, 11)}, "listed_on"),
        ({"monitoring_until": D(2020, 1, 1), "listed_on": D(2020, 2, 1)}, "monitoring_until"),
        ({"follow_up_every": 31}, "follow_up_every"),
        ({"follow_up_kind": "letter"}, "follow_up_kind"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(
    office, person, change, field
):
    with pytest.raises(ValidationError) as caught:
        services.list_key_person(office, **listing(person, **change))
    assert field in caught.value.message_dict
    assert not KeyPerson.objects.exists()


def test_a_region_not_yet_of_concern_on_the_listing_day_is_refused(office, person, region):
    with pytest.raises(ValidationError) as caught:
        services.list_key_person(office, **listing(person, region=region, listed_on=D(2020, 1, 1)))
    assert "region" in caught.value.message_dict


def test_edit_keeps_who_when_why_and_the_old_value(officer, entry):
    services.update_key_person(
        officer, entry, change_reason="extended", monitoring_until=D(2020, 2, 20)
    )
    latest, previous = entry.history.order_by("-history_id")[:2]
    assert (previous.monitoring_until, latest.monitoring_until) == (None, D(2020, 2, 20))
    assert (latest.history_user, latest.history_change_reason) == (officer, "extended")


def test_officer_cannot_edit_another_unit_s_entry(officer, stranger_entry):
    with pytest.raises(PermissionDenied):
        services.update_key_person(officer, stranger_entry, reason="changed")
    stranger_entry.refresh_from_db()
    assert stranger_entry.reason == "返校"


def test_changing_the_category_undoes_the_verification(officer, office2, entry):
    services.verify_key_person(office2, entry)
    entry = services.update_key_person(officer, entry, category="close_contact")
    assert (entry.verified_by, entry.verified_at) == (None, None)


def test_changing_the_reason_keeps_the_verification(officer, office2, entry):
    services.verify_key_person(office2, entry)
    entry = services.update_key_person(officer, entry, reason="returned on the 2nd by train")
    assert entry.verified_by == office2


def test_an_edit_into_a_clashing_category_is_refused(office, entry):
    other = services.list_key_person(office, **listing(entry.person, category="native"))
    with pytest.raises(ValidationError) as caught:
        services.update_key_person(office, other, category=entry.category)
    assert "category" in caught.value.message_dict
    other.refresh_from_db()
    assert other.category == "native"


def test_a_cleared_entry_cannot_be_edited(office, entry):
    services.clear_key_person(office, entry, "done")
    with pytest.raises(ValidationError) as caught:
        services.update_key_person(office, entry, reason="x")
    assert "status" in caught.value.message_dict


def test_entries_are_never_deleted(entry):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        entry.person.delete()
