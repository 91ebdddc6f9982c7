"""Everything that changes gate access: policies, gates, pass types, passes, keys and the
gate's decisions. Pages, the API, the demo and the commands all come through here."""

import dataclasses
import datetime
import re
import threading
import time
import uuid
from decimal import Decimal, InvalidOperation

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fangkong.access import scoping, tokens
from fangkong.access.models import AccessPolicy, Crossing, Gate, Pass, PassType, SigningKey
from fangkong.core.history import coded
from fangkong.core.identity import normalise_person_number
from fangkong.core.models import Area, Household, Person
from fangkong.core.services import next_number
from fangkong.core.temperature import DEFAULT_FEVER_THRESHOLD
from fangkong.core.transactions import entry_point, one_transaction, service_atomic
from fangkong.core.validation import full_clean
from fangkong.watch import selectors as watch_selectors
from fangkong.watch.models import Incident
from fangkong.watch.services import open_incident

# The gate's own threshold for a temperature it measures (its refusal names it).
FEVER_AT = DEFAULT_FEVER_THRESHOLD
PASS_NUMBER = re.compile(r"^TX-\d{4}-\d{4,6}$")
MAX_PASS_DAYS = 366


def _text(value) -> str:
    return str(value or "").strip()


def _full_clean(instance, exclude=()) -> None:
    full_clean(instance, exclude=exclude)


# ---- signing keys -----------------------------------------------------------------------

_ring_lock = threading.Lock()
_ring: dict = {"at": 0.0, "keys": None, "signer": None}
RING_SECONDS = 30


