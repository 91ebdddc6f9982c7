"""The demo's gate access: the reports give the article's pass figures, and today's slice
lets a new user try every answer of the gate page."""

import datetime

import pytest
from django.utils import timezone

from fangkong.access import selectors
from fangkong.access.models import Crossing, Pass
from fangkong.core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(demo):
    return User.objects.get(username="office")


def test_the_reports_give_the_articles_pass_figures(office):
    report = selectors.passes_by_type(
        office, datetime.date(2020, 2, 10), datetime.date(2020, 2, 23)
    )
    counts = {row.pass_type.code: row.issued for row in report.rows if row.issued}
    assert counts == {"duty": 227, "research": 18, "medical": 185}
    assert report.total == 430
    later = selectors.passes_by_type(office, datetime.date(2020, 2, 24), datetime.date(2020, 3, 6))
    assert {row.pass_type.code: row.issued for row in later.rows if row.issued} == {
        "materials": 537
    }
    assert later.at_desk == 537
    # Holders come from the demo's staff, some holding more than one pass.
    holders = Pass.objects.filter(decided_at__date__lte=datetime.date(2020, 3, 7))
    assert holders.values("holder").distinct().count() < holders.count()


def test_the_family_area_crossings_use_the_quota(office):
    refusals = selectors.refusals_by_reason(
        office, datetime.date(2020, 2, 10), datetime.date(2020, 3, 6)
    )
    reasons = {row.reason for row in refusals.rows}
    assert {Crossing.Reason.QUOTA_USED, Crossing.Reason.NO_PASS} <= reasons
    exits = Crossing.objects.filter(
        counts_quota=True, at__lt=timezone.now() - datetime.timedelta(days=2)
    )
    assert 100 <= exits.count() <= 600
    day = selectors.quota_used(office, datetime.date(2020, 2, 20))
    assert day.households and all(len(h.exits) == 1 for h in day.households)


def test_todays_slice(office):
    today = timezone.localdate()
    member = User.objects.get(username="member")
    mine = Pass.objects.filter(holder=member.person)
    assert any(p.shown_status(today) == Pass.Status.APPROVED for p in mine.valid_on(today))
    assert Pass.objects.filter(status=Pass.Status.REVOKED, valid_until__gte=today).exists()
    assert any(
        p.shown_status(today) == Pass.Status.EXPIRED
        for p in Pass.objects.filter(status=Pass.Status.APPROVED, valid_until__lt=today).filter(
            valid_until__gte=today - datetime.timedelta(days=30)
        )
    )
    assert Pass.objects.filter(status=Pass.Status.PENDING).exists()
    used = selectors.quota_used(office, today)
    assert len(used.households) == 1
    (area,) = selectors.out_now(office)
    assert [row.household for row in area.people] == [used.households[0].household]
