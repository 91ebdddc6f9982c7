"""Supplies over HTTP: /api/v1/supplies/… — the catalogue, receipts, requisitions, the
stock ledger and every report, through the same services, scoping and selectors as the
pages. A warehouse scanner with a storekeeper's bearer token posts receipts and issues.

Quantities are sent as JSON numbers or strings ("12.5") and checked by the services, so a
bad one is named as the services name it (`lines.2.quantity`), in the user's language.
Records are named by id in fields called as the services call them (`store`, `source`,
`item`, `lot`): an unknown one is an error on that field.
"""

import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import WithJsonSchema, field_validator

from fangkong.apischema import (
    FilterSchema,
    Id,
    InSchema,
    Pagination,
    api_enum,
    error_responses,
    id_path,
    record,
)
from fangkong.core import filtering, periods
from fangkong.core import scoping as core_scoping
from fangkong.core.models import Campus, Unit
from fangkong.supplies import scoping, selectors, services
from fangkong.supplies.models import (
    ClosedPeriod,
    Item,
    Lot,
    MeasureUnit,
    Pack,
    Purpose,
    Receipt,
    Requisition,
    RequisitionLine,
    SourceCategory,
    StockMove,
    Store,
    Supplier,
)

router = Router(tags=["supplies"])
MAX_LINES = 200
DEFAULT_PERIOD_DAYS = 30


SupplyPurpose = api_enum("SupplyPurpose", Purpose)
SupplyItemCategory = api_enum("SupplyItemCategory", Item.Category)
SupplyMeasureUnit = api_enum("SupplyMeasureUnit", MeasureUnit)
SupplierKind = api_enum("SupplierKind", Supplier.Kind)
RequisitionStatus = api_enum("RequisitionStatus", Requisition.Status)
# The list's filter also takes "open": approved or partly issued, still to issue.
RequisitionStatusFilter = StrEnum(
    "RequisitionStatusFilter", {"OPEN": "open", **{m.name: m.value for m in Requisition.Status}}
)
StockMoveKind = api_enum("StockMoveKind", StockMove.Kind)

# A quantity as a number or a string: the services say what is wrong with it.
QuantityInput = Annotated[
    Any,
    WithJsonSchema(
        {"anyOf": [{"type": "number"}, {"type": "string", "maxLength": 40}], "examples": ["50"]}
    ),
]
Code = Field(pattern=r"^[-a-zA-Z0-9_]{1,30}$")


def _short_quantity(value):
    if isinstance(value, str) and len(value) > 40:
        raise ValueError(str(_("This quantity is too long.")))
    if isinstance(value, dict | list):
        raise ValueError(str(_("Enter a quantity.")))
    return value


# ---- the catalogue --------------------------------------------------------------------------


class SupplyItemOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    display_name: str
    category: SupplyItemCategory
    unit: SupplyMeasureUnit
    decimals: int
    minimum_level: Decimal
    has_expiry: bool
    is_active: bool


class SupplyItemIn(InSchema):
    code: str = Code
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    category: SupplyItemCategory
    unit: SupplyMeasureUnit
    minimum_level: Decimal = Field(
        Decimal(0), ge=0, le=Decimal("99999999999"), decimal_places=3, allow_inf_nan=False
    )
    has_expiry: bool = False


class SupplyStoreOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    display_name: str
    campus_id: int
    is_active: bool


class SupplyStoreIn(InSchema):
    code: str = Code
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    campus: Id


class SupplySourceOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    display_name: str
    is_active: bool


class SupplySourceIn(InSchema):
    code: str = Code
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)


class SupplierOut(Schema):
    id: int
    name: str
    name_en: str
    display_name: str
    kind: SupplierKind
    contact: str
    is_active: bool


class SupplierIn(InSchema):
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    kind: SupplierKind
    contact: str = Field("", max_length=60)


def _require_catalogue_reader(user) -> None:
    if not (scoping.sees_stock(user) or scoping.sees_issues(user)):
        raise PermissionDenied(_("Your role does not give access to supplies."))


@router.get("/items", response=error_responses(list[SupplyItemOut]))
def list_items(request):
    """Every item (the active ones first), by category and code."""
    _require_catalogue_reader(request.user)
    return selectors.items_for(request.user)


