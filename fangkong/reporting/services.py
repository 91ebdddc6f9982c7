"""Every write to the check-ins and the reporting policy: validate, check permission, one
transaction. Views, the API and the import all come through here.

Check-ins are append-only: `submit_checkin` adds the day's first, `correct_checkin` adds a
new version that supersedes the current one, and nothing updates or deletes an answer.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fangkong.core.models import Person
from fangkong.core.people_import import MAX_REPORTED_ERRORS, ImportResult
from fangkong.core.roles import Role
from fangkong.core.services import validated_save
from fangkong.reporting import checkin_sheets, scoping
from fangkong.reporting.models import (
    ANSWER_FIELDS,
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    HealthCheckin,
    ReportingPolicy,
    Symptom,
)
from fangkong.spreadsheets import RowError, SheetError, iter_records, open_sheet

TEXT_LIMITS = {"current_province": 30, "current_city": 60, "note": 200}
ONE_DECIMAL = Decimal("0.1")


# ---- rules shared by the forms, the API and the import ------------------------------------


def date_problem(day, today: datetime.date, policy: ReportingPolicy) -> str | None:
    """Why a check-in cannot be entered or corrected for `day`, or None."""
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        return _("Enter a date.")
    if day > today:
        return _("The date %(date)s is in the future.") % {"date": day.isoformat()}
    if day < policy.first_open_day(today):
        return _(
            "The day %(date)s is closed: check-ins may only be entered or corrected for the "
            "last %(days)d day(s)."
        ) % {"date": day.isoformat(), "days": policy.days_open}
    return None


def temperature_problem(value) -> tuple[Decimal | None, str | None]:
    """(the temperature as a Decimal of one decimal place, None) or (None, the problem)."""
    if value is None or value == "":
        return None, _("Enter the temperature.")
    if isinstance(value, bool):
        return None, _("The temperature must be a number, e.g. 36.5.")
    try:
        temperature = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None, _("The temperature must be a number, e.g. 36.5.")
    if not temperature.is_finite() or not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        return None, _("The temperature must be between 34.0 and 43.0 °C.")
    rounded = temperature.quantize(ONE_DECIMAL)
    if rounded != temperature:
        return None, _("Give the temperature to one decimal place, e.g. 36.5.")
    return rounded, None


def clean_answers(answers: dict) -> tuple[dict, dict[str, str]]:
    """(the answers ready to store, {field: problem}) for one check-in's answers."""
    errors: dict[str, str] = {}
    values: dict = {}
    temperature, problem = temperature_problem(answers.get("temperature"))
    if problem:
        errors["temperature"] = problem
    values["temperature"] = temperature

    symptoms = answers.get("symptoms") or []
    if isinstance(symptoms, str) or not isinstance(symptoms, list | tuple | set | frozenset):
        errors["symptoms"] = _("Symptoms must be a list.")
        symptoms = []
    symptoms = [str(item) for item in symptoms]
    unknown = [item for item in symptoms if item not in Symptom.values]
    if unknown:
        errors["symptoms"] = _("Unknown symptom: %(values)s.") % {"values": ", ".join(unknown)}
    # Stored in the order of the list the office knows, each once.
    values["symptoms"] = [code for code in Symptom.values if code in symptoms]

    for key, limit in TEXT_LIMITS.items():
        text = str(answers.get(key) or "").strip()
        if len(text) > limit:
            errors[key] = _("At most %(limit)d characters.") % {"limit": limit}
        values[key] = text
    if not values["current_province"]:
        errors["current_province"] = _("Say which province you are in now.")
    if not values["current_city"]:
        errors["current_city"] = _("Say which city you are in now.")
    if Symptom.OTHER in values["symptoms"] and not values["note"]:
        errors["note"] = _("Describe the other symptom in the note.")

    for key, message in (
        ("on_campus", _("Say whether you are on campus.")),
        (
            "contact_with_region_of_concern",
            _("Say whether you have had contact with a region of concern."),
        ),
    ):
        value = answers.get(key)
        if not isinstance(value, bool):
            errors[key] = message
        values[key] = value
    return values, errors


def is_abnormal(values: dict, policy: ReportingPolicy) -> bool:
    """Flagged at once: a temperature at or above the policy's threshold, or any symptom."""
    return values["temperature"] >= policy.fever_threshold or bool(values["symptoms"])


def default_channel(actor, person) -> str:
    if actor.person_id == person.pk:
        return HealthCheckin.Channel.SELF
    return HealthCheckin.Channel.OFFICER


def _already_there(person, day) -> ValidationError:
    return ValidationError(
        {
            "date": _("%(name)s already has a check-in for %(date)s: use “Correct” to change it.")
            % {"name": person.name, "date": formats.date_format(day, "Y-m-d")}
        }
    )


def _save_checkin(checkin: HealthCheckin, actor) -> HealthCheckin:
    try:
        validated_save(checkin, actor)
    except ValidationError as exc:
        # Two submits of the same person and day at once: the database's constraint lets
        # one through, and the other is told to correct instead (not given a 500).
        clash = HealthCheckin.objects.current().filter(
            person_id=checkin.person_id, date=checkin.date
        )
        if clash.exists():
            raise _already_there(checkin.person, checkin.date) from exc
        raise
    return checkin


