"""Prevention supplies (防控物资): items, stores, where supplies come from, receipts,
requisitions, and the append-only stock ledger with its balances.

Every change of stock is a `StockMove`, appended and never edited; a mistake is undone by
a reversing move with a reason. `Balance` holds what is on hand for each (item, store,
source, lot), changed in the same transaction as the move by a conditional UPDATE, and the
database refuses a negative one. `manage.py check_ledger` recomputes every balance from
the moves.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fangkong.core.models import AppendOnly, BilingualName

QUANTITY = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0")


class MeasureUnit(models.TextChoices):
    """The unit an item is counted in; `DECIMALS` says how finely."""

    PIECE = "piece", _("piece")
    PAIR = "pair", _("pair")
    BOX = "box", _("box")
    BOTTLE = "bottle", _("bottle")
    BARREL = "barrel", _("barrel")
    SET = "set", _("set")
    KG = "kg", _("kg")
    LITRE = "L", _("L")


# Decimal places a quantity may have, by unit: whole pieces, grams, millilitres.
DECIMALS = {
    MeasureUnit.PIECE: 0,
    MeasureUnit.PAIR: 0,
    MeasureUnit.BOX: 0,
    MeasureUnit.BOTTLE: 0,
    MeasureUnit.BARREL: 0,
    MeasureUnit.SET: 0,
    MeasureUnit.KG: 3,
    MeasureUnit.LITRE: 3,
}


class Purpose(models.TextChoices):
    """What supplies are for: a requisition says one, and a donation may be restricted to
    one (定向捐赠)."""

    GENERAL = "general", _("General prevention")
    MEDICAL = "medical", _("Medical care and isolation")
    GATE = "gate", _("Gate duty")
    DISINFECTION = "disinfection", _("Disinfection")
    CANTEEN = "canteen", _("Canteen")


class Item(BilingualName):
    """A kind of supply (物资品种): masks, thermometers, peracetic acid, "84" disinfectant…
    counted in one unit, with an optional minimum level and expiry."""

    class Category(models.TextChoices):
        PROTECTIVE = "protective", _("Protective equipment")
        DISINFECTANT = "disinfectant", _("Disinfectant")
        EQUIPMENT = "equipment", _("Equipment")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    category = models.CharField(_("kind of supply"), max_length=20, choices=Category.choices)
    unit = models.CharField(_("unit of measure"), max_length=10, choices=MeasureUnit.choices)
    minimum_level = models.DecimalField(_("minimum level"), default=ZERO, **QUANTITY)
    has_expiry = models.BooleanField(_("has an expiry date"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_level__gte=0),
                name="supplies_item_minimum_not_negative",
                violation_error_message=_("The minimum level cannot be negative."),
            ),
        ]

    @property
    def decimals(self) -> int:
        return DECIMALS.get(self.unit, 0)

    @property
    def is_weighed(self) -> bool:
        return self.unit == MeasureUnit.KG


class Pack(models.Model):
    """A pack an item comes in (a box of 50 masks): how many of the item's unit it holds."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="packs")
    name = models.CharField(_("pack"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=30, blank=True)
    quantity = models.DecimalField(_("holds"), **QUANTITY)

    class Meta:
        ordering = ["item", "quantity"]
        verbose_name = _("pack")
        verbose_name_plural = _("packs")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "name"],
                name="supplies_pack_unique_name",
                violation_error_message=_("This item already has a pack of that name."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="supplies_pack_positive",
                violation_error_message=_("A pack holds more than nothing."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.quantity.normalize():f} {self.item.get_unit_display()})"


