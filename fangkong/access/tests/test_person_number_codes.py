"""A person number typed in full-width digits (a Chinese input method's Ｔ２０２５…) is the
same number at the gate, and that person's pass has a code on every page; a number a code
cannot carry gets a message on the page and a 422 from the API, never a 500."""

import datetime

import pytest

from fangkong.access import services, tokens
from fangkong.access.models import Crossing
from fangkong.core import services as core_services
from fangkong.core.models import Person
from fangkong.testing.school import issued_pass

pytestmark = pytest.mark.django_db

FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def test_a_full_width_person_number_finds_the_person_at_the_gate(school):
    typed = full_width(school.resident.person_number.lower())
    decision = services.decide_at_gate(
        school.guard, gate=school.family_gate, direction=Crossing.Direction.IN, person_number=typed
    )
    assert (decision.allowed, decision.reason, decision.person) == (
        True,
        Crossing.Reason.RESIDENT,
        school.resident,
    )


def test_a_guard_typing_a_full_width_number_on_the_gate_page_finds_the_person(client, school):
    client.force_login(school.guard)
    response = client.post(
        "/access/gate/decide/",
        {
            "gate": school.family_gate.pk,
            "direction": "in",
            "code": full_width(school.resident.person_number),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-verdict="allow"' in response.content.decode()
    crossing = Crossing.objects.get()
    assert (crossing.person, crossing.reason) == (school.resident, Crossing.Reason.RESIDENT)


def test_a_full_width_pass_number_is_a_pass_number_at_the_gate(client, school):
    gate_pass = issued_pass(school)
    client.force_login(school.guard)
    client.post(
        "/access/gate/decide/",
        {"gate": school.teaching_gate.pk, "direction": "in", "code": full_width(gate_pass.number)},
        HTTP_HX_REQUEST="true",
    )
    crossing = Crossing.objects.get()
    assert (crossing.gate_pass, crossing.reason) == (gate_pass, Crossing.Reason.VALID_PASS)


@pytest.fixture
def typed_full_width(school):
    """A person added with the number typed in full-width digits, and their pass."""
    person = core_services.create_person(
        school.office,
        person_number="Ｔ２０２５０６０１",
        name="全角",
        sex="F",
        category="staff",
        unit=school.outsider.unit,
    )
    return issued_pass(school, holder=person)


def _token_api(client, school, gate_pass):
    _token, raw = core_services.create_api_token(school.office, "test")
    return client.get(
        f"/api/v1/access/passes/{gate_pass.pk}/token", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_every_code_of_a_pass_whose_holder_was_typed_full_width_is_given(
    client, school, typed_full_width
):
    client.force_login(school.office)
    base = f"/access/passes/{typed_full_width.pk}"
    for page in ("/qr/", "/card/"):
        response = client.get(base + page)
        assert response.status_code == 200, page
        assert "<svg" in response.content.decode(), page
    pdf = client.get(base + "/card.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    api = _token_api(client, school, typed_full_width)
    assert api.status_code == 200
    claims = tokens.verify(api.json()["token"], services.key_ring())
    assert claims.holder == "T20250601"


@pytest.fixture
def unencodable(school):
    """A pass whose holder's number was stored before numbers were checked, and that the
    migration could not normalise (it is Chinese)."""
    gate_pass = issued_pass(school)
    Person.objects.filter(pk=gate_pass.holder_id).update(person_number="学号1")
    gate_pass.holder.refresh_from_db()
    return gate_pass


def test_a_number_a_code_cannot_carry_is_a_message_on_every_page(client, school, unencodable):
    client.force_login(school.office)
    base = f"/access/passes/{unencodable.pk}"
    for page, status in (("/qr/", 200), ("/card/", 200), ("/card.pdf", 409)):
        response = client.get(base + page)
        text = response.content.decode()
        assert response.status_code == status, page
        assert "The holder&#x27;s person number “学号1” cannot go into a pass code" in text, page
        assert "<svg" not in text, page


def test_a_number_a_code_cannot_carry_is_a_422_from_the_api(client, school, unencodable):
    response = _token_api(client, school, unencodable)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "holder"
    assert error["message"].startswith("The holder's person number “学号1” cannot go into")


def test_the_encoder_refuses_what_it_cannot_carry_with_its_own_error():
    claims = tokens.Claims(
        kid=1,
        number="TX-2020-0001",
        holder="Ｔ２０２５",
        areas=(3,),
        valid_from=datetime.date(2020, 2, 10),
        valid_until=datetime.date(2020, 2, 23),
    )
    with pytest.raises(tokens.UnencodableClaims) as refused:
        tokens.payload(claims)
    assert refused.value.field == "holder"
