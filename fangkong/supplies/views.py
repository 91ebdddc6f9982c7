"""Pages of prevention supplies: the catalogue, receipts, requisitions (ask, decide,
issue), the stock ledger (moves, reversals, transfers, stocktakes, closing periods). Thin:
records are fetched through `scoping`, every write goes through `services`, and the
services' errors are put back on the field (or the line) they name."""

import contextlib
import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fangkong.core import scoping as core_scoping
from fangkong.core.pages import apply_errors, form_status, is_partial, submit
from fangkong.core.roles import Role
from fangkong.supplies import forms as supply_forms
from fangkong.supplies import scoping, selectors, services
from fangkong.supplies.models import (
    ZERO,
    Item,
    Pack,
    Requisition,
    SourceCategory,
    Store,
    Supplier,
)

PAGE_SIZE = 50
OPEN = (Requisition.Status.APPROVED, Requisition.Status.PARTLY_ISSUED)


# ---- permissions and errors -----------------------------------------------------------------


def _visible_requisition(request, pk) -> Requisition:
    return core_scoping.get_visible_or_404(
        scoping.requisitions_visible_to(request.user).select_related(
            "unit", "requested_by", "decided_by"
        ),
        pk=pk,
    )


LINE_KEY = re.compile(r"^lines\.(\d+)(?:\.(\w+))?$")


def apply_line_errors(form, error: ValidationError, field_for) -> None:
    """Put a service's ValidationError on the form, mapping its line keys (`lines.2.quantity`,
    `lines.17`, `counts.5`) onto the right input with `field_for(number, part)`, which
    names the form field (or None for the form as a whole)."""
    if not hasattr(error, "error_dict"):
        apply_errors(form, error)
        return
    for key, messages_ in error.message_dict.items():
        match = LINE_KEY.match(key) or re.match(r"^counts\.(\d+)()$", key)
        target = field_for(int(match.group(1)), match.group(2) or "") if match else key
        if target not in form.fields:
            target = None
        for message in messages_:
            form.add_error(target, message)


def _on_line_rows(form, error: ValidationError) -> None:
    """A line form's errors: the service numbers the lines it was given, and the row
    numbers of the form skip the blank rows."""
    rows = form.lines()
    apply_line_errors(form, error, lambda n, part: f"{part or 'item'}_{rows[n - 1][0]}")


def _filter_status(filtered) -> int:
    """A list whose filter is bad shows the form's errors, naming the field, and no rows."""
    return 200 if filtered.ok else 400


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def report_links(user) -> dict:
    """The report pages (report_urls.py) the user may open, by name: the register and the
    reports index for those who see issues, stock on hand for those who see stock."""
    names = []
    if scoping.sees_issues(user):
        names += ["reports", "register"]
    if scoping.sees_stock(user):
        names += ["report-stock"]
    links = {}
    for name in names:
        with contextlib.suppress(NoReverseMatch):  # the report pages: another part of the app
            links[name.replace("-", "_")] = reverse(f"supplies:{name}")
    return links


# ---- the hub and the home block -------------------------------------------------------------


@login_required
def index(request):
    """Where each role starts: what waits for them, and the pages they may use."""
    user = request.user
    scoping.require_supplies_user(user)
    requisitions = scoping.requisitions_visible_to(user)
    context = {
        "pending": requisitions.filter(status=Requisition.Status.PENDING).count(),
        "to_issue": requisitions.filter(status__in=OPEN).count(),
        "sees_stock": scoping.sees_stock(user),
        "keeps_stock": scoping.can_keep_stock(user),
        "keeps_catalogue": scoping.can_keep_catalogue(user),
        "can_request": scoping.can_ask_for_supplies(user),
        "below": selectors.below_minimum(user),
        "reports": report_links(user),
    }
    return render(request, "supplies/index.html", context)


@login_required
def below_minimum_block(request):
    """The office's home block: items below their minimum level, loaded by htmx."""
    if not scoping.sees_stock(request.user):
        return HttpResponse(status=204)
    return render(
        request,
        "supplies/_below_minimum_block.html",
        {"items": selectors.below_minimum(request.user)},
    )


@login_required
def to_issue_block(request):
    """The storekeeper's home block: approved requisitions waiting to be issued."""
    if not scoping.can_keep_stock(request.user):
        return HttpResponse(status=204)
    waiting = (
        scoping.requisitions_visible_to(request.user)
        .filter(status__in=OPEN)
        .select_related("unit")
        .order_by("decided_at", "pk")
    )
    return render(request, "supplies/_to_issue_block.html", {"waiting": list(waiting[:10])})


