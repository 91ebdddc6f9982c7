"""Every write to the regions of concern, the key-person ledger, its follow-ups and the
random phone checks: validate (naming the field), check permission, one transaction,
keep history. Pages, the API and commands all come through here.
"""

import datetime
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fangkong.core import corrections
from fangkong.core import temperature as temperature_rule
from fangkong.core.history import coded
from fangkong.core.models import Area, Household, Person, User
from fangkong.core.temperature import temperature_problem
from fangkong.core.transactions import entry_point
from fangkong.core.validation import full_clean
from fangkong.reporting import selectors as reporting_selectors
from fangkong.watch import scoping
from fangkong.watch.models import (
    CheckSlot,
    FollowUp,
    Incident,
    IncidentAction,
    IsolationCase,
    IsolationCheck,
    IsolationPolicy,
    IsolationRoom,
    KeyPerson,
    RandomDraw,
    RegionOfConcern,
)

REGION_FIELDS = ("name", "from_date", "until_date", "note")
KEY_PERSON_EDITABLE = (
    "category",
    "region",
    "reason",
    "listed_on",
    "monitoring_until",
    "responsible",
    "follow_up_every",
    "follow_up_kind",
)
# A change to what the entry says about the person undoes its verification: the new facts
# have not been checked yet.
VERIFIED_FACTS = ("category", "region")
OPEN_ENTRY_CONSTRAINT = "watch_keyperson_one_open_per_category"


def _text(value) -> str:
    return str(value or "").strip()


def _save(instance, actor, reason: str = "", *, exclude_unique=()) -> None:
    """full_clean, then save with the history's who and why, in a savepoint; a race on the
    one-open-entry rule that full_clean could not see becomes the same field error."""
    full_clean(instance)
    instance._history_user = actor
    instance._change_reason = reason
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        if OPEN_ENTRY_CONSTRAINT in str(exc) or "UNIQUE" in str(exc).upper():
            raise ValidationError(
                {"category": _("This person already has an open entry in this category.")}
            ) from exc
        raise ValidationError(
            _("This record clashes with another one: %(error)s") % {"error": exc}
        ) from exc


def _not_future(errors: dict, field: str, day, today=None) -> None:
    today = today or timezone.localdate()
    if day is not None and day > today:
        errors[field] = _("This date is in the future.")


def _out_of_range(at: datetime.datetime) -> bool:
    """Whether an aware time cannot be stored or shown: at the very edge of the calendar, its
    UTC or local form overflows."""
    try:
        at.astimezone(datetime.UTC)
        timezone.localtime(at)
    except OverflowError:
        return True
    return False


# ---- regions of concern ---------------------------------------------------------------


def _require_regions(actor) -> None:
    if not scoping.can_keep_regions(actor):
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))


def _check_region_dates(region: RegionOfConcern) -> None:
    if region.until_date and region.from_date and region.until_date < region.from_date:
        raise ValidationError({"until_date": _("A region's watch cannot end before it starts.")})


@entry_point
def create_region(actor, **data) -> RegionOfConcern:
    _require_regions(actor)
    data = {key: value for key, value in data.items() if key in REGION_FIELDS}
    data["name"] = _text(data.get("name"))
    data["note"] = _text(data.get("note"))
    region = RegionOfConcern(**data)
    _check_region_dates(region)
    _save(region, actor, coded("created"))
    return region


@entry_point
def update_region(actor, region: RegionOfConcern, *, reason: str = "", **data) -> RegionOfConcern:
    _require_regions(actor)
    region = RegionOfConcern.objects.select_for_update().get(pk=region.pk)
    for key, value in data.items():
        if key in REGION_FIELDS:
            setattr(region, key, _text(value) if key in ("name", "note") else value)
    _check_region_dates(region)
    _save(region, actor, _text(reason) or coded("edited"))
    return region


@entry_point
def end_region(actor, region: RegionOfConcern, until_date=None, reason: str = ""):
    """The region is of concern no more after `until_date` (today by default)."""
    _require_regions(actor)
    region = RegionOfConcern.objects.select_for_update().get(pk=region.pk)
    if region.until_date is not None:
        raise ValidationError({"until_date": _("This region's watch has already ended.")})
    region.until_date = until_date or timezone.localdate()
    _check_region_dates(region)
    _save(region, actor, _text(reason) or coded("ended"))
    return region


# ---- the key-person ledger ------------------------------------------------------------


def _check_entry(entry: KeyPerson, today=None) -> None:
    """The field errors the database would only report as a constraint's name."""
    errors: dict[str, str] = {}
    if not _text(entry.reason):
        errors["reason"] = _("Say why this person is on the ledger.")
    _not_future(errors, "listed_on", entry.listed_on, today)
    if entry.monitoring_until and entry.listed_on and entry.monitoring_until < entry.listed_on:
        errors["monitoring_until"] = _("Monitoring cannot end before the person was listed.")
    if entry.region_id and entry.listed_on and entry.region.from_date > entry.listed_on:
        errors["region"] = _("This region was not yet of concern on the day of listing.")
    if entry.status == KeyPerson.Status.UNDER_WATCH and entry.person_id and entry.category:
        clash = KeyPerson.objects.filter(
            person_id=entry.person_id,
            category=entry.category,
            status=KeyPerson.Status.UNDER_WATCH,
        ).exclude(pk=entry.pk)
        if clash.exists():
            errors["category"] = _("This person already has an open entry in this category.")
    if errors:
        raise ValidationError(errors)


