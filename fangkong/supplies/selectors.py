"""Reads of the stock ledger, shared by the pages, the API, the reports and the checks."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from fangkong.core import filtering, periods
from fangkong.core.filtering import Filtered
from fangkong.core.models import Unit, User
from fangkong.supplies import scoping
from fangkong.supplies.filtersets import ReceiptFilterSet, RequisitionFilterSet, StockMoveFilterSet
from fangkong.supplies.models import (
    ZERO,
    Balance,
    ClosedPeriod,
    Item,
    Lot,
    MeasureUnit,
    Receipt,
    ReceiptLine,
    Requisition,
    RequisitionLine,
    SourceCategory,
    StockMove,
    Store,
    Supplier,
    UnitLimit,
)


def ledger_differences() -> list[dict]:
    """Every (store, lot) whose balance is not the sum of its moves, or is negative: empty
    when the ledger is sound. Two aggregate queries, whatever the ledger's size."""
    sums = {
        (row["store_id"], row["lot_id"]): row["total"]
        for row in StockMove.objects.order_by()
        .values("store_id", "lot_id")
        .annotate(total=Sum("quantity"))
    }
    differences = []
    balances = {
        (store_id, lot_id): (quantity, item_id, source_id, lot_item, lot_source)
        for store_id, lot_id, quantity, item_id, source_id, lot_item, lot_source in (
            Balance.objects.values_list(
                "store_id",
                "lot_id",
                "quantity",
                "item_id",
                "source_id",
                "lot__item_id",
                "lot__source_id",
            )
        )
    }
    for key in sorted(set(sums) | set(balances)):
        expected = sums.get(key, Decimal(0))
        quantity, item_id, source_id, lot_item, lot_source = balances.get(
            key, (Decimal(0), None, None, None, None)
        )
        problems = []
        if quantity != expected:
            problems.append("balance differs from its moves")
        if quantity < 0:
            problems.append("negative balance")
        if key in balances and (item_id != lot_item or source_id != lot_source):
            problems.append("item or source differs from the lot's")
        if problems:
            differences.append(
                {
                    "store_id": key[0],
                    "lot_id": key[1],
                    "balance": quantity,
                    "moves": expected,
                    "problems": problems,
                }
            )
    return differences


# ---- who sees which moves -----------------------------------------------------------------
#
# The office, the leaders and the storekeepers see the whole ledger; an officer sees what
# was issued to their own unit (the issues and their reversals on its requisitions); anyone
# else sees nothing. Every selector below starts from these.

KG_PER_TONNE = Decimal(1000)
SUPPLY_WINDOW_DAYS = 7  # days of supply are reckoned at the rate of the last week's issues


def moves_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = StockMove.objects.all() if queryset is None else queryset
    if scoping.sees_stock(user):
        return queryset
    if scoping.officer_unit(user) is not None:
        return queryset.filter(requisition_line__requisition__unit_id=user.unit_id)
    return queryset.none()


def receipts_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Receipt.objects.all() if queryset is None else queryset
    return queryset if scoping.sees_stock(user) else queryset.none()


def _pk(value):
    return getattr(value, "pk", value)


def tonnes(item: Item, quantity: Decimal) -> Decimal | None:
    """A weighed item's quantity in tonnes (None for items counted otherwise)."""
    return quantity / KG_PER_TONNE if item.unit == MeasureUnit.KG else None


# ---- stock on hand ------------------------------------------------------------------------


def quantity_text(item: Item, quantity: Decimal) -> str:
    """A quantity with its unit as a page shows it: 12.5 kg, 300 piece."""
    # The label straight from the choices: get_unit_display() rebuilds (and hashes, so
    # translates) the whole list of units on every call, which on a long table is most
    # of the page's time.
    return f"{quantity.normalize():f} {MeasureUnit(item.unit).label}"


@dataclass
class StockRow:
    item: Item
    store: Store
    source: SourceCategory
    quantity: Decimal

    @property
    def quantity_text(self) -> str:
        return quantity_text(self.item, self.quantity)


@dataclass
class ItemTotal:
    item: Item
    quantity: Decimal

    @property
    def quantity_text(self) -> str:
        return quantity_text(self.item, self.quantity)

    @property
    def tonnes(self) -> Decimal | None:
        return tonnes(self.item, self.quantity)


@dataclass
class StockOnHand:
    rows: list[StockRow]
    totals: list[ItemTotal]


