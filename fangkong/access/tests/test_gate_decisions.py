"""The gate's decisions (services.decide_at_gate): every reason it gives, the household exit
quota in both windows, the closed loop with isolation and fever, and the crossing ledger."""

import datetime
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangkong.access import services, tokens
from fangkong.access.models import AccessPolicy, Crossing, Pass
from fangkong.core.history import coded
from fangkong.core.models import Person
from fangkong.core.roles import Role
from fangkong.testing.factories import AreaFactory, UserFactory
from fangkong.testing.school import issued_pass
from fangkong.watch import services as watch_services
from fangkong.watch.models import Incident

R = Crossing.Reason
IN, OUT = Crossing.Direction.IN, Crossing.Direction.OUT


def decide(school, gate, direction, **kwargs):
    return services.decide_at_gate(school.guard, gate=gate, direction=direction, **kwargs)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# ---- allowed ------------------------------------------------------------------------------


def test_a_valid_pass_lets_its_holder_into_the_closed_area(school):
    gate_pass = issued_pass(school)
    decision = decide(school, school.teaching_gate, IN, presented=services.pass_token(gate_pass))
    assert (decision.allowed, decision.reason) == (True, R.VALID_PASS)
    assert decision.person == school.outsider
    assert decision.gate_pass == gate_pass
    assert decision.reason_label == "Valid pass"


def test_a_typed_pass_number_is_decided_like_its_code(school):
    gate_pass = issued_pass(school)
    decision = decide(school, school.teaching_gate, IN, presented=gate_pass.number.lower())
    assert (decision.allowed, decision.reason) == (True, R.VALID_PASS)


def test_an_open_area_lets_anyone_through(school):
    open_area = AreaFactory(name="草堂校区", name_en="Caotang campus")
    gate = services.save_gate(school.office, code="caotang", name="草堂门", area=open_area)
    decision = decide(school, gate, IN, person_number=school.outsider.person_number)
    assert (decision.allowed, decision.reason) == (True, R.OPEN_AREA)


def test_leaving_the_closed_area_needs_no_pass(school):
    decision = decide(
        school, school.teaching_gate, OUT, person_number=school.outsider.person_number
    )
    assert (decision.allowed, decision.reason) == (True, R.LEAVING)


def test_a_resident_goes_into_the_family_area(school):
    decision = decide(school, school.family_gate, IN, person_number=school.resident.person_number)
    assert (decision.allowed, decision.reason) == (True, R.RESIDENT)
    assert decision.counts_quota is False


# ---- refused: the pass ----------------------------------------------------------------------


def test_the_closed_area_refuses_a_person_without_a_pass(school):
    decision = decide(school, school.teaching_gate, IN, person_number=school.outsider.person_number)
    assert (decision.allowed, decision.reason) == (False, R.NO_PASS)
    assert decision.reason_label == "Area closed: a pass is needed"


def test_a_pass_for_another_area_is_refused(school):
    gate_pass = issued_pass(school, areas=[school.family])
    decision = decide(school, school.teaching_gate, IN, presented=services.pass_token(gate_pass))
    assert (decision.allowed, decision.reason) == (False, R.WRONG_AREA)


def test_a_revoked_pass_is_refused_with_the_reason_for_revoking(school):
    gate_pass = issued_pass(school)
    token = services.pass_token(gate_pass)
    services.revoke_pass(school.office, gate_pass, reason="岗位调整")
    decision = decide(school, school.teaching_gate, IN, presented=token)
    assert (decision.allowed, decision.reason, decision.detail) == (False, R.REVOKED, "岗位调整")


def test_an_expired_pass_is_refused_with_its_last_day(school):
    gate_pass = issued_pass(school)
    later = local(gate_pass.valid_until + datetime.timedelta(days=1), 9)
    decision = decide(school, school.teaching_gate, IN, presented=gate_pass.number, at=later)
    assert (decision.allowed, decision.reason) == (False, R.EXPIRED)
    assert str(gate_pass.valid_until) in decision.detail


