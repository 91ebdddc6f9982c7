"""The pass pages: the list, applying, deciding and revoking, the holder's QR page, the
printable card (HTML and PDF), and the office's pass desk. Thin: passes are fetched through
`scoping`, every write goes through `services`, and the services' errors are put back on
the field they name."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fangkong.access import qr, scoping, selectors, services
from fangkong.access.forms import (
    DecisionForm,
    DeskForm,
    PassApplicationForm,
    RevokeForm,
    active_pass_types,
)
from fangkong.access.models import Pass
from fangkong.core import scoping as core_scoping
from fangkong.core.models import Person
from fangkong.core.pages import apply_errors, is_partial, submit
from fangkong.pdf import pdf_response

PAGE_SIZE = 50
DESK_MATCHES = 8
DESK_TYPE_KEY = "access_desk_pass_type"


# ---- who may do what ------------------------------------------------------------------------


def _why_no_code(gate_pass: Pass, today) -> str:
    """Why a pass shows no code, or "" when it has one."""
    shown = gate_pass.shown_status(today)
    if shown == Pass.Status.APPROVED:
        return ""
    if shown == Pass.Status.PENDING:
        return _("This application is waiting for a decision: it has no code yet.")
    if shown == Pass.Status.REJECTED:
        return _("This application was rejected: it has no code.")
    if shown == Pass.Status.REVOKED:
        return _("This pass was revoked: %(reason)s") % {"reason": gate_pass.revoke_reason}
    return _("This pass expired after %(day)s.") % {"day": gate_pass.valid_until.isoformat()}


def _longer_than_usual(gate_pass: Pass) -> str:
    """A word for the approver when a pass is asked for longer than its type's usual days:
    they may still approve it, but not without seeing it."""
    days = (gate_pass.valid_until - gate_pass.valid_from).days + 1
    usual = gate_pass.pass_type.default_days
    if days <= usual:
        return ""
    return ngettext(
        "Valid for %(days)d day: the pass type's usual is %(usual)d.",
        "Valid for %(days)d days: the pass type's usual is %(usual)d.",
        days,
    ) % {"days": days, "usual": usual}


def _visible_pass(request, pk) -> Pass:
    return core_scoping.get_visible_or_404(
        scoping.passes_visible_to(request.user).select_related(
            "holder", "holder__unit", "pass_type", "applied_by", "decided_by", "revoked_by"
        ),
        pk=pk,
    )


# ---- the list -------------------------------------------------------------------------------


@login_required
def passes(request):
    """The passes the user may see: everyone's for the office, the guards and the leaders;
    an officer's unit's people's; a member's own."""
    user = request.user
    scoping.require_pass_user(user)
    passes = selectors.passes_for(user, request.GET)
    form = passes.form
    today = timezone.localdate()
    page = Paginator(passes.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for gate_pass in page.object_list:
        gate_pass.shown = gate_pass.shown_status(today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_apply": scoping.can_apply(user),
        "at_desk": scoping.is_office(user),
    }
    template = "access/passes/_pass_rows.html" if is_partial(request) else "access/passes/list.html"
    return render(request, template, context, status=200 if passes.ok else 400)


MY_PASSES_SHOWN = 5


@login_required
def my_passes_block(request):
    """The home page's block for a person on the books: their latest passes, each with its
    status and, when it has a code, the way to it."""
    user = request.user
    if not user.person_id:
        return HttpResponse(status=204)
    today = timezone.localdate()
    own = list(
        Pass.objects.filter(holder_id=user.person_id)
        .select_related("pass_type")
        .order_by("-valid_until", "-pk")[:MY_PASSES_SHOWN]
    )
    for gate_pass in own:
        gate_pass.shown = gate_pass.shown_status(today)
    return render(request, "access/passes/_my_passes_block.html", {"passes": own})


# ---- applying -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pass_apply(request):
    user = request.user
    scoping.require_pass_application(user)
    choose_holder = scoping.chooses_holder(user)
    initial = {"valid_from": timezone.localdate()}
    if request.GET.get("holder"):
        initial["holder"] = request.GET["holder"][:32]
    form = PassApplicationForm(
        request.POST or None, initial=initial, user=user, choose_holder=choose_holder
    )
    return submit(
        request,
        form,
        lambda data: services.apply_for_pass(
            user,
            holder=data["holder"] if choose_holder else user.person,
            pass_type=data["pass_type"],
            reason=data["reason"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            areas=list(data["areas"]) or None,
        ),
        template="access/passes/apply.html",
        context={"choose_holder": choose_holder, "holder": None if choose_holder else user.person},
        success=lambda gate_pass: (
            _("Application %(number)s sent: the office decides it.") % {"number": gate_pass.number}
        ),
        redirect_to=lambda gate_pass: redirect("access:pass", pk=gate_pass.pk),
    )


# ---- one pass: detail, decision, revocation ---------------------------------------------------


def _history(gate_pass: Pass) -> list:
    return list(gate_pass.history.select_related("history_user").order_by("history_date", "pk"))


def _detail_context(request, gate_pass: Pass, decision_form=None, revoke_form=None) -> dict:
    user = request.user
    today = timezone.localdate()
    own = bool(user.person_id and user.person_id == gate_pass.holder_id)
    can_decide = (
        gate_pass.status == Pass.Status.PENDING
        and scoping.can_decide(user, gate_pass.pass_type)
        and not own
    )
    can_revoke = gate_pass.status == Pass.Status.APPROVED and scoping.is_office(user)
    if can_decide and decision_form is None:
        decision_form = DecisionForm()
    if can_revoke and revoke_form is None:
        revoke_form = RevokeForm()
    why_no_code = _why_no_code(gate_pass, today)
    return {
        "pass": gate_pass,
        "areas": list(gate_pass.areas.all()),
        "shown_status": gate_pass.shown_status(today),
        "history": _history(gate_pass),
        "decision_form": decision_form if can_decide else None,
        "longer_than_usual": _longer_than_usual(gate_pass) if can_decide else "",
        "revoke_form": revoke_form if can_revoke else None,
        "own_pending": own and gate_pass.status == Pass.Status.PENDING,
        "shows_code": scoping.may_show_code(user, gate_pass) and not why_no_code,
    }


@login_required
def pass_detail(request, pk):
    gate_pass = _visible_pass(request, pk)
    return render(request, "access/passes/detail.html", _detail_context(request, gate_pass))


@login_required
@require_POST
def pass_decide(request, pk):
    gate_pass = _visible_pass(request, pk)
    form = DecisionForm(request.POST)
    approve = "approve" in request.POST

    def context():
        gate_pass.refresh_from_db()
        context = _detail_context(request, gate_pass, decision_form=form)
        if context["decision_form"] is None:  # decided meanwhile: say so above the page
            context["page_errors"] = form.non_field_errors()
        return context

    return submit(
        request,
        form,
        lambda data: services.decide_pass(
            request.user, gate_pass, approve=approve, note=data["decision_note"]
        ),
        template="access/passes/detail.html",
        context=context,
        success=lambda decided: (
            (_("Pass %(number)s approved.") if approve else _("Application %(number)s rejected."))
            % {"number": decided.number}
        ),
        redirect_to=lambda decided: redirect("access:pass", pk=decided.pk),
    )


@login_required
@require_POST
def pass_revoke(request, pk):
    gate_pass = _visible_pass(request, pk)
    scoping.require_office(request.user)
    form = RevokeForm(request.POST)

    def context():
        gate_pass.refresh_from_db()
        context = _detail_context(request, gate_pass, revoke_form=form)
        if context["revoke_form"] is None:
            context["page_errors"] = form.non_field_errors()
        return context

    return submit(
        request,
        form,
        lambda data: services.revoke_pass(request.user, gate_pass, reason=data["revoke_reason"]),
        template="access/passes/detail.html",
        context=context,
        success=lambda revoked: _("Pass %(number)s revoked.") % {"number": revoked.number},
        redirect_to=lambda revoked: redirect("access:pass", pk=revoked.pk),
    )


# ---- the code: phone page and printed card ---------------------------------------------------


def _code_pass(request, pk) -> Pass:
    gate_pass = _visible_pass(request, pk)
    scoping.require_code_viewer(request.user, gate_pass)
    return gate_pass


def _card_context(request, gate_pass: Pass, today) -> dict:
    return {
        "perms_desk": scoping.is_office(request.user),
        "pass": gate_pass,
        "areas": list(gate_pass.areas.all()),
        "today": today,
        "why_no_code": _why_no_code(gate_pass, today),
    }


def _token_or_why(context: dict, gate_pass: Pass) -> str:
    """The pass's signed code, or "" with the reason it has none in `why_no_code`."""
    if context["why_no_code"]:
        return ""
    try:
        return services.pass_token(gate_pass)
    except ValidationError as error:
        context["why_no_code"] = " ".join(error.messages)
        return ""