# ---- the catalogue --------------------------------------------------------------------------

# kind in the URL → (model, form to add, form to edit, service that adds, title)
CATALOGUE = {
    "item": (Item, supply_forms.ItemForm, supply_forms.ItemEditForm, services.create_item),
    "pack": (Pack, supply_forms.PackForm, supply_forms.PackEditForm, services.create_pack),
    "store": (Store, supply_forms.StoreForm, supply_forms.StoreEditForm, services.create_store),
    "source": (
        SourceCategory,
        supply_forms.SourceForm,
        supply_forms.SourceEditForm,
        services.create_source,
    ),
    "supplier": (
        Supplier,
        supply_forms.SupplierForm,
        supply_forms.SupplierEditForm,
        services.create_supplier,
    ),
}


def _catalogue_title(kind: str, new: bool) -> str:
    titles = {
        "item": (_("New item"), _("Edit item")),
        "pack": (_("New pack"), _("Edit pack")),
        "store": (_("New store"), _("Edit store")),
        "source": (_("New source category"), _("Edit source category")),
        "supplier": (_("New donor or supplier"), _("Edit donor or supplier")),
    }
    return titles[kind][0 if new else 1]


@login_required
def catalogue(request):
    """Items with their packs and minimum levels, stores, sources, donors, unit limits."""
    scoping.require_stock_reader(request.user)
    context = {
        "items": selectors.items_for(request.user).prefetch_related("packs"),
        "stores": selectors.stores_for(request.user).select_related("campus"),
        "sources": selectors.sources_for(request.user),
        "suppliers": selectors.suppliers_for(request.user),
        "limits": selectors.unit_limits(request.user),
        "can_edit": scoping.can_keep_catalogue(request.user),
    }
    return render(request, "supplies/catalogue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_add(request, kind: str):
    scoping.require_catalogue_keeper(request.user)
    if kind not in CATALOGUE:
        raise Http404(_("No such list."))
    _model, add_form, _edit_form, create = CATALOGUE[kind]
    initial = {}
    if kind == "pack" and request.GET.get("item", "").isdigit():
        initial["item"] = request.GET["item"]
    return submit(
        request,
        add_form(request.POST or None, initial=initial),
        lambda data: create(request.user, **data),
        template="supplies/catalogue_form.html",
        context={"title": _catalogue_title(kind, new=True)},
        success=_("Saved."),
        redirect_to="supplies:catalogue",
    )


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_edit(request, kind: str, pk: int):
    scoping.require_catalogue_keeper(request.user)
    if kind not in CATALOGUE:
        raise Http404(_("No such list."))
    model, _add_form, edit_form, _create = CATALOGUE[kind]
    instance = get_object_or_404(model, pk=pk)
    return submit(
        request,
        edit_form(request.POST or None, instance=instance),
        lambda data: services.update_catalogue_entry(request.user, instance, **data),
        template="supplies/catalogue_form.html",
        context={"title": _catalogue_title(kind, new=False), "instance": instance},
        success=_("Saved."),
        redirect_to="supplies:catalogue",
    )


@login_required
@require_http_methods(["GET", "POST"])
def limit_set(request):
    scoping.require_catalogue_keeper(request.user)
    return submit(
        request,
        supply_forms.UnitLimitForm(request.POST or None),
        lambda data: services.set_unit_limit(request.user, **data),
        template="supplies/catalogue_form.html",
        context={"title": _("Set a requisition limit")},
        success=_("Saved."),
        redirect_to="supplies:catalogue",
    )


# ---- receipts -------------------------------------------------------------------------------


@login_required
def receipts(request):
    """Receipts, newest first, filtered by period, source, donor and store."""
    scoping.require_stock_reader(request.user)
    receipts = selectors.receipts_for(request.user, request.GET)
    page = Paginator(receipts.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": receipts.form,
        "page": page,
        "query": _query_without_page(request),
        "can_receive": scoping.can_keep_stock(request.user),
    }
    return render(request, "supplies/receipts.html", context, status=_filter_status(receipts))


@login_required
@require_http_methods(["GET", "POST"])
def receipt_new(request):
    scoping.require_stock_keeper(request.user)
    form = supply_forms.ReceiptForm(request.POST or None)

    def save(data):
        lines = [
            {
                "item": values["item"],
                "quantity": values["quantity"],
                "pack": values["pack"],
                "lot_number": values["lot_number"],
                "expires_on": values["expires_on"],
            }
            for _row, values in form.lines()
        ]
        return services.post_receipt(
            request.user,
            received_on=data["received_on"],
            source=data["source"],
            supplier=data["supplier"],
            store=data["store"],
            restricted_to=data["restricted_to"],
            note=data["note"],
            lines=lines,
        )

    return submit(
        request,
        form,
        save,
        template="supplies/receipt_new.html",
        success=lambda receipt: _("Receipt %(number)s posted.") % {"number": receipt.number},
        redirect_to=lambda receipt: redirect("supplies:receipt", pk=receipt.pk),
        errors=_on_line_rows,
    )


@login_required
def receipt_detail(request, pk):
    scoping.require_stock_reader(request.user)
    receipt = core_scoping.get_visible_or_404(
        selectors.receipts_visible_to(request.user).select_related(
            "source", "supplier", "store", "created_by"
        ),
        pk=pk,
    )
    lines = receipt.lines.select_related("item", "lot").order_by("pk")
    try:
        acknowledgement = reverse("supplies:receipt-acknowledgement", args=[receipt.pk])
    except NoReverseMatch:  # the printable documents are another part of the app
        acknowledgement = None
    context = {"receipt": receipt, "lines": lines, "acknowledgement": acknowledgement}
    return render(request, "supplies/receipt.html", context)


# ---- requisitions ---------------------------------------------------------------------------


@login_required
def requisitions(request):
    """The requisitions the user may see: an officer's unit's, everyone's for the others;
    filtered by status (the office's "waiting for approval", the storekeeper's "to issue")."""
    user = request.user
    scoping.require_requisition_reader(user)
    requisitions = selectors.requisitions_for(user, request.GET)
    page = Paginator(requisitions.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    form = requisitions.form
    context = {
        "form": form,
        "status": form.cleaned_data.get("status", "") if requisitions.ok else "",
        "page": page,
        "can_request": scoping.can_ask_for_supplies(user),
        "reports": report_links(user),
    }
    template = (
        "supplies/_requisition_rows.html" if is_partial(request) else "supplies/requisitions.html"
    )
    return render(request, template, context, status=_filter_status(requisitions))


@login_required
@require_http_methods(["GET", "POST"])
def requisition_new(request):
    user = request.user
    scoping.require_asker(user)
    choose_unit = user.has_role(Role.OFFICE)
    form = supply_forms.RequisitionForm(request.POST or None, choose_unit=choose_unit)
    return submit(
        request,
        form,
        lambda data: services.request_supplies(
            user,
            unit=data["unit"] if choose_unit else user.unit,
            purpose=data["purpose"],
            note=data["note"],
            lines=[values for _row, values in form.lines()],
        ),
        template="supplies/requisition_new.html",
        success=lambda requisition: (
            _("Requisition %(number)s sent to the office.") % {"number": requisition.number}
        ),
        redirect_to=lambda requisition: redirect("supplies:requisition", pk=requisition.pk),
        errors=_on_line_rows,
    )


def _requisition_context(request, requisition, decision_form=None) -> dict:
    user = request.user
    lines = list(requisition.lines.select_related("item").order_by("pk"))
    moves = selectors.requisition_moves(user, requisition)
    can_decide = (
        scoping.can_decide(user)
        and requisition.status == Requisition.Status.PENDING
        and requisition.requested_by_id != user.pk
    )
    if can_decide and decision_form is None:
        decision_form = supply_forms.DecisionForm(lines=lines)
    return {
        "requisition": requisition,
        "lines": lines,
        "moves": moves,
        "own": requisition.requested_by_id == user.pk,
        "decision_form": decision_form if can_decide or decision_form else None,
        "can_issue": scoping.can_keep_stock(user) and requisition.status in OPEN,
        "reports": report_links(user),
    }


@login_required
def requisition_detail(request, pk):
    requisition = _visible_requisition(request, pk)
    return render(request, "supplies/requisition.html", _requisition_context(request, requisition))


@login_required
@require_http_methods(["POST"])
def requisition_decide(request, pk):
    """The office approves (each line as asked, or trimmed with a reason) or rejects with a
    reason. Nobody decides their own: the service refuses and the page says so."""
    requisition = _visible_requisition(request, pk)
    scoping.require_decider(request.user)
    lines = list(requisition.lines.select_related("item").order_by("pk"))
    form = supply_forms.DecisionForm(request.POST, lines=lines)
    approve = "reject" not in request.POST
    status = 400
    if form.is_valid():
        try:
            services.decide_requisition(
                request.user,
                requisition,
                approve=approve,
                quantities=form.quantities() if approve else None,
                note=form.cleaned_data["note"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
            status = 403
        except ValidationError as error:
            apply_line_errors(
                form,
                error,
                lambda n, part: f"approved_{n}" if not part else None,
            )
        else:
            if approve:
                messages.success(request, _("Requisition approved."))
            else:
                messages.success(request, _("Requisition rejected."))
            return redirect("supplies:requisition", pk=requisition.pk)
    requisition.refresh_from_db()
    context = _requisition_context(request, requisition, decision_form=form)
    return render(request, "supplies/requisition.html", context, status=status)


def _issue_store(request, form_data, requisition) -> Store | None:
    """The store to issue from: the one chosen, else the store holding the most of what is
    left to issue, else the first active store."""
    wanted = (form_data or {}).get("store") or request.GET.get("store")
    stores = selectors.active_stores(request.user)
    if wanted and str(wanted).isdigit():
        chosen = stores.filter(pk=int(wanted)).first()
        if chosen is not None:
            return chosen
    items = requisition.lines.filter(approved__gt=F("issued")).values("item_id")
    fullest = (
        stores.filter(balances__item_id__in=items, balances__quantity__gt=0)
        .annotate(on_hand=Sum("balances__quantity"))
        .order_by("-on_hand", "code")
        .first()
    )
    return fullest or stores.order_by("code").first()


@login_required
@require_http_methods(["GET", "POST"])
def requisition_issue(request, pk):
    """The storekeeper's issue screen: per line still to issue, how much now and from which
    lots (the first-expiry-first-out suggestion, which they accept or change), who received
    the supplies; partial issues are allowed."""
    requisition = _visible_requisition(request, pk)
    scoping.require_stock_keeper(request.user)
    if requisition.status not in OPEN:
        messages.error(
            request,
            _("This requisition is %(status)s: only an approved one is issued.")
            % {"status": requisition.get_status_display()},
        )
        return redirect("supplies:requisition", pk=requisition.pk)
    post = request.POST if request.method == "POST" else None
    store = _issue_store(request, post, requisition)
    issued_on = timezone.localdate()
    if post and post.get("issued_on"):
        with contextlib.suppress(ValueError):  # the form says what is wrong with it
            issued_on = datetime.date.fromisoformat(post["issued_on"])
    lines = [
        line
        for line in requisition.lines.select_related("item").order_by("pk")
        if line.outstanding > 0
    ]
    lots = {}
    for line in lines:
        if store is None:
            continue
        lots[line.pk] = list(
            services.available_lots(line.item, store, requisition.purpose, issued_on)
        )
        # The suggestion for all that is left to issue; the same order as available_lots.
        suggested = {
            lot.pk: taken
            for lot, taken in services.suggest_lots(
                line.item, store, requisition.purpose, line.outstanding, issued_on
            )
        }
        for balance in lots[line.pk]:
            balance.suggested = suggested.get(balance.lot_id)
    form = supply_forms.IssueForm(
        post,
        lines=lines,
        lots=lots,
        initial={"store": store, "issued_on": issued_on},
    )
    if post is not None and form.is_valid():
        entries, numbered = [], []
        for line in lines:
            quantity = (form.cleaned_data.get(f"quantity_{line.pk}") or "").strip()
            if quantity in ("", "0"):
                continue
            chosen = [
                (balance.lot, form.cleaned_data[f"lot_{line.pk}_{balance.lot_id}"].strip())
                for balance in lots.get(line.pk, [])
                if (form.cleaned_data.get(f"lot_{line.pk}_{balance.lot_id}") or "").strip()
            ]
            entry = {"line": line, "quantity": quantity}
            if chosen:
                parsed = _parse_lots(form, line, chosen, quantity)
                if parsed is None:
                    continue
                entry["lots"] = parsed
            entries.append(entry)
            numbered.append(line)
        if not form.errors:
            if not entries:
                form.add_error(None, _("Issue at least one line."))
            else:
                try:
                    moves = services.issue_requisition(
                        request.user,
                        requisition,
                        store=form.cleaned_data["store"],
                        lines=entries,
                        recipient=form.cleaned_data["recipient"],
                        issued_on=form.cleaned_data["issued_on"],
                    )
                except ValidationError as error:
                    apply_line_errors(form, error, lambda n, part: f"quantity_{numbered[n - 1].pk}")
                else:
                    messages.success(
                        request,
                        _("Issued: %(count)d stock moves posted.") % {"count": len(moves)},
                    )
                    return redirect("supplies:requisition", pk=requisition.pk)
    context = {
        "requisition": requisition,
        "form": form,
        "store": store,
        "issued_on": issued_on,
    }
    return render(request, "supplies/requisition_issue.html", context, status=form_status(form))


def _parse_lots(form, line, chosen, quantity):
    """[(lot, Decimal)] from the lots the storekeeper filled in, or None (with the errors
    on the form) when one is not a quantity or they do not add up to the line's."""
    parsed, total = [], ZERO
    for lot, text in chosen:
        taken, problem = services.parse_quantity(line.item, text)
        if problem:
            form.add_error(f"lot_{line.pk}_{lot.pk}", problem)
            return None
        parsed.append((lot, taken))
        total += taken
    wanted, problem = services.parse_quantity(line.item, quantity)
    if problem:
        form.add_error(f"quantity_{line.pk}", problem)
        return None
    if total != wanted:
        form.add_error(
            f"quantity_{line.pk}",
            _("The lots add up to %(total)s, not the %(wanted)s to issue.")
            % {"total": services.shown(total), "wanted": services.shown(wanted)},
        )
        return None
    return parsed


# ---- the ledger -----------------------------------------------------------------------------


@login_required
def moves(request):
    """The stock ledger, newest first, filtered by store, item and kind."""
    scoping.require_stock_reader(request.user)
    moves = selectors.moves_for(request.user, request.GET)
    page = Paginator(moves.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": moves.form,
        "page": page,
        "query": _query_without_page(request),
        "can_move": scoping.can_keep_stock(request.user),
        "closed_through": services.closed_through(),
    }
    template = "supplies/_move_rows.html" if is_partial(request) else "supplies/moves.html"
    return render(request, template, context, status=_filter_status(moves))


@login_required
@require_http_methods(["GET", "POST"])
def move_reverse(request, pk):
    scoping.require_stock_keeper(request.user)
    move = core_scoping.get_visible_or_404(
        selectors.ledger_visible_to(request.user).select_related(
            "item", "store", "lot", "posted_by"
        ),
        pk=pk,
    )
    return submit(
        request,
        supply_forms.ReverseForm(request.POST or None),
        lambda data: services.reverse_move(
            request.user, move, data["reason"], moved_on=data["moved_on"]
        ),
        template="supplies/move_reverse.html",
        context=lambda: {
            "move": move,
            "reversal": selectors.reversal_of(request.user, move),
        },
        success=_("Move reversed."),
        redirect_to="supplies:moves",
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request):
    scoping.require_stock_keeper(request.user)
    return submit(
        request,
        supply_forms.TransferForm(request.POST or None),
        lambda data: services.transfer_stock(
            request.user,
            lot=data["balance"].lot,
            from_store=data["balance"].store,
            to_store=data["to_store"],
            quantity=data["quantity"],
            moved_on=data["moved_on"],
            reason=data["reason"],
        ),
        template="supplies/transfer.html",
        success=_("Stock transferred."),
        redirect_to="supplies:moves",
    )


@login_required
@require_http_methods(["GET", "POST"])
def stocktake(request):
    """A stocktake of one store: each lot on the books with a box for what was counted."""
    scoping.require_stock_keeper(request.user)
    chooser = supply_forms.StoreChoiceForm(request.GET or None)
    store = (chooser.cleaned_data.get("store") if chooser.is_valid() else None) or (
        selectors.active_stores(request.user).order_by("code").first()
    )
    balances = selectors.store_balances(request.user, store)
    form = supply_forms.StocktakeForm(request.POST or None, balances=balances)
    context = {"chooser": chooser, "store": store}
    if store is None:  # no store to count: the page, with what is wrong with a posted form
        if request.method == "POST":
            form.is_valid()
        return render(
            request, "supplies/stocktake.html", {**context, "form": form}, status=form_status(form)
        )
    return submit(
        request,
        form,
        lambda data: services.record_stocktake(
            request.user,
            store=store,
            counts=form.counts(),
            reason=data["reason"],
            counted_on=data["counted_on"],
        ),
        template="supplies/stocktake.html",
        context=context,
        success=lambda adjustments: (
            _("Stocktake recorded: %(count)d adjustments.") % {"count": len(adjustments)}
        ),
        redirect_to=reverse("supplies:moves") + f"?store={store.pk}",
        errors=lambda form, error: apply_line_errors(form, error, lambda n, part: f"count_{n}"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def close_period(request):
    scoping.require_catalogue_keeper(request.user)
    return submit(
        request,
        supply_forms.ClosePeriodForm(request.POST or None),
        lambda data: services.close_period(request.user, data["closed_through"], data["note"]),
        template="supplies/close_period.html",
        context=lambda: {
            "closed_through": services.closed_through(),
            "periods": selectors.closed_periods(request.user)[:20],
        },
        success=_("Ledger closed."),
        redirect_to="supplies:close-period",
    )