def stock_on_hand(user, *, item=None, store=None, source=None) -> StockOnHand:
    """What is on hand by item, store and source (the lots of each added up), and each
    item's total. Four queries, whatever the number of lots."""
    balances = Balance.objects.filter(quantity__gt=0)
    if not scoping.sees_stock(user):
        balances = balances.none()
    if item is not None:
        balances = balances.filter(item_id=_pk(item))
    if store is not None:
        balances = balances.filter(store_id=_pk(store))
    if source is not None:
        balances = balances.filter(source_id=_pk(source))
    sums = list(
        balances.order_by()
        .values_list("item_id", "store_id", "source_id")
        .annotate(total=Sum("quantity"))
    )
    items = Item.objects.in_bulk({row[0] for row in sums})
    stores = Store.objects.in_bulk({row[1] for row in sums})
    sources = SourceCategory.objects.in_bulk({row[2] for row in sums})
    rows = [
        StockRow(items[item_id], stores[store_id], sources[source_id], total)
        for item_id, store_id, source_id, total in sums
    ]
    rows.sort(key=lambda r: (r.item.category, r.item.code, r.store.code, r.source.code))
    totals: dict[int, ItemTotal] = {}
    for row in rows:
        totals.setdefault(row.item.pk, ItemTotal(row.item, ZERO)).quantity += row.quantity
    return StockOnHand(rows=rows, totals=list(totals.values()))


# ---- receipts and issues over a period ----------------------------------------------------


@dataclass
class SourceGroup:
    source: SourceCategory
    rows: list[ItemTotal]


@dataclass
class ReceiptsReport:
    """Received over a period (net of reversals of receipts dated in it), by source
    category and by item."""

    start: datetime.date
    end: datetime.date
    by_source: list[SourceGroup]
    by_item: list[ItemTotal]
    disinfectant_tonnes: Decimal
    weighed_tonnes: Decimal


def _item_order(item: Item):
    return (item.category, item.code)


def _weighed_totals(by_item: list[ItemTotal]) -> tuple[Decimal, Decimal]:
    weighed = [total for total in by_item if total.item.unit == MeasureUnit.KG]
    disinfectant = sum(
        (t.quantity for t in weighed if t.item.category == Item.Category.DISINFECTANT), ZERO
    )
    return disinfectant / KG_PER_TONNE, sum((t.quantity for t in weighed), ZERO) / KG_PER_TONNE


def receipts_report(user, start: datetime.date, end: datetime.date) -> ReceiptsReport:
    """Receipts between `start` and `end` (inclusive): by source category then item, and by
    item, in the item's unit, with tonnes for weighed items and the disinfecting supplies'
    total in tonnes. A receipt line reversed within the period counts for nothing. Three
    queries, whatever the number of receipts."""
    moves = StockMove.objects.filter(
        receipt_line__isnull=False, moved_on__gte=start, moved_on__lte=end
    )
    if not scoping.sees_stock(user):
        moves = moves.none()
    sums = list(
        moves.order_by().values_list("source_id", "item_id").annotate(total=Sum("quantity"))
    )
    items = Item.objects.in_bulk({row[1] for row in sums})
    sources = SourceCategory.objects.in_bulk({row[0] for row in sums})
    groups: dict[int, SourceGroup] = {}
    by_item: dict[int, ItemTotal] = {}
    for source_id, item_id, total in sums:
        if not total:
            continue
        item = items[item_id]
        group = groups.setdefault(source_id, SourceGroup(sources[source_id], []))
        group.rows.append(ItemTotal(item, total))
        by_item.setdefault(item_id, ItemTotal(item, ZERO)).quantity += total
    for group in groups.values():
        group.rows.sort(key=lambda row: _item_order(row.item))
    item_totals = sorted(by_item.values(), key=lambda row: _item_order(row.item))
    disinfectant, weighed = _weighed_totals(item_totals)
    return ReceiptsReport(
        start=start,
        end=end,
        by_source=sorted(groups.values(), key=lambda group: group.source.code),
        by_item=item_totals,
        disinfectant_tonnes=disinfectant,
        weighed_tonnes=weighed,
    )


@dataclass
class UnitGroup:
    unit: object  # core.Unit
    rows: list[ItemTotal]


