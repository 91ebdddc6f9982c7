import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core import scoping as core_scoping
from fangkong.core.forms import IsoDateInput, IsoDateTimeInput
from fangkong.core.identity import normalise_person_number
from fangkong.core.models import Area, Building, Household, Person, User
from fangkong.core.roles import Role
from fangkong.watch import scoping
from fangkong.watch.models import (
    MAX_FOLLOW_UP_EVERY,
    CheckSlot,
    FollowUp,
    FollowUpKind,
    Incident,
    IsolationCase,
    IsolationPolicy,
    IsolationRoom,
    KeyPerson,
    RegionOfConcern,
)
from fangkong.watch.selectors import MAX_COMPLIANCE_DAYS

DATE = IsoDateInput()
DATETIME = IsoDateTimeInput()


def responsible_staff(user):
    """Who may be made responsible for an entry: the office, the hospital, and the officers
    the user may assign (an officer: those of their own unit)."""
    staff = User.objects.filter(is_active=True)
    if user.has_role(Role.OFFICE):
        return staff.filter(groups__name__in=[Role.OFFICE, Role.OFFICER, Role.MEDIC]).distinct()
    return staff.filter(
        Q(pk=user.pk) | Q(groups__name=Role.OFFICER, unit_id=user.unit_id)
    ).distinct()


class KeyPersonForm(forms.ModelForm):
    """Listing a person (by person number) or editing an entry (with a reason)."""

    person_number = forms.CharField(label=_("Person number"), max_length=32)
    change_reason = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=200
    )

    class Meta:
        model = KeyPerson
        fields = (
            "category",
            "region",
            "reason",
            "listed_on",
            "monitoring_until",
            "responsible",
            "follow_up_every",
            "follow_up_kind",
        )
        widgets = {"listed_on": DATE, "monitoring_until": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = RegionOfConcern.objects.order_by("-from_date", "name")
        self.fields["responsible"].queryset = responsible_staff(user)
        self.fields["responsible"].required = False
        self.fields["follow_up_every"].widget.attrs.update(min=0, max=MAX_FOLLOW_UP_EVERY)
        if self.instance.pk is None:
            del self.fields["change_reason"]
            self.fields["listed_on"].initial = timezone.localdate()
            self.fields["listed_on"].required = False
            self.order_fields(["person_number"])
        else:
            del self.fields["person_number"]

    def clean_person_number(self):
        number = normalise_person_number(self.cleaned_data.get("person_number", ""))
        person = (
            core_scoping.people_visible_to(self.user, Person.objects.filter(is_active=True))
            .filter(person_number=number)
            .first()
        )
        if person is None:
            raise forms.ValidationError(_("No person you may list has this number."))
        return person

    def _post_clean(self):
        # The service checks the entry as a whole (and names the field); not the half-made
        # instance here.
        pass


class ClearForm(forms.Form):
    reason = forms.CharField(label=_("Reason for clearing"), max_length=200)
    cleared_on = forms.DateField(label=_("Cleared on"), required=False, widget=DATE)


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUpKind.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUp.Outcome.choices)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "34", "max": "43"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    at = forms.DateTimeField(
        label=_("When"), required=False, widget=DATETIME, help_text=_("Now, if left empty.")
    )
    due_on = forms.DateField(
        label=_("For the day"),
        required=False,
        widget=DATE,
        help_text=_("The day of the follow-up, if left empty."),
    )


class CorrectionForm(FollowUpForm):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)


class RegionForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=200)

    class Meta:
        model = RegionOfConcern
        fields = ("name", "from_date", "until_date", "note")
        widgets = {"from_date": DATE, "until_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["reason"]

    def _post_clean(self):
        pass


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DATE)

    def day_or_today(self) -> datetime.date:
        if self.is_valid() and self.cleaned_data.get("day"):
            return self.cleaned_data["day"]
        return timezone.localdate()


class DrawForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    size = forms.IntegerField(label=_("How many persons"), min_value=1, max_value=100_000)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *KeyPerson.Category.choices],
    )


class ComplianceForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - datetime.timedelta(days=6)
        if start > end:
            self.add_error("start", _("The range starts after it ends."))
        elif (end - start).days >= MAX_COMPLIANCE_DAYS:
            self.add_error(
                "start",
                _("Show at most %(days)d days at a time.") % {"days": MAX_COMPLIANCE_DAYS},
            )
        data["start"], data["end"] = start, end
        return data

    def range(self) -> tuple[datetime.date, datetime.date]:
        """The range asked for, or the last seven days when the form is invalid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        end = timezone.localdate()
        return end - datetime.timedelta(days=6), end


# ---- medical isolation --------------------------------------------------------------------

TEMPERATURE_WIDGET = forms.NumberInput(attrs={"step": "0.1", "min": "34", "max": "43"})


def _person_by_number(user, number: str) -> Person:
    number = normalise_person_number(number)
    person = (
        core_scoping.people_visible_to(user, Person.objects.filter(is_active=True))
        .filter(person_number=number)
        .first()
    )
    if person is None:
        raise forms.ValidationError(_("No person has this number."))
    return person


class IsolationCaseForm(forms.Form):
    """Starting a case: the person by number, where, why, on whose order."""

    person_number = forms.CharField(label=_("Person number"), max_length=32)
    place_kind = forms.ChoiceField(label=_("Place"), choices=IsolationCase.PlaceKind.choices)
    household = forms.ModelChoiceField(
        label=_("Household (home isolation)"),
        queryset=None,
        required=False,
        help_text=_("The person's own household, if left empty."),
    )
    room = forms.ModelChoiceField(
        label=_("Room (isolation building)"), queryset=None, required=False
    )
    hospital = forms.CharField(label=_("Hospital"), required=False, max_length=100)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    ordered_by = forms.ChoiceField(
        label=_("Ordered by"),
        choices=IsolationCase.OrderedBy.choices,
        initial=IsolationCase.OrderedBy.SCHOOL,
    )
    cdc_reference = forms.CharField(
        label=_("CDC order reference"),
        required=False,
        max_length=60,
        help_text=_("Required when the CDC ordered the isolation."),
    )
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=DATE, help_text=_("Today, if left empty.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["household"].queryset = (
            Household.objects.filter(is_active=True, area__kind=Area.Kind.FAMILY)
            .select_related("building")
            .order_by("building__name", "address")
        )
        rooms = IsolationRoom.objects.filter(is_active=True).select_related("building")
        self.fields["room"].queryset = rooms.with_occupancy().order_by("building__name", "name")
        self.fields["room"].label_from_instance = lambda room: (
            _("%(room)s (%(taken)d of %(beds)d beds taken)")
            % {"room": room, "taken": room.occupancy, "beds": room.capacity}
        )

    def clean_person_number(self):
        return _person_by_number(self.user, self.cleaned_data.get("person_number", ""))


class EndCaseForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=300)
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=DATE, help_text=_("Today, if left empty.")
    )


class TransferForm(EndCaseForm):
    hospital = forms.CharField(label=_("Hospital"), max_length=100)

    field_order = ["hospital", "note", "end_date"]


class IsolationCheckForm(forms.Form):
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        widget=TEMPERATURE_WIDGET,
        error_messages={"max_decimal_places": _("Give the temperature to one decimal place.")},
    )
    slot = forms.ChoiceField(
        label=_("Slot"),
        required=False,
        choices=[("", _("By the time of the check")), *CheckSlot.choices],
    )
    date = forms.DateField(
        label=_("Date"), required=False, widget=DATE, help_text=_("Today, if left empty.")
    )
    symptoms = forms.CharField(label=_("Symptoms"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def values(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


class CheckCorrectionForm(forms.Form):
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"), max_digits=3, decimal_places=1, widget=TEMPERATURE_WIDGET
    )
    symptoms = forms.CharField(label=_("Symptoms"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)


class IsolationPolicyForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=200)

    class Meta:
        model = IsolationPolicy
        fields = ("effective_from", "days", "note")
        widgets = {"effective_from": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["reason"]

    def _post_clean(self):
        pass


class IsolationRoomForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=200)

    class Meta:
        model = IsolationRoom
        fields = ("building", "name", "capacity", "is_active", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.select_related("area").order_by(
            "area__kind", "name"
        )
        self.fields["capacity"].widget.attrs.update(min=1)
        if self.instance.pk is None:
            del self.fields["reason"]

    def _post_clean(self):
        pass


class ChecksDayForm(DayForm):
    slot = forms.ChoiceField(label=_("Slot"), required=False, choices=CheckSlot.choices)


# ---- incidents ----------------------------------------------------------------------------


class IncidentForm(forms.Form):
    occurred_at = forms.DateTimeField(label=_("Occurred at"), widget=DATETIME)
    kind = forms.ChoiceField(label=_("Kind"), choices=Incident.Kind.choices)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Incident.Severity.choices, initial=Incident.Severity.MEDIUM
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    area = forms.ModelChoiceField(label=_("Area"), queryset=None, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    person_numbers = forms.CharField(
        label=_("People involved"),
        required=False,
        max_length=500,
        help_text=_("Person numbers, separated by spaces or commas."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].queryset = Area.objects.select_related("campus").order_by(
            "campus__code", "name"
        )

    def clean_person_numbers(self):
        return people_by_numbers(self.user, self.cleaned_data.get("person_numbers", ""))


def people_by_numbers(user, text: str) -> list[Person]:
    numbers = [part for part in text.replace(",", " ").replace("，", " ").split() if part]
    people = []
    missing = []
    for number in dict.fromkeys(map(normalise_person_number, numbers)):
        person = core_scoping.people_visible_to(user).filter(person_number=number).first()
        if person is None:
            missing.append(number)
        else:
            people.append(person)
    if missing:
        raise forms.ValidationError(
            _("No person has the number %(numbers)s.") % {"numbers": ", ".join(missing)}
        )
    return people


class IncidentActionForm(forms.Form):
    text = forms.CharField(
        label=_("What was done"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    at = forms.DateTimeField(
        label=_("When"), required=False, widget=DATETIME, help_text=_("Now, if left empty.")
    )


class IncidentStatusForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    at = forms.DateTimeField(
        label=_("When"), required=False, widget=DATETIME, help_text=_("Now, if left empty.")
    )


class CloseIncidentForm(forms.Form):
    summary = forms.CharField(
        label=_("Closing summary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    at = forms.DateTimeField(
        label=_("When"), required=False, widget=DATETIME, help_text=_("Now, if left empty.")
    )


class LinkPeopleForm(forms.Form):
    person_numbers = forms.CharField(
        label=_("Add people involved"),
        max_length=500,
        help_text=_("Person numbers, separated by spaces or commas."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_person_numbers(self):
        return people_by_numbers(self.user, self.cleaned_data.get("person_numbers", ""))


class LinkCaseForm(forms.Form):
    case = forms.ModelChoiceField(label=_("Link an isolation case"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = (
            scoping.isolation_cases_visible_to(user)
            .select_related("person")
            .order_by("-start_date", "-pk")
        )
        self.fields["case"].label_from_instance = lambda case: (
            f"{case.person.name} · {case.start_date:%Y-%m-%d} · {case.get_place_kind_display()}"
        )
