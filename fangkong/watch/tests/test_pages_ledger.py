"""The ledger pages: what each role is shown, and what it is refused."""

import datetime

import pytest

from fangkong.core.roles import Role
from fangkong.testing.factories import KeyPersonFactory, PersonFactory
from fangkong.watch.models import FollowUp, KeyPerson

LEDGER = "/watch/"


def test_ledger_lists_entries_with_masked_phones(login_as, entry):
    page = login_as(Role.OFFICE).get(LEDGER).content.decode()
    assert entry.person.name in page
    assert entry.person.phone_masked in page and entry.person.phone not in page
    assert "Returned from a region of concern, living on campus" in page


def test_officer_ledger_shows_only_their_unit(login_as, entry, stranger_entry):
    page = login_as(Role.OFFICER).get(LEDGER).content.decode()
    assert entry.person.name in page
    assert stranger_entry.person.name not in page


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUARD, Role.STOREKEEPER])
def test_roles_without_the_ledger_are_refused(login_as, entry, role):
    response = login_as(role).get(LEDGER)
    assert response.status_code == 403
    assert entry.person.name not in response.content.decode()


def test_officer_gets_404_for_another_unit_s_entry(login_as, stranger_entry):
    response = login_as(Role.OFFICER).get(f"/watch/{stranger_entry.pk}/")
    assert response.status_code == 404
    assert stranger_entry.person.name not in response.content.decode()


def test_member_gets_404_for_an_entry_even_their_own(login_as, entry):
    client = login_as(Role.MEMBER, person=entry.person)
    assert client.get(f"/watch/{entry.pk}/").status_code == 404


def test_counts_table_splits_staff_and_students(login_as, unit):
    for category in ("staff", "staff", "undergraduate", "postgraduate", "family"):
        KeyPersonFactory(person=PersonFactory(unit=unit, category=category), category="native")
    KeyPersonFactory(
        person=PersonFactory(unit=unit, category="undergraduate"), category="in_region"
    )
    response = login_as(Role.OFFICE).get(LEDGER)
    rows = {row["category"]: row for row in response.context["counts"]}
    assert (rows["native"]["staff"], rows["native"]["students"], rows["native"]["others"]) == (
        2,
        2,
        1,
    )
    assert (rows["in_region"]["students"], rows["in_region"]["total"]) == (1, 1)
    assert rows["close_contact"]["total"] == 0


def test_filters_by_category_verified_and_search(login_as, unit, office2):
    a = KeyPersonFactory(person=PersonFactory(unit=unit, name="甲某"), category="native")
    b = KeyPersonFactory(person=PersonFactory(unit=unit, name="乙某"), category="close_contact")
    b.verified_by, b.verified_at = office2, datetime.datetime(2020, 2, 2, tzinfo=datetime.UTC)
    b.save()
    client = login_as(Role.OFFICE)
    by_category = client.get(LEDGER, {"category": "native"}).content.decode()
    assert "甲某" in by_category and "乙某" not in by_category
    verified = client.get(LEDGER, {"verified": "1"}).content.decode()
    assert "乙某" in verified and "甲某" not in verified
    searched = client.get(LEDGER, {"q": "甲"}).content.decode()
    assert "甲某" in searched and "乙某" not in searched
    assert a.person.unit == unit


def test_cleared_entries_are_hidden_unless_asked_for(login_as, office, entry):
    from fangkong.watch import services

    services.clear_key_person(office, entry, "well")
    client = login_as(Role.OFFICE)
    assert entry.person.name not in client.get(LEDGER).content.decode()
    assert entry.person.name in client.get(LEDGER, {"status": "cleared"}).content.decode()


def test_htmx_request_gets_only_the_rows(login_as, entry):
    body = login_as(Role.OFFICE).get(LEDGER, HTTP_HX_REQUEST="true").content.decode()
    assert entry.person.name in body and "<html" not in body


def test_ledger_query_count_does_not_grow_with_the_page(login_as, unit, other_unit, office2):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_as(Role.OFFICE)
    counts = {}
    for first, last in ((1, 2), (3, 30)):
        for n in range(first, last + 1):
            entry = KeyPersonFactory(
                person=PersonFactory(unit=unit if n % 2 else other_unit, name=f"台账{n:02d}"),
                category=("returned", "close_contact", "native")[n % 3],
            )
            if n % 4 == 0:
                entry.verified_by = office2
                entry.verified_at = datetime.datetime(2020, 2, 2, tzinfo=datetime.UTC)
                entry.save()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LEDGER)
        counts[last] = len(queries)
    assert counts[30] == counts[2], counts
    assert response.status_code == 200
    page = response.content.decode()
    assert "30 entries" in page
    for n in range(1, 31):
        assert page.count(f">台账{n:02d}</a>") == 1
    assert page.count(f"<td>{other_unit.display_name}</td>") == 15
    assert page.count("✓ <small") == 7  # every fourth entry is verified


