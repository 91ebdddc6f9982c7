"""The filters of the registry's lists, one filterset per list: the pages show their forms,
the API passes its query values to them, the selectors apply them to what the user may see
(selectors.people_for, households_for, accounts_for)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core import scoping
from fangkong.core.filtering import SearchFilter
from fangkong.core.models import Area, Household, Person, Unit, User
from fangkong.core.roles import Role

ACTIVE_CHOICES = [("1", _("Active")), ("0", _("Deactivated")), ("all", _("All"))]


def _unchanged(queryset, _name, _value):
    return queryset


class PersonFilterSet(django_filters.FilterSet):
    """The people list's search and filters. Without a status, the active people only."""

    q = SearchFilter(
        "name__icontains",
        "person_number__istartswith",
        "phone__endswith",
        placeholder=_("Name, person number or phone ending"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=Unit.objects.none(), empty_label=_("All units")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Person.Category.choices, empty_label=_("All categories")
    )
    residence = django_filters.ChoiceFilter(
        label=_("Residence"), choices=Person.Residence.choices, empty_label=_("Any residence")
    )
    native_province = django_filters.CharFilter(label=_("Native province"), max_length=30)
    household = django_filters.NumberFilter(field_name="household_id", widget=forms.HiddenInput)
    # Read in filter_queryset: an empty status means the active people, not everyone.
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, empty_label=None, method=_unchanged
    )

    class Meta:
        model = Person
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = scoping.units_visible_to(user).order_by("code")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        active = {"1": True, "0": False, "all": None}[self.form.cleaned_data.get("active") or "1"]
        return queryset if active is None else queryset.filter(is_active=active)


class HouseholdFilterSet(django_filters.FilterSet):
    q = SearchFilter(
        "address__icontains", "building__name__icontains", "members__name__icontains", distinct=True
    )
    area = django_filters.ModelChoiceFilter(label=_("Area"), queryset=Area.objects.all())
    # A text widget: NullBooleanSelect reads only true/false, and the page sends 1 or 0.
    rented = django_filters.BooleanFilter(
        field_name="is_rented", label=_("Renting"), widget=forms.TextInput
    )

    class Meta:
        model = Household
        fields = []


class AccountFilterSet(django_filters.FilterSet):
    q = SearchFilter("username__icontains", "first_name__icontains", "last_name__icontains")
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, field_name="groups__name"
    )
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=Unit.objects.all())
    active = django_filters.BooleanFilter(
        field_name="is_active", label=_("Active"), widget=forms.TextInput
    )

    class Meta:
        model = User
        fields = []
