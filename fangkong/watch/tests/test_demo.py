"""The demo ledger shows the article's figures through the ledger's own reads, every entry
is verified by a second person, and loading the demo twice changes nothing."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fangkong.core.models import User
from fangkong.reporting.models import HealthCheckin
from fangkong.watch import selectors, services
from fangkong.watch.demo import DRAW_DAYS
from fangkong.watch.models import FollowUp, KeyPerson, RandomDraw, RegionOfConcern

ARTICLE_DAY = datetime.date(2020, 3, 6)


@pytest.fixture(autouse=True)
def frozen_time():
    """The demo is seeded on the real today (its live slice is dated today): no frozen
    clock here, unlike the rest of the watch tests."""
    yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def office(demo):
    return User.objects.get(username="office")


def counts_by_category(user) -> dict[str, dict]:
    rows = selectors.ledger_counts(selectors.key_persons_for(user).rows)
    return {row["category"]: row for row in rows}


def test_the_region_of_concern_from_23_january(demo):
    region = RegionOfConcern.objects.get()
    assert region.name == "湖北省"
    assert region.from_date == datetime.date(2020, 1, 23)
    assert region.until_date is None
    assert list(selectors.regions_of_concern_on(datetime.date(2020, 2, 1))) == [region]


def test_the_ledger_counts_as_the_article(office):
    counts = counts_by_category(office)
    native, in_region = counts[KeyPerson.Category.NATIVE], counts[KeyPerson.Category.IN_REGION]
    assert (native["staff"], native["students"], native["others"]) == (119, 458, 0)
    assert (in_region["staff"], in_region["students"], in_region["others"]) == (35, 436, 0)
    assert counts[KeyPerson.Category.RETURNED]["total"] == 29


def test_the_ledger_page_shows_the_article_figures(client, office):
    client.force_login(office)
    response = client.get(reverse("watch:ledger"))
    assert response.status_code == 200
    rows = {row["category"]: row for row in response.context["counts"]}
    assert (rows["native"]["staff"], rows["native"]["students"]) == (119, 458)
    assert (rows["in_region"]["staff"], rows["in_region"]["students"]) == (35, 436)
    assert rows["returned"]["total"] == 29
    html = response.content.decode()
    assert "<td>119</td><td>458</td>" in html
    assert "<td>35</td><td>436</td>" in html


def test_every_entry_is_verified_by_someone_else(demo):
    entries = KeyPerson.objects.all()
    assert entries.count() >= 119 + 458 + 35 + 436 + 29
    assert not entries.filter(verified_at__isnull=True).exists()
    assert all(
        listed != verified for listed, verified in entries.values_list("listed_by", "verified_by")
    )
    assert not entries.exclude(status=KeyPerson.Status.UNDER_WATCH).exists()


def test_the_entries_of_the_article_are_dated_in_the_article(demo):
    region = RegionOfConcern.objects.get()
    first = KeyPerson.objects.filter(category__in=["native", "in_region"])
    assert not first.exclude(region=region).exists()
    assert not first.exclude(
        listed_on__range=(region.from_date, datetime.date(2020, 1, 31))
    ).exists()
    returned = KeyPerson.objects.filter(category="returned")
    assert not returned.exclude(listed_on__month=2, listed_on__year=2020).exists()
    # They live on campus: a family-area household or a dormitory.
    assert not returned.filter(person__residence="off_campus").exists()
    assert not returned.filter(person__current_province="湖北省").exists()


def test_the_returned_were_phoned_and_brought_disinfectant(demo):
    follow_ups = FollowUp.objects.filter(key_person__category="returned")
    for kind in (FollowUp.Kind.PHONE_CALL, FollowUp.Kind.DISINFECTANT):
        persons = follow_ups.filter(kind=kind).values("key_person__person").distinct()
        assert persons.count() == 29, kind
    assert not follow_ups.exclude(outcome=FollowUp.Outcome.WELL).exists()
    assert not follow_ups.exclude(due_on__range=(datetime.date(2020, 2, 1), ARTICLE_DAY)).exists()
    for follow_up in follow_ups[:50]:
        assert timezone.localdate(follow_up.at) == follow_up.due_on


def test_random_phone_checks_on_the_article_days_can_be_redone(office):
    draws = list(RandomDraw.objects.order_by("day"))
    assert [draw.day for draw in draws] == DRAW_DAYS
    for draw in draws:
        assert draw.category == KeyPerson.Category.RETURNED
        assert services.redo_draw(draw) == draw.drawn
        called = FollowUp.objects.filter(
            due_on=draw.day, kind=FollowUp.Kind.PHONE_CALL, key_person__person__in=draw.drawn
        )
        assert called.values("key_person__person").distinct().count() == draw.size


def test_every_follow_up_due_in_the_article_was_made(office):
    table = selectors.compliance(office, datetime.date(2020, 2, 1), ARTICLE_DAY)
    assert table.total.due > 0
    assert table.total.followed_up == table.total.due


def test_follow_ups_are_due_today(office):
    today = timezone.localdate()
    due = selectors.due_list(office, today)
    assert len(due) >= 3
    assert any(not row.followed_up for row in due)
    officer = User.objects.get(username="officer")
    assert selectors.due_list(officer, today)
    for row in due:
        assert row.entry.is_verified
        assert row.entry.listed_on >= today - datetime.timedelta(days=13)


def test_the_due_page_lists_today(client, office):
    client.force_login(User.objects.get(username="officer"))
    response = client.get(reverse("watch:due"))
    assert response.status_code == 200
    assert len(response.context["rows"]) >= 3


def snapshot() -> tuple:
    return tuple(
        model.objects.count()
        for model in (RegionOfConcern, KeyPerson, FollowUp, RandomDraw, User, HealthCheckin)
    ) + (KeyPerson.history.count(),)


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert snapshot() == before
