"""The gate page: the guard's answer (allow or deny, and why) for every case of the issue,
what it shows about the person, the pass and the household, field errors that record
nothing, the household finder, and who is refused the page."""

import base64
import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from fangkong.access import services, tokens
from fangkong.access.models import Crossing
from fangkong.core.roles import Role
from fangkong.testing.school import issued_pass
from fangkong.watch.models import Incident

PAGE = "/access/gate/"
DECIDE = "/access/gate/decide/"
HOUSEHOLDS = "/access/gate/households/"


@pytest.fixture
def guard(client, school):
    client.force_login(school.guard)
    return client


def decide(client, gate, direction="in", htmx=True, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(DECIDE, {"gate": gate.pk, "direction": direction, **data}, **headers)


def verdict(response) -> str:
    """The answer in the panel, as the guard reads it."""
    page = response.content.decode()
    if 'data-verdict="allow"' in page and "ALLOW" in page:
        return "allow"
    if 'data-verdict="deny"' in page and "DENY" in page:
        return "deny"
    return "none"


def last_crossing() -> Crossing:
    return Crossing.objects.order_by("-pk").first()


# ---- passes ------------------------------------------------------------------------------


def test_a_valid_pass_code_is_let_in_and_recorded(guard, school):
    gate_pass = issued_pass(school)
    response = decide(guard, school.teaching_gate, code=services.pass_token(gate_pass))
    page = response.content.decode()
    assert response.status_code == 200 and verdict(response) == "allow"
    assert "Valid pass" in page
    assert school.outsider.name in page and "College of Architecture" in page
    assert gate_pass.number in page and "On-duty staff" in page
    crossing = last_crossing()
    assert (crossing.allowed, crossing.reason, crossing.gate_pass, crossing.person) == (
        True,
        "valid_pass",
        gate_pass,
        school.outsider,
    )
    assert crossing.guard == school.guard and crossing.direction == "in"


def test_a_typed_pass_number_is_checked_like_a_code(guard, school):
    gate_pass = issued_pass(school)
    response = decide(guard, school.teaching_gate, code=gate_pass.number.lower())
    assert verdict(response) == "allow"
    assert last_crossing().gate_pass == gate_pass


def test_a_revoked_pass_is_refused_with_the_reason_for_revoking(guard, school):
    gate_pass = issued_pass(school)
    token = services.pass_token(gate_pass)
    services.revoke_pass(school.office, gate_pass, reason="已离校")
    response = decide(guard, school.teaching_gate, code=token)
    page = response.content.decode()
    assert verdict(response) == "deny"
    assert "Pass revoked" in page and "已离校" in page
    assert (last_crossing().allowed, last_crossing().reason) == (False, "revoked")


def test_an_expired_pass_is_refused_with_its_last_day(guard, school):
    issued = timezone.now() - datetime.timedelta(days=20)
    first = timezone.localdate(issued)
    gate_pass = issued_pass(
        school, now=issued, valid_from=first, valid_until=first + datetime.timedelta(days=2)
    )
    response = decide(guard, school.teaching_gate, code=services.pass_token(gate_pass))
    page = response.content.decode()
    assert verdict(response) == "deny"
    assert "Pass expired" in page
    assert f"last day {gate_pass.valid_until:%Y-%m-%d}" in page
    assert last_crossing().reason == "expired"


def test_a_pass_for_another_area_is_refused(guard, school):
    gate_pass = issued_pass(school)  # teaching area only
    response = decide(guard, school.family_gate, code=services.pass_token(gate_pass))
    assert verdict(response) == "deny"
    assert "Pass not valid for this area" in response.content.decode()
    assert last_crossing().reason == "wrong_area"


@pytest.mark.parametrize("code", ["TX-12", "FK1.NOTAPASS", "FK1."])
def test_what_is_no_pass_code_is_refused_as_malformed(guard, school, code):
    response = decide(guard, school.teaching_gate, code=code)
    assert verdict(response) == "deny"
    assert "Not a pass code or pass number" in response.content.decode()
    assert (last_crossing().reason, last_crossing().person) == ("malformed", None)


def test_a_tampered_code_is_refused_as_forged(guard, school):
    token = services.pass_token(issued_pass(school))
    body = token[len(tokens.PREFIX) :]
    raw = bytearray(base64.b32decode(body + "=" * (-len(body) % 8)))
    raw[6] ^= 0x01  # one day more on the pass
    tampered = tokens.PREFIX + base64.b32encode(bytes(raw)).decode().rstrip("=")
    response = decide(guard, school.teaching_gate, code=tampered)
    assert verdict(response) == "deny"
    assert "forged or altered" in response.content.decode()
    assert last_crossing().reason == "forged"


def test_a_code_re_signed_with_a_stolen_key_id_is_refused_as_forged(guard, school):
    gate_pass = issued_pass(school)
    forged = tokens.sign(services.claims_for(gate_pass), Ed25519PrivateKey.generate())
    response = decide(guard, school.teaching_gate, code=forged)
    assert verdict(response) == "deny"
    assert last_crossing().reason == "forged"


# ---- the household quota and the ledgers ------------------------------------------------------


def test_the_household_quota_lets_one_out_and_says_when_the_next_may_go(guard, school):
    first = decide(guard, school.family_gate, "out", person_number=school.resident.person_number)
    assert verdict(first) == "allow"
    assert "Household exit quota" in first.content.decode()
    went_out = last_crossing()
    assert went_out.counts_quota and went_out.household == school.household

    second = decide(guard, school.family_gate_2, "out", code=school.resident_2.person_number)
    page = second.content.decode()
    assert verdict(second) == "deny"
    assert "Household has used its exits — next exit allowed at" in page
    next_exit = timezone.localtime(went_out.at + datetime.timedelta(days=2))
    assert f"next exit allowed at {next_exit:%Y-%m-%d %H:%M}" in page
    assert last_crossing().reason == "quota_used"


def test_the_guard_sees_who_of_the_household_is_out_and_since_when(guard, school):
    decide(guard, school.family_gate, "out", code=school.resident.person_number)
    since = timezone.localtime(last_crossing().at)
    response = decide(guard, school.family_gate, "out", code=school.resident_2.person_number)
    page = response.content.decode()
    assert "Out now" in page
    assert f"{school.resident.name}, since {since:%Y-%m-%d %H:%M}" in page
    assert str(school.household) in page


def test_nobody_out_is_said_plainly(guard, school):
    response = decide(guard, school.family_gate, "in", code=school.resident.person_number)
    page = response.content.decode()
    assert verdict(response) == "allow" and "Resident of the area" in page
    assert "Nobody of the household is out." in page


def test_a_person_under_isolation_is_refused_even_with_a_valid_pass(guard, school, make_user):
    from fangkong.watch import services as watch

    medic = make_user(Role.MEDIC, username="gate-medic")
    watch.create_isolation_policy(
        school.office, effective_from=timezone.localdate() - datetime.timedelta(days=40), days=14
    )
    watch.start_isolation(medic, person=school.resident, place_kind="home", reason="自湖北返回")
    gate_pass = issued_pass(school, holder=school.resident)

    response = decide(guard, school.family_gate, "out", code=school.resident.person_number)
    assert verdict(response) == "deny"
    assert "Under medical isolation" in response.content.decode()
    response = decide(guard, school.teaching_gate, code=services.pass_token(gate_pass))
    assert verdict(response) == "deny"
    assert "Under medical isolation" in response.content.decode()
    assert list(Crossing.objects.values_list("reason", flat=True)) == ["isolation"] * 2


def test_a_fever_is_refused_and_opens_an_incident(guard, school):
    gate_pass = issued_pass(school)
    response = decide(
        guard, school.teaching_gate, code=services.pass_token(gate_pass), temperature="37.5"
    )
    page = response.content.decode()
    assert verdict(response) == "deny"
    assert "Temperature 37.3 °C or more — 37.5 °C" in page
    assert "A fever incident was opened" in page
    incident = Incident.objects.get(kind=Incident.Kind.FEVER)
    assert list(incident.people.all()) == [school.outsider]
    crossing = last_crossing()
    assert (crossing.reason, str(crossing.temperature)) == ("fever", "37.5")


def test_a_normal_temperature_is_recorded_with_the_crossing(guard, school):
    response = decide(guard, school.family_gate, "in", code=school.resident.person_number,
                      temperature="36.6")  # fmt: skip
    assert verdict(response) == "allow" and "36.6 °C" in response.content.decode()
    assert str(last_crossing().temperature) == "36.6"
    assert not Incident.objects.exists()


def test_an_unknown_person_number_is_refused(guard, school):
    response = decide(guard, school.family_gate, "out", code="P999999")
    assert verdict(response) == "deny" and "No such person" in response.content.decode()
    assert last_crossing().reason == "unknown_person"


# ---- bad input records nothing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "message"),
    [("hot", "A temperature is a number"), ("12", "between 34 and 43")],
)
def test_a_bad_temperature_is_shown_by_its_field_and_records_nothing(
    guard, school, temperature, message
):
    response = decide(
        guard, school.family_gate, code=school.resident.person_number, temperature=temperature
    )
    page = response.content.decode()
    assert response.status_code == 400 and verdict(response) == "none"
    assert 'id="gate-error-temperature"' in page and message in page
    field_error = page.split('id="gate-error-temperature"')[1].split("</small>")[0]
    assert message in field_error
    assert not Crossing.objects.exists()


