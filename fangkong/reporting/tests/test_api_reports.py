"""/api/v1/reporting/: unit daily reports through the API — the office's fields and rules,
the officer's report, the office's review, completeness and the consolidated table; each
bad input named, each other unit's report out of reach."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from fangkong.core import services as core_services
from fangkong.core.roles import Role
from fangkong.reporting import services
from fangkong.reporting.models import ReportEvent, ReportField, ReportValue, UnitReport
from fangkong.reporting.tests.conftest import at, good_answers
from fangkong.testing.factories import PersonFactory, UnitFactory

BASE = "/api/v1/reporting"
GOOD = {"natives": 10, "in_region": 3, "people": 12, "flagged": 0}  # for `staffed_unit`
UNSTAFFED = {**GOOD, "people": 0}  # for a unit without people

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, make_user, unit):
    """api(role, **fields) -> the test client sending a new user's bearer token."""

    def as_role(role: str, **fields):
        if role == Role.OFFICER:
            fields.setdefault("unit", unit)
        user = make_user(role, **fields)
        _token, raw = core_services.create_api_token(user, "test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        client.user = user
        return client

    return as_role


@pytest.fixture
def staffed_unit(unit):
    PersonFactory.create_batch(12, unit=unit)
    return unit


def post(client, path, data):
    return client.post(BASE + path, data, content_type="application/json")


def patch(client, path, data):
    return client.patch(BASE + path, data, content_type="application/json")


def get(client, path, **params):
    return client.get(BASE + path, params)


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def error_text(response) -> str:
    data = response.json()
    return " ".join([data["detail"], *(error["message"] for error in data["errors"])])


def figures_of(data) -> dict:
    return {figure["code"]: figure for figure in data["figures"]}


def nothing_written() -> bool:
    return not (
        UnitReport.objects.exists() or ReportValue.objects.exists() or ReportEvent.objects.exists()
    )


def bearer(user) -> str:
    """The header of another token of `user`: the `api` client speaks for one user at a time."""
    _token, raw = core_services.create_api_token(user, "again")
    return f"Bearer {raw}"


def new_report(client, unit, day, **changes):
    body = {"unit": unit.pk, "date": day.isoformat(), "values": GOOD, "submit": True}
    body.update(changes)
    return post(client, "/reports", body)


# ---- the workflow -----------------------------------------------------------------------------


@pytest.fixture
def nine_oclock(today):
    """The clock at 09:00 today and running: before the policy's 10:00 deadline."""
    with time_machine.travel(at(today, 9), tick=True):
        yield


def test_the_whole_review_workflow_through_the_api(
    report_definition, api, staffed_unit, today, nine_oclock
):
    officer_client = api(Role.OFFICER)
    officer = officer_client.user
    response = new_report(officer_client, staffed_unit, today, note="all well")
    assert response.status_code == 200, response.content
    report = response.json()
    report_id = report["id"]
    assert (report["status"], report["on_time"], report["note"]) == ("submitted", True, "all well")
    assert report["submitted_by"] == officer.username
    assert report["unit_id"] == staffed_unit.pk
    figures = figures_of(report)
    assert [figure["code"] for figure in report["figures"]] == [
        "natives",
        "in_region",
        "people",
        "flagged",
    ]
    natives = figures["natives"]["current"]
    assert (natives["value"], natives["kind"], natives["given_by"]) == (
        10,
        "officer",
        officer.username,
    )
    assert natives["computed"] is None and natives["reason"] == ""
    people = figures["people"]
    assert (people["current"]["value"], people["current"]["computed"]) == (12, 12)
    assert (people["ledger"], people["difference"], people["is_computed"]) == (12, 0, True)
    assert figures["natives"]["ledger"] is None
    assert [event["action"] for event in report["events"]] == ["submitted"]
    rules = {rule["priority"]: rule for rule in report["rules"]}
    assert (rules["high"]["left"], rules["high"]["right"], rules["high"]["holds"]) == (3, 10, True)
    assert rules["high"]["blocks"] is False
    assert (rules["medium"]["left"], rules["medium"]["right"]) == (10, 12)

    office_client = api(Role.OFFICE)
    office = office_client.user
    response = post(office_client, f"/reports/{report_id}/return", {"comment": "in_region: check"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "returned"
    assert response.json()["events"][-1]["comment"] == "in_region: check"

    officer_client.defaults["HTTP_AUTHORIZATION"] = bearer(officer)
    response = patch(officer_client, f"/reports/{report_id}", {"values": {"in_region": 5}})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "returned"  # saved, not yet submitted
    assert response.json()["note"] == "all well"  # a note left out stays
    response = patch(officer_client, f"/reports/{report_id}", {"submit": True})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "submitted"
    in_region = figures_of(data)["in_region"]
    assert in_region["current"]["value"] == 5
    assert [version["value"] for version in in_region["versions"]] == [3, 5]
    assert in_region["versions"][0]["superseded_at"] is not None

    office_client.defaults["HTTP_AUTHORIZATION"] = bearer(office)
    response = post(
        office_client,
        f"/reports/{report_id}/correct",
        {"field": "natives", "value": 11, "reason": "one more found in the roster"},
    )
    assert response.status_code == 200, response.content
    natives = figures_of(response.json())["natives"]
    current = natives["current"]
    assert (current["value"], current["kind"], current["given_by"]) == (
        11,
        "office",
        office.username,
    )
    assert current["reason"] == "one more found in the roster"
    assert [(v["value"], v["kind"]) for v in natives["versions"]] == [
        (10, "officer"),
        (11, "office"),
    ]

    response = post(office_client, f"/reports/{report_id}/approve", {"comment": "fine"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["approved_by"]) == ("approved", office.username)
    assert [event["action"] for event in data["events"]] == [
        "submitted",
        "returned",
        "saved",
        "submitted",
        "corrected",
        "approved",
    ]
    assert data["events"][-1]["comment"] == "fine"

    officer_client.defaults["HTTP_AUTHORIZATION"] = bearer(officer)
    response = get(officer_client, f"/reports/{report_id}")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_an_officer_saves_a_draft_then_submits(report_definition, api, staffed_unit, today):
    client = api(Role.OFFICER)
    response = new_report(client, staffed_unit, today, values={"natives": 4}, submit=False)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["first_submitted_at"], data["on_time"]) == ("draft", None, None)
    assert figures_of(data)["in_region"]["current"] is None
    assert {rule["holds"] for rule in data["rules"]} == {None}  # figures still missing

    response = patch(client, f"/reports/{data['id']}", {"values": GOOD, "submit": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"


def test_a_nil_report_in_one_call(report_definition, api, staffed_unit, today):
    client = api(Role.OFFICER)
    response = post(client, "/reports/nil", {"unit": staffed_unit.pk, "date": today.isoformat()})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["is_nil"]) == ("submitted", True)
    given = {code: figure["current"]["value"] for code, figure in figures_of(data).items()}
    assert given == {"natives": 0, "in_region": 0, "people": 12, "flagged": 0}


def test_an_officer_lists_their_reports_with_filters(
    report_definition, api, office, staffed_unit, other_unit, today
):
    yesterday = today - datetime.timedelta(days=1)
    services.create_report(office, staffed_unit, yesterday, values=GOOD, submit=True)
    services.create_report(office, staffed_unit, today, values={"natives": 1})
    services.create_report(office, other_unit, today, values={"natives": 1})
    client = api(Role.OFFICER)

    response = get(client, "/reports")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [(item["date"], item["status"]) for item in data["items"]] == [
        (today.isoformat(), "draft"),
        (yesterday.isoformat(), "submitted"),
    ]
    assert get(client, "/reports", status="submitted").json()["count"] == 1
    assert get(client, "/reports", day=yesterday.isoformat()).json()["count"] == 1
    assert (
        get(client, "/reports", start=today.isoformat(), end=today.isoformat()).json()["count"] == 1
    )
    assert get(client, "/reports", unit=other_unit.pk).json()["count"] == 0

    office_client = api(Role.OFFICE)
    assert get(office_client, "/reports", day=today.isoformat()).json()["count"] == 2
    assert get(office_client, "/reports", unit=other_unit.pk).json()["count"] == 1


# ---- bad input --------------------------------------------------------------------------------


def test_a_future_date_is_refused_naming_date(report_definition, api, staffed_unit, today):
    client = api(Role.OFFICER)
    response = new_report(client, staffed_unit, today + datetime.timedelta(days=1))
    assert response.status_code == 422
    assert error_fields(response) == {"date"}
    assert "in the future" in error_text(response)
    assert nothing_written()


def test_a_closed_day_is_refused_naming_date(report_definition, api, staffed_unit, today):
    client = api(Role.OFFICER)
    response = new_report(client, staffed_unit, today - datetime.timedelta(days=4))
    assert response.status_code == 422
    assert error_fields(response) == {"date"}
    assert "is closed" in error_text(response)
    assert nothing_written()


def test_a_second_report_for_the_same_unit_and_day_is_refused(
    report_definition, api, staffed_unit, today
):
    client = api(Role.OFFICER)
    assert new_report(client, staffed_unit, today).status_code == 200
    response = new_report(client, staffed_unit, today)
    assert response.status_code == 422
    assert error_fields(response) == {"date"}
    assert "already has a report" in error_text(response)
    assert UnitReport.objects.count() == 1


def test_an_officer_posting_for_another_unit_is_refused_with_the_reason(
    report_definition, api, other_unit, today
):
    client = api(Role.OFFICER)
    response = new_report(client, other_unit, today)
    assert response.status_code == 403
    assert "your own unit" in response.json()["detail"]
    response = post(client, "/reports/nil", {"unit": other_unit.pk, "date": today.isoformat()})
    assert response.status_code == 403
    assert nothing_written()


def test_an_unknown_unit_is_named(report_definition, api, today):
    response = post(api(Role.OFFICE), "/reports", {"unit": 999_999, "values": GOOD})
    assert response.status_code == 422
    assert error_fields(response) == {"unit"}


def test_a_failing_high_rule_blocks_submission_naming_the_figure(
    report_definition, api, staffed_unit, today
):
    client = api(Role.OFFICER)
    response = new_report(
        client, staffed_unit, today, values={**GOOD, "natives": 2, "in_region": 5}
    )
    assert response.status_code == 422
    assert error_fields(response) == {"in_region"}
    assert "In a region now ≤ natives of a region" in error_text(response)
    assert nothing_written()


@pytest.mark.parametrize("bad", ["abc", 3.5, -1, True, [1], "", 10_000_001])
def test_a_figure_that_is_not_a_whole_number_is_named_by_its_code(
    report_definition, api, staffed_unit, today, bad
):
    client = api(Role.OFFICER)
    response = new_report(client, staffed_unit, today, values={**GOOD, "natives": bad})
    assert response.status_code == 422, response.content
    assert error_fields(response) == {"natives"}
    assert nothing_written()


def test_a_computed_figure_that_differs_needs_a_reason(report_definition, api, staffed_unit, today):
    client = api(Role.OFFICER)
    response = new_report(client, staffed_unit, today, values={**GOOD, "people": 11})
    assert response.status_code == 422
    assert error_fields(response) == {"people"}
    assert "records give 12" in error_text(response)

    response = new_report(
        client, staffed_unit, today, values={**GOOD, "people": 11}, reasons={"people": "retired"}
    )
    assert response.status_code == 200, response.content
    people = figures_of(response.json())["people"]
    assert (people["current"]["reason"], people["current"]["differs_from_computed"]) == (
        "retired",
        True,
    )
    assert (people["ledger"], people["difference"]) == (12, -1)


def test_an_unknown_figure_code_is_named(report_definition, api, staffed_unit, today):
    client = api(Role.OFFICER)
    response = new_report(client, staffed_unit, today, values={**GOOD, "nope": 1})
    assert response.status_code == 422
    assert error_fields(response) == {"nope"}


def test_text_with_a_nul_character_is_refused(report_definition, api, staffed_unit, today):
    client = api(Role.OFFICER)
    response = new_report(client, staffed_unit, today, reasons={"people": "a\x00b"})
    assert response.status_code == 422
    assert error_fields(response) == {"reasons"}
    assert nothing_written()


def test_a_submitted_report_cannot_be_changed_by_the_officer(
    report_definition, api, staffed_unit, today
):
    client = api(Role.OFFICER)
    report_id = new_report(client, staffed_unit, today).json()["id"]
    response = patch(client, f"/reports/{report_id}", {"values": {"natives": 9}})
    assert response.status_code == 422
    assert "only a draft or a returned report" in error_text(response)


def test_review_errors_name_the_field(report_definition, api, office, staffed_unit, today):
    report = services.create_report(office, staffed_unit, today, values=GOOD, submit=True)
    client = api(Role.OFFICE)
    response = post(client, f"/reports/{report.pk}/return", {"comment": "  "})
    assert (response.status_code, error_fields(response)) == (422, {"comment"})

    correct = f"/reports/{report.pk}/correct"
    response = post(client, correct, {"field": "nope", "value": 1, "reason": "x"})
    assert (response.status_code, error_fields(response)) == (422, {"field"})
    response = post(client, correct, {"field": "natives", "value": "many", "reason": "x"})
    assert (response.status_code, error_fields(response)) == (422, {"value"})
    response = post(client, correct, {"field": "natives", "value": 4, "reason": ""})
    assert (response.status_code, error_fields(response)) == (422, {"reason"})
    # natives 1 < in_region 3: the high rule would fail.
    response = post(client, correct, {"field": "natives", "value": 1, "reason": "recount"})
    assert (response.status_code, error_fields(response)) == (422, {"value"})
    assert not ReportValue.objects.filter(kind=ReportValue.Kind.OFFICE).exists()

    ReportField.objects.filter(code="natives").update(is_active=False)
    response = post(client, correct, {"field": "natives", "value": 4, "reason": "recount"})
    assert (response.status_code, error_fields(response)) == (422, {"field"})


def test_a_draft_cannot_be_approved(report_definition, api, office, staffed_unit, today):
    report = services.create_report(office, staffed_unit, today, values=GOOD)
    response = post(api(Role.OFFICE), f"/reports/{report.pk}/approve", {})
    assert response.status_code == 422
    assert "Only a submitted report" in error_text(response)


# ---- scoping ----------------------------------------------------------------------------------


def test_an_officer_gets_404_for_another_units_report(
    report_definition, api, office, other_unit, today
):
    report = services.create_report(office, other_unit, today, values=UNSTAFFED, submit=True)
    client = api(Role.OFFICER)
    assert get(client, f"/reports/{report.pk}").status_code == 404
    assert patch(client, f"/reports/{report.pk}", {"values": {"natives": 1}}).status_code == 404
    assert post(client, f"/reports/{report.pk}/approve", {}).status_code == 404
    assert get(client, "/reports").json()["count"] == 0


def test_an_officer_cannot_review_their_own_units_report(
    report_definition, api, staffed_unit, today
):
    client = api(Role.OFFICER)
    report_id = new_report(client, staffed_unit, today).json()["id"]
    for path, body in (
        ("return", {"comment": "no"}),
        ("approve", {}),
        ("correct", {"field": "natives", "value": 1, "reason": "x"}),
    ):
        response = post(client, f"/reports/{report_id}/{path}", body)
        assert response.status_code == 403, path
        assert "office reviews" in response.json()["detail"]
    assert UnitReport.objects.get().status == UnitReport.Status.SUBMITTED


def test_a_member_sees_no_report(report_definition, api, office, person, unit, today):
    report = services.create_report(office, unit, today, values={"natives": 1})
    client = api(Role.MEMBER, person=person)
    assert get(client, f"/reports/{report.pk}").status_code == 404
    for path in (
        "/reports",
        "/reports/completeness",
        "/reports/consolidated",
        "/reports/not-reported",
        "/report-fields",
        "/validation-rules",
    ):
        assert get(client, path).status_code == 403, path
    response = new_report(client, unit, today)
    assert response.status_code == 403


def test_a_leader_reads_but_does_not_write(report_definition, api, office, unit, today):
    report = services.create_report(office, unit, today, values=UNSTAFFED, submit=True)
    client = api(Role.LEADER)
    read = get(client, f"/reports/{report.pk}")
    assert read.status_code == 200
    assert (read.json()["id"], read.json()["status"]) == (report.pk, "submitted")
    assert post(client, f"/reports/{report.pk}/approve", {}).status_code == 403
    assert new_report(client, unit, today - datetime.timedelta(days=1)).status_code == 403


# ---- completeness, not reported, the consolidated table --------------------------------------


@pytest.fixture
def units(unit, other_unit):
    third = UnitFactory(code="env", name="环境学院", name_en="School of Environment")
    UnitFactory(code="canteen", name="食堂", name_en="Canteen", reports_daily=False)
    return [unit, other_unit, third]


ZERO = {"natives": 0, "in_region": 0, "people": 0, "flagged": 0}


def test_completeness_as_json(report_definition, api, office, units, today):
    arch, civil, env = units
    PersonFactory.create_batch(4, unit=arch)
    people = list(arch.people.all())
    for person in people[:3]:
        services.submit_checkin(office, person, **good_answers())
    yesterday = today - datetime.timedelta(days=1)
    zero_arch = {**ZERO, "people": 4}
    services.create_report(
        office, arch, yesterday, values=zero_arch, submit=True, now=at(yesterday, 9)
    )
    services.create_report(
        office, arch, today, values={**zero_arch, "people": 4}, submit=True, now=at(today, 11)
    )
    approved = services.create_report(
        office, civil, yesterday, values=ZERO, submit=True, now=at(yesterday, 8)
    )
    services.approve_report(office, approved)
    services.create_report(office, env, today, values=ZERO)

    response = get(
        api(Role.OFFICE),
        "/reports/completeness",
        start=yesterday.isoformat(),
        end=today.isoformat(),
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["days"] == [yesterday.isoformat(), today.isoformat()]
    assert [row["unit"]["code"] for row in data["units"]] == ["arch", "civil", "env"]
    arch_row, civil_row, env_row = data["units"]
    assert arch_row["unit"]["name"] == "College of Architecture"
    assert arch_row["cells"] == [
        {"status": "submitted", "on_time": True, "checked_in": 0, "headcount": 4},
        {"status": "submitted", "on_time": False, "checked_in": 3, "headcount": 4},
    ]
    assert arch_row["tally"] == {
        "expected": 2,
        "reported": 2,
        "on_time": 1,
        "approved": 0,
        "reporting_rate": 100.0,
        "timely_rate": 50.0,
    }
    assert civil_row["cells"][0]["status"] == "approved"
    assert [cell["status"] for cell in env_row["cells"]] == [None, "draft"]
    day_before, day = data["day_tallies"]
    assert (day_before["reported"], day_before["on_time"], day_before["reporting_rate"]) == (
        2,
        2,
        66.7,
    )
    assert (day["expected"], day["reported"], day["on_time"]) == (3, 1, 0)
    assert data["total"] == {
        "expected": 6,
        "reported": 3,
        "on_time": 2,
        "approved": 1,
        "reporting_rate": 50.0,
        "timely_rate": 33.3,
    }


def test_completeness_of_an_officer_is_their_unit_only(report_definition, api, units, today):
    data = get(api(Role.OFFICER), "/reports/completeness").json()
    assert [row["unit"]["code"] for row in data["units"]] == ["arch"]
    assert len(data["days"]) == 7 and data["end"] == today.isoformat()


def test_a_bad_period_is_refused_naming_start_or_end(report_definition, api, today):
    client = api(Role.OFFICE)
    response = get(
        client,
        "/reports/completeness",
        start=today.isoformat(),
        end=(today - datetime.timedelta(days=1)).isoformat(),
    )
    assert (response.status_code, error_fields(response)) == (422, {"end"})
    assert "ends before it starts" in error_text(response)
    response = get(
        client,
        "/reports/completeness",
        start=(today - datetime.timedelta(days=400)).isoformat(),
        end=today.isoformat(),
    )
    assert (response.status_code, error_fields(response)) == (422, {"start"})
    assert "at most 200 days" in error_text(response)


def test_units_not_reported_on_a_day(report_definition, api, office, units, today):
    arch, civil, env = units
    services.create_report(office, arch, today, values=ZERO, submit=True)
    services.create_report(office, civil, today, values=ZERO)
    response = get(api(Role.OFFICE), "/reports/not-reported", day=today.isoformat())
    assert response.status_code == 200
    assert [(unit["code"], unit["name"]) for unit in response.json()] == [
        ("civil", "School of Civil Engineering"),
        ("env", "School of Environment"),
    ]


def test_the_consolidated_table_as_json(report_definition, api, office, units, today):
    arch, civil, env = units
    people = PersonFactory.create_batch(3, unit=arch)
    services.submit_checkin(office, people[0], **good_answers(temperature=Decimal("38.2")))
    services.submit_checkin(office, people[1], **good_answers())
    services.create_report(
        office,
        arch,
        today,
        values={"natives": 3, "in_region": 1, "people": 3, "flagged": 1},
        submit=True,
        now=at(today, 9),
    )
    # 6 natives of a region out of 0 people: the medium rule fails, the report goes through.
    services.create_report(
        office,
        civil,
        today,
        values={"natives": 6, "in_region": 2, "people": 0, "flagged": 0},
        submit=True,
        now=at(today, 9, 30),
    )

    response = get(api(Role.OFFICE), "/reports/consolidated", day=today.isoformat())
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["day"] == today.isoformat()
    assert [field["code"] for field in data["fields"]] == [
        "natives",
        "in_region",
        "people",
        "flagged",
    ]
    assert data["fields"][0]["label"] == "Natives of a region"
    arch_row, civil_row, env_row = data["rows"]
    assert [row["number"] for row in data["rows"]] == [1, 2, 3]
    assert arch_row["unit"]["code"] == "arch" and arch_row["status"] == "submitted"
    assert arch_row["values"] == {"natives": 3, "in_region": 1, "people": 3, "flagged": 1}
    assert (arch_row["checked_in"], arch_row["headcount"], arch_row["flagged"]) == (2, 3, 1)
    assert arch_row["problems"] == ["1 flagged check-in"] and arch_row["abnormal"]
    assert civil_row["problems"] == ["Natives of a region ≤ People of the unit"]
    assert env_row["report_id"] is None and env_row["status"] is None
    assert env_row["values"] == dict.fromkeys(["natives", "in_region", "people", "flagged"])
    assert env_row["problems"] == ["not reported"]
    assert data["totals"] == {"natives": 9, "in_region": 3, "people": 3, "flagged": 1}
    assert (data["checked_in"], data["headcount"], data["flagged"]) == (2, 3, 1)
    assert (data["tally"]["expected"], data["tally"]["reported"]) == (3, 2)
    assert data["tally"]["timely_rate"] == 66.7


# ---- the office's fields and rules -------------------------------------------------------------


def test_anyone_who_sees_reports_lists_the_fields_and_rules(report_definition, api):
    client = api(Role.OFFICER)
    response = get(client, "/report-fields")
    assert response.status_code == 200
    assert [field["code"] for field in response.json()] == [
        "natives",
        "in_region",
        "people",
        "flagged",
    ]
    assert response.json()[2]["source"] == "headcount" and response.json()[2]["is_computed"]
    rules = get(client, "/validation-rules").json()
    assert [
        (rule["left"], rule["operator"], rule["right"], rule["priority"]) for rule in rules
    ] == [
        ("natives", "le", "people", "medium"),
        ("in_region", "le", "natives", "high"),
    ]


def test_the_office_adds_and_changes_a_field(report_definition, api):
    client = api(Role.OFFICE)
    response = post(
        client,
        "/report-fields",
        {
            "code": "isolated",
            "label": "隔离人数",
            "label_en": "Isolated",
            "order": 5,
            "source": "isolation",
        },
    )
    assert response.status_code == 200, response.content
    field_id = response.json()["id"]
    response = patch(
        client, f"/report-fields/{field_id}", {"label_en": "In isolation", "reason": "clearer"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["label_en"] == "In isolation"
    assert response.json()["code"] == "isolated"
    response = post(client, "/report-fields", {"code": "isolated", "label": "x", "label_en": "x"})
    assert (response.status_code, error_fields(response)) == (422, {"code"})


def test_an_officer_cannot_define_the_report(report_definition, api):
    client = api(Role.OFFICER)
    response = post(client, "/report-fields", {"code": "x", "label": "x", "label_en": "x"})
    assert response.status_code == 403
    field_id = report_definition["natives"].pk
    assert patch(client, f"/report-fields/{field_id}", {"label": "y"}).status_code == 403
    response = post(
        client, "/validation-rules", {"left": "natives", "operator": "le", "right_constant": 5}
    )
    assert response.status_code == 403


def test_the_office_adds_and_changes_a_rule(report_definition, api):
    client = api(Role.OFFICE)
    response = post(
        client,
        "/validation-rules",
        {"left": "natives", "operator": "le", "right_constant": 500, "priority": "low"},
    )
    assert response.status_code == 200, response.content
    rule = response.json()
    assert (rule["left"], rule["right"], rule["right_constant"]) == ("natives", None, 500)
    response = patch(
        client,
        f"/validation-rules/{rule['id']}",
        {"right": "people", "right_constant": None, "reason": "against the headcount"},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["right"], response.json()["right_constant"]) == ("people", None)

    response = post(
        client, "/validation-rules", {"left": "nope", "operator": "le", "right": "people"}
    )
    assert (response.status_code, error_fields(response)) == (422, {"left"})
    response = post(client, "/validation-rules", {"left": "natives", "operator": "le"})
    assert (response.status_code, error_fields(response)) == (422, {"right"})