@router.post("/items", response=error_responses(SupplyItemOut))
def create_item(request, payload: SupplyItemIn):
    data = payload.dict()
    data["category"], data["unit"] = str(data["category"]), str(data["unit"])
    return services.create_item(request.user, **data)


@router.get("/stores", response=error_responses(list[SupplyStoreOut]))
def list_stores(request):
    _require_catalogue_reader(request.user)
    return selectors.stores_for(request.user)


@router.post("/stores", response=error_responses(SupplyStoreOut))
def create_store(request, payload: SupplyStoreIn):
    scoping.require_catalogue_keeper(request.user)
    data = payload.dict()
    data["campus"] = record(Campus, data["campus"], "campus")
    return services.create_store(request.user, **data)


@router.get("/sources", response=error_responses(list[SupplySourceOut]))
def list_sources(request):
    _require_catalogue_reader(request.user)
    return selectors.sources_for(request.user)


@router.post("/sources", response=error_responses(SupplySourceOut))
def create_source(request, payload: SupplySourceIn):
    return services.create_source(request.user, **payload.dict())


@router.get("/suppliers", response=error_responses(list[SupplierOut]))
def list_suppliers(request):
    scoping.require_stock_reader(request.user)
    return selectors.suppliers_for(request.user)


@router.post("/suppliers", response=error_responses(SupplierOut))
def create_supplier(request, payload: SupplierIn):
    data = payload.dict()
    data["kind"] = str(data["kind"])
    return services.create_supplier(request.user, **data)


# ---- receipts ---------------------------------------------------------------------------------


class ReceiptLineOut(Schema):
    id: int
    item_id: int
    item: str = Field(alias="item.display_name")
    quantity: Decimal
    unit: SupplyMeasureUnit = Field(alias="item.unit")
    lot_id: int | None
    lot_number: str
    expires_on: datetime.date | None

    @staticmethod
    def resolve_lot_id(line) -> int | None:
        lot = getattr(line, "lot", None)
        return lot.pk if lot else None


class SupplyReceiptOut(Schema):
    id: int
    number: str
    received_on: datetime.date
    source_id: int
    source: str = Field(alias="source.display_name")
    supplier_id: int | None
    supplier: str | None
    store_id: int
    store: str = Field(alias="store.display_name")
    restricted_to: SupplyPurpose | None
    note: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_supplier(receipt) -> str | None:
        return receipt.supplier.display_name if receipt.supplier_id else None

    @staticmethod
    def resolve_restricted_to(receipt) -> str | None:
        return receipt.restricted_to or None


class SupplyReceiptDetailOut(SupplyReceiptOut):
    lines: list[ReceiptLineOut] = Field(alias="api_lines")


class ReceiptLineIn(InSchema):
    item: Id
    quantity: QuantityInput = Field(description="In the item's unit, or in packs with `pack`")
    pack: Id | None = Field(None, description="The pack the quantity is counted in")
    lot_number: str = Field("", max_length=40)
    expires_on: datetime.date | None = None

    _quantity = field_validator("quantity", mode="before")(_short_quantity)


class SupplyReceiptIn(InSchema):
    received_on: datetime.date | None = Field(None, description="Today if left out")
    source: Id
    store: Id
    supplier: Id | None = None
    restricted_to: SupplyPurpose | None = Field(None, description="A donation given for one use")
    note: str = Field("", max_length=200)
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=MAX_LINES)


class ReceiptListFilter(FilterSchema):
    start: datetime.date | None = None
    end: datetime.date | None = None
    source: Id | None = None
    supplier: Id | None = None
    store: Id | None = None


def _receipt_detail(receipt: Receipt) -> Receipt:
    receipt = Receipt.objects.select_related("source", "supplier", "store").get(pk=receipt.pk)
    receipt.api_lines = list(receipt.lines.select_related("item", "lot").order_by("pk"))
    return receipt


@router.get("/receipts", response=error_responses(list[SupplyReceiptOut]))
@paginate(Pagination)
def list_receipts(request, filters: Query[ReceiptListFilter]):
    """Receipts (入库单), newest first."""
    scoping.require_stock_reader(request.user)
    return filtering.raise_errors(selectors.receipts_for(request.user, filters.dict()))


