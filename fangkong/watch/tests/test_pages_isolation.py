"""The isolation pages: what each role is shown, what it may do, and what it is refused."""

import datetime
from decimal import Decimal

import pytest

from fangkong.core.roles import Role
from fangkong.watch import services
from fangkong.watch.models import IsolationCase, IsolationCheck
from fangkong.watch.tests.conftest import TODAY, at

LIST = "/watch/isolation/"


def test_the_list_shows_cases_and_person_times(login_as, home_case, stranger_case):
    response = login_as(Role.MEDIC).get(LIST)
    page = response.content.decode()
    assert home_case.person.name in page and stranger_case.person.name in page
    assert "2 person-times" in page
    assert '<th id="open-total">2</th>' in page
    places = {row["place_kind"]: row["count"] for row in response.context["summary"].open_by_place}
    assert places == {"home": 1, "room": 0, "hospital": 1}
    assert "Start an isolation" in page


def test_the_list_filters_by_place_and_htmx_gets_only_the_rows(login_as, home_case, stranger_case):
    client = login_as(Role.OFFICE)
    response = client.get(LIST, {"place_kind": "hospital"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page
    assert stranger_case.person.name in page and home_case.person.name not in page


def test_the_leader_reads_but_is_not_offered_writes(login_as, home_case):
    page = login_as(Role.LEADER).get(LIST).content.decode()
    assert home_case.person.name in page
    assert "Start an isolation" not in page
    detail = login_as(Role.LEADER).get(f"{LIST}{home_case.pk}/").content.decode()
    assert "Record a check" not in detail and "Release" not in detail


def test_an_officer_sees_only_their_unit_s_cases(login_as, home_case, stranger_case):
    client = login_as(Role.OFFICER)
    page = client.get(LIST).content.decode()
    assert home_case.person.name in page and stranger_case.person.name not in page
    assert client.get(f"{LIST}{stranger_case.pk}/").status_code == 404
    own = client.get(f"{LIST}{home_case.pk}/")
    assert own.status_code == 200
    assert home_case.person.name in own.content.decode()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUARD, Role.STOREKEEPER, Role.DISINFECTOR])
