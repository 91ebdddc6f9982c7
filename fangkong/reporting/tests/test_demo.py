"""The demo's check-ins: every day from 2020-01-23 to 2020-03-06 for the whole school,
imported by the units' officer and the office, a few flagged, a few missed, a handful
corrected, the people in Hubei answering as the key-person ledger lists them; and today's
slice (most of the College of Architecture entered by its officer, one flagged, some
still missing, the member's own left to do). Loading twice changes nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from fangkong.core.models import Person, Unit, User
from fangkong.reporting import selectors
from fangkong.reporting.models import HealthCheckin, Symptom
from fangkong.watch.models import KeyPerson

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(demo):
    return User.objects.get(username="office")


@pytest.fixture
def officer(demo):
    return User.objects.get(username="officer")


def test_the_members_own_check_in_for_today_is_left_to_do(client, demo):
    """Checking in is the first thing a member tries: the demo leaves today's undone, and
    the member's check-in goes through."""
    member = User.objects.get(username="member")
    assert selectors.todays_checkin(member.person_id) is None
    client.force_login(member)
    response = client.post(
        reverse("reporting:my-checkin"),
        {
            "temperature": "36.5",
            "current_province": "陕西省",
            "current_city": "西安市",
            "on_campus": "1",
            "contact_with_region_of_concern": "0",
        },
    )
    assert response.status_code == 302
    checkin = selectors.todays_checkin(member.person_id)
    assert checkin.channel == HealthCheckin.Channel.SELF
    assert checkin.entered_by == member


def test_one_check_in_flagged_today(office, officer):
    flagged = list(selectors.flagged_checkins(office))
    assert len(flagged) == 1
    checkin = flagged[0]
    assert checkin.temperature == Decimal("37.8")
    assert checkin.symptoms == [Symptom.COUGH]
    assert checkin.person.unit == officer.unit
    assert list(selectors.flagged_checkins(officer)) == flagged
    assert selectors.flagged_count(office) == 1


def test_most_of_the_unit_checked_in_and_some_still_missing(officer):
    today = timezone.localdate()
    summary = selectors.day_summary(officer, today, unit=officer.unit_id)
    assert summary["expected"] == Person.objects.filter(unit=officer.unit).count()
    assert summary["checked_in"] >= summary["expected"] // 2
    assert summary["missing"] > 0
    assert summary["flagged"] == 1
    missing = selectors.people_without_checkin(officer, today, unit=officer.unit_id)
    assert missing.count() == summary["missing"]


def test_todays_check_ins_are_the_units_entered_through_the_services(officer):
    checkins = HealthCheckin.objects.filter(date=timezone.localdate())
    assert not checkins.exclude(person__unit=officer.unit).exists()
    by_officer = checkins.filter(entered_by=officer)
    assert by_officer.count() == checkins.count()
    assert not by_officer.exclude(channel=HealthCheckin.Channel.OFFICER).exists()


def test_the_flagged_page_lists_it(client, office):
    client.force_login(office)
    response = client.get(reverse("reporting:flagged"))
    assert response.status_code == 200
    assert "37.8" in response.content.decode()


def snapshot() -> tuple[int, int, int]:
    return (HealthCheckin.objects.count(), User.objects.count(), Person.objects.count())


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert snapshot() == before


# ---- the article's days -------------------------------------------------------------------

