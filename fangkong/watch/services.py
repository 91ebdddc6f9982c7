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
from django.utils.translation import gettext_noop

from fangkong.core.models import Person, User
from fangkong.watch import scoping
from fangkong.watch.models import FollowUp, KeyPerson, RandomDraw, RegionOfConcern

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
    instance.full_clean(validate_constraints=True)
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


# ---- regions of concern ---------------------------------------------------------------


def _require_regions(actor) -> None:
    if not scoping.can_keep_regions(actor):
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))


def _check_region_dates(region: RegionOfConcern) -> None:
    if region.until_date and region.from_date and region.until_date < region.from_date:
        raise ValidationError({"until_date": _("A region's watch cannot end before it starts.")})


@transaction.atomic
def create_region(actor, **data) -> RegionOfConcern:
    _require_regions(actor)
    data = {key: value for key, value in data.items() if key in REGION_FIELDS}
    data["name"] = _text(data.get("name"))
    data["note"] = _text(data.get("note"))
    region = RegionOfConcern(**data)
    _check_region_dates(region)
    _save(region, actor, gettext_noop("Created"))
    return region


@transaction.atomic
def update_region(actor, region: RegionOfConcern, *, reason: str = "", **data) -> RegionOfConcern:
    _require_regions(actor)
    region = RegionOfConcern.objects.select_for_update().get(pk=region.pk)
    for key, value in data.items():
        if key in REGION_FIELDS:
            setattr(region, key, _text(value) if key in ("name", "note") else value)
    _check_region_dates(region)
    _save(region, actor, _text(reason) or gettext_noop("Edited"))
    return region


@transaction.atomic
def end_region(actor, region: RegionOfConcern, until_date=None, reason: str = ""):
    """The region is of concern no more after `until_date` (today by default)."""
    _require_regions(actor)
    region = RegionOfConcern.objects.select_for_update().get(pk=region.pk)
    if region.until_date is not None:
        raise ValidationError({"until_date": _("This region's watch has already ended.")})
    region.until_date = until_date or timezone.localdate()
    _check_region_dates(region)
    _save(region, actor, _text(reason) or gettext_noop("Ended"))
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


@transaction.atomic
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
    Person.objects.select_for_update().filter(pk=person.pk).first()
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
    _save(entry, actor, gettext_noop("Listed"))
    return entry


def _locked_entry(entry: KeyPerson) -> KeyPerson:
    return KeyPerson.objects.select_for_update().select_related("person").get(pk=entry.pk)


@transaction.atomic
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
    _save(entry, actor, _text(change_reason) or gettext_noop("Edited"))
    return entry


@transaction.atomic
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
    _save(entry, actor, gettext_noop("Verified"))
    return entry


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
def supersede_follow_up(actor, follow_up: FollowUp, *, reason: str, **values) -> FollowUp:
    """Correct a follow-up: a new row that supersedes it, with a reason. The old row stays.

    Values not given are the old row's (a correction of the temperature keeps the kind).
    """
    entry = KeyPerson.objects.select_related("person").get(pk=follow_up.key_person_id)
    scoping.require_follow_up_unit(actor, entry.person.unit_id)
    old = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if not _text(reason):
        raise ValidationError({"reason": _("Say what the correction is for.")})
    if FollowUp.objects.filter(supersedes=old).exists():
        raise ValidationError({"supersedes": _("This follow-up is already corrected.")})
    merged = {
        "kind": old.kind,
        "outcome": old.outcome,
        "temperature": old.temperature,
        "note": old.note,
        "at": old.at,
        "due_on": old.due_on,
    }
    merged.update({key: value for key, value in values.items() if key in merged})
    new = _new_follow_up(actor, entry, merged)
    new.supersedes = old
    new.correction_reason = _text(reason)
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as exc:  # a concurrent correction of the same row
        raise ValidationError({"supersedes": _("This follow-up is already corrected.")}) from exc
    return new


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


@transaction.atomic
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