@dataclass
class IssuesReport:
    """Issued on requisitions over a period (net of reversals dated in it), by unit and
    item."""

    start: datetime.date
    end: datetime.date
    by_unit: list[UnitGroup]
    by_item: list[ItemTotal]
    disinfectant_tonnes: Decimal
    weighed_tonnes: Decimal


def issues_report(user, start: datetime.date, end: datetime.date) -> IssuesReport:
    """Issues between `start` and `end` by unit and item, and by item; an officer sees
    their own unit's. Three queries, whatever the number of issues."""
    moves = moves_visible_to(user).filter(
        requisition_line__isnull=False, moved_on__gte=start, moved_on__lte=end
    )
    sums = list(
        moves.order_by()
        .values_list("requisition_line__requisition__unit_id", "item_id")
        .annotate(total=Sum("quantity"))
    )
    items = Item.objects.in_bulk({row[1] for row in sums})
    units = Unit.objects.in_bulk({row[0] for row in sums})
    groups: dict[int, UnitGroup] = {}
    by_item: dict[int, ItemTotal] = {}
    for unit_id, item_id, total in sums:
        issued = -total
        if not issued:
            continue
        item = items[item_id]
        groups.setdefault(unit_id, UnitGroup(units[unit_id], [])).rows.append(
            ItemTotal(item, issued)
        )
        by_item.setdefault(item_id, ItemTotal(item, ZERO)).quantity += issued
    for group in groups.values():
        group.rows.sort(key=lambda row: _item_order(row.item))
    item_totals = sorted(by_item.values(), key=lambda row: _item_order(row.item))
    disinfectant, weighed = _weighed_totals(item_totals)
    return IssuesReport(
        start=start,
        end=end,
        by_unit=sorted(groups.values(), key=lambda group: (group.unit.code, group.unit.pk)),
        by_item=item_totals,
        disinfectant_tonnes=disinfectant,
        weighed_tonnes=weighed,
    )


# ---- the requisition register (物资领用登记表) ----------------------------------------------


@dataclass
class RegisterRow:
    """One line of the register: one issue move. A reversed issue keeps its line (the
    register is a record of what happened) marked with when and why it was reversed, and
    counts for nothing in the totals. Plain values, not model instances: a term's register
    has tens of thousands of lines."""

    number: int
    move_id: int
    unit: object
    item: Item
    quantity: Decimal
    recipient: str
    approver: str
    day: datetime.date
    requisition_id: int
    requisition_number: str
    reversed_on: datetime.date | None = None
    reversal_reason: str = ""

    @property
    def is_reversed(self) -> bool:
        return self.reversed_on is not None

    @property
    def quantity_text(self) -> str:
        return quantity_text(self.item, self.quantity)


@dataclass
class Register:
    start: datetime.date
    end: datetime.date
    rows: list[RegisterRow]
    totals: list[ItemTotal] = field(default_factory=list)


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


REGISTER_COLUMNS = (
    "pk",
    "moved_on",
    "quantity",
    "recipient",
    "item_id",
    "requisition_line__requisition_id",
    "requisition_line__requisition__number",
    "requisition_line__requisition__unit_id",
    "requisition_line__requisition__decided_by_id",
    "reversed_by__moved_on",
    "reversed_by__reason",
)


def register_lines(user, start: datetime.date, end: datetime.date):
    """The register's issue moves in order, as rows of REGISTER_COLUMNS: a queryset, so a
    page of it is one LIMIT/OFFSET query."""
    return (
        moves_visible_to(user)
        .filter(kind=StockMove.Kind.ISSUE, moved_on__gte=start, moved_on__lte=end)
        .order_by("moved_on", "posted_at", "pk")
        .values_list(*REGISTER_COLUMNS)
    )


def latest_issue_day(user, before: datetime.date) -> datetime.date | None:
    """The last day before `before` on which anything `user` may see was issued: where to
    send a reader whose period is empty."""
    moves = moves_visible_to(user).filter(kind=StockMove.Kind.ISSUE, moved_on__lt=before)
    return moves.order_by().aggregate(last=Max("moved_on"))["last"]


def latest_receipt_day(user, before: datetime.date) -> datetime.date | None:
    """The last day before `before` on which anything was received (None for a user who
    does not see stock)."""
    if not scoping.sees_stock(user):
        return None
    moves = StockMove.objects.filter(receipt_line__isnull=False, moved_on__lt=before)
    return moves.order_by().aggregate(last=Max("moved_on"))["last"]


