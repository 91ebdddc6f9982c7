"""Campus, areas, buildings, units, people and households: the registry every module uses."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fangkong.core.identity import (
    mask_national_id,
    mask_phone,
    validate_national_id,
    validate_person_number,
    validate_phone,
)
from fangkong.core.roles import Role


class BilingualName(models.Model):
    """A record named in Chinese, with an optional English name shown to English readers."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and not (get_language() or "").startswith("zh"):
            return self.name_en
        return self.name


class AppendOnly(models.Model):
    """A ledger row (流水): written once, never changed or deleted; a mistake is corrected by
    a new row that supersedes or reverses it. `final_error` says so in the ledger's words."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.final_error()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.final_error(deleting=True)

    def final_error(self, deleting: bool = False) -> Exception:
        raise NotImplementedError


class Superseding(models.Model):
    """A row that is corrected (更正) by a later row taking its place: the correction
    `supersedes` it and says why; the earlier row stays as it was given. A row is corrected
    at most once (the one-to-one), so the versions of a record form one chain.
    `fangkong.core.corrections.supersede` is the one way a correction is written."""

    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)

    class Meta:
        abstract = True


class StampedSuperseding(Superseding):
    """A superseding row whose superseded version is stamped with when and by whom
    (`superseded_at`/`superseded_by`): the current version of a record is the one without a
    stamp, which a partial unique constraint can hold to one (see `current()`)."""

    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("superseded by"),
    )

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class StampedSupersedingQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_at__isnull=True)


def correction_has_reason(name: str, message) -> models.CheckConstraint:
    """A correction says why, and only a correction has a reason."""
    return models.CheckConstraint(
        condition=Q(supersedes__isnull=True, correction_reason="")
        | (Q(supersedes__isnull=False) & ~Q(correction_reason="")),
        name=name,
        violation_error_message=message,
    )


def superseded_when_and_by_whom(name: str, message) -> models.CheckConstraint:
    """A stamp is whole: a superseded row records both when and by whom, a current one
    neither."""
    return models.CheckConstraint(
        condition=Q(superseded_at__isnull=True, superseded_by__isnull=True)
        | Q(superseded_at__isnull=False, superseded_by__isnull=False),
        name=name,
        violation_error_message=message,
    )


class Campus(BilingualName):
    """A campus of the school (校区), e.g. Yanta or Caotang."""

    code = models.SlugField(_("code"), max_length=20, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")


class Area(BilingualName):
    """A part of a campus with its own rules: the teaching area, a family area (家属区)…"""

    class Kind(models.TextChoices):
        TEACHING = "teaching", _("Teaching area")
        FAMILY = "family", _("Family / residential area")
        DORMITORY = "dormitory", _("Dormitory area")
        ISOLATION = "isolation", _("Isolation area")
        CANTEEN = "canteen", _("Canteen")
        OFFICE = "office", _("Offices")
        OTHER = "other", _("Other")

    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="areas")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["campus__code", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(
                fields=["campus", "name"],
                name="core_area_unique_name_per_campus",
                violation_error_message=_("This campus already has an area with this name."),
            )
        ]


class Building(BilingualName):
    """A building in an area: a dormitory, a residential block, the isolation building…"""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="buildings")

    class Meta:
        ordering = ["area__campus__code", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="core_building_unique_name_per_area",
                violation_error_message=_("This area already has a building with this name."),
            )
        ]


class Unit(BilingualName):
    """A unit of the school (单位): a school or college, an office, a service centre, a contractor.

    Each reports through its information officer (信息员): the users with the officer role
    whose unit this is.
    """

    class Kind(models.TextChoices):
        ACADEMIC = "academic", _("Academic")
        ADMINISTRATIVE = "administrative", _("Administrative")
        SERVICE = "service", _("Service")
        CONTRACTOR = "contractor", _("External contractor")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    reports_daily = models.BooleanField(
        _("reports daily"),
        default=True,
        help_text=_("Expected to file the unit daily report every day."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")


class User(AbstractUser):
    """An account. Its roles are its groups (see roles.Role); an officer's unit is `unit`."""

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("unit"),
    )
    person = models.OneToOneField(
        "core.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            if not self.is_authenticated or not self.is_active:
                cached = frozenset()
            else:
                names = self.groups.values_list("name", flat=True)
                cached = frozenset(name for name in names if name in Role.values)
            self._roles_cache = cached
        return cached

    def get_full_name(self) -> str:
        # A Chinese name reads family name first with no space (张晓); others "Given Family".
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= char <= "\u9fff" for char in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class Household(models.Model):
    """A household (住户) at a family-area address, with its members and a renting flag.

    The renting flag supports the screening of renting households (出租户排查) of the article.
    """

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="households", verbose_name=_("area")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("building"),
    )
    address = models.CharField(
        _("address"), max_length=100, help_text=_("Entrance and room, e.g. 2-301")
    )
    is_rented = models.BooleanField(_("rented to tenants"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "building__name", "address"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "building", "address"],
                name="core_household_unique_address",
                violation_error_message=_("A household at this address already exists."),
            )
        ]

    def __str__(self) -> str:
        building = self.building.display_name + " " if self.building_id else ""
        return f"{building}{self.address}"