# ---- check-ins ----------------------------------------------------------------------------


@transaction.atomic
def submit_checkin(
    actor, person: Person, *, date: datetime.date | None = None, channel: str = "", **answers
) -> HealthCheckin:
    """The day's check-in of `person`: by the person, an officer of their unit, or the office.

    A second check-in for the same day is refused: a correction supersedes the first.
    """
    scoping.require_checkin_writer(actor, person)
    if not person.is_active:
        raise ValidationError({"person": _("%(name)s is deactivated.") % {"name": person.name}})
    policy = ReportingPolicy.current()
    today = timezone.localdate()
    day = today if date is None else date
    values, errors = clean_answers({key: answers.get(key) for key in ANSWER_FIELDS})
    problem = date_problem(day, today, policy)
    if problem:
        errors["date"] = problem
    if errors:
        raise ValidationError(errors)
    if HealthCheckin.objects.current().filter(person=person, date=day).exists():
        raise _already_there(person, day)
    checkin = HealthCheckin(
        person=person,
        date=day,
        entered_by=actor,
        channel=channel or default_channel(actor, person),
        is_abnormal=is_abnormal(values, policy),
        **values,
    )
    return _save_checkin(checkin, actor)


@transaction.atomic
def correct_checkin(
    actor, checkin: HealthCheckin, *, reason: str, channel: str = "", **answers
) -> HealthCheckin:
    """A new version of `checkin` with the given answers; the earlier one is kept, marked
    as superseded by `actor`."""
    scoping.require_checkin_writer(actor, checkin.person)
    reason = (reason or "").strip()
    values, errors = clean_answers({key: answers.get(key) for key in ANSWER_FIELDS})
    if not reason:
        errors["reason"] = _("Say why the check-in is corrected.")
    elif len(reason) > 200:
        errors["reason"] = _("At most %(limit)d characters.") % {"limit": 200}
    policy = ReportingPolicy.current()
    problem = date_problem(checkin.date, timezone.localdate(), policy)
    if problem:
        errors["date"] = problem
    if errors:
        raise ValidationError(errors)
    # Lock the version being corrected: a second correction of it waits, then finds it
    # superseded and is refused, instead of making two current versions.
    earlier = HealthCheckin.objects.select_for_update().select_related("person").get(pk=checkin.pk)
    if earlier.superseded_at is not None:
        raise ValidationError(
            _("This check-in has already been corrected: correct its latest version.")
        )
    now = timezone.now()
    marked = HealthCheckin.objects.filter(pk=earlier.pk, superseded_at__isnull=True).update(
        superseded_at=now, superseded_by=actor
    )
    if marked != 1:
        raise ValidationError(
            _("This check-in has already been corrected: correct its latest version.")
        )
    correction = HealthCheckin(
        person=earlier.person,
        date=earlier.date,
        supersedes=earlier,
        correction_reason=reason,
        entered_by=actor,
        entered_at=now,
        channel=channel or default_channel(actor, earlier.person),
        is_abnormal=is_abnormal(values, policy),
        **values,
    )
    return _save_checkin(correction, actor)


# ---- the policy ---------------------------------------------------------------------------


@transaction.atomic
def update_policy(actor, *, reason: str = "", **data) -> ReportingPolicy:
    """The office changes the reporting rules. Check-ins already flagged keep their flag."""
    if not scoping.can_edit_policy(actor):
        raise PermissionDenied(_("Only the prevention & control office changes the policy."))
    ReportingPolicy.current()
    policy = ReportingPolicy.objects.select_for_update().get(pk=ReportingPolicy.SINGLETON_PK)
    for key in ("deadline", "days_open", "fever_threshold"):
        if key in data and data[key] is not None:
            setattr(policy, key, data[key])
    policy.updated_at = timezone.now()
    policy.updated_by = actor
    validated_save(policy, actor, (reason or "").strip())
    return policy


# ---- import -------------------------------------------------------------------------------


