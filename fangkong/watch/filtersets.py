"""The filters of the watch lists, one filterset per list: the pages show their forms, the
API passes its query values to them, and the selectors apply them to what the user may see
(selectors.key_persons_for, isolation_cases_for, incidents_for, follow_ups_for,
isolation_checks_for)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core import scoping as core_scoping
from fangkong.core.filtering import SearchFilter
from fangkong.core.forms import IsoDateInput
from fangkong.core.models import Unit
from fangkong.watch.models import FollowUp, Incident, IsolationCase, IsolationCheck, KeyPerson

ALL = "all"
LEDGER_STATUS_CHOICES = [*KeyPerson.Status.choices, (ALL, _("All"))]
VERIFIED_CHOICES = [("1", _("Verified")), ("0", _("Not yet verified"))]


def _unchanged(queryset, _name, _value):
    return queryset


def _date(field_name: str, lookup: str, label, **kwargs) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        widget=kwargs.pop("widget", None) or IsoDateInput(),
        **kwargs,
    )


def _unit_filter() -> django_filters.ModelChoiceFilter:
    """A unit, among those the user sees (set in the filterset's __init__)."""
    return django_filters.ModelChoiceFilter(
        field_name="person__unit",
        label=_("Unit"),
        queryset=Unit.objects.none(),
        empty_label=_("All units"),
    )


def _hidden_id(field_name: str, label) -> django_filters.NumberFilter:
    """A record filtered by id (a link from its page), not chosen from a list."""
    return django_filters.NumberFilter(field_name=field_name, label=label, widget=forms.HiddenInput)


class _UnitsOfTheUser:
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = core_scoping.units_visible_to(user).order_by("code")


class KeyPersonFilterSet(_UnitsOfTheUser, django_filters.FilterSet):
    """The ledger's search and filters. Without a status, the entries under watch only;
    "all" for every entry."""

    q = SearchFilter(
        "person__name__icontains",
        "person__person_number__istartswith",
        "person__phone__endswith",
        "reason__icontains",
        placeholder=_("Name, person number, phone ending or reason"),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=KeyPerson.Category.choices, empty_label=_("All categories")
    )
    # Read in filter_queryset: an empty status means those under watch, not everyone.
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=LEDGER_STATUS_CHOICES, empty_label=None, method=_unchanged
    )
    verified = django_filters.ChoiceFilter(
        label=_("Verified"),
        choices=VERIFIED_CHOICES,
        empty_label=_("Verified or not"),
        method="filter_verified",
    )
    unit = _unit_filter()
    region = _hidden_id("region_id", _("Region"))
    person = _hidden_id("person_id", _("Person"))

    class Meta:
        model = KeyPerson
        fields = []

    def filter_verified(self, queryset, _name, value):
        return queryset.filter(verified_at__isnull=value != "1")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.form.cleaned_data.get("status") or KeyPerson.Status.UNDER_WATCH
        return queryset if status == ALL else queryset.filter(status=status)


class IsolationCaseFilterSet(_UnitsOfTheUser, django_filters.FilterSet):
    """The isolation list's search and filters; `open_on` gives the cases under isolation
    that day (started by then, not ended by then)."""

    q = SearchFilter(
        "person__name__icontains",
        "person__person_number__istartswith",
        "reason__icontains",
        "cdc_reference__icontains",
        placeholder=_("Name, person number, reason or CDC reference"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=IsolationCase.Status.choices, empty_label=_("All")
    )
    place_kind = django_filters.ChoiceFilter(
        label=_("Place"), choices=IsolationCase.PlaceKind.choices, empty_label=_("All places")
    )
    ordered_by = django_filters.ChoiceFilter(
        label=_("Ordered by"), choices=IsolationCase.OrderedBy.choices, empty_label=_("All")
    )
    unit = _unit_filter()
    started_from = _date("start_date", "gte", _("Started from"))
    started_until = _date("start_date", "lte", _("Started until"))
    person = _hidden_id("person_id", _("Person"))
    open_on = django_filters.DateFilter(
        label=_("In isolation on"), method="filter_open_on", widget=forms.HiddenInput
    )

    class Meta:
        model = IsolationCase
        fields = []

    def filter_open_on(self, queryset, _name, value):
        return queryset.open_on(value)


class IncidentFilterSet(django_filters.FilterSet):
    """The incidents' search and filters; `start` and `end` bound the local day it
    occurred."""

    q = SearchFilter(
        "description__icontains", "place__icontains", placeholder=_("Description or place")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Incident.Status.choices, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Incident.Kind.choices, empty_label=_("All kinds")
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Incident.Severity.choices, empty_label=_("Any severity")
    )
    start = _date("occurred_at", "date__gte", _("From"))
    end = _date("occurred_at", "date__lte", _("Until"))
    person = _hidden_id("people__id", _("Person"))

    class Meta:
        model = Incident
        fields = []


class _CurrentOnly:
    """`current_only`: the records no correction has replaced."""

    def filter_current_only(self, queryset, _name, value):
        return queryset.filter(superseded_by__isnull=True) if value else queryset


def _flag(label, method: str) -> django_filters.BooleanFilter:
    # Not NullBooleanSelect, which reads only true/false: the API's values come as 1 or 0.
    return django_filters.BooleanFilter(label=label, method=method, widget=forms.HiddenInput)


class FollowUpFilterSet(_CurrentOnly, django_filters.FilterSet):
    """The follow-ups of an entry (its page), or of a day (the day's list): every record,
    corrections and the records they replaced, unless `current_only`."""

    key_person = _hidden_id("key_person_id", _("Key person"))
    day = _date("due_on", "exact", _("Day"), widget=forms.HiddenInput)
    current_only = _flag(_("Current records only"), "filter_current_only")

    class Meta:
        model = FollowUp
        fields = []


class IsolationCheckFilterSet(_CurrentOnly, django_filters.FilterSet):
    """The temperature checks of a case (its page), or of a day."""

    case = _hidden_id("case_id", _("Isolation case"))
    day = _date("date", "exact", _("Day"), widget=forms.HiddenInput)
    current_only = _flag(_("Current records only"), "filter_current_only")
    fever_only = _flag(_("Fevers only"), "filter_fever_only")

    class Meta:
        model = IsolationCheck
        fields = []

    def filter_fever_only(self, queryset, _name, value):
        return queryset.filter(is_fever=True) if value else queryset