@never_cache
@login_required
def pass_qr(request, pk):
    """The holder's phone page: the signed code, with a live clock so that a screenshot
    (a frozen clock) is told from the real page at a glance."""
    gate_pass = _code_pass(request, pk)
    today = timezone.localdate()
    context = _card_context(request, gate_pass, today)
    token = _token_or_why(context, gate_pass)
    if token:
        context["qr_svg"] = qr.svg(token, title=gate_pass.number)
        context["not_yet_valid"] = gate_pass.valid_from > today
    context["time_zone"] = settings.TIME_ZONE
    return render(request, "access/passes/qr.html", context)


@never_cache
@login_required
def pass_card(request, pk):
    """The printable card (HTML); the same card as PDF below."""
    gate_pass = _code_pass(request, pk)
    context = _card_context(request, gate_pass, timezone.localdate())
    token = _token_or_why(context, gate_pass)
    if token:
        context["qr_svg"] = qr.svg(token, title=gate_pass.number)
    return render(request, "access/passes/card.html", context)


@never_cache
@login_required
def pass_card_pdf(request, pk):
    gate_pass = _code_pass(request, pk)
    context = _card_context(request, gate_pass, timezone.localdate())
    token = _token_or_why(context, gate_pass)
    if not token:
        return render(request, "access/passes/card.html", context, status=409)
    context["qr_png"] = qr.png_data_uri(token)
    return pdf_response(
        "access/passes/card_pdf.html", context, f"pass-{gate_pass.number}.pdf", request=request
    )


