"""Person numbers (学工号) are kept in one form — what a pass code carries and a gate types —
and the migration that brought stored numbers into it."""

import importlib

import pytest
from django.apps import apps

from fangkong.core.history import coded, reason_text
from fangkong.core.identity import normalise_person_number, person_number_problem
from fangkong.core.models import Person
from fangkong.testing.factories import PersonFactory

migration = importlib.import_module("fangkong.core.migrations.0005_person_numbers_normalised")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("T20250601", "T20250601"),
        ("Ｔ２０２５０６０１", "T20250601"),  # full-width, as a Chinese input method types
        ("t2025０６０１", "T20250601"),
        ("  tx－2020—0001\u3000", "TX-2020-0001"),  # full-width and em dashes, ideographic space
        ("T 2025 0601", "T20250601"),
        ("ı1", "ı1"),  # a dotless i is not upper-cased into an I: it stays, to be refused
    ],
)
def test_person_numbers_are_normalised(typed, kept):
    assert normalise_person_number(typed) == kept


@pytest.mark.parametrize("number", ["T2025学", "ı1", "T_1", "T.1"])
def test_what_is_not_ascii_letters_digits_and_hyphens_is_refused(number):
    assert person_number_problem(normalise_person_number(number)) is not None


def test_the_migration_keeps_its_own_copy_of_the_rule():
    for typed in ("Ｔ２０２５０６０１", "  tx－2020—0001\u3000", "ı1", "T 1"):
        assert migration.normalised(typed) == normalise_person_number(typed)


def _stored(number: str) -> Person:
    """A person whose number was stored as typed, as before the migration."""
    person = PersonFactory()
    Person.objects.filter(pk=person.pk).update(person_number=number)
    return person


@pytest.mark.django_db
def test_the_migration_normalises_stored_numbers_and_leaves_clashes_alone():
    full_width = _stored("Ｔ２０２５０６０１")
    ascii_a1, full_width_a1 = _stored("A1"), _stored("ａ１")  # would become A1: a clash
    one, other = _stored("Ｔ５"), _stored("t5")  # both would become T5
    chinese = _stored("学号1")
    untouched = _stored("P9")

    left = migration.normalise_stored_numbers(apps)

    assert sorted(left) == [
        (full_width_a1.pk, "ａ１", migration.CLASH),
        (one.pk, "Ｔ５", migration.CLASH),
        (other.pk, "t5", migration.CLASH),
        (chinese.pk, "学号1", migration.NOT_ASCII),
    ]
    numbers = dict(Person.objects.values_list("pk", "person_number"))
    assert numbers == {
        full_width.pk: "T20250601",
        ascii_a1.pk: "A1",
        full_width_a1.pk: "ａ１",
        one.pk: "Ｔ５",
        other.pk: "t5",
        chinese.pk: "学号1",
        untouched.pk: "P9",
    }
    record = Person.history.filter(id=full_width.pk).order_by("-history_id").first()
    assert (record.person_number, record.history_type, record.history_change_reason) == (
        "T20250601",
        "~",
        coded("number_normalised"),
    )
    assert reason_text(record.history_change_reason) == "Person number normalised"
    assert not Person.history.filter(id=untouched.pk, history_type="~").exists()
    # A second run has nothing left to change.
    assert sorted(migration.normalise_stored_numbers(apps)) == sorted(left)
