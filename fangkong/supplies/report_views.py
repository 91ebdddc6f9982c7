"""The supplies reports as pages, .xlsx and PDF: stock on hand, receipts by source,
issues by unit, the requisition register (物资领用登记表), where a donation went, days of
supply, and the donor acknowledgement (捐赠接收确认函). Thin: scoped selectors in, a
template or a workbook out."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fangkong.core import periods
from fangkong.core import scoping as core_scoping
from fangkong.core.pages import bad_request
from fangkong.pdf import pdf_response
from fangkong.supplies import scoping, selectors, sheets
from fangkong.supplies.models import Item, SourceCategory, Store, Supplier

DEFAULT_DAYS = 30


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _compiler(request) -> str:
    return selectors.person_name(request.user)


def _period(request) -> periods.Period:
    """(start, end, problem) from GET `start` and `end`: the last 30 days by default."""
    return periods.period_from(request.GET, DEFAULT_DAYS)


def _empty_period(request, start, end, latest_day, nothing: str, latest: str) -> dict:
    """What an empty period's page says: `nothing` (the period had none), and where the
    latest record is, with a link to the DEFAULT_DAYS days up to it; or that there is none
    at all yet. `latest_day(user, before)` finds it."""
    dates = {"start": start.isoformat(), "end": end.isoformat()}
    day = latest_day(request.user, start)
    if day is None:
        return {"text": nothing % dates + " " + _("There are none before it either.")}
    first = periods.days_before(day, DEFAULT_DAYS - 1)
    query = request.GET.copy()
    query.pop("page", None)
    query["start"], query["end"] = first.isoformat(), day.isoformat()
    return {
        "text": nothing % dates + " " + latest % {"day": day.isoformat()},
        "link": f"?{query.urlencode()}",
        "link_text": _("Show the %(days)d days up to %(day)s")
        % {"days": DEFAULT_DAYS, "day": day.isoformat()},
    }


def _choice(request, name: str, queryset):
    """The record a GET filter names, None if it names none (an unknown id is ignored)."""
    value = request.GET.get(name, "").strip()
    if not value.isdigit() or len(value) > 15:
        return None
    return queryset.filter(pk=int(value)).first()


@login_required
def index(request):
    """What the reports are, with the items below their minimum."""
    scoping.require_issues_reader(request.user)
    context = {
        "sees_stock": scoping.sees_stock(request.user),
        "low": selectors.below_minimum(request.user),
    }
    return render(request, "supplies/reports/index.html", context)


# ---- stock on hand ------------------------------------------------------------------------


def _stock(request):
    scoping.require_stock_reader(request.user)
    filters = {
        "item": _choice(request, "item", Item.objects.all()),
        "store": _choice(request, "store", Store.objects.all()),
        "source": _choice(request, "source", SourceCategory.objects.all()),
    }
    return filters, selectors.stock_on_hand(request.user, **filters)


@login_required
def stock(request):
    filters, report = _stock(request)
    context = {
        "report": report,
        "filters": filters,
        "items": Item.objects.order_by("category", "code"),
        "stores": Store.objects.order_by("code"),
        "sources": SourceCategory.objects.order_by("code"),
        "query": request.GET.urlencode(),
    }
    return render(request, "supplies/reports/stock.html", context)


@login_required
def stock_xlsx(request):
    _filters, report = _stock(request)
    return sheets.stock_workbook(report, chinese=_chinese(), on=timezone.localdate())


# ---- receipts and issues over a period ----------------------------------------------------


REGISTER_PAGE = 500


def _period_page(request, template: str, build, is_empty, empty, **extra):
    """A period's report page; `is_empty(report)` says when the period had nothing, and
    then `empty(request, start, end)` what the page says instead (see _empty_period)."""
    start, end, problem = _period(request)
    context = {"start": start, "end": end, "problem": problem, "report": None, **extra}
    if not problem:
        context["report"] = report = build(request.user, start, end)
        if is_empty(report):
            context["empty"] = empty(request, start, end)
            context["report"] = None
    return render(request, template, context, status=400 if problem else 200)


def _no_receipts(request, start, end) -> dict:
    return _empty_period(
        request,
        start,
        end,
        selectors.latest_receipt_day,
        _("Nothing was received from %(start)s to %(end)s."),
        _("The latest receipt is on %(day)s."),
    )


def _no_issues(request, start, end) -> dict:
    return _empty_period(
        request,
        start,
        end,
        selectors.latest_issue_day,
        _("Nothing was issued from %(start)s to %(end)s."),
        _("The latest issue is on %(day)s."),
    )


def _period_workbook(request, build, workbook):
    """A period's report as .xlsx (`build` the selector, `workbook` its sheet), or the
    period's problem as a 400."""
    start, end, problem = _period(request)
    if problem:
        return bad_request(problem)
    report = build(request.user, start, end)
    return workbook(report, chinese=_chinese(), compiler=_compiler(request))


@login_required
def receipts(request):
    scoping.require_stock_reader(request.user)
    return _period_page(
        request,
        "supplies/reports/receipts.html",
        selectors.receipts_report,
        lambda report: not report.by_source,
        _no_receipts,
    )


@login_required
def receipts_xlsx(request):
    scoping.require_stock_reader(request.user)
    return _period_workbook(request, selectors.receipts_report, sheets.receipts_workbook)


