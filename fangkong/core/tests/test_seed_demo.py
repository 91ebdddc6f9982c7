"""The demo school carries the article's figures, and loading it twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from fangkong.core.models import Area, Campus, Household, Person, Unit, User
from fangkong.core.roles import Role

pytestmark = pytest.mark.django_db


def test_two_campuses_with_teaching_and_family_areas(demo):
    assert set(Campus.objects.values_list("code", flat=True)) == {"yanta", "caotang"}
    yanta_kinds = set(Area.objects.filter(campus__code="yanta").values_list("kind", flat=True))
    assert {"teaching", "family"} <= yanta_kinds


def test_twenty_seven_academic_units_and_the_named_service_units(demo):
    assert Unit.objects.filter(kind="academic").count() == 27
    names = set(Unit.objects.values_list("name_en", flat=True))
    assert {
        "General Affairs Office",
        "School Hospital",
        "Logistics Service Centre",
        "Catering Centre",
    } <= names
    assert Unit.objects.filter(kind="contractor").exists()


def test_natives_of_hubei_as_the_article_counts(demo):
    hubei = Person.objects.filter(native_province="湖北省")
    assert hubei.filter(category="staff").count() == 119
    students = hubei.filter(category__in=["undergraduate", "postgraduate", "international"])
    assert students.count() == 458


def test_people_in_hubei_now_as_the_article_counts(demo):
    now = Person.objects.filter(current_province="湖北省")
    assert now.filter(category="staff").count() == 35
    assert now.filter(category__in=["undergraduate", "postgraduate"]).count() == 436


def test_a_few_thousand_people_and_renting_households(demo):
    assert 2000 <= Person.objects.count() <= 10000
    assert Household.objects.filter(is_rented=True, area__campus__code="yanta").exists()
    assert Person.objects.filter(category="tenant").exists()


def test_one_demo_login_per_role(demo):
    for role in Role.values:
        assert User.objects.filter(groups__name=role).exists(), role
    officer = User.objects.get(username="officer")
    assert officer.unit.code == "arch"
    assert User.objects.get(username="member").person is not None


def test_everything_came_through_the_services_with_history(demo):
    office = User.objects.get(username="office")
    created = Person.history.filter(history_type="+")
    assert created.values("id").distinct().count() == Person.objects.count()
    assert not created.exclude(history_user=office).exists()


def test_loading_twice_changes_nothing(demo):
    before = (Person.objects.count(), Household.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert (Person.objects.count(), Household.objects.count(), User.objects.count()) == before
