"""Gate access (门禁/通行证): area policies, gates, pass types, passes, signing keys and the
crossing ledger.

An area's policy is dated: a change adds a row from a day on, so the history of who could go
where stays. Passes carry a signed token (see `tokens.py` and docs/pass-token.md) that a gate
device verifies with only the public key. Every crossing of a gate, let through or refused,
is a row of `Crossing`, written once.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from fangkong.core.models import AppendOnly, BilingualName


class AccessPolicy(models.Model):
    """How an area may be entered or left from a moment on (出入管理): open, closed to all but
    pass holders, or a household exit quota (每户每N天限M人次外出). The policy in force at a
    moment is the one with the latest `effective_from` at or before it."""

    class Kind(models.TextChoices):
        OPEN = "open", pgettext_lazy("access policy", "Open")
        CLOSED = "closed", _("Closed: pass holders only")
        QUOTA = "quota", _("Household exit quota")

    class Window(models.TextChoices):
        ROLLING = "rolling", _("Rolling (the last N×24 hours)")
        CALENDAR = "calendar", _("By calendar day")

    area = models.ForeignKey(
        "core.Area",
        on_delete=models.PROTECT,
        related_name="access_policies",
        verbose_name=_("area"),
    )
    kind = models.CharField(pgettext_lazy("access", "policy"), max_length=10, choices=Kind.choices)
    effective_from = models.DateTimeField(_("in force from"))
    quota_exits = models.PositiveSmallIntegerField(
        _("exits per household"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    quota_days = models.PositiveSmallIntegerField(
        _("every how many days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    quota_window = models.CharField(
        pgettext_lazy("quota window", "counted"),
        max_length=10,
        choices=Window.choices,
        default=Window.ROLLING,
    )
    return_by = models.TimeField(
        _("back by"),
        null=True,
        blank=True,
        help_text=_("Optional: the time of day by which a person who went out must be back."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        ordering = ["area", "-effective_from"]
        verbose_name = _("access policy")
        verbose_name_plural = _("access policies")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "effective_from"],
                name="access_policy_one_per_moment",
                violation_error_message=_("This area already has a policy from this moment."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="quota") | (Q(quota_exits__gte=1) & Q(quota_days__gte=1)),
                name="access_policy_quota_complete",
                violation_error_message=_("A household quota needs its exits and days."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.summary}"

    @property
    def summary(self) -> str:
        if self.kind == self.Kind.QUOTA:
            return _("%(exits)s exit(s) per household every %(days)s day(s)") % {
                "exits": self.quota_exits,
                "days": self.quota_days,
            }
        return str(self.get_kind_display())


class Gate(BilingualName):
    """A gate (校门/出入口) that serves one area: its guards decide who goes in or out."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    area = models.ForeignKey(
        "core.Area", on_delete=models.PROTECT, related_name="gates", verbose_name=_("area")
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__campus__code", "code"]
        verbose_name = _("gate")
        verbose_name_plural = _("gates")


