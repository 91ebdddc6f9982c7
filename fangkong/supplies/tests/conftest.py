"""Fixtures of the supplies tests: the people who keep supplies, two stores, the sources,
and three items counted in pieces, kilograms and boxes."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from fangkong.core.roles import Role
from fangkong.supplies import services
from fangkong.supplies.models import Item, MeasureUnit, Purpose, Supplier
from fangkong.testing.factories import CampusFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE)


@pytest.fixture
def second_office(make_user):
    return make_user(Role.OFFICE)


@pytest.fixture
def storekeeper(make_user):
    return make_user(Role.STOREKEEPER)


@pytest.fixture
def officer(make_user, unit):
    return make_user(Role.OFFICER, unit=unit)


@pytest.fixture
def catalogue(db, office):
    campus = CampusFactory()
    return {
        "main": services.create_store(
            office, code="main", name="总库", name_en="Main store", campus=campus
        ),
        "east": services.create_store(
            office, code="east", name="东库", name_en="East store", campus=campus
        ),
        "bought": services.create_source(
            office, code="bought", name="学校采购", name_en="School purchase"
        ),
        "alumni": services.create_source(
            office, code="alumni", name="校友捐赠", name_en="Alumni donation"
        ),
        "masks": services.create_item(
            office,
            code="masks",
            name="口罩",
            name_en="Masks",
            category=Item.Category.PROTECTIVE,
            unit=MeasureUnit.PIECE,
            minimum_level=Decimal("1000"),
        ),
        "alcohol": services.create_item(
            office,
            code="alcohol",
            name="75%酒精",
            name_en="75% alcohol",
            category=Item.Category.DISINFECTANT,
            unit=MeasureUnit.KG,
            has_expiry=True,
        ),
        "thermometers": services.create_item(
            office,
            code="thermo",
            name="体温计",
            name_en="Thermometers",
            category=Item.Category.EQUIPMENT,
            unit=MeasureUnit.PIECE,
        ),
        "donor": services.create_supplier(
            office, name="校友会", name_en="Alumni association", kind=Supplier.Kind.DONOR
        ),
    }


def receive(
    actor,
    catalogue,
    item="masks",
    quantity="100",
    *,
    store="main",
    source="bought",
    on=None,
    **line,
):
    """Receive `quantity` of one item; returns the lot."""
    receipt = services.post_receipt(
        actor,
        received_on=on or timezone.localdate(),
        source=catalogue[source],
        store=catalogue[store],
        supplier=line.pop("supplier", None),
        restricted_to=line.pop("restricted_to", ""),
        lines=[{"item": catalogue[item], "quantity": quantity, **line}],
    )
    return receipt.lines.get().lot


def approved_requisition(
    officer, office, catalogue, quantity="50", item="masks", purpose=Purpose.GENERAL
):
    requisition = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose=purpose,
        lines=[{"item": catalogue[item], "quantity": quantity}],
    )
    return services.decide_requisition(office, requisition, approve=True)