class Store(BilingualName):
    """A store of supplies (物资库) on a campus."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    campus = models.ForeignKey(
        "core.Campus", on_delete=models.PROTECT, related_name="stores", verbose_name=_("campus")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")


class SourceCategory(BilingualName):
    """Where supplies come from (物资来源), kept by the office: allocated by the Education
    Department, donated by alumni, bought by the school, made on campus…"""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("source category")
        verbose_name_plural = _("source categories")


class Supplier(BilingualName):
    """A donor or supplier (捐赠方/供应商): an alumni association, a company, an agency."""

    class Kind(models.TextChoices):
        DONOR = "donor", _("Donor")
        SUPPLIER = "supplier", _("Supplier")
        AGENCY = "agency", _("Government agency")
        PARTNER = "partner", _("Partner")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    contact = models.CharField(_("contact"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("donor or supplier")
        verbose_name_plural = _("donors and suppliers")


class Receipt(models.Model):
    """A receipt of supplies into a store (入库单), from one source; its lines become lots
    and receipt moves when it is posted. Posted receipts are not edited: a wrong line is
    reversed."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    received_on = models.DateField(_("received on"))
    source = models.ForeignKey(
        SourceCategory,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("source"),
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipts",
        verbose_name=_("donor or supplier"),
    )
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("store")
    )
    restricted_to = models.CharField(
        _("only for"),
        max_length=20,
        choices=Purpose.choices,
        blank=True,
        help_text=_("A donation given for one use is issued only for it."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-number"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return self.number


class ReceiptLine(models.Model):
    """One item of a receipt, as one lot: its quantity in the item's unit, lot number and
    expiry."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    lot_number = models.CharField(_("lot number"), max_length=40, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["receipt", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="supplies_receipt_line_positive",
                violation_error_message=_("Enter a quantity greater than 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id} {self.item_id} {self.quantity}"


class Lot(models.Model):
    """A lot (批次): what one receipt line brought in, with its source, donor, expiry and
    any restriction of use. Stock is kept per lot, so a donor can follow their gift."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    receipt_line = models.OneToOneField(
        ReceiptLine, on_delete=models.PROTECT, related_name="lot", null=True, blank=True
    )
    source = models.ForeignKey(SourceCategory, on_delete=models.PROTECT, related_name="lots")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="lots"
    )
    lot_number = models.CharField(_("lot number"), max_length=40, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    restricted_to = models.CharField(
        _("only for"), max_length=20, choices=Purpose.choices, blank=True
    )
    received_on = models.DateField(_("received on"))

    class Meta:
        ordering = ["item", "expires_on", "received_on", "pk"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")

    def __str__(self) -> str:
        return f"{self.item} {self.lot_number}".strip()


class Balance(models.Model):
    """What is on hand (库存) of one lot in one store. Kept by the services in the same
    transaction as each move, never below zero: the database refuses it."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="balances")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="balances")
    source = models.ForeignKey(SourceCategory, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="balances")
    quantity = models.DecimalField(_("on hand"), default=ZERO, **QUANTITY)

    class Meta:
        ordering = ["item", "store", "lot"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "lot"],
                name="supplies_balance_one_per_store_lot",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="supplies_balance_not_negative",
                violation_error_message=_("Not enough stock."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.lot_id}: {self.quantity}"


class Requisition(models.Model):
    """A unit's request for supplies (领用申请): its officer asks, the office approves,
    trims or rejects it, the storekeeper issues it at once or in parts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        PARTLY_ISSUED = "partly_issued", _("Partly issued")
        ISSUED = "issued", _("Issued")
        REJECTED = "rejected", _("Rejected")

    number = models.CharField(_("number"), max_length=20, unique=True)
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="requisitions", verbose_name=_("unit")
    )
    purpose = models.CharField(_("for"), max_length=20, choices=Purpose.choices)
    note = models.CharField(_("purpose in detail"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_by__isnull=False),
                name="supplies_requisition_decided_by_whom",
                violation_error_message=_("A decided requisition records who decided."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_note=""),
                name="supplies_requisition_rejection_reason",
                violation_error_message=_("Say why the requisition is rejected."),
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=F("requested_by")),
                name="supplies_requisition_not_own",
                violation_error_message=_("Nobody approves their own requisition."),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class RequisitionLine(models.Model):
    """One item of a requisition: asked, approved (perhaps trimmed) and issued so far."""

    requisition = models.ForeignKey(Requisition, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    requested = models.DecimalField(_("asked"), **QUANTITY)
    approved = models.DecimalField(_("quantity approved"), null=True, blank=True, **QUANTITY)
    issued = models.DecimalField(_("issued"), default=ZERO, **QUANTITY)

    class Meta:
        ordering = ["requisition", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested__gt=0),
                name="supplies_requisition_line_positive",
                violation_error_message=_("Enter a quantity greater than 0."),
            ),
            models.CheckConstraint(
                condition=Q(approved__isnull=True)
                | (Q(approved__gte=0) & Q(approved__lte=F("requested"))),
                name="supplies_requisition_approved_within_asked",
                violation_error_message=_("The office may approve at most what was asked."),
            ),
            models.CheckConstraint(
                condition=Q(issued__gte=0)
                & (Q(approved__isnull=False, issued__lte=F("approved")) | Q(issued=0)),
                name="supplies_requisition_issued_within_approved",
                violation_error_message=_("Nothing is issued beyond what was approved."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requisition_id} {self.item_id} {self.requested}"

    @property
    def outstanding(self) -> Decimal:
        return (self.approved or ZERO) - self.issued


class UnitLimit(models.Model):
    """How much of an item a unit may ask for in a day, per person of the unit (e.g. two
    masks a person a day); a row without a unit is the rule for every unit without its
    own. Optional: an item with no limit is limited only by the office's approval."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="limits")
    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supply_limits",
        verbose_name=_("unit"),
        help_text=_("Leave empty for every unit without a limit of its own."),
    )
    per_person_per_day = models.DecimalField(_("per person per day"), **QUANTITY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "unit"]
        verbose_name = _("requisition limit")
        verbose_name_plural = _("requisition limits")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "unit"],
                name="supplies_limit_one_per_unit",
                violation_error_message=_("This unit already has a limit for this item."),
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(unit__isnull=True),
                name="supplies_limit_one_default",
                violation_error_message=_("This item already has a limit for every unit."),
            ),
            models.CheckConstraint(
                condition=Q(per_person_per_day__gt=0),
                name="supplies_limit_positive",
                violation_error_message=_("Enter a limit greater than 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.per_person_per_day}"


class ClosedPeriod(models.Model):
    """The office closes the ledger through a day (结账): no move may be dated on or before
    it. Each closing is a row; the latest is in force."""

    closed_through = models.DateField(_("closed through"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-closed_at"]

    def __str__(self) -> str:
        return f"≤ {self.closed_through}"


class StockMove(AppendOnly):
    """One movement of stock (库存流水), appended and never changed.

    The quantity is signed: receipts and transfers in add, issues and transfers out take
    away; a stocktake adjusts either way with a reason; a reversal undoes one earlier move
    (once) with a reason. Balances are the sums of these: `check_ledger` proves it.
    """

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ISSUE = "issue", _("Issue")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        STOCKTAKE = "stocktake", _("Stocktake adjustment")
        REVERSAL = "reversal", _("Reversal")

    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="moves")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="moves")
    source = models.ForeignKey(SourceCategory, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="moves")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    moved_on = models.DateField(_("date"))
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    receipt_line = models.ForeignKey(
        ReceiptLine, on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    requisition_line = models.ForeignKey(
        RequisitionLine, on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    recipient = models.CharField(_("received by"), max_length=40, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["posted_at", "pk"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [models.Index(fields=["moved_on", "kind"], name="supplies_move_day_kind")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0),
                name="supplies_move_not_zero",
                violation_error_message=_("A move moves something."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["receipt", "transfer_in"], quantity__gt=0)
                    | Q(kind__in=["issue", "transfer_out"], quantity__lt=0)
                    | Q(kind__in=["stocktake", "reversal"])
                ),
                name="supplies_move_sign_by_kind",
                violation_error_message=_("This kind of move cannot go that way."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["stocktake", "reversal"]) | ~Q(reason=""),
                name="supplies_move_adjustment_has_reason",
                violation_error_message=_("Say why."),
            ),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="supplies_move_reversal_names_its_move",
                violation_error_message=_("A reversal undoes one earlier move."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="issue") | Q(requisition_line__isnull=False),
                name="supplies_move_issue_on_a_requisition",
                violation_error_message=_("Every issue is entered on a requisition."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.lot_id}@{self.store_id} {self.quantity}"

    def final_error(self, deleting: bool = False) -> Exception:
        if deleting:
            return ValidationError(_("A posted move cannot be deleted: reverse it instead."))
        return ValidationError(_("A posted move cannot be edited: reverse it instead."))
