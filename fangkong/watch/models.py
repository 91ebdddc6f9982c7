"""Regions of concern, the key-person ledger (重点人员台账), its follow-ups (随访) and the
random phone checks (随机电话抽查)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# A body temperature outside this range is a typing error, not a fever.
MIN_TEMPERATURE = Decimal("34.0")
MAX_TEMPERATURE = Decimal("43.0")
# A plan's longest interval between routine follow-ups, in days.
MAX_FOLLOW_UP_EVERY = 30


class RegionOfConcern(models.Model):
    """A region of concern (重点地区): a place the office watches from one date until another.

    The list is dated, so that a ledger entry or a report of any past day can say which
    regions were of concern then. The office keeps it; a region's watch is ended, not deleted.
    """

    name = models.CharField(_("name"), max_length=100)
    from_date = models.DateField(_("from"))
    until_date = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-from_date", "name"]
        verbose_name = _("region of concern")
        verbose_name_plural = _("regions of concern")
        constraints = [
            models.CheckConstraint(
                condition=Q(until_date__isnull=True) | Q(until_date__gte=F("from_date")),
                name="watch_region_until_after_from",
                violation_error_message=_("A region's watch cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_of_concern_on(self, day) -> bool:
        return self.from_date <= day and (self.until_date is None or day <= self.until_date)


class FollowUpKind(models.TextChoices):
    PHONE_CALL = "phone_call", _("Phone call")
    HOME_VISIT = "home_visit", _("Home visit")
    DISINFECTANT = "disinfectant", _("Disinfectant delivery")
    TEMPERATURE = "temperature", _("Temperature check")


class KeyPersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        from fangkong.watch import scoping

        return scoping.key_persons_visible_to(user, self)

    def under_watch_on(self, day):
        """Entries whose watch covers `day`: listed by then, not cleared and not past their
        monitoring end on that day."""
        return self.filter(listed_on__lte=day).filter(
            Q(cleared_on__isnull=True) | Q(cleared_on__gt=day),
            Q(monitoring_until__isnull=True) | Q(monitoring_until__gte=day),
        )


class KeyPerson(models.Model):
    """One entry of the key-person ledger (重点人员台账): a person, why they are watched, and
    the plan for following them up.

    A person may have one open (under-watch) entry per category. Entries are verified one by
    one (逐一核实) by someone other than who listed them; they are cleared with a reason, never
    deleted, and every edit is kept in `history`.
    """

    class Category(models.TextChoices):
        NATIVE = "native", _("Native of a region of concern")
        IN_REGION = "in_region", _("Currently in a region of concern")
        RETURNED = "returned", _("Returned from a region of concern, living on campus")
        CLOSE_CONTACT = "close_contact", _("Close contact")
        SYMPTOMS = "symptoms", _("Fever or symptoms")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        UNDER_WATCH = "under_watch", _("Under watch")
        CLEARED = "cleared", _("Cleared")

    person = models.ForeignKey(
        "core.Person",
        on_delete=models.PROTECT,
        related_name="key_person_entries",
        verbose_name=_("person"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    region = models.ForeignKey(
        RegionOfConcern,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_persons",
        verbose_name=_("region of concern"),
    )
    reason = models.CharField(_("reason"), max_length=200)
    listed_on = models.DateField(_("date listed"))
    monitoring_until = models.DateField(_("monitoring until"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="key_persons_responsible_for",
        verbose_name=_("responsible staff"),
    )
    follow_up_every = models.PositiveSmallIntegerField(
        _("follow up every (days)"),
        default=1,
        validators=[MaxValueValidator(MAX_FOLLOW_UP_EVERY)],
        help_text=_("1 for daily; 0 for no routine follow-ups (random checks only)."),
    )
    follow_up_kind = models.CharField(
        _("routine follow-up"),
        max_length=20,
        choices=FollowUpKind.choices,
        default=FollowUpKind.PHONE_CALL,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UNDER_WATCH
    )
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="key_persons_listed",
        verbose_name=_("listed by"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_persons_verified",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_persons_cleared",
        verbose_name=_("cleared by"),
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    clear_reason = models.CharField(_("reason for clearing"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = KeyPersonQuerySet.as_manager()

    class Meta:
        ordering = ["person__unit__code", "person__person_number", "category"]
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        indexes = [
            models.Index(fields=["status", "listed_on"], name="watch_keyperson_status_listed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=Q(status="under_watch"),
                name="watch_keyperson_one_open_per_category",
                violation_error_message=_(
                    "This person already has an open entry in this category."
                ),
            ),
            models.CheckConstraint(
                condition=Q(monitoring_until__isnull=True)
                | Q(monitoring_until__gte=F("listed_on")),
                name="watch_keyperson_monitoring_after_listing",
                violation_error_message=_("Monitoring cannot end before the person was listed."),
            ),
            models.CheckConstraint(
                condition=Q(follow_up_every__lte=MAX_FOLLOW_UP_EVERY),
                name="watch_keyperson_follow_up_every_range",
                violation_error_message=_("Follow up at most every 30 days."),
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True, verified_at__isnull=True)
                | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="watch_keyperson_verified_who_and_when",
                violation_error_message=_("A verification records who and when."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status="under_watch",
                        cleared_on__isnull=True,
                        cleared_by__isnull=True,
                        cleared_at__isnull=True,
                        clear_reason="",
                    )
                    | (
                        Q(
                            status="cleared",
                            cleared_on__isnull=False,
                            cleared_by__isnull=False,
                            cleared_at__isnull=False,
                        )
                        & ~Q(clear_reason="")
                    )
                ),
                name="watch_keyperson_cleared_with_reason",
                violation_error_message=_("A cleared entry records why, who and when."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.UNDER_WATCH

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def is_due_on(self, day) -> bool:
        """Whether the entry's routine plan calls for a follow-up on `day`: every
        `follow_up_every` days counted from the day of listing, while under watch."""
        if self.follow_up_every == 0 or day < self.listed_on:
            return False
        if self.cleared_on is not None and day >= self.cleared_on:
            return False
        if self.monitoring_until is not None and day > self.monitoring_until:
            return False
        return (day - self.listed_on).days % self.follow_up_every == 0


class FollowUp(models.Model):
    """One follow-up (随访) of a key person: a call, a visit, a delivery, a temperature check.

    Append-only: a wrong record is corrected by a new one that `supersedes` it, with a
    reason; the old one stays, and only rows no later row supersedes count.
    """

    Kind = FollowUpKind

    class Outcome(models.TextChoices):
        WELL = "well", _("Reached and well")
        UNWELL = "unwell", _("Reached and unwell")
        NOT_REACHED = "not_reached", _("Not reached")

    key_person = models.ForeignKey(
        KeyPerson,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("key person"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FollowUpKind.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_TEMPERATURE), MaxValueValidator(MAX_TEMPERATURE)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_ups_made",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"))
    due_on = models.DateField(_("for the day"))
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["due_on", "key_person"], name="watch_followup_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature__isnull=True)
                | Q(temperature__gte=MIN_TEMPERATURE, temperature__lte=MAX_TEMPERATURE),
                name="watch_followup_temperature_range",
                violation_error_message=_("A temperature is between 34 and 43 °C."),
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
                name="watch_followup_correction_has_reason",
                violation_error_message=_("A correction says why."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_person.person} · {self.get_kind_display()} · {self.due_on}"

    def save(self, *args, **kwargs):
        # The ledger is append-only: a saved row never changes (see supersede_follow_up).
        if self.pk is not None:
            raise FollowUpIsFinal(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FollowUpIsFinal(self)


class FollowUpIsFinal(Exception):
    """A saved follow-up was about to be changed or deleted: correct it by superseding."""

    def __init__(self, follow_up):
        super().__init__(
            f"Follow-up {follow_up.pk} is final: record a correction that supersedes it."
        )


class RandomDraw(models.Model):
    """A random phone check (随机电话抽查): `size` persons drawn from those under watch on
    `day`. The population (in order), the seed and the drawn persons are kept, so that
    anyone can run the draw again and get the same list (services.redo_draw).
    """

    day = models.DateField(_("day"))
    size = models.PositiveIntegerField(_("size"))
    seed = models.CharField(_("seed"), max_length=64)
    category = models.CharField(
        _("category"), max_length=20, choices=KeyPerson.Category.choices, blank=True
    )
    population = models.JSONField(_("population (person ids, in order)"))
    drawn = models.JSONField(_("drawn (person ids, in order)"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="random_draws",
        verbose_name=_("drawn by"),
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("random phone check")
        verbose_name_plural = _("random phone checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=1),
                name="watch_randomdraw_size_positive",
                violation_error_message=_("Draw at least one person."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.size}"