@router.post("/receipts", response=error_responses(SupplyReceiptDetailOut))
def post_receipt(request, payload: SupplyReceiptIn):
    """Receive supplies into a store from one source: a numbered receipt, a lot per line."""
    scoping.require_stock_keeper(request.user)
    items = Item.objects.in_bulk({line.item for line in payload.lines})
    packs = Pack.objects.in_bulk({line.pack for line in payload.lines if line.pack})
    errors = {}
    lines = []
    for index, line in enumerate(payload.lines, start=1):
        pack = packs.get(line.pack) if line.pack else None
        if line.pack and pack is None:
            errors[f"lines.{index}.pack"] = _("Line %(line)d: no such pack.") % {"line": index}
        lines.append(
            {
                "item": items.get(line.item),
                "quantity": line.quantity,
                "pack": pack,
                "lot_number": line.lot_number,
                "expires_on": line.expires_on,
            }
        )
    source = SourceCategory.objects.filter(pk=payload.source).first()
    store = Store.objects.filter(pk=payload.store).first()
    supplier = record(Supplier, payload.supplier, "supplier")
    if errors:
        raise ValidationError(errors)
    receipt = services.post_receipt(
        request.user,
        received_on=payload.received_on or timezone.localdate(),
        source=source,
        store=store,
        supplier=supplier,
        restricted_to=str(payload.restricted_to or ""),
        note=payload.note,
        lines=lines,
    )
    return _receipt_detail(receipt)


@router.get("/receipts/{receipt_id}", response=error_responses(SupplyReceiptDetailOut))
def get_receipt(request, receipt_id: int = id_path()):
    receipt = core_scoping.get_visible_or_404(
        selectors.receipts_visible_to(request.user), pk=receipt_id
    )
    return _receipt_detail(receipt)


# ---- requisitions ---------------------------------------------------------------------------


class RequisitionLineOut(Schema):
    id: int
    item_id: int
    item: str = Field(alias="item.display_name")
    unit: SupplyMeasureUnit = Field(alias="item.unit")
    requested: Decimal
    approved: Decimal | None
    issued: Decimal
    outstanding: Decimal


class RequisitionOut(Schema):
    id: int
    number: str
    unit_id: int
    unit: str = Field(alias="unit.display_name")
    purpose: SupplyPurpose
    note: str
    status: RequisitionStatus
    requested_by: str
    requested_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_requested_by(requisition) -> str:
        return selectors.person_name(requisition.requested_by)

    @staticmethod
    def resolve_decided_by(requisition) -> str | None:
        return selectors.person_name(requisition.decided_by) if requisition.decided_by_id else None


class RequisitionDetailOut(RequisitionOut):
    lines: list[RequisitionLineOut] = Field(alias="api_lines")


class RequisitionLineIn(InSchema):
    item: Id
    quantity: QuantityInput

    _quantity = field_validator("quantity", mode="before")(_short_quantity)


class RequisitionIn(InSchema):
    unit: Id
    purpose: SupplyPurpose
    note: str = Field("", max_length=200)
    lines: list[RequisitionLineIn] = Field(min_length=1, max_length=MAX_LINES)


class RequisitionDecisionIn(InSchema):
    approve: bool
    quantities: dict[str, QuantityInput] = Field(
        default_factory=dict,
        max_length=MAX_LINES,
        description="{line id: approved quantity}, to trim lines (0 approves none)",
    )
    note: str = Field("", max_length=200, description="Why it is trimmed or rejected")

    @field_validator("quantities", mode="before")
    @classmethod
    def _short(cls, value):
        if isinstance(value, dict):
            for key, quantity in value.items():
                cls.storable_text(key)
                _short_quantity(quantity)
        return value


class IssueLotIn(InSchema):
    lot: Id
    quantity: QuantityInput

    _quantity = field_validator("quantity", mode="before")(_short_quantity)


class IssueLineIn(InSchema):
    line: Id = Field(description="The id of the requisition's line")
    quantity: QuantityInput
    lots: list[IssueLotIn] | None = Field(
        None, max_length=50, description="Which lots; first-expiry-first-out if left out"
    )

    _quantity = field_validator("quantity", mode="before")(_short_quantity)


