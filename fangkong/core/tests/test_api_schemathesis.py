"""Schemathesis over every operation of /api/v1/openapi.json, as the office with a bearer token.

Each operation is one test item, so `pytest -n 2` shares them out. Inside it, Schemathesis
sends its coverage cases (boundaries, wrong types, missing fields, other methods) and up to
MAX_EXAMPLES generated requests, valid and invalid, to the application itself (in-process
WSGI, inside the test's database transaction), and checks every answer: never a 5xx, a
documented status code and content type, and a body matching the documented schema.
Generation is derandomized and seeded, so every run sends the same requests.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fangkong.core import services
from fangkong.core.models import Area, Person
from fangkong.core.roles import Role
from fangkong.supplies.tests import scenario as supplies_scenario
from fangkong.testing.factories import (
    AreaFactory,
    BuildingFactory,
    CampusFactory,
    HouseholdFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
)

# Per operation: ~25 fuzzed requests plus the coverage phase's few dozen; the whole file
# sends about 1,600 requests.
MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20200307,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=CONFIG)

# Ids of the rows the `school` fixture made, by the name of the path parameter, body field or
# query parameter that takes them. Generated ids (1 to 2**53) would nearly always miss, and
# every request would end in a 404 or "no such record"; so half of the generated values are
# swapped for real ones, and the requests reach the code behind the lookups.
KNOWN_IDS: dict[str, list[int]] = {}
QUERY_IDS = {
    "unit": "unit_id",
    "campus": "campus_id",
    "area": "area_id",
    "household": "household_id",
}


def _with_known_ids(values, names: dict[str, str]):
    """`values` as generated, or with one or all of its id fields set to existing rows."""
    if not isinstance(values, dict):
        return st.just(values)
    fields = {name: KNOWN_IDS.get(kind, []) for name, kind in names.items() if name in values}
    fields = {name: ids for name, ids in fields.items() if ids}
    if not fields:
        return st.just(values)
    variants = [{**values, name: pk} for name, ids in fields.items() for pk in ids]
    variants.append({**values, **{name: ids[0] for name, ids in fields.items()}})
    return st.one_of(st.just(values), st.sampled_from(variants))


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_known_ids(path_parameters, {name: name for name in KNOWN_IDS})


# The supplies API names records in its bodies and filters as its services do (`store`,
# `lot`…), so its operations get their own mapping.
SUPPLIES_IDS = {
    "store": "store_id",
    "from_store": "store_id",
    "to_store": "store_id",
    "source": "source_id",
    "supplier": "supplier_id",
    "item": "item_id",
    "lot": "lot_id",
    "unit": "unit_id",
    "campus": "campus_id",
    "requisition": "requisition_id",
}


def _is_supplies(context) -> bool:
    return "/supplies/" in getattr(getattr(context, "operation", None), "path", "")


@schema.hook
def flatmap_body(context, body):
    names = {name: name for name in KNOWN_IDS}
    if _is_supplies(context):
        names.update(SUPPLIES_IDS)
    return _with_known_ids(body, names)


@schema.hook
def flatmap_query(context, query):
    return _with_known_ids(query, SUPPLIES_IDS if _is_supplies(context) else QUERY_IDS)


@pytest.fixture
def in_process_requests():
    """Keep the database connection across requests, as Django's own test client does.

    Django closes "old" connections when a request starts and when it finishes; inside the
    test's transaction that would close the very connection the test is using.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def school(db):
    """A little school: a campus with a family and a teaching area, a block, two units, a
    household and people (one of them living in the household)."""
    campus = CampusFactory(code="yanta", name="雁塔校区", name_en="Yanta")
    family = AreaFactory(campus=campus, name="家属区", name_en="Family area", kind=Area.Kind.FAMILY)
    teaching = AreaFactory(
        campus=campus, name="教学区", name_en="Teaching area", kind=Area.Kind.TEACHING
    )
    block = BuildingFactory(area=family, name="1号楼", name_en="Block 1")
    arch = UnitFactory(code="arch", name="建筑学院", name_en="College of Architecture")
    civil = UnitFactory(code="civil", name="土木工程学院", name_en="School of Civil Engineering")
    household = HouseholdFactory(area=family, building=block, address="1-101")
    people = [
        PersonFactory(unit=arch),
        PersonFactory(unit=civil),
        PersonFactory(
            unit=arch,
            category=Person.Category.FAMILY,
            residence=Person.Residence.HOUSEHOLD,
            household=household,
        ),
    ]
    KNOWN_IDS.update(
        campus_id=[campus.pk],
        area_id=[family.pk, teaching.pk],
        building_id=[block.pk],
        dormitory_id=[block.pk],
        unit_id=[arch.pk, civil.pk],
        household_id=[household.pk],
        person_id=[person.pk for person in people],
    )
    KNOWN_IDS.update(supplies_scenario.schemathesis_rows(campus, arch))
    yield
    KNOWN_IDS.clear()


@pytest.fixture
def office_token(school):
    office = UserFactory(username="office", roles=[Role.OFFICE])
    _token, raw = services.create_api_token(office, "schemathesis")
    return raw


@schema.parametrize()
# The fixtures are made once per operation, not once per generated request, on purpose: the
# requests of one operation share the little school and whatever earlier requests wrote.
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case, office_token, in_process_requests):
    case.call_and_validate(headers={"Authorization": f"Bearer {office_token}"}, checks=CHECKS)