def register_rows(lines, first_number: int = 1) -> list[RegisterRow]:
    """RegisterRows for `lines` (rows of REGISTER_COLUMNS), numbered from `first_number`:
    three more queries for the units, items and approvers they name."""
    lines = list(lines)
    units = Unit.objects.in_bulk({line[7] for line in lines})
    items = Item.objects.in_bulk({line[4] for line in lines})
    approvers = {
        approver.pk: person_name(approver)
        for approver in User.objects.filter(pk__in={line[8] for line in lines if line[8]})
    }
    rows = []
    for number, line in enumerate(lines, start=first_number):
        (move_id, day, quantity, recipient, item_id, requisition_id, requisition_number,
         unit_id, approver_id, reversed_on, reversal_reason) = line  # fmt: skip
        rows.append(
            RegisterRow(
                number=number,
                move_id=move_id,
                unit=units.get(unit_id),
                item=items[item_id],
                quantity=-quantity,
                recipient=recipient,
                approver=approvers.get(approver_id, ""),
                day=day,
                requisition_id=requisition_id,
                requisition_number=requisition_number,
                reversed_on=reversed_on,
                reversal_reason=reversal_reason or "",
            )
        )
    return rows


def register_totals(user, start: datetime.date, end: datetime.date) -> list[ItemTotal]:
    """What was issued of each item in the period, reversed issues left out: one
    aggregate (and one query for the items)."""
    sums = dict(
        moves_visible_to(user)
        .filter(kind=StockMove.Kind.ISSUE, moved_on__gte=start, moved_on__lte=end)
        .filter(reversed_by__isnull=True)
        .order_by()
        .values_list("item_id")
        .annotate(total=Sum("quantity"))
    )
    items = Item.objects.in_bulk(set(sums))
    totals = [ItemTotal(items[item_id], -total) for item_id, total in sums.items()]
    return sorted(totals, key=lambda row: _item_order(row.item))


def requisition_register(user, start: datetime.date, end: datetime.date) -> Register:
    """The whole register of issues (物资领用登记表) between `start` and `end`: a numbered
    row per issue move, in the order they were issued, with the unit, item, quantity,
    recipient, approver and date; the totals per item leave out reversed issues. Five
    queries. (The page shows it a page at a time: register_lines + register_rows.)"""
    return Register(
        start=start,
        end=end,
        rows=register_rows(register_lines(user, start, end)),
        totals=register_totals(user, start, end),
    )


# ---- where a donation went ----------------------------------------------------------------


@dataclass
class IssuedTo:
    requisition: Requisition
    unit: object
    quantity: Decimal
    last_issued_on: datetime.date


@dataclass
class LotTrace:
    lot: Lot
    received: Decimal
    receipt_number: str
    issued: list[IssuedTo]
    on_hand: list[tuple[Store, Decimal]]

    @property
    def issued_total(self) -> Decimal:
        return sum((entry.quantity for entry in self.issued), ZERO)

    @property
    def on_hand_total(self) -> Decimal:
        return sum((quantity for _store, quantity in self.on_hand), ZERO)

    @property
    def other(self) -> Decimal:
        """Neither issued nor on hand: stocktake differences and reversed receipts."""
        return self.received - self.issued_total - self.on_hand_total


@dataclass
class DonationTrace:
    supplier: Supplier
    lots: list[LotTrace]
    totals: list[dict]


