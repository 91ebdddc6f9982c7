import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core import scoping as core_scoping
from fangkong.core.models import Person, User
from fangkong.core.roles import Role
from fangkong.watch.models import (
    MAX_FOLLOW_UP_EVERY,
    FollowUp,
    FollowUpKind,
    KeyPerson,
    RegionOfConcern,
)
from fangkong.watch.selectors import MAX_COMPLIANCE_DAYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LedgerFilterForm(forms.Form):
    """The ledger's search and filters; the API's LedgerFilter takes the same fields."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Name, person number, phone ending or reason"),
                "type": "search",
            }
        ),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *KeyPerson.Category.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*KeyPerson.Status.choices, ("all", _("All"))],
    )
    verified = forms.ChoiceField(
        label=_("Verified"),
        required=False,
        choices=[("", _("Verified or not")), ("1", _("Verified")), ("0", _("Not yet verified"))],
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, empty_label=_("All units")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = core_scoping.units_visible_to(user).order_by("code")

    def filters(self) -> dict:
        """Keyword arguments for selectors.key_persons_for (open entries when invalid)."""
        if not self.is_valid():
            return {"status": KeyPerson.Status.UNDER_WATCH}
        data = self.cleaned_data
        status = data.get("status") or KeyPerson.Status.UNDER_WATCH
        return {
            "q": data.get("q", ""),
            "category": data.get("category", ""),
            "status": None if status == "all" else status,
            "verified": {"1": True, "0": False}.get(data.get("verified") or ""),
            "unit": data["unit"].pk if data.get("unit") else None,
        }


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
        number = self.cleaned_data.get("person_number", "").strip()
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
