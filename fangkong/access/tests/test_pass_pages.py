"""The pass pages: the list and who sees what in it, applying (errors next to their field),
deciding, revoking, the holder's QR page, the printable card and the pass desk; each with
the users who must be refused."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.access import services
from fangkong.access.models import Pass
from fangkong.core.roles import Role
from fangkong.testing.factories import PersonFactory, UnitFactory
from fangkong.testing.pages import field_error
from fangkong.testing.pages import shown_text as text
from fangkong.testing.school import issued_pass

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    """The pass numbers listed, in order."""
    return re.findall(r'<tr data-number="([^"]+)"', response.content.decode())


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def member(school, make_user):
    """The outsider's own account: a member who applies for themself."""
    return make_user(Role.MEMBER, person=school.outsider)


@pytest.fixture
def officer(school, make_user):
    return make_user(Role.OFFICER, unit=school.unit)


@pytest.fixture
def stranger(db):
    return PersonFactory(unit=UnitFactory(code="far", name="远方学院", name_en="Far school"))


def apply(school, holder=None, **fields):
    """A pending application made by the office."""
    return services.apply_for_pass(
        school.office,
        holder=holder or school.outsider,
        pass_type=fields.pop("pass_type", school.duty),
        reason=fields.pop("reason", "值班"),
        **fields,
    )


def expire(gate_pass, days_ago=3):
    """Move an issued pass into the past (its dates only)."""
    today = timezone.localdate()
    Pass.objects.filter(pk=gate_pass.pk).update(
        valid_from=today - datetime.timedelta(days=days_ago + 5),
        valid_until=today - datetime.timedelta(days=days_ago),
    )
    gate_pass.refresh_from_db()
    return gate_pass


# ---- the list -------------------------------------------------------------------------------


def test_office_sees_every_pass_with_number_holder_type_dates_areas_uses_and_status(
    as_user, school
):
    issued = issued_pass(school, holder=school.resident, pass_type=school.materials)
    pending = apply(school)
    response = as_user(school.office).get(reverse("access:passes"))
    assert response.status_code == 200
    assert set(rows(response)) == {issued.number, pending.number}
    page = text(response)
    row = re.search(rf"{issued.number}.*?(?={pending.number}|$)", page).group(0)
    assert school.resident.name in row and school.resident.person_number in row
    assert "Fetching course materials" in row
    assert f"{issued.valid_from:%Y-%m-%d} – {issued.valid_until:%Y-%m-%d}" in row
    assert "Yanta teaching area" in row
    assert " 1 " in row  # single use: one use left
    assert "Approved" in row
    assert "Pending" in page
    assert "2 passes" in page


def test_status_filter_tells_expired_from_approved(as_user, school):
    valid = issued_pass(school)
    old = expire(issued_pass(school, holder=school.resident))
    client = as_user(school.office)
    expired_rows = rows(client.get(reverse("access:passes"), {"status": "expired"}))
    approved_rows = rows(client.get(reverse("access:passes"), {"status": "approved"}))
    assert expired_rows == [old.number]
    assert approved_rows == [valid.number]
    assert "Expired" in text(client.get(reverse("access:passes"), {"status": "expired"}))


def test_type_filter_and_search_by_number_name_and_person_number(as_user, school):
    duty = issued_pass(school, holder=school.outsider)
    materials = issued_pass(school, holder=school.resident, pass_type=school.materials)
    client = as_user(school.office)
    url = reverse("access:passes")
    assert rows(client.get(url, {"pass_type": school.materials.pk})) == [materials.number]
    assert rows(client.get(url, {"q": duty.number})) == [duty.number]
    assert rows(client.get(url, {"q": school.resident.name})) == [materials.number]
    assert rows(client.get(url, {"q": school.outsider.person_number})) == [duty.number]
    assert rows(client.get(url, {"q": "nobody-like-this"})) == []


def test_list_is_paginated(as_user, school, monkeypatch):
    from fangkong.access import views_passes

    monkeypatch.setattr(views_passes, "PAGE_SIZE", 2)
    for _ in range(3):
        apply(school)
    client = as_user(school.office)
    first = client.get(reverse("access:passes"))
    second = client.get(reverse("access:passes"), {"page": 2})
    assert len(rows(first)) == 2 and len(rows(second)) == 1
    assert "Page 1 of 2" in text(first)


def test_list_queries_do_not_grow_with_the_passes(as_user, school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(school.office)
    issued_pass(school)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("access:passes"))
    for holder in (school.resident, school.resident_2, school.outsider):
        issued_pass(school, holder=holder, pass_type=school.materials)
    with CaptureQueriesContext(connection) as many:
        assert len(rows(client.get(reverse("access:passes")))) == 4
    assert len(many) == len(few)