def donation_trace(user, supplier: Supplier) -> DonationTrace:
    """Where a donor's gifts went: each of their lots, what was received, what was issued
    to which unit on which requisition, and what is left in which store. Six queries,
    whatever the number of lots and issues."""
    lots = Lot.objects.filter(supplier=supplier).select_related(
        "item", "receipt_line__receipt", "source"
    )
    if not scoping.sees_stock(user):
        lots = lots.none()
    lots = list(lots.order_by("received_on", "pk"))
    lot_ids = [lot.pk for lot in lots]
    issued = list(
        StockMove.objects.filter(lot_id__in=lot_ids, requisition_line__isnull=False)
        .order_by()
        .values_list("lot_id", "requisition_line__requisition_id")
        .annotate(total=Sum("quantity"), last=Max("moved_on"))
    )
    requisitions = Requisition.objects.select_related("unit").in_bulk({row[1] for row in issued})
    left = list(
        Balance.objects.filter(lot_id__in=lot_ids, quantity__gt=0)
        .order_by()
        .values_list("lot_id", "store_id")
        .annotate(total=Sum("quantity"))
    )
    stores = Store.objects.in_bulk({row[1] for row in left})
    issued_by_lot: dict[int, list[IssuedTo]] = {}
    for lot_id, requisition_id, total, last in issued:
        if total:
            requisition = requisitions[requisition_id]
            issued_by_lot.setdefault(lot_id, []).append(
                IssuedTo(requisition, requisition.unit, -total, last)
            )
    left_by_lot: dict[int, list] = {}
    for lot_id, store_id, total in left:
        left_by_lot.setdefault(lot_id, []).append((stores[store_id], total))
    traces = []
    for lot in lots:
        line = lot.receipt_line
        traces.append(
            LotTrace(
                lot=lot,
                received=line.quantity if line else ZERO,
                receipt_number=line.receipt.number if line else "",
                issued=sorted(
                    issued_by_lot.get(lot.pk, []), key=lambda e: (e.last_issued_on, e.unit.code)
                ),
                on_hand=sorted(left_by_lot.get(lot.pk, []), key=lambda e: e[0].code),
            )
        )
    totals: dict[int, dict] = {}
    for trace in traces:
        entry = totals.setdefault(
            trace.lot.item_id,
            {"item": trace.lot.item, "received": ZERO, "issued": ZERO, "on_hand": ZERO},
        )
        entry["received"] += trace.received
        entry["issued"] += trace.issued_total
        entry["on_hand"] += trace.on_hand_total
    return DonationTrace(
        supplier=supplier,
        lots=traces,
        totals=sorted(totals.values(), key=lambda entry: _item_order(entry["item"])),
    )


# ---- days of supply, and items below their minimum -----------------------------------------


@dataclass
class SupplyDays:
    item: Item
    on_hand: Decimal
    daily_issue: Decimal  # the average of the last SUPPLY_WINDOW_DAYS days
    days: Decimal | None  # None: nothing was issued, so no end is in sight

    @property
    def below_minimum(self) -> bool:
        return self.item.minimum_level > 0 and self.on_hand < self.item.minimum_level


def days_of_supply(user, on: datetime.date | None = None) -> list[SupplyDays]:
    """For each active item: on hand at the end of `on` (today by default) ÷ the average
    daily issue of the week ending on `on`. Three queries."""
    on = on or timezone.localdate()
    if not scoping.sees_stock(user):
        return []
    items = list(Item.objects.filter(is_active=True).order_by("category", "code"))
    if on >= timezone.localdate():
        on_hand = dict(
            Balance.objects.order_by().values_list("item_id").annotate(total=Sum("quantity"))
        )
    else:  # no move is dated in the future, so what was on hand then is the sum up to it
        on_hand = dict(
            StockMove.objects.filter(moved_on__lte=on)
            .order_by()
            .values_list("item_id")
            .annotate(total=Sum("quantity"))
        )
    first = periods.days_before(on, SUPPLY_WINDOW_DAYS - 1)
    issued = dict(
        StockMove.objects.filter(
            requisition_line__isnull=False, moved_on__gte=first, moved_on__lte=on
        )
        .order_by()
        .values_list("item_id")
        .annotate(total=Sum("quantity"))
    )
    rows = []
    for item in items:
        have = on_hand.get(item.pk) or ZERO
        daily = max(-(issued.get(item.pk) or ZERO), ZERO) / SUPPLY_WINDOW_DAYS
        days = (have / daily).quantize(Decimal("0.1")) if daily > 0 else None
        rows.append(SupplyDays(item, have, daily.quantize(Decimal("0.001")), days))
    return rows


def below_minimum(user) -> list[Item]:
    """The active items whose total on hand is below their minimum level, each with
    `on_hand`, shortest first. One query."""
    if not scoping.sees_stock(user):
        return []
    return list(
        Item.objects.filter(is_active=True, minimum_level__gt=0)
        .annotate(on_hand=Coalesce(Sum("balances__quantity"), ZERO))
        .filter(on_hand__lt=F("minimum_level"))
        .order_by("category", "code")
    )


# ---- lists for the pages and the API ------------------------------------------------------
#
# Each list has one filterset (filtersets.py) applied here to what the user may see; the page
# and the API both call these, with the page's query string or the API's query values.