def test_a_pass_not_valid_yet_is_refused_with_its_first_day(school):
    start = timezone.localdate() + datetime.timedelta(days=3)
    gate_pass = issued_pass(school, valid_from=start)
    decision = decide(school, school.teaching_gate, IN, presented=services.pass_token(gate_pass))
    assert (decision.allowed, decision.reason) == (False, R.NOT_YET_VALID)
    assert str(start) in decision.detail


def test_a_single_use_pass_is_used_up_after_one_entry(school):
    gate_pass = issued_pass(school, pass_type=school.materials)
    assert gate_pass.uses_left == 1
    first = decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    assert (first.allowed, first.reason) == (True, R.VALID_PASS)
    gate_pass.refresh_from_db()
    assert gate_pass.uses_left == 0
    second = decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    assert (second.allowed, second.reason) == (False, R.USED_UP)


def test_a_used_up_pass_does_not_keep_its_holder_inside_the_closed_area(school):
    gate_pass = issued_pass(school, pass_type=school.materials)
    decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    leaving = decide(school, school.teaching_gate, OUT, presented=gate_pass.number)
    assert (leaving.allowed, leaving.reason) == (True, R.LEAVING)


def test_a_pending_application_is_not_a_pass(school):
    pending = services.apply_for_pass(
        school.office, holder=school.outsider, pass_type=school.duty, reason="值班"
    )
    decision = decide(school, school.teaching_gate, IN, presented=pending.number)
    assert (decision.allowed, decision.reason) == (False, R.NOT_APPROVED)


@pytest.mark.parametrize("typed", ["TX-20-1", "hello", "TX-2020-0001; DROP", "FK1.@@@@"])
def test_what_is_neither_a_pass_number_nor_a_code_is_malformed(school, typed):
    decision = decide(school, school.teaching_gate, IN, presented=typed)
    assert (decision.allowed, decision.reason) == (False, R.MALFORMED)
    assert decision.person is None


def test_a_truncated_code_is_malformed(school):
    token = services.pass_token(issued_pass(school))
    decision = decide(school, school.teaching_gate, IN, presented=token[:40])
    assert (decision.allowed, decision.reason) == (False, R.MALFORMED)


def test_a_well_formed_number_of_no_pass_is_unknown(school):
    decision = decide(school, school.teaching_gate, IN, presented="TX-2020-9999")
    assert (decision.allowed, decision.reason) == (False, R.UNKNOWN_PASS)


def test_a_code_re_signed_by_another_key_is_forged(school):
    gate_pass = issued_pass(school)
    claims = services.claims_for(gate_pass)
    # The same key id and claims, but signed by a key that is not ours.
    token = tokens.sign(claims, Ed25519PrivateKey.generate())
    decision = decide(school, school.teaching_gate, IN, presented=token)
    assert (decision.allowed, decision.reason) == (False, R.FORGED)


def test_a_code_for_another_holder_is_forged(school):
    # Signed by our key, but naming a holder the pass does not have: refused.
    gate_pass = issued_pass(school)
    key = services.signing_key()
    private = Ed25519PrivateKey.from_private_bytes(bytes(key.private_key))
    claims = services.claims_for(gate_pass)
    other = tokens.Claims(**{**claims.__dict__, "holder": school.resident.person_number})
    decision = decide(school, school.teaching_gate, IN, presented=tokens.sign(other, private))
    assert (decision.allowed, decision.reason) == (False, R.FORGED)


def test_a_code_from_an_unknown_key_is_refused(school):
    gate_pass = issued_pass(school)
    claims = services.claims_for(gate_pass)
    token = tokens.sign(
        tokens.Claims(**{**claims.__dict__, "kid": 99}), Ed25519PrivateKey.generate()
    )
    decision = decide(school, school.teaching_gate, IN, presented=token)
    assert (decision.allowed, decision.reason) == (False, R.UNKNOWN_KEY)


