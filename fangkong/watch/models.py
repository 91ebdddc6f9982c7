"""Regions of concern, the key-person ledger (重点人员台账), its follow-ups (随访) and the
random phone checks (随机电话抽查)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fangkong.core.models import (
    AppendOnly,
    Area,
    StampedSuperseding,
    StampedSupersedingQuerySet,
    Superseding,
    correction_has_reason,
    superseded_when_and_by_whom,
)
from fangkong.core.temperature import TEMPERATURE_MAX, TEMPERATURE_MIN

# A body temperature outside this range is a typing error, not a fever.
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


class FollowUp(AppendOnly, Superseding):
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
        validators=[MinValueValidator(TEMPERATURE_MIN), MaxValueValidator(TEMPERATURE_MAX)],
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
    # A follow-up keeps no stamp: the row that corrects it is its `superseded_by` (the
    # base's reverse name is "correction"), which the pages and the API read.
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["due_on", "key_person"], name="watch_followup_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature__isnull=True)
                | Q(temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX),
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

    def final_error(self, deleting: bool = False) -> Exception:
        # The ledger is append-only: a saved row never changes (see supersede_follow_up).
        return FollowUpIsFinal(self)


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


# ---- medical isolation (医学隔离观察) ---------------------------------------------------------

# An isolation policy's longest period, in days.
MAX_ISOLATION_DAYS = 60


class IsolationPolicy(models.Model):
    """The office's isolation rule (隔离规定) from a date on: how many days a case lasts.

    Dated, not overwritten: a new policy applies to cases started on or after its date,
    and a case keeps the policy it was started under (with the planned end computed from
    it then). Every edit is kept in `history`.
    """

    effective_from = models.DateField(_("effective from"))
    days = models.PositiveSmallIntegerField(
        _("days of isolation"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ISOLATION_DAYS)],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("set at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("isolation policy")
        verbose_name_plural = _("isolation policies")
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from"],
                name="watch_isolationpolicy_one_per_day",
                violation_error_message=_("A policy already starts on this day."),
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=MAX_ISOLATION_DAYS),
                name="watch_isolationpolicy_days_range",
                violation_error_message=_("An isolation lasts from 1 to 60 days."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m-%d} · {self.days}"


class IsolationRoomQuerySet(models.QuerySet):
    def with_occupancy(self):
        """Each room with `occupancy`: the cases in isolation in it now."""
        return self.annotate(
            occupancy=models.Count(
                "cases", filter=Q(cases__status=IsolationCase.Status.IN_ISOLATION)
            )
        )


class IsolationRoom(models.Model):
    """A room of the isolation building (隔离观察楼) with its number of beds.

    Its occupancy is the open cases placed in it, counted, never stored; the service that
    places a case locks the room's row so that two placements at once cannot overfill it.
    A room is deactivated, not deleted.
    """

    building = models.ForeignKey(
        "core.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="isolation_rooms",
        verbose_name=_("building"),
    )
    name = models.CharField(_("room"), max_length=40)
    capacity = models.PositiveSmallIntegerField(_("capacity (beds)"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = IsolationRoomQuerySet.as_manager()

    class Meta:
        ordering = ["building__name", "name"]
        verbose_name = _("isolation room")
        verbose_name_plural = _("isolation rooms")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "name"],
                name="watch_isolationroom_unique_name",
                violation_error_message=_("This building already has a room with this name."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(building__isnull=True),
                name="watch_isolationroom_unique_name_no_building",
                violation_error_message=_("A room with this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="watch_isolationroom_capacity_positive",
                violation_error_message=_("A room has at least one bed."),
            ),
        ]

    def __str__(self) -> str:
        if self.building_id:
            return f"{self.building.display_name} {self.name}"
        return self.name


class IsolationCaseQuerySet(models.QuerySet):
    def open_on(self, day):
        """Cases under isolation on `day`: started by then and not ended by then."""
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=day)
        )


class IsolationCase(models.Model):
    """One medical isolation (医学隔离观察) of one person: one person-time (人次).

    The person is isolated at home in the family area (a household), in a room of the
    isolation building, or in a hospital, on the school's order or the CDC's (with its
    reference). The case keeps the policy it was started under and the planned end that
    policy gave; it ends released, or transferred to hospital, with who, when and why.
    A person has at most one open case; nothing is deleted, and every edit is kept.
    """

    class PlaceKind(models.TextChoices):
        HOME = "home", _("At home (family area)")
        ROOM = "room", _("Isolation building")
        HOSPITAL = "hospital", _("Hospital")

    class OrderedBy(models.TextChoices):
        SCHOOL = "school", _("The school")
        CDC = "cdc", _("The CDC")

    class Status(models.TextChoices):
        IN_ISOLATION = "in_isolation", _("In isolation")
        RELEASED = "released", _("Released")
        TRANSFERRED = "transferred", _("Transferred to hospital")

    person = models.ForeignKey(
        "core.Person",
        on_delete=models.PROTECT,
        related_name="isolation_cases",
        verbose_name=_("person"),
    )
    place_kind = models.CharField(_("place"), max_length=10, choices=PlaceKind.choices)
    household = models.ForeignKey(
        "core.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="isolation_cases",
        verbose_name=_("household"),
    )
    room = models.ForeignKey(
        IsolationRoom,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("room"),
    )
    hospital = models.CharField(_("hospital"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    ordered_by = models.CharField(
        _("ordered by"), max_length=10, choices=OrderedBy.choices, default=OrderedBy.SCHOOL
    )
    cdc_reference = models.CharField(_("CDC order reference"), max_length=60, blank=True)
    start_date = models.DateField(_("start date"))
    policy = models.ForeignKey(
        IsolationPolicy,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("policy"),
    )
    planned_end = models.DateField(_("planned end"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_ISOLATION
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=100, blank=True)
    end_note = models.CharField(_("reason for ending"), max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="isolation_cases_ended",
        verbose_name=_("ended by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="isolation_cases_opened",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = IsolationCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("isolation case")
        verbose_name_plural = _("isolation cases")
        indexes = [
            models.Index(fields=["start_date", "end_date"], name="watch_isolation_period"),
            models.Index(fields=["status"], name="watch_isolation_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="in_isolation"),
                name="watch_isolation_one_open_per_person",
                violation_error_message=_("This person is already in isolation."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(place_kind="home", household__isnull=False, room__isnull=True, hospital="")
                    | Q(place_kind="room", room__isnull=False, household__isnull=True, hospital="")
                    | (
                        Q(place_kind="hospital", household__isnull=True, room__isnull=True)
                        & ~Q(hospital="")
                    )
                ),
                name="watch_isolation_place_consistent",
                violation_error_message=_(
                    "Isolation at home names the household, in the isolation building the "
                    "room, in hospital the hospital, and nothing else."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ordered_by="school") | (Q(ordered_by="cdc") & ~Q(cdc_reference="")),
                name="watch_isolation_cdc_order_has_reference",
                violation_error_message=_("An isolation ordered by the CDC needs its reference."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="watch_isolation_end_after_start",
                violation_error_message=_("An isolation cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("start_date")),
                name="watch_isolation_planned_end_after_start",
                violation_error_message=_("The planned end cannot be before the start."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status="in_isolation",
                        end_date__isnull=True,
                        ended_by__isnull=True,
                        ended_at__isnull=True,
                        end_note="",
                        transferred_to="",
                    )
                    | (
                        Q(
                            status="released",
                            end_date__isnull=False,
                            ended_by__isnull=False,
                            ended_at__isnull=False,
                            transferred_to="",
                        )
                        & ~Q(end_note="")
                    )
                    | (
                        Q(
                            status="transferred",
                            end_date__isnull=False,
                            ended_by__isnull=False,
                            ended_at__isnull=False,
                        )
                        & ~Q(end_note="")
                        & ~Q(transferred_to="")
                    )
                ),
                name="watch_isolation_ended_with_who_when_why",
                violation_error_message=_(
                    "An ended isolation records when, who and why (and the hospital, if "
                    "transferred)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.start_date:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_ISOLATION

    @property
    def place_label(self) -> str:
        if self.place_kind == self.PlaceKind.HOME and self.household_id:
            return str(self.household)
        if self.place_kind == self.PlaceKind.ROOM and self.room_id:
            return str(self.room)
        return self.hospital

    def is_open_on(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or day < self.end_date)


class CheckSlot(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")


class IsolationCheck(AppendOnly, StampedSuperseding):
    """One temperature check (测温) of a person in isolation: a morning or an afternoon one.

    Append-only: a saved check never changes. A mistake is corrected by a new check that
    `supersedes` it, with a reason; the earlier one only gets `superseded_at`/`_by`
    stamped. At most one check per case, day and slot is current: the database holds that.
    `is_fever` is set from the reporting policy's fever threshold when it is recorded.
    """

    Slot = CheckSlot

    case = models.ForeignKey(
        IsolationCase,
        on_delete=models.PROTECT,
        related_name="checks",
        verbose_name=_("isolation case"),
    )
    date = models.DateField(_("date"))
    slot = models.CharField(_("slot"), max_length=10, choices=CheckSlot.choices)
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(TEMPERATURE_MIN), MaxValueValidator(TEMPERATURE_MAX)],
    )
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_fever = models.BooleanField(_("fever"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="isolation_checks",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = StampedSupersedingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "slot", "-pk"]  # latest first: afternoon sorts before morning
        verbose_name = _("isolation temperature check")
        verbose_name_plural = _("isolation temperature checks")
        indexes = [models.Index(fields=["date", "case"], name="watch_isocheck_date_case")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "date", "slot"],
                condition=Q(superseded_at__isnull=True),
                name="watch_isocheck_one_current_per_slot",
                violation_error_message=_("This slot already has a check: correct it instead."),
            ),
            models.CheckConstraint(
                condition=Q(temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX),
                name="watch_isocheck_temperature_range",
                violation_error_message=_("A temperature is between 34 and 43 °C."),
            ),
            correction_has_reason(
                "watch_isocheck_correction_has_reason",
                _("A correction needs a reason, and only a correction."),
            ),
            superseded_when_and_by_whom(
                "watch_isocheck_superseded_when_and_by_whom",
                _("A superseded check records when and by whom."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.person} · {self.date:%Y-%m-%d} {self.get_slot_display()}"

    def final_error(self, deleting: bool = False) -> Exception:
        # Append-only: a saved check never changes (core.corrections.supersede stamps the
        # superseded one with a queryset update).
        return RecordIsFinal(self)


class RecordIsFinal(Exception):
    """An append-only record was about to be changed or deleted: add a new one instead."""

    def __init__(self, record):
        super().__init__(
            f"{record._meta.object_name} {record.pk} is final: add a correcting record instead."
        )


def _label(choices, value) -> str:
    """The label of a stored code in the current language; the code itself if it is no
    longer one of the choices."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


