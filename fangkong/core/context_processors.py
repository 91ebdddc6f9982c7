from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.core import scoping
from fangkong.core.roles import Role

# Roles whose daily work is other people's records: the registry and the units' reports.
PEOPLE_WORK = (Role.OFFICE, Role.LEADER, Role.MEDIC, Role.OFFICER)


def roles(request):
    """What the navigation offers: derived from the roles, so each template asks one flag."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "Role": Role, "nav": {}}
    user_roles = user.roles
    people_work = user.has_role(*PEOPLE_WORK)
    nav = {
        "people": people_work,
        "units": people_work or user.has_role(Role.STOREKEEPER),
        "households": people_work,
        "checkin": bool(user.person_id),
        "checkins": people_work,
        "ledger": people_work,
        "office": user.has_role(Role.OFFICE),
        "supplies": user.has_role(Role.OFFICE, Role.LEADER, Role.STOREKEEPER, Role.OFFICER),
        "tokens": scoping.can_use_api_tokens(user),
        # Gate access: everyone with a person record applies for passes; guards work a gate.
        "passes": bool(user.person_id) or user.has_role(Role.OFFICE, Role.OFFICER),
        "gate": user.has_role(Role.GUARD, Role.OFFICE),
        "gate_reports": user.has_role(Role.OFFICE, Role.LEADER, Role.GUARD),
    }
    nav["main"] = main_entries(user, nav)
    nav["links"] = [
        {"href": reverse(url), "label": label, "main": entry in nav["main"], "entry": entry}
        for entry, flag, url, label in LINKS
        if flag is None or nav[flag]
    ]
    return {"user_roles": user_roles, "Role": Role, "nav": nav}


# The menu: (entry, the flag that shows it, URL name, label), in the menu's order.
LINKS = [
    ("home", None, "home", _("Home")),
    ("checkin", "checkin", "reporting:my-checkin", _("Today's check-in")),
    ("checkins", "checkins", "reporting:day", _("Check-ins")),
    ("reports", "checkins", "reporting:reports", _("Daily reports")),
    ("ledger", "ledger", "watch:ledger", _("Key persons")),
    ("due", "ledger", "watch:due", _("Follow-ups due")),
    ("isolation", "ledger", "watch:isolation", _("Isolation")),
    ("incidents", "ledger", "watch:incidents", _("Incidents")),
    ("people", "people", "person-list", _("People")),
    ("households", "households", "household-list", _("Households")),
    ("supplies", "supplies", "supplies:index", _("Supplies")),
    ("units", "units", "unit-list", _("Units")),
    ("gate", "gate", "access:gate", _("Gate")),
    ("passes", "passes", "access:passes", _("Passes")),
]

# Each role's daily work, first things first: on a phone these stay beside the menu button.
MAIN_ENTRIES = {
    Role.OFFICE: ("checkins", "reports", "ledger"),
    Role.LEADER: ("reports", "ledger"),
    Role.OFFICER: ("checkins", "reports", "supplies"),
    Role.MEDIC: ("isolation", "ledger"),
    Role.STOREKEEPER: ("supplies",),
    Role.GUARD: ("gate", "passes"),
    Role.MEMBER: ("checkin", "passes"),
}
MAIN_SHOWN = 2
# The menu's entry each key names, when the flag of the same name (or this one) is on.
ENTRY_FLAG = {"reports": "checkins", "isolation": "ledger"}


def main_entries(user, nav) -> frozenset[str]:
    entries = []
    for role in Role.values:
        if not user.has_role(role):
            continue
        for entry in MAIN_ENTRIES.get(role, ()):
            if nav.get(ENTRY_FLAG.get(entry, entry)) and entry not in entries:
                entries.append(entry)
    if not entries and user.person_id:
        entries = list(MAIN_ENTRIES[Role.MEMBER])
    return frozenset(entries[:MAIN_SHOWN])
