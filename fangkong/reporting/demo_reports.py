"""The demo's unit daily reports (单位日报), 2020-01-23 to 2020-03-06, and today's slice.

Loaded after the check-ins and the key-person ledger, through the same services the
officers and the office use, each at the moment it would have happened (`now`): the
office defines the report (the figures and rules below are demo data, not code); every
day each of the units that report daily files its report — most before the 10:00
deadline, some late, a few days missed, quiet days as a one-click nil report — and the
statistics group approves it, after returning a few with a comment for the officer to
correct. The key-person figures are computed from the ledger; in the first days, while
the ledger was still being gathered, an officer's figure can run ahead of it, and then
differs from the records with a reason, as the reconciliation shows.

The live slice, the last days up to today (fangkong.reporting.demo_days.LIVE_DAYS): each day
before today filed and reviewed as the history's; today a few reports submitted, one
returned awaiting the officer, the rest due. A later run fills the days since the last.
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.core import services as core_services
from fangkong.core.demo import DEMO_PASSWORD
from fangkong.core.models import Unit, User
from fangkong.core.roles import Role
from fangkong.core.transactions import one_transaction
from fangkong.reporting import figures, services
from fangkong.reporting.demo_days import days_to_fill
from fangkong.reporting.models import ReportField, RulePriority, UnitReport, ValidationRule

SEED = 20200123
FIRST_DAY, LAST_DAY = datetime.date(2020, 1, 23), datetime.date(2020, 3, 6)
Source = ReportField.Source

# code, Chinese label, English label, source
FIELDS = [
    ("people", "单位总人数", "People of the unit", Source.HEADCOUNT),
    ("checked_in", "今日健康打卡人数", "Checked in today", Source.CHECKED_IN),
    ("on_campus", "在校人数", "On campus", Source.ON_CAMPUS),
    ("flagged", "发热或有症状人数", "Fever or symptoms", Source.FLAGGED),
    ("natives", "湖北籍人员", "Natives of Hubei", Source.KEY_NATIVE),
    ("in_region", "目前在湖北人员", "In Hubei now", Source.KEY_IN_REGION),
    ("returned", "自湖北返校在校居住", "Back from Hubei, living on campus", Source.KEY_RETURNED),
    ("isolated", "医学观察人数", "Under medical isolation", Source.ISOLATION),
    ("new_contacts", "新增密切接触者", "New close contacts", Source.MANUAL),
    ("left_city", "今日离开西安人数", "Left Xi'an today", Source.MANUAL),
]
# left, operator, right, priority, Chinese message, English message
RULES = [
    (
        "in_region",
        "le",
        "natives",
        RulePriority.HIGH,
        "目前在湖北人数不得多于湖北籍人数",
        "In Hubei now ≤ natives of Hubei",
    ),
    (
        "checked_in",
        "le",
        "people",
        RulePriority.HIGH,
        "打卡人数不得多于单位总人数",
        "Checked in ≤ people of the unit",
    ),
    (
        "flagged",
        "le",
        "checked_in",
        RulePriority.HIGH,
        "异常人数不得多于打卡人数",
        "Fever or symptoms ≤ checked in",
    ),
    (
        "on_campus",
        "le",
        "checked_in",
        RulePriority.MEDIUM,
        "在校人数一般不多于打卡人数",
        "On campus is usually ≤ checked in",
    ),
    (
        "returned",
        "le",
        "natives",
        RulePriority.LOW,
        "返校人数一般不多于湖北籍人数",
        "Back from Hubei is usually ≤ natives of Hubei",
    ),
]

# The share of reports that are late, missed, returned, or nil (nothing new to report).
LATE, MISSED, RETURNED, NIL = 0.08, 0.01, 0.03, 0.35
RETURN_COMMENTS = [
    "湖北籍人数与台账不一致，请核实",
    "新增密切接触者请附名单",
    "在校人数请与宿舍登记核对",
]


def is_loaded() -> bool:
    return UnitReport.objects.filter(date=FIRST_DAY).exists()


def at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class ReportsBuilder:
    def __init__(self, out=None):
        self.out = out or (lambda message: None)
        self.random = random.Random(SEED)
        self.office = User.objects.get(username="office")
        self.stats = User.objects.filter(username="stats").first() or self.office
        self.units = list(Unit.objects.filter(is_active=True, reports_daily=True).order_by("code"))

    # -- the office's report ----------------------------------------------------------------
    def definition(self):
        fields = {}
        for order, (code, label, label_en, source) in enumerate(FIELDS, start=1):
            fields[code] = ReportField.objects.filter(code=code).first() or (
                services.create_report_field(
                    self.office,
                    code=code,
                    label=label,
                    label_en=label_en,
                    order=order * 10,
                    source=source,
                )
            )
        if not ValidationRule.objects.exists():
            for left, operator, right, priority, message, message_en in RULES:
                services.create_validation_rule(
                    self.office,
                    left=fields[left],
                    operator=operator,
                    right=fields[right],
                    priority=priority,
                    message=message,
                    message_en=message_en,
                )
        services.update_policy(self.office, school_name="西安建筑科技大学")

    def officers(self) -> dict[int, User]:
        """Each unit's information officer: the demo's `officer` for the College of
        Architecture, a login per other unit (not printed: one officer shows the role)."""
        officers = {}
        for unit in self.units:
            officer = (
                User.objects.filter(unit=unit, groups__name=Role.OFFICER).order_by("pk").first()
            )
            if officer is None:
                officer = core_services.create_account(
                    self.office,
                    username=f"officer-{unit.code}",
                    password=DEMO_PASSWORD,
                    roles=[Role.OFFICER],
                    unit=unit,
                    first_name=f"{unit.name} 信息员",
                )
            officers[unit.pk] = officer
        return officers

    # -- a day ------------------------------------------------------------------------------
    def figures_for(self, unit: Unit, day: datetime.date, ledger: dict) -> tuple[dict, dict]:
        """The officer's figures: the records' for the computed ones, a few new close
        contacts and departures; in a high rule's way (the ledger still being gathered)
        the officer's own count with a reason."""
        row = ledger.get(unit.pk, {})
        values, reasons = {}, {}
        for code, _label, _label_en, source in FIELDS:
            values[code] = row.get(source, 0) if source != Source.MANUAL else 0
        if self.random.random() < 0.05:
            values["new_contacts"] = self.random.randint(1, 2)
        if day < datetime.date(2020, 2, 1) and self.random.random() < 0.1:
            values["left_city"] = self.random.randint(1, 3)
        if values["in_region"] > values["natives"]:
            values["natives"] = values["in_region"]
            reasons["natives"] = "台账尚在汇总，按本单位摸排人数填报"
        return values, reasons

    def file(self, unit, officer, day, ledger, now, *, nil_allowed=True):
        values, reasons = self.figures_for(unit, day, ledger)
        quiet = not reasons and not values["new_contacts"] and not values["left_city"]
        if nil_allowed and quiet and self.random.random() < NIL:
            return services.submit_nil_report(officer, unit, day, now=now)
        return services.create_report(
            officer, unit, day, values=values, reasons=reasons, submit=True, now=now
        )

    def day(self, day: datetime.date, officers: dict, *, today=False) -> tuple[int, int]:
        ledger = figures.ledger_figures(day, [unit.pk for unit in self.units])
        filed = late = 0
        for index, unit in enumerate(self.units):
            officer = officers[unit.pk]
            if today and index % 3:
                continue  # still due today
            if not today and self.random.random() < MISSED:
                continue
            is_late = not today and self.random.random() < LATE
            hour, minute = (
                (self.random.randint(10, 15), self.random.randint(5, 59))
                if is_late
                else (self.random.randint(7, 9), self.random.randint(0, 55))
            )
            now = at(day, hour, minute)
            if today and now > timezone.now():
                now = timezone.now()
            # Today, the first unit's report is the one the office has returned.
            report = self.file(
                unit, officer, day, ledger, now, nil_allowed=not (today and not index)
            )
            filed += 1
            late += is_late
            if not today or index == 0:
                self.review(report, officer, day, ledger, now, today=today)
        return filed, late

    def review(self, report, officer, day, ledger, submitted, *, today):
        """The statistics group returns a few with a comment, the officer corrects, and
        every report is approved by the evening (today's returned one waits)."""
        reviewed = submitted + datetime.timedelta(minutes=self.random.randint(20, 90))
        if today:
            reviewed = min(reviewed, timezone.now())
        if not today and (report.is_nil or self.random.random() >= RETURNED):
            services.approve_report(self.stats, report, now=reviewed)
            return
        services.return_report(
            self.stats, report, self.random.choice(RETURN_COMMENTS), now=reviewed
        )
        if today:
            return
        values, reasons = self.figures_for(report.unit, day, ledger)
        corrected = reviewed + datetime.timedelta(minutes=self.random.randint(15, 60))
        services.update_report(
            officer,
            report,
            values=values,
            reasons=reasons,
            note="已按统计组意见核实更正",
            submit=True,
            now=corrected,
        )
        services.approve_report(self.stats, report, now=corrected + datetime.timedelta(minutes=30))

    def history(self) -> None:
        officers = self.officers()
        filed = late = 0
        day = FIRST_DAY
        while day <= LAST_DAY:
            with one_transaction(), figures.reports_of_the_day():
                counts = self.day(day, officers)
            filed, late = filed + counts[0], late + counts[1]
            day += datetime.timedelta(days=1)
        self.out(f"{filed} unit daily reports 2020-01-23..2020-03-06, {late} late")

    def live_days(self) -> int:
        """The live days not filed yet (see demo_days.LIVE_DAYS): each day before today as the
        history's, each with its own random draws; today a few reports submitted, one
        returned awaiting the officer, the rest due."""
        today = timezone.localdate()
        seeded = UnitReport.objects.filter(date__gt=LAST_DAY).values_list("date", flat=True)
        days = days_to_fill(today, set(seeded))
        if not days:
            return 0
        officers = self.officers()
        filed = 0
        for day in days:
            self.random = random.Random(f"{SEED}-{day.isoformat()}")
            with one_transaction(), figures.reports_of_the_day():
                counts = self.day(day, officers, today=day == today)
            filed += counts[0]
            if day == today:
                self.out(f"{counts[0]} unit daily reports today, the rest due")
        if days[0] < today:
            self.out(f"{filed} unit daily reports of the live days {days[0]}..{today}")
        return filed


def load_demo(out=None) -> bool:
    """The report definition and its history once; the live days up to today whenever they
    are not filed yet. False when nothing was added."""
    builder = ReportsBuilder(out)
    changed = False
    if not is_loaded():
        with one_transaction():
            builder.definition()
        builder.history()
        changed = True
    try:
        changed = bool(builder.live_days()) or changed
    except ValidationError as error:  # a demo that cannot file the live days' reports says why
        raise RuntimeError(f"the live days' demo reports: {error.messages}") from error
    return changed
