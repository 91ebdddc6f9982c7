"""Every write to the check-ins and the reporting policy: validate, check permission, one
transaction. Views, the API and the import all come through here.

Check-ins are append-only: `submit_checkin` adds the day's first, `correct_checkin` adds a
new version that supersedes the current one, and nothing updates or deletes an answer.
"""

import datetime
from dataclasses import dataclass
from operator import itemgetter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.core import corrections
from fangkong.core.identity import normalise_person_number
from fangkong.core.models import Person
from fangkong.core.people_import import MAX_REPORTED_ERRORS, ImportResult, sqlite_page_cache
from fangkong.core.roles import Role
from fangkong.core.services import validated_save
from fangkong.core.temperature import is_fever, temperature_problem
from fangkong.core.transactions import entry_point, service_atomic
from fangkong.reporting import checkin_sheets, scoping
from fangkong.reporting import figures as figures_module
from fangkong.reporting.models import (
    ANSWER_FIELDS,
    HealthCheckin,
    ReportEvent,
    ReportField,
    ReportingPolicy,
    ReportValue,
    RulePriority,
    Symptom,
    UnitReport,
    ValidationRule,
)
from fangkong.spreadsheets import RowError, SheetError, iter_records, open_sheet

TEXT_LIMITS = {"current_province": 30, "current_city": 60, "note": 200}
# The symptom codes in the order the office lists them (Symptom.values builds a new list
# each time it is read, which a 100,000-row import would do twice a row).
SYMPTOM_CODES = tuple(Symptom.values)


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


def as_of(today: datetime.date | None) -> datetime.date:
    """The day a check is made as of: `today` if a caller states one, else the local date.
    A stated day after the local date is a mistake of the caller, not of the user."""
    local = timezone.localdate()
    if today is None:
        return local
    if not isinstance(today, datetime.date) or isinstance(today, datetime.datetime):
        raise TypeError("today must be a datetime.date")
    if today > local:
        raise ValueError(f"today ({today.isoformat()}) is after the local date")
    return today


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
    unknown = [item for item in symptoms if item not in SYMPTOM_CODES]
    if unknown:
        errors["symptoms"] = _("Unknown symptom: %(values)s.") % {"values": ", ".join(unknown)}
    # Stored in the order of the list the office knows, each once.
    values["symptoms"] = [code for code in SYMPTOM_CODES if code in symptoms] if symptoms else []

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

    for key in ("on_campus", "contact_with_region_of_concern"):
        value = answers.get(key)
        if not isinstance(value, bool):
            # Translated only when needed: an import asks this of every row.
            errors[key] = (
                _("Say whether you are on campus.")
                if key == "on_campus"
                else _("Say whether you have had contact with a region of concern.")
            )
        values[key] = value
    return values, errors


def is_abnormal(values: dict, policy: ReportingPolicy) -> bool:
    """Flagged at once: a temperature at or above the policy's threshold, or any symptom."""
    return is_fever(values["temperature"], policy.fever_threshold) or bool(values["symptoms"])


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


# A check-in's related rows are loaded ones, and its answers were checked by clean_answers:
# saving it need not look them up again.
_CHECKIN_RELATED = ["person", "entered_by", "supersedes", "superseded_by"]


def _save_checkin(checkin: HealthCheckin, actor) -> HealthCheckin:
    # The field validators run here, in Python; the constraints (one current check-in per
    # person and day, the temperature range) are the database's own, checked by the INSERT
    # itself. Validating them beforehand would cost a query each, inside the write lock
    # that every other check-in of the school is queuing for.
    checkin.full_clean(exclude=_CHECKIN_RELATED, validate_unique=False, validate_constraints=False)
    try:
        # A savepoint in the calling entry point's transaction, not one of its own.
        with transaction.atomic():
            checkin.save(force_insert=True)
    except IntegrityError as exc:
        # Two submits of the same person and day at once: the database lets one through,
        # and the other is told to correct instead (not given a 500).
        clash = HealthCheckin.objects.current().filter(
            person_id=checkin.person_id, date=checkin.date
        )
        if clash.exists():
            raise _already_there(checkin.person, checkin.date) from exc
        raise ValidationError(
            _("This record clashes with another one: %(error)s") % {"error": exc}
        ) from exc
    return checkin


