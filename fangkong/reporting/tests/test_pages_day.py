"""The officer's day page: the unit's check-ins, who has not checked in, entering one."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.core.roles import Role
from fangkong.reporting.models import HealthCheckin
from fangkong.reporting.tests.conftest import form_data
from fangkong.testing.factories import HealthCheckinFactory, PersonFactory

URL = "/reporting/day/"


def test_day_page_highlights_abnormal_rows_and_lists_who_has_not_checked_in(login_as, unit, person):
    feverish = PersonFactory(unit=unit, name="发烧者")
    absent = PersonFactory(unit=unit, name="未打卡者")
    HealthCheckinFactory(person=person)
    flagged = HealthCheckinFactory(person=feverish, is_abnormal=True)
    response = login_as(Role.OFFICER).get(URL)
    page = response.content.decode()
    # The row also carries its id in data-id (for the page-and-API comparison).
    assert f'<tr class="abnormal" id="checkin-{flagged.pk}" data-id="{flagged.pk}">' in page
    assert list(response.context["missing"]) == [absent]
    assert response.context["summary"] == {
        "expected": 3,
        "checked_in": 2,
        "flagged": 1,
        "missing": 1,
    }


def test_officer_day_page_shows_nothing_of_another_unit(login_as, person, stranger):
    HealthCheckinFactory(person=stranger)
    page = login_as(Role.OFFICER).get(URL).content.decode()
    assert stranger.name not in page and stranger.person_number not in page


def test_officer_cannot_pick_another_unit_on_the_day_page(login_as, other_unit, stranger):
    HealthCheckinFactory(person=stranger)
    response = login_as(Role.OFFICER).get(URL, {"unit": other_unit.pk})
    assert stranger.name not in response.content.decode()


def test_day_page_shows_the_chosen_date(login_as, person, today):
    yesterday = today - datetime.timedelta(days=1)
    HealthCheckinFactory(person=person, date=yesterday)
    client = login_as(Role.OFFICER)
    assert person.name in client.get(URL, {"date": yesterday.isoformat()}).content.decode()
    assert list(client.get(URL).context["page"]) == []


def test_htmx_request_gets_only_the_rows(login_as, person):
    HealthCheckinFactory(person=person)
    body = login_as(Role.OFFICER).get(URL, HTTP_HX_REQUEST="true").content.decode()
    assert person.name in body and "<html" not in body


def test_member_cannot_open_the_day_page(client, member):
    client.force_login(member)
    assert client.get(URL).status_code == 403


def test_day_page_query_count_does_not_grow_with_the_list(login_as, unit):
    client = login_as(Role.OFFICER)

    pages = []

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
        assert response.status_code == 200
        pages.append(response.content.decode())
        return len(captured)

    people = [PersonFactory(unit=unit, name="日报01")]
    HealthCheckinFactory(person=people[0])
    few = queries()
    for n in range(2, 21):
        people.append(PersonFactory(unit=unit, name=f"日报{n:02d}"))
        HealthCheckinFactory(person=people[-1], is_abnormal=True)
    assert queries() == few
    for person in people:
        assert person.name in pages[-1]


def test_officer_enters_a_check_in_for_a_person_of_the_unit(login_as, person):
    client = login_as(Role.OFFICER)
    data = form_data(person_number=person.person_number, date=str(datetime.date.today()))
    response = client.post("/reporting/day/enter/", data)
    assert response.status_code == 302
    checkin = HealthCheckin.objects.get()
    assert checkin.person == person and checkin.channel == HealthCheckin.Channel.OFFICER


def test_officer_cannot_enter_for_a_person_of_another_unit(login_as, stranger, today):
    client = login_as(Role.OFFICER)
    data = form_data(person_number=stranger.person_number, date=today.isoformat())
    response = client.post("/reporting/day/enter/", data)
    assert response.status_code == 400
    assert "person_number" in response.context["form"].errors
    assert not HealthCheckin.objects.exists()


def test_entering_a_second_check_in_of_the_day_points_to_correct(login_as, person, today):
    HealthCheckinFactory(person=person)
    client = login_as(Role.OFFICER)
    data = form_data(person_number=person.person_number, date=today.isoformat())
    response = client.post("/reporting/day/enter/", data)
    assert response.status_code == 400
    assert "Correct" in response.context["form"].errors["date"][0]
    assert HealthCheckin.objects.count() == 1


def test_entering_a_closed_day_is_refused(login_as, person, today):
    client = login_as(Role.OFFICER)
    closed = (today - datetime.timedelta(days=10)).isoformat()
    data = form_data(person_number=person.person_number, date=closed)
    response = client.post("/reporting/day/enter/", data)
    assert "is closed" in response.context["form"].errors["date"][0]
    assert not HealthCheckin.objects.exists()