def test_a_code_from_a_retired_key_is_refused_and_a_new_code_works(school):
    gate_pass = issued_pass(school)
    old_token = services.pass_token(gate_pass)
    old_kid = services.signing_key().kid
    services.rotate_key()
    services.retire_key(old_kid)
    decision = decide(school, school.teaching_gate, IN, presented=old_token)
    assert (decision.allowed, decision.reason) == (False, R.RETIRED_KEY)
    fresh = decide(school, school.teaching_gate, IN, presented=services.pass_token(gate_pass))
    assert (fresh.allowed, fresh.reason) == (True, R.VALID_PASS)


# ---- refused: the person -------------------------------------------------------------------


def test_an_unknown_person_number_is_refused(school):
    decision = decide(school, school.family_gate, OUT, person_number="NOBODY-1")
    assert (decision.allowed, decision.reason) == (False, R.UNKNOWN_PERSON)


def test_a_person_no_longer_on_the_books_is_refused(school):
    Person.objects.filter(pk=school.resident.pk).update(is_active=False)
    decision = decide(school, school.family_gate, IN, person_number=school.resident.person_number)
    assert (decision.allowed, decision.reason) == (False, R.INACTIVE_PERSON)


def test_a_non_resident_without_a_pass_may_not_enter_the_family_area(school):
    decision = decide(school, school.family_gate, IN, person_number=school.outsider.person_number)
    assert (decision.allowed, decision.reason) == (False, R.NOT_RESIDENT)


# ---- the household exit quota ----------------------------------------------------------------


def test_one_exit_per_household_then_refused_at_the_other_gate_until_two_days_later(school):
    first_at = timezone.now() - datetime.timedelta(hours=1)
    first = decide(
        school, school.family_gate, OUT, person_number=school.resident.person_number, at=first_at
    )
    assert (first.allowed, first.reason, first.counts_quota) == (True, R.HOUSEHOLD_QUOTA, True)
    assert first.household == school.household

    second = decide(
        school, school.family_gate_2, OUT, person_number=school.resident_2.person_number
    )
    assert (second.allowed, second.reason) == (False, R.QUOTA_USED)
    assert second.next_exit_at == first_at + datetime.timedelta(days=2)
    assert timezone.localtime(second.next_exit_at).strftime("%Y-%m-%d %H:%M") in second.detail
    # The guard sees who of the household is out, and since when.
    assert second.household_out == [{"person": school.resident, "since": first_at}]


def test_the_rolling_window_opens_exactly_n_days_after_the_exit(school):
    first_at = timezone.now() - datetime.timedelta(days=3)
    resident, resident_2 = school.resident.person_number, school.resident_2.person_number
    decide(school, school.family_gate, OUT, person_number=resident, at=first_at)
    just_before = first_at + datetime.timedelta(days=2, seconds=-1)
    refused = decide(school, school.family_gate, OUT, person_number=resident_2, at=just_before)
    assert refused.reason == R.QUOTA_USED
    just_after = first_at + datetime.timedelta(days=2, seconds=1)
    allowed = decide(school, school.family_gate, OUT, person_number=resident_2, at=just_after)
    assert (allowed.allowed, allowed.reason) == (True, R.HOUSEHOLD_QUOTA)


def test_the_calendar_window_counts_whole_days(school):
    services.set_policy(
        school.office,
        area=school.family,
        kind=AccessPolicy.Kind.QUOTA,
        quota_exits=1,
        quota_days=2,
        quota_window=AccessPolicy.Window.CALENDAR,
        effective_from=timezone.now() - datetime.timedelta(days=10),
    )
    day = timezone.localdate() - datetime.timedelta(days=5)
    resident, resident_2 = school.resident.person_number, school.resident_2.person_number
    # Out late on day D: the quota is used for D and D+1, and free again at D+2 00:00.
    decide(school, school.family_gate, OUT, person_number=resident, at=local(day, 23))
    next_day = day + datetime.timedelta(days=1)
    refused = decide(
        school, school.family_gate, OUT, person_number=resident_2, at=local(next_day, 23, 59)
    )
    assert refused.reason == R.QUOTA_USED
    assert refused.next_exit_at == local(day + datetime.timedelta(days=2), 0)
    allowed = decide(
        school,
        school.family_gate,
        OUT,
        person_number=resident_2,
        at=local(day + datetime.timedelta(days=2), 0, 1),
    )
    assert (allowed.allowed, allowed.reason) == (True, R.HOUSEHOLD_QUOTA)


