"""The home page says what each role has to do today: a member's check-in and passes, what
is coming for the disinfection crew (the storekeeper's block: supplies' test_pages_home)."""

import re

import pytest
from django.urls import reverse

from fangkong.core.roles import Role
from fangkong.testing.factories import HealthCheckinFactory
from fangkong.testing.pages import shown_text as text
from fangkong.testing.school import gated_school, issued_pass

pytestmark = pytest.mark.django_db


def test_a_members_home_loads_their_check_in_and_passes_not_a_count_of_one(
    client, make_user, person
):
    member = make_user(Role.MEMBER, person=person)
    client.force_login(member)
    page = client.get("/").content.decode()
    assert reverse("reporting:my-checkin-block") in page
    assert reverse("access:my-passes-block") in page
    assert "People on the books" not in page
    assert "Find a person" not in page


def test_the_check_in_block_says_not_done_with_the_way_to_do_it_then_done(
    client, make_user, person
):
    client.force_login(make_user(Role.MEMBER, person=person))
    response = client.get(reverse("reporting:my-checkin-block"))
    assert 'data-done="no"' in response.content.decode()
    assert "Not done yet. Check in now" in text(response)
    assert f'href="{reverse("reporting:my-checkin")}"' in response.content.decode()
    HealthCheckinFactory(person=person)
    response = client.get(reverse("reporting:my-checkin-block"))
    assert 'data-done="yes"' in response.content.decode()
    assert "Done at" in text(response)


def test_the_passes_block_lists_the_members_passes_with_status_and_code_link(client, make_user):
    school = gated_school()
    valid = issued_pass(school)
    client.force_login(make_user(Role.MEMBER, person=school.outsider))
    response = client.get(reverse("access:my-passes-block"))
    page = response.content.decode()
    row = re.search(rf'<li data-number="{valid.number}">.*?</li>', page, re.S).group(0)
    assert 'data-status="approved"' in row
    assert f'href="{reverse("access:pass-qr", args=[valid.pk])}"' in row
    assert 'data-number="' not in page.replace(f'data-number="{valid.number}"', "")


def test_blocks_of_ones_own_say_nothing_to_an_account_without_a_person(client, make_user):
    client.force_login(make_user(Role.OFFICE))
    assert client.get(reverse("reporting:my-checkin-block")).status_code == 204
    assert client.get(reverse("access:my-passes-block")).status_code == 204


def test_the_disinfectors_home_says_what_is_coming(client, make_user):
    client.force_login(make_user(Role.DISINFECTOR))
    page = text(client.get("/"))
    assert "Your disinfection checklist and log are coming to Fangkong" in page
