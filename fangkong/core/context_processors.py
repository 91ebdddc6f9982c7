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
    return {"user_roles": user_roles, "Role": Role, "nav": nav}