def test_a_pass_holder_goes_out_on_the_pass_not_on_the_quota(school):
    gate_pass = issued_pass(school, holder=school.resident)
    on_pass = decide(school, school.family_gate, OUT, presented=services.pass_token(gate_pass))
    assert (on_pass.allowed, on_pass.reason, on_pass.counts_quota) == (
        True,
        R.VALID_PASS,
        False,
    )
    # The household's one exit is still there for the other member.
    other = decide(school, school.family_gate_2, OUT, person_number=school.resident_2.person_number)
    assert (other.allowed, other.reason) == (True, R.HOUSEHOLD_QUOTA)


def test_coming_back_in_does_not_free_the_quota(school):
    resident, resident_2 = school.resident.person_number, school.resident_2.person_number
    decide(school, school.family_gate, OUT, person_number=resident)
    back = decide(school, school.family_gate, IN, person_number=resident)
    assert back.reason == R.RESIDENT
    assert back.household_out == []
    refused = decide(school, school.family_gate, OUT, person_number=resident_2)
    assert refused.reason == R.QUOTA_USED


# ---- the closed loop with isolation and fever ------------------------------------------------


@pytest.fixture
def medic(db):
    return UserFactory(roles=[Role.MEDIC], username="gate-medic")


def test_isolation_refuses_even_with_a_valid_pass(school, medic):
    gate_pass = issued_pass(school, holder=school.resident)
    watch_services.create_isolation_policy(
        school.office,
        effective_from=timezone.localdate() - datetime.timedelta(days=30),
        days=14,
        note="14天",
    )
    watch_services.start_isolation(
        medic, person=school.resident, place_kind="home", reason="自湖北返回"
    )
    token = services.pass_token(gate_pass)
    decision = decide(school, school.teaching_gate, IN, presented=token)
    assert (decision.allowed, decision.reason) == (False, R.ISOLATION)
    at_home = decide(school, school.family_gate, OUT, person_number=school.resident.person_number)
    assert (at_home.allowed, at_home.reason) == (False, R.ISOLATION)


def test_an_open_fever_incident_refuses_until_it_is_closed(school, medic):
    gate_pass = issued_pass(school)
    incident = watch_services.open_incident(
        medic,
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
        kind=Incident.Kind.FEVER,
        description="体温37.8",
        people=[school.outsider],
    )
    refused = decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    assert (refused.allowed, refused.reason) == (False, R.FEVER_FLAG)
    watch_services.close_incident(medic, incident, summary="复测正常")
    allowed = decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    assert (allowed.allowed, allowed.reason) == (True, R.VALID_PASS)


def test_a_fever_at_the_gate_refuses_and_opens_an_incident(school):
    gate_pass = issued_pass(school)
    decision = decide(
        school, school.teaching_gate, IN, presented=gate_pass.number, temperature="37.3"
    )
    assert (decision.allowed, decision.reason) == (False, R.FEVER)
    assert decision.crossing.temperature == Decimal("37.3")
    incident = Incident.objects.get(kind=Incident.Kind.FEVER, people=school.outsider)
    assert incident.status != Incident.Status.CLOSED
    # And from now on the open incident refuses the person at every gate.
    again = decide(school, school.teaching_gate, IN, presented=gate_pass.number, temperature="36.5")
    assert again.reason == R.FEVER_FLAG


def test_a_temperature_below_fever_lets_through(school):
    gate_pass = issued_pass(school)
    decision = decide(
        school, school.teaching_gate, IN, presented=gate_pass.number, temperature="37.2"
    )
    assert (decision.allowed, decision.reason) == (True, R.VALID_PASS)
    assert not Incident.objects.exists()


