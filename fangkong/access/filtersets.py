"""The filters of the access lists, one filterset per list: the pass list's page shows its
form, the API passes its query values to it, and `selectors.passes_for` applies it to the
passes the user may see."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.access.models import Pass, PassType
from fangkong.core.filtering import SearchFilter


class PassTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PassTypeFilter(django_filters.ModelChoiceFilter):
    """A pass type chosen by its name in the user's language."""

    field_class = PassTypeField


class PassFilterSet(django_filters.FilterSet):
    """The pass list's search and filters. "Approved" means approved and still valid today;
    "expired" means approved and past its last day (the status a guard would see)."""

    q = SearchFilter(
        "number__icontains",
        "holder__name__icontains",
        "holder__person_number",
        placeholder=_("Pass number, name or person number"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Pass.Status.choices, empty_label=_("All"), method="shown"
    )
    pass_type = PassTypeFilter(label=_("Pass type"), queryset=PassType.objects.all())
    holder = django_filters.NumberFilter(field_name="holder_id", widget=forms.HiddenInput)

    class Meta:
        model = Pass
        fields = []

    def shown(self, queryset, _name, value):
        today = timezone.localdate()
        if value == Pass.Status.EXPIRED:
            return queryset.filter(status=Pass.Status.APPROVED, valid_until__lt=today)
        if value == Pass.Status.APPROVED:
            return queryset.filter(status=Pass.Status.APPROVED, valid_until__gte=today)
        return queryset.filter(status=value)
