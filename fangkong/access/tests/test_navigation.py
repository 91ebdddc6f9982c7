"""The menu leads each role to its part of gate access, in both languages."""

import pytest

from fangkong.core.roles import Role


def _menu(client) -> str:
    return client.get("/").content.decode()


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.GUARD, ["/access/gate/", "/access/reports/"], ["/access/desk/", "/access/policies/"]),
        (
            Role.OFFICE,
            ["/access/gate/", "/access/passes/", "/access/desk/", "/access/policies/"],
            [],
        ),
        (Role.LEADER, ["/access/reports/"], ["/access/gate/", "/access/desk/"]),
        (Role.STOREKEEPER, [], ["/access/gate/", "/access/reports/", "/access/passes/"]),
    ],
)
def test_the_menu_shows_each_role_its_gate_pages(login_as, role, shown, hidden):
    page = _menu(login_as(role))
    for href in shown:
        assert f'href="{href}"' in page
    for href in hidden:
        assert f'href="{href}"' not in page


def test_a_member_with_a_person_record_finds_their_passes(client, make_user, person):
    member = make_user(Role.MEMBER, person=person)
    client.force_login(member)
    assert 'href="/access/passes/"' in _menu(client)


def test_the_gate_menu_entries_in_chinese(login_as):
    client = login_as(Role.OFFICE)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "通行证办理窗口" in page
    assert "出入管理规定" in page
