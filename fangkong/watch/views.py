"""Pages of the key-person ledger. Thin: fetch through scoping/selectors, write through
services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fangkong.core import scoping as core_scoping
from fangkong.core.pages import act, is_partial, submit
from fangkong.spreadsheets import workbook_response
from fangkong.watch import exports, scoping, selectors, services
from fangkong.watch.forms import (
    CheckCorrectionForm,
    ChecksDayForm,
    ClearForm,
    CloseIncidentForm,
    ComplianceForm,
    CorrectionForm,
    DayForm,
    DrawForm,
    EndCaseForm,
    FollowUpForm,
    IncidentActionForm,
    IncidentForm,
    IncidentStatusForm,
    IsolationCaseForm,
    IsolationCheckForm,
    IsolationPolicyForm,
    IsolationRoomForm,
    KeyPersonForm,
    LinkCaseForm,
    LinkPeopleForm,
    RegionForm,
    TransferForm,
)
from fangkong.watch.models import (
    CheckSlot,
    IsolationPolicy,
    IsolationRoom,
    KeyPerson,
    RegionOfConcern,
)

PAGE_SIZE = 50


def _visible_entry(request, pk) -> KeyPerson:
    return core_scoping.get_visible_or_404(
        scoping.key_persons_visible_to(request.user).select_related(
            "person__unit", "region", "responsible", "listed_by", "verified_by", "cleared_by"
        ),
        pk=pk,
    )


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _list_context(request, form, found) -> dict:
    """A list page's filter form, the requested page of `found`, and the query string the
    pagination links keep (the filters without the page)."""
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"form": form, "page": page, "query": query.urlencode()}


def _workbook(filename: str, title: str, columns, rows):
    """A list as an .xlsx download, its headers in the page's language."""
    return workbook_response(filename, title, columns, rows, chinese=_chinese())


def _redirect_next_or(request, to: str, **kwargs):
    """Back to the page the form was posted from when it says so (the day's list), if that
    is a page of this site; otherwise to `to`."""
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(to, **kwargs)


def _edit_with_reason(request, record, form_class, update, name: str, template: str, done: str):
    """The office's edit page of a region, a room or a policy: the changes and their reason
    go to `update`; the record's history is shown beside the form."""
    form = form_class(request.POST or None, instance=record)

    def save(data):
        reason = data.pop("reason", "")
        return update(request.user, record, reason=reason, **data)

    return submit(
        request,
        form,
        save,
        template=template,
        context=lambda: {name: record, "history": selectors.history_of(record)},
        success=_("Changes saved."),
        redirect_to=done,
    )


# ---- the ledger ---------------------------------------------------------------------------


@login_required
def ledger(request):
    scoping.require_ledger_reader(request.user)
    entries = selectors.key_persons_for(request.user, request.GET)
    context = _list_context(request, entries.form, entries.rows)
    # The counts are per category whatever the search: the other filters only.
    counted = request.GET.copy()
    for key in ("category", "q", "page"):
        counted.pop(key, None)
    context.update(
        counts=selectors.ledger_counts(selectors.key_persons_for(request.user, counted).rows),
        can_list=scoping.can_list_key_persons(request.user),
    )
    template = "watch/_ledger_rows.html" if is_partial(request) else "watch/ledger.html"
    return render(request, template, context, status=200 if entries.ok else 400)


@login_required
def ledger_export(request):
    scoping.require_ledger_reader(request.user)
    # A bad filter exports no rows.
    entries = selectors.key_persons_for(request.user, request.GET).rows.select_related("cleared_by")
    return _workbook(
        f"key-persons-{timezone.localdate().isoformat()}.xlsx",
        _("Key persons"),
        exports.LEDGER_COLUMNS,
        exports.ledger_rows(entries),
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request):
    scoping.require_key_person_lister(request.user)
    initial = {"person_number": request.GET.get("person", "")[:32]}
    form = KeyPersonForm(request.POST or None, user=request.user, initial=initial)

    def save(data):
        data["person"] = data.pop("person_number")
        return services.list_key_person(request.user, **data)

    return submit(
        request,
        form,
        save,
        template="watch/entry_form.html",
        success=lambda entry: _("%(name)s listed.") % {"name": entry.person.name},
        redirect_to=lambda entry: redirect("watch:entry-detail", pk=entry.pk),
    )


