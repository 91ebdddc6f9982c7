"""/api/v1/supplies/…: a storekeeper's device posts a receipt and issues a requisition the
office approved, and the register shows it; bad input names the field; an officer sees
only their unit's requisitions, a member nothing."""

from decimal import Decimal

import pytest

from fangkong.core import services as core_services
from fangkong.core.roles import Role
from fangkong.supplies.models import Balance, Receipt, StockMove

pytestmark = pytest.mark.django_db

API = "/api/v1/supplies"


@pytest.fixture
def bearer(client):
    def as_user(user):
        _token, raw = core_services.create_api_token(user, "test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return client

    return as_user


def post(client, path, data):
    return client.post(API + path, data, content_type="application/json")


def fields(response) -> dict:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_receipt_request_decide_issue_and_register(
    bearer, storekeeper, office, officer, catalogue, today
):
    device = bearer(storekeeper)
    response = post(
        device,
        "/receipts",
        {
            "source": catalogue["alumni"].pk,
            "store": catalogue["main"].pk,
            "supplier": catalogue["donor"].pk,
            "lines": [{"item": catalogue["masks"].pk, "quantity": "3000", "lot_number": "A1"}],
        },
    )
    assert response.status_code == 200, response.json()
    receipt = response.json()
    assert receipt["number"] == f"RK-{today.year}-0001"
    lot_id = receipt["lines"][0]["lot_id"]

    response = post(
        bearer(officer),
        "/requisitions",
        {
            "unit": officer.unit_id,
            "purpose": "general",
            "lines": [{"item": catalogue["masks"].pk, "quantity": 500}],
        },
    )
    assert response.status_code == 200, response.json()
    requisition = response.json()
    line_id = requisition["lines"][0]["id"]

    response = post(
        bearer(office),
        f"/requisitions/{requisition['id']}/decide",
        {"approve": True, "quantities": {str(line_id): "400"}, "note": "库存紧张"},
    )
    assert response.status_code == 200, response.json()
    assert Decimal(response.json()["lines"][0]["approved"]) == 400

    device = bearer(storekeeper)
    suggested = device.get(
        f"{API}/requisitions/{requisition['id']}/suggested-lots?store={catalogue['main'].pk}"
    ).json()
    assert suggested[0]["lots"][0]["lot_id"] == lot_id
    response = post(
        device,
        f"/requisitions/{requisition['id']}/issue",
        {
            "store": catalogue["main"].pk,
            "recipient": "张三",
            "lines": [
                {"line": line_id, "quantity": 400, "lots": [{"lot": lot_id, "quantity": 400}]}
            ],
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "issued"
    assert Balance.objects.get().quantity == 2600

    register = device.get(f"{API}/reports/register?start={today}&end={today}").json()
    (row,) = register["rows"]
    assert (row["number"], row["recipient"], Decimal(row["quantity"])) == (1, "张三", 400)
    assert office.get_full_name() == ""  # a user without a name is shown by their username
    assert row["approver"] == office.username
    stock = bearer(office).get(f"{API}/reports/stock").json()
    assert Decimal(stock["totals"][0]["quantity"]) == 2600
    trace = bearer(office).get(f"{API}/reports/donations/{catalogue['donor'].pk}").json()
    assert Decimal(trace["lots"][0]["issued"][0]["quantity"]) == 400


def test_bad_receipt_lines_are_named_and_nothing_is_written(bearer, storekeeper, catalogue):
    response = post(
        bearer(storekeeper),
        "/receipts",
        {
            "source": catalogue["bought"].pk,
            "store": catalogue["main"].pk,
            "lines": [
                {"item": catalogue["masks"].pk, "quantity": "10"},
                {"item": catalogue["masks"].pk, "quantity": "1.5"},
                {"item": 999999, "quantity": "1"},
                {"item": catalogue["masks"].pk, "quantity": "abc"},
            ],
        },
    )
    assert response.status_code == 422
    errors = fields(response)
    assert set(errors) == {"lines.2.quantity", "lines.3.item", "lines.4.quantity"}
    assert "whole" in errors["lines.2.quantity"]
    assert not Receipt.objects.exists() and not StockMove.objects.exists()


def test_issuing_more_than_approved_or_on_hand_is_refused(
    bearer, storekeeper, office, officer, catalogue
):
    from fangkong.supplies.tests.conftest import approved_requisition, receive

    receive(storekeeper, catalogue, "masks", "30")
    requisition = approved_requisition(officer, office, catalogue, quantity="50")
    line = requisition.lines.get()
    device = bearer(storekeeper)
    path = f"/requisitions/{requisition.pk}/issue"
    body = {"store": catalogue["main"].pk, "recipient": "张三"}
    response = post(device, path, {**body, "lines": [{"line": line.pk, "quantity": 60}]})
    assert response.status_code == 422 and "lines.1.quantity" in fields(response)
    response = post(device, path, {**body, "lines": [{"line": line.pk, "quantity": 40}]})
    assert response.status_code == 422 and "lines.1.quantity" in fields(response)
    response = post(
        device,
        path,
        {
            **body,
            "lines": [{"line": line.pk, "quantity": 5, "lots": [{"lot": 999, "quantity": 5}]}],
        },
    )
    assert response.status_code == 422 and "lines.1.lots.1.lot" in fields(response)
    assert not StockMove.objects.filter(kind="issue").exists()


def test_bad_period_and_bad_json_get_the_project_s_error_shape(bearer, office):
    client = bearer(office)
    response = client.get(f"{API}/reports/issues?start=2020-03-01&end=2020-02-01")
    assert response.status_code == 422 and "end" in fields(response)
    response = client.get(f"{API}/reports/register?start=nonsense")
    assert response.status_code == 422 and "start" in fields(response)
    response = client.post(f"{API}/receipts", "{", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


def test_officer_sees_only_their_unit_s_requisitions(
    bearer, office, officer, make_user, other_unit, catalogue
):
    from fangkong.supplies import services

    ours = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose="general",
        lines=[{"item": catalogue["masks"], "quantity": "5"}],
    )
    stranger = make_user(Role.OFFICER, unit=other_unit)
    theirs = services.request_supplies(
        stranger,
        unit=other_unit,
        purpose="general",
        lines=[{"item": catalogue["masks"], "quantity": "5"}],
    )
    client = bearer(officer)
    listed = client.get(f"{API}/requisitions").json()["items"]
    assert [entry["id"] for entry in listed] == [ours.pk]
    assert client.get(f"{API}/requisitions/{theirs.pk}").status_code == 404
    response = post(client, f"/requisitions/{ours.pk}/decide", {"approve": True})
    assert response.status_code == 403
    assert client.get(f"{API}/reports/stock").status_code == 403


def test_member_sees_nothing(bearer, make_user, officer, catalogue):
    from fangkong.supplies import services

    services.request_supplies(
        officer,
        unit=officer.unit,
        purpose="general",
        lines=[{"item": catalogue["masks"], "quantity": "5"}],
    )
    client = bearer(make_user(Role.MEMBER))
    assert client.get(f"{API}/requisitions").json()["items"] == []
    for path in ("/moves", "/reports/register", "/items", "/reports/stock"):
        assert client.get(API + path).status_code == 403, path


def test_office_creates_an_item_and_a_storekeeper_cannot(bearer, office, storekeeper):
    body = {"code": "gloves", "name": "手套", "category": "protective", "unit": "pair"}
    assert post(bearer(storekeeper), "/items", body).status_code == 403
    response = post(bearer(office), "/items", body)
    assert response.status_code == 200, response.json()
    assert response.json()["display_name"] == "手套"
    response = post(bearer(office), "/items", body)
    assert response.status_code == 422 and "code" in fields(response)


def test_reverse_transfer_stocktake_and_close_over_the_api(
    bearer, storekeeper, office, catalogue, today
):
    from fangkong.supplies.tests.conftest import receive

    lot = receive(storekeeper, catalogue, "masks", "100")
    device = bearer(storekeeper)
    response = post(
        device,
        "/transfers",
        {
            "lot": lot.pk,
            "from_store": catalogue["main"].pk,
            "to_store": catalogue["east"].pk,
            "quantity": "30",
        },
    )
    assert response.status_code == 200, response.json()
    move_in = response.json()["into"]["id"]
    response = post(device, f"/moves/{move_in}/reverse", {"reason": ""})
    assert response.status_code == 422 and "reason" in fields(response)
    response = post(device, f"/moves/{move_in}/reverse", {"reason": "搬错了"})
    assert response.status_code == 200, response.json()
    assert Decimal(response.json()["quantity"]) == -30  # back out of the east store
    assert post(device, f"/moves/{move_in}/reverse", {"reason": "again"}).status_code == 422
    response = post(
        device,
        "/stocktakes",
        {
            "store": catalogue["main"].pk,
            "reason": "月末盘点",
            "counts": [{"lot": lot.pk, "quantity": 69}],
        },
    )
    assert response.status_code == 200, response.json()
    assert [Decimal(move["quantity"]) for move in response.json()] == [-1]
    assert post(device, "/periods/close", {"closed_through": "2020-01-31"}).status_code == 403
    response = post(bearer(office), "/periods/close", {"closed_through": "2020-01-31"})
    assert response.status_code == 200, response.json()
