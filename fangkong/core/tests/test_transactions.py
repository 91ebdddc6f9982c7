"""A service entry point owns its transaction: it refuses to run inside a caller's
transaction.atomic() (RuntimeError, nothing written), unless the caller composes entry
points on purpose in one_transaction() or nesting_allowed()."""

import pytest
from django.db import transaction

from fangkong.core import services
from fangkong.core.models import Household
from fangkong.core.roles import Role
from fangkong.core.transactions import entry_point, nesting_allowed, one_transaction
from fangkong.testing.factories import AreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE)


def test_a_household_is_not_folded_into_a_callers_transaction(office):
    area = AreaFactory()
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.create_household(office, area=area, address="1-101")
    assert not Household.objects.exists()


def test_an_entry_point_runs_on_its_own(office):
    household = services.create_household(office, area=AreaFactory(), address="1-101")
    assert Household.objects.get() == household


def test_in_one_transaction_entry_points_join_it_all_or_nothing(office):
    area = AreaFactory()
    with pytest.raises(ValueError, match="after the second"), one_transaction():
        services.create_household(office, area=area, address="1-101")
        services.create_household(office, area=area, address="1-102")
        raise ValueError("after the second")
    assert not Household.objects.exists()
    with one_transaction():
        services.create_household(office, area=area, address="1-101")
        services.create_household(office, area=area, address="1-102")
    assert Household.objects.count() == 2


def test_one_transaction_is_an_entry_point_itself():
    with transaction.atomic(), pytest.raises(RuntimeError), one_transaction():
        pass


def test_nesting_allowed_lasts_only_for_its_block():
    @entry_point
    def noop():
        return "ran"

    with transaction.atomic():
        with nesting_allowed():
            assert noop() == "ran"
        with pytest.raises(RuntimeError):
            noop()