# ---- the pass desk -----------------------------------------------------------------------------


def desk_matches(user, q: str, today=None) -> list:
    """People for the desk's search: an exact person number first, then numbers starting
    with it and names containing it; each with the passes valid today it already holds."""
    q = q.strip()[:60]
    if not q:
        return []
    today = today or timezone.localdate()
    people = (
        core_scoping.people_visible_to(user, Person.objects.filter(is_active=True))
        .select_related("unit")
        .annotate(
            valid_passes=Count(
                "passes",
                filter=Q(
                    passes__status=Pass.Status.APPROVED,
                    passes__valid_from__lte=today,
                    passes__valid_until__gte=today,
                ),
            )
        )
    )
    exact = list(people.filter(person_number__iexact=q)[:1])
    rest = (
        people.filter(Q(person_number__istartswith=q) | Q(name__icontains=q))
        .exclude(pk__in=[person.pk for person in exact])
        .order_by("person_number")[: DESK_MATCHES - len(exact)]
    )
    return exact + list(rest)


def _desk_type(request):
    remembered = request.session.get(DESK_TYPE_KEY)
    types = active_pass_types()
    return types.filter(pk=remembered).first() if remembered else None


@login_required
@require_http_methods(["GET", "POST"])
def desk(request):
    """The pass desk (窗口办理), made for a queue: find the person, keep or change the type,
    one button issues the pass and opens its card to print."""
    user = request.user
    scoping.require_office(user)
    q = (request.GET if request.method == "GET" else request.POST).get("q", "").strip()[:60]
    matches = desk_matches(user, q)
    if request.method == "POST":
        form = DeskForm(request.POST)
    else:
        remembered = _desk_type(request)
        form = DeskForm(initial={"pass_type": remembered.pk} if remembered else None)

    def save(data):
        pass_type = data["pass_type"]
        gate_pass = services.issue_at_desk(
            user,
            holder=data["person"],
            pass_type=pass_type,
            reason=data["reason"] or pass_type.display_name,
        )
        request.session[DESK_TYPE_KEY] = pass_type.pk
        return gate_pass

    def context():
        shown = matches
        chosen = form.cleaned_data.get("person") if form.is_bound else None
        if chosen is not None and chosen.pk not in {person.pk for person in shown}:
            shown = desk_matches(user, chosen.person_number) or shown
        selected = form["person"].value() if form.is_bound else None
        return {
            "q": q,
            "matches": shown,
            "selected": str(selected or (shown[0].pk if shown else "")),
        }

    return submit(
        request,
        form,
        save,
        template="access/passes/desk.html",
        context=context,
        success=lambda gate_pass: (
            _("Pass %(number)s issued to %(name)s.")
            % {"number": gate_pass.number, "name": gate_pass.holder.name}
        ),
        redirect_to=lambda gate_pass: redirect("access:pass-card", pk=gate_pass.pk),
        errors=_desk_errors,
    )


def _desk_errors(form, error: ValidationError) -> None:
    """The service names the pass's holder; the desk's field is the person."""
    if hasattr(error, "error_dict") and "holder" in error.error_dict:
        error = ValidationError(
            {
                ("person" if key == "holder" else key): value
                for key, value in error.error_dict.items()
            }
        )
    apply_errors(form, error)


@login_required
def desk_people(request):
    """The desk's search results (an htmx partial): radio buttons, the first one picked."""
    scoping.require_office(request.user)
    q = request.GET.get("q", "").strip()[:60]
    matches = desk_matches(request.user, q)
    context = {"q": q, "matches": matches, "selected": str(matches[0].pk) if matches else ""}
    return render(request, "access/passes/_desk_people.html", context)
