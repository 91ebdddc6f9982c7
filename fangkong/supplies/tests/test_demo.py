"""The demo's supplies add up to the article's figures in the ledger itself, went through
the requisition workflow as users would, keep the ledger sound, and leave today's
requisitions for a new user to approve and issue."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from fangkong.core.models import Unit, User
from fangkong.supplies import selectors, services
from fangkong.supplies.models import (
    Balance,
    Item,
    Purpose,
    Receipt,
    ReceiptLine,
    Requisition,
    RequisitionLine,
    StockMove,
    Store,
)
from fangkong.supplies.selectors import ledger_differences

pytestmark = pytest.mark.django_db

RECEIVED_BY, ISSUED_BY = datetime.date(2020, 3, 5), datetime.date(2020, 3, 6)
FIRST_DAY = datetime.date(2020, 1, 27)


def received(**filters) -> Decimal:
    return ReceiptLine.objects.filter(receipt__received_on__lte=RECEIVED_BY, **filters).aggregate(
        total=Sum("quantity")
    )["total"] or Decimal(0)


def issued(**filters) -> Decimal:
    """What went out on requisitions by 6 March, net of any reversed issue."""
    moves = StockMove.objects.filter(moved_on__lte=ISSUED_BY, requisition_line__isnull=False)
    total = moves.filter(**filters).aggregate(total=Sum("quantity"))["total"] or Decimal(0)
    return -total


def disinfectant() -> dict:
    return {"item__category": Item.Category.DISINFECTANT, "item__unit": "kg"}


def test_receipts_by_5_march_show_the_articles_totals(demo):
    assert received(**disinfectant()) > Decimal("4000")  # "more than 4 tonnes"
    assert received(item__code="masks") == Decimal("35000")
    assert received(item__code="thermometers") == Decimal("24000")
    days = Receipt.objects.filter(received_on__year=2020).values_list("received_on", flat=True)
    assert min(days) == FIRST_DAY and max(days) <= RECEIVED_BY


def by_item(report) -> dict[str, Decimal]:
    return {total.item.code: total.quantity for total in report.by_item}


def test_the_reports_show_the_articles_figures(demo):
    office = User.objects.get(username="office")
    receipts = selectors.receipts_report(office, datetime.date(2020, 1, 23), RECEIVED_BY)
    assert receipts.disinfectant_tonnes > 4
    assert by_item(receipts)["masks"] == 35000
    assert by_item(receipts)["thermometers"] == 24000
    sources = {group.source.code for group in receipts.by_source}
    assert {"edu-allocation", "alumni", "purchase"} <= sources
    issues = selectors.issues_report(office, datetime.date(2020, 1, 23), ISSUED_BY)
    assert round(issues.disinfectant_tonnes, 1) == Decimal("2.4")
    assert by_item(issues)["thermometers"] > 400
    assert by_item(issues)["masks"] == 13000
    assert len(issues.by_unit) >= Unit.objects.filter(reports_daily=True).count()


def test_receipts_by_source_are_the_articles(demo):
    def by(source, item):
        return received(receipt__source__code=source, item__code=item)

    assert by("purchase", "masks") == 240
    assert by("partner", "masks") == 15000
    assert (
        ReceiptLine.objects.filter(receipt__source__code="partner", item__code="masks")
        .values_list("receipt__supplier__name", flat=True)
        .distinct()
        .get()
        == "华清集团"
    )
    assert by("purchase", "peracetic") == 875
    assert by("purchase", "chlorine-84") == 305
    assert by("made-on-campus", "alcohol-75") == 75
    assert by("alumni", "chlorine-84") == 1605
    assert by("alumni", "alcohol-75") == 150
    # The Education Department's allocations fill the rest.
    assert by("edu-allocation", "thermometers") > 0 and by("edu-allocation", "masks") > 0
    bought = ReceiptLine.objects.filter(
        receipt__source__code="purchase", item__category=Item.Category.DISINFECTANT
    )
    assert min(bought.values_list("receipt__received_on", flat=True)) == FIRST_DAY


def test_issues_by_6_march_show_the_articles_totals(demo):
    kilograms = issued(**disinfectant())
    assert round(kilograms / 1000, 1) == Decimal("2.4")
    assert issued(item__code="thermometers") > 400
    assert issued(item__code="masks") == Decimal("13000")
    # The requisition lines say the same as the moves.
    lines = RequisitionLine.objects.filter(requisition__requested_at__year=2020)
    assert lines.filter(item__code="masks").aggregate(t=Sum("issued"))["t"] == Decimal("13000")
    assert (
        lines.filter(item__category=Item.Category.DISINFECTANT).aggregate(t=Sum("issued"))["t"]
        == kilograms
    )


def test_requisitions_went_through_the_workflow(demo):
    history = Requisition.objects.filter(requested_at__year=2020)
    office, stats, storekeeper = (
        User.objects.get(username=name) for name in ("office", "stats", "storekeeper")
    )
    # Many units asked, each officer for their own unit.
    units_reporting = Unit.objects.filter(reports_daily=True).count()
    assert history.order_by().values("unit").distinct().count() >= units_reporting
    asked_by_officer = history.exclude(requested_by=office)
    assert not asked_by_officer.exclude(requested_by__unit=F("unit")).exists()
    # Decided by the office or the statistics group, never by whoever asked.
    assert set(history.values_list("decided_by", flat=True)) == {office.pk, stats.pk}
    assert not history.filter(decided_by=F("requested_by")).exists()
    # Everything was issued by 6 March but the one rejected (with its reason).
    statuses = dict(history.values_list("status").annotate(n=Count("pk")))
    assert statuses == {Requisition.Status.ISSUED: len(history) - 1, Requisition.Status.REJECTED: 1}
    assert history.get(status=Requisition.Status.REJECTED).decision_note
    # Some trimmed, with the reason why.
    trimmed = history.filter(lines__approved__lt=F("lines__requested")).distinct()
    assert trimmed.exists() and not trimmed.filter(decision_note="").exists()
    # Issued by the storekeeper to a named person, some in two parts.
    moves = StockMove.objects.filter(kind=StockMove.Kind.ISSUE, moved_on__lte=ISSUED_BY)
    assert set(moves.values_list("posted_by", flat=True)) == {storekeeper.pk}
    assert not moves.filter(recipient="").exists()
    in_parts = (
        history.annotate(days=Count("lines__moves__moved_on", distinct=True))
        .filter(days__gt=1)
        .count()
    )
    assert in_parts >= 2
    assert moves.order_by().values("store").distinct().count() == 2


def test_the_ledger_is_sound(demo):
    assert ledger_differences() == []
    out = io.StringIO()
    call_command("check_ledger", stdout=out)  # raises CommandError on a difference
    assert not Balance.objects.filter(quantity__lt=0).exists()


def test_the_restricted_donation_went_only_to_medical_requisitions(demo):
    restricted = Receipt.objects.exclude(restricted_to="")
    assert restricted.count() == 1
    assert restricted.get().restricted_to == Purpose.MEDICAL
    out_of_it = StockMove.objects.filter(
        kind=StockMove.Kind.ISSUE, lot__receipt_line__receipt__in=restricted
    )
    assert out_of_it.exists()
    assert set(out_of_it.values_list("requisition_line__requisition__purpose", flat=True)) == {
        Purpose.MEDICAL
    }


def test_today_there_is_work_waiting(demo):
    today = timezone.localdate()
    asked_today = Requisition.objects.filter(requested_at__date=today)
    assert asked_today.filter(status=Requisition.Status.PENDING).count() >= 2
    waiting = asked_today.get(status=Requisition.Status.APPROVED)
    # The office approves a pending one, the storekeeper issues the approved one.
    office, storekeeper = (User.objects.get(username=n) for n in ("office", "storekeeper"))
    services.decide_requisition(
        office, asked_today.filter(status=Requisition.Status.PENDING).first(), approve=True
    )
    services.issue_requisition(
        storekeeper,
        waiting,
        store=Store.objects.get(code="yanta-main"),
        lines=[{"line": line, "quantity": line.approved} for line in waiting.lines.all()],
        recipient="张老师",
    )
    waiting.refresh_from_db()
    assert waiting.status == Requisition.Status.ISSUED
    assert ledger_differences() == []


def test_an_item_is_below_its_minimum_today(demo):
    office = User.objects.get(username="office")
    assert "suits" in [item.code for item in selectors.below_minimum(office)]
    on_hand = Item.objects.annotate(
        on_hand=Sum("balances__quantity", filter=Q(balances__quantity__gt=0))
    )
    below = [item.code for item in on_hand if (item.on_hand or 0) < item.minimum_level]
    assert below and "masks" not in below


def test_loading_twice_changes_nothing(demo):
    counts = (StockMove.objects.count(), Requisition.objects.count(), Receipt.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        StockMove.objects.count(),
        Requisition.objects.count(),
        Receipt.objects.count(),
    ) == counts