class RequisitionIssueIn(InSchema):
    store: Id
    recipient: str = Field(max_length=40, description="Who received the supplies")
    issued_on: datetime.date | None = Field(None, description="Today if left out")
    lines: list[IssueLineIn] = Field(min_length=1, max_length=MAX_LINES)


class RequisitionListFilter(FilterSchema):
    status: RequisitionStatusFilter | None = Field(
        None, description="A status, or open: approved or partly issued, still to issue"
    )
    unit: Id | None = None


class SuggestedLotOut(Schema):
    lot_id: int
    lot_number: str
    expires_on: datetime.date | None
    quantity: Decimal


class SuggestedLineOut(Schema):
    line_id: int
    item_id: int
    outstanding: Decimal
    lots: list[SuggestedLotOut]
    short: Decimal = Field(description="What the store cannot cover for this use")


class SuggestFilter(FilterSchema):
    store: Id


def _visible_requisition(request, requisition_id: int) -> Requisition:
    return core_scoping.get_visible_or_404(
        scoping.requisitions_visible_to(request.user), pk=requisition_id
    )


def _requisition_detail(requisition: Requisition) -> Requisition:
    requisition = Requisition.objects.select_related("unit", "requested_by", "decided_by").get(
        pk=requisition.pk
    )
    requisition.api_lines = list(requisition.lines.select_related("item").order_by("pk"))
    return requisition


@router.get("/requisitions", response=error_responses(list[RequisitionOut]))
@paginate(Pagination)
def list_requisitions(request, filters: Query[RequisitionListFilter]):
    """Requisitions (领用申请) the caller may see (an officer: their unit's), newest first."""
    return filtering.raise_errors(selectors.requisitions_for(request.user, filters.dict()))


@router.post("/requisitions", response=error_responses(RequisitionDetailOut))
def request_supplies(request, payload: RequisitionIn):
    """A unit asks for supplies: its officer, or the office on its behalf."""
    unit = record(Unit, payload.unit, "unit")
    items = Item.objects.in_bulk({line.item for line in payload.lines})
    requisition = services.request_supplies(
        request.user,
        unit=unit,
        purpose=str(payload.purpose),
        note=payload.note,
        lines=[{"item": items.get(line.item), "quantity": line.quantity} for line in payload.lines],
    )
    return _requisition_detail(requisition)


@router.get("/requisitions/{requisition_id}", response=error_responses(RequisitionDetailOut))
def get_requisition(request, requisition_id: int = id_path()):
    return _requisition_detail(_visible_requisition(request, requisition_id))


@router.post(
    "/requisitions/{requisition_id}/decide", response=error_responses(RequisitionDetailOut)
)
def decide_requisition(request, payload: RequisitionDecisionIn, requisition_id: int = id_path()):
    """The office approves (perhaps trimming lines, saying why) or rejects with a reason."""
    requisition = _visible_requisition(request, requisition_id)
    scoping.require_decider(request.user)
    line_ids = set(requisition.lines.values_list("pk", flat=True))
    quantities, errors = {}, {}
    for key, quantity in payload.quantities.items():
        if not (key.isascii() and key.isdigit() and int(key) in line_ids):
            errors[f"quantities.{key[:20]}"] = _("No such line on this requisition.")
        else:
            quantities[int(key)] = quantity
    if errors:
        raise ValidationError(errors)
    requisition = services.decide_requisition(
        request.user,
        requisition,
        approve=payload.approve,
        quantities=quantities,
        note=payload.note,
    )
    return _requisition_detail(requisition)


@router.get(
    "/requisitions/{requisition_id}/suggested-lots",
    response=error_responses(list[SuggestedLineOut]),
)
def suggested_lots(request, filters: Query[SuggestFilter], requisition_id: int = id_path()):
    """For each line still to issue, the lots first-expiry-first-out would take from a
    store (restricted donations only for their use)."""
    requisition = _visible_requisition(request, requisition_id)
    scoping.require_stock_keeper(request.user)
    store = record(Store, filters.store, "store")
    today = timezone.localdate()
    answer = []
    for line in requisition.lines.select_related("item").order_by("pk"):
        if line.outstanding <= 0:
            continue
        plan = services.suggest_lots(line.item, store, requisition.purpose, line.outstanding, today)
        covered = sum((taken for _lot, taken in plan), Decimal(0))
        answer.append(
            {
                "line_id": line.pk,
                "item_id": line.item_id,
                "outstanding": line.outstanding,
                "lots": [
                    {
                        "lot_id": lot.pk,
                        "lot_number": lot.lot_number,
                        "expires_on": lot.expires_on,
                        "quantity": taken,
                    }
                    for lot, taken in plan
                ],
                "short": line.outstanding - covered,
            }
        )
    return answer


