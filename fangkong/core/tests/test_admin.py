"""The Django admin: every app's models are there for superusers, ledgers read-only, and only
superusers get in."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from fangkong.access import services as access_services
from fangkong.core.roles import Role
from fangkong.supplies.tests import scenario as supplies_scenario
from fangkong.testing.factories import HealthCheckinFactory, KeyPersonFactory, UserFactory
from fangkong.testing.school import gated_school, issued_pass

APPS = ("core", "reporting", "watch", "supplies", "access")
# The files every app has, so that a newcomer who knows one app knows them all (STYLE.md 1).
LAYERS = (
    "admin.py",
    "api.py",
    "apps.py",
    "demo.py",
    "forms.py",
    "models.py",
    "scoping.py",
    "selectors.py",
    "services.py",
    "urls.py",
    "migrations",
    "templates",
    "tests",
)
# Append-only ledgers (DESIGN: "Nothing is lost"): never added, changed or deleted in the admin.
LEDGERS = (
    "core.PersonalDataReveal",
    "reporting.HealthCheckin",
    "reporting.ReportValue",
    "reporting.ReportEvent",
    "watch.FollowUp",
    "watch.IsolationCheck",
    "watch.IncidentAction",
    "supplies.StockMove",
    "supplies.Balance",
    "access.Crossing",
    "access.AccessPolicy",
)


def fangkong_models():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def rows(db):
    """A row or more in most tables: a gated school with a pass and a crossing, a supplies
    ledger, a check-in and a key person."""
    school = gated_school()
    gate_pass = issued_pass(school)
    access_services.decide_at_gate(
        school.guard,
        gate=school.teaching_gate,
        direction="in",
        presented=gate_pass.number,
        person_number="",
    )
    supplies_scenario.schemathesis_rows(school.family.campus, school.unit)
    HealthCheckinFactory(person=school.resident)
    KeyPersonFactory(person=school.outsider)
    return school


@pytest.mark.parametrize("label", APPS)
def test_every_app_has_the_same_layers_including_admin(label):
    folder = Path(apps.get_app_config(label).path)
    assert [name for name in LAYERS if not (folder / name).exists()] == []


def test_every_model_of_every_app_is_in_the_admin():
    missing = [
        model._meta.label for model in fangkong_models() if not admin.site.is_registered(model)
    ]
    assert missing == []


@pytest.mark.parametrize("label", LEDGERS)
def test_a_ledger_is_read_only_in_the_admin(label, rf, superuser):
    model_admin = admin.site._registry[apps.get_model(label)]
    request = rf.get("/admin/")
    request.user = superuser
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_a_superuser_opens_every_list_search_and_record(client, superuser, rows):
    client.force_login(superuser)
    failures = []
    for model in fangkong_models():
        for url in (admin_url(model, "changelist"), admin_url(model, "changelist") + "?q=1"):
            if client.get(url).status_code != 200:
                failures.append(url)
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            url = admin_url(model, "change", first.pk)
            if client.get(url).status_code != 200:
                failures.append(url)
    assert failures == []


def test_a_posted_change_to_a_stock_move_is_refused_and_the_move_stays(client, superuser, rows):
    from fangkong.supplies.models import StockMove

    move = StockMove.objects.order_by("pk").first()
    client.force_login(superuser)

    change = client.post(admin_url(StockMove, "change", move.pk), {"quantity": "1"})
    delete = client.post(admin_url(StockMove, "delete", move.pk), {"post": "yes"})

    assert (change.status_code, delete.status_code) == (403, 403)
    assert StockMove.objects.get(pk=move.pk).quantity == move.quantity


def test_a_superuser_corrects_a_gate_and_the_history_names_them(client, superuser, rows):
    gate = rows.family_gate
    client.force_login(superuser)

    response = client.post(
        admin_url(type(gate), "change", gate.pk),
        {
            "code": gate.code,
            "name": "家属区东门（新）",
            "name_en": gate.name_en,
            "area": gate.area_id,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    latest = gate.history.order_by("-history_id").first()
    assert (latest.name, latest.history_user) == ("家属区东门（新）", superuser)
    history = client.get(admin_url(type(gate), "history", gate.pk))
    assert "家属区东门（新）" in history.content.decode()


def test_the_admin_hides_full_id_numbers(client, superuser, rows):
    person = rows.outsider
    client.force_login(superuser)

    page = client.get(admin_url(type(person), "change", person.pk)).content.decode()

    assert person.national_id not in page
    assert person.national_id_masked in page


@pytest.mark.parametrize("role", [Role.OFFICE, None])
def test_staff_who_are_not_superusers_are_kept_out(client, db, role):
    user = UserFactory(roles=[role] if role else [], is_staff=True)
    client.force_login(user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
