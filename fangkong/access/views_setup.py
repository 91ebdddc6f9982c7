"""The office's settings of gate access: each area's dated policy (with its history), the
gates and the pass types. Thin: the forms check the shape of the input, the services
decide (and check that the user is the office); their errors go back on the field."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from fangkong.access import scoping, selectors, services
from fangkong.access.models import AccessPolicy, Gate, PassType
from fangkong.core.forms import IsoDateTimeInput, IsoTimeInput
from fangkong.core.models import Area
from fangkong.core.pages import submit

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.campus.display_name} · {obj.display_name}"


class AreasField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.campus.display_name} · {obj.display_name}"


def _areas():
    return Area.objects.select_related("campus").order_by("campus__code", "name")


class PolicyForm(forms.Form):
    area = AreaChoiceField(label=gettext_lazy("Area"), queryset=_areas())
    kind = forms.ChoiceField(
        label=pgettext_lazy("access", "Policy"), choices=AccessPolicy.Kind.choices
    )
    effective_from = forms.DateTimeField(
        label=gettext_lazy("In force from"),
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=IsoDateTimeInput(),
        help_text=gettext_lazy("After the area's latest policy; history is not rewritten."),
    )
    quota_exits = forms.IntegerField(
        label=gettext_lazy("Exits per household"), required=False, min_value=1, max_value=99
    )
    quota_days = forms.IntegerField(
        label=gettext_lazy("Every how many days"), required=False, min_value=1, max_value=60
    )
    quota_window = forms.ChoiceField(
        label=pgettext_lazy("quota window", "Counted"),
        choices=AccessPolicy.Window.choices,
        initial=AccessPolicy.Window.ROLLING,
    )
    return_by = forms.TimeField(
        label=gettext_lazy("Back by (optional)"),
        required=False,
        widget=IsoTimeInput(),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _areas()

    def clean(self):
        data = super().clean()
        if data.get("kind") == AccessPolicy.Kind.QUOTA:
            for field in ("quota_exits", "quota_days"):
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, _("A household quota needs this."))
        return data


class GateForm(forms.ModelForm):
    area = AreaChoiceField(label=gettext_lazy("Area"), queryset=_areas())

    class Meta:
        model = Gate
        fields = ["code", "name", "name_en", "area", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _areas()


class ApproverField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{obj.username} ({full})" if full else obj.username


class PassTypeForm(forms.ModelForm):
    areas = AreasField(
        label=gettext_lazy("Areas"), queryset=_areas(), widget=forms.CheckboxSelectMultiple
    )
    approver = ApproverField(
        label=gettext_lazy("Approver besides the office"),
        queryset=get_user_model().objects.none(),
        required=False,
    )

    class Meta:
        model = PassType
        fields = [
            "code",
            "name",
            "name_en",
            "default_days",
            "areas",
            "multiple_use",
            "uses",
            "approver",
            "order",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = _areas()
        self.fields["approver"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )


# ---- policies ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def policies(request):
    """Every area with its policy in force, its dated history and its gates; one form sets a
    new policy for an area from a moment on."""
    scoping.require_office(request.user)
    initial = {"effective_from": timezone.localtime().replace(second=0, microsecond=0)}
    if request.GET.get("area", "").isdigit():
        initial["area"] = request.GET["area"]
    form = PolicyForm(request.POST or None, initial=initial)
    return submit(
        request,
        form,
        lambda data: services.set_policy(
            request.user,
            area=data["area"],
            kind=data["kind"],
            effective_from=data["effective_from"],
            reason=data["reason"],
            quota_exits=data["quota_exits"],
            quota_days=data["quota_days"],
            quota_window=data["quota_window"],
            return_by=data["return_by"],
        ),
        template="access/setup/policies.html",
        context=lambda: {"rows": selectors.area_policies(request.user), "now": timezone.now()},
        success=lambda policy: (
            _("%(area)s: %(policy)s from %(at)s.")
            % {
                "area": policy.area.display_name,
                "policy": policy.summary,
                "at": timezone.localtime(policy.effective_from).strftime("%Y-%m-%d %H:%M"),
            }
        ),
        redirect_to="access:policies",
    )


# ---- gates -------------------------------------------------------------------------------


@login_required
def gates(request):
    scoping.require_office(request.user)
    rows = Gate.objects.select_related("area__campus").order_by(
        "-is_active", "area__campus__code", "code"
    )
    return render(request, "access/setup/gates.html", {"gates": rows})


def _save_gate(request, gate: Gate | None):
    scoping.require_office(request.user)
    title = _("Edit gate") if gate else _("New gate")
    return submit(
        request,
        GateForm(request.POST or None, instance=gate),
        lambda data: services.save_gate(request.user, gate, **data),
        template="access/setup/form.html",
        context={"title": title, "instance": gate, "back": "access:gates"},
        success=_("Saved."),
        redirect_to="access:gates",
    )


@login_required
@require_http_methods(["GET", "POST"])
def gate_add(request):
    return _save_gate(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def gate_edit(request, pk: int):
    scoping.require_office(request.user)
    return _save_gate(request, get_object_or_404(Gate, pk=pk))


# ---- pass types --------------------------------------------------------------------------


@login_required
def pass_types(request):
    scoping.require_office(request.user)
    rows = (
        PassType.objects.select_related("approver")
        .prefetch_related("areas__campus")
        .order_by("-is_active", "order", "code")
    )
    return render(request, "access/setup/pass_types.html", {"pass_types": rows})


def _save_pass_type(request, pass_type: PassType | None):
    scoping.require_office(request.user)

    def save(data):
        areas = list(data.pop("areas"))
        return services.save_pass_type(request.user, pass_type, areas=areas, **data)

    title = _("Edit pass type") if pass_type else _("New pass type")
    return submit(
        request,
        PassTypeForm(request.POST or None, instance=pass_type),
        save,
        template="access/setup/form.html",
        context={"title": title, "instance": pass_type, "back": "access:pass-types"},
        success=_("Saved."),
        redirect_to="access:pass-types",
    )


@login_required
@require_http_methods(["GET", "POST"])
def pass_type_add(request):
    return _save_pass_type(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def pass_type_edit(request, pk: int):
    scoping.require_office(request.user)
    return _save_pass_type(request, get_object_or_404(PassType, pk=pk))