@entry_point
def list_key_person(
    actor,
    *,
    person: Person,
    category: str,
    reason: str,
    listed_on: datetime.date | None = None,
    region: RegionOfConcern | None = None,
    monitoring_until: datetime.date | None = None,
    responsible: User | None = None,
    follow_up_every: int = 1,
    follow_up_kind: str = FollowUp.Kind.PHONE_CALL,
) -> KeyPerson:
    """Put a person on the ledger, under watch from `listed_on` (today by default)."""
    if not scoping.can_list_key_persons(actor):
        raise PermissionDenied(_("Your role does not allow listing key persons."))
    if person is None:
        raise ValidationError({"person": _("Choose the person to list.")})
    scoping.require_ledger_unit(actor, person.unit_id)
    # Locking the person serialises two listings of the same person (PostgreSQL); SQLite's
    # IMMEDIATE transactions serialise all writes anyway.
    Person.objects.select_for_update(of=("self",)).filter(pk=person.pk).first()
    entry = KeyPerson(
        person=person,
        category=category,
        region=region,
        reason=_text(reason),
        listed_on=listed_on or timezone.localdate(),
        monitoring_until=monitoring_until,
        responsible=responsible or actor,
        follow_up_every=follow_up_every,
        follow_up_kind=follow_up_kind,
        listed_by=actor,
    )
    _check_entry(entry)
    _save(entry, actor, coded("listed"))
    return entry


def _locked_entry(entry: KeyPerson) -> KeyPerson:
    return (
        KeyPerson.objects.select_for_update(of=("self",)).select_related("person").get(pk=entry.pk)
    )


@entry_point
def update_key_person(actor, entry: KeyPerson, *, change_reason: str = "", **data) -> KeyPerson:
    """Edit an open entry; a change of category or region undoes its verification."""
    scoping.require_ledger_unit(actor, entry.person.unit_id)
    entry = _locked_entry(entry)
    if not entry.is_open:
        raise ValidationError({"status": _("A cleared entry is closed: list the person again.")})
    changed = False
    for key, value in data.items():
        if key not in KEY_PERSON_EDITABLE:
            continue
        if key == "reason":
            value = _text(value)
        if getattr(entry, key) != value:
            setattr(entry, key, value)
            changed = changed or key in VERIFIED_FACTS
    if changed and entry.is_verified:
        entry.verified_by, entry.verified_at = None, None
    _check_entry(entry)
    _save(entry, actor, _text(change_reason) or coded("edited"))
    return entry


@entry_point
def verify_key_person(actor, entry: KeyPerson) -> KeyPerson:
    """Record that `actor` checked this entry against the person (逐一核实)."""
    scoping.require_ledger_unit(actor, entry.person.unit_id)
    entry = _locked_entry(entry)
    if entry.listed_by_id == actor.pk:
        raise PermissionDenied(_("Someone other than who listed this entry verifies it."))
    if entry.is_verified:
        raise ValidationError({"verified_at": _("This entry is already verified.")})
    if not entry.is_open:
        raise ValidationError({"status": _("A cleared entry is closed.")})
    entry.verified_by = actor
    entry.verified_at = timezone.now()
    _save(entry, actor, coded("verified"))
    return entry


@entry_point
def clear_key_person(actor, entry: KeyPerson, reason: str, cleared_on=None) -> KeyPerson:
    """End the watch of this entry from `cleared_on` (today by default), with a reason."""
    scoping.require_ledger_unit(actor, entry.person.unit_id)
    entry = _locked_entry(entry)
    errors: dict[str, str] = {}
    if not entry.is_open:
        errors["status"] = _("This entry is already cleared.")
    if not _text(reason):
        errors["reason"] = _("Say why this person is cleared.")
    cleared_on = cleared_on or timezone.localdate()
    _not_future(errors, "cleared_on", cleared_on)
    if cleared_on < entry.listed_on:
        errors["cleared_on"] = _("An entry cannot be cleared before it was listed.")
    if errors:
        raise ValidationError(errors)
    entry.status = KeyPerson.Status.CLEARED
    entry.cleared_on = cleared_on
    entry.cleared_by = actor
    entry.cleared_at = timezone.now()
    entry.clear_reason = _text(reason)
    _save(entry, actor, entry.clear_reason)
    return entry


# ---- follow-ups (append-only) -----------------------------------------------------------


def _temperature(value, errors: dict):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors["temperature"] = _("A temperature is a number, e.g. 36.5.")
        return None


