"""The register and the donor acknowledgement as PDF, read back: the Chinese title, the
rows, the compiler."""

import io
import re

import pytest
from pypdf import PdfReader

from fangkong.core.roles import Role
from fangkong.supplies.tests import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(storekeeper, office, officer, make_user, other_unit, catalogue):
    other = make_user(Role.OFFICER, unit=other_unit)
    return scenario.build(storekeeper, office, officer, other, catalogue)


def text_of(response) -> tuple[str, PdfReader]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_register_pdf_in_chinese_has_title_rows_and_compiler(client, office, ledger):
    office.first_name, office.last_name = "晓", "张"
    office.save()
    client.force_login(office)
    response = client.get(
        "/supplies/reports/register.pdf?start=2020-02-01&end=2020-02-29",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    text, reader = text_of(response)
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    for expected in ("建筑学院", "土木工程学院", "张三", "王五", "李四", "写错了数量", "张晓"):
        assert expected in text, expected
    assert "2020-02-01" in text and "2020-02-29" in text
    assert ledger.ours.number in text


def test_acknowledgement_lists_what_the_donor_gave(client, office, ledger):
    client.force_login(office)
    receipt = ledger.alcohol_receipt
    page = client.get(f"/supplies/receipts/{receipt.pk}/acknowledgement/")
    assert page.status_code == 200 and "Alumni association" in page.content.decode()
    response = client.get(
        f"/supplies/receipts/{receipt.pk}/acknowledgement.pdf", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    text, _reader = text_of(response)
    for expected in ("校友会", "75%酒精", "1605", receipt.number):
        assert expected in text, expected


def test_officer_cannot_print_an_acknowledgement(client, officer, ledger):
    client.force_login(officer)
    response = client.get(f"/supplies/receipts/{ledger.alcohol_receipt.pk}/acknowledgement.pdf")
    assert response.status_code == 403


ROWS = 60
ITEMS = 8


@pytest.fixture
def long_register(storekeeper, office, officer, catalogue):
    """ROWS issues of ITEMS items to the officer's unit on the article's dates: a register
    of several pages whose totals block is as long as the article's."""
    from decimal import Decimal

    from fangkong.supplies import services
    from fangkong.supplies.models import Item, MeasureUnit

    items = [
        services.create_item(
            office,
            code=f"item{n}",
            name=f"口罩{n}",
            name_en=f"Masks {n}",
            category=Item.Category.PROTECTIVE,
            unit=MeasureUnit.PIECE,
            minimum_level=Decimal("0"),
        )
        for n in range(ITEMS)
    ]
    services.post_receipt(
        storekeeper,
        received_on=scenario.FEB_1,
        source=catalogue["bought"],
        store=catalogue["main"],
        lines=[{"item": item, "quantity": "1000"} for item in items],
    )
    made = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose=scenario.Purpose.GENERAL,
        lines=[{"item": item, "quantity": "100"} for item in items],
    )
    made = services.decide_requisition(office, made, approve=True)
    lines = list(made.lines.order_by("pk"))
    for number in range(ROWS):
        services.issue_requisition(
            storekeeper,
            made,
            store=catalogue["main"],
            recipient="张三",
            issued_on=scenario.FEB_5,
            lines=[{"line": lines[number % ITEMS], "quantity": "1"}],
        )


def test_register_pdf_fits_many_rows_a_page_and_prints_the_totals_once(
    client, office, long_register
):
    client.force_login(office)
    response = client.get(
        "/supplies/reports/register.pdf?start=2020-02-01&end=2020-02-29",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text, reader = text_of(response)
    rows_a_page = 15  # one line a row at 9 pt on A4 landscape: over 20 fit a page
    assert len(reader.pages) <= -(-ROWS // rows_a_page)
    # Each row once, in order (a row's line starts with its number; the page footer is
    # "1 / 3").
    rows = [line for line in text.splitlines() if re.match(r"\d+ (?!/ \d+$)", line)]
    assert [row.split(" ", 1)[0] for row in rows] == [str(n) for n in range(1, ROWS + 1)]
    # One totals line per item, after the last row: not repeated at the foot of each page.
    totals = [line for line in text.splitlines() if line.startswith("Total ")]
    assert len(totals) == ITEMS
    assert text.index("Total ") > text.index(f"\n{ROWS} ")
