"""The gate page (门岗) for guards, made for a phone: pick the gate and the direction, scan
a pass's QR code with the camera or type a pass number or person number, and see at once
a large allow or deny with the reason. Family-area residents without a pass are found by
person number or by their household. Every decision is `services.decide_at_gate`, which
records the crossing; this module only reads the form and shows the answer."""

import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fangkong.access import scoping, services, tokens
from fangkong.access.models import Crossing, Gate, Pass
from fangkong.core.identity import normalise_person_number
from fangkong.core.models import Household, Person
from fangkong.core.pages import apply_errors, form_status

SESSION_GATE = "access_gate"
SESSION_DIRECTION = "access_gate_direction"
# A typed pass number: "TX-" first (the service says whether the rest is well formed).
PASS_NUMBER_START = re.compile(r"^TX-", re.IGNORECASE)
HOUSEHOLDS_SHOWN = 8
# The fields whose errors are shown beside their input (and cleared after a good answer).
ERROR_FIELDS = ("gate", "direction", "code", "temperature")


class GateForm(forms.Form):
    gate = forms.ModelChoiceField(
        label=gettext_lazy("Gate"),
        queryset=Gate.objects.none(),
        empty_label=gettext_lazy("Choose the gate"),
        error_messages={"required": gettext_lazy("Choose the gate you are at.")},
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        choices=Crossing.Direction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose in or out.")},
    )
    code = forms.CharField(
        label=gettext_lazy("Pass code, pass number or person number"),
        required=False,
        max_length=400,
    )
    person_number = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
    temperature = forms.CharField(
        label=gettext_lazy("Temperature (°C)"), required=False, max_length=10
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gate"].queryset = active_gates()

    def clean(self):
        data = super().clean()
        if not data.get("person_number") and not data.get("code", "").strip():
            self.add_error("code", _("Scan a code, or type a pass number or a person number."))
        return data

    def presented(self) -> tuple[str, str]:
        """(presented, person_number) for the service: a token (FK1.…) or a pass number
        (TX-…) is presented; anything else typed is a person number."""
        person_number = self.cleaned_data.get("person_number", "").strip()
        if person_number:
            return "", person_number
        code = self.cleaned_data.get("code", "").strip()
        # Full-width ＴＸ－… typed with a Chinese input method is a pass number too.
        if tokens.looks_like_token(code) or PASS_NUMBER_START.match(normalise_person_number(code)):
            return code, ""
        return "", code


def active_gates():
    return Gate.objects.filter(is_active=True).select_related("area")


def _guards_gate(user) -> int | None:
    """The gate a guard works: guards are tied to gates by the crossings they record, so
    the gate of their latest crossing (on any device), or the school's only gate."""
    latest = (
        Crossing.objects.filter(guard=user, gate__is_active=True)
        .order_by("-at", "-pk")
        .values_list("gate_id", flat=True)
        .first()
    )
    if latest:
        return latest
    gates = list(active_gates().values_list("pk", flat=True)[:2])
    return gates[0] if len(gates) == 1 else None


def _remembered(request) -> dict:
    """The gate and direction this guard last worked: kept in the session, else the guard's
    own gate (a fresh login, a new phone)."""
    initial = {"direction": request.session.get(SESSION_DIRECTION, Crossing.Direction.IN)}
    gate_id = request.session.get(SESSION_GATE)
    if gate_id and active_gates().filter(pk=gate_id).exists():
        initial["gate"] = gate_id
    else:
        gate_id = _guards_gate(request.user)
        if gate_id:
            initial["gate"] = gate_id
    return initial


def _remember(request, gate: Gate | None, direction: str | None) -> None:
    if gate is not None:
        request.session[SESSION_GATE] = gate.pk
    if direction in Crossing.Direction.values:
        request.session[SESSION_DIRECTION] = direction


def find_households(query: str, area_id: int | None = None):
    """Active households matching every word of `query` in their building or address, or a
    member's name or person number; with their active members. Those of `area_id` first."""
    words = query.split()[:5]
    if not words or len(query.strip()) < 2:
        return []
    rows = Household.objects.filter(is_active=True)
    for word in words:
        rows = rows.filter(
            Q(building__name__icontains=word)
            | Q(building__name_en__icontains=word)
            | Q(address__icontains=word)
            | Q(members__name__icontains=word)
            | Q(members__person_number=normalise_person_number(word))
        )
    members = Person.objects.filter(is_active=True).select_related("unit").order_by("name")
    rows = (
        rows.distinct()
        .select_related("area", "building")
        .prefetch_related(Prefetch("members", queryset=members, to_attr="active_members"))
        .order_by("building__name", "address", "pk")
    )
    found = list(rows[: HOUSEHOLDS_SHOWN * 3])
    if area_id:
        found.sort(key=lambda household: household.area_id != area_id)
    return found[:HOUSEHOLDS_SHOWN]


def _page(request, form, *, decision=None, status=200):
    query = request.GET.get("q", "").strip()
    gate_id = form["gate"].value()
    context = {
        "form": form,
        "decision": decision,
        "query": query,
        "households": find_households(query, _int(gate_id)) if query else None,
        # A pass number of this year, as the guard will see them.
        "example_number": f"{Pass.NUMBER_PREFIX}-{timezone.localdate().year}-0001",
    }
    return render(request, "access/gate/page.html", context, status=status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def gate_page(request):
    """The page. `?gate=` and `?direction=` change the remembered gate and direction (the
    page's pickers send them as soon as they change); `?q=` finds households."""
    scoping.require_guard(request.user)
    picked = "gate" in request.GET or "direction" in request.GET
    if picked:
        gate = active_gates().filter(pk=_int(request.GET.get("gate"))).first()
        _remember(request, gate, request.GET.get("direction"))
        if request.htmx:
            # The pickers only store the choice; nothing on the page changes.
            return HttpResponse(status=204)
    return _page(request, GateForm(initial=_remembered(request)))


@login_required
@require_POST
def gate_decide(request):
    """Decide one person: the answer panel (htmx) or the whole page."""
    scoping.require_guard(request.user)
    form = GateForm(request.POST)
    decision = None
    if form.is_valid():
        data = form.cleaned_data
        _remember(request, data["gate"], data["direction"])
        presented, person_number = form.presented()
        try:
            decision = services.decide_at_gate(
                request.user,
                gate=data["gate"],
                direction=data["direction"],
                presented=presented,
                person_number=person_number,
                temperature=data["temperature"],
            )
        except ValidationError as error:
            apply_errors(form, error)
    status = form_status(form)
    if request.htmx:
        error_fields = [form[name] for name in ERROR_FIELDS]
        context = {"form": form, "decision": decision, "error_fields": error_fields}
        return render(request, "access/gate/_result.html", context, status=status)
    if decision is not None:
        # A fresh form for the next person: the gate and direction stay.
        form = GateForm(initial={"gate": decision.crossing.gate_id, "direction": data["direction"]})
    return _page(request, form, decision=decision, status=status)


@login_required
@require_GET
def gate_households(request):
    """The household finder's list (htmx partial)."""
    scoping.require_guard(request.user)
    query = request.GET.get("q", "").strip()
    context = {
        "query": query,
        "households": find_households(query, _int(request.GET.get("gate"))),
    }
    return render(request, "access/gate/_households.html", context)