class CheckinRowChecker:
    """Checks one row at a time against the registry, the policy, the day's current
    check-ins and the rows above it; everything is looked up once, here."""

    def __init__(self, actor):
        self.actor = actor
        self.policy = ReportingPolicy.current()
        self.today = timezone.localdate()
        self.first_open = self.policy.first_open_day(self.today)
        self.people = {
            number: (pk, unit_id, active, name)
            for number, pk, unit_id, active, name in Person.objects.values_list(
                "person_number", "pk", "unit_id", "is_active", "name"
            )
        }
        self.office = actor.has_role(Role.OFFICE)
        # (person, day) already checked in: 0 for the database, else the row of the file.
        self.seen = dict.fromkeys(
            HealthCheckin.objects.current()
            .filter(date__gte=self.first_open, date__lte=self.today)
            .values_list("person_id", "date"),
            0,
        )
        self.symptoms = checkin_sheets.symptom_lookup()
        self.headers = {key: checkin_sheets.header(key) for key in checkin_sheets.COLUMN_BY_KEY}

    def check(self, number: int, record: dict, numeric: set[str]):
        errors: list[RowError] = []

        def fail(key, message):
            errors.append(RowError(number, self.headers[key], message))

        get = record.get
        person_number = get("person_number", "")
        person = self.people.get(person_number) if person_number else None
        if not person_number:
            fail("person_number", _("This cell is required."))
        elif person is None:
            fail(
                "person_number",
                _("No person has the number %(number)s.") % {"number": person_number},
            )
        elif not (self.office or person[1] == self.actor.unit_id):
            fail(
                "person_number",
                _("%(number)s is not a person of your unit.") % {"number": person_number},
            )
            person = None
        elif not person[2]:
            fail("person_number", _("%(name)s is deactivated.") % {"name": person[3]})
            person = None

        day = None
        date_text = get("date", "")
        if not date_text:
            fail("date", _("This cell is required."))
        else:
            day = checkin_sheets.parse_date(date_text, "date" in numeric)
            if day is None:
                fail(
                    "date",
                    _("“%(value)s” is not a date: write it as 2020-01-23.") % {"value": date_text},
                )
            else:
                problem = date_problem(day, self.today, self.policy)
                if problem:
                    fail("date", problem)
                    day = None

        temperature_text = get("temperature", "")
        temperature = checkin_sheets.parse_temperature(temperature_text)
        answers = {
            "temperature": temperature if temperature is not None else temperature_text or None,
            "current_province": get("current_province", ""),
            "current_city": get("current_city", ""),
            "note": get("note", ""),
        }
        codes, unknown = checkin_sheets.parse_symptoms(get("symptoms", ""), self.symptoms)
        answers["symptoms"] = codes
        for key in ("on_campus", "contact_with_region_of_concern"):
            text = get(key, "")
            answers[key] = checkin_sheets.parse_bool(text) if text else None
            if text and answers[key] is None:
                fail(
                    key,
                    _("Unknown value “%(value)s”: write 是 or 否 (yes or no).") % {"value": text},
                )
                answers[key] = False  # reported above; do not report it twice
            elif not text:
                fail(key, _("This cell is required."))
                answers[key] = False
        values, problems = clean_answers(answers)
        if unknown:
            problems["symptoms"] = _("Unknown symptom: %(values)s.") % {
                "values": "、".join(unknown)
            }
        for key, message in problems.items():
            fail(key, message)

        if person is not None and day is not None:
            seen = self.seen.get((person[0], day))
            if seen == 0:
                fail(
                    "date",
                    _(
                        "%(name)s already has a check-in for %(date)s: correct it on the "
                        "day page instead."
                    )
                    % {"name": person[3], "date": day.isoformat()},
                )
            elif seen:
                fail(
                    "person_number",
                    _("%(number)s is also on row %(row)d for %(date)s.")
                    % {"number": person_number, "row": seen, "date": day.isoformat()},
                )
            else:
                self.seen[(person[0], day)] = number
        if errors:
            return None, errors
        values["person_id"] = person[0]
        values["date"] = day
        values["is_abnormal"] = is_abnormal(values, self.policy)
        return values, errors


def import_checkins(actor, upload) -> ImportResult:
    """Import every row of an uploaded .xlsx of check-ins, or none of them."""
    if not scoping.can_enter_for_others(actor):
        raise PermissionDenied(_("Your role does not allow importing check-ins."))
    try:
        book, sheet = open_sheet(upload)
    except SheetError as exc:
        return ImportResult(errors=[RowError(0, "", str(exc))], error_count=1)
    try:
        return _import_records(actor, iter_records(sheet, checkin_sheets.COLUMNS))
    finally:
        book.close()


def _import_records(actor, records) -> ImportResult:
    result = ImportResult()
    checker = CheckinRowChecker(actor)
    valid: list[dict] = []
    try:
        for number, record, numeric in records:
            result.rows += 1
            values, errors = checker.check(number, record, numeric)
            if errors:
                result.error_count += len(errors)
                room = MAX_REPORTED_ERRORS - len(result.errors)
                result.errors.extend(errors[: max(room, 0)])
            elif not result.error_count:
                valid.append(values)
    except SheetError as exc:
        result.errors.append(RowError(1, "", str(exc)))
        result.error_count += 1
    if result.rows == 0 and not result.error_count:
        result.errors.append(RowError(0, "", _("The file has a header row but no check-ins.")))
        result.error_count = 1
    if result.error_count:
        return result
    now = timezone.now()
    checkins = [
        HealthCheckin(
            entered_by=actor, entered_at=now, channel=HealthCheckin.Channel.IMPORT, **values
        )
        for values in valid
    ]
    try:
        with transaction.atomic():
            HealthCheckin.objects.bulk_create(checkins, batch_size=2000)
        result.created = len(checkins)
    except IntegrityError:
        # Someone checked in one of these people between our check and our write.
        result.errors.append(
            RowError(
                0,
                "",
                _(
                    "A check-in entered meanwhile clashed with this import; nothing was "
                    "imported. Please upload the file again."
                ),
            )
        )
        result.error_count = 1
    return result
