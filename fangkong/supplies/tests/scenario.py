"""A small ledger for the report tests, made through the services on the article's dates:
masks bought, alcohol from the alumni (a donor), a requisition of the `unit` fixture
approved, issued in two parts (the second reversed), and one of another unit."""

import datetime
from dataclasses import dataclass

from fangkong.supplies import services
from fangkong.supplies.models import Purpose

FEB_1 = datetime.date(2020, 2, 1)
FEB_3 = datetime.date(2020, 2, 3)
FEB_5 = datetime.date(2020, 2, 5)
FEB_6 = datetime.date(2020, 2, 6)


@dataclass
class Ledger:
    masks_receipt: object
    alcohol_receipt: object
    ours: object  # the unit fixture's requisition
    theirs: object  # the other unit's
    first_issue: list
    reversed_issue: list


def requisition(officer, office, catalogue, lines, purpose=Purpose.GENERAL):
    made = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose=purpose,
        lines=[{"item": catalogue[item], "quantity": quantity} for item, quantity in lines],
    )
    return services.decide_requisition(office, made, approve=True)


def build(storekeeper, office, officer, other_officer, catalogue) -> Ledger:
    masks = services.post_receipt(
        storekeeper,
        received_on=FEB_1,
        source=catalogue["bought"],
        store=catalogue["main"],
        lines=[{"item": catalogue["masks"], "quantity": "15000"}],
    )
    alcohol = services.post_receipt(
        storekeeper,
        received_on=FEB_3,
        source=catalogue["alumni"],
        supplier=catalogue["donor"],
        store=catalogue["main"],
        lines=[
            {
                "item": catalogue["alcohol"],
                "quantity": "1605",
                "expires_on": datetime.date(2030, 1, 1),
            }
        ],
    )
    ours = requisition(officer, office, catalogue, [("masks", "3000"), ("alcohol", "400")])
    lines = {line.item_id: line for line in ours.lines.all()}
    first = services.issue_requisition(
        storekeeper,
        ours,
        store=catalogue["main"],
        recipient="张三",
        issued_on=FEB_5,
        lines=[
            {"line": lines[catalogue["masks"].pk], "quantity": "2000"},
            {"line": lines[catalogue["alcohol"].pk], "quantity": "400"},
        ],
    )
    second = services.issue_requisition(
        storekeeper,
        ours,
        store=catalogue["main"],
        recipient="李四",
        issued_on=FEB_6,
        lines=[{"line": lines[catalogue["masks"].pk], "quantity": "1000"}],
    )
    services.reverse_move(storekeeper, second[0], "写错了数量", moved_on=FEB_6)
    theirs = requisition(other_officer, office, catalogue, [("masks", "500")])
    services.issue_requisition(
        storekeeper,
        theirs,
        store=catalogue["main"],
        recipient="王五",
        issued_on=FEB_6,
        lines=[{"line": theirs.lines.get(), "quantity": "500"}],
    )
    return Ledger(masks, alcohol, ours, theirs, first, second)


def schemathesis_rows(campus, unit) -> dict[str, list[int]]:
    """Supplies rows for the API fuzz test, by the names its hooks substitute: a store of
    each kind of move, a donor's lot on hand, a pending and an approved requisition."""
    from decimal import Decimal

    from django.utils import timezone

    from fangkong.core.roles import Role
    from fangkong.supplies.models import Item, MeasureUnit, Supplier
    from fangkong.testing.factories import UserFactory

    office = UserFactory(username="supplies-office", roles=[Role.OFFICE])
    officer = UserFactory(username="supplies-officer", roles=[Role.OFFICER], unit=unit)
    main = services.create_store(office, code="main", name="总库", campus=campus)
    east = services.create_store(office, code="east", name="东库", campus=campus)
    alumni = services.create_source(office, code="alumni", name="校友捐赠")
    donor = services.create_supplier(office, name="校友会", kind=Supplier.Kind.DONOR)
    masks = services.create_item(
        office,
        code="masks",
        name="口罩",
        category=Item.Category.PROTECTIVE,
        unit=MeasureUnit.PIECE,
        minimum_level=Decimal("10"),
    )
    receipt = services.post_receipt(
        office,
        received_on=timezone.localdate(),
        source=alumni,
        supplier=donor,
        store=main,
        lines=[{"item": masks, "quantity": "1000"}],
    )
    lot = receipt.lines.get().lot
    pending = services.request_supplies(
        officer, unit=unit, purpose=Purpose.GENERAL, lines=[{"item": masks, "quantity": "5"}]
    )
    approved = services.request_supplies(
        officer, unit=unit, purpose=Purpose.GENERAL, lines=[{"item": masks, "quantity": "5"}]
    )
    services.decide_requisition(office, approved, approve=True)
    return {
        "store_id": [main.pk, east.pk],
        "source_id": [alumni.pk],
        "supplier_id": [donor.pk],
        "item_id": [masks.pk],
        "lot_id": [lot.pk],
        "receipt_id": [receipt.pk],
        "requisition_id": [pending.pk, approved.pk],
        "move_id": [lot.moves.get().pk],
    }
