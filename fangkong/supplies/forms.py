"""Forms of the supplies pages. They only shape the input: every rule (quantities in the
item's unit, closed periods, stock, limits, who may do what) is the services', whose
errors come back onto these fields (see `views.apply_line_errors`)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import IsoDateInput
from fangkong.core.models import Unit
from fangkong.supplies.models import (
    Balance,
    Item,
    Pack,
    Purpose,
    SourceCategory,
    Store,
    Supplier,
)
from fangkong.supplies.services import shown

# Blank line rows on a new receipt or requisition; empty rows are skipped.
LINE_ROWS = 5

# A date input sends and shows only ISO dates: in Chinese, Django's first input format would
# write 2026/12/02, which the browser's date picker drops, leaving the field blank.
DATE = {"widget": IsoDateInput()}
QUANTITY_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


def quantity_field(label, required=False, **attrs) -> forms.CharField:
    """A quantity as typed: the service parses it in the item's unit and says what is
    wrong with it (not a number, too many decimals, zero…)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        widget=forms.TextInput(attrs={**QUANTITY_ATTRS, **attrs}),
    )


def active_items():
    return Item.objects.filter(is_active=True).order_by("category", "code")


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.get_unit_display()})"


def item_field(items: list) -> ItemChoiceField:
    """An optional item choice for a line row, its options built from `items` (read
    once for all the rows, not once a row)."""
    field = ItemChoiceField(label=_("Item"), queryset=active_items(), required=False)
    field.choices = [("", "---------")] + [
        (item.pk, field.label_from_instance(item)) for item in items
    ]
    return field


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PackChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.item.display_name}: {obj.name} ({shown(obj.quantity)})"


# ---- the catalogue --------------------------------------------------------------------------


class ItemForm(forms.ModelForm):
    # The database refuses a negative minimum too; here the message sits on the field.
    minimum_level = forms.DecimalField(
        label=_("minimum level"), min_value=0, max_digits=14, decimal_places=3, initial=0
    )

    class Meta:
        model = Item
        fields = ["code", "name", "name_en", "category", "unit", "minimum_level", "has_expiry"]


class ItemEditForm(forms.ModelForm):
    """An item's code and unit stay as they are: its lots and moves are counted in it."""

    minimum_level = ItemForm.base_fields["minimum_level"]

    class Meta:
        model = Item
        fields = ["name", "name_en", "category", "minimum_level", "has_expiry", "is_active"]


class PackForm(forms.ModelForm):
    item = ItemChoiceField(label=_("item"), queryset=Item.objects.none())

    class Meta:
        model = Pack
        fields = ["item", "name", "name_en", "quantity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = active_items()


class PackEditForm(forms.ModelForm):
    class Meta:
        model = Pack
        fields = ["name", "name_en", "quantity"]


class StoreForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["code", "name", "name_en", "campus"]


class StoreEditForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["name", "name_en", "campus", "is_active"]


class SourceForm(forms.ModelForm):
    class Meta:
        model = SourceCategory
        fields = ["code", "name", "name_en"]


class SourceEditForm(forms.ModelForm):
    class Meta:
        model = SourceCategory
        fields = ["name", "name_en", "is_active"]


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "name_en", "kind", "contact"]


class SupplierEditForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "name_en", "kind", "contact", "is_active"]