def _new_follow_up(actor, entry: KeyPerson, values: dict, now=None) -> FollowUp:
    """A checked, unsaved follow-up of `entry`; raises the field errors."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    temperature = _temperature(values.get("temperature"), errors)
    at = values.get("at") or now
    if timezone.is_naive(at):
        errors["at"] = _("Give the time with its time zone.")
    elif at > now:
        errors["at"] = _("A follow-up cannot be in the future.")
    at_day = None
    if timezone.is_aware(at):
        try:
            at_day = timezone.localdate(at)
        except OverflowError:  # a time at the very edge of the calendar
            errors["at"] = _("This time is out of range.")
    due_on = values.get("due_on") or at_day
    if due_on is not None and at_day is not None and "at" not in errors:
        if due_on > at_day:
            errors["due_on"] = _("A follow-up cannot be for a day after it was made.")
        elif due_on < entry.listed_on:
            errors["due_on"] = _("This person was not yet listed on that day.")
        elif entry.cleared_on is not None and due_on >= entry.cleared_on:
            errors["due_on"] = _("This entry was cleared by that day.")
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp(
        key_person=entry,
        kind=values.get("kind") or "",
        outcome=values.get("outcome") or "",
        temperature=temperature,
        note=_text(values.get("note")),
        by=actor,
        at=at,
        due_on=due_on,
        recorded_at=now,
    )
    follow_up.full_clean(exclude=["supersedes"])
    return follow_up


@entry_point
def record_follow_up(
    actor,
    entry: KeyPerson,
    *,
    kind: str,
    outcome: str,
    temperature=None,
    note: str = "",
    at: datetime.datetime | None = None,
    due_on: datetime.date | None = None,
) -> FollowUp:
    """Add a follow-up of `entry` made at `at` (now by default) for the day `due_on` (the
    day of `at` by default)."""
    scoping.require_follow_up_unit(actor, entry.person.unit_id)
    values = {
        "kind": kind,
        "outcome": outcome,
        "temperature": temperature,
        "note": note,
        "at": at,
        "due_on": due_on,
    }
    follow_up = _new_follow_up(actor, entry, values)
    follow_up.save()
    return follow_up


def supersede_follow_up(actor, follow_up: FollowUp, *, reason: str, **values) -> FollowUp:
    """Correct a follow-up: a new row that supersedes it, with a reason. The old row stays.

    Values not given are the old row's (a correction of the temperature keeps the kind).
    """
    entry = KeyPerson.objects.select_related("person").get(pk=follow_up.key_person_id)
    scoping.require_follow_up_unit(actor, entry.person.unit_id)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say what the correction is for.")})

    def already_corrected() -> ValidationError:
        return ValidationError({"supersedes": _("This follow-up is already corrected.")})

    def build(old: FollowUp, now: datetime.datetime) -> FollowUp:
        merged = {
            "kind": old.kind,
            "outcome": old.outcome,
            "temperature": old.temperature,
            "note": old.note,
            "at": old.at,
            "due_on": old.due_on,
        }
        merged.update({key: value for key, value in values.items() if key in merged})
        return _new_follow_up(actor, entry, merged, now)

    def save(new: FollowUp) -> None:
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError as exc:  # the one-to-one: a concurrent correction of the row
            raise already_corrected() from exc

    return corrections.supersede(
        FollowUp,
        follow_up.pk,
        actor=actor,
        reason=reason,
        refused=already_corrected(),
        build=build,
        save=save,
    )


# ---- random phone checks ----------------------------------------------------------------


def draw_sample(population: list[int], size: int, seed: str) -> list[int]:
    """`size` ids of `population`, chosen by `seed`: the ids ordered by the SHA-256 of
    "seed:id" and the first `size` taken.

    Plain enough to redo by hand or in any language, and independent of Python's random
    module, whose algorithms may change between versions.
    """

    def rank(person_id: int) -> str:
        return hashlib.sha256(f"{seed}:{person_id}".encode()).hexdigest()

    return sorted(population, key=rank)[:size]


def draw_population(day: datetime.date, category: str = "") -> list[int]:
    """The ids of the persons under watch on `day` (in one category, if given), ascending."""
    entries = KeyPerson.objects.under_watch_on(day)
    if category:
        entries = entries.filter(category=category)
    return sorted(set(entries.values_list("person_id", flat=True)))


@entry_point
def draw_random_check(
    actor, *, day: datetime.date | None = None, size: int, category: str = "", seed: str = ""
) -> RandomDraw:
    """Draw `size` persons under watch on `day` (today by default) to be phoned that day."""
    if not scoping.can_draw(actor):
        raise PermissionDenied(_("Only the prevention & control office draws random checks."))
    day = day or timezone.localdate()
    errors: dict[str, str] = {}
    _not_future(errors, "day", day)
    if category and category not in KeyPerson.Category.values:
        errors["category"] = _("Unknown category.")
    if not isinstance(size, int) or size < 1:
        errors["size"] = _("Draw at least one person.")
    if errors:
        raise ValidationError(errors)
    population = draw_population(day, category)
    if size > len(population):
        raise ValidationError(
            {
                "size": _(
                    "Only %(count)d persons are under watch on that day: draw at most that many."
                )
                % {"count": len(population)}
            }
        )
    seed = _text(seed)[:64] or secrets.token_hex(16)
    draw = RandomDraw(
        day=day,
        size=size,
        seed=seed,
        category=category,
        population=population,
        drawn=draw_sample(population, size, seed),
        drawn_by=actor,
    )
    draw.full_clean()
    draw.save()
    return draw


def redo_draw(draw: RandomDraw) -> list[int]:
    """The draw run again from its stored seed and population: the same list, always."""
    return draw_sample(list(draw.population), draw.size, draw.seed)


# ---- medical isolation --------------------------------------------------------------------


def _save_record(
    instance, actor, reason: str = "", *, clashes: dict | None = None, cleaned: bool = False
) -> None:
    """full_clean (unless the caller `cleaned` it already), then save with the history's
    who and why, in a savepoint. A race that full_clean could not see (another
    transaction's row not yet committed) ends at a named constraint: `clashes` maps the
    constraint's name to the field error it becomes."""
    if not cleaned:
        full_clean(instance)
    if hasattr(instance, "history"):
        instance._history_user = actor
        instance._change_reason = reason
    try:
        # A savepoint in the calling entry point's transaction, not one of its own.
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        for constraint, error in (clashes or {}).items():
            if constraint in str(exc) or "UNIQUE" in str(exc).upper():
                raise ValidationError(error) from exc
        raise ValidationError(
            _("This record clashes with another one: %(error)s") % {"error": exc}
        ) from exc


def policy_in_force_on(day: datetime.date) -> IsolationPolicy | None:
    """The isolation policy a case started on `day` falls under: the latest one dated on
    or before it."""
    return (
        IsolationPolicy.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    )


def _check_policy(policy: IsolationPolicy) -> None:
    errors: dict[str, str] = {}
    if policy.effective_from is None:
        errors["effective_from"] = _("Give the date the policy applies from.")
    elif (
        IsolationPolicy.objects.filter(effective_from=policy.effective_from)
        .exclude(pk=policy.pk)
        .exists()
    ):
        errors["effective_from"] = _("A policy already starts on this day.")
    if not isinstance(policy.days, int) or not 1 <= policy.days <= 60:
        errors["days"] = _("An isolation lasts from 1 to 60 days.")
    if errors:
        raise ValidationError(errors)


POLICY_CLASH = {
    "watch_isolationpolicy_one_per_day": {
        "effective_from": gettext_lazy("A policy already starts on this day.")
    }
}


@entry_point
def create_isolation_policy(
    actor, *, effective_from: datetime.date, days: int, note: str = ""
) -> IsolationPolicy:
    """A new policy for the cases started on or after `effective_from`; cases already
    started keep theirs."""
    if not scoping.can_keep_isolation_policy(actor):
        raise PermissionDenied(_("Only the prevention & control office sets isolation policy."))
    policy = IsolationPolicy(
        effective_from=effective_from, days=days, note=_text(note), created_by=actor
    )
    _check_policy(policy)
    _save_record(policy, actor, coded("created"), clashes=POLICY_CLASH)
    return policy


@entry_point
def update_isolation_policy(
    actor, policy: IsolationPolicy, *, reason: str = "", **data
) -> IsolationPolicy:
    """Correct a policy's days or note. Cases already started under it keep their planned
    end; its date may change only while no case uses it."""
    if not scoping.can_keep_isolation_policy(actor):
        raise PermissionDenied(_("Only the prevention & control office sets isolation policy."))
    policy = IsolationPolicy.objects.select_for_update().get(pk=policy.pk)
    for key in ("effective_from", "days", "note"):
        if key in data and data[key] is not None:
            value = _text(data[key]) if key == "note" else data[key]
            moved = key == "effective_from" and value != policy.effective_from
            if moved and policy.cases.exists():
                raise ValidationError(
                    {"effective_from": _("Cases were started under this policy: add a new one.")}
                )
            setattr(policy, key, value)
    _check_policy(policy)
    _save_record(policy, actor, _text(reason) or coded("edited"), clashes=POLICY_CLASH)
    return policy


ROOM_CLASH = {
    "watch_isolationroom_unique_name": {
        "name": gettext_lazy("This building already has a room with this name.")
    }
}


def _check_room(room: IsolationRoom) -> None:
    errors: dict[str, str] = {}
    if not room.name:
        errors["name"] = _("Give the room's number or name.")
    if not isinstance(room.capacity, int) or room.capacity < 1:
        errors["capacity"] = _("A room has at least one bed.")
    clash = IsolationRoom.objects.filter(building=room.building, name=room.name).exclude(pk=room.pk)
    if room.name and clash.exists():
        errors["name"] = _("This building already has a room with this name.")
    if errors:
        raise ValidationError(errors)


@entry_point
def create_isolation_room(
    actor, *, name: str, capacity: int = 1, building=None, note: str = "", is_active: bool = True
) -> IsolationRoom:
    scoping.require_isolation_writer(actor)
    room = IsolationRoom(
        name=_text(name),
        capacity=capacity,
        building=building,
        note=_text(note),
        is_active=is_active,
    )
    _check_room(room)
    _save_record(room, actor, coded("created"), clashes=ROOM_CLASH)
    return room


@entry_point
def update_isolation_room(actor, room: IsolationRoom, *, reason: str = "", **data) -> IsolationRoom:
    """Rename, resize or (de)activate a room. Its beds may not drop below the people in it."""
    scoping.require_isolation_writer(actor)
    room = IsolationRoom.objects.select_for_update(of=("self",)).order_by().get(pk=room.pk)
    for key in ("name", "capacity", "building", "note", "is_active"):
        if key in data and (data[key] is not None or key == "building"):
            setattr(room, key, _text(data[key]) if key in ("name", "note") else data[key])
    _check_room(room)
    occupancy = room.cases.filter(status=IsolationCase.Status.IN_ISOLATION).count()
    if room.capacity < occupancy:
        raise ValidationError(
            {
                "capacity": ngettext(
                    "%(count)d person is in this room now: keep at least as many beds.",
                    "%(count)d people are in this room now: keep at least as many beds.",
                    occupancy,
                )
                % {"count": occupancy}
            }
        )
    _save_record(room, actor, _text(reason) or coded("edited"), clashes=ROOM_CLASH)
    return room


def _lock_room_with_a_bed(room: IsolationRoom | None, errors: dict) -> IsolationRoom | None:
    """The room, locked, if it is active and has a free bed. The lock is held to the end of
    the transaction: a second placement in the same room waits here, then counts the first
    (PostgreSQL's row lock; SQLite's IMMEDIATE transactions serialise writers anyway)."""
    if room is None:
        errors["room"] = _("Choose a room of the isolation building.")
        return None
    room = (
        IsolationRoom.objects.select_for_update(of=("self",)).order_by().filter(pk=room.pk).first()
    )
    if room is None or not room.is_active:
        errors["room"] = _("This room is not in use.")
        return None
    occupancy = room.cases.filter(status=IsolationCase.Status.IN_ISOLATION).count()
    if occupancy >= room.capacity:
        errors["room"] = _("Room %(room)s is full (%(beds)d of %(beds)d beds taken).") % {
            "room": room,
            "beds": room.capacity,
        }
    return room


OPEN_CASE_CLASH = {
    "watch_isolation_one_open_per_person": {
        "person": gettext_lazy("This person is already in isolation.")
    }
}


@entry_point
def start_isolation(
    actor,
    *,
    person: Person,
    place_kind: str,
    reason: str,
    ordered_by: str = IsolationCase.OrderedBy.SCHOOL,
    cdc_reference: str = "",
    start_date: datetime.date | None = None,
    household: Household | None = None,
    room: IsolationRoom | None = None,
    hospital: str = "",
) -> IsolationCase:
    """Put `person` in medical isolation from `start_date` (today by default): at home in
    the family area (their own household unless another is given), in a room of the
    isolation building, or in a hospital. The policy in force that day sets the planned end.
    """
    scoping.require_isolation_writer(actor)
    if person is None:
        raise ValidationError({"person": _("Choose the person to isolate.")})
    # Lock the person first, then the room (one fixed order, no deadlock): two cases for
    # the same person at once wait for each other and the second sees the first.
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("household__area")
        .get(pk=person.pk)
    )
    today = timezone.localdate()
    start_date = start_date or today
    errors: dict[str, str] = {}
    reason = _text(reason)
    if not reason:
        errors["reason"] = _("Say why this person is isolated.")
    if ordered_by not in IsolationCase.OrderedBy.values:
        errors["ordered_by"] = _("Unknown choice.")
    cdc_reference = _text(cdc_reference)
    if ordered_by == IsolationCase.OrderedBy.CDC and not cdc_reference:
        errors["cdc_reference"] = _("An isolation ordered by the CDC needs its reference.")
    if ordered_by != IsolationCase.OrderedBy.CDC:
        cdc_reference = ""
    _not_future(errors, "start_date", start_date, today)
    hospital = _text(hospital)
    if place_kind == IsolationCase.PlaceKind.HOME:
        household = household or person.household
        room, hospital = None, ""
        if household is None:
            errors["household"] = _("This person has no household: choose one.")
        elif household.area.kind != Area.Kind.FAMILY or not household.is_active:
            errors["household"] = _("Home isolation is in a household of the family area.")
    elif place_kind == IsolationCase.PlaceKind.ROOM:
        household, hospital = None, ""
        room = _lock_room_with_a_bed(room, errors)
    elif place_kind == IsolationCase.PlaceKind.HOSPITAL:
        household, room = None, None
        if not hospital:
            errors["hospital"] = _("Name the hospital.")
    else:
        errors["place_kind"] = _("Choose where the person is isolated.")
    if IsolationCase.objects.filter(
        person=person, status=IsolationCase.Status.IN_ISOLATION
    ).exists():
        errors["person"] = _("This person is already in isolation.")
    elif (
        "start_date" not in errors
        and IsolationCase.objects.filter(person=person, end_date__gt=start_date).exists()
    ):
        errors["start_date"] = _("This person was still in isolation on that day.")
    policy = policy_in_force_on(start_date) if "start_date" not in errors else None
    if policy is None and "start_date" not in errors:
        errors["start_date"] = _("No isolation policy applies on that day: the office sets one.")
    if errors:
        raise ValidationError(errors)
    case = IsolationCase(
        person=person,
        place_kind=place_kind,
        household=household,
        room=room,
        hospital=hospital,
        reason=reason,
        ordered_by=ordered_by,
        cdc_reference=cdc_reference,
        start_date=start_date,
        policy=policy,
        planned_end=start_date + datetime.timedelta(days=policy.days),
        opened_by=actor,
    )
    _save_record(case, actor, coded("started"), clashes=OPEN_CASE_CLASH)
    return case


