"""Random phone checks: a seeded, stored, reproducible draw from the persons under watch."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.core.roles import Role
from fangkong.testing.factories import KeyPersonFactory, PersonFactory
from fangkong.watch import services
from fangkong.watch.models import RandomDraw
from fangkong.watch.tests.conftest import TODAY


@pytest.fixture
def watched(unit):
    """Twelve persons under watch, one of them in two categories."""
    people = [PersonFactory(unit=unit) for _n in range(12)]
    for person in people:
        KeyPersonFactory(person=person, category="returned")
    KeyPersonFactory(person=people[0], category="native")
    return people


def test_a_draw_stores_day_size_seed_population_drawn_and_who(office, watched):
    draw = services.draw_random_check(office, size=5)
    draw.refresh_from_db()
    assert (draw.day, draw.size, draw.drawn_by) == (TODAY, 5, office)
    assert draw.population == sorted(person.pk for person in watched)
    assert len(draw.drawn) == 5 and set(draw.drawn) <= set(draw.population)
    assert len(set(draw.drawn)) == 5 and draw.seed


def test_redo_draw_gives_the_same_list(office, watched):
    draw = services.draw_random_check(office, size=4)
    stored = RandomDraw.objects.get(pk=draw.pk)
    assert services.redo_draw(stored) == stored.drawn


def test_the_same_seed_and_population_give_the_same_draw(office, watched):
    first = services.draw_random_check(office, size=6, seed="20200210")
    second = services.draw_random_check(office, size=6, seed="20200210")
    other = services.draw_random_check(office, size=6, seed="another")
    assert first.drawn == second.drawn
    assert other.drawn != first.drawn


def test_the_sample_is_the_documented_hash_order():
    import hashlib

    population = [3, 5, 8, 13, 21]
    expected = sorted(population, key=lambda i: hashlib.sha256(f"s:{i}".encode()).hexdigest())
    assert services.draw_sample(population, 2, "s") == expected[:2]


def test_a_draw_bigger_than_the_population_is_refused(office, watched):
    with pytest.raises(ValidationError) as caught:
        services.draw_random_check(office, size=13)
    assert "size" in caught.value.message_dict
    assert "12" in caught.value.message_dict["size"][0]
    assert not RandomDraw.objects.exists()


def test_a_draw_of_nobody_is_refused(office, watched):
    with pytest.raises(ValidationError) as caught:
        services.draw_random_check(office, size=0)
    assert "size" in caught.value.message_dict


def test_a_draw_for_a_future_day_is_refused(office, watched):
    with pytest.raises(ValidationError) as caught:
        services.draw_random_check(office, day=TODAY + datetime.timedelta(days=1), size=1)
    assert "day" in caught.value.message_dict


def test_a_draw_by_category_draws_from_that_category_only(office, watched):
    draw = services.draw_random_check(office, size=1, category="native")
    assert draw.population == [watched[0].pk] and draw.drawn == [watched[0].pk]


def test_cleared_persons_are_not_in_the_population(office, watched):
    services.clear_key_person(office, watched[1].key_person_entries.get(), "well", cleared_on=TODAY)
    draw = services.draw_random_check(office, size=1)
    assert watched[1].pk not in draw.population


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER, Role.MEDIC])
def test_only_the_office_draws(make_user, unit, watched, role):
    with pytest.raises(PermissionDenied):
        services.draw_random_check(make_user(role, unit=unit), size=1)
    assert not RandomDraw.objects.exists()
