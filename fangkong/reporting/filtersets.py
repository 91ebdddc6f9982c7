"""The filters of the reporting lists, one filterset per list: the pages show their forms,
the API passes its query values to them, and the selectors apply them to what the user may
see (selectors.checkins_for, reports_for, report_fields_for, validation_rules_for)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core import scoping as core_scoping
from fangkong.core.filtering import SearchFilter
from fangkong.core.forms import IsoDateInput
from fangkong.core.models import Unit
from fangkong.reporting.models import HealthCheckin, ReportField, UnitReport, ValidationRule

TRUE = {True, "1", "true", "True"}
FALSE = {False, "0", "false", "False"}


class YesNoField(forms.NullBooleanField):
    """Yes, no or either (left out). Unlike Django's NullBooleanField, anything else is an
    error rather than "either", as the API's query schema says."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ValidationError(
            forms.ChoiceField.default_error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


def in_use_filter() -> YesNoFilter:
    return YesNoFilter(
        field_name="is_active",
        label=_("In use"),
        widget=forms.Select(choices=[("", _("All")), ("1", _("Yes")), ("0", _("No"))]),
    )


class CheckinFilterSet(django_filters.FilterSet):
    """The check-ins of one day (today unless another is chosen), current ones only unless
    every version is asked for; for those who see every unit, of one unit. An officer's
    list is their own unit's: a choice of unit would choose nothing, so it is not offered
    and `unit` is ignored. The flag and the versions are the API's and a link's (hidden on
    the page)."""

    date = django_filters.DateFilter(label=_("Date"), widget=IsoDateInput(), method="applied")
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        field_name="person__unit",
        empty_label=_("All units"),
    )
    q = SearchFilter(
        "person__name__icontains", "person__person_number", placeholder=_("Name or number")
    )
    abnormal = YesNoFilter(field_name="is_abnormal", widget=forms.HiddenInput)
    include_superseded = YesNoFilter(widget=forms.HiddenInput, method="applied")

    class Meta:
        model = HealthCheckin
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_unit = None
        if user.has_role(*core_scoping.SEES_ALL_PEOPLE):
            self.filters["unit"].queryset = core_scoping.units_visible_to(user).order_by("code")
        else:
            self.fixed_unit = user.unit_id
            del self.filters["unit"]

    @property
    def day(self):
        """The day shown: the one chosen, or today (also when the filter is bad)."""
        if self.is_valid() and self.form.cleaned_data.get("date"):
            return self.form.cleaned_data["date"]
        return timezone.localdate()

    @property
    def unit_id(self) -> int | None:
        """The unit shown: an officer's own, or the one chosen, or None for every unit."""
        if self.fixed_unit or not self.is_valid():
            return self.fixed_unit
        unit = self.form.cleaned_data.get("unit")
        return unit.pk if unit else None

    def filter_queryset(self, queryset):
        queryset = queryset.filter(date=self.day)
        if not self.form.cleaned_data.get("include_superseded"):
            queryset = queryset.current()
        return super().filter_queryset(queryset)

    def applied(self, queryset, _name, _value):
        # The day and the versions are applied first, in filter_queryset: a day and the
        # current versions are chosen even when the filter leaves them out.
        return queryset


class ReportFieldFilterSet(django_filters.FilterSet):
    """The report's figures, those in use or not (the definition page and the API)."""

    active = in_use_filter()

    class Meta:
        model = ReportField
        fields = []


class ValidationRuleFilterSet(django_filters.FilterSet):
    """The rules between the figures, those in use or not (the definition page and the
    API)."""

    active = in_use_filter()

    class Meta:
        model = ValidationRule
        fields = []


def _date(lookup: str, label) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name="date", lookup_expr=lookup, label=label, widget=IsoDateInput()
    )


class UnitReportFilterSet(django_filters.FilterSet):
    """The units' daily reports: of one day or a period, of one unit (by id: a unit outside
    the user's scope gives none), in one state (the API and the reports' workbook)."""

    day = _date("exact", _("Day"))
    start = _date("gte", _("From"))
    end = _date("lte", _("To"))
    unit = django_filters.NumberFilter(field_name="unit_id", widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=UnitReport.Status.choices, empty_label=_("All")
    )

    class Meta:
        model = UnitReport
        fields = []