def _end_case(actor, case: IsolationCase, status: str, note: str, end_date, transferred_to=""):
    scoping.require_isolation_writer(actor)
    case = (
        IsolationCase.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=case.pk)
    )
    errors: dict[str, str] = {}
    if not case.is_open:
        errors["status"] = _("This isolation has already ended.")
    note = _text(note)
    if not note:
        errors["note"] = _("Say why the isolation ends.")
    end_date = end_date or timezone.localdate()
    _not_future(errors, "end_date", end_date)
    if end_date < case.start_date:
        errors["end_date"] = _("An isolation cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    case.status = status
    case.end_date = end_date
    case.end_note = note
    case.transferred_to = transferred_to
    case.ended_by = actor
    case.ended_at = timezone.now()
    _save_record(case, actor, note)
    return case


@entry_point
def release_isolation(
    actor, case: IsolationCase, *, note: str, end_date: datetime.date | None = None
) -> IsolationCase:
    """Release the person from isolation on `end_date` (today by default), saying why."""
    return _end_case(actor, case, IsolationCase.Status.RELEASED, note, end_date)


@entry_point
def transfer_to_hospital(
    actor,
    case: IsolationCase,
    *,
    hospital: str,
    note: str,
    end_date: datetime.date | None = None,
) -> IsolationCase:
    """End the isolation on `end_date` (today by default): the person went to `hospital`."""
    hospital = _text(hospital)
    if not hospital:
        raise ValidationError({"hospital": _("Name the hospital.")})
    return _end_case(
        actor, case, IsolationCase.Status.TRANSFERRED, note, end_date, transferred_to=hospital
    )


# ---- temperature checks of isolated people (append-only) -----------------------------------


def current_slot(at: datetime.datetime | None = None) -> str:
    """The slot a check made at `at` (now by default) belongs to: morning before noon."""
    local = timezone.localtime(at or timezone.now())
    return CheckSlot.MORNING if local.hour < 12 else CheckSlot.AFTERNOON


def is_fever(temperature: Decimal) -> bool:
    """At or above the office's fever threshold (the reporting policy's)."""
    return temperature_rule.is_fever(temperature, reporting_selectors.fever_threshold())


def _new_check(actor, case: IsolationCase, values: dict, now=None) -> IsolationCheck:
    """A checked, unsaved check of `case`; raises the field errors."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    temperature, problem = temperature_problem(values.get("temperature"))
    if problem:
        errors["temperature"] = problem
    at = values.get("at") or now
    at_day = None
    if timezone.is_naive(at):
        errors["at"] = _("Give the time with its time zone.")
    elif _out_of_range(at):
        errors["at"] = _("This time is out of range.")
    elif at > now:
        errors["at"] = _("A check cannot be in the future.")
    else:
        at_day = timezone.localdate(at)
    slot = values.get("slot") or (current_slot(at) if "at" not in errors else "")
    if slot not in CheckSlot.values:
        errors["slot"] = _("Choose morning or afternoon.")
    day = values.get("date") or at_day
    if day is None and "at" not in errors:
        errors["date"] = _("Enter a date.")
    elif day is not None:
        if day > timezone.localdate(now):
            errors["date"] = _("This date is in the future.")
        elif at_day is not None and day > at_day:
            errors["date"] = _("A check cannot be for a day after it was made.")
        elif day < case.start_date:
            errors["date"] = _("The isolation had not started on that day.")
        elif case.end_date is not None and day > case.end_date:
            errors["date"] = _("The isolation had ended by that day.")
    if errors:
        raise ValidationError(errors)
    check = IsolationCheck(
        case=case,
        date=day,
        slot=slot,
        temperature=temperature,
        symptoms=_text(values.get("symptoms")),
        note=_text(values.get("note")),
        is_fever=is_fever(temperature),
        by=actor,
        at=at,
        recorded_at=now,
    )
    # The fields' own rules only: the related rows were just fetched, and the one-current-
    # check rule is checked by the callers and, under a race, by the database.
    check.full_clean(
        exclude=["case", "by", "supersedes", "superseded_by"], validate_constraints=False
    )
    return check


SLOT_CLASH = {
    "watch_isocheck_one_current_per_slot": {
        "slot": gettext_lazy("This slot already has a check: correct it instead.")
    }
}


@entry_point
def record_isolation_check(
    actor,
    case: IsolationCase,
    *,
    temperature,
    slot: str = "",
    date: datetime.date | None = None,
    symptoms: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
) -> IsolationCheck:
    """Add the temperature check of `case` for `date`'s `slot` (by default: the day and
    half-day of `at`, now by default). A temperature at or above the reporting policy's
    fever threshold is flagged."""
    scoping.require_isolation_writer(actor)
    case = IsolationCase.objects.select_related("person").get(pk=case.pk)
    values = {
        "temperature": temperature,
        "slot": slot,
        "date": date,
        "symptoms": symptoms,
        "note": note,
        "at": at,
    }
    check = _new_check(actor, case, values)
    # A slot's second check is refused by the database's one-current-check constraint
    # (also under a race), reported as the same field error: one query fewer per check.
    _save_record(check, actor, clashes=SLOT_CLASH, cleaned=True)
    return check


def correct_isolation_check(
    actor, check: IsolationCheck, *, reason: str, **values
) -> IsolationCheck:
    """Correct a check: a new one for the same day and slot supersedes it, with a reason.
    The earlier one stays, stamped as superseded. Values not given are the earlier one's."""
    scoping.require_isolation_writer(actor)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say what the correction is for.")})

    def build(earlier: IsolationCheck, now: datetime.datetime) -> IsolationCheck:
        merged = {
            "temperature": earlier.temperature,
            "symptoms": earlier.symptoms,
            "note": earlier.note,
            "at": earlier.at,
        }
        merged.update({key: value for key, value in values.items() if key in merged})
        merged.update({"date": earlier.date, "slot": earlier.slot})
        return _new_check(actor, earlier.case, merged, now)

    return corrections.supersede(
        IsolationCheck,
        check.pk,
        actor=actor,
        reason=reason,
        refused=ValidationError(
            {"supersedes": _("This check has already been corrected: correct its latest version.")}
        ),
        build=build,
        save=lambda correction: _save_record(correction, actor, clashes=SLOT_CLASH, cleaned=True),
        related=("case",),
    )