def test_nothing_typed_is_an_error_on_the_code_field(guard, school):
    response = decide(guard, school.family_gate, code="  ")
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Scan a code, or type a pass number or a person number."
        in page.split('id="gate-error-code"')[1].split("</small>")[0]
    )
    assert not Crossing.objects.exists()


def test_a_gate_and_a_direction_are_required(guard, school):
    response = guard.post(DECIDE, {"code": school.resident.person_number})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the gate you are at." in page and "Choose in or out." in page
    assert not Crossing.objects.exists()


# ---- the page without JavaScript, the remembered gate, the household finder ----------------


def test_the_page_offers_the_gates_directions_scanner_and_code_field(guard, school):
    page = guard.get(PAGE).content.decode()
    assert "Family area east gate" in page and "North gate" in page
    assert 'name="direction" value="in"' in page and 'name="direction" value="out"' in page
    assert 'id="gate-scan-start"' in page and "vendor/jsQR.js" in page
    assert 'name="code"' in page and 'name="temperature"' in page
    assert "Ready: scan a pass" in page


def test_the_gate_and_direction_are_remembered(guard, school):
    assert guard.get(PAGE, {"gate": school.family_gate_2.pk, "direction": "out"},
                     HTTP_HX_REQUEST="true").status_code == 204  # fmt: skip
    form = guard.get(PAGE).context["form"]
    assert form["gate"].value() == school.family_gate_2.pk
    assert form["direction"].value() == "out"
    decide(guard, school.teaching_gate, "in", code="P999999")
    form = guard.get(PAGE).context["form"]
    assert (form["gate"].value(), form["direction"].value()) == (school.teaching_gate.pk, "in")