class UnitLimitForm(forms.Form):
    """Set (or change) a unit's daily limit of an item per person; no unit: every unit
    without its own."""

    item = ItemChoiceField(label=_("Item"), queryset=Item.objects.none())
    unit = NamedChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Every unit without its own limit"),
    )
    per_person_per_day = quantity_field(_("Per person per day"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = active_items()
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("code")


# ---- receipts -------------------------------------------------------------------------------


class LinesForm(forms.Form):
    """A form with numbered line rows (item_1, quantity_1, …); `rows()` groups them for the
    template and `lines()` gives the filled ones, each with its row number."""

    line_fields: tuple[str, ...] = ("item", "quantity")

    def add_line_fields(self, row: int) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, LINE_ROWS + 1):
            self.add_line_fields(row)

    def rows(self):
        return [
            (row, [self[f"{name}_{row}"] for name in self.line_fields])
            for row in range(1, LINE_ROWS + 1)
        ]

    def head_fields(self):
        prefixes = tuple(f"{name}_" for name in self.line_fields)
        return [field for field in self if not field.name.startswith(prefixes)]

    def lines(self) -> list[tuple[int, dict]]:
        filled = []
        for row in range(1, LINE_ROWS + 1):
            values = {name: self.cleaned_data.get(f"{name}_{row}") for name in self.line_fields}
            if any(value not in (None, "") for value in values.values()):
                filled.append((row, values))
        return filled

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        lines = self.lines()
        if not lines:
            self.add_error("item_1", _("Add at least one line."))
        for row, values in lines:
            if values["item"] is None:
                self.add_error(f"item_{row}", _("Choose an item."))
        return cleaned


class ReceiptForm(LinesForm):
    line_fields = ("item", "quantity", "pack", "lot_number", "expires_on")

    received_on = forms.DateField(label=_("Received on"), **DATE)
    source = NamedChoiceField(label=_("Source"), queryset=SourceCategory.objects.none())
    supplier = NamedChoiceField(
        label=_("Donor or supplier"), queryset=Supplier.objects.none(), required=False
    )
    store = NamedChoiceField(label=_("Store"), queryset=Store.objects.none())
    restricted_to = forms.ChoiceField(
        label=_("Only for"),
        choices=[("", _("Any use"))] + list(Purpose.choices),
        required=False,
        help_text=_("A donation given for one use is issued only for it."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        self._items = list(active_items())
        self._packs = list(Pack.objects.filter(item__is_active=True).select_related("item"))
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = SourceCategory.objects.filter(is_active=True)
        self.fields["supplier"].queryset = Supplier.objects.filter(is_active=True)
        self.fields["store"].queryset = Store.objects.filter(is_active=True)

    def add_line_fields(self, row: int) -> None:
        self.fields[f"item_{row}"] = item_field(self._items)
        self.fields[f"quantity_{row}"] = quantity_field(_("Quantity"))
        packs = PackChoiceField(
            label=_("In packs of"),
            queryset=Pack.objects.filter(item__is_active=True).select_related("item"),
            required=False,
            empty_label=_("(the item's unit)"),
        )
        packs.choices = [("", packs.empty_label)] + [
            (pack.pk, packs.label_from_instance(pack)) for pack in self._packs
        ]
        self.fields[f"pack_{row}"] = packs
        self.fields[f"lot_number_{row}"] = forms.CharField(
            label=_("Lot number"), max_length=40, required=False
        )
        self.fields[f"expires_on_{row}"] = forms.DateField(
            label=_("Expires on"), required=False, **DATE
        )


# ---- requisitions ---------------------------------------------------------------------------


class RequisitionForm(LinesForm):
    """An officer asks for their own unit; the office chooses the unit."""

    unit = NamedChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    purpose = forms.ChoiceField(label=_("For"), choices=Purpose.choices)
    note = forms.CharField(label=_("Purpose in detail"), max_length=200, required=False)

    def __init__(self, *args, choose_unit: bool, **kwargs):
        self._items = list(active_items())
        super().__init__(*args, **kwargs)
        if choose_unit:
            self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("code")
        else:
            del self.fields["unit"]

    def add_line_fields(self, row: int) -> None:
        self.fields[f"item_{row}"] = item_field(self._items)
        self.fields[f"quantity_{row}"] = quantity_field(_("Quantity"))


class DecisionForm(forms.Form):
    """The office's decision: per line the quantity approved (what was asked, unless
    trimmed), and the reason for a trim or a rejection."""

    note = forms.CharField(
        label=_("Reason (for a trim or a rejection)"), max_length=200, required=False
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"approved_{line.pk}"] = quantity_field(line.item.display_name, size="8")
            self.initial.setdefault(f"approved_{line.pk}", shown_or_blank(line.requested))

    def rows(self):
        return [(line, self[f"approved_{line.pk}"]) for line in self.lines]

    def quantities(self) -> dict:
        return {line.pk: self.cleaned_data.get(f"approved_{line.pk}") or "0" for line in self.lines}


def shown_or_blank(quantity) -> str:
    return "" if quantity is None else shown(quantity)


class IssueForm(forms.Form):
    """The issue screen: for each line still to issue, how much now and, if the storekeeper
    changes the suggestion, from which lots; blank lots take the first-expiry-first-out
    suggestion. Then who received the supplies."""

    store = NamedChoiceField(label=_("Store"), queryset=Store.objects.none())
    # Required, but by the service, which then reports it with the lines' errors at once.
    recipient = forms.CharField(label=_("Received by (name)"), max_length=40, required=False)
    issued_on = forms.DateField(label=_("Issued on"), **DATE)

    def __init__(self, *args, lines, lots, **kwargs):
        """`lines`: the requisition's lines still to issue; `lots`: {line pk: [balances]}
        that may be issued for it from the chosen store."""
        super().__init__(*args, **kwargs)
        self.initial.setdefault("issued_on", timezone.localdate())
        self.fields["store"].queryset = Store.objects.filter(is_active=True)
        self.lines = list(lines)
        self.lots = lots
        for line in self.lines:
            self.fields[f"quantity_{line.pk}"] = quantity_field(_("Issue now"), size="8")
            self.initial.setdefault(f"quantity_{line.pk}", shown_or_blank(line.outstanding))
            for balance in lots.get(line.pk, []):
                self.fields[f"lot_{line.pk}_{balance.lot_id}"] = quantity_field(
                    _("From this lot"), size="8"
                )

    def rows(self):
        return [
            (
                line,
                self[f"quantity_{line.pk}"],
                [
                    (balance, self[f"lot_{line.pk}_{balance.lot_id}"])
                    for balance in self.lots.get(line.pk, [])
                ],
            )
            for line in self.lines
        ]


# ---- the ledger -----------------------------------------------------------------------------


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    moved_on = forms.DateField(label=_("Date of the reversal"), **DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"moved_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class BalanceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        lot = obj.lot
        expiry = f" · {lot.expires_on.isoformat()}" if lot.expires_on else ""
        return (
            f"{obj.store.display_name} · {obj.item.display_name} · {lot.lot_number}{expiry}"
            f" · {shown(obj.quantity)} {obj.item.get_unit_display()}"
        )


class TransferForm(forms.Form):
    balance = BalanceChoiceField(
        label=_("Lot to move (from store)"), queryset=Balance.objects.none()
    )
    to_store = NamedChoiceField(label=_("To store"), queryset=Store.objects.none())
    quantity = quantity_field(_("Quantity"), required=True)
    moved_on = forms.DateField(label=_("Date"), **DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"moved_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["balance"].queryset = (
            Balance.objects.filter(quantity__gt=0)
            .select_related("store", "item", "lot")
            .order_by("store__code", "item__code", "lot__expires_on", "lot_id")
        )
        self.fields["to_store"].queryset = Store.objects.filter(is_active=True)


class StocktakeForm(forms.Form):
    """Counted quantities of a store's lots: a blank one is not counted; 0 means none left."""

    counted_on = forms.DateField(label=_("Counted on"), **DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, balances, **kwargs):
        kwargs.setdefault("initial", {"counted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.balances = list(balances)
        for balance in self.balances:
            self.fields[f"count_{balance.lot_id}"] = quantity_field(_("Counted"), size="8")

    def rows(self):
        return [(balance, self[f"count_{balance.lot_id}"]) for balance in self.balances]

    def head_fields(self):
        return [self["counted_on"], self["reason"]]

    def counts(self) -> dict:
        return {
            balance.lot: self.cleaned_data[f"count_{balance.lot_id}"].strip()
            for balance in self.balances
            if (self.cleaned_data.get(f"count_{balance.lot_id}") or "").strip()
        }


class ClosePeriodForm(forms.Form):
    closed_through = forms.DateField(label=_("Close the ledger through"), **DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class StoreChoiceForm(forms.Form):
    store = NamedChoiceField(label=_("Store"), queryset=Store.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = Store.objects.filter(is_active=True)
