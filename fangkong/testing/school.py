"""A small gated school for the access tests: a family area under a household quota, a
closed teaching area, a gate for each, two pass types, a household of two, a guard and the
office. Used by the fixtures in tests/conftest.py and by the benchmarks."""

import dataclasses
import datetime

from django.utils import timezone

from fangkong.access import services
from fangkong.access.models import AccessPolicy
from fangkong.core.models import Area
from fangkong.core.roles import Role
from fangkong.testing.factories import (
    AreaFactory,
    CampusFactory,
    HouseholdFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
)


@dataclasses.dataclass
class GatedSchool:
    office: object
    guard: object
    family: object
    teaching: object
    family_gate: object
    family_gate_2: object
    teaching_gate: object
    duty: object  # pass type: on-duty staff, multiple use, teaching area
    materials: object  # pass type: fetching course materials, single use
    household: object
    resident: object
    resident_2: object
    outsider: object
    unit: object


def gated_school(policies_from: datetime.datetime | None = None) -> GatedSchool:
    policies_from = policies_from or timezone.now() - datetime.timedelta(days=30)
    office = UserFactory(roles=[Role.OFFICE], username="gate-office")
    guard = UserFactory(roles=[Role.GUARD], username="gate-guard")
    campus = CampusFactory(code="yanta", name="雁塔校区", name_en="Yanta campus")
    family = AreaFactory(
        campus=campus, name="雁塔家属区", name_en="Yanta family area", kind=Area.Kind.FAMILY
    )
    teaching = AreaFactory(
        campus=campus, name="雁塔教学区", name_en="Yanta teaching area", kind=Area.Kind.TEACHING
    )
    services.set_policy(
        office,
        area=family,
        kind=AccessPolicy.Kind.QUOTA,
        quota_exits=1,
        quota_days=2,
        effective_from=policies_from,
    )
    services.set_policy(
        office, area=teaching, kind=AccessPolicy.Kind.CLOSED, effective_from=policies_from
    )
    family_gate = services.save_gate(
        office, code="family-east", name="家属区东门", name_en="Family area east gate", area=family
    )
    family_gate_2 = services.save_gate(
        office, code="family-west", name="家属区西门", name_en="Family area west gate", area=family
    )
    teaching_gate = services.save_gate(
        office, code="teaching-north", name="北门", name_en="North gate", area=teaching
    )
    duty = services.save_pass_type(
        office,
        code="duty",
        name="在岗值班",
        name_en="On-duty staff",
        default_days=14,
        multiple_use=True,
        areas=[teaching],
    )
    materials = services.save_pass_type(
        office,
        code="materials",
        name="取教学资料",
        name_en="Fetching course materials",
        default_days=3,
        multiple_use=False,
        areas=[teaching],
    )
    unit = UnitFactory(code="gate-unit", name="建筑学院", name_en="College of Architecture")
    household = HouseholdFactory(area=family, building__area=family, address="3-201")
    resident = PersonFactory(unit=unit, household=household, residence="household")
    resident_2 = PersonFactory(unit=unit, household=household, residence="household")
    outsider = PersonFactory(unit=unit)
    return GatedSchool(
        office=office,
        guard=guard,
        family=family,
        teaching=teaching,
        family_gate=family_gate,
        family_gate_2=family_gate_2,
        teaching_gate=teaching_gate,
        duty=duty,
        materials=materials,
        household=household,
        resident=resident,
        resident_2=resident_2,
        outsider=outsider,
        unit=unit,
    )


def issued_pass(school: GatedSchool, holder=None, pass_type=None, **fields):
    """A pass issued at the desk by the school's office, valid from today."""
    return services.issue_at_desk(
        school.office,
        holder=holder or school.outsider,
        pass_type=pass_type or school.duty,
        reason=fields.pop("reason", "值班"),
        **fields,
    )