def test_htmx_filter_returns_only_the_rows(as_user, school):
    issued_pass(school)
    response = as_user(school.office).get(reverse("access:passes"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="pass-list">')
    assert "<html" not in content


def test_member_sees_only_their_own_passes(as_user, school, member):
    own = issued_pass(school, holder=school.outsider)
    issued_pass(school, holder=school.resident)
    assert rows(as_user(member).get(reverse("access:passes"))) == [own.number]


def test_officer_sees_their_units_people_but_not_others(as_user, school, officer, stranger):
    ours = issued_pass(school, holder=school.resident)
    issued_pass(school, holder=stranger)
    assert rows(as_user(officer).get(reverse("access:passes"))) == [ours.number]


def test_a_role_without_passes_is_refused_the_list(as_user, make_user):
    storekeeper = make_user(Role.STOREKEEPER)
    assert as_user(storekeeper).get(reverse("access:passes")).status_code == 403


# ---- applying -------------------------------------------------------------------------------


def test_member_applies_for_themself_and_lands_on_the_pending_pass(as_user, school, member):
    client = as_user(member)
    page = client.get(reverse("access:pass-apply"))
    assert 'name="holder"' not in page.content.decode()  # a member applies only for themself
    assert f"For {school.outsider.name}" in text(page)
    response = client.post(
        reverse("access:pass-apply"),
        {"pass_type": school.duty.pk, "reason": "Lab duty", "valid_from": "", "valid_until": ""},
    )
    gate_pass = Pass.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("access:pass", args=[gate_pass.pk])
    assert gate_pass.holder == school.outsider
    assert gate_pass.status == Pass.Status.PENDING
    # dates and areas from the type: 14 days, the teaching area
    assert (gate_pass.valid_until - gate_pass.valid_from).days == 13
    assert list(gate_pass.areas.all()) == [school.teaching]
    detail = text(client.get(response["Location"]))
    assert f"Pass {gate_pass.number}" in detail and "Pending" in detail
    assert "The office (or the pass type's approver) decides your application." in detail


def test_application_options_carry_the_types_defaults(as_user, school, member):
    content = as_user(member).get(reverse("access:pass-apply")).content.decode()
    option = re.search(rf'<option value="{school.materials.pk}"[^>]*>', content).group(0)
    assert 'data-days="3"' in option
    assert f'data-areas="{school.teaching.pk}"' in option


def test_application_errors_are_shown_by_field(as_user, school, member):
    client = as_user(member)
    today = timezone.localdate()
    response = client.post(
        reverse("access:pass-apply"),
        {"pass_type": school.duty.pk, "reason": "", "valid_from": "not a day"},
    )
    assert response.status_code == 400
    assert field_error(response, "reason") == "This field is required."
    assert field_error(response, "valid_from") == "Enter a valid date."
    response = client.post(
        reverse("access:pass-apply"),
        {
            "pass_type": school.duty.pk,
            "reason": "duty",
            "valid_from": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert field_error(response, "valid_from") == "A pass cannot start in the past."
    response = client.post(
        reverse("access:pass-apply"),
        {
            "pass_type": school.duty.pk,
            "reason": "duty",
            "valid_from": (today + datetime.timedelta(days=5)).isoformat(),
            "valid_until": (today + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert field_error(response, "valid_until") == "The last day comes before the first."
    response = client.post(reverse("access:pass-apply"), {"reason": "duty"})
    assert field_error(response, "pass_type") == "This field is required."
    assert not Pass.objects.exists()


def test_officer_applies_for_a_person_of_their_unit_by_person_number(as_user, school, officer):
    client = as_user(officer)
    response = client.post(
        reverse("access:pass-apply"),
        {
            "holder": school.resident.person_number,
            "pass_type": school.materials.pk,
            "reason": "Course materials",
            "areas": [school.teaching.pk, school.family.pk],
        },
    )
    assert response.status_code == 302
    gate_pass = Pass.objects.get()
    assert gate_pass.holder == school.resident
    assert gate_pass.applied_by == officer
    assert set(gate_pass.areas.all()) == {school.teaching, school.family}


def test_officer_cannot_apply_for_another_units_person(as_user, school, officer, stranger):
    response = as_user(officer).post(
        reverse("access:pass-apply"),
        {"holder": stranger.person_number, "pass_type": school.duty.pk, "reason": "x"},
    )
    assert response.status_code == 400
    assert field_error(response, "holder") == "No person you may apply for has this number."
    assert not Pass.objects.exists()


def test_office_applies_for_anyone(as_user, school, stranger):
    response = as_user(school.office).post(
        reverse("access:pass-apply"),
        {"holder": stranger.person_number, "pass_type": school.duty.pk, "reason": "x"},
    )
    assert response.status_code == 302
    assert Pass.objects.get().holder == stranger


def test_a_user_without_a_person_or_unit_cannot_apply(as_user, make_user):
    assert as_user(make_user(Role.STOREKEEPER)).get(reverse("access:pass-apply")).status_code == 403


# ---- deciding and revoking --------------------------------------------------------------------


def test_office_approves_and_the_history_shows_it(as_user, school, member):
    gate_pass = services.apply_for_pass(
        member, holder=school.outsider, pass_type=school.duty, reason="duty"
    )
    client = as_user(school.office)
    page = client.get(reverse("access:pass", args=[gate_pass.pk]))
    assert 'id="approve"' in page.content.decode()
    response = client.post(reverse("access:pass-decide", args=[gate_pass.pk]), {"approve": "1"})
    assert response.status_code == 302
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.APPROVED
    detail = client.get(response["Location"])
    page = text(detail)
    assert "Approved by" in page
    history = re.search(r'<table id="history">.*?</table>', detail.content.decode(), re.S)
    history = text_of(history.group(0))
    assert "Applied" in history and "Approved" in history
    assert school.office.username in history
    assert 'id="show-qr"' in detail.content.decode()


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def test_rejecting_needs_a_note_named_on_its_field(as_user, school):
    gate_pass = apply(school)
    client = as_user(school.office)
    url = reverse("access:pass-decide", args=[gate_pass.pk])
    response = client.post(url, {"reject": "1", "decision_note": ""})
    assert response.status_code == 400
    assert field_error(response, "decision_note") == "Say why the application is rejected."
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.PENDING
    response = client.post(url, {"reject": "1", "decision_note": "No duty that week"})
    assert response.status_code == 302
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.REJECTED
    page = text(client.get(response["Location"]))
    assert "Rejected" in page and "No duty that week" in page
    qr = text(client.get(reverse("access:pass-qr", args=[gate_pass.pk])))
    assert "This application was rejected: it has no code." in qr


def test_a_decided_application_cannot_be_decided_again(as_user, school):
    gate_pass = apply(school)
    services.decide_pass(school.office, gate_pass, approve=True)
    response = as_user(school.office).post(
        reverse("access:pass-decide", args=[gate_pass.pk]), {"reject": "1", "decision_note": "x"}
    )
    assert response.status_code == 400
    assert "This application was already decided (Approved)." in text(response)
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.APPROVED


def test_the_types_approver_decides_its_applications(as_user, school, make_user):
    approver = make_user(Role.MEMBER)
    services.save_pass_type(school.office, school.duty, approver=approver)
    gate_pass = apply(school)
    client = as_user(approver)
    assert (
        'id="approve"' in client.get(reverse("access:pass", args=[gate_pass.pk])).content.decode()
    )
    response = client.post(reverse("access:pass-decide", args=[gate_pass.pk]), {"approve": "1"})
    assert response.status_code == 302
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.APPROVED and gate_pass.decided_by == approver


def test_a_member_may_not_decide(as_user, school, member):
    gate_pass = services.apply_for_pass(
        member, holder=school.outsider, pass_type=school.duty, reason="duty"
    )
    client = as_user(member)
    assert (
        'id="approve"'
        not in client.get(reverse("access:pass", args=[gate_pass.pk])).content.decode()
    )
    response = client.post(reverse("access:pass-decide", args=[gate_pass.pk]), {"approve": "1"})
    assert response.status_code == 403
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.PENDING


def test_office_revokes_with_a_reason(as_user, school):
    gate_pass = issued_pass(school)
    client = as_user(school.office)
    url = reverse("access:pass-revoke", args=[gate_pass.pk])
    response = client.post(url, {"revoke_reason": ""})
    assert response.status_code == 400
    assert field_error(response, "revoke_reason") == "This field is required."
    response = client.post(url, {"revoke_reason": "Left the duty roster"})
    assert response.status_code == 302
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.REVOKED
    page = text(client.get(response["Location"]))
    assert "Revoked" in page and "Left the duty roster" in page
    assert "Revoke this pass" not in page  # nothing more to revoke


def test_only_the_office_revokes(as_user, school, member):
    gate_pass = issued_pass(school)
    client = as_user(member)
    assert "Revoke this pass" not in text(client.get(reverse("access:pass", args=[gate_pass.pk])))
    response = client.post(
        reverse("access:pass-revoke", args=[gate_pass.pk]), {"revoke_reason": "mine"}
    )
    assert response.status_code == 403
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.APPROVED


def test_someone_elses_pass_is_not_found(as_user, school, member):
    other = issued_pass(school, holder=school.resident)
    client = as_user(member)
    for name in ("access:pass", "access:pass-qr", "access:pass-card", "access:pass-card-pdf"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404


# ---- the code: phone page and card ------------------------------------------------------------


def test_holder_sees_the_qr_with_a_live_clock(as_user, school, member):
    gate_pass = issued_pass(school, holder=school.outsider)
    response = as_user(member).get(reverse("access:pass-qr", args=[gate_pass.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<div class="code" id="qr"><svg[^>]*class="pass-qr"', content)
    assert 'id="clock"' in content and "setInterval(tick, 1000)" in content
    # The clock keeps the school's time, whatever zone the phone is set to.
    assert 'data-time-zone="Asia/Shanghai"' in content
    assert "pass-slide" in content  # the moving bar
    page = text(response)
    assert school.outsider.name in page and gate_pass.number in page
    assert "On-duty staff" in page and "Yanta teaching area" in page
    assert f"{gate_pass.valid_from:%Y-%m-%d} – {gate_pass.valid_until:%Y-%m-%d}" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_guard_and_office_see_the_code_but_the_holders_officer_does_not(as_user, school, officer):
    gate_pass = issued_pass(school, holder=school.resident)
    url = reverse("access:pass-qr", args=[gate_pass.pk])
    assert "pass-qr" in as_user(school.guard).get(url).content.decode()
    assert "pass-qr" in as_user(school.office).get(url).content.decode()
    assert as_user(officer).get(url).status_code == 403  # sees the pass, not its code
    assert as_user(officer).get(reverse("access:pass-card", args=[gate_pass.pk])).status_code == 403


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda school: apply(school), "This application is waiting for a decision"),
        (
            lambda school: services.revoke_pass(
                school.office, issued_pass(school), reason="Lost card"
            ),
            "This pass was revoked: Lost card",
        ),
        (lambda school: expire(issued_pass(school)), "This pass expired after"),
    ],
    ids=["pending", "revoked", "expired"],
)
def test_a_pass_without_a_valid_code_says_why(as_user, school, make, why):
    gate_pass = make(school)
    client = as_user(school.office)
    response = client.get(reverse("access:pass-qr", args=[gate_pass.pk]))
    assert why in text(response)
    assert "<svg" not in response.content.decode()
    card = client.get(reverse("access:pass-card", args=[gate_pass.pk]))
    assert why in text(card) and "<svg" not in card.content.decode()
    pdf = client.get(reverse("access:pass-card-pdf", args=[gate_pass.pk]))
    assert pdf.status_code == 409 and why in text(pdf)


def test_the_card_shows_the_pass_and_its_code(as_user, school):
    gate_pass = issued_pass(school, holder=school.resident, pass_type=school.materials)
    response = as_user(school.office).get(reverse("access:pass-card", args=[gate_pass.pk]))
    content = response.content.decode()
    assert "pass-qr" in content and 'id="print"' in content
    page = text(response)
    assert "Temporary pass" in page
    assert gate_pass.number in page and school.resident.name in page
    assert "Fetching course materials" in page and "Yanta teaching area" in page
    assert f"{gate_pass.valid_from:%Y-%m-%d} – {gate_pass.valid_until:%Y-%m-%d}" in page


def test_the_card_pdf_is_a_pdf(as_user, school):
    gate_pass = issued_pass(school)
    response = as_user(school.office).get(reverse("access:pass-card-pdf", args=[gate_pass.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="pass-{gate_pass.number}.pdf"' in response["Content-Disposition"]


# ---- the desk ---------------------------------------------------------------------------------


def test_desk_search_lists_exact_number_first_and_marks_passes_held(as_user, school):
    issued_pass(school, holder=school.resident)
    client = as_user(school.office)
    response = client.get(
        reverse("access:desk-people"), {"q": school.resident.person_number}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    numbers = re.findall(r'class="match" data-number="([^"]+)"', content)
    assert numbers[0] == school.resident.person_number
    first = re.search(r'<input type="radio" name="person" value="(\d+)"( checked)?', content)
    assert first.group(1) == str(school.resident.pk) and first.group(2)
    assert "holds 1 valid pass" in text(response)
    by_name = client.get(reverse("access:desk-people"), {"q": school.outsider.name})
    assert re.findall(r'class="match" data-number="([^"]+)"', by_name.content.decode()) == [
        school.outsider.person_number
    ]
    nobody = client.get(reverse("access:desk-people"), {"q": "zzz-nobody"})
    assert "Nobody on the books has this number or name." in text(nobody)


def test_desk_issues_and_goes_to_the_card(as_user, school):
    client = as_user(school.office)
    response = client.post(
        reverse("access:desk"),
        {
            "q": school.outsider.person_number,
            "person": school.outsider.pk,
            "pass_type": school.materials.pk,
            "reason": "",
        },
    )
    gate_pass = Pass.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("access:pass-card", args=[gate_pass.pk])
    assert gate_pass.status == Pass.Status.APPROVED and gate_pass.issued_at_desk
    assert gate_pass.reason == "Fetching course materials"  # the type's name
    assert gate_pass.holder == school.outsider
    card = text(client.get(response["Location"]))
    assert gate_pass.number in card
    assert f"Pass {gate_pass.number} issued to {school.outsider.name}." in card
    # the desk keeps the type for the next person in the queue
    desk = client.get(reverse("access:desk")).content.decode()
    assert re.search(rf'<option value="{school.materials.pk}"[^>]*selected', desk)


def test_desk_without_a_person_says_so_on_the_field(as_user, school):
    response = as_user(school.office).post(
        reverse("access:desk"), {"q": "", "pass_type": school.duty.pk, "reason": ""}
    )
    assert response.status_code == 400
    assert field_error(response, "person") == "Find the person by number or name, and pick them."
    assert not Pass.objects.exists()


def test_desk_refuses_an_inactive_person_on_the_field(as_user, school):
    school.outsider.is_active = False
    school.outsider.save()
    response = as_user(school.office).post(
        reverse("access:desk"),
        {"person": school.outsider.pk, "pass_type": school.duty.pk, "reason": ""},
    )
    assert response.status_code == 400
    assert field_error(response, "person") == "This person is not on the books."
    assert not Pass.objects.exists()


def test_only_the_office_works_the_desk(as_user, school, member):
    client = as_user(school.guard)
    assert client.get(reverse("access:desk")).status_code == 403
    assert client.get(reverse("access:desk-people"), {"q": "P"}).status_code == 403
    response = as_user(member).post(
        reverse("access:desk"), {"person": school.outsider.pk, "pass_type": school.duty.pk}
    )
    assert response.status_code == 403
    assert not Pass.objects.exists()


def test_pages_in_chinese_name_areas_and_types_in_chinese(as_user, school):
    gate_pass = issued_pass(school)
    client = as_user(school.office)
    for name in ("access:pass", "access:pass-qr", "access:pass-card"):
        response = client.get(reverse(name, args=[gate_pass.pk]), HTTP_ACCEPT_LANGUAGE="zh-CN")
        assert response.status_code == 200
        page = text(response)
        assert "雁塔教学区" in page and "在岗值班" in page, name
    desk = client.get(reverse("access:desk"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "在岗值班" in text(desk)


def test_the_approver_is_warned_of_a_validity_beyond_the_types_usual_days(as_user, school):
    today = timezone.localdate()
    long = apply(school, valid_until=today + datetime.timedelta(days=59))
    usual = apply(school, holder=school.resident)
    client = as_user(school.office)
    page = client.get(reverse("access:pass", args=[long.pk])).content.decode()
    warning = re.search(r'id="longer-than-usual">([^<]*)<', page)
    assert html.unescape(warning.group(1)) == "Valid for 60 days: the pass type's usual is 14."
    assert 'id="approve"' in page  # a warning, not a refusal
    page = client.get(reverse("access:pass", args=[usual.pk])).content.decode()
    assert 'id="longer-than-usual"' not in page
    response = client.post(reverse("access:pass-decide", args=[long.pk]), {"approve": "1"})
    assert response.status_code == 302
    long.refresh_from_db()
    assert long.status == Pass.Status.APPROVED
    # Decided: nothing left to warn about.
    page = client.get(reverse("access:pass", args=[long.pk])).content.decode()
    assert 'id="longer-than-usual"' not in page


def test_an_application_sent_back_with_an_error_keeps_the_chosen_areas(as_user, school, member):
    response = as_user(member).post(
        reverse("access:pass-apply"),
        {"pass_type": school.duty.pk, "reason": "", "areas": [school.family.pk]},
    )
    assert response.status_code == 400
    boxes = re.findall(r'<input type="checkbox" name="areas"[^>]*>', response.content.decode())
    ticked = [box for box in boxes if "checked" in box]
    assert len(ticked) == 1 and f'value="{school.family.pk}"' in ticked[0]