@login_required
def entry_detail(request, pk):
    entry = _visible_entry(request, pk)
    user = request.user
    can_write = scoping.can_write_ledger_in_unit(user, entry.person.unit_id)
    context = {
        "entry": entry,
        "follow_ups": selectors.follow_ups_for(user, {"key_person": entry.pk}).rows,
        "history": selectors.history_of(entry),
        "can_write": can_write and entry.is_open,
        "can_verify": entry.is_open and not entry.is_verified and scoping.can_verify(user, entry),
        "can_follow_up": scoping.can_record_follow_up(user, entry.person.unit_id),
        "follow_up_form": FollowUpForm(initial={"kind": entry.follow_up_kind}),
        "clear_form": ClearForm(),
    }
    return render(request, "watch/entry_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk):
    entry = _visible_entry(request, pk)
    scoping.require_ledger_unit(request.user, entry.person.unit_id)
    form = KeyPersonForm(request.POST or None, instance=entry, user=request.user)

    def save(data):
        change_reason = data.pop("change_reason", "")
        if data.get("responsible") is None:
            data.pop("responsible", None)
        return services.update_key_person(request.user, entry, change_reason=change_reason, **data)

    return submit(
        request,
        form,
        save,
        template="watch/entry_form.html",
        context={"entry": entry},
        success=_("Changes saved."),
        redirect_to=lambda _result: redirect("watch:entry-detail", pk=entry.pk),
    )


@login_required
@require_POST
def entry_verify(request, pk):
    entry = _visible_entry(request, pk)
    return act(
        request,
        lambda: services.verify_key_person(request.user, entry),
        success=_("Entry verified."),
        redirect_to=redirect("watch:entry-detail", pk=entry.pk),
    )


@login_required
@require_POST
def entry_clear(request, pk):
    entry = _visible_entry(request, pk)
    scoping.require_ledger_unit(request.user, entry.person.unit_id)
    form = ClearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for clearing."))
        return redirect("watch:entry-detail", pk=entry.pk)
    return act(
        request,
        lambda: services.clear_key_person(
            request.user, entry, form.cleaned_data["reason"], form.cleaned_data.get("cleared_on")
        ),
        success=_("Entry cleared."),
        redirect_to=redirect("watch:entry-detail", pk=entry.pk),
    )


# ---- follow-ups ---------------------------------------------------------------------------


def _follow_up_values(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("reason", None)
    return {key: value for key, value in data.items() if value not in (None, "")}


@login_required
@require_POST
def follow_up_create(request, pk):
    entry = _visible_entry(request, pk)
    scoping.require_follow_up_unit(request.user, entry.person.unit_id)
    form = FollowUpForm(request.POST)
    return submit(
        request,
        form,
        lambda _data: services.record_follow_up(request.user, entry, **_follow_up_values(form)),
        template="watch/follow_up_form.html",
        context={"entry": entry},
        success=_("Follow-up recorded."),
        # From the day's follow-up list, back to it; from anywhere else, to the entry.
        redirect_to=lambda _result: _redirect_next_or(request, "watch:entry-detail", pk=entry.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_correct(request, pk):
    follow_up = core_scoping.get_visible_or_404(
        scoping.follow_ups_visible_to(request.user).select_related("key_person__person"), pk=pk
    )
    entry = follow_up.key_person
    scoping.require_follow_up_unit(request.user, entry.person.unit_id)
    initial = {
        "kind": follow_up.kind,
        "outcome": follow_up.outcome,
        "temperature": follow_up.temperature,
        "note": follow_up.note,
        "at": timezone.localtime(follow_up.at),
        "due_on": follow_up.due_on,
    }
    form = CorrectionForm(request.POST or None, initial=initial)

    def save(data):
        return services.supersede_follow_up(
            request.user,
            follow_up,
            reason=data["reason"],
            **{**_follow_up_values(form), "temperature": data["temperature"]},
        )

    return submit(
        request,
        form,
        save,
        template="watch/follow_up_form.html",
        context={"entry": entry, "correcting": follow_up},
        success=_("Correction recorded; the earlier record is kept."),
        redirect_to=lambda _result: redirect("watch:entry-detail", pk=entry.pk),
    )


@login_required
def due(request):
    """The day's follow-up list: the plans' due persons and the random checks drawn."""
    scoping.require_ledger_reader(request.user)
    day = DayForm(request.GET or None).day_or_today()
    rows = selectors.due_list(request.user, day)
    done = sum(1 for row in rows if row.followed_up)
    context = {
        "day": day,
        "rows": rows,
        "done": done,
        "draws": selectors.draws_for(request.user, day=day),
        "draw_form": DrawForm(initial={"day": day, "size": 5})
        if scoping.can_draw(request.user)
        else None,
        "today": timezone.localdate(),
    }
    return render(request, "watch/due.html", context)


@login_required
@require_POST
def draw_create(request):
    scoping.require_drawer(request.user)
    return submit(
        request,
        DrawForm(request.POST),
        lambda data: services.draw_random_check(request.user, **data),
        template="watch/draw_form.html",
        success=lambda draw: _("%(count)d persons drawn for a phone check.") % {"count": draw.size},
        redirect_to=lambda draw: redirect("watch:draw-detail", pk=draw.pk),
    )


@login_required
def draw_detail(request, pk):
    draw = core_scoping.get_visible_or_404(selectors.draws_for(request.user), pk=pk)
    redone = services.redo_draw(draw)
    people = {
        person.pk: person
        for person in core_scoping.people_visible_to(request.user)
        .filter(pk__in=draw.drawn)
        .select_related("unit")
    }
    context = {
        "draw": draw,
        "drawn": [people[pk] for pk in draw.drawn if pk in people],
        "reproduced": redone == draw.drawn,
    }
    return render(request, "watch/draw_detail.html", context)


# ---- compliance ---------------------------------------------------------------------------


@login_required
def compliance(request):
    scoping.require_ledger_reader(request.user)
    form = ComplianceForm(request.GET or None)
    start, end = form.range()
    table = selectors.compliance(request.user, start, end)
    return render(request, "watch/compliance.html", {"form": form, "table": table})


@login_required
def compliance_export(request):
    scoping.require_ledger_reader(request.user)
    start, end = ComplianceForm(request.GET or None).range()
    table = selectors.compliance(request.user, start, end)
    return exports.compliance_workbook(table, chinese=_chinese())


# ---- regions of concern -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def regions(request):
    """The dated list of regions of concern; the office adds to it here."""
    can_keep = scoping.can_keep_regions(request.user)
    if request.method == "POST":
        scoping.require_region_keeper(request.user)
    form = RegionForm(request.POST or None) if can_keep else None

    def context():
        day = timezone.localdate()
        return {
            "regions": selectors.regions(),
            "current": set(selectors.regions_of_concern_on(day).values_list("pk", flat=True)),
            "can_keep": can_keep,
        }

    return submit(
        request,
        form,
        lambda data: services.create_region(request.user, **data),
        template="watch/regions.html",
        context=context,
        success=lambda region: _("%(name)s added.") % {"name": region.name},
        redirect_to="watch:regions",
    )


@login_required
@require_http_methods(["GET", "POST"])
def region_edit(request, pk):
    scoping.require_region_keeper(request.user)
    region = core_scoping.get_visible_or_404(RegionOfConcern.objects.all(), pk=pk)
    return _edit_with_reason(
        request,
        region,
        RegionForm,
        services.update_region,
        "region",
        "watch/region_form.html",
        "watch:regions",
    )


@login_required
@require_POST
def region_end(request, pk):
    scoping.require_region_keeper(request.user)
    region = core_scoping.get_visible_or_404(RegionOfConcern.objects.all(), pk=pk)
    return act(
        request,
        lambda: services.end_region(request.user, region),
        success=_("%(name)s is no longer of concern.") % {"name": region.name},
        redirect_to="watch:regions",
    )


# ---- the home page's block ----------------------------------------------------------------


@login_required
def home_block(request):
    """Key persons under watch and today's follow-ups, for the home page (loaded by htmx);
    empty for roles without the ledger."""
    if not scoping.sees_ledger(request.user):
        return render(request, "watch/_home_block.html", {"show": False})
    today = timezone.localdate()
    rows = selectors.due_list(request.user, today)
    counts = selectors.ledger_counts(selectors.key_persons_for(request.user).rows)
    context = {
        "show": True,
        "counts": [row for row in counts if row["total"]],
        "due": len(rows),
        "done": sum(1 for row in rows if row.followed_up),
        "today": today,
    }
    return render(request, "watch/_home_block.html", context)


# ---- medical isolation --------------------------------------------------------------------


def _visible_case(request, pk):
    return core_scoping.get_visible_or_404(
        scoping.isolation_cases_visible_to(request.user).select_related(
            "person__unit",
            "household__building",
            "room__building",
            "policy",
            "opened_by",
            "ended_by",
        ),
        pk=pk,
    )


def _summary_range(request):
    """The period of the person-time counts: the month so far unless asked otherwise."""
    cases = selectors.isolation_cases_for(request.user, request.GET)
    today = timezone.localdate()
    start = end = None
    if cases.ok:
        data = cases.form.cleaned_data
        start, end = data.get("started_from"), data.get("started_until")
    end = end or today
    start = start or end.replace(day=1)
    return start, end


@login_required
def isolation(request):
    """The isolation cases: counts of today and of the period, then the list."""
    scoping.require_isolation_reader(request.user)
    cases = selectors.isolation_cases_for(request.user, request.GET)
    context = _list_context(request, cases.form, cases.rows)
    status = 200 if cases.ok else 400
    if is_partial(request):
        return render(request, "watch/_isolation_rows.html", context, status=status)
    start, end = _summary_range(request)
    context.update(
        summary=selectors.isolation_summary(request.user, timezone.localdate(), start, end),
        can_write=scoping.can_write_isolation(request.user),
    )
    return render(request, "watch/isolation.html", context, status=status)


@login_required
def isolation_export(request):
    scoping.require_isolation_reader(request.user)
    # A bad filter exports no rows.
    cases = selectors.isolation_cases_for(request.user, request.GET).rows.select_related(
        "opened_by"
    )
    return _workbook(
        f"isolation-{timezone.localdate().isoformat()}.xlsx",
        _("Isolation cases"),
        exports.ISOLATION_COLUMNS,
        exports.isolation_rows(cases),
    )


@login_required
def isolation_summary_export(request):
    scoping.require_isolation_reader(request.user)
    start, end = _summary_range(request)
    summary = selectors.isolation_summary(request.user, timezone.localdate(), start, end)
    return _workbook(
        f"isolation-counts-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        _("Person-times"),
        exports.SUMMARY_COLUMNS,
        exports.summary_rows(summary),
    )


@login_required
@require_http_methods(["GET", "POST"])
def isolation_create(request):
    scoping.require_isolation_writer(request.user)
    initial = {"person_number": request.GET.get("person", "")[:32]}
    form = IsolationCaseForm(request.POST or None, user=request.user, initial=initial)

    def save(data):
        data["person"] = data.pop("person_number")
        return services.start_isolation(request.user, **data)

    return submit(
        request,
        form,
        save,
        template="watch/isolation_form.html",
        success=lambda case: _("%(name)s is in isolation.") % {"name": case.person.name},
        redirect_to=lambda case: redirect("watch:isolation-detail", pk=case.pk),
    )


@login_required
def isolation_detail(request, pk):
    case = _visible_case(request, pk)
    can_write = scoping.can_write_isolation(request.user)
    context = {
        "case": case,
        "checks": selectors.isolation_checks_for(request.user, {"case": case.pk}).rows,
        "history": selectors.history_of(case),
        "incidents": selectors.visible_incidents(request.user).filter(isolation_cases=case),
        "can_write": can_write,
        "check_form": IsolationCheckForm() if can_write else None,
        "release_form": EndCaseForm(prefix="release") if can_write and case.is_open else None,
        "transfer_form": TransferForm(prefix="transfer") if can_write and case.is_open else None,
    }
    return render(request, "watch/isolation_detail.html", context)


@login_required
def isolation_checks_export(request, pk):
    case = _visible_case(request, pk)
    checks = selectors.isolation_checks_for(request.user, {"case": case.pk}).rows
    return _workbook(
        f"isolation-checks-{case.pk}.xlsx",
        _("Temperature checks"),
        exports.CHECK_COLUMNS,
        exports.check_rows(checks),
    )


def _end_case_view(request, pk, form_class, prefix, end):
    case = _visible_case(request, pk)
    scoping.require_isolation_writer(request.user)
    return submit(
        request,
        form_class(request.POST, prefix=prefix),
        lambda data: end(case, data),
        template="watch/isolation_end_form.html",
        context={"case": case, "prefix": prefix},
        success=_("The isolation has ended."),
        redirect_to=redirect("watch:isolation-detail", pk=case.pk),
    )


@login_required
@require_POST
def isolation_release(request, pk):
    def end(case, data):
        services.release_isolation(
            request.user, case, note=data["note"], end_date=data.get("end_date")
        )

    return _end_case_view(request, pk, EndCaseForm, "release", end)


@login_required
@require_POST
def isolation_transfer(request, pk):
    def end(case, data):
        services.transfer_to_hospital(
            request.user,
            case,
            hospital=data["hospital"],
            note=data["note"],
            end_date=data.get("end_date"),
        )

    return _end_case_view(request, pk, TransferForm, "transfer", end)


@login_required
@require_POST
def isolation_check_create(request, pk):
    case = _visible_case(request, pk)
    scoping.require_isolation_writer(request.user)
    form = IsolationCheckForm(request.POST)

    def recorded(check):
        if check.is_fever:
            messages.warning(
                request,
                _("%(temperature)s °C is a fever: consider opening an incident.")
                % {"temperature": check.temperature},
            )
        else:
            messages.success(request, _("Check recorded."))
        return _redirect_next_or(request, "watch:isolation-detail", pk=case.pk)

    return submit(
        request,
        form,
        lambda _data: services.record_isolation_check(request.user, case, **form.values()),
        template="watch/isolation_check_form.html",
        context={"case": case},
        redirect_to=recorded,
    )


@login_required
@require_http_methods(["GET", "POST"])
def isolation_check_correct(request, pk):
    check = core_scoping.get_visible_or_404(
        scoping.isolation_checks_visible_to(request.user).select_related("case__person"), pk=pk
    )
    scoping.require_isolation_writer(request.user)
    initial = {"temperature": check.temperature, "symptoms": check.symptoms, "note": check.note}
    form = CheckCorrectionForm(request.POST or None, initial=initial)

    def save(data):
        reason = data.pop("reason")
        return services.correct_isolation_check(request.user, check, reason=reason, **data)

    return submit(
        request,
        form,
        save,
        template="watch/isolation_check_form.html",
        context={"case": check.case, "correcting": check},
        success=_("Correction recorded; the earlier check is kept."),
        redirect_to=redirect("watch:isolation-detail", pk=check.case_id),
    )


def _checks_day(request):
    form = ChecksDayForm(request.GET or None)
    day = form.day_or_today()
    slot = form.cleaned_data.get("slot") if form.is_valid() else ""
    return day, slot or services.current_slot()


@login_required
def isolation_checks(request):
    """The day's temperature sheet: every open case, its morning and afternoon checks, and
    those still due for the slot."""
    scoping.require_isolation_reader(request.user)
    day, slot = _checks_day(request)
    rows = selectors.check_sheet(request.user, day)
    context = {
        "day": day,
        "slot": slot,
        "slot_label": CheckSlot(slot).label,
        "slots": CheckSlot.choices,
        "rows": rows,
        "due": [row for row in rows if row.check_for(slot) is None],
        "can_write": scoping.can_write_isolation(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "watch/isolation_checks.html", context)


@login_required
def isolation_checks_day_export(request):
    scoping.require_isolation_reader(request.user)
    day, _slot = _checks_day(request)
    return _workbook(
        f"isolation-sheet-{day.isoformat()}.xlsx",
        _("Temperature sheet"),
        exports.SHEET_COLUMNS,
        exports.sheet_rows(selectors.check_sheet(request.user, day)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def isolation_rooms(request):
    scoping.require_all_isolation_reader(request.user)
    can_write = scoping.can_write_isolation(request.user)
    if request.method == "POST" and not can_write:
        scoping.require_isolation_writer(request.user)
    form = IsolationRoomForm(request.POST or None) if can_write else None
    return submit(
        request,
        form,
        lambda data: services.create_isolation_room(request.user, **data),
        template="watch/isolation_rooms.html",
        context={"rooms": selectors.isolation_rooms(), "can_write": can_write},
        success=lambda room: _("Room %(room)s added.") % {"room": room},
        redirect_to="watch:isolation-rooms",
    )


@login_required
def isolation_rooms_export(request):
    scoping.require_all_isolation_reader(request.user)
    return _workbook(
        "isolation-rooms.xlsx",
        _("Isolation rooms"),
        exports.ROOM_COLUMNS,
        exports.room_rows(selectors.isolation_rooms()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def isolation_room_edit(request, pk):
    scoping.require_isolation_writer(request.user)
    room = core_scoping.get_visible_or_404(IsolationRoom.objects.all(), pk=pk)
    return _edit_with_reason(
        request,
        room,
        IsolationRoomForm,
        services.update_isolation_room,
        "room",
        "watch/isolation_room_form.html",
        "watch:isolation-rooms",
    )


@login_required
@require_http_methods(["GET", "POST"])
def isolation_policy(request):
    """The dated isolation policies; the office adds to them here."""
    scoping.require_isolation_reader(request.user)
    can_keep = scoping.can_keep_isolation_policy(request.user)
    if request.method == "POST":
        scoping.require_isolation_policy_keeper(request.user)
    form = IsolationPolicyForm(request.POST or None) if can_keep else None
    return submit(
        request,
        form,
        lambda data: services.create_isolation_policy(request.user, **data),
        template="watch/isolation_policy.html",
        context=lambda: {
            "policies": selectors.isolation_policies(),
            "current": services.policy_in_force_on(timezone.localdate()),
            "can_keep": can_keep,
        },
        success=_("Policy added."),
        redirect_to="watch:isolation-policy",
    )


@login_required
def isolation_policy_export(request):
    scoping.require_isolation_reader(request.user)
    return _workbook(
        "isolation-policies.xlsx",
        _("Isolation policies"),
        exports.POLICY_COLUMNS,
        exports.policy_rows(selectors.isolation_policies()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def isolation_policy_edit(request, pk):
    scoping.require_isolation_policy_keeper(request.user)
    policy = core_scoping.get_visible_or_404(IsolationPolicy.objects.all(), pk=pk)
    return _edit_with_reason(
        request,
        policy,
        IsolationPolicyForm,
        services.update_isolation_policy,
        "policy",
        "watch/isolation_policy_form.html",
        "watch:isolation-policy",
    )


@login_required
def isolation_home_block(request):
    """Isolation and incidents at a glance for the home page (loaded by htmx): in isolation
    now, checks due this half-day, open incidents. Empty for roles without isolation."""
    if not scoping.sees_isolation(request.user):
        return render(request, "watch/_isolation_home_block.html", {"show": False})
    today = timezone.localdate()
    slot = services.current_slot()
    rows = selectors.check_sheet(request.user, today)
    context = {
        "show": True,
        "open_by_place": selectors.person_times_by_place(
            selectors.cases_open_on(request.user, today)
        ),
        "open_total": len(rows),
        "due": sum(1 for row in rows if row.check_for(slot) is None),
        "fevers": sum(1 for row in rows if row.fever),
        "slot_label": CheckSlot(slot).label,
        "open_incidents": selectors.visible_incidents(request.user)
        .exclude(status="closed")
        .count(),
    }
    return render(request, "watch/_isolation_home_block.html", context)


# ---- incidents ----------------------------------------------------------------------------


def _visible_incident(request, pk):
    return core_scoping.get_visible_or_404(selectors.visible_incidents(request.user), pk=pk)


@login_required
def incidents(request):
    scoping.require_incident_reader(request.user)
    found = selectors.incidents_for(request.user, request.GET)
    context = _list_context(request, found.form, found.rows)
    status = 200 if found.ok else 400
    if is_partial(request):
        return render(request, "watch/_incident_rows.html", context, status=status)
    context.update(
        counts=selectors.incident_counts(found.rows),
        can_write=scoping.can_write_incidents(request.user),
    )
    return render(request, "watch/incidents.html", context, status=status)


@login_required
def incidents_export(request):
    scoping.require_incident_reader(request.user)
    # A bad filter exports no rows.
    found = selectors.incidents_for(request.user, request.GET).rows.prefetch_related("people")
    return _workbook(
        f"incidents-{timezone.localdate().isoformat()}.xlsx",
        _("Incidents"),
        exports.INCIDENT_COLUMNS,
        exports.incident_rows(found),
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request):
    scoping.require_incident_writer(request.user)
    form = IncidentForm(request.POST or None, user=request.user)

    def save(data):
        data["people"] = data.pop("person_numbers")
        return services.open_incident(request.user, **data)

    return submit(
        request,
        form,
        save,
        template="watch/incident_form.html",
        success=_("Incident recorded."),
        redirect_to=lambda incident: redirect("watch:incident-detail", pk=incident.pk),
    )


def _incident_context(request, incident, **forms) -> dict:
    user = request.user
    can_write = scoping.can_write_incidents(user) and not incident.is_closed
    visible_people = core_scoping.people_visible_to(user)
    return {
        "incident": incident,
        "timeline": selectors.incident_timeline(incident),
        "people": incident.people.filter(pk__in=visible_people.values("pk")).select_related("unit"),
        "cases": scoping.isolation_cases_visible_to(
            user, incident.isolation_cases.all()
        ).select_related("person"),
        "history": selectors.history_of(incident),
        "can_write": can_write,
        "action_form": forms.get("action_form") or (IncidentActionForm() if can_write else None),
        "status_form": forms.get("status_form")
        or (IncidentStatusForm(prefix="status") if can_write else None),
        "cdc_form": forms.get("cdc_form")
        or (IncidentStatusForm(prefix="cdc") if can_write else None),
        "close_form": forms.get("close_form")
        or (CloseIncidentForm(prefix="close") if can_write else None),
        "people_form": forms.get("people_form")
        or (LinkPeopleForm(prefix="people", user=user) if can_write else None),
        "case_form": LinkCaseForm(prefix="case", user=user) if can_write else None,
    }


@login_required
def incident_detail(request, pk):
    incident = _visible_incident(request, pk)
    return render(request, "watch/incident_detail.html", _incident_context(request, incident))


@login_required
def incident_timeline_export(request, pk):
    incident = _visible_incident(request, pk)
    return _workbook(
        f"incident-{incident.pk}-timeline.xlsx",
        _("Timeline"),
        exports.ACTION_COLUMNS,
        exports.action_rows(selectors.incident_timeline(incident)),
    )


@login_required
@require_POST
def incident_action(request, pk):
    """Add a row to the timeline; an htmx request gets the timeline back to swap in."""
    incident = _visible_incident(request, pk)
    scoping.require_incident_writer(request.user)
    form = IncidentActionForm(request.POST)
    return submit(
        request,
        form,
        lambda data: services.add_incident_action(request.user, incident, **data),
        template="watch/incident_detail.html",
        partial_template="watch/_incident_timeline.html",
        # After a save, the htmx answer's timeline comes with a fresh form.
        context=lambda: _incident_context(
            request, incident, action_form=form if form.errors else None
        ),
        success=_("Added to the timeline."),
        redirect_to=redirect("watch:incident-detail", pk=incident.pk),
    )


def _incident_step(request, pk, form_class, prefix, step, done_message):
    incident = _visible_incident(request, pk)
    scoping.require_incident_writer(request.user)
    kwargs = {"user": request.user} if form_class is LinkPeopleForm else {}
    form = form_class(request.POST, prefix=prefix, **kwargs)

    def context():
        context = _incident_context(request, incident, **{f"{prefix}_form": form})
        context["step_errors"] = form.errors
        return context

    return submit(
        request,
        form,
        lambda data: step(incident, data),
        template="watch/incident_detail.html",
        context=context,
        success=done_message,
        redirect_to=redirect("watch:incident-detail", pk=incident.pk),
    )


@login_required
@require_POST
def incident_handle(request, pk):
    def step(incident, data):
        services.start_handling_incident(
            request.user, incident, note=data.get("note", ""), at=data.get("at")
        )

    return _incident_step(
        request, pk, IncidentStatusForm, "status", step, _("The incident is being handled.")
    )


@login_required
@require_POST
def incident_notify_cdc(request, pk):
    def step(incident, data):
        services.notify_cdc(request.user, incident, note=data.get("note", ""), at=data.get("at"))

    return _incident_step(
        request, pk, IncidentStatusForm, "cdc", step, _("The CDC notification is recorded.")
    )


@login_required
@require_POST
def incident_close(request, pk):
    def step(incident, data):
        services.close_incident(request.user, incident, summary=data["summary"], at=data.get("at"))

    return _incident_step(
        request, pk, CloseIncidentForm, "close", step, _("The incident is closed.")
    )


@login_required
@require_POST
def incident_link_people(request, pk):
    def step(incident, data):
        services.link_incident(request.user, incident, people=data["person_numbers"])

    return _incident_step(request, pk, LinkPeopleForm, "people", step, _("People linked."))


@login_required
@require_POST
def incident_link_case(request, pk):
    incident = _visible_incident(request, pk)
    scoping.require_incident_writer(request.user)
    form = LinkCaseForm(request.POST, prefix="case", user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose an isolation case."))
        return redirect("watch:incident-detail", pk=incident.pk)
    return act(
        request,
        lambda: services.link_incident(
            request.user, incident, isolation_cases=[form.cleaned_data["case"]]
        ),
        success=_("Isolation case linked."),
        redirect_to=redirect("watch:incident-detail", pk=incident.pk),
    )