# ---- check-ins ----------------------------------------------------------------------------


@entry_point
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
    # A second check-in for the day is refused by the database's constraint (see
    # _save_checkin), the same way whether it comes now or at the same moment.
    checkin = HealthCheckin(
        person=person,
        date=day,
        entered_by=actor,
        channel=channel or default_channel(actor, person),
        is_abnormal=is_abnormal(values, policy),
        **values,
    )
    return _save_checkin(checkin, actor)


def correct_checkin(
    actor,
    checkin: HealthCheckin,
    *,
    reason: str,
    channel: str = "",
    today: datetime.date | None = None,
    **answers,
) -> HealthCheckin:
    """A new version of `checkin` with the given answers; the earlier one is kept, marked
    as superseded by `actor`. `today`: as for import_checkin_records.

    Everything is decided before the write transaction; `corrections.supersede` then holds
    it for the version being corrected only."""
    scoping.require_checkin_writer(actor, checkin.person)
    reason = (reason or "").strip()
    values, errors = clean_answers({key: answers.get(key) for key in ANSWER_FIELDS})
    if not reason:
        errors["reason"] = _("Say why the check-in is corrected.")
    elif len(reason) > 200:
        errors["reason"] = _("At most %(limit)d characters.") % {"limit": 200}
    policy = ReportingPolicy.current()
    problem = date_problem(checkin.date, as_of(today), policy)
    if problem:
        errors["date"] = problem
    if errors:
        raise ValidationError(errors)

    def build(earlier: HealthCheckin, now: datetime.datetime) -> HealthCheckin:
        return HealthCheckin(
            person=earlier.person,
            date=earlier.date,
            entered_by=actor,
            entered_at=now,
            channel=channel or default_channel(actor, earlier.person),
            is_abnormal=is_abnormal(values, policy),
            **values,
        )

    # The person is joined for reading only: the lock is the check-in's row alone.
    return corrections.supersede(
        HealthCheckin,
        checkin.pk,
        actor=actor,
        reason=reason,
        refused=ValidationError(
            _("This check-in has already been corrected: correct its latest version.")
        ),
        build=build,
        save=lambda correction: _save_checkin(correction, actor),
        related=("person",),
    )


# ---- the policy ---------------------------------------------------------------------------