FIRST, LAST = datetime.date(2020, 1, 23), datetime.date(2020, 3, 6)
DAYS = [FIRST + datetime.timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


@pytest.fixture
def academic_units(demo):
    units = list(Unit.objects.filter(kind=Unit.Kind.ACADEMIC).order_by("code"))
    assert len(units) == 27
    return units


@pytest.mark.parametrize("day", [FIRST, LAST], ids=str)
def test_every_academic_unit_checked_in_on_the_first_and_the_last_day(office, academic_units, day):
    for unit in academic_units:
        summary = selectors.day_summary(office, day, unit=unit.pk)
        assert summary["expected"] > 0, unit.code
        assert summary["checked_in"] >= summary["expected"] * 0.9, unit.code
        assert summary["checked_in"] + summary["missing"] == summary["expected"], unit.code


def test_every_day_of_the_article_has_check_ins_of_nearly_everyone(office):
    expected = Person.objects.filter(is_active=True).count()
    counts = dict(
        HealthCheckin.objects.current()
        .filter(date__range=(FIRST, LAST))
        .values_list("date")
        .annotate(n=Count("pk"))
    )
    assert sorted(counts) == DAYS
    assert all(expected * 0.95 <= counts[day] <= expected for day in DAYS)
    # Some miss a day: completeness is not always 100 %.
    assert sum(expected - n for n in counts.values()) > 0
    summary = selectors.day_summary(office, DAYS[10])
    assert 0 < summary["missing"] < summary["expected"] * 0.05


def test_the_units_officer_and_the_office_imported_them(office, officer):
    history = HealthCheckin.objects.filter(date__range=(FIRST, LAST), supersedes__isnull=True)
    assert not history.exclude(channel=HealthCheckin.Channel.IMPORT).exists()
    assert not history.filter(person__unit=officer.unit).exclude(entered_by=officer).exists()
    assert not history.exclude(person__unit=officer.unit).exclude(entered_by=office).exists()
    assert history.filter(person__unit__kind=Unit.Kind.SERVICE).exists()


def test_a_few_abnormal_check_ins_a_week_are_flagged(office, officer):
    flagged = [checkin for day in DAYS for checkin in selectors.flagged_checkins(office, day)]
    assert 10 <= len(flagged) <= 40
    assert len({(checkin.date - FIRST).days // 7 for checkin in flagged}) >= 6
    fevers = {c.pk for c in flagged if c.temperature >= Decimal("37.3")}
    with_symptoms = {c.pk for c in flagged if c.symptoms}
    # Both kinds of abnormal answer are in the demo, and nothing else is flagged.
    assert fevers and with_symptoms
    assert fevers | with_symptoms == {c.pk for c in flagged}
    assert {c.current_province for c in flagged}.isdisjoint({"湖北省"})
    # Each unit's officer sees only their own unit's.
    for day in DAYS:
        for checkin in selectors.flagged_checkins(officer, day):
            assert checkin.person.unit_id == officer.unit_id


def test_the_offices_corrections_are_kept_as_superseded_versions(office):
    corrections = list(
        HealthCheckin.objects.filter(date__range=(FIRST, LAST), supersedes__isnull=False)
    )
    assert 3 <= len(corrections) <= 10
    for correction in corrections:
        versions = selectors.versions_of(correction)
        assert [version.pk for version in versions] == [correction.supersedes_id, correction.pk]
        first, latest = versions
        assert not first.is_current and first.superseded_by == office
        assert latest.is_current and latest.entered_by == office
        assert latest.correction_reason
        history = list(selectors.checkin_history(office, correction.person))
        assert first in history and latest in history
    # One of them was a mistyped fever: flagged at first, not any longer.
    assert any(c.supersedes.is_abnormal and not c.is_abnormal for c in corrections)


def test_the_people_in_hubei_answer_as_the_ledger_lists_them(demo):
    in_region = set(
        KeyPerson.objects.filter(category=KeyPerson.Category.IN_REGION).values_list(
            "person_id", flat=True
        )
    )
    assert len(in_region) == 35 + 436
    history = HealthCheckin.objects.current().filter(date__range=(FIRST, LAST))
    in_hubei = history.filter(current_province="湖北省")
    assert set(in_hubei.values_list("person_id", flat=True)) == in_region
    assert not in_hubei.filter(on_campus=True).exists()
    assert not in_hubei.filter(contact_with_region_of_concern=False).exists()
    assert (
        not history.filter(contact_with_region_of_concern=True)
        .exclude(current_province="湖北省")
        .exists()
    )
    on_the_last_day = set(
        history.filter(date=LAST, current_province="湖北省").values_list("person_id", flat=True)
    )
    assert len(on_the_last_day) >= len(in_region) * 0.95


def test_on_campus_answers_follow_where_people_live(demo):
    history = HealthCheckin.objects.current().filter(date__range=(FIRST, LAST))
    assert not history.filter(
        person__residence=Person.Residence.OFF_CAMPUS, on_campus=True
    ).exists()
    assert (
        not history.filter(person__residence=Person.Residence.DORMITORY, on_campus=False)
        .exclude(current_province="湖北省")
        .exists()
    )
    assert history.filter(on_campus=True).exists() and history.filter(on_campus=False).exists()


# ---- the unit daily reports ----------------------------------------------------------------

ARTICLE_FIRST, ARTICLE_LAST = datetime.date(2020, 1, 23), datetime.date(2020, 3, 6)


def test_the_27_units_reported_every_day_mostly_on_time(office):
    from fangkong.reporting.models import UnitReport

    table = selectors.completeness(office, ARTICLE_FIRST, ARTICLE_LAST)
    assert len(table.rows) == 27
    assert table.total.expected == 27 * 44
    # A few days missed, some late: not a perfect record, as in 2020.
    assert Decimal("97") <= table.total.reporting_rate < Decimal("100")
    assert Decimal("85") <= table.total.timely_rate < table.total.reporting_rate
    history = UnitReport.objects.filter(date__range=(ARTICLE_FIRST, ARTICLE_LAST))
    assert set(history.values_list("status", flat=True)) == {UnitReport.Status.APPROVED}
    assert history.filter(is_nil=True).exists()


def test_some_reports_were_returned_and_corrected(office):
    from fangkong.reporting.models import ReportEvent

    returned = ReportEvent.objects.filter(
        action=ReportEvent.Action.RETURNED, report__date__lte=ARTICLE_LAST
    )
    assert returned.count() >= 10
    report = returned.first().report
    actions = list(report.events.values_list("action", flat=True))
    assert actions[-3:] == ["returned", "submitted", "approved"]


def test_the_consolidated_table_carries_the_ledgers_figures(office):
    table = selectors.consolidated(office, ARTICLE_LAST)
    totals = dict(zip([field.code for field in table.fields], table.totals, strict=True))
    # The ledger's figures, for the people of the 27 reporting units (the ledger's own
    # report counts the whole school: 577 natives, 471 in Hubei, 29 returned).
    from fangkong.watch.models import KeyPerson

    reporting = KeyPerson.objects.under_watch_on(ARTICLE_LAST).filter(
        person__unit__reports_daily=True
    )
    assert totals["natives"] == reporting.filter(category="native").count()
    assert totals["in_region"] == reporting.filter(category="in_region").count()
    assert totals["returned"] == 29
    assert table.tally.reported == 27
    assert [row.number for row in table.rows] == list(range(1, 28))


def test_todays_slice_has_reports_due_and_one_returned(office):
    from fangkong.reporting.models import UnitReport

    today = timezone.localdate()
    due = selectors.units_not_reported(office, today)
    assert 0 < len(due) < 27
    assert UnitReport.objects.filter(date=today, status=UnitReport.Status.RETURNED).count() == 1


def test_the_officer_sees_the_units_report_history(officer):
    reports = selectors.reports_for(officer, {"start": ARTICLE_FIRST, "end": ARTICLE_LAST}).rows
    assert {report.unit_id for report in reports} == {officer.unit_id}
    assert reports.count() >= 40
