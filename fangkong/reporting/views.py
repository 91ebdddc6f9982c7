"""Pages of the daily check-in. Thin: fetch through scoping/selectors, write through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fangkong.core import scoping as core_scoping
from fangkong.core.forms import ImportForm
from fangkong.core.views import apply_errors, is_partial
from fangkong.reporting import checkin_sheets, scoping, selectors, services
from fangkong.reporting.forms import (
    CheckinForm,
    CorrectionForm,
    DayForm,
    OfficerCheckinForm,
    PolicyForm,
)
from fangkong.reporting.models import HealthCheckin, ReportingPolicy
from fangkong.spreadsheets import XLSX_CONTENT_TYPE, workbook_response

PAGE_SIZE = 50


def _visible_checkin(request, pk) -> HealthCheckin:
    return core_scoping.get_visible_or_404(
        scoping.checkins_visible_to(request.user).select_related(
            "person__unit", "entered_by", "superseded_by"
        ),
        pk=pk,
    )


def _require_day_page(user) -> None:
    if not scoping.can_see_unit_days(user):
        raise PermissionDenied(_("Your role does not show units' check-ins."))


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
        if request.method == "POST" and form.is_valid():
            try:
                checkin = services.submit_checkin(request.user, person, **form.answers())
            except ValidationError as error:
                apply_errors(form, error)
            else:
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
    context = {"person": person, "today": today, "checkin": existing, "form": form}
    status = 400 if form is not None and form.errors else 200
    return render(request, "reporting/my_checkin.html", context, status=status)


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
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.correct_checkin(
                request.user, checkin, reason=form.cleaned_data["reason"], **form.answers()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Correction saved; the earlier answers are kept."))
            if correction.person_id == request.user.person_id:
                return redirect("reporting:my-checkin")
            return redirect("reporting:checkin-detail", pk=correction.pk)
    return render(
        request,
        "reporting/checkin_correct.html",
        {"form": form, "checkin": checkin},
        status=400 if form.errors else 200,
    )


@login_required
def day(request):
    """A unit's day: who checked in (abnormal rows first to the eye), who has not."""
    _require_day_page(request.user)
    form = DayForm(request.GET or None, user=request.user)
    filters = form.filters()
    day_, unit = filters["day"], filters["unit"]
    checkins = selectors.checkins_for_day(request.user, day_, unit=unit, q=filters["q"])
    page = Paginator(checkins, PAGE_SIZE).get_page(request.GET.get("page"))
    # The list of who has not checked in is a unit's; across all units it is only counted.
    missing = selectors.people_without_checkin(request.user, day_, unit) if unit else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "day": day_,
        "unit": unit,
        "page": page,
        "missing": missing,
        "summary": selectors.day_summary(request.user, day_, unit),
        "query": query.urlencode(),
        "export_query": urlencode({"date": day_.isoformat(), **({"unit": unit} if unit else {})}),
        "can_enter": scoping.can_enter_for_others(request.user),
    }
    template = "reporting/_day_rows.html" if is_partial(request) else "reporting/day.html"
    return render(request, template, context)


@login_required
def day_export(request):
    _require_day_page(request.user)
    form = DayForm(request.GET or None, user=request.user)
    filters = form.filters()
    checkins = selectors.checkins_for_day(
        request.user, filters["day"], unit=filters["unit"], q=filters["q"]
    )
    return workbook_response(
        f"checkins-{filters['day'].isoformat()}.xlsx",
        _("Check-ins"),
        checkin_sheets.EXPORT_COLUMNS,
        checkin_sheets.export_rows(checkins),
        chinese=get_language().startswith("zh"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def enter_checkin(request):
    """An officer (or the office) enters the check-in of a person of the unit."""
    if not scoping.can_enter_for_others(request.user):
        raise PermissionDenied(_("Your role does not allow entering check-ins for others."))
    initial = {"date": timezone.localdate()}
    if request.GET.get("person_number"):
        initial["person_number"] = request.GET["person_number"][:32]
    if request.GET.get("date"):
        initial["date"] = request.GET["date"][:10]
    form = OfficerCheckinForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person_number"]
        try:
            checkin = services.submit_checkin(
                request.user, person, date=form.cleaned_data["date"], **form.answers()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Check-in of %(name)s for %(date)s recorded.")
                % {"name": person.name, "date": checkin.date.isoformat()},
            )
            return redirect(
                reverse("reporting:day") + "?" + urlencode({"date": checkin.date.isoformat()})
            )
    return render(
        request, "reporting/enter_checkin.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_checkins(request):
    if not scoping.can_enter_for_others(request.user):
        raise PermissionDenied(_("Your role does not allow importing check-ins."))
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
    _require_day_page(request.user)
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
@require_http_methods(["GET", "POST"])
def policy(request):
    if not scoping.can_edit_policy(request.user):
        raise PermissionDenied(_("Only the prevention & control office changes the policy."))
    current = ReportingPolicy.current()
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            services.update_policy(request.user, reason=reason, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Reporting policy saved."))
            return redirect("reporting:policy")
    history = current.history.select_related("history_user").order_by("-history_id")[:20]
    return render(
        request,
        "reporting/policy.html",
        {"form": form, "policy": current, "history": history},
        status=400 if form.errors else 200,
    )