# ---- incidents ----------------------------------------------------------------------------

INCIDENT_FIELDS = ("occurred_at", "place", "area", "kind", "severity", "description")


def _check_incident(incident: Incident) -> None:
    errors: dict[str, str] = {}
    at = incident.occurred_at
    if at is None:
        errors["occurred_at"] = _("Give the time it happened.")
    elif timezone.is_naive(at):
        errors["occurred_at"] = _("Give the time with its time zone.")
    elif _out_of_range(at):
        errors["occurred_at"] = _("This time is out of range.")
    elif at > timezone.now():
        errors["occurred_at"] = _("An incident cannot be in the future.")
    if incident.kind not in Incident.Kind.values:
        errors["kind"] = _("Choose the kind of incident.")
    if incident.severity not in Incident.Severity.values:
        errors["severity"] = _("Choose the severity.")
    if not incident.description:
        errors["description"] = _("Describe the incident.")
    if errors:
        raise ValidationError(errors)


def _action_time(incident: Incident, at, field: str = "at") -> datetime.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValidationError({field: _("Give the time with its time zone.")})
    if _out_of_range(at):
        raise ValidationError({field: _("This time is out of range.")})
    if at > timezone.now():
        raise ValidationError({field: _("This time is in the future.")})
    if at < incident.occurred_at:
        raise ValidationError({field: _("This is before the incident happened.")})
    return at


