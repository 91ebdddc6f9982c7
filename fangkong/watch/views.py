"""Pages of the key-person ledger. Thin: fetch through scoping/selectors, write through
services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fangkong.core import scoping as core_scoping
from fangkong.core.views import apply_errors, is_partial
from fangkong.spreadsheets import workbook_response
from fangkong.watch import exports, scoping, selectors, services
from fangkong.watch.forms import (
    ClearForm,
    ComplianceForm,
    CorrectionForm,
    DayForm,
    DrawForm,
    FollowUpForm,
    KeyPersonForm,
    LedgerFilterForm,
    RegionForm,
)
from fangkong.watch.models import KeyPerson, RegionOfConcern

PAGE_SIZE = 50


def _require_ledger(user) -> None:
    if not scoping.sees_ledger(user):
        raise PermissionDenied(_("Your role does not give access to the key-person ledger."))


def _visible_entry(request, pk) -> KeyPerson:
    return core_scoping.get_visible_or_404(
        scoping.key_persons_visible_to(request.user).select_related(
            "person__unit", "region", "responsible", "listed_by", "verified_by", "cleared_by"
        ),
        pk=pk,
    )


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


# ---- the ledger ---------------------------------------------------------------------------


@login_required
def ledger(request):
    _require_ledger(request.user)
    form = LedgerFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    entries = selectors.key_persons_for(request.user, **filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts_filters = {**filters, "category": "", "q": ""}
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "counts": selectors.ledger_counts(
            selectors.key_persons_for(request.user, **counts_filters)
        ),
        "can_list": scoping.can_list_key_persons(request.user),
    }
    template = "watch/_ledger_rows.html" if is_partial(request) else "watch/ledger.html"
    return render(request, template, context)


@login_required
def ledger_export(request):
    _require_ledger(request.user)
    form = LedgerFilterForm(request.GET or None, user=request.user)
    entries = selectors.key_persons_for(request.user, **form.filters()).select_related("cleared_by")
    return workbook_response(
        f"key-persons-{timezone.localdate().isoformat()}.xlsx",
        _("Key persons"),
        exports.LEDGER_COLUMNS,
        exports.ledger_rows(entries),
        chinese=_chinese(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request):
    if not scoping.can_list_key_persons(request.user):
        raise PermissionDenied(_("Your role does not allow listing key persons."))
    initial = {"person_number": request.GET.get("person", "")[:32]}
    form = KeyPersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["person"] = data.pop("person_number")
        try:
            entry = services.list_key_person(request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s listed.") % {"name": entry.person.name})
            return redirect("watch:entry-detail", pk=entry.pk)
    return render(
        request, "watch/entry_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def entry_detail(request, pk):
    entry = _visible_entry(request, pk)
    user = request.user
    can_write = scoping.can_write_ledger_in_unit(user, entry.person.unit_id)
    context = {
        "entry": entry,
        "follow_ups": selectors.follow_ups_for(user, key_person=entry.pk),
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
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        change_reason = data.pop("change_reason", "")
        if data.get("responsible") is None:
            data.pop("responsible", None)
        try:
            services.update_key_person(request.user, entry, change_reason=change_reason, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("watch:entry-detail", pk=entry.pk)
    return render(
        request,
        "watch/entry_form.html",
        {"form": form, "entry": entry},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def entry_verify(request, pk):
    entry = _visible_entry(request, pk)
    try:
        services.verify_key_person(request.user, entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Entry verified."))
    return redirect("watch:entry-detail", pk=entry.pk)


@login_required
@require_POST
def entry_clear(request, pk):
    entry = _visible_entry(request, pk)
    scoping.require_ledger_unit(request.user, entry.person.unit_id)
    form = ClearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for clearing."))
        return redirect("watch:entry-detail", pk=entry.pk)
    try:
        services.clear_key_person(
            request.user, entry, form.cleaned_data["reason"], form.cleaned_data.get("cleared_on")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Entry cleared."))
    return redirect("watch:entry-detail", pk=entry.pk)


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
    if form.is_valid():
        try:
            services.record_follow_up(request.user, entry, **_follow_up_values(form))
        except ValidationError as error:
            apply_errors(form, error)
    if form.errors:
        return render(
            request,
            "watch/follow_up_form.html",
            {"form": form, "entry": entry},
            status=400,
        )
    messages.success(request, _("Follow-up recorded."))
    # From the day's follow-up list, back to it; from anywhere else, to the entry.
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("watch:entry-detail", pk=entry.pk)


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
    if request.method == "POST" and form.is_valid():
        try:
            services.supersede_follow_up(
                request.user,
                follow_up,
                reason=form.cleaned_data["reason"],
                **{**_follow_up_values(form), "temperature": form.cleaned_data["temperature"]},
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Correction recorded; the earlier record is kept."))
            return redirect("watch:entry-detail", pk=entry.pk)
    return render(
        request,
        "watch/follow_up_form.html",
        {"form": form, "entry": entry, "correcting": follow_up},
        status=400 if form.errors else 200,
    )


@login_required
def due(request):
    """The day's follow-up list: the plans' due persons and the random checks drawn."""
    _require_ledger(request.user)
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
    if not scoping.can_draw(request.user):
        raise PermissionDenied(_("Only the prevention & control office draws random checks."))
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            draw = services.draw_random_check(request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("%(count)d persons drawn for a phone check.") % {"count": draw.size}
            )
            return redirect("watch:draw-detail", pk=draw.pk)
    return render(request, "watch/draw_form.html", {"form": form}, status=400)


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
    _require_ledger(request.user)
    form = ComplianceForm(request.GET or None)
    start, end = form.range()
    table = selectors.compliance(request.user, start, end)
    return render(request, "watch/compliance.html", {"form": form, "table": table})


@login_required
def compliance_export(request):
    _require_ledger(request.user)
    start, end = ComplianceForm(request.GET or None).range()
    table = selectors.compliance(request.user, start, end)
    return exports.compliance_workbook(table, chinese=_chinese())


# ---- regions of concern -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def regions(request):
    """The dated list of regions of concern; the office adds to it here."""
    can_keep = scoping.can_keep_regions(request.user)
    if request.method == "POST" and not can_keep:
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))
    form = RegionForm(request.POST or None) if can_keep else None
    if request.method == "POST" and form.is_valid():
        try:
            region = services.create_region(request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": region.name})
            return redirect("watch:regions")
    day = timezone.localdate()
    context = {
        "regions": selectors.regions(),
        "current": set(selectors.regions_of_concern_on(day).values_list("pk", flat=True)),
        "form": form,
        "can_keep": can_keep,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "watch/regions.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def region_edit(request, pk):
    if not scoping.can_keep_regions(request.user):
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))
    region = core_scoping.get_visible_or_404(RegionOfConcern.objects.all(), pk=pk)
    form = RegionForm(request.POST or None, instance=region)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            services.update_region(request.user, region, reason=reason, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("watch:regions")
    return render(
        request,
        "watch/region_form.html",
        {"form": form, "region": region, "history": selectors.history_of(region)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def region_end(request, pk):
    if not scoping.can_keep_regions(request.user):
        raise PermissionDenied(_("Only the prevention & control office keeps the regions."))
    region = core_scoping.get_visible_or_404(RegionOfConcern.objects.all(), pk=pk)
    try:
        services.end_region(request.user, region)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is no longer of concern.") % {"name": region.name})
    return redirect("watch:regions")


# ---- the home page's block ----------------------------------------------------------------


@login_required
def home_block(request):
    """Key persons under watch and today's follow-ups, for the home page (loaded by htmx);
    empty for roles without the ledger."""
    if not scoping.sees_ledger(request.user):
        return render(request, "watch/_home_block.html", {"show": False})
    today = timezone.localdate()
    rows = selectors.due_list(request.user, today)
    counts = selectors.ledger_counts(selectors.key_persons_for(request.user))
    context = {
        "show": True,
        "counts": [row for row in counts if row["total"]],
        "due": len(rows),
        "done": sum(1 for row in rows if row.followed_up),
        "today": today,
    }
    return render(request, "watch/_home_block.html", context)