class Person(models.Model):
    """Someone on the school's books: staff, student, family member, tenant or contractor.

    People are deactivated, never deleted; every edit is kept in `history`.
    """

    class Category(models.TextChoices):
        STAFF = "staff", _("Staff")
        UNDERGRADUATE = "undergraduate", _("Undergraduate")
        POSTGRADUATE = "postgraduate", _("Postgraduate")
        INTERNATIONAL = "international", _("International student")
        FAMILY = "family", _("Family member")
        TENANT = "tenant", _("Tenant")
        CONTRACTOR = "contractor", _("Contractor")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Residence(models.TextChoices):
        DORMITORY = "dormitory", _("Dormitory")
        HOUSEHOLD = "household", _("Family-area household")
        OFF_CAMPUS = "off_campus", _("Off campus")

    person_number = models.CharField(
        _("person number"),
        max_length=32,
        unique=True,
        validators=[validate_person_number],
        error_messages={"unique": _("This person number is already used.")},
    )
    name = models.CharField(_("name"), max_length=60)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="people", verbose_name=_("unit")
    )
    national_id = models.CharField(
        _("national ID number"), max_length=18, blank=True, validators=[validate_national_id]
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    native_province = models.CharField(_("native province"), max_length=30, blank=True)
    native_place = models.CharField(_("native place"), max_length=60, blank=True)
    current_province = models.CharField(_("current province"), max_length=30, blank=True)
    current_city = models.CharField(_("current city"), max_length=60, blank=True)
    residence = models.CharField(
        _("residence"), max_length=20, choices=Residence.choices, default=Residence.OFF_CAMPUS
    )
    dormitory = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("dormitory"),
    )
    dormitory_room = models.CharField(_("dormitory room"), max_length=20, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    deactivation_reason = models.CharField(_("reason for deactivation"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["unit__code", "person_number"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["unit", "person_number"], name="core_person_unit_number"),
            models.Index(fields=["name"], name="core_person_name"),
            models.Index(fields=["native_province"], name="core_person_native_province"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"],
                condition=~Q(national_id=""),
                name="core_person_unique_national_id",
                violation_error_message=_("Another person has this ID number."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(residence="dormitory", household__isnull=True, dormitory__isnull=False)
                    | Q(residence="household", household__isnull=False, dormitory__isnull=True)
                    | Q(residence="off_campus", household__isnull=True, dormitory__isnull=True)
                ),
                name="core_person_residence_consistent",
                violation_error_message=_(
                    "A dormitory resident needs a dormitory, a household member a household, "
                    "and someone off campus neither."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.person_number})"

    @property
    def national_id_masked(self) -> str:
        return mask_national_id(self.national_id)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def residence_label(self) -> str:
        if self.residence == self.Residence.DORMITORY and self.dormitory_id:
            return f"{self.dormitory.display_name} {self.dormitory_room}".strip()
        if self.residence == self.Residence.HOUSEHOLD and self.household_id:
            return str(self.household)
        return self.get_residence_display()


# The fields a user gives for a person (forms, API, import), and those of them that are text.
PERSON_FIELDS = (
    "person_number",
    "name",
    "sex",
    "category",
    "unit",
    "national_id",
    "phone",
    "native_province",
    "native_place",
    "current_province",
    "current_city",
    "residence",
    "dormitory",
    "dormitory_room",
    "household",
)
PERSON_TEXT_FIELDS = (
    "person_number",
    "name",
    "native_province",
    "native_place",
    "current_province",
    "current_city",
    "dormitory_room",
)

HOUSEHOLD_FIELDS = ("area", "building", "address", "is_rented", "note")


class PersonalDataReveal(models.Model):
    """One showing of a full ID number or phone number to a user: append-only."""

    class Field(models.TextChoices):
        NATIONAL_ID = "national_id", _("national ID number")
        PHONE = "phone", _("phone")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="reveals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reveals")
    field = models.CharField(max_length=20, choices=Field.choices)
    channel = models.CharField(max_length=10, default="web")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("personal data reveal")
        verbose_name_plural = _("personal data reveals")

    def __str__(self) -> str:
        return f"{self.user} → {self.person} ({self.field})"


class ApiToken(models.Model):
    """A bearer token for a device or integration, acting as its user. Only a hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} (fk_{self.prefix}…)"

    @staticmethod
    def hash_key(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class DocumentSequence(models.Model):
    """The last number given to a kind of document in a year (RK-2020-0001, LY-2020-0001,
    TX-2020-0001); taken under a row lock, so two documents never share a number. Every app
    that numbers its documents takes them here (`services.next_number`)."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        # Moved from supplies, which made the table: it keeps its name and constraint.
        db_table = "supplies_documentsequence"
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="supplies_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
