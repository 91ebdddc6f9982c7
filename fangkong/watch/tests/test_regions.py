"""Regions of concern: the office keeps a dated list; a selector tells which held on a day."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.core.roles import Role
from fangkong.watch import selectors, services
from fangkong.watch.models import RegionOfConcern

D = datetime.date


def test_office_creates_a_region_with_history(office):
    region = services.create_region(office, name=" 甲省 ", from_date=D(2020, 1, 23), note="n")
    assert region.name == "甲省"
    record = region.history.get()
    assert (record.history_user, record.history_type) == (office, "+")


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER, Role.MEDIC, Role.MEMBER])
def test_only_the_office_keeps_regions(make_user, unit, role):
    with pytest.raises(PermissionDenied):
        services.create_region(make_user(role, unit=unit), name="甲省", from_date=D(2020, 1, 23))
    assert not RegionOfConcern.objects.exists()


def test_a_region_cannot_end_before_it_starts(office):
    with pytest.raises(ValidationError) as caught:
        services.create_region(
            office, name="甲省", from_date=D(2020, 2, 1), until_date=D(2020, 1, 1)
        )
    assert "until_date" in caught.value.message_dict
    assert not RegionOfConcern.objects.exists()


def test_a_region_needs_a_name(office):
    with pytest.raises(ValidationError) as caught:
        services.create_region(office, name="  ", from_date=D(2020, 2, 1))
    assert "name" in caught.value.message_dict


def test_ending_a_region_sets_until_and_keeps_the_old_value(office, region):
    services.end_region(office, region, D(2020, 3, 1), reason="lifted")
    region.refresh_from_db()
    assert region.until_date == D(2020, 3, 1)
    latest, previous = region.history.order_by("-history_id")[:2]
    assert (previous.until_date, latest.until_date) == (None, D(2020, 3, 1))
    assert latest.history_change_reason == "lifted"


def test_an_ended_region_cannot_be_ended_again(office, region):
    services.end_region(office, region, D(2020, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.end_region(office, region, D(2020, 3, 2))
    assert "until_date" in caught.value.message_dict


def test_editing_a_region_records_who_and_why(office, region):
    services.update_region(office, region, reason="typo", name="乙省")
    latest = region.history.order_by("-history_id").first()
    assert (latest.name, latest.history_user, latest.history_change_reason) == (
        "乙省",
        office,
        "typo",
    )


def test_regions_of_concern_on_a_date(office):
    early = services.create_region(
        office, name="早", from_date=D(2020, 1, 1), until_date=D(2020, 1, 31)
    )
    open_ended = services.create_region(office, name="长", from_date=D(2020, 1, 20))
    later = services.create_region(office, name="晚", from_date=D(2020, 2, 15))
    assert set(selectors.regions_of_concern_on(D(2020, 1, 31))) == {early, open_ended}
    assert set(selectors.regions_of_concern_on(D(2020, 2, 1))) == {open_ended}
    assert set(selectors.regions_of_concern_on(D(2020, 2, 15))) == {open_ended, later}
    assert not selectors.regions_of_concern_on(D(2019, 12, 31)).exists()