def test_an_impossible_temperature_is_an_error_and_records_nothing(school):
    with pytest.raises(ValidationError) as caught:
        decide(school, school.teaching_gate, IN, presented="TX-2020-0001", temperature="73")
    assert "temperature" in caught.value.message_dict
    assert not Crossing.objects.exists()


# ---- the ledger --------------------------------------------------------------------------------


def test_every_decision_appends_one_crossing_with_what_was_decided(school):
    gate_pass = issued_pass(school)
    allowed = decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    refused = decide(school, school.teaching_gate, IN, presented="nonsense")
    rows = list(Crossing.objects.order_by("pk"))
    assert [(row.allowed, row.reason) for row in rows] == [
        (True, R.VALID_PASS),
        (False, R.MALFORMED),
    ]
    assert rows[0] == allowed.crossing and rows[1] == refused.crossing
    assert (rows[0].gate, rows[0].direction, rows[0].person, rows[0].gate_pass) == (
        school.teaching_gate,
        IN,
        school.outsider,
        gate_pass,
    )
    assert rows[0].guard == school.guard
    assert rows[1].presented == "nonsense"


def test_a_crossing_is_never_changed_or_deleted(school):
    crossing = decide(
        school, school.teaching_gate, IN, person_number=school.outsider.person_number
    ).crossing
    crossing.allowed = True
    crossing.reason = R.VALID_PASS
    with pytest.raises(ValidationError):
        crossing.save()
    with pytest.raises(ValidationError):
        crossing.delete()
    stored = Crossing.objects.get(pk=crossing.pk)
    assert (stored.allowed, stored.reason) == (False, R.NO_PASS)


def test_only_guards_and_the_office_decide_at_a_gate(school):
    member = UserFactory(roles=[Role.MEMBER], username="gate-member")
    with pytest.raises(PermissionDenied):
        services.decide_at_gate(
            member, gate=school.teaching_gate, direction=IN, presented="TX-2020-0001"
        )
    assert not Crossing.objects.exists()


def test_a_pass_used_at_the_gate_keeps_its_history(school):
    gate_pass = issued_pass(school, pass_type=school.materials)
    decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    reasons = list(
        Pass.history.filter(id=gate_pass.pk)
        .order_by("history_id")
        .values_list("history_change_reason", flat=True)
    )
    assert reasons[-1] == coded("used_at_gate")


@pytest.mark.parametrize(
    ("temperature", "refused"), [(Decimal("37.3"), True), (Decimal("37.2"), False)]
)
def test_todays_check_in_at_a_fever_refuses_at_every_gate(school, temperature, refused):
    from fangkong.testing.factories import HealthCheckinFactory

    gate_pass = issued_pass(school)
    HealthCheckinFactory(person=school.outsider, temperature=temperature)
    decision = decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    assert decision.allowed is not refused
    assert decision.reason == (R.FEVER_FLAG if refused else R.VALID_PASS)


def test_a_corrected_check_in_no_longer_flags(school):
    from fangkong.testing.factories import HealthCheckinFactory

    gate_pass = issued_pass(school)
    HealthCheckinFactory(
        person=school.outsider,
        temperature=Decimal("38.0"),
        superseded_at=timezone.now(),
        superseded_by=school.office,
    )
    HealthCheckinFactory(person=school.outsider, temperature=Decimal("36.6"))
    decision = decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    assert (decision.allowed, decision.reason) == (True, R.VALID_PASS)


def test_yesterdays_fever_check_in_does_not_flag_today(school):
    from fangkong.testing.factories import HealthCheckinFactory

    gate_pass = issued_pass(school)
    HealthCheckinFactory(
        person=school.outsider,
        temperature=Decimal("38.0"),
        date=timezone.localdate() - datetime.timedelta(days=1),
    )
    decision = decide(school, school.teaching_gate, IN, presented=gate_pass.number)
    assert decision.reason == R.VALID_PASS
