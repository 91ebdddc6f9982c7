"""The home page's summary of the ledger: counts by category and today's follow-ups."""

from fangkong.core.roles import Role
from fangkong.testing.factories import KeyPersonFactory, PersonFactory


def test_office_sees_persons_under_watch_and_follow_ups_due_today(login_as, unit):
    KeyPersonFactory(person=PersonFactory(unit=unit, category="staff"), category="returned")
    KeyPersonFactory(person=PersonFactory(unit=unit, category="undergraduate"), category="returned")
    page = login_as(Role.OFFICE).get("/watch/home-block/").content.decode()
    assert "Key persons under watch" in page
    assert "<td>1</td><td>1</td><td>0</td><td>2</td>" in page
    assert "Follow-ups today: 0 of 2 done" in page


def test_officer_block_counts_only_their_unit(login_as, unit, other_unit):
    KeyPersonFactory(person=PersonFactory(unit=unit, category="staff"))
    KeyPersonFactory(person=PersonFactory(unit=other_unit, category="staff"))
    page = login_as(Role.OFFICER).get("/watch/home-block/").content.decode()
    assert "Follow-ups today: 0 of 1 done" in page


def test_member_gets_an_empty_block(login_as, person):
    KeyPersonFactory(person=person)
    response = login_as(Role.MEMBER, person=person).get("/watch/home-block/")
    assert response.status_code == 200 and response.content.decode().strip() == ""


def test_home_page_loads_the_block(login_as):
    page = login_as(Role.OFFICE).get("/").content.decode()
    assert 'hx-get="/watch/home-block/"' in page and 'hx-get="/reporting/flagged/block/"' in page
