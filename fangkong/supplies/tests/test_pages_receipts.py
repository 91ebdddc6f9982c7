"""The receipt pages: the storekeeper posts a receipt of several lines; each bad line is
shown on its row; the list and the receipt show what came in."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from fangkong.core.roles import Role
from fangkong.supplies.models import Balance, Pack, Receipt
from fangkong.testing.pages import field_error
from fangkong.testing.pages import html_text as text

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper_client(client, storekeeper):
    client.force_login(storekeeper)
    return client


def head(catalogue, today, **extra):
    return {
        "received_on": today.isoformat(),
        "source": catalogue["alumni"].pk,
        "supplier": catalogue["donor"].pk,
        "store": catalogue["main"].pk,
        **extra,
    }


def test_the_storekeeper_posts_a_receipt_of_two_lines_one_in_packs(keeper_client, catalogue, today):
    box = Pack.objects.create(item=catalogue["masks"], name="盒", name_en="box", quantity=50)
    response = keeper_client.post(
        reverse("supplies:receipt-new"),
        head(
            catalogue,
            today,
            item_1=catalogue["masks"].pk,
            quantity_1="4",
            pack_1=box.pk,
            lot_number_1="M-01",
            item_2=catalogue["alcohol"].pk,
            quantity_2="12.5",
            expires_on_2="2030-01-01",
        ),
    )
    receipt = Receipt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supplies:receipt", args=[receipt.pk])
    assert receipt.number == f"RK-{today.year}-0001"
    assert sorted(Balance.objects.values_list("quantity", flat=True)) == [
        Decimal("12.5"),
        Decimal("200"),
    ]
    page = text(keeper_client.get(response["Location"]))
    assert f"Receipt {receipt.number}" in page
    assert "Alumni donation" in page and "Alumni association" in page
    assert re.search(r'data-item="masks"><td>Masks</td><td>200 piece</td><td>M-01</td>', page)
    assert "12.5 kg" in page and "2030-01-01" in page
    listing = text(keeper_client.get(reverse("supplies:receipts")))
    assert receipt.number in listing and "Masks 200 piece" in listing


def test_the_form_offers_five_blank_lines_and_today(keeper_client, catalogue, today):
    page = keeper_client.get(reverse("supplies:receipt-new")).content.decode()
    assert page.count('class="line-row"') == 5
    assert f'name="received_on" value="{today.isoformat()}"' in page


def test_each_bad_line_is_shown_on_its_row_and_nothing_is_written(keeper_client, catalogue, today):
    response = keeper_client.post(
        reverse("supplies:receipt-new"),
        head(
            catalogue,
            today,
            item_1=catalogue["masks"].pk,
            quantity_1="1.5",
            item_3=catalogue["alcohol"].pk,
            quantity_3="2.0001",
            item_5=catalogue["alcohol"].pk,
            quantity_5="3",
        ),
    )
    assert response.status_code == 400
    assert "Masks is counted in whole piece" in field_error(response, "quantity_1")
    assert "At most 3 decimal places" in field_error(response, "quantity_3")
    assert "give the expiry date" in field_error(response, "expires_on_5")
    assert not Receipt.objects.exists() and not Balance.objects.exists()


def test_a_future_date_and_a_foreign_pack_are_refused(keeper_client, catalogue, today):
    box = Pack.objects.create(item=catalogue["thermometers"], name="盒", quantity=10)
    response = keeper_client.post(
        reverse("supplies:receipt-new"),
        head(
            catalogue,
            today.replace(year=today.year + 1),
            item_1=catalogue["masks"].pk,
            quantity_1="2",
            pack_1=box.pk,
        ),
    )
    assert response.status_code == 400
    assert "is in the future" in field_error(response, "received_on")
    assert "This pack is not one of Masks." in field_error(response, "quantity_1")


def test_a_receipt_without_lines_is_refused(keeper_client, catalogue, today):
    response = keeper_client.post(reverse("supplies:receipt-new"), head(catalogue, today))
    assert response.status_code == 400
    assert "Add at least one line." in field_error(response, "item_1")


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER, Role.MEMBER])
def test_only_stock_keepers_receive(make_user, client, role, unit, catalogue):
    client.force_login(make_user(role, unit=unit))
    assert client.get(reverse("supplies:receipt-new")).status_code == 403


def test_the_leader_reads_receipts_and_an_officer_does_not(make_user, client, unit, catalogue):
    client.force_login(make_user(Role.LEADER))
    page = text(client.get(reverse("supplies:receipts")))
    assert "No receipts yet." in page and "Receive supplies" not in page
    client.force_login(make_user(Role.OFFICER, unit=unit))
    assert client.get(reverse("supplies:receipts")).status_code == 403