@entry_point
def update_policy(actor, *, reason: str = "", **data) -> ReportingPolicy:
    """The office changes the reporting rules. Check-ins already flagged keep their flag."""
    if not scoping.can_edit_policy(actor):
        raise PermissionDenied(_("Only the prevention & control office changes the policy."))
    ReportingPolicy.current()
    policy = ReportingPolicy.objects.select_for_update().get(pk=ReportingPolicy.SINGLETON_PK)
    for key in ("deadline", "days_open", "fever_threshold", "school_name"):
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

    def __init__(self, actor, *, today: datetime.date | None = None):
        self.actor = actor
        self.policy = ReportingPolicy.current()
        self.today = as_of(today)
        self.first_open = self.policy.first_open_day(self.today)
        self.office = actor.has_role(Role.OFFICE)
        # The active people the user may enter check-ins for; at the first number not among
        # them, the whole registry, to tell the row why its person is refused.
        scope = Person.objects.filter(is_active=True)
        if not self.office:
            scope = scope.filter(unit_id=actor.unit_id)
        self.people = {
            number: (pk, unit_id, True, name)
            for number, pk, unit_id, name in scope.values_list(
                "person_number", "pk", "unit_id", "name"
            )
        }
        self.whole_registry = False
        # (person, day) already checked in: 0 for the database, else the row of the file.
        # A day's current check-ins are read when a row first names that day (a file is
        # mostly of one day), not every open day's at the start.
        self.seen: dict[tuple[int, datetime.date], int] = {}
        self.days_read: set[datetime.date] = set()
        # A file names a few days many times over: each is read and judged once.
        self.dates: dict[tuple[str, bool], datetime.date | None] = {}
        self.date_problems: dict[datetime.date, str | None] = {}
        self.symptoms = checkin_sheets.symptom_lookup()
        self.headers = {key: checkin_sheets.header(key) for key in checkin_sheets.COLUMN_BY_KEY}

    def read_registry(self) -> None:
        self.whole_registry = True
        self.people = {
            number: (pk, unit_id, active, name)
            for number, pk, unit_id, active, name in Person.objects.values_list(
                "person_number", "pk", "unit_id", "is_active", "name"
            )
        }

    def read_day(self, day: datetime.date) -> None:
        self.days_read.add(day)
        for person_id in (
            HealthCheckin.objects.current().filter(date=day).values_list("person_id", flat=True)
        ):
            self.seen.setdefault((person_id, day), 0)

    def parse_date(self, text: str, numeric: bool) -> datetime.date | None:
        key = (text, numeric)
        if key not in self.dates:
            self.dates[key] = checkin_sheets.parse_date(text, numeric)
        return self.dates[key]

    def date_problem(self, day: datetime.date) -> str | None:
        if day not in self.date_problems:
            self.date_problems[day] = date_problem(day, self.today, self.policy)
        return self.date_problems[day]

    def check(self, number: int, record: dict, numeric: set[str]):
        errors: list[RowError] = []

        def fail(key, message):
            errors.append(RowError(number, self.headers[key], message))

        get = record.get
        person_number = normalise_person_number(get("person_number", ""))
        person = self.people.get(person_number) if person_number else None
        if person is None and person_number and not self.whole_registry:
            self.read_registry()
            person = self.people.get(person_number)
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
            day = self.parse_date(date_text, "date" in numeric)
            if day is None:
                fail(
                    "date",
                    _("“%(value)s” is not a date: write it as 2020-01-23.") % {"value": date_text},
                )
            else:
                problem = self.date_problem(day)
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
            if day not in self.days_read:
                self.read_day(day)
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


class CheckinWriter:
    """Writes checked check-ins with one executemany INSERT per few thousand rows (COPY on
    PostgreSQL): the row bulk_create writes (the answers and the flag; who entered them,
    when and how; nothing superseded or corrected) without building a model instance a
    row. Through the ORM the demo's 176,000 check-ins took twenty seconds on SQLite; this
    way, a few."""

    PER_ROW = ("person_id", "date", *ANSWER_FIELDS, "is_abnormal")
    BATCH_SIZE = 5000
    # Written as they are; any other field's value is adapted once per distinct value.
    AS_THEY_ARE = {"CharField", "BooleanField", "ForeignKey"}

    def __init__(self, actor, channel: str, now: datetime.datetime):
        self.connection = connections[router.db_for_write(HealthCheckin)]
        fields = [f for f in HealthCheckin._meta.concrete_fields if not f.primary_key]
        by_attname = {f.attname: f for f in fields}
        per_row = [by_attname[attname] for attname in self.PER_ROW]
        template = HealthCheckin(entered_by=actor, entered_at=now, channel=channel)
        constant = [f for f in fields if f.attname not in self.PER_ROW]
        self.constants = tuple(
            f.get_db_prep_save(getattr(template, f.attname), self.connection) for f in constant
        )
        self.per_row = itemgetter(*self.PER_ROW)
        self.adapted = [
            (index, f, {})
            for index, f in enumerate(per_row)
            if f.get_internal_type() not in self.AS_THEY_ARE
        ]
        quote = self.connection.ops.quote_name
        columns = [f.column for f in per_row + constant]
        table, columns = quote(HealthCheckin._meta.db_table), ", ".join(map(quote, columns))
        self.insert = "INSERT INTO {} ({}) VALUES ({})".format(
            table, columns, ", ".join(["%s"] * len(per_row + constant))
        )
        self.copy = f"COPY {table} ({columns}) FROM STDIN"

    def row(self, values: dict) -> list:
        row = [*self.per_row(values), *self.constants]
        for index, field, known in self.adapted:
            value = row[index]
            key = tuple(value) if isinstance(value, list) else value
            if key not in known:
                known[key] = field.get_db_prep_save(value, self.connection)
            row[index] = known[key]
        return row

    def write(self, valid: list[dict]) -> None:
        """Write the rows; call inside a transaction."""
        with self.connection.cursor() as cursor:
            driver_cursor = cursor.cursor
            if self.connection.vendor == "postgresql" and hasattr(driver_cursor, "copy"):
                # psycopg 3 sends an executemany as one statement a row; COPY streams them.
                with self.connection.wrap_database_errors, driver_cursor.copy(self.copy) as copy:
                    for values in valid:
                        copy.write_row(self.row(values))
                return
            for start in range(0, len(valid), self.BATCH_SIZE):
                batch = valid[start : start + self.BATCH_SIZE]
                cursor.executemany(self.insert, [self.row(values) for values in batch])


