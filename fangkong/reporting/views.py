"""Pages of the daily check-in and the unit daily report. Thin: fetch through
scoping/selectors, write through services."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fangkong.core import scoping as core_scoping
from fangkong.core.forms import ImportForm
from fangkong.core.models import Unit
from fangkong.core.pages import bad_request, is_partial, submit
from fangkong.reporting import (
    checkin_sheets,
    figures,
    report_sheets,
    scoping,
    selectors,
    services,
)
from fangkong.reporting.forms import (
    ApproveForm,
    CheckinForm,
    CorrectFigureForm,
    CorrectionForm,
    OfficerCheckinForm,
    PeriodForm,
    PolicyForm,
    ReportDayForm,
    ReportFieldForm,
    ReportForm,
    ReturnForm,
    ValidationRuleForm,
)
from fangkong.reporting.models import (
    HealthCheckin,
    ReportEvent,
    ReportField,
    ReportingPolicy,
    UnitReport,
    ValidationRule,
)
from fangkong.spreadsheets import XLSX_CONTENT_TYPE, workbook_response

PAGE_SIZE = 50


def _visible_checkin(request, pk) -> HealthCheckin:
    return core_scoping.get_visible_or_404(
        scoping.checkins_visible_to(request.user).select_related(
            "person__unit", "entered_by", "superseded_by"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_checkin(request):
    """The member's one-column phone page: today's check-in, or what was given today."""
    person = request.user.person
    today = timezone.localdate()
    existing = selectors.todays_checkin(request.user.person_id, today)
    form = None
    if person is not None and existing is None:
        # Never pre-filled: not from yesterday, not from anything (see CheckinForm).
        form = CheckinForm(request.POST or None)

    def recorded(checkin):
        if checkin.is_abnormal:
            messages.warning(
                request,
                _(
                    "Check-in recorded. Your answers are flagged: your unit and the "
                    "prevention & control office can see them now."
                ),
            )
        else:
            messages.success(request, _("Check-in recorded. Thank you."))
        return redirect("reporting:my-checkin")

    return submit(
        request,
        form,
        lambda _data: services.submit_checkin(request.user, person, **form.answers()),
        template="reporting/my_checkin.html",
        context={"person": person, "today": today, "checkin": existing},
        redirect_to=recorded,
    )


@login_required
def checkin_detail(request, pk):
    checkin = _visible_checkin(request, pk)
    versions = selectors.versions_of(checkin)
    current = next((version for version in versions if version.is_current), None)
    context = {
        "checkin": checkin,
        "versions": versions,
        "current": current,
        "can_correct": current is not None
        and scoping.can_write_checkin_for(request.user, checkin.person),
    }
    return render(request, "reporting/checkin_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_correct(request, pk):
    checkin = _visible_checkin(request, pk)
    scoping.require_checkin_writer(request.user, checkin.person)
    if not checkin.is_current:
        current = selectors.versions_of(checkin)[-1]
        return redirect("reporting:checkin-correct", pk=current.pk)
    form = CorrectionForm(request.POST or None, initial=CorrectionForm.initial_from(checkin))

    def corrected(correction):
        if correction.person_id == request.user.person_id:
            return redirect("reporting:my-checkin")
        return redirect("reporting:checkin-detail", pk=correction.pk)

    return submit(
        request,
        form,
        lambda data: services.correct_checkin(
            request.user, checkin, reason=data["reason"], **form.answers()
        ),
        template="reporting/checkin_correct.html",
        context={"checkin": checkin},
        success=_("Correction saved; the earlier answers are kept."),
        redirect_to=corrected,
    )


@login_required
def day(request):
    """A unit's day: who checked in (abnormal rows first to the eye), who has not."""
    scoping.require_unit_days_reader(request.user)
    checkins = selectors.checkins_for(request.user, request.GET)
    day_, unit = checkins.filterset.day, checkins.filterset.unit_id
    page = Paginator(checkins.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # The list of who has not checked in is a unit's; across all units it is only counted.
    missing = selectors.people_without_checkin(request.user, day_, unit) if unit else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": checkins.form,
        "day": day_,
        "unit": unit,
        "page": page,
        "missing": missing,
        "summary": selectors.day_summary(request.user, day_, unit),
        "query": query.urlencode(),
        "export_query": query.urlencode(),
        "can_enter": scoping.can_enter_for_others(request.user),
    }
    template = "reporting/_day_rows.html" if is_partial(request) else "reporting/day.html"
    return render(request, template, context, status=200 if checkins.ok else 400)


