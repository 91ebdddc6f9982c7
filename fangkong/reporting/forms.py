from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core import scoping as core_scoping
from fangkong.core.models import Person
from fangkong.reporting.models import HealthCheckin, ReportingPolicy, Symptom

YES_NO = [("1", _("Yes")), ("0", _("No"))]


class YesNoField(forms.TypedChoiceField):
    """A required yes/no question with no answer chosen beforehand (a checkbox cannot say
    "not answered", and an unticked box would read as "no")."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=YES_NO,
            coerce=lambda value: value == "1",
            widget=forms.RadioSelect,
            **kwargs,
        )


class CheckinForm(forms.Form):
    """A check-in's answers. Never filled in from an earlier day: every answer is given anew,
    so that yesterday's "no symptoms" is not carried over unseen."""

    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(
            attrs={"step": "0.1", "min": "34", "max": "43", "inputmode": "decimal"}
        ),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms (tick any you have)"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    current_province = forms.CharField(label=_("Province you are in now"), max_length=30)
    current_city = forms.CharField(label=_("City you are in now"), max_length=60)
    on_campus = YesNoField(label=_("Are you on campus?"))
    contact_with_region_of_concern = YesNoField(
        label=_("Contact with a region of concern?"),
        help_text=_("Been in one, or in contact with someone from one, in the last 14 days."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def answers(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in self.fields if key in ANSWERS}


ANSWERS = set(CheckinForm.base_fields)


class OfficerCheckinForm(CheckinForm):
    """An officer (or the office) enters a check-in for a person: which person, which day."""

    person_number = forms.CharField(label=_("Person number"), max_length=32)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["person_number", "date"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_person_number(self):
        number = self.cleaned_data["person_number"].strip()
        try:
            return core_scoping.people_visible_to(self.user).get(person_number=number)
        except Person.DoesNotExist:
            raise forms.ValidationError(
                _("No person of your unit has the number %(number)s.") % {"number": number}
            ) from None


class CorrectionForm(CheckinForm):
    """The answers to give instead, starting from the version being corrected, and why."""

    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)

    @staticmethod
    def initial_from(checkin: HealthCheckin) -> dict:
        return {
            "temperature": checkin.temperature,
            "symptoms": checkin.symptoms,
            "current_province": checkin.current_province,
            "current_city": checkin.current_city,
            "on_campus": "1" if checkin.on_campus else "0",
            "contact_with_region_of_concern": "1"
            if checkin.contact_with_region_of_concern
            else "0",
            "note": checkin.note,
        }


class DayForm(forms.Form):
    """The day page's date and, for those who see every unit, the unit."""

    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, empty_label=_("All units")
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or number")}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = core_scoping.units_visible_to(user).order_by("code")
        self.fixed_unit = None
        if not user.has_role(*core_scoping.SEES_ALL_PEOPLE):
            # An officer's day page is their own unit's.
            self.fixed_unit = user.unit_id
            del self.fields["unit"]

    def filters(self) -> dict:
        today = timezone.localdate()
        if not self.is_valid():
            return {"day": today, "unit": self.fixed_unit, "q": ""}
        data = self.cleaned_data
        unit = data.get("unit")
        return {
            "day": data.get("date") or today,
            "unit": self.fixed_unit or (unit.pk if unit else None),
            "q": data.get("q", ""),
        }


class PolicyForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)

    class Meta:
        model = ReportingPolicy
        fields = ["deadline", "days_open", "fever_threshold", "school_name"]
        widgets = {"deadline": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def _post_clean(self):
        # The service validates and saves (with the history's who and why).
        pass
