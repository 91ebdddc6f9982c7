from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong import spreadsheets
from fangkong.core import periods, scoping
from fangkong.core.identity import (
    normalise_national_id,
    normalise_person_number,
    normalise_phone,
    person_number_problem,
)
from fangkong.core.models import (
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    Area,
    Building,
    Household,
    Person,
    Unit,
)
from fangkong.core.roles import Role


# The browser shows a date, time or datetime-local field in its own way, but reads and sends
# only ISO text (2020-02-14, 08:30, 2020-02-14T08:30). Django renders a value in the page's
# language by default (2020/02/14 in Chinese), which such a field cannot read: it shows
# blank. Every such field in Fangkong uses one of these three.
class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class IsoDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class PersonForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=200)

    class Meta:
        model = Person
        fields = PERSON_FIELDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = scoping.units_visible_to(user).filter(is_active=True).order_by("code")
        if not scoping.can_edit_person_in_unit(user, None):
            units = units.filter(pk=user.unit_id)
        self.fields["unit"].queryset = units
        self.fields["dormitory"].queryset = Building.objects.filter(
            area__kind=Area.Kind.DORMITORY
        ).select_related("area")
        self.fields["household"].queryset = Household.objects.filter(is_active=True).select_related(
            "building"
        )
        if self.instance.pk is None:
            del self.fields["reason"]

    def clean_person_number(self):
        # Full-width digits typed with a Chinese input method are the same number; what is
        # still not ASCII is refused here, before it can reach a pass code.
        number = normalise_person_number(self.cleaned_data.get("person_number", ""))
        problem = person_number_problem(number) if number else None
        if problem:
            raise forms.ValidationError(problem, code="person_number_format")
        return number

    def clean_national_id(self):
        return normalise_national_id(self.cleaned_data.get("national_id", ""))

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        data = super().clean()
        residence = data.get("residence")
        if residence == Person.Residence.DORMITORY and not data.get("dormitory"):
            self.add_error("dormitory", _("Choose the dormitory this person lives in."))
        if residence == Person.Residence.HOUSEHOLD and not data.get("household"):
            self.add_error("household", _("Choose the household this person belongs to."))
        return data

    def _post_clean(self):
        # The service decides what a residence clears; skip the model's own check of the
        # half-edited instance here so the user sees the field errors above instead.
        pass


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class HouseholdForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=200)

    class Meta:
        model = Household
        fields = HOUSEHOLD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(kind=Area.Kind.FAMILY)
        self.fields["building"].queryset = Building.objects.filter(
            area__kind=Area.Kind.FAMILY
        ).select_related("area")
        if self.instance.pk is None:
            del self.fields["reason"]

    def _post_clean(self):
        pass


class ImportForm(forms.Form):
    """An upload of a workbook to import: .xlsx, .xls or .ods (what calamine reads)."""

    file = forms.FileField(
        label=_("Spreadsheet (.xlsx, .xls or .ods)"),
        widget=forms.ClearableFileInput(attrs={"accept": spreadsheets.UPLOAD_ACCEPT}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            spreadsheets.check_file_name(upload.name)
        except spreadsheets.SheetError as exc:
            raise forms.ValidationError(str(exc), code="not_a_spreadsheet") from None
        return upload


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        help_text=_("What the token is for, e.g. the gate device at the east gate."),
    )


class AccountForm(forms.Form):
    """A new login, made by the office: roles, the unit of an officer, the person it is."""

    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Initial password"), min_length=10, widget=forms.PasswordInput(render_value=False)
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    person_number = forms.CharField(
        label=_("Person number"),
        max_length=32,
        required=False,
        help_text=_("Links the login to this person's record."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("code")

    def clean_person_number(self):
        number = normalise_person_number(self.cleaned_data.get("person_number", ""))
        if not number:
            return None
        try:
            return Person.objects.get(person_number=number)
        except Person.DoesNotExist:
            raise forms.ValidationError(_("No person has this number.")) from None


class ReportPeriodForm(forms.Form):
    """The From/To fields of a report page. `period()` reads them as periods.period_from
    does, with the report's default length (`default_days`) and limit (`max_days`): the
    same messages for a bad date or period on every report."""

    start = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    end = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())

    default_days = 30
    max_days = periods.MAX_REPORT_DAYS

    def period(self, today=None) -> periods.Period:
        return periods.period_from(self.data, self.default_days, self.max_days, today)
