"""Households, units, home, log-in and API-token pages."""

import pytest

from fangkong.core.models import ApiToken
from fangkong.core.roles import Role
from fangkong.testing.factories import AreaFactory, HouseholdFactory, PersonFactory


def test_household_list_and_detail_show_members_and_renting(login_as, unit):
    household = HouseholdFactory(address="2-301", is_rented=True)
    PersonFactory(unit=unit, name="房东甲", residence="household", household=household)
    PersonFactory(
        unit=unit, name="租户乙", category="tenant", residence="household", household=household
    )
    client = login_as(Role.OFFICE)
    listing = client.get("/households/", {"rented": "1"}).content.decode()
    assert "2-301" in listing
    assert "2-301" not in client.get("/households/", {"rented": "0"}).content.decode()
    detail = client.get(f"/households/{household.pk}/").content.decode()
    assert "房东甲" in detail and "租户乙" in detail


def test_officer_cannot_open_a_household_without_members_of_their_unit(login_as, other_unit):
    household = HouseholdFactory()
    PersonFactory(unit=other_unit, residence="household", household=household)
    assert login_as(Role.OFFICER).get(f"/households/{household.pk}/").status_code == 404


def test_office_adds_and_edits_a_household_with_history(login_as):
    area = AreaFactory(kind="family")
    client = login_as(Role.OFFICE)
    response = client.post("/households/new/", {"area": area.pk, "address": "5-102"})
    assert response.status_code == 302
    household = area.households.get()
    client.post(
        f"/households/{household.pk}/edit/",
        {"area": area.pk, "address": "5-102", "is_rented": "on", "reason": "screening"},
    )
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "screening" in page
    household.refresh_from_db()
    assert household.is_rented


def test_household_in_a_teaching_area_is_refused_on_the_form(login_as):
    client = login_as(Role.OFFICE)
    teaching = AreaFactory(kind="teaching")
    response = client.post("/households/new/", {"area": teaching.pk, "address": "1-1"})
    assert response.status_code == 400
    assert not teaching.households.exists()


def test_officer_cannot_edit_households(login_as):
    assert login_as(Role.OFFICER).get("/households/new/").status_code == 403


def test_unit_list_shows_officer_and_head_count(login_as, make_user, unit, person):
    make_user(Role.OFFICER, unit=unit, first_name="张老师")
    page = login_as(Role.LEADER).get("/units/").content.decode()
    assert unit.name_en in page and "张老师" in page
    assert f'?unit={unit.pk}">1</a>' in page


def test_home_counts_people_by_category(login_as, unit):
    PersonFactory.create_batch(3, unit=unit, category="undergraduate")
    page = login_as(Role.OFFICE).get("/").content.decode()
    assert "Undergraduate" in page and "<strong>3</strong>" in page


def test_login_page_logs_in_and_out(client, make_user):
    user = make_user(Role.OFFICE, username="wang")
    user.set_password("a-good-password")
    user.save()
    response = client.post("/login/", {"username": "wang", "password": "a-good-password"})
    assert response.status_code == 302 and response.url == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "<summary>wang</summary>" in home.content.decode()
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error(client, make_user):
    make_user(Role.OFFICE, username="wang")
    response = client.post("/login/", {"username": "wang", "password": "nope"})
    assert response.status_code == 200
    assert "Wrong user name or password." in response.content.decode()


def test_repeated_failures_lock_the_account(client, make_user, settings):
    user = make_user(Role.OFFICE, username="wang")
    user.set_password("a-good-password")
    user.save()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "wang", "password": "wrong"})
    response = client.post("/login/", {"username": "wang", "password": "a-good-password"})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()


def test_api_token_is_shown_once_and_can_be_revoked(login_as):
    client = login_as(Role.GUARD)
    response = client.post("/account/tokens/", {"name": "east gate"})
    key = response.context["new_key"]
    assert key.startswith("fk_") and key in response.content.decode()
    token = ApiToken.objects.get()
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    assert key not in client.get("/account/tokens/").content.decode()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_another_user_s_token(login_as, make_user):
    from fangkong.core import services

    token, _raw = services.create_api_token(make_user(Role.GUARD), "west gate")
    assert login_as(Role.GUARD).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("role", Role.values)
def test_every_role_logs_in_to_a_home_page_naming_the_role(login_as, role):
    page = login_as(role).get("/").content.decode()
    assert str(Role(role).label).replace("&", "&amp;") in page


def test_chinese_names_read_family_name_first(make_user):
    assert make_user(Role.OFFICE, first_name="晓", last_name="张").get_full_name() == "张晓"
    assert make_user(Role.OFFICE, first_name="Li", last_name="Wang").get_full_name() == "Li Wang"
