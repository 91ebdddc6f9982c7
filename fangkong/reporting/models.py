"""Information statistics (信息统计): daily health check-ins, and the office's reporting policy."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fangkong.core.models import (
    Person,
    StampedSuperseding,
    StampedSupersedingQuerySet,
    correction_has_reason,
    superseded_when_and_by_whom,
)
from fangkong.core.temperature import DEFAULT_FEVER_THRESHOLD, TEMPERATURE_MAX, TEMPERATURE_MIN


class ReportingPolicy(models.Model):
    """The office's rules for daily reporting (填报规则): one row, kept by the office.

    The deadline makes a unit's daily report timely or late; `days_open` is how many days
    back a check-in or a report may still be entered or corrected (older days are closed);
    a temperature at or above `fever_threshold` flags a check-in. Every edit is kept.
    """

    SINGLETON_PK = 1

    deadline = models.TimeField(
        _("daily deadline"),
        default=datetime.time(10, 0),
        help_text=_("A unit's daily report after this time of day is late."),
    )
    days_open = models.PositiveSmallIntegerField(
        _("days a report may still change"),
        default=3,
        help_text=_("0 means only today may be entered or corrected."),
    )
    fever_threshold = models.DecimalField(
        _("fever threshold (°C)"),
        max_digits=3,
        decimal_places=1,
        default=DEFAULT_FEVER_THRESHOLD,
        help_text=_("A check-in at or above this temperature is flagged."),
    )
    school_name = models.CharField(
        _("school name"),
        max_length=60,
        blank=True,
        help_text=_("Shown in the title of the consolidated daily table."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting policy")
        verbose_name_plural = _("reporting policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1),
                name="reporting_policy_single_row",
                violation_error_message=_("There is only one reporting policy."),
            ),
            models.CheckConstraint(
                condition=Q(days_open__lte=60),
                name="reporting_policy_days_open_range",
                violation_error_message=_("A day may stay open for at most 60 days."),
            ),
            models.CheckConstraint(
                condition=Q(fever_threshold__gte=Decimal("36.0"))
                & Q(fever_threshold__lte=Decimal("39.0")),
                name="reporting_policy_fever_threshold_range",
                violation_error_message=_("The fever threshold must be between 36.0 and 39.0 °C."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Reporting policy"))

    @classmethod
    def current(cls) -> "ReportingPolicy":
        # The data migration makes the row; get_or_create covers a database emptied since
        # (the browser tests' flush), with the same defaults.
        policy, _created = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return policy

    def first_open_day(self, today: datetime.date) -> datetime.date:
        return today - datetime.timedelta(days=self.days_open)


class Symptom(models.TextChoices):
    FEVER = "fever", _("Fever")
    COUGH = "cough", _("Cough")
    FATIGUE = "fatigue", _("Fatigue")
    SORE_THROAT = "sore_throat", _("Sore throat")
    SHORTNESS_OF_BREATH = "shortness_of_breath", _("Shortness of breath")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")
    LOSS_OF_TASTE_OR_SMELL = "loss_of_taste_smell", _("Loss of taste or smell")
    OTHER = "other", _("Other symptom")


def validate_symptoms(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Symptoms must be a list of symptom codes."), code="invalid")
    unknown = [item for item in value if item not in Symptom.values]
    if unknown:
        raise ValidationError(
            _("Unknown symptom: %(values)s.") % {"values": ", ".join(unknown)}, code="invalid"
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A symptom is listed twice."), code="invalid")


class HealthCheckinQuerySet(StampedSupersedingQuerySet):
    pass


class HealthCheckin(StampedSuperseding):
    """One person's daily health check-in (每日健康打卡) for one local calendar day.

    Append-only: a check-in is never edited or deleted. A correction is a new row that
    `supersedes` the earlier one, with a reason; the earlier row only gets its
    `superseded_at`/`superseded_by` stamped, and its answers stay as they were given. At
    most one row per person and day is current (not superseded): the database holds that.
    `is_abnormal` is set by the service from the policy's fever threshold and the symptoms.
    """

    class Channel(models.TextChoices):
        SELF = "self", _("Self-reported")
        OFFICER = "officer", _("Entered by an officer")
        IMPORT = "import", _("Imported")
        API = "api", _("API")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("person")
    )
    date = models.DateField(_("date"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(
        _("symptoms"), default=list, blank=True, validators=[validate_symptoms]
    )
    current_province = models.CharField(_("current province"), max_length=30)
    current_city = models.CharField(_("current city"), max_length=60)
    on_campus = models.BooleanField(_("on campus"))
    contact_with_region_of_concern = models.BooleanField(
        _("contact with a region of concern"),
        help_text=_("Been in, or in contact with someone from, a region of concern."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_abnormal = models.BooleanField(_("abnormal"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="entered_checkins",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The user's side of the stamp keeps the name it has always had (the base's is "+").
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_checkins",
        verbose_name=_("superseded by"),
    )

    objects = HealthCheckinQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "person__person_number", "entered_at"]
        verbose_name = _("health check-in")
        verbose_name_plural = _("health check-ins")
        indexes = [
            models.Index(fields=["date", "person"], name="reporting_checkin_date_person"),
            models.Index(
                fields=["date", "is_abnormal"],
                condition=Q(superseded_at__isnull=True),
                name="reporting_checkin_current_flag",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "date"],
                condition=Q(superseded_at__isnull=True),
                name="reporting_checkin_one_current_per_day",
                violation_error_message=_(
                    "This person already has a check-in for this day: correct it instead."
                ),
            ),
            models.CheckConstraint(
                condition=Q(temperature__gte=TEMPERATURE_MIN) & Q(temperature__lte=TEMPERATURE_MAX),
                name="reporting_checkin_temperature_range",
                violation_error_message=_("The temperature must be between 34.0 and 43.0 °C."),
            ),
            superseded_when_and_by_whom(
                "reporting_checkin_superseded_when_and_by_whom",
                _("A superseded check-in records when and by whom."),
            ),
            correction_has_reason(
                "reporting_checkin_correction_has_reason",
                _("A correction needs a reason, and only a correction."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.date:%Y-%m-%d}"

    @property
    def symptom_labels(self) -> list[str]:
        labels = dict(Symptom.choices)
        return [str(labels.get(code, code)) for code in self.symptoms or []]


# The answers a person gives in a check-in (forms, API, import, corrections).
ANSWER_FIELDS = (
    "temperature",
    "symptoms",
    "current_province",
    "current_city",
    "on_campus",
    "contact_with_region_of_concern",
    "note",
)


# ---- the unit daily report (单位日报) ---------------------------------------------------------


class ReportField(models.Model):
    """One figure of the unit daily report (日报指标), defined by the office: a count with a
    label in both languages and a place in the form's order.

    A field may be computed from Fangkong's own records (`source`); the officer then
    confirms the computed figure or overrides it with a reason. A field is deactivated,
    never deleted, so that old reports keep their labels.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by the officer")
        HEADCOUNT = "headcount", _("People of the unit")
        CHECKED_IN = "checked_in", _("People who checked in that day")
        ON_CAMPUS = "on_campus", _("People on campus (from check-ins)")
        FLAGGED = "flagged", _("Flagged check-ins")
        ISOLATION = "isolation", _("People under medical isolation")
        KEY_NATIVE = "key_native", _("Key persons: natives of a region of concern")
        KEY_IN_REGION = "key_in_region", _("Key persons: currently in a region of concern")
        KEY_RETURNED = "key_returned", _("Key persons: returned, living on campus")
        KEY_CLOSE_CONTACT = "key_close_contact", _("Key persons: close contacts")
        KEY_SYMPTOMS = "key_symptoms", _("Key persons: fever or symptoms")
        KEY_OTHER = "key_other", _("Key persons: other")

    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("A short name used in the API and the spreadsheets, e.g. in_region_staff."),
    )
    label = models.CharField(_("label (Chinese)"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.CharField(
        _("computed from"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("report field")
        verbose_name_plural = _("report fields")

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        if (get_language() or "").startswith("zh"):
            return self.label
        return self.label_en

    @property
    def is_computed(self) -> bool:
        return self.source != self.Source.MANUAL


class RulePriority(models.TextChoices):
    HIGH = "high", _("High: the report cannot be submitted")
    MEDIUM = "medium", _("Medium: a warning the office reviews")
    LOW = "low", _("Low: a hint")


class ValidationRule(models.Model):
    """A rule between two figures of the unit daily report (校验规则), e.g. "in Hubei now ≤
    natives of Hubei", or between a figure and a number.

    A failing high-priority rule stops the report being submitted or approved; medium and
    low ones are shown to the officer and the office as warnings. Deactivated, not deleted.
    """

    class Operator(models.TextChoices):
        LE = "le", "≤"
        LT = "lt", "<"
        EQ = "eq", "="
        NE = "ne", "≠"
        GE = "ge", "≥"
        GT = "gt", ">"

    left = models.ForeignKey(
        ReportField, on_delete=models.PROTECT, related_name="+", verbose_name=_("figure")
    )
    operator = models.CharField(_("must be"), max_length=2, choices=Operator.choices)
    right = models.ForeignKey(
        ReportField,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("than the figure"),
    )
    right_constant = models.PositiveIntegerField(_("or than the number"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=RulePriority.choices, default=RulePriority.HIGH
    )
    message = models.CharField(_("message (Chinese)"), max_length=120, blank=True)
    message_en = models.CharField(_("message (English)"), max_length=160, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["left__order", "pk"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(right__isnull=False, right_constant__isnull=True)
                | Q(right__isnull=True, right_constant__isnull=False),
                name="reporting_rule_one_right_side",
                violation_error_message=_("Compare the figure with another figure or a number."),
            ),
            models.CheckConstraint(
                condition=Q(right__isnull=True) | ~Q(right=models.F("left")),
                name="reporting_rule_two_figures",
                violation_error_message=_("A rule compares two different figures."),
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        right = self.right.display_label if self.right_id else str(self.right_constant)
        return f"{self.left.display_label} {self.get_operator_display()} {right}"

    @property
    def display_message(self) -> str:
        chinese = (get_language() or "").startswith("zh")
        text = self.message if chinese else self.message_en
        return text or self.message or self.message_en or self.describe()

    def holds(self, left: int, right: int) -> bool:
        return {
            "le": left <= right,
            "lt": left < right,
            "eq": left == right,
            "ne": left != right,
            "ge": left >= right,
            "gt": left > right,
        }[self.operator]


class UnitReport(models.Model):
    """A unit's daily report (单位日报) for one local calendar day, made by its information
    officer and reviewed by the office.

    Draft → submitted → approved, or returned with a comment and submitted again. A nil
    report says "nothing to report" in one click. `on_time` is decided once, at the first
    submission, against the policy's deadline of that day; a later change of deadline
    does not rewrite it. The figures are `ReportValue` rows (who gave each); the steps
    are `ReportEvent` rows. One report per unit and day: the database holds that.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="daily_reports", verbose_name=_("unit")
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_nil = models.BooleanField(_("nothing to report"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

    class Meta:
        ordering = ["-date", "unit__code"]
        verbose_name = _("unit daily report")
        verbose_name_plural = _("unit daily reports")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "date"],
                name="reporting_one_report_per_unit_day",
                violation_error_message=_(
                    "This unit already has a report for this day: open it instead."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(first_submitted_at__isnull=False),
                name="reporting_report_submitted_has_time",
                violation_error_message=_("A submitted report records when it was submitted."),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="reporting_report_approved_by_whom",
                violation_error_message=_("An approved report records when and by whom."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.date:%Y-%m-%d}"

    @property
    def is_reported(self) -> bool:
        """Counted as reported (DHIS2's "actual"): submitted or approved."""
        return self.status in (self.Status.SUBMITTED, self.Status.APPROVED)


class ReportValue(models.Model):
    """One figure of a unit's daily report as someone gave it (数据来源).

    Append-only: the officer's figure, then perhaps the office's correction, which
    supersedes it with a reason; a later edit of a draft is a new row too. `computed` is
    what Fangkong's records said when the figure was given (for computed fields): a figure
    that differs from it needs a reason. At most one current row per report and field.
    """

    class Kind(models.TextChoices):
        OFFICER = "officer", _("Officer's figure")
        OFFICE = "office", _("Office's correction")

    report = models.ForeignKey(
        UnitReport, on_delete=models.PROTECT, related_name="values", verbose_name=_("report")
    )
    field = models.ForeignKey(
        ReportField, on_delete=models.PROTECT, related_name="values", verbose_name=_("figure")
    )
    value = models.PositiveIntegerField(_("value"))
    computed = models.PositiveIntegerField(_("computed from the records"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    kind = models.CharField(_("given as"), max_length=10, choices=Kind.choices)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    given_at = models.DateTimeField(_("at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["field__order", "field__code", "given_at", "pk"]
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "field"],
                condition=Q(superseded_at__isnull=True),
                name="reporting_one_current_value",
                violation_error_message=_("This figure already has a current value."),
            ),
            models.CheckConstraint(
                condition=Q(kind="officer") | ~Q(reason=""),
                name="reporting_office_correction_has_reason",
                violation_error_message=_("The office's correction needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(computed__isnull=True) | Q(value=models.F("computed")) | ~Q(reason=""),
                name="reporting_override_has_reason",
                violation_error_message=_(
                    "A figure that differs from the computed one needs a reason."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.field.code}={self.value}"

    @property
    def differs_from_computed(self) -> bool:
        return self.computed is not None and self.computed != self.value


class ReportEvent(models.Model):
    """A step in a unit report's life (审核记录), appended, never edited: saved, submitted,
    returned with a comment, corrected by the office, approved."""

    class Action(models.TextChoices):
        SAVED = "saved", _("Saved as a draft")
        SUBMITTED = "submitted", _("Submitted")
        NIL = "nil", _("Submitted as nothing to report")
        RETURNED = "returned", _("Returned")
        CORRECTED = "corrected", _("Corrected by the office")
        APPROVED = "approved", _("Approved")

    report = models.ForeignKey(
        UnitReport, on_delete=models.PROTECT, related_name="events", verbose_name=_("report")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="returned") | ~Q(comment=""),
                name="reporting_return_has_comment",
                violation_error_message=_("Say why the report is returned."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.action}"