def _raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def _raw_private(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def forget_keys() -> None:
    """Drop this process's cached key ring (after a rotation, and between tests)."""
    with _ring_lock:
        _ring.update(at=0.0, keys=None, signer=None)


ROTATION_ATTEMPTS = 5


@entry_point
def rotate_key() -> SigningKey:
    """A new signing key, with the next key id. Older keys keep verifying until retired.

    Two rotations at once (two servers' set-up, an operator and a deploy) read the same
    highest id: no row lock can stop that, as the row they would lock does not exist yet.
    The unique key id decides instead: the second insert waits for the first transaction
    and, once it commits, fails; that attempt's savepoint is rolled back and the next one
    reads the id just committed (READ COMMITTED on PostgreSQL; SQLite's IMMEDIATE
    transactions never get that far)."""
    private = Ed25519PrivateKey.generate()
    for attempt in range(ROTATION_ATTEMPTS):
        last = SigningKey.objects.aggregate(last=Max("kid"))["last"] or 0
        try:
            with transaction.atomic():
                key = SigningKey.objects.create(
                    kid=last + 1, public_key=_raw_public(private), private_key=_raw_private(private)
                )
            break
        except IntegrityError:
            if attempt == ROTATION_ATTEMPTS - 1:
                raise
    transaction.on_commit(forget_keys)
    forget_keys()
    return key


def ensure_signing_key() -> SigningKey | None:
    """The first signing key, made when the access app is set up (after `migrate`), so that
    a gate device set up before any pass is issued already holds the key it will need.
    None when an active key exists already."""
    if SigningKey.objects.filter(retired_at__isnull=True).exists():
        return None
    return rotate_key()


def retire_key(kid: int) -> SigningKey:
    """Stop trusting a key: tokens it signed are refused. The signing key is not retired
    (rotate first)."""
    with service_atomic():
        key = SigningKey.objects.select_for_update().filter(kid=kid).first()
        if key is None:
            raise ValidationError({"kid": _("No key has id %(kid)s.") % {"kid": kid}})
        newest = SigningKey.objects.filter(retired_at__isnull=True).order_by("-kid").first()
        if newest is not None and newest.pk == key.pk:
            raise ValidationError(
                {"kid": _("This key signs new passes: make a new key before retiring it.")}
            )
        if key.retired_at is None:
            key.retired_at = timezone.now()
            key.save(update_fields=["retired_at"])
        transaction.on_commit(forget_keys)
    forget_keys()
    return key


def _load_ring():
    keys = {}
    signer = None
    for key in SigningKey.objects.order_by("kid"):
        retired = key.retired_at is not None
        keys[key.kid] = tokens.public_key_from_bytes(key.kid, key.public_key, retired)
        if not retired:
            signer = key
    return keys, signer


def key_ring() -> dict[int, tokens.PublicKey]:
    """The public keys by key id, cached for a few seconds in each process."""
    now = time.monotonic()
    with _ring_lock:
        if _ring["keys"] is not None and now - _ring["at"] < RING_SECONDS:
            return _ring["keys"]
    keys, signer = _load_ring()
    with _ring_lock:
        _ring.update(at=now, keys=keys, signer=signer)
    return keys


def signing_key() -> SigningKey:
    key_ring()
    signer = _ring["signer"]
    if signer is None:
        rotate_key()
        key_ring()
        signer = _ring["signer"]
    return signer


def public_keys_document() -> dict:
    return {
        "alg": "Ed25519",
        "token_prefix": tokens.PREFIX,
        "keys": [
            tokens.key_entry(key.kid, key.public_key, key.retired_at is not None)
            for key in SigningKey.objects.order_by("kid")
        ],
    }


def claims_for(gate_pass: Pass) -> tokens.Claims:
    return tokens.Claims(
        kid=signing_key().kid,
        number=gate_pass.number,
        holder=gate_pass.holder.person_number,
        areas=tuple(sorted(gate_pass.areas.values_list("pk", flat=True))),
        valid_from=gate_pass.valid_from,
        valid_until=gate_pass.valid_until,
    )


def pass_token(gate_pass: Pass) -> str:
    """The signed token of an issued pass, by the current signing key."""
    if gate_pass.status != Pass.Status.APPROVED:
        raise ValidationError(_("Only an approved pass has a code."))
    key = signing_key()
    private = Ed25519PrivateKey.from_private_bytes(bytes(key.private_key))
    try:
        return tokens.sign(claims_for(gate_pass), private)
    except tokens.UnencodableClaims as exc:
        raise ValidationError({exc.field: _unencodable_message(gate_pass, exc.field)}) from exc


def _unencodable_message(gate_pass: Pass, field: str) -> str:
    """Why a pass has no code, for the holder's page, the card and the API."""
    if field == "holder":
        return _(
            "The holder's person number “%(number)s” cannot go into a pass code: a person "
            "number has only letters A–Z, digits and hyphens. Correct it on the person's "
            "page, then open the code again."
        ) % {"number": gate_pass.holder.person_number}
    label = {"areas": _("areas")}.get(field) or Pass._meta.get_field(field).verbose_name
    return _("This pass's %(field)s cannot go into a pass code: please tell the office.") % {
        "field": label
    }


def revocation_list(since: datetime.datetime | None = None, today=None) -> list[dict]:
    """Revoked passes still inside their dates (an expired pass is refused anyway), newest
    last; `since` gives only those revoked after it, for a device's incremental poll."""
    today = today or timezone.localdate()
    rows = Pass.objects.filter(status=Pass.Status.REVOKED, valid_until__gte=today)
    if since is not None:
        rows = rows.filter(revoked_at__gt=since)
    return [
        {"number": number, "revoked_at": at}
        for number, at in rows.order_by("revoked_at", "pk").values_list("number", "revoked_at")
    ]


# ---- policies and gates ------------------------------------------------------------------


def policy_in_force(area_id: int, at: datetime.datetime | None = None) -> AccessPolicy | None:
    at = at or timezone.now()
    return (
        AccessPolicy.objects.filter(area_id=area_id, effective_from__lte=at)
        .order_by("-effective_from")
        .first()
    )


def set_policy(actor, *, area: Area, kind: str, effective_from=None, reason: str = "", **quota):
    """A new policy for an area from `effective_from` (now by default). History is not
    rewritten: it must come after the area's latest policy."""
    scoping.require_office(actor)
    effective_from = effective_from or timezone.now()
    policy = AccessPolicy(
        area=area,
        kind=kind,
        effective_from=effective_from,
        reason=_text(reason),
        created_by=actor,
        quota_exits=quota.get("quota_exits") if kind == AccessPolicy.Kind.QUOTA else None,
        quota_days=quota.get("quota_days") if kind == AccessPolicy.Kind.QUOTA else None,
        quota_window=quota.get("quota_window") or AccessPolicy.Window.ROLLING,
        return_by=quota.get("return_by") if kind == AccessPolicy.Kind.QUOTA else None,
    )
    unknown = set(quota) - {"quota_exits", "quota_days", "quota_window", "return_by"}
    if unknown:
        raise TypeError(f"set_policy() got unknown fields: {', '.join(sorted(unknown))}")
    errors = {}
    if kind == AccessPolicy.Kind.QUOTA:
        for field in ("quota_exits", "quota_days"):
            if not quota.get(field):
                errors[field] = _("A household quota needs this.")
    if errors:
        raise ValidationError(errors)
    with service_atomic():
        Area.objects.select_for_update(of=("self",)).filter(pk=area.pk).first()
        latest = AccessPolicy.objects.filter(area=area).aggregate(at=Max("effective_from"))["at"]
        if latest is not None and effective_from <= latest:
            raise ValidationError(
                {
                    "effective_from": _(
                        "The area already has a policy from %(at)s: a change starts after it."
                    )
                    % {"at": timezone.localtime(latest).strftime("%Y-%m-%d %H:%M")}
                }
            )
        _full_clean(policy)
        policy.save()
    return policy


def save_gate(actor, gate: Gate | None = None, **data) -> Gate:
    scoping.require_office(actor)
    gate = gate or Gate()
    for field in ("code", "name", "name_en", "area", "is_active"):
        if field in data:
            value = data[field]
            setattr(gate, field, value.strip() if isinstance(value, str) else value)
    _full_clean(gate)
    gate._history_user = actor
    gate.save()
    return gate


def save_pass_type(actor, pass_type: PassType | None = None, *, areas=None, **data) -> PassType:
    scoping.require_office(actor)
    pass_type = pass_type or PassType()
    fields = ("code", "name", "name_en", "default_days", "multiple_use", "uses", "approver")
    for field in (*fields, "order", "is_active"):
        if field in data:
            value = data[field]
            setattr(pass_type, field, value.strip() if isinstance(value, str) else value)
    if not pass_type.multiple_use:
        pass_type.uses = None
    _full_clean(pass_type)
    with service_atomic():
        pass_type._history_user = actor
        pass_type.save()
        if areas is not None:
            pass_type.areas.set(areas)
    return pass_type


# ---- passes ------------------------------------------------------------------------------


def _check_pass(gate_pass: Pass, areas, today: datetime.date) -> None:
    errors = {}
    if not gate_pass.reason:
        errors["reason"] = _("Say what the pass is for.")
    if not gate_pass.pass_type.is_active:
        errors["pass_type"] = _("This pass type is no longer used.")
    if not gate_pass.holder.is_active:
        errors["holder"] = _("This person is no longer on the books.")
    if gate_pass.valid_from and gate_pass.valid_from < today:
        errors["valid_from"] = _("A pass cannot start in the past.")
    if gate_pass.valid_from and gate_pass.valid_until:
        if gate_pass.valid_until < gate_pass.valid_from:
            errors["valid_until"] = _("The last day comes before the first.")
        elif (gate_pass.valid_until - gate_pass.valid_from).days >= MAX_PASS_DAYS:
            errors["valid_until"] = _("A pass is valid for at most %(days)s days.") % {
                "days": MAX_PASS_DAYS
            }
    if not areas:
        errors["areas"] = _("Choose at least one area.")
    if errors:
        raise ValidationError(errors)


def apply_for_pass(
    actor,
    *,
    holder: Person,
    pass_type: PassType,
    reason: str,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    areas=None,
    now: datetime.datetime | None = None,
) -> Pass:
    """An application (pending). Dates and areas default to the pass type's."""
    scoping.require_applicant(actor, holder)
    now = now or timezone.now()
    today = timezone.localdate(now)
    valid_from = valid_from or today
    if valid_until is None and valid_from:
        valid_until = valid_from + datetime.timedelta(days=pass_type.default_days - 1)
    areas = list(areas if areas is not None else pass_type.areas.all())
    gate_pass = Pass(
        holder=holder,
        pass_type=pass_type,
        reason=_text(reason),
        valid_from=valid_from,
        valid_until=valid_until,
        applied_by=actor,
        applied_at=now,
    )
    _check_pass(gate_pass, areas, today)
    with service_atomic():
        gate_pass.number = next_number(Pass.NUMBER_PREFIX, valid_from.year)
        _full_clean(gate_pass)
        gate_pass._history_user = actor
        gate_pass._change_reason = coded("applied")
        gate_pass.save()
        gate_pass.areas.set(areas)
    return gate_pass


def decide_pass(
    actor, gate_pass: Pass, *, approve: bool, note: str = "", now: datetime.datetime | None = None
) -> Pass:
    """Approve (issue) or reject a pending application. Nobody decides their own pass."""
    scoping.require_decider(actor, gate_pass.pass_type)
    note = _text(note)
    if actor.person_id and actor.person_id == gate_pass.holder_id:
        raise PermissionDenied(_("Nobody decides their own pass."))
    if not approve and not note:
        raise ValidationError({"decision_note": _("Say why the application is rejected.")})
    with service_atomic():
        gate_pass = Pass.objects.select_for_update().get(pk=gate_pass.pk)
        if gate_pass.status != Pass.Status.PENDING:
            raise ValidationError(
                _("This application was already decided (%(status)s).")
                % {"status": gate_pass.get_status_display()}
            )
        gate_pass.status = Pass.Status.APPROVED if approve else Pass.Status.REJECTED
        gate_pass.decided_by = actor
        gate_pass.decided_at = now or timezone.now()
        gate_pass.decision_note = note
        if approve:
            uses = gate_pass.pass_type.uses_per_pass
            gate_pass.uses_total = gate_pass.uses_left = uses
        gate_pass._change_reason = coded("approved") if approve else coded("rejected")
        gate_pass._history_user = actor
        gate_pass.save()
    return gate_pass


def issue_at_desk(actor, *, now: datetime.datetime | None = None, **application) -> Pass:
    """The pass desk (窗口办理): apply and approve in one step, by the office."""
    scoping.require_office(actor)
    with one_transaction():
        gate_pass = apply_for_pass(actor, now=now, **application)
        Pass.objects.filter(pk=gate_pass.pk).update(issued_at_desk=True)
        return decide_pass(actor, gate_pass, approve=True, now=now)


def revoke_pass(actor, gate_pass: Pass, *, reason: str, now=None) -> Pass:
    scoping.require_office(actor)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"revoke_reason": _("Say why the pass is revoked.")})
    with service_atomic():
        gate_pass = Pass.objects.select_for_update().get(pk=gate_pass.pk)
        if gate_pass.status != Pass.Status.APPROVED:
            raise ValidationError(_("Only an issued pass can be revoked."))
        gate_pass.status = Pass.Status.REVOKED
        gate_pass.revoked_by = actor
        gate_pass.revoked_at = now or timezone.now()
        gate_pass.revoke_reason = reason
        gate_pass._change_reason = coded("revoked")
        gate_pass._history_user = actor
        gate_pass.save()
    return gate_pass


