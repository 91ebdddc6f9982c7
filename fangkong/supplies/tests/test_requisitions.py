"""Requisitions (领用申请): the officer asks, the office approves, trims or rejects, the
storekeeper issues all at once or in part from the suggested lots (first expiry first),
and each bad step is refused with nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.supplies import services
from fangkong.supplies.models import Balance, Purpose, Requisition, StockMove
from fangkong.supplies.tests.conftest import approved_requisition, receive

pytestmark = pytest.mark.django_db


def issue(storekeeper, requisition, catalogue, quantity, **extra):
    line = requisition.lines.get()
    return services.issue_requisition(
        storekeeper,
        requisition,
        store=catalogue["main"],
        lines=[{"line": line, "quantity": quantity, **extra}],
        recipient=extra.pop("recipient", "张老师"),
    )


def test_request_approve_and_issue_in_two_parts(officer, office, storekeeper, catalogue):
    lot = receive(storekeeper, catalogue, quantity="100")
    requisition = approved_requisition(officer, office, catalogue, quantity="60")
    assert requisition.number.startswith("LY-")
    assert requisition.status == Requisition.Status.APPROVED

    issue(storekeeper, requisition, catalogue, "40")
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.PARTLY_ISSUED
    issue(storekeeper, requisition, catalogue, "20")
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.ISSUED
    assert Balance.objects.get(lot=lot).quantity == Decimal(40)
    moves = StockMove.objects.filter(kind="issue").order_by("pk")
    assert [(m.quantity, m.recipient) for m in moves] == [
        (Decimal(-40), "张老师"),
        (Decimal(-20), "张老师"),
    ]


def test_the_office_trims_with_a_reason(officer, office, catalogue):
    requisition = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose=Purpose.GENERAL,
        lines=[{"item": catalogue["masks"], "quantity": "500"}],
    )
    line = requisition.lines.get()
    with pytest.raises(ValidationError) as error:
        services.decide_requisition(office, requisition, approve=True, quantities={line.pk: 200})
    assert "why" in error.value.message_dict["note"][0]
    services.decide_requisition(
        office, requisition, approve=True, quantities={line.pk: 200}, note="库存紧张"
    )
    line.refresh_from_db()
    assert (line.requested, line.approved) == (Decimal(500), Decimal(200))


def test_the_office_cannot_approve_more_than_asked(officer, office, catalogue):
    requisition = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose=Purpose.GENERAL,
        lines=[{"item": catalogue["masks"], "quantity": "10"}],
    )
    line = requisition.lines.get()
    with pytest.raises(ValidationError) as error:
        services.decide_requisition(
            office, requisition, approve=True, quantities={line.pk: 11}, note="more"
        )
    assert "At most the 10 asked" in error.value.message_dict[f"lines.{line.pk}"][0]


def test_a_rejection_needs_a_reason(officer, office, catalogue):
    requisition = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose=Purpose.GENERAL,
        lines=[{"item": catalogue["masks"], "quantity": "10"}],
    )
    with pytest.raises(ValidationError):
        services.decide_requisition(office, requisition, approve=False)
    services.decide_requisition(office, requisition, approve=False, note="已统一发放")
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.REJECTED


def test_nobody_approves_their_own_requisition(office, catalogue, unit):
    requisition = services.request_supplies(
        office,
        unit=unit,
        purpose=Purpose.GENERAL,
        lines=[{"item": catalogue["masks"], "quantity": 5}],
    )
    with pytest.raises(PermissionDenied):
        services.decide_requisition(office, requisition, approve=True)
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.PENDING


def test_the_database_also_refuses_approving_ones_own(office, catalogue, unit):
    from django.db import IntegrityError, transaction

    requisition = services.request_supplies(
        office,
        unit=unit,
        purpose=Purpose.GENERAL,
        lines=[{"item": catalogue["masks"], "quantity": 5}],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Requisition.objects.filter(pk=requisition.pk).update(status="approved", decided_by=office)


def test_an_officer_asks_only_for_their_own_unit(officer, other_unit, catalogue):
    with pytest.raises(PermissionDenied):
        services.request_supplies(
            officer,
            unit=other_unit,
            purpose=Purpose.GENERAL,
            lines=[{"item": catalogue["masks"], "quantity": 5}],
        )
    assert not Requisition.objects.exists()


def test_issuing_more_than_approved_is_refused(officer, office, storekeeper, catalogue):
    receive(storekeeper, catalogue, quantity="100")
    requisition = approved_requisition(officer, office, catalogue, quantity="30")
    with pytest.raises(ValidationError) as error:
        issue(storekeeper, requisition, catalogue, "31")
    assert "At most 30 left" in error.value.message_dict["lines.1.quantity"][0]
    assert not StockMove.objects.filter(kind="issue").exists()


def test_not_enough_stock_is_refused_and_nothing_written(officer, office, storekeeper, catalogue):
    lot = receive(storekeeper, catalogue, quantity="10")
    requisition = approved_requisition(officer, office, catalogue, quantity="30")
    with pytest.raises(ValidationError) as error:
        issue(storekeeper, requisition, catalogue, "30")
    assert "Not enough Masks" in error.value.message_dict["lines.1.quantity"][0]
    with pytest.raises(services.InsufficientStock):
        issue(storekeeper, requisition, catalogue, "30", lots=[(lot, Decimal(30))])
    assert Balance.objects.get(lot=lot).quantity == Decimal(10)
    assert not StockMove.objects.filter(kind="issue").exists()
    requisition.refresh_from_db()
    assert requisition.lines.get().issued == 0


def test_suggested_lots_are_first_expiry_first_out(officer, office, storekeeper, catalogue, today):
    later = receive(
        storekeeper,
        catalogue,
        item="alcohol",
        quantity="10",
        expires_on=today + datetime.timedelta(days=300),
    )
    sooner = receive(
        storekeeper,
        catalogue,
        item="alcohol",
        quantity="10",
        expires_on=today + datetime.timedelta(days=30),
    )
    requisition = approved_requisition(officer, office, catalogue, quantity="15", item="alcohol")
    issue(storekeeper, requisition, catalogue, "15")
    assert Balance.objects.get(lot=sooner).quantity == 0
    assert Balance.objects.get(lot=later).quantity == Decimal(5)


def test_an_expired_lot_is_not_issued(officer, office, storekeeper, catalogue, today):
    old = receive(
        storekeeper,
        catalogue,
        item="alcohol",
        quantity="10",
        expires_on=today - datetime.timedelta(days=1),
        on=today - datetime.timedelta(days=30),
    )
    requisition = approved_requisition(officer, office, catalogue, quantity="5", item="alcohol")
    with pytest.raises(ValidationError) as error:
        issue(storekeeper, requisition, catalogue, "5", lots=[(old, Decimal(5))])
    assert "expired" in error.value.message_dict["lines.1.lots"][0]
    with pytest.raises(ValidationError):  # and the suggestion never offers it
        issue(storekeeper, requisition, catalogue, "5")
    assert Balance.objects.get(lot=old).quantity == Decimal(10)


def test_a_restricted_donation_is_issued_only_for_its_use(officer, office, storekeeper, catalogue):
    medical = receive(
        storekeeper,
        catalogue,
        quantity="100",
        restricted_to=Purpose.MEDICAL,
        source="alumni",
        supplier=catalogue["donor"],
    )
    general = approved_requisition(officer, office, catalogue, quantity="10")
    with pytest.raises(ValidationError) as error:
        issue(storekeeper, general, catalogue, "10", lots=[(medical, Decimal(10))])
    assert "only for Medical care" in error.value.message_dict["lines.1.lots"][0]
    for_medical = approved_requisition(
        officer, office, catalogue, quantity="10", purpose=Purpose.MEDICAL
    )
    issue(storekeeper, for_medical, catalogue, "10")
    assert Balance.objects.get(lot=medical).quantity == Decimal(90)


def test_an_issue_names_who_received_it(officer, office, storekeeper, catalogue):
    receive(storekeeper, catalogue, quantity="100")
    requisition = approved_requisition(officer, office, catalogue, quantity="10")
    with pytest.raises(ValidationError) as error:
        issue(storekeeper, requisition, catalogue, "10", recipient=" ")
    assert "recipient" in error.value.message_dict


def test_a_pending_requisition_is_not_issued(officer, storekeeper, catalogue):
    receive(storekeeper, catalogue, quantity="100")
    requisition = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose=Purpose.GENERAL,
        lines=[{"item": catalogue["masks"], "quantity": 5}],
    )
    with pytest.raises(ValidationError, match="only an approved one"):
        issue(storekeeper, requisition, catalogue, "5")


def test_a_units_daily_limit_per_person(officer, office, catalogue, unit):
    from fangkong.testing.factories import PersonFactory

    PersonFactory.create_batch(10, unit=unit)
    services.set_unit_limit(office, item=catalogue["masks"], per_person_per_day="2")
    first = services.request_supplies(
        officer,
        unit=unit,
        purpose=Purpose.GENERAL,
        lines=[{"item": catalogue["masks"], "quantity": 15}],
    )
    with pytest.raises(ValidationError) as error:
        services.request_supplies(
            officer,
            unit=unit,
            purpose=Purpose.GENERAL,
            lines=[{"item": catalogue["masks"], "quantity": 6}],
        )
    message = error.value.message_dict["lines.1.quantity"][0]
    assert "at most 20 Masks a day for this unit (10 people × 2)" in message
    assert "15 already asked today" in message
    services.decide_requisition(office, first, approve=False, note="重复申请")
    services.request_supplies(  # a rejected requisition no longer counts
        officer,
        unit=unit,
        purpose=Purpose.GENERAL,
        lines=[{"item": catalogue["masks"], "quantity": 20}],
    )
    assert Requisition.objects.count() == 2