def _issue_lots(index: int, lots: list[IssueLotIn], known: dict, errors: dict):
    chosen = []
    for number, entry in enumerate(lots, start=1):
        lot = known.get(entry.lot)
        field = f"lines.{index}.lots.{number}"
        if lot is None:
            errors[f"{field}.lot"] = _("No such lot: %(id)s.") % {"id": entry.lot}
            continue
        quantity, problem = services.parse_quantity(lot.item, entry.quantity)
        if problem:
            errors[f"{field}.quantity"] = problem
            continue
        chosen.append((lot, quantity))
    return chosen


@router.post("/requisitions/{requisition_id}/issue", response=error_responses(RequisitionDetailOut))
def issue_requisition(request, payload: RequisitionIssueIn, requisition_id: int = id_path()):
    """The storekeeper issues an approved requisition, at once or in part, from the lots
    given or first-expiry-first-out; the recipient's name is recorded."""
    requisition = _visible_requisition(request, requisition_id)
    scoping.require_stock_keeper(request.user)
    store = Store.objects.filter(pk=payload.store).first()
    lot_ids = {lot.lot for line in payload.lines for lot in line.lots or []}
    known = Lot.objects.select_related("item").in_bulk(lot_ids)
    errors: dict[str, str] = {}
    lines = []
    for index, line in enumerate(payload.lines, start=1):
        entry = {"line": RequisitionLine(pk=line.line), "quantity": line.quantity}
        if line.lots is not None:
            entry["lots"] = _issue_lots(index, line.lots, known, errors)
        lines.append(entry)
    if errors:
        raise ValidationError(errors)
    services.issue_requisition(
        request.user,
        requisition,
        store=store,
        lines=lines,
        recipient=payload.recipient,
        issued_on=payload.issued_on,
    )
    return _requisition_detail(requisition)


# ---- the ledger: moves, reversals, transfers, stocktakes, periods -----------------------------


class StockMoveOut(Schema):
    id: int
    kind: StockMoveKind
    item_id: int
    item: str = Field(alias="item.display_name")
    unit: SupplyMeasureUnit = Field(alias="item.unit")
    store_id: int
    source_id: int
    lot_id: int
    lot_number: str = Field(alias="lot.lot_number")
    quantity: Decimal
    moved_on: datetime.date
    posted_at: datetime.datetime
    posted_by: str
    receipt_line_id: int | None
    requisition_line_id: int | None
    recipient: str
    reverses_id: int | None
    reason: str

    @staticmethod
    def resolve_posted_by(move) -> str:
        return selectors.person_name(move.posted_by)


class StockMoveFilter(FilterSchema):
    kind: StockMoveKind | None = None
    item: Id | None = None
    store: Id | None = None
    lot: Id | None = None
    requisition: Id | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None


class MoveReversalIn(InSchema):
    reason: str = Field(max_length=200)
    moved_on: datetime.date | None = Field(None, description="Today if left out")


class StockTransferIn(InSchema):
    lot: Id
    from_store: Id
    to_store: Id
    quantity: QuantityInput
    moved_on: datetime.date | None = Field(None, description="Today if left out")
    reason: str = Field("", max_length=200)

    _quantity = field_validator("quantity", mode="before")(_short_quantity)


class StockTransferOut(Schema):
    out: StockMoveOut
    into: StockMoveOut


class StockCountIn(InSchema):
    lot: Id
    quantity: QuantityInput = Field(description="What was counted (0 for none)")

    _quantity = field_validator("quantity", mode="before")(_short_quantity)


class StocktakeIn(InSchema):
    store: Id
    reason: str = Field(max_length=200)
    counted_on: datetime.date | None = Field(None, description="Today if left out")
    counts: list[StockCountIn] = Field(min_length=1, max_length=MAX_LINES)