# ---- the gate ----------------------------------------------------------------------------


@dataclasses.dataclass
class Decision:
    allowed: bool
    reason: str
    at: datetime.datetime | None = None  # the moment decided, stamped on the crossing
    detail: str = ""
    person: Person | None = None
    gate_pass: Pass | None = None
    household: Household | None = None
    next_exit_at: datetime.datetime | None = None
    counts_quota: bool = False
    crossing: Crossing | None = None
    household_out: list = dataclasses.field(default_factory=list)

    @property
    def reason_label(self) -> str:
        return str(Crossing.Reason(self.reason).label)


def parse_temperature(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        temperature = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"temperature": _("A temperature is a number, e.g. 36.5.")}) from None
    if not Decimal("34") <= temperature <= Decimal("43"):
        raise ValidationError({"temperature": _("A body temperature is between 34 and 43 °C.")})
    return temperature.quantize(Decimal("0.1"))


def health_refusal(person_id: int, day: datetime.date) -> str | None:
    """Why the person may not pass any gate today, if they may not: under medical isolation,
    or an open fever flag (an open fever incident about them, or today's check-in at or
    above the reporting policy's fever threshold). One query, whatever passes they hold."""
    isolated, fever_flag = watch_selectors.health_flags(person_id, day)
    if isolated:
        return Crossing.Reason.ISOLATION
    if fever_flag:
        return Crossing.Reason.FEVER_FLAG
    return None


