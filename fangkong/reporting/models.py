"""Information statistics (信息统计): daily health check-ins, and the office's reporting policy."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fangkong.core.models import Person

TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")


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
        default=Decimal("37.3"),
        help_text=_("A check-in at or above this temperature is flagged."),
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


class HealthCheckinQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_at__isnull=True)

    def visible_to(self, user):
        from fangkong.reporting import scoping

        return scoping.checkins_visible_to(user, self)


class HealthCheckin(models.Model):
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
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
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
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True, superseded_by__isnull=True)
                | Q(superseded_at__isnull=False, superseded_by__isnull=False),
                name="reporting_checkin_superseded_when_and_by_whom",
                violation_error_message=_("A superseded check-in records when and by whom."),
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True, correction_reason="")
                | (Q(supersedes__isnull=False) & ~Q(correction_reason="")),
                name="reporting_checkin_correction_has_reason",
                violation_error_message=_("A correction needs a reason, and only a correction."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.date:%Y-%m-%d}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

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