def _timeline(
    incident: Incident, actor, kind: str, at, *, event: str, params=None, text: str = ""
) -> IncidentAction:
    """A timeline row: what happened as `event` and its `params` (shown in each reader's
    language by IncidentAction.describe), and `text` as the person typed it."""
    action = IncidentAction(
        incident=incident,
        kind=kind,
        event=event,
        params=params or {},
        by=actor,
        at=at,
        text=text[:500],
    )
    action.full_clean()
    action.save()
    return action


def _link(actor, incident: Incident, people=(), cases=(), at=None) -> None:
    people = [person for person in people if person is not None]
    cases = [case for case in cases if case is not None]
    new_people = [p for p in people if not incident.people.filter(pk=p.pk).exists()]
    new_cases = [c for c in cases if not incident.isolation_cases.filter(pk=c.pk).exists()]
    if new_people:
        incident.people.add(*new_people)
        _timeline(
            incident,
            actor,
            IncidentAction.Kind.LINK,
            at or timezone.now(),
            event=IncidentAction.Event.PEOPLE_LINKED,
            params={
                "people": [
                    {"id": p.pk, "name": p.name, "number": p.person_number} for p in new_people
                ]
            },
        )
    if new_cases:
        incident.isolation_cases.add(*new_cases)
        _timeline(
            incident,
            actor,
            IncidentAction.Kind.LINK,
            at or timezone.now(),
            event=IncidentAction.Event.CASES_LINKED,
            params={
                "cases": [
                    {"id": c.pk, "name": c.person.name, "start": c.start_date.isoformat()}
                    for c in new_cases
                ]
            },
        )


