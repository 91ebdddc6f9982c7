"""The filters of the supplies lists, one filterset per list: the pages show their forms,
the API passes its query values to them, and the selectors apply them to what the user may
see (selectors.moves_list, requisitions_list, receipts_list)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import IsoDateInput
from fangkong.core.models import Unit
from fangkong.core.roles import Role
from fangkong.supplies.forms import ItemChoiceField, NamedChoiceField
from fangkong.supplies.models import (
    Item,
    Receipt,
    Requisition,
    SourceCategory,
    StockMove,
    Store,
    Supplier,
)

OPEN = (Requisition.Status.APPROVED, Requisition.Status.PARTLY_ISSUED)


class NamedFilter(django_filters.ModelChoiceFilter):
    field_class = NamedChoiceField


class ItemFilter(django_filters.ModelChoiceFilter):
    field_class = ItemChoiceField


def _date(field_name: str, lookup: str, label) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field_name, lookup_expr=lookup, label=label, widget=IsoDateInput()
    )


class StockMoveFilterSet(django_filters.FilterSet):
    """The stock ledger's filters. The lot and the requisition are filtered by id (a link
    from a lot or a requisition), not chosen from a list."""

    store = NamedFilter(label=_("Store"), queryset=Store.objects.all())
    item = ItemFilter(label=_("Item"), queryset=Item.objects.all())
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=StockMove.Kind.choices, empty_label=_("All")
    )
    start = _date("moved_on", "gte", _("From"))
    end = _date("moved_on", "lte", _("To"))
    lot = django_filters.NumberFilter(field_name="lot_id", widget=forms.HiddenInput)
    requisition = django_filters.NumberFilter(
        field_name="requisition_line__requisition_id", widget=forms.HiddenInput
    )

    class Meta:
        model = StockMove
        fields = []


class RequisitionFilterSet(django_filters.FilterSet):
    """The requisitions' filters: a status, or "to issue" (approved or partly issued), and
    a unit for those who see more than their own."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("To issue")), *Requisition.Status.choices],
        empty_label=_("All"),
        method="filter_status",
    )
    unit = NamedFilter(label=_("Unit"), queryset=Unit.objects.order_by("code"))

    class Meta:
        model = Requisition
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # An officer sees their own unit's only: a choice of unit would choose nothing.
        if user is not None and not user.has_role(Role.OFFICE, Role.LEADER, Role.STOREKEEPER):
            del self.filters["unit"]

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN)
        return queryset.filter(status=value)


class ReceiptFilterSet(django_filters.FilterSet):
    start = _date("received_on", "gte", _("From"))
    end = _date("received_on", "lte", _("To"))
    source = NamedFilter(label=_("Source"), queryset=SourceCategory.objects.all())
    supplier = NamedFilter(label=_("Donor or supplier"), queryset=Supplier.objects.all())
    store = NamedFilter(label=_("Store"), queryset=Store.objects.all())

    class Meta:
        model = Receipt
        fields = []
