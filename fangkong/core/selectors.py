"""Reads of the registry, shared by pages, the API, exports and later modules' reports."""

from django.db.models import BooleanField, Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core import scoping
from fangkong.core.identity import mask_national_id, mask_phone
from fangkong.core.models import Household, Person, Unit, User
from fangkong.core.roles import Role


def people_for(
    user,
    *,
    q: str = "",
    unit: int | None = None,
    category: str = "",
    residence: str = "",
    native_province: str = "",
    household: int | None = None,
    active: bool | None = True,
) -> QuerySet[Person]:
    """The people `user` may see, filtered as the people list and the API filter them."""
    people = scoping.people_visible_to(user).select_related(
        "unit", "household__building", "dormitory"
    )
    q = (q or "").strip()
    if q:
        people = people.filter(
            Q(name__icontains=q) | Q(person_number__istartswith=q) | Q(phone__endswith=q)
        )
    if unit:
        people = people.filter(unit_id=unit)
    if category:
        people = people.filter(category=category)
    if residence:
        people = people.filter(residence=residence)
    if native_province:
        people = people.filter(native_province=native_province)
    if household:
        people = people.filter(household_id=household)
    if active is not None:
        people = people.filter(is_active=active)
    return people.order_by("unit__code", "person_number")


def units_for(user) -> QuerySet[Unit]:
    officers = User.objects.filter(groups__name=Role.OFFICER, is_active=True)
    return (
        scoping.units_visible_to(user)
        .annotate(active_people=Count("people", filter=Q(people__is_active=True)))
        .prefetch_related(Prefetch("users", queryset=officers, to_attr="officers"))
        .order_by("code")
    )


def accounts_for(
    user, *, q: str = "", role: str = "", unit: int | None = None, active: bool | None = None
) -> QuerySet[User]:
    """The logins the office keeps (the accounts page and the API): all of them for the
    office, none for anyone else. Switched-on accounts first, then by user name."""
    if not user.has_role(Role.OFFICE):
        return User.objects.none()
    accounts = User.objects.select_related("unit", "person").prefetch_related("groups")
    q = (q or "").strip()
    if q:
        accounts = accounts.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    if role:
        accounts = accounts.filter(groups__name=role)
    if unit:
        accounts = accounts.filter(unit_id=unit)
    if active is not None:
        accounts = accounts.filter(is_active=active)
    return accounts.order_by("-is_active", "username")


def account_roles(account: User) -> list[str]:
    """The roles an account holds, switched on or not, from its prefetched groups."""
    return sorted(group.name for group in account.groups.all() if group.name in Role.values)


def households_for(
    user, *, q: str = "", area: int | None = None, rented: bool | None = None
) -> QuerySet[Household]:
    households = scoping.households_visible_to(user).select_related("area", "building")
    if q:
        households = households.filter(
            Q(address__icontains=q) | Q(building__name__icontains=q) | Q(members__name__icontains=q)
        ).distinct()
    if area:
        households = households.filter(area_id=area)
    if rented is not None:
        households = households.filter(is_rented=rented)
    return households.annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
    ).order_by("area__name", "building__name", "address")


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