@entry_point
def open_incident(actor, **fields) -> Incident:
    """Record an incident (突发事件). Other apps call this too: the gate opens a fever
    incident when a guard records a fever.

    Fields: occurred_at (required, aware), kind (Incident.Kind), description, severity
    (medium by default), place, area, people (Persons involved), isolation_cases. The
    timeline starts with an "opened" row at `occurred_at`.
    """
    unknown = set(fields) - {*INCIDENT_FIELDS, "people", "isolation_cases"}
    if unknown:
        raise TypeError(f"open_incident() got unknown fields: {', '.join(sorted(unknown))}")
    kind = fields.get("kind") or ""
    if not scoping.can_open_incident(actor, kind):
        raise PermissionDenied(
            _("Only the prevention & control office and the school hospital handle incidents.")
        )
    incident = Incident(
        occurred_at=fields.get("occurred_at"),
        place=_text(fields.get("place")),
        area=fields.get("area"),
        kind=kind,
        severity=fields.get("severity") or Incident.Severity.MEDIUM,
        description=_text(fields.get("description")),
        reported_by=actor,
    )
    _check_incident(incident)
    _save_record(incident, actor, coded("opened"))
    params = {"kind": incident.kind}
    if incident.place:
        params["place"] = incident.place
    elif incident.area_id:
        params["area"] = incident.area_id
    _timeline(
        incident,
        actor,
        IncidentAction.Kind.OPENED,
        incident.occurred_at,
        event=IncidentAction.Event.OPENED,
        params=params,
    )
    _link(
        actor,
        incident,
        fields.get("people") or (),
        fields.get("isolation_cases") or (),
        at=incident.occurred_at,
    )
    return incident


