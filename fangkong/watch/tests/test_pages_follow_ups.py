"""The follow-up list, the random checks, the compliance table and the regions pages."""

import datetime

import pytest

from fangkong.core.roles import Role
from fangkong.testing.factories import KeyPersonFactory, PersonFactory
from fangkong.watch import services
from fangkong.watch.models import RandomDraw, RegionOfConcern
from fangkong.watch.tests.conftest import TODAY


def test_due_page_lists_today_s_due_persons_and_progress(login_as, entry, office):
    services.record_follow_up(office, entry, kind="phone_call", outcome="well")
    KeyPersonFactory(person=PersonFactory(unit=entry.person.unit, name="未访"))
    page = login_as(Role.OFFICE).get("/watch/due/").content.decode()
    assert entry.person.name in page and "未访" in page
    assert "1 of 2 followed up" in page


def test_due_page_for_another_day(login_as, entry):
    page = login_as(Role.OFFICE).get("/watch/due/", {"day": "2020-01-31"}).content.decode()
    assert entry.person.name not in page and "Nobody is due on this day." in page


def test_due_page_refuses_a_member(login_as, entry):
    assert login_as(Role.MEMBER).get("/watch/due/").status_code == 403


def test_office_draws_and_sees_the_drawn_list_reproduced(login_as, entry):
    client = login_as(Role.OFFICE)
    response = client.post("/watch/draws/new/", {"day": TODAY.isoformat(), "size": "1"})
    draw = RandomDraw.objects.get()
    assert response["Location"] == f"/watch/draws/{draw.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert entry.person.name in page and draw.seed in page
    assert "The stored seed and population give the same list." in page
    assert "random check" in client.get("/watch/due/").content.decode()


def test_a_draw_too_big_through_the_page_names_the_size(login_as, entry):
    response = login_as(Role.OFFICE).post(
        "/watch/draws/new/", {"day": TODAY.isoformat(), "size": "2"}
    )
    assert response.status_code == 400
    assert "size" in response.context["form"].errors
    assert not RandomDraw.objects.exists()


def test_officer_cannot_draw_or_open_a_draw(login_as, entry, office):
    draw = services.draw_random_check(office, size=1)
    client = login_as(Role.OFFICER)
    assert (
        client.post("/watch/draws/new/", {"day": TODAY.isoformat(), "size": "1"}).status_code == 403
    )
    assert client.get(f"/watch/draws/{draw.pk}/").status_code == 404


def test_compliance_page_shows_units_by_days(login_as, entry, office, unit):
    services.record_follow_up(office, entry, kind="phone_call", outcome="well")
    page = (
        login_as(Role.OFFICE)
        .get("/watch/compliance/", {"start": "2020-02-09", "end": "2020-02-10"})
        .content.decode()
    )
    assert unit.display_name in page and "02-09" in page and "02-10" in page
    assert "0/1" in page and "1/1" in page and "100.0%" in page


def test_compliance_page_refuses_a_range_too_long(login_as, entry):
    response = login_as(Role.OFFICE).get(
        "/watch/compliance/", {"start": "2019-01-01", "end": "2020-02-10"}
    )
    assert "Show at most 92 days at a time." in response.content.decode()
    assert len(response.context["table"].days) == 7


def test_regions_page_lists_and_the_office_adds(login_as, region):
    client = login_as(Role.OFFICE)
    assert region.name in client.get("/watch/regions/").content.decode()
    response = client.post("/watch/regions/", {"name": "乙地", "from_date": "2020-02-01"})
    assert response.status_code == 302
    assert RegionOfConcern.objects.filter(name="乙地").exists()


def test_regions_page_refuses_a_bad_range_naming_until(login_as):
    response = login_as(Role.OFFICE).post(
        "/watch/regions/", {"name": "乙地", "from_date": "2020-02-01", "until_date": "2020-01-01"}
    )
    assert response.status_code == 400
    assert "until_date" in response.context["form"].errors
    assert not RegionOfConcern.objects.exists()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER])
def test_only_the_office_adds_regions(login_as, role):
    response = login_as(role).post("/watch/regions/", {"name": "乙地", "from_date": "2020-02-01"})
    assert response.status_code == 403
    assert not RegionOfConcern.objects.exists()


def test_ending_a_region_from_the_page(login_as, region):
    login_as(Role.OFFICE).post(f"/watch/regions/{region.pk}/end/")
    region.refresh_from_db()
    assert region.until_date == datetime.date(2020, 2, 10)
