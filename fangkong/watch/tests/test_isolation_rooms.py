"""Rooms of the isolation building: occupancy, a full room refused, even two at once."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from fangkong.testing.factories import PersonFactory
from fangkong.watch import selectors, services
from fangkong.watch.models import IsolationCase, IsolationRoom


def place(medic, person, room):
    return services.start_isolation(
        medic, person=person, place_kind="room", room=room, reason="密切接触者"
    )


def test_occupancy_counts_the_open_cases_in_the_room(medic, room, person, policy):
    assert selectors.isolation_rooms().get(pk=room.pk).occupancy == 0
    case = place(medic, person, room)
    assert selectors.isolation_rooms().get(pk=room.pk).occupancy == 1
    services.release_isolation(medic, case, note="期满")
    assert selectors.isolation_rooms().get(pk=room.pk).occupancy == 0


def test_a_full_room_is_refused_with_a_clear_error(medic, room, person, unit, policy):
    place(medic, person, room)
    with pytest.raises(ValidationError) as caught:
        place(medic, PersonFactory(unit=unit), room)
    assert caught.value.message_dict["room"] == [
        "Room Isolation building 101 is full (1 of 1 beds taken)."
    ]
    assert IsolationCase.objects.count() == 1


def test_an_inactive_room_is_refused(medic, room, person, policy):
    services.update_isolation_room(medic, room, is_active=False, reason="维修")
    with pytest.raises(ValidationError) as caught:
        place(medic, person, room)
    assert caught.value.message_dict["room"] == ["This room is not in use."]


def test_a_room_is_not_made_smaller_than_the_people_in_it(medic, person, unit, policy):
    room = services.create_isolation_room(medic, name="102", capacity=2)
    place(medic, person, room)
    place(medic, PersonFactory(unit=unit), room)
    with pytest.raises(ValidationError) as caught:
        services.update_isolation_room(medic, room, capacity=1)
    assert "capacity" in caught.value.message_dict


def test_capacity_below_one_and_a_duplicate_name_are_refused(medic, room):
    with pytest.raises(ValidationError) as caught:
        services.create_isolation_room(medic, name="103", capacity=0, building=room.building)
    assert "capacity" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.create_isolation_room(medic, name="101", capacity=2, building=room.building)
    assert "name" in caught.value.message_dict


def test_room_edits_are_kept_in_history(medic, room):
    services.update_isolation_room(medic, room, capacity=3, reason="加床")
    assert [h.capacity for h in room.history.order_by("history_date")] == [1, 3]


def test_leader_and_officer_do_not_keep_rooms(leader, officer):
    for user in (leader, officer):
        with pytest.raises(PermissionDenied):
            services.create_isolation_room(user, name="x", capacity=1)


@pytest.mark.django_db(transaction=True)
def test_two_placements_at_once_cannot_overfill_a_room(make_user, unit):
    from fangkong.core.roles import Role

    office = make_user(Role.OFFICE)
    medic = make_user(Role.MEDIC)
    services.create_isolation_policy(office, effective_from=datetime.date(2020, 1, 23), days=14)
    room = services.create_isolation_room(medic, name="201", capacity=1)
    people = [PersonFactory(unit=unit), PersonFactory(unit=unit)]
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(person):
        try:
            barrier.wait(timeout=5)
            place(medic, person, room)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message_dict.get("room", exc.messages)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("ok") == 1, outcomes
    assert "is full" in next(outcome for outcome in outcomes if outcome != "ok")
    assert IsolationCase.objects.filter(room=room, status="in_isolation").count() == 1
    assert IsolationRoom.objects.with_occupancy().get(pk=room.pk).occupancy == 1
