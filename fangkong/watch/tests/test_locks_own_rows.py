"""Listing and editing a key person lock what they must, not the unit or the person they
join: an unrelated edit of that unit or person does not wait for them.

PostgreSQL only: FOR UPDATE with a join (select_related, or a default ordering across a
relation) locks the joined rows too unless told `OF` which table; SQLite locks the whole
database instead.
"""

import pytest
from django.db import connection, transaction

from fangkong.core.models import Person, Unit
from fangkong.core.transactions import nesting_allowed
from fangkong.testing.locks import row_is_locked
from fangkong.watch import services
from fangkong.watch.models import KeyPerson

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL: run with a PostgreSQL DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_listing_a_key_person_locks_the_person_not_their_unit(officer, person, unit):
    with transaction.atomic(), nesting_allowed():
        services.list_key_person(officer, person=person, category="returned", reason="back")
        assert row_is_locked(Person, person.pk)
        assert not row_is_locked(Unit, unit.pk)


def test_editing_a_ledger_entry_leaves_the_person_unlocked(office, entry):
    with transaction.atomic(), nesting_allowed():
        services.update_key_person(office, entry, change_reason="typo", reason="returned 3 Feb")
        assert row_is_locked(KeyPerson, entry.pk)
        assert not row_is_locked(Person, entry.person_id)
