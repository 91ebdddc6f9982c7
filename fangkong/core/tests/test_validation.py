"""full_clean without the per-row queries: the same errors as Django's, fewer queries."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.core.roles import Role
from fangkong.core.validation import full_clean
from fangkong.watch.models import KeyPerson, RegionOfConcern

pytestmark = pytest.mark.django_db

DAY = datetime.date(2020, 2, 1)


@pytest.fixture
def entry(person, make_user):
    region = RegionOfConcern.objects.create(name="湖北省", from_date=DAY)
    office = make_user(Role.OFFICE)
    return KeyPerson(
        person=person,
        category=KeyPerson.Category.NATIVE,
        region=region,
        reason="籍贯湖北",
        listed_on=DAY,
        responsible=office,
        listed_by=office,
        follow_up_every=0,
    )


def test_every_check_constraint_of_a_row_in_one_query(entry):
    with CaptureQueriesContext(connection) as django_way:
        entry.full_clean()
    with CaptureQueriesContext(connection) as ours:
        full_clean(entry)
    # Django: a query per loaded foreign key and per check constraint; ours: the unique
    # constraints' own look-ups and one query for all the checks.
    assert len(ours) < len(django_way) - 4
    assert sum("_check_" in query["sql"] for query in ours) == 1


def test_a_broken_check_constraint_gives_its_message(entry):
    entry.monitoring_until = DAY - datetime.timedelta(days=1)
    entry.verified_at = datetime.datetime(2020, 2, 1, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as django_error:
        entry.full_clean()
    with pytest.raises(ValidationError) as our_error:
        full_clean(entry)
    assert our_error.value.message_dict == django_error.value.message_dict
    assert sorted(our_error.value.message_dict[NON_FIELD_ERRORS]) == [
        "A verification records who and when.",
        "Monitoring cannot end before the person was listed.",
    ]


def test_an_unknown_value_holds_as_in_the_database(entry):
    entry.monitoring_until = None  # NULL: the check holds
    full_clean(entry)


def test_a_foreign_key_given_by_id_is_still_looked_up(entry):
    entry.region = None
    entry.region_id = 999_999
    with pytest.raises(ValidationError) as error:
        full_clean(entry)
    assert "region" in error.value.message_dict
