from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core import scoping as core_scoping
from fangkong.core.forms import IsoDateInput, IsoTimeInput, ReportPeriodForm
from fangkong.core.identity import normalise_person_number
from fangkong.core.models import Person
from fangkong.reporting.models import (
    HealthCheckin,
    ReportField,
    ReportingPolicy,
    Symptom,
    ValidationRule,
)
from fangkong.reporting.selectors import MAX_COMPLETENESS_DAYS

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
    date = forms.DateField(label=_("Date"), widget=IsoDateInput())

    field_order = ["person_number", "date"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_person_number(self):
        number = normalise_person_number(self.cleaned_data["person_number"])
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


class PolicyForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)

    class Meta:
        model = ReportingPolicy
        fields = ["deadline", "days_open", "fever_threshold", "school_name"]
        widgets = {"deadline": IsoTimeInput()}

    def _post_clean(self):
        # The service validates and saves (with the history's who and why).
        pass


# ---- unit daily reports -------------------------------------------------------------------


class ReportForm(forms.Form):
    """The unit daily report's figures, one number per field the office defined, each
    computed one with its reason for differing. Built from the active fields."""

    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, report_fields, figures, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.report_fields = report_fields
        self.figures = figures
        initial = {}
        for field in report_fields:
            computed = figures.get(field.source) if field.is_computed else None
            name = self.value_name(field)
            help_text = ""
            if computed is not None:
                help_text = _("Fangkong's records give %(computed)d.") % {"computed": computed}
            self.fields[name] = forms.IntegerField(
                label=field.display_label,
                min_value=0,
                required=False,
                help_text=help_text,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
            )
            given = current.get(field.pk)
            if given is not None:
                initial[name] = given.value
            elif computed is not None:
                # A computed figure starts at what the records say: the officer confirms it
                # or overrides it with a reason.
                initial[name] = computed
            if field.is_computed:
                self.fields[self.reason_name(field)] = forms.CharField(
                    label=_("Why it differs from the records"),
                    max_length=200,
                    required=False,
                )
                if given is not None and given.reason:
                    initial[self.reason_name(field)] = given.reason
        self.initial.update(
            {key: value for key, value in initial.items() if key not in self.initial}
        )
        self.order_fields(
            [name for field in report_fields for name in self.names(field)] + ["note"]
        )

    @staticmethod
    def value_name(field) -> str:
        return f"f_{field.code}"

    @staticmethod
    def reason_name(field) -> str:
        return f"r_{field.code}"

    def names(self, field) -> list[str]:
        return [self.value_name(field)] + ([self.reason_name(field)] if field.is_computed else [])

    def rows(self):
        """(field, value bound field, reason bound field or None) in the office's order."""
        for field in self.report_fields:
            reason = self[self.reason_name(field)] if field.is_computed else None
            yield field, self[self.value_name(field)], reason

    def values(self) -> dict:
        return {
            field.code: self.cleaned_data.get(self.value_name(field))
            for field in self.report_fields
        }

    def reasons(self) -> dict:
        return {
            field.code: self.cleaned_data.get(self.reason_name(field), "")
            for field in self.report_fields
            if field.is_computed
        }

    def apply_errors(self, error) -> None:
        """A service's errors, keyed by a field's code, onto that field's input."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for key, messages in error.message_dict.items():
            target = f"f_{key}" if f"f_{key}" in self.fields else key
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Why it is returned"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectFigureForm(forms.Form):
    field = forms.ModelChoiceField(label=_("Figure"), queryset=None)
    value = forms.IntegerField(label=_("Corrected figure"), min_value=0)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = ReportField.objects.filter(is_active=True)


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), max_length=300, required=False)


class ReportDayForm(forms.Form):
    date = forms.DateField(label=_("Day"), required=False, widget=IsoDateInput())

    def day(self):
        if self.is_valid() and self.cleaned_data.get("date"):
            return self.cleaned_data["date"]
        return timezone.localdate()


class PeriodForm(ReportPeriodForm):
    """The completeness report's period: the last 14 days unless the user chose others."""

    default_days = 14
    max_days = MAX_COMPLETENESS_DAYS


class ReportFieldForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)

    class Meta:
        model = ReportField
        fields = ["code", "label", "label_en", "order", "source", "is_active"]

    def _post_clean(self):
        pass


class ValidationRuleForm(forms.ModelForm):
    class Meta:
        model = ValidationRule
        fields = [
            "left",
            "operator",
            "right",
            "right_constant",
            "priority",
            "message",
            "message_en",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = ReportField.objects.filter(is_active=True)
        self.fields["left"].queryset = active
        self.fields["right"].queryset = active

    def _post_clean(self):
        pass