@login_required
def issues(request):
    scoping.require_issues_reader(request.user)
    return _period_page(
        request,
        "supplies/reports/issues.html",
        selectors.issues_report,
        lambda report: not report.by_unit,
        _no_issues,
    )


@login_required
def issues_xlsx(request):
    scoping.require_issues_reader(request.user)
    return _period_workbook(request, selectors.issues_report, sheets.issues_workbook)


# ---- the requisition register -------------------------------------------------------------


@login_required
def register(request):
    """The register on screen, REGISTER_PAGE rows a page (numbered across the pages); the
    .xlsx and the PDF carry the whole period."""
    scoping.require_issues_reader(request.user)
    start, end, problem = _period(request)
    context = {"start": start, "end": end, "problem": problem, "report": None}
    if not problem:
        lines = selectors.register_lines(request.user, start, end)
        page = Paginator(lines, REGISTER_PAGE).get_page(request.GET.get("page"))
        context["report"] = selectors.Register(
            start=start,
            end=end,
            rows=selectors.register_rows(page.object_list, first_number=page.start_index()),
            totals=selectors.register_totals(request.user, start, end),
        )
        context["page"] = page
        if not page.paginator.count:
            context["empty"] = _no_issues(request, start, end)
            context["report"] = None
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
    return render(
        request, "supplies/reports/register.html", context, status=400 if problem else 200
    )


@login_required
def register_xlsx(request):
    scoping.require_issues_reader(request.user)
    return _period_workbook(request, selectors.requisition_register, sheets.register_workbook)


@login_required
def register_pdf(request):
    """The register to print and file: A4 landscape, numbered rows, the compiler."""
    scoping.require_issues_reader(request.user)
    start, end, problem = _period(request)
    if problem:
        return bad_request(problem)
    context = {
        "register": selectors.requisition_register(request.user, start, end),
        "compiler": _compiler(request),
        "printed_on": timezone.localdate(),
    }
    return pdf_response(
        "supplies/pdf/register.html",
        context,
        f"register-{start.isoformat()}-{end.isoformat()}.pdf",
        request=request,
    )


# ---- where a donation went ----------------------------------------------------------------


def _donation(request):
    scoping.require_stock_reader(request.user)
    supplier = _choice(request, "supplier", Supplier.objects.all())
    trace = selectors.donation_trace(request.user, supplier) if supplier else None
    return supplier, trace


@login_required
def donation_trace(request):
    supplier, trace = _donation(request)
    context = {
        "supplier": supplier,
        "trace": trace,
        "suppliers": Supplier.objects.filter(lots__isnull=False).distinct().order_by("name"),
    }
    return render(request, "supplies/reports/donation_trace.html", context)


@login_required
def donation_trace_xlsx(request):
    supplier, trace = _donation(request)
    if trace is None:
        return bad_request(_("Choose a donor or supplier."))
    return sheets.donation_workbook(trace, chinese=_chinese())


# ---- days of supply and items below their minimum -----------------------------------------


def _on(request):
    errors: list[str] = []
    text = request.GET.get("on", "").strip()
    on = timezone.localdate()
    if text:
        try:
            on = datetime.date.fromisoformat(text)
        except ValueError:
            errors.append(
                _("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).")
                % {"field": _("As of"), "value": text[:20]}
            )
    if on > timezone.localdate():
        errors.append(_("The date %(date)s is in the future.") % {"date": on.isoformat()})
        on = timezone.localdate()
    return on, " ".join(errors) or None


@login_required
def days_of_supply(request):
    scoping.require_stock_reader(request.user)
    on, problem = _on(request)
    context = {
        "on": on,
        "problem": problem,
        "rows": [] if problem else selectors.days_of_supply(request.user, on),
        "window": selectors.SUPPLY_WINDOW_DAYS,
        "low": selectors.below_minimum(request.user),
    }
    return render(
        request, "supplies/reports/days_of_supply.html", context, status=400 if problem else 200
    )


@login_required
def days_of_supply_xlsx(request):
    scoping.require_stock_reader(request.user)
    on, problem = _on(request)
    if problem:
        return bad_request(problem)
    rows = selectors.days_of_supply(request.user, on)
    return sheets.days_workbook(rows, chinese=_chinese(), on=on)


# ---- the donor acknowledgement (捐赠接收确认函) ----------------------------------------------


def _acknowledgement(request, pk: int) -> dict:
    scoping.require_stock_reader(request.user)
    receipt = core_scoping.get_visible_or_404(
        selectors.receipts_visible_to(request.user).select_related(
            "source", "supplier", "store", "created_by"
        ),
        pk=pk,
    )
    lines = list(receipt.lines.select_related("item").order_by("pk"))
    return {
        "receipt": receipt,
        "lines": lines,
        "signed_by": _compiler(request),
        "printed_on": timezone.localdate(),
    }


@login_required
def receipt_acknowledgement(request, pk: int):
    context = _acknowledgement(request, pk)
    return render(request, "supplies/reports/acknowledgement.html", context)


@login_required
def receipt_acknowledgement_pdf(request, pk: int):
    context = _acknowledgement(request, pk)
    return pdf_response(
        "supplies/pdf/acknowledgement.html",
        context,
        f"acknowledgement-{context['receipt'].number}.pdf",
        request=request,
    )
