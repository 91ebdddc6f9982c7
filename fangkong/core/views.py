"""Pages of the registry. Thin: fetch through scoping/selectors, write through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fangkong.core import people_import, scoping, selectors, services
from fangkong.core.context_processors import PEOPLE_WORK
from fangkong.core.forms import (
    AccountForm,
    ApiTokenForm,
    HouseholdForm,
    ImportForm,
    PersonForm,
    ReasonForm,
)
from fangkong.core.models import ApiToken
from fangkong.core.pages import act, apply_errors, is_partial, submit
from fangkong.core.roles import Role
from fangkong.spreadsheets import XLSX_CONTENT_TYPE, workbook_response

PAGE_SIZE = 50


@never_cache
def health(request):
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request):
    user = request.user
    # A member sees only their own record: a count of one says nothing.
    sees_people = user.has_role(*PEOPLE_WORK)
    context = {
        "counts": selectors.people_counts_by_category(user) if sees_people else [],
        "is_disinfector": user.has_role(Role.DISINFECTOR),
        "units": selectors.units_for(user)[:40] if user.unit_id or user.roles else [],
        "can_manage_people": scoping.can_manage_people(user),
    }
    return render(request, "core/home.html", context)


@login_required
def unit_list(request):
    return render(request, "core/unit_list.html", {"units": selectors.units_for(request.user)})


@login_required
def person_list(request):
    people = selectors.people_for(request.user, request.GET)
    page = Paginator(people.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": people.form,
        "page": page,
        "query": query.urlencode(),
        "can_manage_people": scoping.can_manage_people(request.user),
    }
    template = "core/_person_rows.html" if is_partial(request) else "core/person_list.html"
    return render(request, template, context, status=200 if people.ok else 400)


@login_required
def person_export(request):
    # A bad filter (another unit's, say) exports no rows.
    people = selectors.people_for(request.user, request.GET).rows
    stamp = timezone.localdate().isoformat()
    return workbook_response(
        f"people-{stamp}.xlsx",
        _("People"),
        people_import.COLUMNS,
        people_import.export_rows(people),
        chinese=get_language().startswith("zh"),
    )


@login_required
def person_import(request):
    scoping.require_people_importer(request.user)
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = people_import.import_people(request.user, form.cleaned_data["file"])
        if result.ok:
            messages.success(
                request,
                ngettext("%(count)d person imported.", "%(count)d people imported.", result.created)
                % {"count": result.created},
            )
            return redirect("person-list")
    refused = form.errors or (result is not None and not result.ok)
    status = 400 if request.method == "POST" and refused else 200
    return render(
        request, "core/person_import.html", {"form": form, "result": result}, status=status
    )


@login_required
def person_import_template(request):
    response = HttpResponse(people_import.template_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="people-template.xlsx"'
    return response


def _visible_person(request, pk):
    return scoping.get_visible_or_404(
        scoping.people_visible_to(request.user).select_related("unit", "household", "dormitory"),
        pk=pk,
    )


@login_required
def person_detail(request, pk):
    person = _visible_person(request, pk)
    context = {
        "person": person,
        "history": selectors.history_of(person),
        "can_edit": scoping.can_edit_person_in_unit(request.user, person.unit_id),
        "can_reveal": scoping.can_reveal(request.user, person),
        "reason_form": ReasonForm(),
        "reveals": selectors.reveals_of(person) if request.user.has_role(Role.OFFICE) else None,
    }
    return render(request, "core/person_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    scoping.require_people_manager(request.user)
    form = PersonForm(request.POST or None, user=request.user)
    return submit(
        request,
        form,
        lambda data: services.create_person(request.user, **data),
        template="core/person_form.html",
        success=lambda person: _("%(name)s added.") % {"name": person.name},
        redirect_to=lambda person: redirect("person-detail", pk=person.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = _visible_person(request, pk)
    scoping.require_person_in_scope(request.user, person.unit_id)
    form = PersonForm(request.POST or None, instance=person, user=request.user)

    def save(data):
        reason = data.pop("reason", "")
        return services.update_person(request.user, person, reason=reason, **data)

    return submit(
        request,
        form,
        save,
        template="core/person_form.html",
        context={"person": person},
        success=_("Changes saved."),
        redirect_to=lambda _person: redirect("person-detail", pk=person.pk),
    )


@login_required
@require_POST
def person_deactivate(request, pk):
    person = _visible_person(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        if person.is_active:
            services.deactivate_person(request.user, person, form.cleaned_data["reason"])
            messages.success(request, _("%(name)s deactivated.") % {"name": person.name})
        else:
            services.reactivate_person(request.user, person, form.cleaned_data["reason"])
            messages.success(request, _("%(name)s reactivated.") % {"name": person.name})
    else:
        messages.error(request, _("Give a reason."))
    return redirect("person-detail", pk=person.pk)


@login_required
@require_POST
def person_reveal(request, pk, field):
    """An htmx swap: the full value in place of the masked one, recorded."""
    person = _visible_person(request, pk)
    try:
        value = services.reveal_personal_data(request.user, person, field)
    except ValidationError:
        return HttpResponse(status=400)
    return render(request, "core/_revealed.html", {"value": value})


@login_required
def household_list(request):
    households = selectors.households_for(request.user, request.GET)
    page = Paginator(households.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": households.form,
        "q": request.GET.get("q", ""),
        "rented": request.GET.get("rented", ""),
        "query": query.urlencode(),
        "can_manage": scoping.can_manage_households(request.user),
    }
    template = "core/_household_rows.html" if is_partial(request) else "core/household_list.html"
    return render(request, template, context, status=200 if households.ok else 400)


@login_required
def household_detail(request, pk):
    household = scoping.get_visible_or_404(selectors.households_visible_to(request.user), pk=pk)
    members = selectors.people_for(request.user, {"household": household.pk, "active": "all"}).rows
    return render(
        request,
        "core/household_detail.html",
        {
            "household": household,
            "members": members,
            "history": selectors.history_of(household),
            "can_manage": scoping.can_manage_households(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk=None):
    scoping.require_household_manager(request.user)
    household = None
    if pk is not None:
        household = scoping.get_visible_or_404(scoping.households_visible_to(request.user), pk=pk)
    form = HouseholdForm(request.POST or None, instance=household)

    def save(data):
        reason = data.pop("reason", "")
        if household is None:
            return services.create_household(request.user, **data)
        services.update_household(request.user, household, reason=reason, **data)
        return household

    return submit(
        request,
        form,
        save,
        template="core/household_form.html",
        context={"household": household},
        success=_("Household saved."),
        redirect_to=lambda saved: redirect("household-detail", pk=saved.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.create_api_token(request.user, form.cleaned_data["name"])
        except ValidationError as error:
            apply_errors(form, error)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "core/api_tokens.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = scoping.get_visible_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    services.revoke_api_token(request.user, token)
    messages.success(request, _("Token revoked."))
    return redirect("api-tokens")


@login_required
@require_http_methods(["GET", "POST"])
def account_list(request):
    """The office's list of logins, and the form that adds one."""
    scoping.require_account_manager(request.user)
    form = AccountForm(request.POST or None)
    accounts = selectors.accounts_for(request.user, request.GET)

    def save(data):
        return services.create_account(
            request.user,
            username=data["username"],
            password=data["password"],
            roles=data["roles"],
            unit=data["unit"],
            person=data["person_number"],
            first_name=data["full_name"],
        )

    response = submit(
        request,
        form,
        save,
        template="core/account_list.html",
        context=lambda: {"accounts": accounts.rows, "filter_errors": accounts.errors},
        success=lambda account: _("Account %(name)s created.") % {"name": account.username},
        redirect_to="account-list",
    )
    if response.status_code == 200 and not accounts.ok:
        response.status_code = 400  # the list's filter was refused, and says why
    return response


@login_required
@require_POST
def account_toggle(request, pk):
    scoping.require_account_manager(request.user)
    account = scoping.get_visible_or_404(selectors.accounts_visible_to(request.user), pk=pk)
    return act(
        request,
        lambda: services.set_account_active(request.user, account, not account.is_active),
        redirect_to="account-list",
    )