class PeriodCloseIn(InSchema):
    closed_through: datetime.date
    note: str = Field("", max_length=200)


class ClosedPeriodOut(Schema):
    closed_through: datetime.date
    closed_by: str
    closed_at: datetime.datetime
    note: str

    @staticmethod
    def resolve_closed_by(period) -> str:
        return selectors.person_name(period.closed_by)


def _moves():
    return StockMove.objects.select_related("item", "lot", "posted_by")


@router.get("/moves", response=error_responses(list[StockMoveOut]))
@paginate(Pagination)
def list_moves(request, filters: Query[StockMoveFilter]):
    """Stock moves (库存流水) the caller may see, newest first."""
    scoping.require_stock_reader(request.user)
    return filtering.raise_errors(selectors.moves_for(request.user, filters.dict()))


@router.post("/moves/{move_id}/reverse", response=error_responses(StockMoveOut))
def reverse_move(request, payload: MoveReversalIn, move_id: int = id_path()):
    """Undo a posted move with a reason, by the opposite move (冲销)."""
    move = core_scoping.get_visible_or_404(selectors.moves_visible_to(request.user), pk=move_id)
    reversal = services.reverse_move(request.user, move, payload.reason, moved_on=payload.moved_on)
    return _moves().get(pk=reversal.pk)


@router.post("/transfers", response=error_responses(StockTransferOut))
def transfer_stock(request, payload: StockTransferIn):
    """Move part of a lot from one store to another."""
    scoping.require_stock_keeper(request.user)
    lot = record(Lot, payload.lot, "lot", Lot.objects.select_related("item"))
    out, into = services.transfer_stock(
        request.user,
        lot=lot,
        from_store=record(Store, payload.from_store, "from_store"),
        to_store=record(Store, payload.to_store, "to_store"),
        quantity=payload.quantity,
        moved_on=payload.moved_on or timezone.localdate(),
        reason=payload.reason,
    )
    return {"out": _moves().get(pk=out.pk), "into": _moves().get(pk=into.pk)}


@router.post("/stocktakes", response=error_responses(list[StockMoveOut]))
def record_stocktake(request, payload: StocktakeIn):
    """A count of some lots in a store (盘点): each difference becomes an adjustment."""
    scoping.require_stock_keeper(request.user)
    store = record(Store, payload.store, "store")
    known = Lot.objects.select_related("item").in_bulk({count.lot for count in payload.counts})
    counts, errors = {}, {}
    for index, count in enumerate(payload.counts, start=1):
        lot = known.get(count.lot)
        if lot is None:
            errors[f"counts.{index}.lot"] = _("No such lot: %(id)s.") % {"id": count.lot}
        elif lot in counts:
            errors[f"counts.{index}.lot"] = _("This lot is counted twice.")
        else:
            counts[lot] = count.quantity
    if errors:
        raise ValidationError(errors)
    moves = services.record_stocktake(
        request.user,
        store=store,
        counts=counts,
        reason=payload.reason,
        counted_on=payload.counted_on or timezone.localdate(),
    )
    return list(_moves().filter(pk__in=[move.pk for move in moves]).order_by("pk"))


@router.post("/periods/close", response=error_responses(ClosedPeriodOut))
def close_period(request, payload: PeriodCloseIn):
    """The office closes the ledger through a day: nothing may be dated on or before it."""
    period = services.close_period(request.user, payload.closed_through, payload.note)
    return ClosedPeriod.objects.select_related("closed_by").get(pk=period.pk)


# ---- reports ----------------------------------------------------------------------------------


class SupplyItemRefOut(Schema):
    id: int
    code: str
    name: str = Field(alias="display_name")
    unit: SupplyMeasureUnit


class NamedRefOut(Schema):
    id: int
    code: str
    name: str = Field(alias="display_name")


class StockRowOut(Schema):
    item: SupplyItemRefOut
    store: NamedRefOut
    source: NamedRefOut
    quantity: Decimal


class ItemQuantityOut(Schema):
    item: SupplyItemRefOut
    quantity: Decimal
    tonnes: Decimal | None = Field(description="Weighed items only")


class StockOnHandOut(Schema):
    rows: list[StockRowOut]
    totals: list[ItemQuantityOut]


