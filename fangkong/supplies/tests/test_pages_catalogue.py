"""The catalogue pages: the office keeps items, packs, stores, sources, donors and limits;
the others may read or are refused."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from fangkong.core.roles import Role
from fangkong.supplies.models import Item, Pack, Store, Supplier, UnitLimit
from fangkong.testing.factories import CampusFactory
from fangkong.testing.pages import field_error
from fangkong.testing.pages import html_text as text

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def test_the_catalogue_lists_items_with_packs_and_minimums(office_client, office, catalogue):
    Pack.objects.create(item=catalogue["masks"], name="盒", name_en="box", quantity=50)
    page = text(office_client.get(reverse("supplies:catalogue")))
    assert re.search(r'data-item="masks">.*?Masks.*?盒 \(50 piece\).*?<td>1000</td>', page)
    assert "Main store" in page and "East store" in page
    assert "School purchase" in page and "Alumni association" in page
    assert "Add an item" in page


def test_the_storekeeper_reads_the_catalogue_but_cannot_change_it(client, storekeeper, catalogue):
    client.force_login(storekeeper)
    page = text(client.get(reverse("supplies:catalogue")))
    assert "Masks" in page and "Add an item" not in page and ">Edit<" not in page
    assert client.get(reverse("supplies:catalogue-add", args=["item"])).status_code == 403
    item = catalogue["masks"]
    url = reverse("supplies:catalogue-edit", args=["item", item.pk])
    assert client.post(url, {"name": "x"}).status_code == 403


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MEMBER])
def test_others_have_no_catalogue(make_user, client, role, unit):
    client.force_login(make_user(role, unit=unit))
    assert client.get(reverse("supplies:catalogue")).status_code == 403


def test_the_office_adds_an_item(office_client, catalogue):
    response = office_client.post(
        reverse("supplies:catalogue-add", args=["item"]),
        {
            "code": "gloves",
            "name": "手套",
            "name_en": "Gloves",
            "category": "protective",
            "unit": "pair",
            "minimum_level": "200",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(code="gloves")
    assert (item.unit, item.minimum_level) == ("pair", Decimal("200"))


def test_a_bad_item_is_refused_field_by_field(office_client, catalogue):
    response = office_client.post(
        reverse("supplies:catalogue-add", args=["item"]),
        {
            "code": "masks",
            "name": "",
            "category": "protective",
            "unit": "piece",
            "minimum_level": "-1",
        },
    )
    assert response.status_code == 400
    assert "already exists" in field_error(response, "code")
    assert "required" in field_error(response, "name")
    assert field_error(response, "minimum_level")
    assert Item.objects.count() == 3


def test_the_office_edits_and_deactivates_an_item(office_client, catalogue):
    item = catalogue["masks"]
    url = reverse("supplies:catalogue-edit", args=["item", item.pk])
    page = office_client.get(url).content.decode()
    assert 'name="code"' not in page and 'name="unit"' not in page
    response = office_client.post(
        url,
        {
            "name": "口罩",
            "name_en": "Surgical masks",
            "category": "protective",
            "minimum_level": "500",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name_en, item.minimum_level, item.is_active) == ("Surgical masks", 500, False)
    assert item.history.count() == 2


def test_adding_a_pack_a_store_a_source_and_a_donor(office_client, catalogue):
    campus = CampusFactory()
    posts = {
        "pack": {"item": catalogue["masks"].pk, "name": "箱", "quantity": "500"},
        "store": {"code": "north", "name": "北库", "campus": campus.pk},
        "source": {"code": "made", "name": "自制"},
        "supplier": {"name": "华清集团", "kind": "partner"},
    }
    for kind, data in posts.items():
        response = office_client.post(reverse("supplies:catalogue-add", args=[kind]), data)
        assert response.status_code == 302, (kind, text(response))
    assert Pack.objects.get(name="箱").quantity == 500
    assert Store.objects.filter(code="north").exists()
    assert Supplier.objects.get(name="华清集团").kind == "partner"


def test_a_pack_of_nothing_is_refused(office_client, catalogue):
    response = office_client.post(
        reverse("supplies:catalogue-add", args=["pack"]),
        {"item": catalogue["masks"].pk, "name": "盒", "quantity": "0"},
    )
    assert response.status_code == 400
    assert "A pack holds more than nothing." in text(response)


def test_an_unknown_list_is_404(office_client):
    assert office_client.get(reverse("supplies:catalogue-add", args=["thing"])).status_code == 404


def test_the_office_sets_a_limit_and_sees_it(office_client, catalogue, unit):
    url = reverse("supplies:limit-set")
    response = office_client.post(url, {"item": catalogue["masks"].pk, "per_person_per_day": "abc"})
    assert response.status_code == 400
    assert "is not a number" in field_error(response, "per_person_per_day")
    response = office_client.post(
        url, {"item": catalogue["masks"].pk, "unit": unit.pk, "per_person_per_day": "2"}
    )
    assert response.status_code == 302
    assert UnitLimit.objects.get().per_person_per_day == 2
    page = text(office_client.get(reverse("supplies:catalogue")))
    assert "College of Architecture" in page and "2 piece" in page


def test_an_items_code_and_unit_are_not_changed(office, catalogue):
    from django.core.exceptions import ValidationError

    from fangkong.supplies import services

    with pytest.raises(ValidationError) as refused:
        services.update_catalogue_entry(office, catalogue["masks"], unit="kg")
    assert "unit" in refused.value.message_dict
    catalogue["masks"].refresh_from_db()
    assert catalogue["masks"].unit == "piece"


def test_only_the_office_edits_through_the_service(storekeeper, catalogue):
    from django.core.exceptions import PermissionDenied

    from fangkong.supplies import services

    with pytest.raises(PermissionDenied):
        services.update_catalogue_entry(storekeeper, catalogue["masks"], name_en="x")
