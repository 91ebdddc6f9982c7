"""A new access policy locks its area, not the campus the area's ordering joins: an
unrelated edit of the campus does not wait for it.

PostgreSQL only: FOR UPDATE over a join locks the joined rows too unless told `OF` which
table; SQLite locks the whole database instead.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from fangkong.access import services
from fangkong.access.models import AccessPolicy
from fangkong.core.models import Area, Campus
from fangkong.core.transactions import nesting_allowed
from fangkong.testing.locks import row_is_locked

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL: run with a PostgreSQL DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_setting_a_policy_locks_the_area_not_its_campus(school):
    with transaction.atomic(), nesting_allowed():
        services.set_policy(
            school.office,
            area=school.teaching,
            kind=AccessPolicy.Kind.OPEN,
            effective_from=timezone.now() + datetime.timedelta(minutes=1),
        )
        assert row_is_locked(Area, school.teaching.pk)
        assert not row_is_locked(Campus, school.teaching.campus_id)