def test_roles_without_isolation_are_refused(login_as, home_case, role):
    client = login_as(role)
    for path in (LIST, "/watch/isolation/checks/", "/watch/isolation/export.xlsx"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert home_case.person.name not in response.content.decode()
    assert client.get(f"{LIST}{home_case.pk}/").status_code == 404


def test_a_member_does_not_see_their_own_case(login_as, home_case):
    client = login_as(Role.MEMBER, person=home_case.person)
    assert client.get(f"{LIST}{home_case.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICER])
def test_readers_cannot_write(login_as, home_case, role):
    client = login_as(role)
    assert client.post("/watch/isolation/new/", {}).status_code == 403
    response = client.post(f"{LIST}{home_case.pk}/checks/", {"temperature": "36.5"})
    assert response.status_code == 403
    response = client.post(f"{LIST}{home_case.pk}/release/", {"release-note": "x"})
    assert response.status_code == 403
    assert not IsolationCheck.objects.exists()
    home_case.refresh_from_db()
    assert home_case.is_open


def test_starting_a_case_from_the_form(login_as, family_person, policy):
    response = login_as(Role.MEDIC).post(
        "/watch/isolation/new/",
        {
            "person_number": family_person.person_number,
            "place_kind": "home",
            "reason": "自武汉返回",
            "ordered_by": "school",
        },
    )
    case = IsolationCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST}{case.pk}/"
    assert (case.household, case.planned_end) == (
        family_person.household,
        TODAY + datetime.timedelta(days=14),
    )


def test_the_form_shows_the_field_errors(login_as, family_person, policy):
    response = login_as(Role.MEDIC).post(
        "/watch/isolation/new/",
        {
            "person_number": family_person.person_number,
            "place_kind": "home",
            "reason": "x",
            "ordered_by": "cdc",
            "start_date": "2020-02-11",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "cdc_reference" in form.errors and "start_date" in form.errors
    page = response.content.decode()
    assert "An isolation ordered by the CDC needs its reference." in page
    assert "This date is in the future." in page
    assert not IsolationCase.objects.exists()


def test_an_unknown_person_number_is_a_field_error(login_as, policy):
    response = login_as(Role.MEDIC).post(
        "/watch/isolation/new/",
        {"person_number": "NOPE", "place_kind": "home", "reason": "x", "ordered_by": "school"},
    )
    assert response.status_code == 400
    assert "No person has this number." in response.content.decode()


def test_a_full_room_is_shown_as_a_field_error(login_as, room, person, unit, medic, policy):
    from fangkong.testing.factories import PersonFactory

    services.start_isolation(medic, person=person, place_kind="room", room=room, reason="x")
    other = PersonFactory(unit=unit)
    response = login_as(Role.MEDIC).post(
        "/watch/isolation/new/",
        {
            "person_number": other.person_number,
            "place_kind": "room",
            "room": room.pk,
            "reason": "x",
            "ordered_by": "school",
        },
    )
    assert response.status_code == 400
    assert "is full (1 of 1 beds taken)" in response.content.decode()


def test_the_detail_shows_the_case_its_checks_and_the_fever(login_as, home_case, medic):
    services.record_isolation_check(medic, home_case, temperature="37.8", slot="morning")
    page = login_as(Role.LEADER).get(f"{LIST}{home_case.pk}/").content.decode()
    assert "2020-02-19" in page  # planned end: 5 February + 14 days
    assert "37.8 °C" in page and "fever" in page
    assert home_case.person.phone_masked in page and home_case.person.phone not in page
    assert "自湖北返回" in page


def test_recording_a_check_from_the_detail_page(login_as, home_case):
    client = login_as(Role.MEDIC)
    response = client.post(f"{LIST}{home_case.pk}/checks/", {"temperature": "38.1"})
    assert response.status_code == 302
    check = IsolationCheck.objects.get()
    assert (check.slot, check.is_fever) == ("afternoon", True)
    page = client.get(response["Location"]).content.decode()
    assert "is a fever" in page


def test_a_bad_temperature_is_shown_on_the_form(login_as, home_case):
    response = login_as(Role.MEDIC).post(f"{LIST}{home_case.pk}/checks/", {"temperature": "45.0"})
    assert response.status_code == 400
    assert "between 34.0 and 43.0" in response.content.decode()
    assert not IsolationCheck.objects.exists()


def test_correcting_a_check_keeps_the_earlier_one(login_as, home_case, medic):
    check = services.record_isolation_check(medic, home_case, temperature="39.0")
    client = login_as(Role.OFFICE)
    assert "39.0" in client.get(f"/watch/isolation/checks/{check.pk}/correct/").content.decode()
    response = client.post(
        f"/watch/isolation/checks/{check.pk}/correct/", {"temperature": "36.9", "reason": "看错"}
    )
    assert response.status_code == 302
    assert IsolationCheck.objects.count() == 2
    assert IsolationCheck.objects.current().get().temperature == Decimal("36.9")
    page = client.get(f"{LIST}{home_case.pk}/").content.decode()
    assert "<del>corrected</del>" in page and "看错" in page


def test_release_from_the_detail_page_and_its_errors(login_as, home_case):
    client = login_as(Role.MEDIC)
    response = client.post(f"{LIST}{home_case.pk}/release/", {"release-end_date": "2020-02-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    response = client.post(
        f"{LIST}{home_case.pk}/release/",
        {"release-note": "期满", "release-end_date": "2020-02-01"},
    )
    assert response.status_code == 400
    assert "An isolation cannot end before it starts." in response.content.decode()
    response = client.post(f"{LIST}{home_case.pk}/release/", {"release-note": "期满解除"})
    assert response.status_code == 302
    home_case.refresh_from_db()
    assert home_case.status == "released"
    page = client.get(f"{LIST}{home_case.pk}/").content.decode()
    assert "期满解除" in page and "Record a check" in page  # late checks may still be added


def test_transfer_from_the_detail_page(login_as, home_case):
    response = login_as(Role.MEDIC).post(
        f"{LIST}{home_case.pk}/transfer/",
        {"transfer-hospital": "唐都医院", "transfer-note": "发热转院"},
    )
    assert response.status_code == 302
    home_case.refresh_from_db()
    assert (home_case.status, home_case.transferred_to) == ("transferred", "唐都医院")


def test_the_checks_page_lists_who_is_due_this_slot(login_as, home_case, stranger_case, medic):
    services.record_isolation_check(medic, home_case, temperature="36.6", at=at(TODAY, 15))
    response = login_as(Role.MEDIC).get("/watch/isolation/checks/")
    assert response.context["slot"] == "afternoon"
    assert [row.case for row in response.context["due"]] == [stranger_case]
    page = response.content.decode()
    assert "Due (Afternoon): 1" in page
    assert "36.6 °C" in page


def test_the_checks_page_records_a_due_check_and_returns(login_as, stranger_case):
    client = login_as(Role.MEDIC)
    response = client.post(
        f"{LIST}{stranger_case.pk}/checks/",
        {
            "temperature": "36.7",
            "date": "2020-02-10",
            "slot": "morning",
            "next": "/watch/isolation/checks/?slot=morning",
        },
    )
    assert response["Location"] == "/watch/isolation/checks/?slot=morning"
    assert client.get(response["Location"]).context["due"] == []


def _isolate_many(medic, unit, other_unit, room, first: int, last: int) -> list:
    """Cases `first`..`last` (at home, in the room, in hospital in turn, half of them of
    the other unit), each with its morning check of today."""
    from fangkong.testing.factories import HouseholdFactory, PersonFactory

    cases = []
    for n in range(first, last + 1):
        kind = ("home", "room", "hospital")[n % 3]
        person = PersonFactory(
            name=f"隔离{n:02d}",
            unit=unit if n % 2 else other_unit,
            **(
                {"residence": "household", "household": HouseholdFactory()}
                if kind == "home"
                else {}
            ),
        )
        case = services.start_isolation(
            medic,
            person=person,
            place_kind=kind,
            reason="密切接触",
            start_date=datetime.date(2020, 2, 5),
            room=room if kind == "room" else None,
            hospital="西安市第八医院" if kind == "hospital" else "",
        )
        services.record_isolation_check(
            medic, case, temperature=f"36.{n % 10}", slot="morning", at=at(TODAY, 8)
        )
        cases.append(case)
    return cases


def test_the_checks_page_does_not_grow_in_queries_with_its_rows(
    login_as, medic, unit, other_unit, policy
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangkong.testing.factories import AreaFactory, BuildingFactory

    building = BuildingFactory(area=AreaFactory(kind="isolation"), name="隔离楼")
    room = services.create_isolation_room(medic, name="201", capacity=20, building=building)
    client = login_as(Role.MEDIC)
    counts = {}
    for first, last in ((1, 2), (3, 20)):
        _isolate_many(medic, unit, other_unit, room, first, last)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/watch/isolation/checks/")
        counts[last] = len(queries)
    assert counts[20] == counts[2], counts
    page = response.content.decode()
    assert "Due (Afternoon): 20" in page
    due = page[page.index('id="checks-due"') : page.index('id="check-sheet"')]
    sheet = page[page.index('id="check-sheet"') :]
    for n in range(1, 21):
        assert due.count(f">隔离{n:02d}</a>") == 1
        assert sheet.count(f">隔离{n:02d}</a>") == 1
    assert sheet.count("°C") == 20
    assert "36.7 °C" in sheet
    assert "西安市第八医院" in due and "201" in due


def test_the_rooms_page_shows_occupancy_and_adds_a_room(login_as, room, person, medic, policy):
    services.start_isolation(medic, person=person, place_kind="room", room=room, reason="x")
    client = login_as(Role.MEDIC)
    page = client.get("/watch/isolation/rooms/").content.decode()
    assert "1 / 1" in page and "full" in page
    response = client.post(
        "/watch/isolation/rooms/", {"building": room.building_id, "name": "102", "capacity": "0"}
    )
    assert response.status_code == 400
    assert "A room has at least one bed." in response.content.decode()
    response = client.post(
        "/watch/isolation/rooms/", {"building": room.building_id, "name": "102", "capacity": "2"}
    )
    assert response.status_code == 302


def test_an_officer_cannot_open_the_rooms(login_as, room):
    assert login_as(Role.OFFICER).get("/watch/isolation/rooms/").status_code == 403


def test_the_policy_page_is_kept_by_the_office(login_as, policy):
    client = login_as(Role.OFFICE)
    page = client.get("/watch/isolation/policy/").content.decode()
    assert "2020-01-23" in page and "in force" in page
    response = client.post(
        "/watch/isolation/policy/", {"effective_from": "2020-02-10", "days": "7", "note": "新"}
    )
    assert response.status_code == 302
    response = client.post(
        "/watch/isolation/policy/", {"effective_from": "2020-02-10", "days": "7"}
    )
    assert response.status_code == 400
    assert "A policy already starts on this day." in response.content.decode()
    medic = login_as(Role.MEDIC)
    assert "Add a policy" not in medic.get("/watch/isolation/policy/").content.decode()
    assert medic.post("/watch/isolation/policy/", {"days": "3"}).status_code == 403


def test_the_home_block_shows_isolation_and_checks_due(login_as, home_case, stranger_case):
    page = login_as(Role.MEDIC).get("/watch/isolation/home-block/").content.decode()
    assert "<strong>2</strong>" in page
    assert "Temperature checks due (Afternoon): 2" in page
    officer = login_as(Role.OFFICER).get("/watch/isolation/home-block/").content.decode()
    assert "<strong>1</strong>" in officer


def test_the_home_block_is_empty_for_a_member(login_as):
    response = login_as(Role.MEMBER).get("/watch/isolation/home-block/")
    assert response.status_code == 200 and response.content.decode().strip() == ""


def test_the_home_page_loads_the_isolation_block(login_as):
    page = login_as(Role.MEDIC).get("/").content.decode()
    assert 'hx-get="/watch/isolation/home-block/"' in page
    assert 'href="/watch/isolation/"' in page and 'href="/watch/incidents/"' in page