def _quota_window_start(policy: AccessPolicy, at: datetime.datetime) -> datetime.datetime:
    if policy.quota_window == AccessPolicy.Window.CALENDAR:
        first_day = timezone.localdate(at) - datetime.timedelta(days=policy.quota_days - 1)
        return timezone.make_aware(datetime.datetime.combine(first_day, datetime.time()))
    return at - datetime.timedelta(days=policy.quota_days)


def _next_exit(policy: AccessPolicy, counted: list[datetime.datetime]) -> datetime.datetime:
    """When the household may go out again: when the oldest exit that fills the quota leaves
    the window."""
    oldest = counted[len(counted) - policy.quota_exits]
    if policy.quota_window == AccessPolicy.Window.CALENDAR:
        day = timezone.localdate(oldest) + datetime.timedelta(days=policy.quota_days)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return oldest + datetime.timedelta(days=policy.quota_days)


def quota_exits(
    household_id: int, policy: AccessPolicy, at: datetime.datetime, *, later_too: bool = False
) -> list:
    """The household's exits that count against the quota at `at`, oldest first. With
    `later_too`, also those stamped after `at`: a gate deciding now counts every exit
    already recorded, even one stamped by a server whose clock runs a little ahead."""
    exits = Crossing.objects.filter(
        household_id=household_id,
        counts_quota=True,
        at__gt=_quota_window_start(policy, at) - datetime.timedelta(microseconds=1),
    )
    if not later_too:
        exits = exits.filter(at__lte=at)
    return list(exits.order_by("at").values_list("at", flat=True))


