"""The register and the donor acknowledgement as PDF, read back: the Chinese title, the
rows, the compiler."""

import io

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
