"""The gate reports as pages and .xlsx: passes issued by type, crossings per gate per hour,
refusals by reason, who is out of a family area now, households that used their quota.
Thin: the selectors (which check who may read) in, a template or a workbook out."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from fangkong.access import scoping, selectors, sheets
from fangkong.core import periods
from fangkong.core.pages import bad_request

DEFAULT_DAYS = 30


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _compiler(request) -> str:
    return request.user.get_full_name() or request.user.username


def _period(request) -> periods.Period:
    """(start, end, problem) from GET `start` and `end`: the last 30 days by default."""
    return periods.period_from(request.GET, DEFAULT_DAYS)


def _day(request) -> tuple[datetime.date, str | None]:
    return periods.day_from(request.GET)


@login_required
def index(request):
    scoping.require_report_reader(request.user)
    return render(request, "access/reports/index.html")


def _period_page(request, template: str, build):
    scoping.require_report_reader(request.user)
    start, end, problem = _period(request)
    context = {"start": start, "end": end, "problem": problem, "report": None}
    if not problem:
        context["report"] = build(request.user, start, end)
    return render(request, template, context, status=400 if problem else 200)


def _period_workbook(request, build, workbook):
    scoping.require_report_reader(request.user)
    start, end, problem = _period(request)
    if problem:
        return bad_request(problem)
    report = build(request.user, start, end)
    return workbook(report, chinese=_chinese(), compiler=_compiler(request))


def _day_page(request, template: str, build):
    scoping.require_report_reader(request.user)
    day, problem = _day(request)
    context = {"day": day, "problem": problem, "report": None}
    if not problem:
        context["report"] = build(request.user, day)
    return render(request, template, context, status=400 if problem else 200)


def _day_workbook(request, build, workbook):
    scoping.require_report_reader(request.user)
    day, problem = _day(request)
    if problem:
        return bad_request(problem)
    return workbook(build(request.user, day), chinese=_chinese(), compiler=_compiler(request))


@login_required
def passes(request):
    return _period_page(request, "access/reports/passes.html", selectors.passes_by_type)


@login_required
def passes_xlsx(request):
    return _period_workbook(request, selectors.passes_by_type, sheets.passes_workbook)


@login_required
def crossings(request):
    return _day_page(request, "access/reports/crossings.html", selectors.crossings_by_hour)


@login_required
def crossings_xlsx(request):
    return _day_workbook(request, selectors.crossings_by_hour, sheets.crossings_workbook)


@login_required
def refusals(request):
    return _period_page(request, "access/reports/refusals.html", selectors.refusals_by_reason)


@login_required
def refusals_xlsx(request):
    return _period_workbook(request, selectors.refusals_by_reason, sheets.refusals_workbook)


@login_required
def out_now(request):
    scoping.require_report_reader(request.user)
    at = timezone.now()
    context = {"areas": selectors.out_now(request.user, at), "at": at}
    return render(request, "access/reports/out_now.html", context)


@login_required
def out_now_xlsx(request):
    scoping.require_report_reader(request.user)
    at = timezone.now()
    areas = selectors.out_now(request.user, at)
    return sheets.out_workbook(areas, chinese=_chinese(), compiler=_compiler(request), at=at)


@login_required
def quota(request):
    return _day_page(request, "access/reports/quota.html", selectors.quota_used)


@login_required
def quota_xlsx(request):
    return _day_workbook(request, selectors.quota_used, sheets.quota_workbook)