def receipts_for(user, data=None) -> Filtered:
    """Receipts the user may see, newest first, with their line count and lines."""
    receipts = (
        receipts_visible_to(user)
        .select_related("source", "supplier", "store")
        .prefetch_related(Prefetch("lines", queryset=ReceiptLine.objects.select_related("item")))
        .annotate(line_count=Count("lines"))
        .order_by("-received_on", "-number")
    )
    return filtering.apply(ReceiptFilterSet, data, receipts)


def requisitions_for(user, data=None) -> Filtered:
    """Requisitions the user may see (an officer: their unit's), newest first, with their
    lines."""
    requisitions = (
        scoping.requisitions_visible_to(user)
        .select_related("unit", "requested_by", "decided_by")
        .prefetch_related(
            Prefetch("lines", queryset=RequisitionLine.objects.select_related("item"))
        )
        .order_by("-requested_at", "-pk")
    )
    return filtering.apply(RequisitionFilterSet, data, requisitions, user=user)


def ledger_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The stock ledger (the moves list) is the office's, the leaders' and the storekeepers';
    an officer sees what was issued to their unit on its requisitions and in the register,
    not the ledger (DESIGN.md: an officer's work is their unit's requisitions)."""
    queryset = StockMove.objects.all() if queryset is None else queryset
    return queryset if scoping.sees_stock(user) else queryset.none()


def moves_for(user, data=None) -> Filtered:
    """The stock ledger's moves the user may see, newest first."""
    moves = (
        ledger_visible_to(user)
        .select_related(
            "item",
            "store",
            "source",
            "lot",
            "posted_by",
            "receipt_line__receipt",
            "requisition_line__requisition__unit",
            "reverses",
        )
        .annotate(reversed_by_pk=F("reversed_by__pk"))
        .order_by("-posted_at", "-pk")
    )
    return filtering.apply(StockMoveFilterSet, data, moves)


# ---- the catalogue and the ledger's other lists -------------------------------------------


def _sees_catalogue(user) -> bool:
    """The catalogue is read by whoever sees stock, and by an officer choosing what to ask
    for."""
    return scoping.sees_issues(user)


def items_for(user) -> QuerySet:
    """Items, the active ones first, by category and code."""
    items = Item.objects.order_by("-is_active", "category", "code")
    return items if _sees_catalogue(user) else items.none()


def stores_for(user) -> QuerySet:
    stores = Store.objects.order_by("-is_active", "code")
    return stores if _sees_catalogue(user) else stores.none()


def sources_for(user) -> QuerySet:
    sources = SourceCategory.objects.order_by("-is_active", "code")
    return sources if _sees_catalogue(user) else sources.none()


def suppliers_for(user) -> QuerySet:
    suppliers = Supplier.objects.order_by("-is_active", "name")
    return suppliers if _sees_catalogue(user) else suppliers.none()


def unit_limits(user) -> QuerySet:
    """The requisition limits, by item, the default (no unit) first."""
    limits = UnitLimit.objects.select_related("item", "unit").order_by(
        "item__code", F("unit__code").asc(nulls_first=True)
    )
    return limits if scoping.sees_stock(user) else limits.none()


def active_stores(user) -> QuerySet:
    stores = Store.objects.filter(is_active=True)
    return stores if scoping.sees_stock(user) else stores.none()


def store_balances(user, store) -> QuerySet:
    """What is on the books in `store`, lot by lot: the stocktake's rows."""
    if store is None or not scoping.sees_stock(user):
        return Balance.objects.none()
    return (
        Balance.objects.filter(store=store, quantity__gt=0)
        .select_related("item", "lot", "lot__source")
        .order_by("item__code", "lot__expires_on", "lot_id")
    )


def requisition_moves(user, requisition: Requisition) -> QuerySet:
    """The issues (and their reversals) of a requisition the user may see, in order."""
    visible = scoping.requisitions_visible_to(user).filter(pk=requisition.pk)
    moves = StockMove.objects.filter(requisition_line__requisition__in=visible)
    return moves.select_related("item", "store", "lot", "posted_by", "reverses").order_by(
        "posted_at", "pk"
    )


def reversal_of(user, move: StockMove) -> StockMove | None:
    return ledger_visible_to(user).filter(reverses=move).first()


def closed_periods(user) -> QuerySet:
    periods = ClosedPeriod.objects.select_related("closed_by").order_by("-closed_at")
    return periods if scoping.sees_stock(user) else periods.none()
