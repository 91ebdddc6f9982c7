"""Where supplies show outside their pages: the navigation link, the supplies hub and the
office's home block of items below their minimum level, the storekeeper's block of
requisitions waiting to be issued."""

import re

import pytest
from django.urls import reverse

from fangkong.core.roles import Role
from fangkong.supplies.tests.conftest import approved_requisition, receive
from fangkong.testing.pages import html_text as text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.OFFICE, True),
        (Role.LEADER, True),
        (Role.STOREKEEPER, True),
        (Role.OFFICER, True),
        (Role.MEMBER, False),
        (Role.GUARD, False),
    ],
)
def test_the_supplies_link_is_in_the_nav_of_those_who_use_it(login_as, role, shown):
    page = login_as(role).get(reverse("home")).content.decode()
    assert (f'href="{reverse("supplies:index")}"' in page) is shown


def test_the_home_page_loads_the_below_minimum_block(login_as):
    page = login_as(Role.OFFICE).get(reverse("home")).content.decode()
    assert f'hx-get="{reverse("supplies:below-minimum-block")}"' in page


def test_the_block_lists_items_below_their_minimum(login_as, office, catalogue):
    receive(office, catalogue, "masks", "400")
    client = login_as(Role.OFFICE)
    page = text(client.get(reverse("supplies:below-minimum-block")))
    assert 'id="below-minimum-count">1<' in page
    assert 'data-item="masks"><strong>Masks</strong>: 400 piece on hand, minimum 1000' in page
    receive(office, catalogue, "masks", "600")
    page = text(client.get(reverse("supplies:below-minimum-block")))
    assert "Every item is at or above its minimum level." in page


def test_the_block_is_empty_for_an_officer(login_as, catalogue):
    assert login_as(Role.OFFICER).get(reverse("supplies:below-minimum-block")).status_code == 204


def test_the_hub_counts_what_waits_for_the_storekeeper(login_as, officer, office, catalogue):
    from fangkong.supplies.tests.conftest import approved_requisition

    approved_requisition(officer, office, catalogue, quantity="5")
    page = text(login_as(Role.STOREKEEPER).get(reverse("supplies:index")))
    assert re.search(r'id="to-issue-count"><strong>1</strong>', page)
    assert "Receive supplies" in page and "Ask for supplies" not in page
    assert "Close a period" not in page


def test_the_hub_offers_an_officer_only_their_requisitions(login_as, catalogue):
    page = text(login_as(Role.OFFICER).get(reverse("supplies:index")))
    assert "Ask for supplies" in page and "Receive supplies" not in page
    assert "Stock moves" not in page and "Catalogue" not in page


def test_the_pages_link_to_the_reports_that_exist(login_as, officer, catalogue):
    register = reverse("supplies:register")
    assert reverse("supplies:register-xlsx") and reverse("supplies:report-stock")
    client = login_as(Role.STOREKEEPER)
    hub = client.get(reverse("supplies:index")).content.decode()
    assert f'href="{register}"' in hub and f'href="{reverse("supplies:report-stock")}"' in hub
    listing = client.get(reverse("supplies:requisitions")).content.decode()
    assert f'href="{register}"' in listing
    # An officer sees their unit's register, but not the stock.
    client.force_login(officer)
    hub = client.get(reverse("supplies:index")).content.decode()
    assert f'href="{register}"' in hub and reverse("supplies:report-stock") not in hub


def test_the_storekeepers_home_lists_requisitions_waiting_to_be_issued(
    client, make_user, unit, catalogue, office, officer
):
    requisition = approved_requisition(officer, office, catalogue, quantity="20")
    storekeeper = make_user(Role.STOREKEEPER)
    client.force_login(storekeeper)
    assert reverse("supplies:to-issue-block") in client.get("/").content.decode()
    page = client.get(reverse("supplies:to-issue-block")).content.decode()
    assert 'id="to-issue-count">1<' in page
    link = reverse("supplies:requisition-issue", args=[requisition.pk])
    assert f'<a href="{link}">{requisition.number}</a>' in page
    client.force_login(officer)
    assert client.get(reverse("supplies:to-issue-block")).status_code == 204
