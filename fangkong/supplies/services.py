"""Every write to supplies: validate, check permission, one transaction. Views, the API,
management commands and the demo all come through here.

Stock changes only through `_post`, which appends a `StockMove` and changes its `Balance`
in the same transaction: additions with `F()`, and withdrawals by a conditional
`UPDATE … WHERE quantity >= n` whose row count says whether the stock was there. Two
storekeepers issuing the last boxes at the same moment: one UPDATE matches, the other
matches no row and gets "not enough stock"; the database's `>= 0` constraint is the last
word either way.

Every write locks all the rows it will change through `lock_rows`, at its start, in one
order (table by table, pks ascending): two writes meeting the same rows from opposite ends
(a transfer A→B and one B→A, a reversal and the next issue of a requisition) queue for
them in the same order instead of deadlocking.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.models import DocumentSequence, Person
from fangkong.core.services import next_number, validated_save
from fangkong.core.transactions import entry_point
from fangkong.supplies import scoping
from fangkong.supplies.models import (
    ZERO,
    Balance,
    ClosedPeriod,
    Item,
    Lot,
    Pack,
    Purpose,
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

RECEIPT_PREFIX, REQUISITION_PREFIX = "RK", "LY"
MAX_QUANTITY = Decimal("100000000")


def shown(quantity: Decimal) -> str:
    """A quantity as people write it: 30, 12.5 (not 3E+1 or 30.000)."""
    return f"{quantity.normalize():f}"


class InsufficientStock(ValidationError):
    """Not enough of a lot in a store for a withdrawal; nothing was written."""


# ---- checks shared by every write ---------------------------------------------------------


def parse_quantity(item: Item, value, decimals: int | None = None):
    """(the quantity, None) or (None, why not) for `value` counted in `item`'s unit (or
    to `decimals` places, for a rate such as half a mask a person a day)."""
    places = item.decimals if decimals is None else decimals
    if value is None or value == "" or isinstance(value, bool):
        return None, _("Enter a quantity.")
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None, _("“%(value)s” is not a number.") % {"value": value}
    if not quantity.is_finite():
        return None, _("“%(value)s” is not a number.") % {"value": value}
    if quantity <= 0:
        return None, _("Enter a quantity greater than 0.")
    if quantity >= MAX_QUANTITY:
        return None, _("This quantity is too large.")
    if quantity != quantity.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            return None, _("%(item)s is counted in whole %(unit)s.") % {
                "item": item.display_name,
                "unit": item.get_unit_display(),
            }
        return None, _("At most %(places)d decimal places for %(item)s.") % {
            "places": places,
            "item": item.display_name,
        }
    return quantity, None


def closed_through() -> datetime.date | None:
    period = ClosedPeriod.objects.order_by("-closed_at", "-pk").first()
    return period.closed_through if period else None


def day_problem(day) -> str | None:
    """Why a move cannot be dated `day`: not a date, in the future, or in a closed period."""
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        return _("Enter a date.")
    if day > timezone.localdate():
        return _("The date %(date)s is in the future.") % {"date": day.isoformat()}
    closed = closed_through()
    if closed is not None and day <= closed:
        return _("The ledger is closed through %(closed)s: date the move after it.") % {
            "closed": closed.isoformat()
        }
    return None


# The one order in which writes lock rows. A write that needs rows of several tables locks
# them table by table in this order, pks ascending within a table, before it changes any:
# two writes needing some of the same rows then wait for them in the same order, never
# for each other in a circle. The document sequence (core's) comes first: a write that
# numbers a document takes its number (core.services.next_number locks the row) first.
LOCK_ORDER = (DocumentSequence, Requisition, RequisitionLine, StockMove, Balance)


def lock_rows(rows: dict) -> dict:
    """Lock the rows a write needs, given as {model: pks}, until its transaction ends; the
    locked rows, read after the lock, as {model: {pk: row}} (a pk with no row is left out).

    Call it once, at the start of the write, with every row it will change: a row locked
    later, or by an UPDATE of a row not locked here, is locked out of order."""
    unknown = set(rows) - set(LOCK_ORDER)
    if unknown:
        raise ValueError(f"not in LOCK_ORDER: {sorted(model.__name__ for model in unknown)}")
    locked = {}
    for model in LOCK_ORDER:
        pks = sorted(set(rows.get(model, ())))
        if not pks:
            continue
        # of=("self",) and an order without joins: only this table's rows are locked (a
        # select_related join would lock the joined rows too, in no order of ours), and
        # PostgreSQL locks them in the order of the ORDER BY.
        locked[model] = {
            row.pk: row
            for row in model.objects.select_for_update(of=("self",))
            .filter(pk__in=pks)
            .order_by("pk")
        }
    return locked


def _balance_pks(pairs, *, create=()) -> list[int]:
    """The pks of the balances of (store, lot) `pairs` (those that exist), after making
    the missing ones of `create` at zero, so that an addition has a row to lock."""
    missing = sorted(set(create), key=lambda pair: (pair[0].pk, pair[1].pk))
    if missing:
        # In one fixed order too: two writes adding the same new balances wait for each
        # other's inserts in the same order.
        Balance.objects.bulk_create(
            [
                Balance(store=store, lot=lot, item_id=lot.item_id, source_id=lot.source_id)
                for store, lot in missing
            ],
            ignore_conflicts=True,
        )
    wanted = Q(pk__in=[])
    for store, lot in pairs:
        wanted |= Q(store=store, lot=lot)
    return list(Balance.objects.filter(wanted).values_list("pk", flat=True))


def _text(value, limit: int, field: str, errors: dict) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
    return text


# ---- the ledger ---------------------------------------------------------------------------


def _post(actor, *, kind, lot: Lot, store: Store, quantity: Decimal, moved_on, **fields):
    """Append one move and change its balance by `quantity`, or raise InsufficientStock
    (the caller's transaction then keeps nothing). The caller has locked the balance with
    `lock_rows`, unless the lot is new (a receipt)."""
    if quantity < 0:
        changed = Balance.objects.filter(store=store, lot=lot, quantity__gte=-quantity).update(
            quantity=F("quantity") + quantity
        )
        if changed != 1:
            on_hand = (
                Balance.objects.filter(store=store, lot=lot)
                .values_list("quantity", flat=True)
                .first()
            )
            raise InsufficientStock(
                _(
                    "Not enough %(item)s in %(store)s (lot %(lot)s): %(on_hand)s on hand, "
                    "%(wanted)s wanted."
                )
                % {
                    "item": lot.item.display_name,
                    "store": store.display_name,
                    "lot": lot.lot_number or lot.pk,
                    "on_hand": shown(on_hand or ZERO),
                    "wanted": shown(-quantity),
                },
                code="insufficient_stock",
            )
    else:
        balance, _created = Balance.objects.get_or_create(
            store=store, lot=lot, defaults={"item_id": lot.item_id, "source_id": lot.source_id}
        )
        Balance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + quantity)
    return StockMove.objects.create(
        kind=kind,
        item_id=lot.item_id,
        store=store,
        source_id=lot.source_id,
        lot=lot,
        quantity=quantity,
        moved_on=moved_on,
        posted_by=actor,
        **fields,
    )


# ---- receipts -----------------------------------------------------------------------------


@entry_point
def post_receipt(
    actor,
    *,
    received_on: datetime.date,
    source: SourceCategory,
    store: Store,
    lines: list[dict],
    supplier: Supplier | None = None,
    restricted_to: str = "",
    note: str = "",
) -> Receipt:
    """Receive supplies into a store from one source (入库): a numbered receipt, a lot per
    line, a receipt move per lot. Each line: item, quantity (in the item's unit, or in
    `pack`s), optional lot_number and expires_on."""
    scoping.require_stock_keeper(actor)
    errors: dict[str, str] = {}
    problem = day_problem(received_on)
    if problem:
        errors["received_on"] = problem
    if source is None or not source.is_active:
        errors["source"] = _("Choose where the supplies come from.")
    if store is None or not store.is_active:
        errors["store"] = _("Choose the store.")
    if restricted_to and restricted_to not in Purpose.values:
        errors["restricted_to"] = _("Unknown use.")
    note = _text(note, 200, "note", errors)
    if not lines:
        errors["lines"] = _("Add at least one line.")
    cleaned = []
    for index, line in enumerate(lines or [], start=1):
        item = line.get("item")
        prefix = f"lines.{index}"
        if not isinstance(item, Item) or not item.is_active:
            errors[f"{prefix}.item"] = _("Line %(line)d: choose an item.") % {"line": index}
            continue
        quantity, problem = parse_quantity(item, line.get("quantity"))
        pack = line.get("pack")
        if problem is None and pack is not None:
            if pack.item_id != item.pk:
                problem = _("This pack is not one of %(item)s.") % {"item": item.display_name}
            else:
                quantity, problem = parse_quantity(item, quantity * pack.quantity)
        if problem:
            errors[f"{prefix}.quantity"] = _("Line %(line)d: %(problem)s") % {
                "line": index,
                "problem": problem,
            }
            continue
        expires_on = line.get("expires_on")
        if item.has_expiry and expires_on is None:
            errors[f"{prefix}.expires_on"] = _("Line %(line)d: give the expiry date.") % {
                "line": index
            }
        lot_number = _text(line.get("lot_number"), 40, f"{prefix}.lot_number", errors)
        cleaned.append((item, quantity, lot_number, expires_on))
    if errors:
        raise ValidationError(errors)
    receipt = Receipt.objects.create(
        number=next_number(RECEIPT_PREFIX, received_on.year),
        received_on=received_on,
        source=source,
        supplier=supplier,
        store=store,
        restricted_to=restricted_to,
        note=note,
        created_by=actor,
    )
    for item, quantity, lot_number, expires_on in cleaned:
        line = ReceiptLine.objects.create(
            receipt=receipt,
            item=item,
            quantity=quantity,
            lot_number=lot_number,
            expires_on=expires_on,
        )
        lot = Lot.objects.create(
            item=item,
            receipt_line=line,
            source=source,
            supplier=supplier,
            lot_number=lot_number or receipt.number,
            expires_on=expires_on,
            restricted_to=restricted_to,
            received_on=received_on,
        )
        _post(
            actor,
            kind=StockMove.Kind.RECEIPT,
            lot=lot,
            store=store,
            quantity=quantity,
            moved_on=received_on,
            receipt_line=line,
        )
    return receipt


# ---- requisitions -------------------------------------------------------------------------


@entry_point
def request_supplies(
    actor,
    *,
    unit,
    purpose: str,
    lines: list[dict],
    note: str = "",
    now: datetime.datetime | None = None,
):
    """A unit asks for supplies (领用申请): its officer, or the office on its behalf. A
    line beyond the unit's daily limit for the item (if the office set one) is refused.
    `now` is for loading past requisitions (the demo); users' requests are made now."""
    scoping.require_requester(actor, unit.pk if unit else None)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = _("Say what the supplies are for.")
    note = _text(note, 200, "note", errors)
    if not lines:
        errors["lines"] = _("Add at least one line.")
    cleaned, seen = [], set()
    for index, line in enumerate(lines or [], start=1):
        item = line.get("item")
        if not isinstance(item, Item) or not item.is_active:
            errors[f"lines.{index}.item"] = _("Line %(line)d: choose an item.") % {"line": index}
            continue
        if item.pk in seen:
            errors[f"lines.{index}.item"] = _("Line %(line)d: %(item)s is asked twice.") % {
                "line": index,
                "item": item.display_name,
            }
            continue
        seen.add(item.pk)
        quantity, problem = parse_quantity(item, line.get("quantity"))
        if problem:
            errors[f"lines.{index}.quantity"] = _("Line %(line)d: %(problem)s") % {
                "line": index,
                "problem": problem,
            }
            continue
        problem = _limit_problem(unit, item, quantity, timezone.localdate(now))
        if problem:
            errors[f"lines.{index}.quantity"] = _("Line %(line)d: %(problem)s") % {
                "line": index,
                "problem": problem,
            }
            continue
        cleaned.append((item, quantity))
    if errors:
        raise ValidationError(errors)
    requisition = Requisition.objects.create(
        number=next_number(REQUISITION_PREFIX, timezone.localdate(now).year),
        unit=unit,
        purpose=purpose,
        note=note,
        requested_by=actor,
        requested_at=now,
    )
    RequisitionLine.objects.bulk_create(
        RequisitionLine(requisition=requisition, item=item, requested=quantity)
        for item, quantity in cleaned
    )
    return requisition


def _limit_problem(unit, item: Item, quantity: Decimal, day: datetime.date) -> str | None:
    """Why `quantity` more of `item` is beyond the unit's limit for `day`, or None."""
    limit = (
        UnitLimit.objects.filter(item=item)
        .filter(Q(unit=unit) | Q(unit__isnull=True))
        .order_by(F("unit_id").asc(nulls_last=True))
        .first()
    )
    if limit is None:
        return None
    people = Person.objects.filter(unit=unit, is_active=True).count()
    allowed = limit.per_person_per_day * people
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    asked = (
        RequisitionLine.objects.filter(
            item=item,
            requisition__unit=unit,
            requisition__requested_at__gte=start,
            requisition__requested_at__lt=start + datetime.timedelta(days=1),
        )
        .exclude(requisition__status=Requisition.Status.REJECTED)
        .aggregate(total=Sum("requested"))["total"]
        or ZERO
    )
    if asked + quantity <= allowed:
        return None
    return _(
        "at most %(allowed)s %(item)s a day for this unit (%(people)d people × %(rate)s), "
        "and %(asked)s already asked today."
    ) % {
        "allowed": shown(allowed),
        "item": item.display_name,
        "people": people,
        "rate": shown(limit.per_person_per_day),
        "asked": shown(asked),
    }


@entry_point
def decide_requisition(
    actor,
    requisition: Requisition,
    *,
    approve: bool,
    quantities: dict[int, object] | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Requisition:
    """The office approves a requisition (trimming lines with `quantities`, {line id:
    quantity}, and saying why in `note`) or rejects it with a reason."""
    scoping.require_decider(actor)
    line_pks = RequisitionLine.objects.filter(requisition=requisition).values_list("pk", flat=True)
    locked = lock_rows({Requisition: [requisition.pk], RequisitionLine: line_pks})
    requisition = locked[Requisition][requisition.pk]
    errors: dict[str, str] = {}
    if requisition.requested_by_id == actor.pk:
        raise PermissionDenied(_("Nobody approves their own requisition."))
    if requisition.status != Requisition.Status.PENDING:
        raise ValidationError(
            _("This requisition is already %(status)s.")
            % {"status": requisition.get_status_display()}
        )
    note = _text(note, 200, "note", errors)
    lines = sorted(locked.get(RequisitionLine, {}).values(), key=lambda line: line.pk)
    prefetch_related_objects(lines, "item")
    approved = {}
    if approve:
        for line in lines:
            wanted = (quantities or {}).get(line.pk, line.requested)
            if wanted in (0, "0", Decimal(0)):
                approved[line.pk] = ZERO
                continue
            quantity, problem = parse_quantity(line.item, wanted)
            if problem is None and quantity > line.requested:
                problem = _("At most the %(asked)s asked.") % {"asked": shown(line.requested)}
            if problem:
                errors[f"lines.{line.pk}"] = problem
            else:
                approved[line.pk] = quantity
        trimmed = any(approved.get(line.pk) != line.requested for line in lines)
        if trimmed and not note and not errors:
            errors["note"] = _("Say why the requisition is trimmed.")
    elif not note:
        errors["note"] = _("Say why the requisition is rejected.")
    if errors:
        raise ValidationError(errors)
    for line in lines:
        if approve:
            RequisitionLine.objects.filter(pk=line.pk).update(approved=approved[line.pk])
    requisition.status = Requisition.Status.APPROVED if approve else Requisition.Status.REJECTED
    requisition.decided_by = actor
    requisition.decided_at = now or timezone.now()
    requisition.decision_note = note
    requisition.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return requisition


def available_lots(item: Item, store: Store, purpose: str, on: datetime.date):
    """The lots of `item` in `store` that may be issued for `purpose` on `on`, first to
    expire first (FEFO), then oldest first; each with `on_hand`."""
    return (
        Balance.objects.filter(item=item, store=store, quantity__gt=0)
        .filter(Q(lot__restricted_to="") | Q(lot__restricted_to=purpose))
        .filter(Q(lot__expires_on__isnull=True) | Q(lot__expires_on__gte=on))
        .select_related("lot")
        .order_by(F("lot__expires_on").asc(nulls_last=True), "lot__received_on", "lot_id")
    )


def suggest_lots(item: Item, store: Store, purpose: str, quantity: Decimal, on, among=None) -> list:
    """[(lot, quantity)] covering `quantity` first-expiry-first-out, as far as stock goes;
    from the balances `among` (pks) only, if given."""
    plan, left = [], quantity
    balances = available_lots(item, store, purpose, on)
    if among is not None:
        balances = balances.filter(pk__in=among)
    for balance in balances:
        if left <= 0:
            break
        take = min(balance.quantity, left)
        plan.append((balance.lot, take))
        left -= take
    return plan


def _lock_for_issue(requisition: Requisition, store: Store | None, lines) -> dict:
    """Lock what issuing `requisition` from `store` may change: the requisition, its lines
    and the store's balances of every lot of their items (whichever lots the issue takes,
    chosen or suggested, are among them)."""
    own = RequisitionLine.objects.filter(requisition=requisition)
    balance_pks = []
    if store is not None:
        chosen = [lot for entry in lines or [] for lot, _taken in entry.get("lots") or []]
        balance_pks = (
            Balance.objects.filter(store=store)
            .filter(
                Q(item__in=own.values("item_id"))
                | Q(lot__in=[getattr(lot, "pk", None) for lot in chosen])
            )
            .values_list("pk", flat=True)
        )
    return lock_rows(
        {
            Requisition: [requisition.pk],
            RequisitionLine: own.values_list("pk", flat=True),
            Balance: balance_pks,
        }
    )


@entry_point
def issue_requisition(
    actor,
    requisition: Requisition,
    *,
    store: Store,
    lines: list[dict],
    recipient: str,
    issued_on: datetime.date | None = None,
) -> list[StockMove]:
    """The storekeeper issues an approved requisition, all at once or in part (出库). Each
    line: `line` (a RequisitionLine), `quantity`, and optionally `lots` [(lot, quantity)];
    without lots, the first-expiry-first-out suggestion is taken."""
    scoping.require_stock_keeper(actor)
    issued_on = issued_on or timezone.localdate()
    locked = _lock_for_issue(requisition, store, lines)
    requisition = locked[Requisition][requisition.pk]
    errors: dict[str, str] = {}
    if requisition.status not in (
        Requisition.Status.APPROVED,
        Requisition.Status.PARTLY_ISSUED,
    ):
        raise ValidationError(
            _("This requisition is %(status)s: only an approved one is issued.")
            % {"status": requisition.get_status_display()}
        )
    problem = day_problem(issued_on)
    if problem:
        errors["issued_on"] = problem
    recipient = _text(recipient, 40, "recipient", errors)
    if not recipient:
        errors["recipient"] = _("Write the name of who received the supplies.")
    if store is None or not store.is_active:
        errors["store"] = _("Choose the store.")
    if not lines:
        errors["lines"] = _("Issue at least one line.")
    own_lines = locked.get(RequisitionLine, {})
    prefetch_related_objects(list(own_lines.values()), "item")
    locked_balances = list(locked.get(Balance, {}))
    plan = []
    for index, entry in enumerate(lines or [], start=1):
        line = own_lines.get(getattr(entry.get("line"), "pk", None))
        if line is None:
            errors[f"lines.{index}.line"] = _("Line %(line)d is not on this requisition.") % {
                "line": index
            }
            continue
        quantity, problem = parse_quantity(line.item, entry.get("quantity"))
        if problem is None and quantity > line.outstanding:
            problem = _("At most %(left)s left to issue of %(item)s.") % {
                "left": shown(line.outstanding),
                "item": line.item.display_name,
            }
        if problem:
            errors[f"lines.{index}.quantity"] = problem
            continue
        lots = entry.get("lots")
        if lots is None:
            lots = suggest_lots(
                line.item, store, requisition.purpose, quantity, issued_on, locked_balances
            )
        if sum((taken for _lot, taken in lots), ZERO) != quantity:
            errors[f"lines.{index}.quantity"] = _(
                "Not enough %(item)s that may be issued for this use in %(store)s."
            ) % {"item": line.item.display_name, "store": store.display_name if store else ""}
            continue
        for lot, taken in lots:
            lot_problem = _lot_problem(lot, line, requisition, issued_on)
            if lot_problem:
                errors[f"lines.{index}.lots"] = lot_problem
            elif taken <= 0:
                errors[f"lines.{index}.lots"] = _("Enter a quantity greater than 0.")
        plan.append((line, quantity, lots))
    if errors:
        raise ValidationError(errors)
    moves = []
    withdrawals = ((lot, taken, line) for line, _quantity, lots in plan for lot, taken in lots)
    for lot, taken, line in withdrawals:
        moves.append(
            _post(
                actor,
                kind=StockMove.Kind.ISSUE,
                lot=lot,
                store=store,
                quantity=-taken,
                moved_on=issued_on,
                requisition_line=line,
                recipient=recipient,
            )
        )
    for line, quantity, _lots in plan:
        RequisitionLine.objects.filter(pk=line.pk).update(issued=F("issued") + quantity)
    _refresh_status(requisition)
    return moves


def _lot_problem(lot: Lot, line: RequisitionLine, requisition, day) -> str | None:
    if lot.item_id != line.item_id:
        return _("Lot %(lot)s is not of %(item)s.") % {
            "lot": lot.lot_number,
            "item": line.item.display_name,
        }
    if lot.expires_on is not None and lot.expires_on < day:
        return _("Lot %(lot)s expired on %(date)s.") % {
            "lot": lot.lot_number,
            "date": lot.expires_on.isoformat(),
        }
    if lot.restricted_to and lot.restricted_to != requisition.purpose:
        return _("Lot %(lot)s was given only for %(use)s.") % {
            "lot": lot.lot_number,
            "use": lot.get_restricted_to_display(),
        }
    return None


def _refresh_status(requisition: Requisition) -> None:
    totals = requisition.lines.aggregate(approved=Sum("approved"), issued=Sum("issued"))
    approved, issued = totals["approved"] or ZERO, totals["issued"] or ZERO
    if issued <= 0:
        status = Requisition.Status.APPROVED
    elif issued < approved:
        status = Requisition.Status.PARTLY_ISSUED
    else:
        status = Requisition.Status.ISSUED
    Requisition.objects.filter(pk=requisition.pk).update(status=status)
    requisition.status = status


# ---- transfers, stocktakes, reversals, periods --------------------------------------------


@entry_point
def transfer_stock(
    actor, *, lot: Lot, from_store: Store, to_store: Store, quantity, moved_on, reason=""
) -> tuple[StockMove, StockMove]:
    """Move part of a lot from one store to another: a move out and a move in."""
    scoping.require_stock_keeper(actor)
    errors: dict[str, str] = {}
    amount, problem = parse_quantity(lot.item, quantity)
    if problem:
        errors["quantity"] = problem
    if from_store is None or to_store is None or from_store.pk == to_store.pk:
        errors["to_store"] = _("Choose another store to move the stock to.")
    elif not to_store.is_active:
        errors["to_store"] = _("Choose the store.")
    problem = day_problem(moved_on)
    if problem:
        errors["moved_on"] = problem
    reason = _text(reason, 200, "reason", errors)
    if errors:
        raise ValidationError(errors)
    lock_rows(
        {Balance: _balance_pks([(from_store, lot), (to_store, lot)], create=[(to_store, lot)])}
    )
    out = _post(
        actor,
        kind=StockMove.Kind.TRANSFER_OUT,
        lot=lot,
        store=from_store,
        quantity=-amount,
        moved_on=moved_on,
        reason=reason,
    )
    into = _post(
        actor,
        kind=StockMove.Kind.TRANSFER_IN,
        lot=lot,
        store=to_store,
        quantity=amount,
        moved_on=moved_on,
        reason=reason,
    )
    return out, into


@entry_point
def record_stocktake(actor, *, store: Store, counts: dict, reason: str, counted_on) -> list:
    """A stocktake (盘点) of some lots in a store: {lot: counted quantity}. Each
    difference from the books becomes an adjustment move with the reason."""
    scoping.require_stock_keeper(actor)
    errors: dict[str, str] = {}
    reason = _text(reason, 200, "reason", errors)
    if not reason:
        errors["reason"] = _("Say why the stock is counted and adjusted.")
    problem = day_problem(counted_on)
    if problem:
        errors["counted_on"] = problem
    if not counts:
        errors["counts"] = _("Count at least one lot.")
    cleaned = []
    for lot, counted in (counts or {}).items():
        if counted in (0, "0", Decimal(0)):
            cleaned.append((lot, ZERO))
            continue
        quantity, problem = parse_quantity(lot.item, counted)
        if problem:
            errors[f"counts.{lot.pk}"] = problem
        else:
            cleaned.append((lot, quantity))
    if errors:
        raise ValidationError(errors)
    pairs = [(store, lot) for lot, _counted in cleaned]
    rising = [(store, lot) for lot, counted in cleaned if counted > 0]
    locked = lock_rows({Balance: _balance_pks(pairs, create=rising)}).get(Balance, {})
    on_hand_of = {balance.lot_id: balance.quantity for balance in locked.values()}
    moves = []
    for lot, counted in sorted(cleaned, key=lambda entry: entry[0].pk):
        on_hand = on_hand_of.get(lot.pk, ZERO)
        if counted != on_hand:
            moves.append(
                _post(
                    actor,
                    kind=StockMove.Kind.STOCKTAKE,
                    lot=lot,
                    store=store,
                    quantity=counted - on_hand,
                    moved_on=counted_on,
                    reason=reason,
                )
            )
    return moves


@entry_point
def reverse_move(actor, move: StockMove, reason: str, *, moved_on=None) -> StockMove:
    """Undo one posted move with a reason, by the opposite move (冲销). A move is reversed
    once; a reversal is not reversed (post the right move instead)."""
    scoping.require_stock_keeper(actor)
    reason = (reason or "").strip()
    moved_on = moved_on or timezone.localdate()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Say why the move is reversed.")
    elif len(reason) > 200:
        errors["reason"] = _("At most %(limit)d characters.") % {"limit": 200}
    problem = day_problem(moved_on)
    if problem:
        errors["moved_on"] = problem
    if errors:
        raise ValidationError(errors)
    # A move never changes: read it to know what to lock (its requisition, line, itself and
    # its balance), then lock them all before checking it is not already reversed.
    move = StockMove.objects.select_related("lot__item", "requisition_line").get(pk=move.pk)
    line = move.requisition_line
    lock_rows(
        {
            Requisition: [line.requisition_id] if line else [],
            RequisitionLine: [line.pk] if line else [],
            StockMove: [move.pk],
            Balance: _balance_pks([(move.store, move.lot)]),
        }
    )
    if move.kind == StockMove.Kind.REVERSAL:
        raise ValidationError(_("A reversal is not reversed: post the right move instead."))
    if StockMove.objects.filter(reverses=move).exists():
        raise ValidationError(_("This move has already been reversed."))
    try:
        # A savepoint in the calling entry point's transaction, not one of its own.
        with transaction.atomic():
            reversal = _post(
                actor,
                kind=StockMove.Kind.REVERSAL,
                lot=move.lot,
                store=move.store,
                quantity=-move.quantity,
                moved_on=moved_on,
                reverses=move,
                reason=reason,
                requisition_line=move.requisition_line,
                receipt_line=move.receipt_line,
            )
    except IntegrityError as exc:  # a second reversal of the same move at the same moment
        raise ValidationError(_("This move has already been reversed.")) from exc
    if line is not None:
        RequisitionLine.objects.filter(pk=line.pk).update(issued=F("issued") + move.quantity)
        _refresh_status(line.requisition)
    return reversal


@entry_point
def close_period(actor, through: datetime.date, note: str = "") -> ClosedPeriod:
    """The office closes the ledger through a day: nothing may be dated on or before it."""
    scoping.require_catalogue_keeper(actor)
    current = closed_through()
    if not isinstance(through, datetime.date) or through >= timezone.localdate():
        raise ValidationError({"closed_through": _("Close a day before today.")})
    if current is not None and through < current:
        raise ValidationError(
            {
                "closed_through": _("The ledger is already closed through %(closed)s.")
                % {"closed": current.isoformat()}
            }
        )
    return ClosedPeriod.objects.create(
        closed_through=through, closed_by=actor, note=(note or "").strip()[:200]
    )


# ---- the catalogue: items, packs, stores, sources, donors ---------------------------------


def _save_new(actor, instance):
    scoping.require_catalogue_keeper(actor)
    validated_save(instance, actor)
    return instance


@entry_point
def create_item(actor, **data) -> Item:
    return _save_new(actor, Item(**data))


@entry_point
def create_pack(actor, **data):
    return _save_new(actor, Pack(**data))


@entry_point
def create_store(actor, **data) -> Store:
    return _save_new(actor, Store(**data))


@entry_point
def create_source(actor, **data) -> SourceCategory:
    return _save_new(actor, SourceCategory(**data))


@entry_point
def create_supplier(actor, **data) -> Supplier:
    return _save_new(actor, Supplier(**data))


@entry_point
def set_unit_limit(actor, *, item: Item, per_person_per_day, unit=None) -> UnitLimit:
    """The office sets (or changes) how much of an item a unit may ask for a day, per
    person; without a unit, for every unit without its own."""
    scoping.require_catalogue_keeper(actor)
    rate, problem = parse_quantity(item, per_person_per_day, decimals=3)
    if problem:
        raise ValidationError({"per_person_per_day": problem})
    limit = UnitLimit.objects.filter(item=item, unit=unit).first() or UnitLimit(
        item=item, unit=unit
    )
    limit.per_person_per_day = rate
    validated_save(limit, actor)
    return limit


@entry_point
def update_catalogue_entry(actor, instance, **data):
    """The office changes an item, pack, store, source or donor: names, minimum level,
    active or not (master data is deactivated, never deleted). A code and an item's unit
    stay as they are: lots, moves and other systems refer to them."""
    scoping.require_catalogue_keeper(actor)
    fixed = {"code", "unit", "item"} & set(data)
    if fixed:
        raise ValidationError({name: _("This cannot be changed.") for name in sorted(fixed)})
    for name, value in data.items():
        setattr(instance, name, value)
    validated_save(instance, actor)
    return instance
