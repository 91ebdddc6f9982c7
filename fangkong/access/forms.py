"""Forms of the pass pages. They only shape the input: the rules (dates, areas, who may
apply or decide) are the services', whose errors come back onto these fields by name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.access.models import PassType
from fangkong.core import scoping as core_scoping
from fangkong.core.forms import IsoDateInput
from fangkong.core.identity import normalise_person_number
from fangkong.core.models import Area, Person

DATE = IsoDateInput()

# What the status filter offers: the stored statuses, and "expired" (derived from the dates).


def active_pass_types():
    return PassType.objects.filter(is_active=True).prefetch_related("areas")


class PassTypeSelect(forms.Select):
    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-days"] = instance.default_days
            option["attrs"]["data-areas"] = ",".join(str(area.pk) for area in instance.areas.all())
            option["attrs"]["data-name"] = instance.display_name
        return option


class PassTypeChoiceField(forms.ModelChoiceField):
    """A pass type, named with its defaults; each option carries them (data-days, data-areas)
    so the page can fill the dates and areas when one is picked."""

    def label_from_instance(self, obj):
        return obj.display_name

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", active_pass_types())
        kwargs.setdefault("label", _("Pass type"))
        kwargs.setdefault("widget", PassTypeSelect)
        super().__init__(*args, **kwargs)


class AreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


def areas_field(required=False) -> AreaChoiceField:
    return AreaChoiceField(
        label=_("Areas"),
        queryset=Area.objects.select_related("campus").order_by("campus__code", "name"),
        required=required,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the pass type's areas."),
    )


class PersonNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Person number"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)


class PassApplicationForm(forms.Form):
    """An application: for oneself (a member), for a person of one's unit (an officer), for
    anyone (the office). Empty dates and areas take the pass type's defaults."""

    holder = PersonNumberField(
        help_text=_("The person the pass is for: their person number."),
    )
    pass_type = PassTypeChoiceField()
    reason = forms.CharField(label=_("Reason"), max_length=200)
    valid_from = forms.DateField(label=_("First day"), required=False, widget=DATE)
    valid_until = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DATE,
        help_text=_("Empty: as long as the pass type allows."),
    )
    areas = areas_field()

    def __init__(self, *args, user, choose_holder: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not choose_holder:
            del self.fields["holder"]

    def clean_holder(self):
        number = normalise_person_number(self.cleaned_data.get("holder", ""))
        person = (
            core_scoping.people_visible_to(self.user, Person.objects.filter(is_active=True))
            .filter(person_number=number)
            .first()
        )
        if person is None:
            raise forms.ValidationError(_("No person you may apply for has this number."))
        return person


class DecisionForm(forms.Form):
    decision_note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Needed to reject: say why."),
    )


class RevokeForm(forms.Form):
    revoke_reason = forms.CharField(label=_("Reason for revoking"), max_length=200)


class DeskForm(forms.Form):
    """The pass desk: a person (picked from the search), a type, and the reason (the type's
    name when left empty). Dates and areas are the type's."""

    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.filter(is_active=True),
        error_messages={
            "required": _("Find the person by number or name, and pick them."),
            "invalid_choice": _("This person is not on the books."),
        },
    )
    # No blank choice: the first type (or the desk's last) is already picked.
    pass_type = PassTypeChoiceField(empty_label=None)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Empty: the pass type's name."),
    )