def import_checkins(actor, upload) -> ImportResult:
    """Import every row of an uploaded .xlsx, .xls or .ods of check-ins, or none of them."""
    if not scoping.can_enter_for_others(actor):
        raise PermissionDenied(_("Your role does not allow importing check-ins."))
    try:
        sheet = open_sheet(upload)
    except SheetError as exc:
        return ImportResult(errors=[RowError(exc.row, "", str(exc))], error_count=1)
    return _import_records(actor, iter_records(sheet, checkin_sheets.COLUMNS))


def import_checkin_records(actor, records, *, today: datetime.date | None = None) -> ImportResult:
    """Import (row number, {column key: text}, numeric keys) records as iter_records yields
    them: every one or none, with the checks and the write of an uploaded file.

    `today` is the day as of which the days still open are counted (the local date by
    default): a back-fill, such as the demo's 2020 check-ins, states the day it stands on.
    It may not be after the local date.
    """
    if not scoping.can_enter_for_others(actor):
        raise PermissionDenied(_("Your role does not allow importing check-ins."))
    return _import_records(actor, records, today=today)


def _import_records(actor, records, *, today: datetime.date | None = None) -> ImportResult:
    result = ImportResult()
    checker = CheckinRowChecker(actor, today=today)
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
        result.errors.append(RowError(exc.row, "", str(exc)))
        result.error_count += 1
    if result.rows == 0 and not result.error_count:
        result.errors.append(RowError(0, "", _("The file has a header row but no check-ins.")))
        result.error_count = 1
    if result.error_count:
        return result
    now = timezone.now()
    writer = CheckinWriter(actor, HealthCheckin.Channel.IMPORT, now)
    try:
        with sqlite_page_cache(writer.connection), service_atomic():
            writer.write(valid)
        result.created = len(valid)
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


# ---- unit daily reports: the office's fields and rules ------------------------------------


def _require_field_keeper(actor) -> None:
    if not scoping.can_keep_report_fields(actor):
        raise PermissionDenied(_("Only the prevention & control office defines the report."))


FIELD_ATTRIBUTES = ("code", "label", "label_en", "order", "source", "is_active")
RULE_ATTRIBUTES = (
    "left",
    "operator",
    "right",
    "right_constant",
    "priority",
    "message",
    "message_en",
    "is_active",
)


@entry_point
def create_report_field(actor, **data) -> ReportField:
    _require_field_keeper(actor)
    field = ReportField(**{key: data[key] for key in FIELD_ATTRIBUTES if key in data})
    for key in ("code", "label", "label_en"):
        setattr(field, key, str(getattr(field, key) or "").strip())
    validated_save(field, actor)
    return field