class PassType(BilingualName):
    """A kind of temporary pass (临时通行证): on-duty staff, teaching or research matters,
    medical care or looking after the elderly, fetching course materials… Its defaults fill
    a new pass; `approver` (if set) may decide applications besides the office."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    default_days = models.PositiveSmallIntegerField(
        _("valid for (days)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    areas = models.ManyToManyField(
        "core.Area", related_name="pass_types", verbose_name=_("areas"), blank=True
    )
    multiple_use = models.BooleanField(_("multiple use"), default=True)
    uses = models.PositiveSmallIntegerField(
        _("uses"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(999)],
        help_text=_("How many entries a pass allows; empty: no limit while it is valid."),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvable_pass_types",
        verbose_name=_("approver besides the office"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("pass type")
        verbose_name_plural = _("pass types")

    @property
    def uses_per_pass(self) -> int | None:
        return 1 if not self.multiple_use else self.uses


class PassQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(status=Pass.Status.APPROVED, valid_from__lte=day, valid_until__gte=day)


class Pass(models.Model):
    """A temporary pass (临时通行证) for one person: applied for, then approved (issued) or
    rejected; an issued pass may be revoked with a reason. Expired is not stored: a pass past
    its last day shows as expired. Every change is kept in `history`."""

    NUMBER_PREFIX = "TX"

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", pgettext_lazy("pass status", "Approved")
        REJECTED = "rejected", _("Rejected")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    number = models.CharField(_("pass number"), max_length=20, unique=True)
    holder = models.ForeignKey(
        "core.Person", on_delete=models.PROTECT, related_name="passes", verbose_name=_("holder")
    )
    pass_type = models.ForeignKey(
        PassType, on_delete=models.PROTECT, related_name="passes", verbose_name=_("pass type")
    )
    reason = models.CharField(_("reason"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    areas = models.ManyToManyField("core.Area", related_name="passes", verbose_name=_("areas"))
    uses_total = models.PositiveSmallIntegerField(_("uses"), null=True, blank=True)
    uses_left = models.PositiveSmallIntegerField(_("uses left"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pass_applications",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pass_decisions",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=200, blank=True)
    issued_at_desk = models.BooleanField(_("issued at the pass desk"), default=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pass_revocations",
        verbose_name=_("revoked by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = PassQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_at", "-pk"]
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        indexes = [
            models.Index(fields=["status", "valid_until"], name="access_pass_status_until"),
            models.Index(fields=["decided_at"], name="access_pass_decided_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="access_pass_dates_in_order",
                violation_error_message=_("The last day comes before the first."),
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | ~Q(revoke_reason=""),
                name="access_pass_revoked_with_reason",
                violation_error_message=_("Say why the pass is revoked."),
            ),
            models.CheckConstraint(
                condition=Q(uses_left__isnull=True) | Q(uses_total__gte=models.F("uses_left")),
                name="access_pass_uses_left_within_total",
                violation_error_message=_("A pass cannot have more uses left than it allows."),
            ),
            models.CheckConstraint(
                condition=~Q(status="expired"),
                name="access_pass_expiry_not_stored",
                violation_error_message=_("Expiry follows from the dates; it is not stored."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def shown_status(self, today: datetime.date | None = None) -> str:
        """The status a person sees: an approved pass past its last day is expired."""
        today = today or timezone.localdate()
        if self.status == self.Status.APPROVED and self.valid_until < today:
            return self.Status.EXPIRED
        return self.status

    def get_shown_status_display(self) -> str:
        return str(self.Status(self.shown_status()).label)

    @property
    def is_issued(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REVOKED)


class SigningKey(models.Model):
    """An Ed25519 key that signs pass tokens, named by a small key id. The newest active key
    signs; older active keys still verify (cards printed under them stay good); a retired
    key verifies nothing. The private half never leaves the server; devices fetch the
    public halves from /api/v1/access/keys."""

    kid = models.PositiveSmallIntegerField(_("key id"), unique=True)
    public_key = models.BinaryField(_("public key"), max_length=32)
    private_key = models.BinaryField(max_length=32, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["-kid"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return f"key {self.kid}"


# The reasons that let a person through; every other reason refuses.
ALLOWING = ("household_quota", "leaving", "open_area", "resident", "valid_pass")


class CrossingQuerySet(models.QuerySet):
    def exits(self):
        return self.filter(direction=Crossing.Direction.OUT, allowed=True)


class Crossing(AppendOnly):
    """One person at one gate (出入记录): let through or refused, and why. Written once; an
    offline device's rows carry the device's own id, so a batch sent twice is kept once."""

    class Direction(models.TextChoices):
        IN = "in", pgettext_lazy("gate direction", "In")
        OUT = "out", pgettext_lazy("gate direction", "Out")

    class Reason(models.TextChoices):
        # allowed
        OPEN_AREA = "open_area", _("Area open")
        VALID_PASS = "valid_pass", _("Valid pass")
        RESIDENT = "resident", _("Resident of the area")
        HOUSEHOLD_QUOTA = "household_quota", _("Household exit quota")
        LEAVING = "leaving", _("Leaving the area")
        # refused
        MALFORMED = "malformed", _("Not a pass code or pass number")
        FORGED = "forged", _("Signature does not match: forged or altered")
        UNKNOWN_KEY = "unknown_key", _("Signed by an unknown key")
        RETIRED_KEY = "retired_key", _("Signed by a retired key")
        UNKNOWN_PASS = "unknown_pass", _("No such pass")
        UNKNOWN_PERSON = "unknown_person", _("No such person")
        INACTIVE_PERSON = "inactive_person", _("Person no longer on the books")
        NOT_APPROVED = "not_approved", _("Pass not approved")
        REVOKED = "revoked", _("Pass revoked")
        NOT_YET_VALID = "not_yet_valid", _("Pass not valid yet")
        EXPIRED = "expired", _("Pass expired")
        WRONG_AREA = "wrong_area", _("Pass not valid for this area")
        USED_UP = "used_up", _("Pass used up")
        NO_PASS = "no_pass", _("Area closed: a pass is needed")
        NOT_RESIDENT = "not_resident", _("Not a resident of this area")
        QUOTA_USED = "quota_used", _("Household has used its exits")
        ISOLATION = "isolation", _("Under medical isolation")
        FEVER_FLAG = "fever_flag", _("Open fever flag")
        FEVER = "fever", _("Temperature 37.3 °C or more")

    ALLOWING = ALLOWING

    class Source(models.TextChoices):
        GATE = "gate", _("At the gate")
        OFFLINE = "offline", _("Offline device, sent later")

    client_id = models.UUIDField(_("id"), unique=True, default=uuid.uuid4)
    at = models.DateTimeField(_("time"))
    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="crossings", verbose_name=_("gate")
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    person = models.ForeignKey(
        "core.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crossings",
        verbose_name=_("person"),
    )
    gate_pass = models.ForeignKey(
        Pass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crossings",
        verbose_name=_("pass"),
    )
    household = models.ForeignKey(
        "core.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crossings",
        verbose_name=_("household"),
    )
    allowed = models.BooleanField(_("let through"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    counts_quota = models.BooleanField(_("uses the household quota"), default=False)
    presented = models.CharField(_("code or number shown"), max_length=40, blank=True)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    guard = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="crossings",
        verbose_name=_("guard"),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.GATE
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = CrossingQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("crossing")
        verbose_name_plural = _("crossings")
        indexes = [
            models.Index(
                fields=["household", "at"],
                name="access_crossing_household_at",
                condition=Q(counts_quota=True),
            ),
            models.Index(fields=["person", "at"], name="access_crossing_person_at"),
            models.Index(fields=["gate", "at"], name="access_crossing_gate_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(allowed=True, reason__in=ALLOWING)
                | (Q(allowed=False) & ~Q(reason__in=ALLOWING)),
                name="access_crossing_reason_matches_decision",
                violation_error_message=_("The reason does not match the decision."),
            ),
            models.CheckConstraint(
                condition=Q(counts_quota=False)
                | Q(allowed=True, direction="out", household__isnull=False),
                name="access_crossing_quota_is_an_exit",
                violation_error_message=_("Only a household's exit uses its quota."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.gate} {self.get_direction_display()}"

    def final_error(self, deleting: bool = False) -> Exception:
        return ValidationError(_("A crossing is recorded once and never changed or deleted."))
