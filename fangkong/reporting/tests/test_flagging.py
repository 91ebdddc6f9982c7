"""Abnormal answers are flagged at once, to the unit and to the office."""

from decimal import Decimal

import pytest

from fangkong.core.roles import Role
from fangkong.reporting import selectors, services
from fangkong.reporting.tests.conftest import good_answers
from fangkong.testing.factories import HealthCheckinFactory


@pytest.mark.parametrize(
    ("temperature", "flagged"),
    [(Decimal("37.2"), False), (Decimal("37.3"), True), (Decimal("39.0"), True)],
)
def test_temperature_at_or_above_the_threshold_is_flagged(member, person, temperature, flagged):
    checkin = services.submit_checkin(member, person, **good_answers(temperature=temperature))
    assert checkin.is_abnormal is flagged


def test_any_symptom_is_flagged_even_without_fever(member, person):
    assert services.submit_checkin(member, person, **good_answers(symptoms=["fatigue"])).is_abnormal


def test_the_offices_threshold_decides(office, member, person):
    services.update_policy(office, fever_threshold=Decimal("37.5"), reason="CDC guidance")
    checkin = services.submit_checkin(member, person, **good_answers(temperature=Decimal("37.4")))
    assert not checkin.is_abnormal


def test_flagged_check_in_reaches_the_unit_officer_and_the_office(
    make_user, officer, member, person, other_unit
):
    checkin = services.submit_checkin(member, person, **good_answers(temperature=Decimal("38.2")))
    assert list(selectors.flagged_checkins(officer)) == [checkin]
    assert list(selectors.flagged_checkins(make_user(Role.OFFICE))) == [checkin]
    assert list(selectors.flagged_checkins(make_user(Role.MEDIC))) == [checkin]
    assert selectors.flagged_count(make_user(Role.OFFICER, unit=other_unit)) == 0


def test_a_corrected_flag_leaves_the_flagged_list(member, officer, person):
    first = services.submit_checkin(member, person, **good_answers(temperature=Decimal("38.2")))
    services.correct_checkin(member, first, reason="Wrong thermometer", **good_answers())
    assert selectors.flagged_count(officer) == 0


def test_flagged_page_lists_todays_flags_in_scope(login_as, person, stranger):
    mine = HealthCheckinFactory(person=person, is_abnormal=True)
    HealthCheckinFactory(person=stranger, is_abnormal=True)
    page = login_as(Role.OFFICER).get("/reporting/flagged/").content.decode()
    assert f'id="checkin-{mine.pk}"' in page
    assert stranger.name not in page


def test_flagged_block_shows_the_count(login_as, person):
    HealthCheckinFactory(person=person, is_abnormal=True)
    response = login_as(Role.OFFICE).get("/reporting/flagged/block/")
    assert response.context["flagged_count"] == 1
    assert person.name in response.content.decode()


def test_flagged_block_is_empty_for_a_member(client, member):
    client.force_login(member)
    assert client.get("/reporting/flagged/block/").status_code == 204
