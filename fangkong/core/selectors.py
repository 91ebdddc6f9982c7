"""Reads of the registry, shared by pages, the API, exports and later modules' reports."""

from django.db.models import BooleanField, Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core import filtering, scoping
from fangkong.core.filtering import Filtered
from fangkong.core.filtersets import AccountFilterSet, HouseholdFilterSet, PersonFilterSet
from fangkong.core.identity import mask_national_id, mask_phone
from fangkong.core.models import Household, Person, Unit, User
from fangkong.core.roles import Role


def people_for(user, data=None) -> Filtered:
    """The people `user` may see, filtered as the people list, its export and the API
    filter them (PersonFilterSet): the active ones unless asked otherwise."""
    people = (
        scoping.people_visible_to(user)
        .select_related("unit", "household__building", "dormitory")
        .order_by("unit__code", "person_number")
    )
    return filtering.apply(PersonFilterSet, data, people, user=user)


def units_for(user) -> QuerySet[Unit]:
    officers = User.objects.filter(groups__name=Role.OFFICER, is_active=True)
    return (
        scoping.units_visible_to(user)
        .annotate(active_people=Count("people", filter=Q(people__is_active=True)))
        .prefetch_related(Prefetch("users", queryset=officers, to_attr="officers"))
        .order_by("code")
    )


def accounts_visible_to(user) -> QuerySet[User]:
    """The logins the office keeps: all of them for the office, none for anyone else."""
    if not user.has_role(Role.OFFICE):
        return User.objects.none()
    return User.objects.all()


def accounts_for(user, data=None) -> Filtered:
    """The logins the office keeps (the accounts page and the API), filtered by
    AccountFilterSet. Switched-on accounts first, then by user name."""
    accounts = (
        accounts_visible_to(user)
        .select_related("unit", "person")
        .prefetch_related("groups")
        .order_by("-is_active", "username")
    )
    return filtering.apply(AccountFilterSet, data, accounts)


def account_roles(account: User) -> list[str]:
    """The roles an account holds, switched on or not, from its prefetched groups."""
    return sorted(group.name for group in account.groups.all() if group.name in Role.values)


def households_visible_to(user) -> QuerySet[Household]:
    return (
        scoping.households_visible_to(user)
        .select_related("area", "building")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True), distinct=True))
        .order_by("area__name", "building__name", "address")
    )


def households_for(user, data=None) -> Filtered:
    """The households `user` may see, filtered by HouseholdFilterSet."""
    return filtering.apply(HouseholdFilterSet, data, households_visible_to(user))


def people_counts_by_category(user) -> list[dict]:
    rows = (
        scoping.people_visible_to(user)
        .filter(is_active=True)
        .values("category")
        .annotate(total=Count("pk"))
        .order_by("category")
    )
    totals = {row["category"]: row["total"] for row in rows}
    # In the order the office thinks of them (staff first), not alphabetically by code.
    return [
        {"category": value, "label": label, "total": totals[value]}
        for value, label in Person.Category.choices
        if value in totals
    ]


def reveals_of(person, limit: int = 20):
    """Who was shown this person's ID number or phone in full, newest first (for the office)."""
    return person.reveals.select_related("user").order_by("-at")[:limit]


MASKERS = {"national_id": mask_national_id, "phone": mask_phone}


def history_of(instance, limit: int = 50) -> list[dict]:
    """What changed on each edit of `instance`, newest first: who, when, why, field by field.

    Personal data stays masked here: history is read by more people than may see it.
    """
    records = list(
        instance.history.select_related("history_user").order_by("-history_id")[: limit + 1]
    )
    model = type(instance)
    entries, related_ids = [], {}
    for newer, older in zip(records, records[1:] + [None], strict=False):
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                field = model._meta.get_field(change.field)
                mask = MASKERS.get(change.field, lambda value: value)
                if field.is_relation:
                    related_ids.setdefault(field.related_model, set()).update(
                        value for value in (change.old, change.new) if value is not None
                    )
                changes.append({"field": field, "old": mask(change.old), "new": mask(change.new)})
        entries.append({"record": newer, "changes": changes})
    # A changed unit or household reads as its name, not its row id: one query per model.
    names = {
        related: {row.pk: str(row) for row in related.objects.filter(pk__in=ids)}
        for related, ids in related_ids.items()
    }
    for entry in entries:
        for change in entry["changes"]:
            field = change["field"]
            if field.is_relation:
                lookup = names.get(field.related_model, {})
            elif field.choices:
                lookup = dict(field.flatchoices)
            elif isinstance(field, BooleanField):
                lookup = {True: _("yes"), False: _("no")}
            else:
                lookup = {}
            change["old"] = lookup.get(change["old"], change["old"])
            change["new"] = lookup.get(change["new"], change["new"])
            change["field"] = field.verbose_name
    return entries[:limit]