def test_without_javascript_the_whole_page_comes_back_ready_for_the_next(guard, school):
    response = decide(guard, school.family_gate, "in", htmx=False,
                      code=school.resident.person_number, temperature="36.5")  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page and verdict(response) == "allow"
    form = response.context["form"]
    assert not form.is_bound and form.initial["gate"] == school.family_gate.pk
    assert f'value="{school.resident.person_number}"' not in page.split('name="code"')[1][:200]


def test_the_household_finder_lists_members_with_a_button_each(guard, school):
    response = guard.get(HOUSEHOLDS, {"q": "3-201"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page and "3-201" in page
    for member in (school.resident, school.resident_2):
        assert member.name in page
        assert f'name="person_number" value="{member.person_number}"' in page
    by_name = guard.get(HOUSEHOLDS, {"q": school.resident_2.name}).content.decode()
    assert "3-201" in by_name and school.resident.name in by_name
    assert "No household matches" in guard.get(HOUSEHOLDS, {"q": "no-such"}).content.decode()
    # Without JavaScript the finder is part of the page.
    assert school.resident.name in guard.get(PAGE, {"q": "3-201"}).content.decode()


def test_a_members_button_decides_for_that_member(guard, school):
    response = decide(guard, school.family_gate, "out", code="",
                      person_number=school.resident_2.person_number)  # fmt: skip
    assert verdict(response) == "allow"
    assert last_crossing().person == school.resident_2


# ---- who may use the page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICER, Role.LEADER])
def test_only_guards_and_the_office_work_the_gate(login_as, school, role):
    client = login_as(role)
    assert client.get(PAGE).status_code == 403
    assert client.get(HOUSEHOLDS, {"q": "3-201"}).status_code == 403
    response = decide(client, school.family_gate, code=school.resident.person_number)
    assert response.status_code == 403
    assert not Crossing.objects.exists()


def test_the_office_may_work_a_gate(client, school):
    client.force_login(school.office)
    page = client.get(PAGE).content.decode()
    assert f'value="{school.family_gate.pk}"' in page and "Family area east gate" in page
    response = decide(client, school.family_gate, "in", code=school.resident.person_number)
    assert verdict(response) == "allow"


def test_a_fresh_login_opens_at_the_guards_own_gate_with_this_years_example(
    client, school, make_user
):
    """The session is new (another phone, the next shift): the gate is the one of the
    guard's latest crossing, not "choose the gate"."""
    other_guard = make_user(Role.GUARD)
    client.force_login(school.guard)
    decide(client, school.family_gate_2, "in", code="P999999")
    client.force_login(other_guard)
    decide(client, school.teaching_gate, "in", code="P999999")

    client.logout()
    client.force_login(school.guard)
    response = client.get(PAGE)
    assert response.context["form"]["gate"].value() == school.family_gate_2.pk
    year = timezone.localdate().year
    assert f'placeholder="e.g. TX-{year}-0001"' in response.content.decode()


def test_a_guard_who_never_worked_a_gate_chooses_one(client, school):
    client.force_login(school.guard)
    assert client.get(PAGE).context["form"]["gate"].value() is None