class StockReportFilter(FilterSchema):
    item: Id | None = None
    store: Id | None = None
    source: Id | None = None


class SupplyPeriodFilter(FilterSchema):
    start: datetime.date | None = Field(None, description="30 days before `end` if left out")
    end: datetime.date | None = Field(None, description="Today if left out")


class SourceGroupOut(Schema):
    source: NamedRefOut
    rows: list[ItemQuantityOut]


class ReceiptsReportOut(Schema):
    start: datetime.date
    end: datetime.date
    by_source: list[SourceGroupOut]
    by_item: list[ItemQuantityOut]
    disinfectant_tonnes: Decimal = Field(description="Weighed disinfectants received, in t")
    weighed_tonnes: Decimal


class UnitGroupOut(Schema):
    unit: NamedRefOut
    rows: list[ItemQuantityOut]


class IssuesReportOut(Schema):
    start: datetime.date
    end: datetime.date
    by_unit: list[UnitGroupOut]
    by_item: list[ItemQuantityOut]
    disinfectant_tonnes: Decimal
    weighed_tonnes: Decimal


class RegisterRowOut(Schema):
    number: int
    move_id: int
    unit: NamedRefOut
    item: SupplyItemRefOut
    quantity: Decimal
    recipient: str
    approver: str
    date: datetime.date
    requisition_id: int
    requisition_number: str
    reversed_on: datetime.date | None
    reversal_reason: str


class RegisterOut(Schema):
    start: datetime.date
    end: datetime.date
    rows: list[RegisterRowOut]
    totals: list[ItemQuantityOut] = Field(description="Per item, reversed issues left out")


class DonationIssueOut(Schema):
    requisition_id: int
    requisition_number: str
    unit: NamedRefOut
    quantity: Decimal
    last_issued_on: datetime.date


class DonationStockOut(Schema):
    store: NamedRefOut
    quantity: Decimal


class DonationLotOut(Schema):
    lot_id: int
    lot_number: str
    item: SupplyItemRefOut
    receipt_number: str
    received_on: datetime.date
    received: Decimal
    issued: list[DonationIssueOut]
    on_hand: list[DonationStockOut]
    other: Decimal = Field(description="Neither issued nor on hand: stocktakes, reversals")


class DonationTotalOut(Schema):
    item: SupplyItemRefOut
    received: Decimal
    issued: Decimal
    on_hand: Decimal


class DonationTraceOut(Schema):
    supplier: SupplierOut
    lots: list[DonationLotOut]
    totals: list[DonationTotalOut]


class SupplyDaysOut(Schema):
    item: SupplyItemRefOut
    on_hand: Decimal
    daily_issue: Decimal
    days: Decimal | None = Field(description="None: nothing was issued in the window")
    below_minimum: bool


class SupplyDaysFilter(FilterSchema):
    on: datetime.date | None = Field(None, description="Today if left out")


class BelowMinimumOut(Schema):
    item: SupplyItemRefOut
    on_hand: Decimal
    minimum_level: Decimal


def _period(filters: SupplyPeriodFilter) -> tuple[datetime.date, datetime.date]:
    end = filters.end or timezone.localdate()
    start = filters.start or periods.days_before(end, DEFAULT_PERIOD_DAYS - 1)
    problem = periods.period_problem(start, end)
    if problem:
        raise ValidationError({"end" if start > end else "start": problem})
    return start, end


def _item_totals(rows) -> list[dict]:
    return [{"item": row.item, "quantity": row.quantity, "tonnes": row.tonnes} for row in rows]


def _period_totals(report, **groups: list[dict]) -> dict:
    """A receipts or issues report as its schema has it; `groups` names its grouping
    (`by_source` or `by_unit`), the rest is the same."""
    return {
        "start": report.start,
        "end": report.end,
        **groups,
        "by_item": _item_totals(report.by_item),
        "disinfectant_tonnes": report.disinfectant_tonnes,
        "weighed_tonnes": report.weighed_tonnes,
    }


@router.get("/reports/stock", response=error_responses(StockOnHandOut))
def stock_report(request, filters: Query[StockReportFilter]):
    """What is on hand by item, store and source, and each item's total."""
    scoping.require_stock_reader(request.user)
    report = selectors.stock_on_hand(request.user, **filters.dict())
    return {"rows": report.rows, "totals": _item_totals(report.totals)}