def household_out(household_id: int, area_id: int) -> list[dict]:
    """Who of the household is out of the area now, and since when: each member whose last
    crossing let through at the area's gates was an exit. One query."""
    last = {}
    rows = (
        Crossing.objects.filter(
            person__household_id=household_id,
            person__is_active=True,
            allowed=True,
            gate__area_id=area_id,
        )
        .select_related("person__unit")
        .order_by("person_id", "-at", "-pk")
    )
    for crossing in rows:
        last.setdefault(crossing.person_id, crossing)
    return [
        {"person": crossing.person, "since": crossing.at}
        for crossing in sorted(last.values(), key=lambda c: c.at)
        if crossing.direction == Crossing.Direction.OUT
    ]


def lock_household(household_id: int) -> None:
    """Hold the household's row until the transaction ends: one gate at a time decides on
    its exit quota."""
    # Ordered by pk: the model's default ordering joins the (nullable) building, and
    # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    Household.objects.select_for_update().filter(pk=household_id).order_by("pk").first()


class _Refusal(Exception):
    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail


def _identify(presented: str, person_number: str):
    """(pass, person) from what the guard scanned or typed."""
    presented = _text(presented)
    # A guard typing with a Chinese input method sends full-width digits: the same number.
    person_number = normalise_person_number(person_number)
    if presented:
        if tokens.looks_like_token(presented):
            try:
                claims = tokens.verify(presented, key_ring())
            except tokens.TokenError as exc:
                raise _Refusal(exc.code) from None
            gate_pass = (
                Pass.objects.select_related("holder__household", "holder__unit", "pass_type")
                .filter(number=claims.number)
                .first()
            )
            if gate_pass is None:
                raise _Refusal(Crossing.Reason.UNKNOWN_PASS)
            if gate_pass.holder.person_number != claims.holder:
                raise _Refusal(Crossing.Reason.FORGED)
            gate_pass.token_areas = set(claims.areas)
            return gate_pass, gate_pass.holder
        number = normalise_person_number(presented)  # ＴＸ－２０２０… is TX-2020…
        if not PASS_NUMBER.match(number):
            raise _Refusal(Crossing.Reason.MALFORMED)
        gate_pass = (
            Pass.objects.select_related("holder__household", "holder__unit", "pass_type")
            .filter(number=number)
            .first()
        )
        if gate_pass is None:
            raise _Refusal(Crossing.Reason.UNKNOWN_PASS)
        return gate_pass, gate_pass.holder
    if person_number:
        person = (
            Person.objects.select_related("household").filter(person_number=person_number).first()
        )
        if person is None:
            raise _Refusal(Crossing.Reason.UNKNOWN_PERSON)
        return None, person
    raise _Refusal(Crossing.Reason.MALFORMED)