def test_officer_lists_a_person_through_the_form(login_as, person):
    client = login_as(Role.OFFICER)
    response = client.post(
        "/watch/new/",
        {
            "person_number": person.person_number,
            "category": "close_contact",
            "reason": "同车",
            "listed_on": "2020-02-09",
            "follow_up_every": "1",
            "follow_up_kind": "temperature",
        },
    )
    entry = KeyPerson.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/watch/{entry.pk}/"
    assert (entry.category, entry.listed_by, entry.responsible) == (
        "close_contact",
        client.user,
        client.user,
    )


def test_the_form_refuses_another_unit_s_person_by_number(login_as, stranger):
    response = login_as(Role.OFFICER).post(
        "/watch/new/",
        {
            "person_number": stranger.person_number,
            "category": "other",
            "reason": "x",
            "follow_up_every": "1",
            "follow_up_kind": "phone_call",
        },
    )
    assert response.status_code == 400
    assert "No person you may list has this number." in response.content.decode()
    assert not KeyPerson.objects.exists()


def test_a_duplicate_through_the_form_shows_the_error_on_category(login_as, entry):
    response = login_as(Role.OFFICE).post(
        "/watch/new/",
        {
            "person_number": entry.person.person_number,
            "category": entry.category,
            "reason": "x",
            "follow_up_every": "1",
            "follow_up_kind": "phone_call",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["category"] == [
        "This person already has an open entry in this category."
    ]


def test_detail_shows_follow_ups_history_and_verify_button(login_as, entry, office):
    from fangkong.watch import services

    services.record_follow_up(office, entry, kind="disinfectant", outcome="well", note="84消毒液")
    page = login_as(Role.OFFICER).get(f"/watch/{entry.pk}/").content.decode()
    assert "Disinfectant delivery" in page and "84消毒液" in page
    assert "Mark verified" in page
    assert "History" in page


def test_the_lister_sees_no_verify_button(client, entry):
    client.force_login(entry.listed_by)
    assert "Mark verified" not in client.get(f"/watch/{entry.pk}/").content.decode()


def test_verify_through_the_page_records_who(login_as, entry):
    client = login_as(Role.OFFICER)
    client.post(f"/watch/{entry.pk}/verify/")
    entry.refresh_from_db()
    assert entry.verified_by == client.user
    assert client.user.username in client.get(f"/watch/{entry.pk}/").content.decode()


def test_clear_through_the_page_without_reason_changes_nothing(login_as, entry):
    client = login_as(Role.OFFICER)
    client.post(f"/watch/{entry.pk}/clear/", {"reason": ""})
    entry.refresh_from_db()
    assert entry.is_open


def test_officer_cannot_post_a_follow_up_to_another_unit(login_as, stranger_entry):
    response = login_as(Role.OFFICER).post(
        f"/watch/{stranger_entry.pk}/follow-ups/", {"kind": "phone_call", "outcome": "well"}
    )
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def test_a_bad_temperature_through_the_page_names_the_field(login_as, entry):
    response = login_as(Role.OFFICER).post(
        f"/watch/{entry.pk}/follow-ups/",
        {"kind": "phone_call", "outcome": "well", "temperature": "45"},
    )
    assert response.status_code == 400
    assert "temperature" in response.context["form"].errors
    assert not FollowUp.objects.exists()


def test_correcting_through_the_page_keeps_both_rows(login_as, entry, office):
    from fangkong.watch import services

    old = services.record_follow_up(office, entry, kind="phone_call", outcome="well")
    client = login_as(Role.OFFICE)
    response = client.post(
        f"/watch/follow-ups/{old.pk}/correct/",
        {"kind": "phone_call", "outcome": "unwell", "temperature": "37.8", "reason": "误记"},
    )
    assert response.status_code == 302
    assert FollowUp.objects.count() == 2
    page = client.get(f"/watch/{entry.pk}/").content.decode()
    assert "误记" in page and "corrected" in page