@router.get("/reports/receipts", response=error_responses(ReceiptsReportOut))
def receipts_report(request, filters: Query[SupplyPeriodFilter]):
    """Received in a period by source category and by item, with tonnes for weighed items."""
    scoping.require_stock_reader(request.user)
    report = selectors.receipts_report(request.user, *_period(filters))
    return _period_totals(
        report,
        by_source=[
            {"source": group.source, "rows": _item_totals(group.rows)} for group in report.by_source
        ],
    )


@router.get("/reports/issues", response=error_responses(IssuesReportOut))
def issues_report(request, filters: Query[SupplyPeriodFilter]):
    """Issued on requisitions in a period by unit and item (an officer: their unit)."""
    scoping.require_issues_reader(request.user)
    report = selectors.issues_report(request.user, *_period(filters))
    return _period_totals(
        report,
        by_unit=[
            {"unit": group.unit, "rows": _item_totals(group.rows)} for group in report.by_unit
        ],
    )


@router.get("/reports/register", response=error_responses(RegisterOut))
def register_report(request, filters: Query[SupplyPeriodFilter]):
    """The requisition register (物资领用登记表): a numbered row per issue."""
    scoping.require_issues_reader(request.user)
    register = selectors.requisition_register(request.user, *_period(filters))
    return {
        "start": register.start,
        "end": register.end,
        "rows": [
            {
                "number": row.number,
                "move_id": row.move_id,
                "unit": row.unit,
                "item": row.item,
                "quantity": row.quantity,
                "recipient": row.recipient,
                "approver": row.approver,
                "date": row.day,
                "requisition_id": row.requisition_id,
                "requisition_number": row.requisition_number,
                "reversed_on": row.reversed_on,
                "reversal_reason": row.reversal_reason,
            }
            for row in register.rows
        ],
        "totals": _item_totals(register.totals),
    }


@router.get("/reports/donations/{supplier_id}", response=error_responses(DonationTraceOut))
def donation_trace(request, supplier_id: int = id_path()):
    """Where a donor's gifts went: received, issued to which units, left where."""
    scoping.require_stock_reader(request.user)
    supplier = core_scoping.get_visible_or_404(Supplier.objects.all(), pk=supplier_id)
    trace = selectors.donation_trace(request.user, supplier)
    return {
        "supplier": supplier,
        "lots": [
            {
                "lot_id": lot.lot.pk,
                "lot_number": lot.lot.lot_number,
                "item": lot.lot.item,
                "receipt_number": lot.receipt_number,
                "received_on": lot.lot.received_on,
                "received": lot.received,
                "issued": [
                    {
                        "requisition_id": entry.requisition.pk,
                        "requisition_number": entry.requisition.number,
                        "unit": entry.unit,
                        "quantity": entry.quantity,
                        "last_issued_on": entry.last_issued_on,
                    }
                    for entry in lot.issued
                ],
                "on_hand": [
                    {"store": store, "quantity": quantity} for store, quantity in lot.on_hand
                ],
                "other": lot.other,
            }
            for lot in trace.lots
        ],
        "totals": trace.totals,
    }


@router.get("/reports/days-of-supply", response=error_responses(list[SupplyDaysOut]))
def days_of_supply(request, filters: Query[SupplyDaysFilter]):
    """Per item: on hand ÷ the last 7 days' average daily issue."""
    scoping.require_stock_reader(request.user)
    on = filters.on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError(
            {"on": _("The date %(date)s is in the future.") % {"date": on.isoformat()}}
        )
    return [
        {
            "item": row.item,
            "on_hand": row.on_hand,
            "daily_issue": row.daily_issue,
            "days": row.days,
            "below_minimum": row.below_minimum,
        }
        for row in selectors.days_of_supply(request.user, on)
    ]


@router.get("/reports/below-minimum", response=error_responses(list[BelowMinimumOut]))
def below_minimum(request):
    """The items whose total on hand is below their minimum level."""
    scoping.require_stock_reader(request.user)
    return [
        {"item": item, "on_hand": item.on_hand, "minimum_level": item.minimum_level}
        for item in selectors.below_minimum(request.user)
    ]