@login_required
def day_export(request):
    """The day page's rows (the same filter) as a workbook."""
    scoping.require_unit_days_reader(request.user)
    checkins = selectors.checkins_for(request.user, request.GET)
    if not checkins.ok:
        return bad_request(
            " ".join(str(message) for messages in checkins.errors.values() for message in messages)
        )
    return workbook_response(
        f"checkins-{checkins.filterset.day.isoformat()}.xlsx",
        _("Check-ins"),
        checkin_sheets.EXPORT_COLUMNS,
        checkin_sheets.export_rows(checkins.rows),
        chinese=get_language().startswith("zh"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def enter_checkin(request):
    """An officer (or the office) enters the check-in of a person of the unit."""
    scoping.require_checkin_enterer(request.user)
    initial = {"date": timezone.localdate()}
    if request.GET.get("person_number"):
        initial["person_number"] = request.GET["person_number"][:32]
    if request.GET.get("date"):
        initial["date"] = request.GET["date"][:10]
    form = OfficerCheckinForm(request.POST or None, initial=initial, user=request.user)
    return submit(
        request,
        form,
        lambda data: services.submit_checkin(
            request.user, data["person_number"], date=data["date"], **form.answers()
        ),
        template="reporting/enter_checkin.html",
        success=lambda checkin: (
            _("Check-in of %(name)s for %(date)s recorded.")
            % {"name": checkin.person.name, "date": checkin.date.isoformat()}
        ),
        redirect_to=lambda checkin: (
            reverse("reporting:day") + "?" + urlencode({"date": checkin.date.isoformat()})
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_checkins(request):
    scoping.require_checkin_importer(request.user)
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = services.import_checkins(request.user, form.cleaned_data["file"])
        if result.ok:
            messages.success(
                request,
                ngettext(
                    "%(count)d check-in imported.", "%(count)d check-ins imported.", result.created
                )
                % {"count": result.created},
            )
            return redirect("reporting:day")
    refused = form.errors or (result is not None and not result.ok)
    status = 400 if request.method == "POST" and refused else 200
    return render(request, "reporting/import.html", {"form": form, "result": result}, status=status)


@login_required
def import_template(request):
    response = HttpResponse(checkin_sheets.template_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="checkins-template.xlsx"'
    return response


@login_required
def flagged(request):
    """Today's flagged check-ins in the user's scope."""
    scoping.require_unit_days_reader(request.user)
    today = timezone.localdate()
    checkins = selectors.flagged_checkins(request.user, today)
    return render(request, "reporting/flagged.html", {"checkins": checkins, "today": today})


@login_required
def flagged_block(request):
    """The home page's block: today's flagged count and the first few, for an htmx load."""
    if not scoping.can_see_unit_days(request.user):
        return HttpResponse(status=204)
    today = timezone.localdate()
    checkins = list(selectors.flagged_checkins(request.user, today)[:6])
    context = {
        "flagged": checkins[:5],
        "flagged_more": len(checkins) > 5,
        "flagged_count": selectors.flagged_count(request.user, today),
    }
    return render(request, "reporting/_flagged_block.html", context)


@login_required
def my_checkin_block(request):
    """The home page's block for a person on the books: is today's check-in done."""
    if not request.user.person_id:
        return HttpResponse(status=204)
    today = timezone.localdate()
    context = {"checkin": selectors.todays_checkin(request.user.person_id, today)}
    return render(request, "reporting/_my_checkin_block.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def policy(request):
    scoping.require_policy_editor(request.user)
    current = ReportingPolicy.current()
    form = PolicyForm(request.POST or None, instance=current)

    def save(data):
        reason = data.pop("reason", "")
        return services.update_policy(request.user, reason=reason, **data)

    history = current.history.select_related("history_user").order_by("-history_id")[:20]
    return submit(
        request,
        form,
        save,
        template="reporting/policy.html",
        context={"policy": current, "history": history},
        success=_("Reporting policy saved."),
        redirect_to="reporting:policy",
    )


# ---- unit daily reports -------------------------------------------------------------------


def _parse_day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise Http404(_("No such day.")) from None


def _report_unit(request, unit_id: int) -> Unit:
    """The unit whose report `request.user` may open: any for those who see every unit's
    reports, else only the unit they fill in for (another answers 404)."""
    user = request.user
    unit = get_object_or_404(Unit, pk=unit_id)
    if not (scoping.sees_all_reports(user) or scoping.can_fill_report_for(user, unit.pk)):
        raise Http404(_("No such report."))
    return unit


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _visible_report(request, pk) -> UnitReport:
    return core_scoping.get_visible_or_404(
        scoping.reports_visible_to(request.user).select_related("unit"), pk=pk
    )


@login_required
def reports(request):
    """The day's reports: an officer's own unit (fill in, or nothing to report), or every
    expected unit for the office, with who has not reported yet."""
    scoping.require_reports_reader(request.user)
    form = ReportDayForm(request.GET or None)
    day_ = form.day()
    table = selectors.consolidated(request.user, day_)
    recent = None
    if not scoping.sees_all_reports(request.user):
        recent = selectors.reports_for(request.user).rows[:14]
    context = {
        "form": form,
        "day": day_,
        "table": table,
        "not_reported": [
            row.unit for row in table.rows if not (row.report and row.report.is_reported)
        ],
        "recent": recent,
        "can_review": scoping.can_review_reports(request.user),
        "can_keep_fields": scoping.can_keep_report_fields(request.user),
        "can_fill": {
            row.unit.pk
            for row in table.rows
            if scoping.can_fill_report_for(request.user, row.unit.pk)
        },
    }
    return render(request, "reporting/reports.html", context)


@login_required
def reports_export(request):
    scoping.require_reports_reader(request.user)
    period = PeriodForm(request.GET or None).period()
    reports = selectors.reports_for(request.user, {"start": period.start, "end": period.end})
    return report_sheets.reports_workbook(reports.rows, chinese=_chinese())


@login_required
@require_http_methods(["GET", "POST"])
def report(request, unit_id: int, day: str):
    """One unit's report for one day: the officer's form while it is a draft or returned;
    otherwise its figures with who gave each, the records beside them, the rules and the
    steps, and the office's review."""
    scoping.require_reports_reader(request.user)
    day_ = _parse_day(day)
    unit = _report_unit(request, unit_id)
    report_ = UnitReport.objects.filter(unit=unit, date=day_).first()
    user = request.user
    can_fill = scoping.can_fill_report_for(user, unit.pk) and (
        report_ is None or report_.status in (UnitReport.Status.DRAFT, UnitReport.Status.RETURNED)
    )
    policy = ReportingPolicy.current()
    today = timezone.localdate()
    day_problem = services.report_day_problem(day_, today, policy)
    form = None
    if can_fill and day_problem is None:
        report_fields = services.active_fields()
        current = services.current_values(report_) if report_ else {}
        form = ReportForm(
            request.POST or None,
            report_fields=report_fields,
            figures=figures.unit_figures(unit.pk, day_),
            current=current,
            initial={"note": report_.note if report_ else ""},
        )
    elif request.method == "POST":
        raise PermissionDenied(_("This report cannot be changed here."))
    submitting = "submit" in request.POST

    def save(data):
        arguments = {
            "values": form.values(),
            "reasons": form.reasons(),
            "note": data.get("note", ""),
            "submit": submitting,
        }
        if report_ is None:
            return services.create_report(user, unit, day_, **arguments)
        return services.update_report(user, report_, **arguments)

    def context():
        context = {
            "unit": unit,
            "day": day_,
            "report": report_,
            "form": form,
            "day_problem": day_problem if can_fill else None,
            "can_review": scoping.can_review_reports(user)
            and report_ is not None
            and report_.status == UnitReport.Status.SUBMITTED,
            "can_nil": form is not None and (report_ is None or not report_.values.exists()),
        }
        if report_ is not None:
            context["figures"] = selectors.reconciliation(report_)
            context["rules"] = selectors.report_rule_results(report_)
            context["events"] = selectors.report_events(report_)
            context["returned"] = (
                report_.events.filter(action=ReportEvent.Action.RETURNED).order_by("-at").first()
                if report_.status == UnitReport.Status.RETURNED
                else None
            )
        if context["can_review"]:
            context["return_form"] = ReturnForm()
            context["correct_form"] = CorrectFigureForm()
            context["approve_form"] = ApproveForm()
        return context

    return submit(
        request,
        form,
        save,
        template="reporting/report.html",
        context=context,
        success=_("Report submitted to the office.") if submitting else _("Draft saved."),
        redirect_to=redirect("reporting:report", unit_id=unit.pk, day=day_.isoformat()),
        errors=lambda form, error: form.apply_errors(error),
    )


@login_required
def report_export(request, pk):
    report_ = _visible_report(request, pk)
    return report_sheets.report_workbook(
        report_, selectors.reconciliation(report_), chinese=_chinese()
    )


@login_required
@require_POST
def report_nil(request, unit_id: int, day: str):
    scoping.require_reports_reader(request.user)
    day_ = _parse_day(day)
    unit = _report_unit(request, unit_id)
    try:
        services.submit_nil_report(request.user, unit, day_)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Nil report submitted: nothing to report today."))
    return redirect("reporting:report", unit_id=unit.pk, day=day_.isoformat())


def _review(request, pk, form_class, act, done: str):
    report_ = _visible_report(request, pk)
    scoping.require_reviewer(request.user)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(report_, form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("reporting:report", unit_id=report_.unit_id, day=report_.date.isoformat())


@login_required
@require_POST
def report_return(request, pk):
    return _review(
        request,
        pk,
        ReturnForm,
        lambda report_, data: services.return_report(request.user, report_, data["comment"]),
        _("Report returned to the unit."),
    )


@login_required
@require_POST
def report_correct(request, pk):
    return _review(
        request,
        pk,
        CorrectFigureForm,
        lambda report_, data: services.correct_report_value(
            request.user, report_, data["field"], data["value"], data["reason"]
        ),
        _("Figure corrected; the unit's figure is kept."),
    )


@login_required
@require_POST
def report_approve(request, pk):
    return _review(
        request,
        pk,
        ApproveForm,
        lambda report_, data: services.approve_report(
            request.user, report_, comment=data.get("comment", "")
        ),
        _("Report approved."),
    )


@login_required
def completeness(request):
    scoping.require_reports_reader(request.user)
    form = PeriodForm(request.GET or None)
    start, end, problem = form.period()
    table = None if problem else selectors.completeness(request.user, start, end)
    context = {"form": form, "start": start, "end": end, "problem": problem, "table": table}
    if table is not None and not table.total.reported:
        context["empty"] = _no_reports_in(request, start, end)
    return render(request, "reporting/completeness.html", context, status=400 if problem else 200)


def _no_reports_in(request, start: datetime.date, end: datetime.date) -> dict:
    """What a period without a report says: none from start to end, and the latest day
    with one, linked to the same number of days up to it (or that there is none yet)."""
    text = _("No unit submitted a report from %(start)s to %(end)s.") % {
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    day = selectors.latest_report_day(request.user, start)
    if day is None:
        return {"text": text + " " + _("There are none before it either.")}
    days = (end - start).days
    query = urlencode({"start": (day - datetime.timedelta(days=days)).isoformat(), "end": day})
    return {
        "text": text + " " + _("The latest report is for %(day)s.") % {"day": day.isoformat()},
        "link": f"?{query}",
        "link_text": _("Show the %(days)d days up to %(day)s")
        % {"days": days + 1, "day": day.isoformat()},
    }


@login_required
def completeness_export(request):
    scoping.require_reports_reader(request.user)
    start, end, problem = PeriodForm(request.GET or None).period()
    if problem:
        return bad_request(problem)
    table = selectors.completeness(request.user, start, end)
    return report_sheets.completeness_workbook(table, chinese=_chinese())


@login_required
def consolidated(request):
    scoping.require_reports_reader(request.user)
    form = ReportDayForm(request.GET or None)
    table = selectors.consolidated(request.user, form.day())
    return render(request, "reporting/consolidated.html", {"form": form, "table": table})


@login_required
def consolidated_export(request):
    scoping.require_reports_reader(request.user)
    table = selectors.consolidated(request.user, ReportDayForm(request.GET or None).day())
    return report_sheets.consolidated_workbook(
        table,
        compiler=request.user.get_full_name() or request.user.username,
        chinese=_chinese(),
        school_name=ReportingPolicy.current().school_name,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_fields(request):
    """The office defines the report: its figures, their order and sources, and the rules
    between them."""
    scoping.require_field_keeper(request.user)
    field_form = ReportFieldForm(request.POST if "add_field" in request.POST else None)
    del field_form.fields["reason"]  # asked when a figure is changed, not when it is added
    rule_form = ValidationRuleForm(request.POST if "add_rule" in request.POST else None)
    # One page, two forms: the one posted is the one checked (and answered 400).
    form, create = (
        (field_form, services.create_report_field)
        if "add_field" in request.POST
        else (rule_form, services.create_validation_rule)
    )

    # The tables' filter ("in use") is the API's for each list, through the same selectors.
    fields = selectors.report_fields_for(request.user, request.GET)
    rules = selectors.validation_rules_for(request.user, request.GET)

    def save(data):
        data.pop("reason", None)
        return create(request.user, **data)

    response = submit(
        request,
        form,
        save,
        template="reporting/report_fields.html",
        context=lambda: {
            "fields": fields.rows,
            "rules": rules.rows,
            "filter_form": fields.form,
            "field_form": field_form,
            "rule_form": rule_form,
        },
        success=_("Saved."),
        redirect_to="reporting:report-fields",
    )
    if response.status_code == 200 and not (fields.ok and rules.ok):
        response.status_code = 400
    return response


@login_required
def report_fields_export(request):
    scoping.require_reports_reader(request.user)
    fields = ReportField.objects.order_by("-is_active", "order", "code")
    rules = ValidationRule.objects.select_related("left", "right").order_by("-is_active", "pk")
    return report_sheets.definition_workbook(fields, rules, chinese=_chinese())


@login_required
@require_http_methods(["GET", "POST"])
def report_field_edit(request, pk):
    scoping.require_field_keeper(request.user)
    field = get_object_or_404(ReportField, pk=pk)
    form = ReportFieldForm(request.POST or None, instance=field)
    form.fields["code"].disabled = True

    def save(data):
        reason = data.pop("reason", "")
        data.pop("code", None)
        return services.update_report_field(request.user, field, reason=reason, **data)

    return submit(
        request,
        form,
        save,
        template="reporting/report_field_edit.html",
        context={"field": field},
        success=_("Saved."),
        redirect_to="reporting:report-fields",
    )


@login_required
@require_POST
def validation_rule_toggle(request, pk):
    scoping.require_field_keeper(request.user)
    rule = get_object_or_404(ValidationRule, pk=pk)
    services.update_validation_rule(
        request.user, rule, is_active=not rule.is_active, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("Saved."))
    return redirect("reporting:report-fields")


@login_required
def reports_block(request):
    """The home page's block: today's unit reports — the officer's own, or how many units
    have reported and which have not."""
    if not scoping.sees_reports(request.user):
        return HttpResponse(status=204)
    today = timezone.localdate()
    expected = list(selectors.expected_units(request.user))
    not_reported = selectors.units_not_reported(request.user, today)
    own = None
    if request.user.unit_id and scoping.can_fill_report_for(request.user, request.user.unit_id):
        own = UnitReport.objects.filter(unit_id=request.user.unit_id, date=today).first()
    context = {
        "today": today,
        "expected": expected,
        "not_reported": not_reported,
        "reported": len(expected) - len(not_reported),
        "own": own,
        "officer": not scoping.sees_all_reports(request.user),
    }
    return render(request, "reporting/_reports_block.html", context)
