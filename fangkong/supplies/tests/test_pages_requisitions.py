"""The requisition pages: an officer asks, the office decides, the storekeeper issues; what
each role sees, each form's errors next to their field, and the refusals."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fangkong.core.roles import Role
from fangkong.supplies import services
from fangkong.supplies.models import Requisition, RequisitionLine, StockMove
from fangkong.supplies.tests.conftest import approved_requisition, receive
from fangkong.testing.pages import field_error
from fangkong.testing.pages import html_text as text

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def ask(client, catalogue, **rows):
    data = {"purpose": "general", "note": "gate duty"}
    data.update(rows)
    return client.post(reverse("supplies:requisition-new"), data)


# ---- asking ---------------------------------------------------------------------------------


def test_officer_asks_for_their_unit_and_lands_on_the_requisition(as_user, officer, catalogue):
    client = as_user(officer)
    page = text(client.get(reverse("supplies:requisition-new")))
    assert "For College of Architecture." in page
    assert 'name="unit"' not in page  # an officer asks only for their own unit
    response = ask(
        client,
        catalogue,
        item_1=catalogue["masks"].pk,
        quantity_1="200",
        item_3=catalogue["thermometers"].pk,
        quantity_3="5",
    )
    requisition = Requisition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supplies:requisition", args=[requisition.pk])
    assert requisition.unit == officer.unit
    assert requisition.requested_by == officer
    assert sorted(requisition.lines.values_list("requested", flat=True)) == [5, 200]
    page = text(client.get(response["Location"]))
    assert f"Requisition {requisition.number}" in page
    assert "Waiting for approval" in page
    assert "Masks" in page and "Thermometers" in page


def test_a_bad_quantity_is_shown_on_its_own_row(as_user, officer, catalogue):
    client = as_user(officer)
    response = ask(
        client,
        catalogue,
        item_1=catalogue["masks"].pk,
        quantity_1="10",
        item_4=catalogue["thermometers"].pk,
        quantity_4="2.5",
    )
    assert response.status_code == 400
    # The service's second line is the form's fourth row.
    assert "Thermometers is counted in whole piece" in field_error(response, "quantity_4")
    assert field_error(response, "quantity_1") == ""
    assert not Requisition.objects.exists()


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("abc", "is not a number"),
        ("0", "greater than 0"),
        ("-3", "greater than 0"),
        ("", "Enter a quantity"),
    ],
)
def test_each_bad_quantity_has_its_message(as_user, officer, catalogue, quantity, message):
    client = as_user(officer)
    response = ask(client, catalogue, item_2=catalogue["masks"].pk, quantity_2=quantity)
    assert response.status_code == 400
    assert message in field_error(response, "quantity_2")
    assert not Requisition.objects.exists()


def test_an_unknown_item_and_a_quantity_without_item_are_refused(as_user, officer, catalogue):
    client = as_user(officer)
    response = ask(client, catalogue, item_1="999999", quantity_1="3", quantity_2="4")
    assert response.status_code == 400
    assert "Select a valid choice" in field_error(response, "item_1")
    response = ask(client, catalogue, quantity_2="4")
    assert "Choose an item." in field_error(response, "item_2")
    response = ask(client, catalogue)
    assert "Add at least one line." in field_error(response, "item_1")
    assert not Requisition.objects.exists()


def test_the_same_item_twice_is_refused_on_the_second_row(as_user, officer, catalogue):
    client = as_user(officer)
    masks = catalogue["masks"].pk
    response = ask(client, catalogue, item_1=masks, quantity_1="3", item_2=masks, quantity_2="4")
    assert response.status_code == 400
    assert "asked twice" in field_error(response, "item_2")


def test_a_line_beyond_the_unit_limit_says_why(as_user, officer, office, catalogue):
    services.set_unit_limit(office, item=catalogue["masks"], per_person_per_day="2")
    client = as_user(officer)
    response = ask(client, catalogue, item_1=catalogue["masks"].pk, quantity_1="1")
    assert response.status_code == 400
    assert "at most 0 Masks a day for this unit" in field_error(response, "quantity_1")


def test_the_office_asks_on_behalf_of_a_chosen_unit(as_user, office, catalogue, other_unit):
    client = as_user(office)
    response = ask(
        client, catalogue, unit=other_unit.pk, item_1=catalogue["masks"].pk, quantity_1="9"
    )
    assert response.status_code == 302
    assert Requisition.objects.get().unit == other_unit
    response = ask(client, catalogue, item_1=catalogue["masks"].pk, quantity_1="9")
    assert response.status_code == 400
    assert "This field is required." in field_error(response, "unit")


@pytest.mark.parametrize("role", [Role.STOREKEEPER, Role.LEADER, Role.MEMBER, Role.GUARD])
def test_only_officers_and_the_office_ask(make_user, as_user, role, catalogue):
    client = as_user(make_user(role))
    assert client.get(reverse("supplies:requisition-new")).status_code == 403


# ---- seeing ---------------------------------------------------------------------------------


def test_an_officer_sees_only_their_unit_and_gets_404_for_another(
    as_user, officer, office, catalogue, other_unit
):
    own = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose="general",
        lines=[{"item": catalogue["masks"], "quantity": "5"}],
    )
    other = services.request_supplies(
        office,
        unit=other_unit,
        purpose="general",
        lines=[{"item": catalogue["masks"], "quantity": "7"}],
    )
    client = as_user(officer)
    page = text(client.get(reverse("supplies:requisitions")))
    assert own.number in page and other.number not in page
    assert client.get(reverse("supplies:requisition", args=[other.pk])).status_code == 404
    assert client.get(reverse("supplies:requisition-issue", args=[other.pk])).status_code == 404
    assert client.post(reverse("supplies:requisition-decide", args=[other.pk])).status_code == 404


def test_a_member_has_no_requisitions(make_user, as_user, catalogue):
    client = as_user(make_user(Role.MEMBER))
    assert client.get(reverse("supplies:requisitions")).status_code == 403
    assert client.get(reverse("supplies:index")).status_code == 403


def test_the_list_filters_by_status_and_answers_htmx_with_rows(as_user, officer, office, catalogue):
    pending = services.request_supplies(
        officer,
        unit=officer.unit,
        purpose="general",
        lines=[{"item": catalogue["masks"], "quantity": "5"}],
    )
    approved = approved_requisition(officer, office, catalogue, quantity="6", item="thermometers")
    client = as_user(office)
    page = text(client.get(reverse("supplies:requisitions") + "?status=pending"))
    assert pending.number in page and approved.number not in page
    response = client.get(
        reverse("supplies:requisitions") + "?status=open", headers={"HX-Request": "true"}
    )
    page = text(response)
    assert approved.number in page and pending.number not in page
    assert "<html" not in page and 'id="requisition-list"' in page


def test_the_list_runs_a_fixed_number_of_queries(
    as_user, officer, office, catalogue, django_assert_max_num_queries
):
    for quantity in ("1", "2", "3", "4"):
        services.request_supplies(
            officer,
            unit=officer.unit,
            purpose="general",
            lines=[{"item": catalogue["masks"], "quantity": quantity}],
        )
    client = as_user(office)
    client.get(reverse("supplies:requisitions"))  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get(reverse("supplies:requisitions"))
    assert text(response).count("Masks") >= 4


# ---- deciding -------------------------------------------------------------------------------


@pytest.fixture
def pending(officer, catalogue):
    return services.request_supplies(
        officer,
        unit=officer.unit,
        purpose="general",
        lines=[
            {"item": catalogue["masks"], "quantity": "100"},
            {"item": catalogue["thermometers"], "quantity": "4"},
        ],
    )


def lines_of(requisition):
    return list(requisition.lines.select_related("item").order_by("pk"))


def test_the_office_sees_the_decision_form_with_what_was_asked(as_user, office, pending):
    masks, thermometers = lines_of(pending)
    response = as_user(office).get(reverse("supplies:requisition", args=[pending.pk]))
    page = response.content.decode()
    assert f'name="approved_{masks.pk}" value="100"' in page
    assert f'name="approved_{thermometers.pk}" value="4"' in page
    assert 'id="approve"' in page and 'id="reject"' in page


def test_an_officer_sees_no_decision_form(as_user, officer, pending):
    page = text(as_user(officer).get(reverse("supplies:requisition", args=[pending.pk])))
    assert 'id="approve"' not in page
    assert "Waiting for approval" in page


def test_the_office_trims_a_line_with_a_reason(as_user, office, pending):
    masks, thermometers = lines_of(pending)
    client = as_user(office)
    url = reverse("supplies:requisition-decide", args=[pending.pk])
    data = {f"approved_{masks.pk}": "60", f"approved_{thermometers.pk}": "4", "approve": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Say why the requisition is trimmed." in field_error(response, "note")
    response = client.post(url, {**data, "note": "stock is short"}, follow=True)
    page = text(response)
    assert "Requisition approved." in page
    assert "stock is short" in page
    masks.refresh_from_db()
    assert masks.approved == 60
    assert Requisition.objects.get().status == Requisition.Status.APPROVED


def test_a_trim_above_what_was_asked_is_shown_on_its_line(as_user, office, pending):
    masks, thermometers = lines_of(pending)
    response = as_user(office).post(
        reverse("supplies:requisition-decide", args=[pending.pk]),
        {
            f"approved_{masks.pk}": "100",
            f"approved_{thermometers.pk}": "9",
            "note": "x",
            "approve": "",
        },
    )
    assert response.status_code == 400
    assert "At most the 4 asked." in field_error(response, f"approved_{thermometers.pk}")
    assert field_error(response, f"approved_{masks.pk}") == ""
    assert Requisition.objects.get().status == Requisition.Status.PENDING


def test_rejecting_needs_a_reason(as_user, office, pending):
    client = as_user(office)
    url = reverse("supplies:requisition-decide", args=[pending.pk])
    response = client.post(url, {"reject": ""})
    assert response.status_code == 400
    assert "Say why the requisition is rejected." in field_error(response, "note")
    response = client.post(url, {"reject": "", "note": "ask the logistics centre"}, follow=True)
    assert "Requisition rejected." in text(response)
    requisition = Requisition.objects.get()
    assert requisition.status == Requisition.Status.REJECTED
    assert requisition.decision_note == "ask the logistics centre"


def test_the_office_cannot_approve_its_own_requisition(as_user, office, catalogue, unit):
    own = services.request_supplies(
        office, unit=unit, purpose="general", lines=[{"item": catalogue["masks"], "quantity": "5"}]
    )
    client = as_user(office)
    page = text(client.get(reverse("supplies:requisition", args=[own.pk])))
    assert 'id="approve"' not in page
    assert "another member of the office decides it" in page
    response = client.post(reverse("supplies:requisition-decide", args=[own.pk]), {"approve": ""})
    assert response.status_code == 403
    assert "Nobody approves their own requisition." in text(response)
    assert Requisition.objects.get().status == Requisition.Status.PENDING


def test_only_the_office_decides(as_user, storekeeper, pending):
    response = as_user(storekeeper).post(
        reverse("supplies:requisition-decide", args=[pending.pk]), {"approve": ""}
    )
    assert response.status_code == 403


def test_deciding_twice_says_it_is_already_decided(as_user, office, second_office, pending):
    services.decide_requisition(second_office, pending, approve=True)
    masks, thermometers = lines_of(pending)
    response = as_user(office).post(
        reverse("supplies:requisition-decide", args=[pending.pk]),
        {f"approved_{masks.pk}": "100", f"approved_{thermometers.pk}": "4", "approve": ""},
    )
    assert response.status_code == 400
    assert "This requisition is already Approved." in text(response)


# ---- issuing --------------------------------------------------------------------------------


@pytest.fixture
def stocked(office, catalogue, today):
    """Masks in the main store in two lots: the later-expiring one received first."""
    later = receive(
        office,
        catalogue,
        "masks",
        "80",
        lot_number="LATE",
        expires_on=today + datetime.timedelta(days=90),
    )
    sooner = receive(
        office,
        catalogue,
        "masks",
        "30",
        lot_number="SOON",
        expires_on=today + datetime.timedelta(days=10),
    )
    return {"later": later, "sooner": sooner}


def test_the_issue_screen_suggests_first_expiry_first_out(
    as_user, storekeeper, officer, office, catalogue, stocked
):
    requisition = approved_requisition(officer, office, catalogue, quantity="50")
    response = as_user(storekeeper).get(
        reverse("supplies:requisition-issue", args=[requisition.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    line = requisition.lines.get()
    assert f'name="quantity_{line.pk}" value="50"' in page
    rows = re.findall(
        r'<tr data-lot="(\w+)"( class="suggested")?>.*?class="suggestion">(.*?)</td>', page, re.S
    )
    assert [(lot, re.sub(r"<[^>]+>", "", taken)) for lot, _s, taken in rows] == [
        ("SOON", "30"),
        ("LATE", "20"),
    ]


def test_issuing_without_choosing_lots_takes_the_suggestion(
    as_user, storekeeper, officer, office, catalogue, stocked
):
    requisition = approved_requisition(officer, office, catalogue, quantity="50")
    line = requisition.lines.get()
    response = as_user(storekeeper).post(
        reverse("supplies:requisition-issue", args=[requisition.pk]),
        {
            "store": catalogue["main"].pk,
            f"quantity_{line.pk}": "40",
            "recipient": "Li Ming",
            "issued_on": "",
        },
    )
    assert response.status_code == 400  # the date is required
    response = as_user(storekeeper).post(
        reverse("supplies:requisition-issue", args=[requisition.pk]),
        {
            "store": catalogue["main"].pk,
            f"quantity_{line.pk}": "40",
            "recipient": "Li Ming",
            "issued_on": datetime.date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    moves = StockMove.objects.filter(kind=StockMove.Kind.ISSUE).order_by("lot__lot_number")
    assert [(move.lot.lot_number, move.quantity, move.recipient) for move in moves] == [
        ("LATE", Decimal("-10"), "Li Ming"),
        ("SOON", Decimal("-30"), "Li Ming"),
    ]
    assert Requisition.objects.get().status == Requisition.Status.PARTLY_ISSUED


def test_the_storekeeper_changes_the_lots(
    as_user, storekeeper, officer, office, catalogue, stocked, today
):
    requisition = approved_requisition(officer, office, catalogue, quantity="50")
    line = requisition.lines.get()
    later = stocked["later"]
    url = reverse("supplies:requisition-issue", args=[requisition.pk])
    data = {
        "store": catalogue["main"].pk,
        f"quantity_{line.pk}": "50",
        f"lot_{line.pk}_{later.pk}": "45",
        "recipient": "Li Ming",
        "issued_on": today.isoformat(),
    }
    response = as_user(storekeeper).post(url, data)
    assert response.status_code == 400
    assert "The lots add up to 45, not the 50 to issue." in field_error(
        response, f"quantity_{line.pk}"
    )
    response = as_user(storekeeper).post(url, {**data, f"lot_{line.pk}_{later.pk}": "50"})
    assert response.status_code == 302
    move = StockMove.objects.get(kind=StockMove.Kind.ISSUE)
    assert (move.lot, move.quantity) == (later, Decimal("-50"))


def test_issue_errors_are_shown_next_to_their_field(
    as_user, storekeeper, officer, office, catalogue, stocked, today
):
    requisition = approved_requisition(officer, office, catalogue, quantity="50")
    line = requisition.lines.get()
    url = reverse("supplies:requisition-issue", args=[requisition.pk])
    base = {"store": catalogue["main"].pk, "issued_on": today.isoformat()}
    client = as_user(storekeeper)
    response = client.post(url, {**base, f"quantity_{line.pk}": "60", "recipient": "Li"})
    assert response.status_code == 400
    assert "At most 50 left to issue of Masks." in field_error(response, f"quantity_{line.pk}")
    response = client.post(url, {**base, f"quantity_{line.pk}": "5"})
    assert "Write the name of who received the supplies." in field_error(response, "recipient")
    response = client.post(url, {**base, f"quantity_{line.pk}": "", "recipient": "Li"})
    assert "Issue at least one line." in text(response)
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url, {**base, "issued_on": tomorrow, f"quantity_{line.pk}": "5", "recipient": "Li"}
    )
    assert "is in the future" in field_error(response, "issued_on")
    response = client.post(
        url, {**base, "store": catalogue["east"].pk, f"quantity_{line.pk}": "5", "recipient": "Li"}
    )
    assert "Not enough Masks that may be issued for this use in East store." in field_error(
        response, f"quantity_{line.pk}"
    )
    assert not StockMove.objects.filter(kind=StockMove.Kind.ISSUE).exists()


def test_only_stock_keepers_issue(as_user, officer, office, catalogue, stocked, make_user):
    requisition = approved_requisition(officer, office, catalogue, quantity="5")
    url = reverse("supplies:requisition-issue", args=[requisition.pk])
    assert as_user(officer).get(url).status_code == 403
    assert as_user(make_user(Role.LEADER)).get(url).status_code == 403


def test_a_pending_requisition_is_not_issued(as_user, storekeeper, pending):
    response = as_user(storekeeper).get(
        reverse("supplies:requisition-issue", args=[pending.pk]), follow=True
    )
    assert "only an approved one is issued" in text(response)
    assert 'id="issue-form"' not in response.content.decode()


# ---- the whole walk -------------------------------------------------------------------------


def test_officer_asks_office_trims_storekeeper_issues_part_then_the_rest(
    client, officer, office, storekeeper, catalogue, stocked, today
):
    # The officer asks for 100 masks.
    client.force_login(officer)
    response = ask(client, catalogue, item_1=catalogue["masks"].pk, quantity_1="100")
    requisition = Requisition.objects.get()
    line = requisition.lines.get()

    # The office trims it to 70, saying why.
    client.force_login(office)
    response = client.post(
        reverse("supplies:requisition-decide", args=[requisition.pk]),
        {f"approved_{line.pk}": "70", "note": "short of masks", "approve": ""},
    )
    assert response.status_code == 302

    # The storekeeper issues 40 now (FEFO: 30 SOON + 10 LATE) ...
    client.force_login(storekeeper)
    issue_url = reverse("supplies:requisition-issue", args=[requisition.pk])
    page = client.get(issue_url).content.decode()
    assert f'name="quantity_{line.pk}" value="70"' in page
    form = {"store": catalogue["main"].pk, "recipient": "Wang Fang", "issued_on": today.isoformat()}
    response = client.post(issue_url, {**form, f"quantity_{line.pk}": "40"})
    assert response.status_code == 302
    page = text(client.get(reverse("supplies:requisition", args=[requisition.pk])))
    assert "Partly issued" in page
    assert "Wang Fang" in page

    # ... and the rest later: the screen now offers the 30 left, all from LATE.
    page = client.get(issue_url).content.decode()
    assert f'name="quantity_{line.pk}" value="30"' in page
    response = client.post(issue_url, {**form, f"quantity_{line.pk}": "30"})
    assert response.status_code == 302

    line = RequisitionLine.objects.get()
    assert (line.requested, line.approved, line.issued) == (100, 70, 70)
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.ISSUED
    assert requisition.decided_by == office

    # The officer sees it issued, with its lines and moves.
    client.force_login(officer)
    response = client.get(reverse("supplies:requisition", args=[requisition.pk]))
    page = text(response)
    assert "Issued" in page
    assert re.search(
        r'data-item="masks"><td>Masks .*?</td><td>100</td><td>70</td><td>70</td>', page
    )
    assert page.count('data-lot="LATE"') == 2 and page.count('data-lot="SOON"') == 1
    assert 'id="issue"' not in page


def test_the_issue_date_is_filled_with_the_schools_today_in_chinese(
    as_user, storekeeper, officer, office, catalogue, stocked, today
):
    """A date input takes only an ISO date: the Chinese page wrote 2026/12/02, which the
    browser dropped, so the required date was blank and the first issue always failed."""
    requisition = approved_requisition(officer, office, catalogue, quantity="50")
    url = reverse("supplies:requisition-issue", args=[requisition.pk])
    client = as_user(storekeeper)
    # Half past midnight at the school is still yesterday in UTC.
    school_midnight = datetime.datetime.combine(
        today, datetime.time(0, 30), timezone.get_current_timezone()
    )
    with time_machine.travel(school_midnight, tick=False):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    date_input = re.search(r'<input type="date" name="issued_on"[^>]*>', page).group(0)
    assert f'value="{today.isoformat()}"' in date_input
    assert re.search(r'<label for="id_issued_on">发放日期 \*</label>', page)
    assert re.search(r'<label for="id_recipient">[^<]+ \*</label>', page)