@entry_point
def update_report_field(actor, field: ReportField, *, reason: str = "", **data) -> ReportField:
    """Labels, order, source and whether the field is asked. The code stays: reports,
    spreadsheets and other systems refer to it."""
    _require_field_keeper(actor)
    if "code" in data and data["code"] != field.code:
        raise ValidationError({"code": _("A field's code cannot change; add a new field.")})
    for key in FIELD_ATTRIBUTES[1:]:
        if key in data and data[key] is not None:
            value = data[key]
            setattr(field, key, value.strip() if isinstance(value, str) else value)
    validated_save(field, actor, (reason or "").strip())
    return field


def _rule_sides_problem(rule: ValidationRule) -> dict:
    if rule.right_id is None and rule.right_constant is None:
        return {"right": _("Compare the figure with another figure or a number.")}
    if rule.right_id is not None and rule.right_constant is not None:
        return {"right_constant": _("Give another figure or a number, not both.")}
    return {}


@entry_point
def create_validation_rule(actor, **data) -> ValidationRule:
    _require_field_keeper(actor)
    rule = ValidationRule(**{key: data[key] for key in RULE_ATTRIBUTES if key in data})
    problem = _rule_sides_problem(rule)
    if problem:
        raise ValidationError(problem)
    validated_save(rule, actor)
    return rule


@entry_point
def update_validation_rule(
    actor, rule: ValidationRule, *, reason: str = "", **data
) -> ValidationRule:
    _require_field_keeper(actor)
    for key in RULE_ATTRIBUTES:
        if key in data:
            setattr(rule, key, data[key])
    problem = _rule_sides_problem(rule)
    if problem:
        raise ValidationError(problem)
    validated_save(rule, actor, (reason or "").strip())
    return rule


# ---- unit daily reports: filling, submitting, reviewing -----------------------------------


@dataclass(frozen=True)
class RuleResult:
    rule: ValidationRule
    left: int | None
    right: int | None

    @property
    def holds(self) -> bool | None:
        """None when a figure is missing (a draft): nothing to say yet."""
        if self.left is None or self.right is None:
            return None
        return self.rule.holds(self.left, self.right)

    @property
    def fails(self) -> bool:
        return self.holds is False


def active_fields() -> list[ReportField]:
    return list(ReportField.objects.filter(is_active=True).order_by("order", "code"))


def active_rules() -> list[ValidationRule]:
    return list(
        ValidationRule.objects.filter(is_active=True, left__is_active=True)
        .exclude(right__is_active=False)
        .select_related("left", "right")
    )


def check_rules(values: dict[int, int | None], rules=None) -> list[RuleResult]:
    """Each active rule against `values` ({field id: figure})."""
    results = []
    for rule in active_rules() if rules is None else rules:
        right = values.get(rule.right_id) if rule.right_id else rule.right_constant
        results.append(RuleResult(rule, values.get(rule.left_id), right))
    return results