def _pass_problem(gate_pass: Pass, day: datetime.date) -> str | None:
    if gate_pass.status == Pass.Status.REVOKED:
        return Crossing.Reason.REVOKED
    if gate_pass.status != Pass.Status.APPROVED:
        return Crossing.Reason.NOT_APPROVED
    if day < gate_pass.valid_from:
        return Crossing.Reason.NOT_YET_VALID
    if day > gate_pass.valid_until:
        return Crossing.Reason.EXPIRED
    if gate_pass.uses_left == 0:
        return Crossing.Reason.USED_UP
    return None


def _pass_areas(gate_pass: Pass) -> set[int]:
    """The pass's areas: from its signed token when one was shown (a pass's areas do not
    change once issued), else from the database."""
    areas = getattr(gate_pass, "token_areas", None)
    if areas is None:
        areas = set(gate_pass.areas.values_list("pk", flat=True))
    return areas


def _local(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _decide(decision: Decision, gate: Gate, direction: str, guard, *, live: bool) -> None:
    """Fill in the decision for a known person (and pass, if shown). Raises _Refusal.
    `live`: deciding now, at the gate's clock (not a crossing dated by the caller)."""
    person, gate_pass, at = decision.person, decision.gate_pass, decision.at
    day = timezone.localdate(at)
    if not person.is_active:
        raise _Refusal(Crossing.Reason.INACTIVE_PERSON)
    refusal = health_refusal(person.pk, day)
    if refusal:
        raise _Refusal(refusal)
    policy = policy_in_force(gate.area_id, at)
    kind = policy.kind if policy else AccessPolicy.Kind.OPEN
    if kind == AccessPolicy.Kind.CLOSED and direction == Crossing.Direction.OUT:
        # Nobody is kept inside a closed area: whatever their pass says, they may leave.
        decision.reason = Crossing.Reason.LEAVING
        decision.allowed = True
        return
    if gate_pass is not None:
        problem = _pass_problem(gate_pass, day)
        if problem == Crossing.Reason.EXPIRED:
            raise _Refusal(problem, _("last day %(day)s") % {"day": gate_pass.valid_until})
        if problem == Crossing.Reason.NOT_YET_VALID:
            raise _Refusal(problem, _("first day %(day)s") % {"day": gate_pass.valid_from})
        if problem:
            raise _Refusal(problem, gate_pass.revoke_reason if problem == "revoked" else "")
    covers = gate_pass is not None and gate.area_id in _pass_areas(gate_pass)
    household = person.household if person.household_id else None
    resident = household is not None and household.area_id == gate.area_id

    if kind == AccessPolicy.Kind.OPEN:
        decision.reason = Crossing.Reason.VALID_PASS if covers else Crossing.Reason.OPEN_AREA
    elif kind == AccessPolicy.Kind.CLOSED:
        if covers:
            decision.reason = Crossing.Reason.VALID_PASS
        elif gate_pass is not None:
            raise _Refusal(Crossing.Reason.WRONG_AREA)
        else:
            raise _Refusal(Crossing.Reason.NO_PASS)
    elif direction == Crossing.Direction.IN:
        if resident:
            decision.reason = Crossing.Reason.RESIDENT
        elif covers:
            decision.reason = Crossing.Reason.VALID_PASS
        elif gate_pass is not None:
            raise _Refusal(Crossing.Reason.WRONG_AREA)
        else:
            raise _Refusal(Crossing.Reason.NOT_RESIDENT)
    elif gate_pass is not None:
        # A pass holder (on-duty staff…) goes out on the pass, not on the household's quota.
        decision.reason = Crossing.Reason.VALID_PASS
    elif not resident:
        decision.reason = Crossing.Reason.LEAVING
    else:
        decision.household = household
        lock_household(household.pk)
        if live:
            # The clock is read once the lock is held: an exit another gate committed while
            # this one waited is then earlier than this one, and counted. Read before the
            # lock, it could be later than this stamp and unseen (two members let out).
            decision.at = at = timezone.now()
        counted = quota_exits(household.pk, policy, at, later_too=live)
        if len(counted) >= policy.quota_exits:
            decision.next_exit_at = _next_exit(policy, counted)
            raise _Refusal(
                Crossing.Reason.QUOTA_USED,
                _("next exit allowed at %(at)s") % {"at": _local(decision.next_exit_at)},
            )
        decision.reason = Crossing.Reason.HOUSEHOLD_QUOTA
        decision.counts_quota = True
    if decision.reason == Crossing.Reason.VALID_PASS and gate_pass.uses_left is not None:
        locked = Pass.objects.select_for_update().get(pk=gate_pass.pk)
        if locked.uses_left == 0:
            raise _Refusal(Crossing.Reason.USED_UP)
        locked.uses_left -= 1
        locked._change_reason = coded("used_at_gate")
        locked._history_user = guard
        locked.save(update_fields=["uses_left"])
        gate_pass.uses_left = locked.uses_left
        decision.detail = _("uses left: %(left)s") % {"left": locked.uses_left}
    decision.allowed = True


def decide_at_gate(
    guard,
    *,
    gate: Gate,
    direction: str,
    presented: str = "",
    person_number: str = "",
    temperature=None,
    at: datetime.datetime | None = None,
    client_id: uuid.UUID | None = None,
) -> Decision:
    """Decide one person at a gate, record the crossing, and say why.

    Refused, in this order: a code that is not ours (malformed, forged, unknown or retired
    key) or names no pass or person; a temperature of 37.3 °C or more (a fever incident is
    opened in `watch`); medical isolation or an open fever flag, whatever passes the person
    holds; a pass that is revoked, not approved, outside its dates, used up or for another
    area; then the area's policy: a closed area needs a pass to enter, a household-quota
    area lets a household's members out N times every M days.

    Without `at` the gate decides now; `at` dates a crossing decided at another moment
    (the demo's history).
    """
    scoping.require_guard(guard)
    if direction not in Crossing.Direction.values:
        raise ValidationError({"direction": _("Choose in or out.")})
    if not gate.is_active:
        raise ValidationError({"gate": _("This gate is closed for good.")})
    temperature = parse_temperature(temperature)
    live = at is None
    decision = Decision(allowed=False, reason="", at=at or timezone.now())
    presented = _text(presented)
    with one_transaction():
        try:
            decision.gate_pass, decision.person = _identify(presented, person_number)
            if decision.person.household_id and decision.person.household.area_id == gate.area_id:
                decision.household = decision.person.household
            if temperature is not None and temperature >= FEVER_AT:
                raise _Refusal(Crossing.Reason.FEVER, f"{temperature} °C")
            _decide(decision, gate, direction, guard, live=live)
        except _Refusal as refusal:
            decision.allowed = False
            decision.counts_quota = False
            decision.reason = refusal.reason
            decision.detail = refusal.detail
        decision.crossing = Crossing.objects.create(
            client_id=client_id or uuid.uuid4(),
            at=decision.at,
            gate=gate,
            direction=direction,
            person=decision.person,
            gate_pass=decision.gate_pass,
            household=decision.household,
            allowed=decision.allowed,
            reason=decision.reason,
            detail=decision.detail[:200],
            counts_quota=decision.counts_quota,
            presented=presented[:40],
            temperature=temperature,
            guard=guard,
        )
        if decision.reason == Crossing.Reason.FEVER:
            _open_fever_incident(guard, gate, decision.person, temperature, decision.at)
    if decision.household is not None:
        decision.household_out = household_out(decision.household.pk, gate.area_id)
    return decision


def _open_fever_incident(guard, gate: Gate, person: Person | None, temperature, at) -> None:
    """A fever found at a gate is an incident for the office and the hospital (watch); the
    person it names is refused at every gate until it is closed."""
    who = person.name if person else _("an unidentified person")
    open_incident(
        guard,
        occurred_at=at,
        kind=Incident.Kind.FEVER,
        place=gate.display_name,
        area=gate.area,
        description=_("%(who)s measured %(temperature)s °C at %(gate)s.")
        % {"who": who, "temperature": temperature, "gate": gate.display_name},
        people=[person] if person else [],
    )


# ---- offline batches ---------------------------------------------------------------------


@dataclasses.dataclass
class BatchResult:
    recorded: int
    already: int


def _batch_row(row: dict, gates: dict, errors: list, index: int, now) -> Crossing | None:
    problems = []
    try:
        client_id = uuid.UUID(str(row.get("id", "")))
    except ValueError:
        client_id = None
        problems.append(_("id is not a UUID"))
    at = row.get("at")
    if isinstance(at, str):
        at = parse_datetime(at)
    if not isinstance(at, datetime.datetime) or timezone.is_naive(at):
        problems.append(_("time is not a date and time with its zone"))
        at = None
    elif at > now + datetime.timedelta(minutes=5):
        problems.append(_("time is in the future"))
    gate = gates.get(str(row.get("gate", "")))
    if gate is None:
        problems.append(_("no such gate"))
    direction = row.get("direction")
    if direction not in Crossing.Direction.values:
        problems.append(_("direction is neither in nor out"))
    reason = row.get("reason")
    if reason not in Crossing.Reason.values:
        problems.append(_("unknown reason"))
    allowed = reason in Crossing.ALLOWING
    person = gate_pass = None
    number = _text(row.get("pass_number")).upper()
    if number:
        gate_pass = Pass.objects.select_related("holder").filter(number=number).first()
        if gate_pass is None:
            problems.append(_("no such pass"))
        else:
            person = gate_pass.holder
    person_number = normalise_person_number(_text(row.get("person_number")))
    if person_number and person is None:
        person = (
            Person.objects.select_related("household").filter(person_number=person_number).first()
        )
        if person is None:
            problems.append(_("no such person"))
    if allowed and person is None:
        problems.append(_("a crossing let through names its person or pass"))
    try:
        temperature = parse_temperature(row.get("temperature"))
    except ValidationError:
        temperature = None
        problems.append(_("temperature is not between 34 and 43 °C"))
    if reason == Crossing.Reason.FEVER and (temperature is None or temperature < FEVER_AT):
        problems.append(_("a fever refusal carries its temperature, 37.3 °C or more"))
    if problems:
        errors.append((f"crossings[{index}]", "; ".join(str(p) for p in problems)))
        return None
    household = None
    if person is not None and person.household_id and person.household.area_id == gate.area_id:
        household = person.household
    return Crossing(
        client_id=client_id,
        at=at,
        gate=gate,
        direction=direction,
        person=person,
        gate_pass=gate_pass,
        household=household,
        allowed=allowed,
        reason=reason,
        detail=_text(row.get("detail"))[:200],
        counts_quota=reason == Crossing.Reason.HOUSEHOLD_QUOTA and household is not None,
        presented=(number or person_number)[:40],
        temperature=temperature,
        guard=None,
        source=Crossing.Source.OFFLINE,
    )


def record_offline_crossings(guard, rows: list[dict]) -> BatchResult:
    """Crossings an offline gate device decided and sends later, all or nothing. Each row
    carries the device's own id: a row already recorded is skipped, so a batch sent twice
    is recorded once. A bad row refuses the whole batch, naming the row."""
    scoping.require_guard(guard)
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"crossings": _("Send at least one crossing.")})
    if len(rows) > 5000:
        raise ValidationError({"crossings": _("Send at most 5,000 crossings at a time.")})
    gates = {gate.code: gate for gate in Gate.objects.select_related("area")}
    now = timezone.now()
    errors: list[tuple[str, str]] = []
    crossings = []
    seen = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append((f"crossings[{index}]", _("not an object")))
            continue
        crossing = _batch_row(row, gates, errors, index, now)
        if crossing is None:
            continue
        if crossing.client_id in seen:
            errors.append(
                (
                    f"crossings[{index}]",
                    _("the same id as crossings[%(first)s]") % {"first": seen[crossing.client_id]},
                )
            )
            continue
        seen[crossing.client_id] = index
        crossing.guard = guard
        crossings.append(crossing)
    if errors:
        raise ValidationError({field: message for field, message in errors})
    with one_transaction():
        known = set(
            Crossing.objects.filter(client_id__in=list(seen)).values_list("client_id", flat=True)
        )
        fresh = [c for c in crossings if c.client_id not in known]
        try:
            # A savepoint in the calling entry point's transaction, not one of its own.
            with transaction.atomic():
                Crossing.objects.bulk_create(fresh)
        except IntegrityError:
            # The same batch arrived twice at once: the other copy won; skip what it wrote.
            known = set(
                Crossing.objects.filter(client_id__in=list(seen)).values_list(
                    "client_id", flat=True
                )
            )
            fresh = [c for c in crossings if c.client_id not in known]
            Crossing.objects.bulk_create(fresh)
        for crossing in fresh:
            if crossing.reason == Crossing.Reason.FEVER:
                _open_fever_incident(
                    guard, crossing.gate, crossing.person, crossing.temperature, crossing.at
                )
    return BatchResult(recorded=len(fresh), already=len(crossings) - len(fresh))