# ---- incidents (突发事件) ---------------------------------------------------------------------


class Incident(models.Model):
    """An incident (突发事件) the office handles: a fever found, a suspected or confirmed
    case, a close contact, a gathering or a breach of the rules.

    It is opened, handled and closed with a closing summary (closed is final); the CDC's
    notification is recorded with who and when; every step adds a row to its timeline
    (IncidentAction). The people involved and the isolation cases it led to are linked.
    Nothing is deleted, and every edit is kept in `history`.
    """

    class Kind(models.TextChoices):
        FEVER = "fever", _("Fever found")
        SUSPECTED = "suspected", _("Suspected case")
        CONFIRMED = "confirmed", _("Confirmed case")
        CLOSE_CONTACT = "close_contact", _("Close contact found")
        GATHERING = "gathering", _("Gathering or rule breach")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("incident status", "Open")
        HANDLING = "handling", _("Being handled")
        CLOSED = "closed", _("Closed")

    occurred_at = models.DateTimeField(_("occurred at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    area = models.ForeignKey(
        "core.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("area"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    description = models.TextField(_("description"), max_length=2000)
    people = models.ManyToManyField(
        "core.Person", blank=True, related_name="incidents", verbose_name=_("people involved")
    )
    isolation_cases = models.ManyToManyField(
        IsolationCase, blank=True, related_name="incidents", verbose_name=_("isolation cases")
    )
    cdc_notified_at = models.DateTimeField(_("CDC notified at"), null=True, blank=True)
    cdc_notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("CDC notified by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closing_summary = models.TextField(_("closing summary"), max_length=2000, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incidents_reported",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["status", "occurred_at"], name="watch_incident_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""),
                name="watch_incident_has_description",
                violation_error_message=_("Describe the incident."),
            ),
            models.CheckConstraint(
                condition=Q(cdc_notified_at__isnull=True, cdc_notified_by__isnull=True)
                | Q(cdc_notified_at__isnull=False, cdc_notified_by__isnull=False),
                name="watch_incident_cdc_notified_who_and_when",
                violation_error_message=_("A CDC notification records who and when."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status__in=["open", "handling"],
                        closed_at__isnull=True,
                        closed_by__isnull=True,
                        closing_summary="",
                    )
                    | (
                        Q(status="closed", closed_at__isnull=False, closed_by__isnull=False)
                        & ~Q(closing_summary="")
                    )
                ),
                name="watch_incident_closed_with_summary",
                violation_error_message=_("A closed incident records a summary, who and when."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} · {self.get_kind_display()}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class IncidentAction(AppendOnly):
    """One row of an incident's timeline (处置经过): what was done, when, by whom.

    Append-only. Opening, a change of status, the CDC's notification and linking people or
    isolation cases add their rows automatically: `event` says what happened and `params`
    holds its particulars (codes, names, dates), so that `describe()` says it in the
    language of whoever reads it. `text` is only what a person typed (a handler's note, or
    the note given with a step), kept as typed; an `event` of "note" shows `text` alone.
    """

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        NOTE = "note", _("Action")
        STATUS = "status", _("Status change")
        CDC = "cdc", _("CDC notified")
        LINK = "link", _("Linked")

    class Event(models.TextChoices):
        NOTE = "note", _("A note as typed")
        OPENED = "opened", _("Opened")
        STATUS_CHANGED = "status_changed", _("Status change")
        CDC_NOTIFIED = "cdc_notified", _("CDC notified")
        PEOPLE_LINKED = "people_linked", _("People involved")
        CASES_LINKED = "cases_linked", _("Isolation cases linked")

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="actions", verbose_name=_("incident")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    event = models.CharField(_("event"), max_length=20, choices=Event.choices, default=Event.NOTE)
    params = models.JSONField(_("particulars"), default=dict, blank=True)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incident_actions",
        verbose_name=_("by"),
    )
    text = models.CharField(_("what was done"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("incident action")
        verbose_name_plural = _("incident actions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(event="note") | ~Q(text=""),
                name="watch_incidentaction_note_has_text",
                violation_error_message=_("Say what was done."),
            ),
        ]

    def describe(self) -> str:
        """The row in the current language: the event with its particulars, then whatever
        was typed with it."""
        event = self._event_text()
        if not event:
            return self.text
        if not self.text:
            return event
        return gettext("%(event)s: %(note)s") % {"event": event, "note": self.text}

    def _event_text(self) -> str:
        params = self.params or {}
        if self.event == self.Event.OPENED:
            text = _label(Incident.Kind, params.get("kind"))
            where = params.get("place") or self._area_name(params.get("area"))
            return f"{text} · {where}" if where else text
        if self.event == self.Event.STATUS_CHANGED:
            before = _label(Incident.Status, params.get("from"))
            after = _label(Incident.Status, params.get("to"))
            return f"{before} → {after}"
        if self.event == self.Event.CDC_NOTIFIED:
            return gettext("CDC notified")
        separator = pgettext("between the items of a list", ", ")
        if self.event == self.Event.PEOPLE_LINKED:
            names = separator.join(
                f"{person.get('name', '')} ({person.get('number', '')})"
                for person in params.get("people", [])
            )
            return gettext("People involved: %(names)s") % {"names": names}
        if self.event == self.Event.CASES_LINKED:
            names = separator.join(
                f"{case.get('name', '')} {case.get('start', '')}"
                for case in params.get("cases", [])
            )
            return gettext("Isolation: %(cases)s") % {"cases": names}
        return ""

    def _area_name(self, pk) -> str:
        if not pk:
            return ""
        incident = self.incident
        if incident.area_id == pk:  # the timeline's selector brings the incident's area along
            return incident.area.display_name
        area = Area.objects.filter(pk=pk).first()
        return area.display_name if area else ""

    def __str__(self) -> str:
        return f"{self.incident} · {self.at:%Y-%m-%d %H:%M}"

    def final_error(self, deleting: bool = False) -> Exception:
        return RecordIsFinal(self)