def _locked_incident(actor, incident: Incident) -> Incident:
    scoping.require_incident_writer(actor)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.is_closed:
        raise ValidationError({"status": _("This incident is closed: nothing more is added.")})
    return incident


@entry_point
def update_incident(actor, incident: Incident, *, reason: str = "", **data) -> Incident:
    """Correct what the incident record says, while it is not closed."""
    incident = _locked_incident(actor, incident)
    for key in INCIDENT_FIELDS:
        if key in data and (data[key] is not None or key == "area"):
            setattr(
                incident, key, _text(data[key]) if key in ("place", "description") else data[key]
            )
    _check_incident(incident)
    _save_record(incident, actor, _text(reason) or coded("edited"))
    return incident


@entry_point
def link_incident(actor, incident: Incident, *, people=(), isolation_cases=(), at=None) -> Incident:
    """Add people involved or isolation cases to the incident (a timeline row each time)."""
    incident = _locked_incident(actor, incident)
    _link(actor, incident, people, isolation_cases, _action_time(incident, at) if at else None)
    return incident


def _required_text(value, field: str, missing: str, limit: int) -> str:
    """`value` tidied; refused, on `field`, when it is empty (with `missing`) or too long."""
    text = _text(value)
    if not text:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    return text


@entry_point
def add_incident_action(actor, incident: Incident, *, text: str, at=None) -> IncidentAction:
    """Add what was done, at `at` (now by default), to the incident's timeline."""
    incident = _locked_incident(actor, incident)
    text = _required_text(text, "text", _("Say what was done."), 500)
    return _timeline(
        incident,
        actor,
        IncidentAction.Kind.NOTE,
        _action_time(incident, at),
        event=IncidentAction.Event.NOTE,
        text=text,
    )


def _change_status(actor, incident: Incident, status, history_note: str, at, note: str = ""):
    """Move the incident to `status`: saved with its history row (`history_note`), and a
    timeline row "before → after", with the note if there is one."""
    before = incident.status
    incident.status = status
    _save_record(incident, actor, history_note)
    _timeline(
        incident,
        actor,
        IncidentAction.Kind.STATUS,
        at,
        event=IncidentAction.Event.STATUS_CHANGED,
        params={"from": before, "to": str(status)},
        text=note,
    )


@entry_point
def start_handling_incident(actor, incident: Incident, *, note: str = "", at=None) -> Incident:
    """open → being handled."""
    incident = _locked_incident(actor, incident)
    if incident.status != Incident.Status.OPEN:
        raise ValidationError({"status": _("This incident is already being handled.")})
    at = _action_time(incident, at)
    _change_status(
        actor, incident, Incident.Status.HANDLING, coded("being_handled"), at, _text(note)
    )
    return incident


@entry_point
def notify_cdc(actor, incident: Incident, *, at=None, note: str = "") -> Incident:
    """Record that the CDC (疾控中心) was notified, by `actor` at `at` (now by default)."""
    incident = _locked_incident(actor, incident)
    if incident.cdc_notified_at is not None:
        raise ValidationError({"cdc_notified_at": _("The CDC has already been notified.")})
    at = _action_time(incident, at)
    incident.cdc_notified_at = at
    incident.cdc_notified_by = actor
    _save_record(incident, actor, coded("cdc_notified"))
    _timeline(
        incident,
        actor,
        IncidentAction.Kind.CDC,
        at,
        event=IncidentAction.Event.CDC_NOTIFIED,
        text=_text(note),
    )
    return incident


@entry_point
def close_incident(actor, incident: Incident, *, summary: str, at=None) -> Incident:
    """Close the incident with a summary of how it was handled. Closed is final."""
    incident = _locked_incident(actor, incident)
    summary = _required_text(summary, "summary", _("Write a closing summary."), 2000)
    at = _action_time(incident, at)
    incident.closing_summary = summary
    incident.closed_at = at
    incident.closed_by = actor
    _change_status(actor, incident, Incident.Status.CLOSED, coded("closed"), at)
    return incident