def _high_rule_errors(results: list[RuleResult]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for result in results:
        if result.fails and result.rule.priority == RulePriority.HIGH:
            code = result.rule.left.code
            message = _("%(rule)s does not hold (%(left)s against %(right)s).") % {
                "rule": result.rule.display_message,
                "left": result.left,
                "right": result.right,
            }
            errors[code] = f"{errors[code]} {message}" if code in errors else message
    return errors


def current_values(report: UnitReport) -> dict[int, ReportValue]:
    """{field id: the current figure} of `report`."""
    return {
        value.field_id: value
        for value in report.values.filter(superseded_at__isnull=True).select_related(
            "field", "given_by"
        )
    }


def report_day_problem(day, today: datetime.date, policy: ReportingPolicy) -> str | None:
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        return _("Enter a date.")
    if day > today:
        return _("The date %(date)s is in the future.") % {"date": day.isoformat()}
    if day < policy.first_open_day(today):
        return ngettext(
            "The day %(date)s is closed: reports may only be filled in or changed for the "
            "last %(days)d day.",
            "The day %(date)s is closed: reports may only be filled in or changed for the "
            "last %(days)d days.",
            policy.days_open,
        ) % {"date": day.isoformat(), "days": policy.days_open}
    return None


def is_on_time(day: datetime.date, submitted_at: datetime.datetime, policy) -> bool:
    """Timely (DHIS2): submitted by the deadline's time on the report's own day."""
    deadline = timezone.make_aware(datetime.datetime.combine(day, policy.deadline))
    return submitted_at <= deadline


def _parse_count(value) -> tuple[int | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, _("Enter a whole number, 0 or more.")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit():
            return None, _("Enter a whole number, 0 or more.")
        number = int(text)
    if number < 0:
        return None, _("Enter a whole number, 0 or more.")
    if number > 10_000_000:
        return None, _("This figure is too large.")
    return number, None


def _write_values(report, writes, kind, actor, now, current) -> int:
    """Append each figure of `writes` ((field, value, computed, reason)) that is not the
    current one already, superseding that one; one UPDATE and one INSERT for them all."""
    changed = [
        (field, value, computed, reason)
        for field, value, computed, reason in writes
        if not (
            (given := current.get(field.pk)) is not None
            and (given.value, given.reason, given.kind) == (value, reason, kind)
        )
    ]
    superseded = [current[field.pk].pk for field, *_rest in changed if field.pk in current]
    if superseded:
        ReportValue.objects.filter(pk__in=superseded).update(superseded_at=now)
    ReportValue.objects.bulk_create(
        ReportValue(
            report=report,
            field=field,
            value=value,
            computed=computed,
            reason=reason,
            kind=kind,
            given_by=actor,
            given_at=now,
        )
        for field, value, computed, reason in changed
    )
    return len(changed)


COMMENT_LIMIT = 300


def _fill(actor, report, values, reasons, note, *, submit, now, nil=False) -> UnitReport:
    """Write the officer's figures into `report` (a locked draft or returned report) and
    submit it if asked. Raises ValidationError, naming each field, before anything is
    kept: the caller's transaction rolls back."""
    values = dict(values or {})
    reasons = {key: str(text or "").strip() for key, text in (reasons or {}).items()}
    fields = active_fields()
    by_code = {field.code: field for field in fields}
    errors: dict[str, str] = {}
    for code in values:
        if code not in by_code:
            errors[code] = _("There is no figure “%(code)s” in the report.") % {"code": code}
    figures = figures_module.unit_figures(report.unit_id, report.date)
    current = current_values(report)
    final: dict[int, int | None] = {}
    writes = []
    for field in fields:
        computed = figures.get(field.source) if field.is_computed else None
        if nil:
            value, problem = (computed if field.is_computed else 0), None
            reason = ""
        else:
            value, problem = _parse_count(values.get(field.code))
            reason = reasons.get(field.code, "")
        if problem:
            errors[field.code] = problem
            continue
        if len(reason) > 200:
            errors[field.code] = _("At most %(limit)d characters.") % {"limit": 200}
            continue
        if value is None:
            existing = current.get(field.pk)
            final[field.pk] = existing.value if existing else None
            if submit and existing is None:
                errors[field.code] = _("Enter this figure (0 if there is none).")
            continue
        if computed is not None and value != computed and not reason:
            errors[field.code] = _(
                "Fangkong's records give %(computed)d: say why the figure differs."
            ) % {"computed": computed}
            continue
        if computed is not None and value == computed:
            reason = ""
        final[field.pk] = value
        writes.append((field, value, computed, reason))
    # A note left out (None) keeps the one the report has.
    note = report.note if note is None else str(note).strip()
    if len(note) > 300:
        errors["note"] = _("At most %(limit)d characters.") % {"limit": 300}
    if errors:
        raise ValidationError(errors)
    if submit:
        rule_errors = _high_rule_errors(check_rules(final))
        if rule_errors:
            raise ValidationError(rule_errors)
    _write_values(report, writes, ReportValue.Kind.OFFICER, actor, now, current)
    report.note = note
    report.is_nil = nil
    if submit:
        policy = ReportingPolicy.current()
        if report.first_submitted_at is None:
            report.first_submitted_at = now
            report.on_time = is_on_time(report.date, now, policy)
        report.status = UnitReport.Status.SUBMITTED
        report.submitted_at = now
        report.submitted_by = actor
        action = ReportEvent.Action.NIL if nil else ReportEvent.Action.SUBMITTED
    else:
        action = ReportEvent.Action.SAVED
    report.save()
    ReportEvent.objects.create(report=report, action=action, by=actor, at=now)
    return report


def _open_day_or_error(day, now) -> None:
    problem = report_day_problem(day, timezone.localdate(now), ReportingPolicy.current())
    if problem:
        raise ValidationError({"date": problem})


def _locked_report(report: UnitReport) -> UnitReport:
    return (
        UnitReport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
    )


def _new_report(actor, unit, day, now) -> UnitReport:
    if not unit.is_active:
        raise ValidationError({"unit": _("This unit is deactivated.")})
    report = UnitReport(unit=unit, date=day, created_by=actor, created_at=now)
    try:
        validated_save(report, actor)
    except ValidationError as exc:
        if UnitReport.objects.filter(unit=unit, date=day).exists():
            raise _report_exists(unit, day) from exc
        raise
    return report


def _report_exists(unit, day) -> ValidationError:
    return ValidationError(
        {
            "date": _("%(unit)s already has a report for %(date)s: open it instead.")
            % {"unit": unit.display_name, "date": day.isoformat()}
        }
    )


def _require_editable_by_filler(report: UnitReport) -> None:
    if report.status not in (UnitReport.Status.DRAFT, UnitReport.Status.RETURNED):
        raise ValidationError(
            _("This report is %(status)s: only a draft or a returned report can be changed.")
            % {"status": report.get_status_display()}
        )


@entry_point
def create_report(
    actor,
    unit,
    day: datetime.date,
    *,
    values: dict | None = None,
    reasons: dict | None = None,
    note: str = "",
    submit: bool = False,
    now: datetime.datetime | None = None,
) -> UnitReport:
    """A unit's report for `day`, saved as a draft or submitted. A second report for the
    same unit and day is refused: open the first."""
    scoping.require_report_filler(actor, unit.pk if unit else None)
    now = now or timezone.now()
    _open_day_or_error(day, now)
    if UnitReport.objects.filter(unit=unit, date=day).exists():
        raise _report_exists(unit, day)
    report = _new_report(actor, unit, day, now)
    return _fill(actor, report, values, reasons, note, submit=submit, now=now)


@entry_point
def update_report(
    actor,
    report: UnitReport,
    *,
    values: dict | None = None,
    reasons: dict | None = None,
    note: str | None = None,
    submit: bool = False,
    now: datetime.datetime | None = None,
) -> UnitReport:
    """Change a draft or a returned report, and submit it if asked."""
    scoping.require_report_filler(actor, report.unit_id)
    now = now or timezone.now()
    _open_day_or_error(report.date, now)
    report = _locked_report(report)
    _require_editable_by_filler(report)
    return _fill(actor, report, values, reasons, note, submit=submit, now=now)


@entry_point
def submit_nil_report(
    actor, unit, day: datetime.date, *, now: datetime.datetime | None = None
) -> UnitReport:
    """A nil report ("nothing to report") in one click: every figure the officer enters is 0, every
    computed one is what the records say; submitted at once."""
    scoping.require_report_filler(actor, unit.pk if unit else None)
    now = now or timezone.now()
    _open_day_or_error(day, now)
    report = UnitReport.objects.select_for_update(of=("self",)).filter(unit=unit, date=day).first()
    if report is None:
        report = _new_report(actor, unit, day, now)
    _require_editable_by_filler(report)
    try:
        return _fill(actor, report, {}, {}, None, submit=True, now=now, nil=True)
    except ValidationError as exc:
        raise ValidationError(
            _(
                "This unit's figures do not allow a nil report (%(problems)s): fill in the "
                "report instead."
            )
            % {"problems": " ".join(exc.messages)}
        ) from exc


def _require_submitted(report: UnitReport, message: str) -> None:
    """`message` says what only a submitted report allows; it names the report's state."""
    if report.status != UnitReport.Status.SUBMITTED:
        raise ValidationError(message % {"status": report.get_status_display()})


@entry_point
def return_report(
    actor, report: UnitReport, comment: str, *, now: datetime.datetime | None = None
) -> UnitReport:
    """The office sends a submitted report back to the unit, saying why."""
    scoping.require_reviewer(actor)
    now = now or timezone.now()
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say why the report is returned.")})
    if len(comment) > 300:
        raise ValidationError({"comment": _("At most %(limit)d characters.") % {"limit": 300}})
    _open_day_or_error(report.date, now)
    report = _locked_report(report)
    _require_submitted(
        report, _("Only a submitted report can be returned; this one is %(status)s.")
    )
    report.status = UnitReport.Status.RETURNED
    report.save(update_fields=["status"])
    ReportEvent.objects.create(
        report=report, action=ReportEvent.Action.RETURNED, comment=comment, by=actor, at=now
    )
    return report


@entry_point
def correct_report_value(
    actor,
    report: UnitReport,
    field: ReportField,
    value,
    reason: str,
    *,
    now: datetime.datetime | None = None,
) -> ReportValue:
    """The statistics group corrects one figure of a submitted report (核实补充), with a
    reason; the officer's figure stays, superseded."""
    scoping.require_reviewer(actor)
    now = now or timezone.now()
    reason = (reason or "").strip()
    number, problem = _parse_count(value)
    errors = {}
    if problem or number is None:
        errors["value"] = problem or _("Enter a whole number, 0 or more.")
    if not reason:
        errors["reason"] = _("Say why the figure is corrected.")
    elif len(reason) > 200:
        errors["reason"] = _("At most %(limit)d characters.") % {"limit": 200}
    if not field.is_active:
        errors["field"] = _("This figure is no longer asked.")
    if errors:
        raise ValidationError(errors)
    _open_day_or_error(report.date, now)
    report = _locked_report(report)
    _require_submitted(
        report, _("Only a submitted report can be corrected; this one is %(status)s.")
    )
    current = current_values(report)
    previous = current.get(field.pk)
    computed = (
        figures_module.unit_figures(report.unit_id, report.date).get(field.source)
        if field.is_computed
        else None
    )
    final = {field_id: item.value for field_id, item in current.items()}
    final[field.pk] = number
    rule_errors = _high_rule_errors(check_rules(final))
    if rule_errors:
        raise ValidationError({"value": " ".join(rule_errors.values())})
    _write_values(
        report, [(field, number, computed, reason)], ReportValue.Kind.OFFICE, actor, now, current
    )
    comment = _("%(field)s: %(old)s → %(new)s (%(reason)s)") % {
        "field": field.display_label,
        "old": previous.value if previous else "—",
        "new": number,
        "reason": reason,
    }
    ReportEvent.objects.create(
        report=report,
        action=ReportEvent.Action.CORRECTED,
        # The reason is kept whole on the figure itself; the step's summary may be cut.
        comment=comment[:COMMENT_LIMIT],
        by=actor,
        at=now,
    )
    return report.values.get(field=field, superseded_at__isnull=True)


@entry_point
def approve_report(
    actor, report: UnitReport, *, comment: str = "", now: datetime.datetime | None = None
) -> UnitReport:
    """The office approves a submitted report whose figures pass every high rule."""
    scoping.require_reviewer(actor)
    now = now or timezone.now()
    report = _locked_report(report)
    _require_submitted(
        report, _("Only a submitted report can be approved; this one is %(status)s.")
    )
    final = {field_id: item.value for field_id, item in current_values(report).items()}
    rule_errors = _high_rule_errors(check_rules(final))
    if rule_errors:
        raise ValidationError(rule_errors)
    report.status = UnitReport.Status.APPROVED
    report.approved_at = now
    report.approved_by = actor
    report.save(update_fields=["status", "approved_at", "approved_by"])
    ReportEvent.objects.create(
        report=report,
        action=ReportEvent.Action.APPROVED,
        comment=(comment or "").strip()[:300],
        by=actor,
        at=now,
    )
    return report
