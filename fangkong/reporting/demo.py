"""The demo's daily health check-ins (每日健康打卡): the article's days and today's slice.

Loaded by `manage.py seed_demo` after the demo school (fangkong.core.demo), through
fangkong.reporting.services, as the units' information officers and the office entered
them:

- every day from 2020-01-23 to 2020-03-06, every person of the school: the College of
  Architecture's officer imports the unit's check-ins and the office those it gathered from
  the other units, one import each a day, each checked as of its own day (the days still
  open then, not now). The answers follow the registry: the people in Hubei now (the
  ledger's 35 staff and 436 students) answer 湖北省, their city there, off campus and in
  contact with the region; everyone else where the registry puts them, on campus when they
  live in a dormitory or the family area. About 3 % miss a day in the first days of the
  statistics and about 1 % later; three or so check-ins a week are abnormal (a low fever,
  a cough, a sore throat); and the office corrected a handful of the figures it reviewed
  (a mistyped temperature, a person in Hubei entered as in Xi'an, a student staying on
  campus entered as away), each a new version that supersedes the first, with a reason.
- the live slice, the last LIVE_DAYS days up to today: every day before today as the
  history's (the whole school imported, a few missing); today, the College of
  Architecture's officer enters most of the unit's check-ins (one of them abnormal: 37.8 °C
  and a cough, so the flagged list is not empty) and leaves the rest still to chase, the
  demo member's own among them (checking in is the first thing a member tries). Run again
  on a later day, seed_demo fills the days since the last one it seeded.

The answers, the misses and the flagged days come from a seeded random generator: every
load of the demo gives the same check-ins. Nothing in the services knows these figures.
An import stamps the time it runs: `entered_at` of the 2020 check-ins is when the demo was
loaded, the day they are for is their `date`.
"""

import datetime
import random
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from fangkong.core.models import Person, User
from fangkong.core.transactions import one_transaction
from fangkong.reporting import demo_reports, services
from fangkong.reporting.demo_days import (
    HISTORY_FIRST,
    HISTORY_LAST,
    days_to_fill,
)
from fangkong.reporting.models import HealthCheckin, Symptom

SEED = 20200306
UNIT = "arch"
# The share of the unit the officer has entered by the time the demo starts.
CHECKED_IN_SHARE = 0.7
NORMAL_TEMPERATURES = [Decimal(f"36.{n}") for n in range(0, 10)] + [Decimal("37.0")]
ABNORMAL = {"temperature": Decimal("37.8"), "symptoms": [Symptom.COUGH], "note": "夜间咳嗽"}

# ---- the article's days -----------------------------------------------------------------
REGION = "湖北省"
HOME = ("陕西省", "西安市")
# Misses: more while the units' officers were being trained (the first figures), fewer later.
FIRST_DAYS, MISSED_FIRST_DAYS, MISSED_LATER = 5, 0.03, 0.01
# A morning reading as people give it: mostly 36.3..36.7.
HISTORY_TEMPERATURES = (
    ["36.0", "36.1", "36.2"] + ["36.3", "36.4", "36.5", "36.6", "36.7"] * 4 + ["36.8", "36.9"]
)
ABNORMAL_PER_WEEK = 3
# (temperature, symptoms as a sheet writes them, note) of the abnormal check-ins.
ABNORMAL_ANSWERS = [
    ("37.5", "", "低热，居家观察，次日复测"),
    ("36.8", "咳嗽", "轻微咳嗽，无发热"),
    ("37.6", "咳嗽、乏力", "已到校医院发热门诊就诊"),
    ("36.7", "咽痛", "咽部不适，已服药"),
    ("37.3", "", "午后复测36.9"),
    ("36.6", "腹泻", "饮食不当，已好转"),
]
# The office's corrections after its review: (day of the check-in, days later, what was wrong).
CORRECTIONS = [
    (datetime.date(2020, 1, 24), 0, "temperature"),
    (datetime.date(2020, 1, 25), 0, "in_region"),
    (datetime.date(2020, 1, 26), 1, "on_campus"),
    (datetime.date(2020, 1, 27), 0, "in_region"),
    (datetime.date(2020, 2, 12), 0, "city"),
    (datetime.date(2020, 2, 27), 2, "temperature"),
]
YES, NO = "是", "否"


def history_days() -> list[datetime.date]:
    return [
        HISTORY_FIRST + datetime.timedelta(days=n)
        for n in range((HISTORY_LAST - HISTORY_FIRST).days + 1)
    ]


def is_history_loaded() -> bool:
    return HealthCheckin.objects.filter(date__range=(HISTORY_FIRST, HISTORY_LAST)).exists()


def where(person: Person) -> tuple[str, str, bool, bool]:
    """(province, city, on campus, contact with the region) as the registry has the person."""
    if person.current_province and person.current_city:
        province, city = person.current_province, person.current_city
    else:
        province, city = HOME
    in_region = province == REGION
    on_campus = person.residence != Person.Residence.OFF_CAMPUS and not in_region
    return province, city, on_campus, in_region


def sheet_row(person: Person) -> dict[str, str]:
    """A person's usual answers, as the cells of an import sheet (date and temperature
    are filled in each day)."""
    province, city, on_campus, in_region = where(person)
    return {
        "person_number": person.person_number,
        "symptoms": "",
        "current_province": province,
        "current_city": city,
        "on_campus": YES if on_campus else NO,
        "contact_with_region_of_concern": YES if in_region else NO,
        "note": "",
    }


def python_answers(person: Person, temperature: str) -> dict:
    province, city, on_campus, in_region = where(person)
    return {
        "temperature": Decimal(temperature),
        "symptoms": [],
        "current_province": province,
        "current_city": city,
        "on_campus": on_campus,
        "contact_with_region_of_concern": in_region,
        "note": "",
    }


class HistoryBuilder:
    """Check-ins of every day from HISTORY_FIRST to HISTORY_LAST, imported day by day."""

    def __init__(self, out):
        self.out = out
        self.random = random.Random(f"{SEED}-history")
        self.office = User.objects.get(username="office")
        self.officer = User.objects.get(username="officer")
        self.people = list(
            Person.objects.filter(is_active=True)
            .select_related("unit")
            .order_by("unit__code", "person_number")
        )
        member = User.objects.filter(username="member").first()
        self.member_person_id = member.person_id if member else None
        self.rows = {person.pk: sheet_row(person) for person in self.people}
        self.days = history_days()

    def actor_of(self, person: Person) -> User:
        """The unit's officer enters its people; the office those of the units without a
        demo officer login."""
        return self.officer if person.unit_id == self.officer.unit_id else self.office

    # -- what happens on which day ------------------------------------------------------------
    def plan_abnormal(self) -> dict[tuple[datetime.date, int], tuple[str, str, str]]:
        """A few abnormal check-ins a week, of people neither in the region nor in the family
        area (no suspected case there, says the article)."""
        candidates = [
            person
            for person in self.people
            if where(person)[0] != REGION
            and person.residence != Person.Residence.HOUSEHOLD
            and person.pk != self.member_person_id
        ]
        plan = {}
        for start in range(0, len(self.days), 7):
            week = self.days[start : start + 7]
            for day in self.random.sample(week, min(ABNORMAL_PER_WEEK, len(week))):
                person = self.random.choice(candidates)
                plan[(day, person.pk)] = self.random.choice(ABNORMAL_ANSWERS)
        return plan

    def plan_corrections(self, taken: set[int]) -> list[tuple[datetime.date, int, str, Person]]:
        """The check-ins the office corrected, each of a different person, and the wrong
        first answers they were given."""

        def pick(test):
            chosen = self.random.choice(
                [p for p in self.people if p.pk not in taken and test(p, where(p))]
            )
            taken.add(chosen.pk)
            return chosen

        tests = {
            "temperature": lambda p, w: w[0] != REGION,
            "in_region": lambda p, w: w[0] == REGION,
            "on_campus": lambda p, w: p.residence == Person.Residence.DORMITORY and w[2],
            "city": lambda p, w: (w[0], w[1]) == HOME,
        }
        return [(day, later, kind, pick(tests[kind])) for day, later, kind in CORRECTIONS]

    @staticmethod
    def wrong_first_answers(kind: str) -> dict:
        if kind == "temperature":
            return {"temperature": "38.6"}
        if kind == "in_region":
            return {
                "current_province": HOME[0],
                "current_city": HOME[1],
                "contact_with_region_of_concern": NO,
            }
        if kind == "on_campus":
            return {"on_campus": NO}
        return {"current_city": "咸阳市"}

    @staticmethod
    def reason(kind: str, person: Person) -> str:
        province, city, _on_campus, _in_region = where(person)
        return {
            "temperature": "统计组复核：体温误录为38.6，本人实测36.6",
            "in_region": f"统计组复核：本人目前在{province}{city}，暂未返校",
            "on_campus": "统计组复核：该生寒假留校，住学生公寓",
            "city": f"统计组复核：所在城市应为{city}",
        }[kind]

    # -- the imports -------------------------------------------------------------------------
    def build(self) -> int:
        abnormal = self.plan_abnormal()
        corrections = self.plan_corrections({pk for _day, pk in abnormal})
        wrong = {
            (day, person.pk): self.wrong_first_answers(kind)
            for day, _later, kind, person in corrections
        }
        actors = [self.officer, self.office]
        # (person, their usual cells, the list of the import that carries them)
        everyone = [
            (person.pk, self.rows[person.pk], actors.index(self.actor_of(person)))
            for person in self.people
        ]
        special = abnormal.keys() | wrong.keys()
        temperatures = HISTORY_TEMPERATURES
        created = missed = 0
        for day in self.days:
            first_days = (day - HISTORY_FIRST).days < FIRST_DAYS
            missed_share = MISSED_FIRST_DAYS if first_days else MISSED_LATER
            date_text = day.isoformat()
            records = [[] for _actor in actors]
            for pk, cells, which in everyone:
                key = (day, pk)
                if self.random.random() < missed_share and key not in special:
                    missed += 1
                    continue
                row = dict(cells, date=date_text, temperature=self.random.choice(temperatures))
                if key in special:
                    if key in abnormal:
                        row["temperature"], row["symptoms"], row["note"] = abnormal[key]
                    row.update(wrong.get(key, {}))
                batch = records[which]
                batch.append((len(batch) + 2, row, set()))
            for actor, batch in zip(actors, records, strict=True):
                if not batch:
                    continue
                result = services.import_checkin_records(actor, batch, today=day)
                if not result.ok:
                    problems = "; ".join(
                        f"row {e.row} {e.column}: {e.message}" for e in result.errors[:5]
                    )
                    raise RuntimeError(f"demo check-ins of {day} did not import: {problems}")
                created += result.created
        for day, later, kind, person in corrections:
            checkin = HealthCheckin.objects.current().get(person=person, date=day)
            services.correct_checkin(
                self.office,
                checkin,
                reason=self.reason(kind, person),
                today=day + datetime.timedelta(days=later),
                **python_answers(person, "36.6"),
            )
        self.out(
            f"{created} check-ins from {HISTORY_FIRST} to {HISTORY_LAST}: {missed} missed, "
            f"{len(abnormal)} abnormal, {len(corrections)} corrected"
        )
        return created


def load_history(out) -> int:
    created = HistoryBuilder(out).build()
    # A bulk load leaves the planner's statistics behind (PostgreSQL's autovacuum catches
    # up later): without them it guesses "one row" for a day's check-ins and every report
    # figure computed next takes a nested loop over the whole day.
    with connection.cursor() as cursor:
        for model in (HealthCheckin, Person):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return created


# ---- the live slice: the last days up to today ---------------------------------------------

LIVE_MISSED = 0.01  # the share of check-ins missed on a live day


def live_checkin_days() -> set[datetime.date]:
    """The live days whose check-ins the demo has seeded: the days the units' officer
    entered check-ins for (an import on a past day, the morning's entries today)."""
    officer = User.objects.get(username="officer")
    return set(
        HealthCheckin.objects.filter(date__gt=HISTORY_LAST, entered_by=officer)
        .values_list("date", flat=True)
        .distinct()
    )


def _answers(person: Person, temperature: Decimal) -> dict:
    return python_answers(person, str(temperature))


def past_live_day(day: datetime.date, builder: "HistoryBuilder") -> int:
    """A whole live day before today, as the history's days: the units' officer and the
    office import everyone's check-ins, a few missing."""
    rng = random.Random(f"{SEED}-{day.isoformat()}")
    actors = [builder.officer, builder.office]
    records = [[] for _actor in actors]
    date_text = day.isoformat()
    for person in builder.people:
        if rng.random() < LIVE_MISSED:
            continue
        row = dict(
            builder.rows[person.pk], date=date_text, temperature=rng.choice(HISTORY_TEMPERATURES)
        )
        batch = records[actors.index(builder.actor_of(person))]
        batch.append((len(batch) + 2, row, set()))
    created = 0
    for actor, batch in zip(actors, records, strict=True):
        if batch:
            result = services.import_checkin_records(actor, batch, today=day)
            if not result.ok:
                problems = "; ".join(
                    f"row {e.row} {e.column}: {e.message}" for e in result.errors[:5]
                )
                raise RuntimeError(f"demo check-ins of {day} did not import: {problems}")
            created += result.created
    return created


def todays_slice(out) -> int:
    """The morning so far: the College of Architecture's officer has entered most of the
    unit's check-ins (one abnormal), the rest still to chase. The demo member's own
    check-in is left undone: checking in is the first thing a member tries."""
    today = timezone.localdate()
    rng = random.Random(f"{SEED}-{today.isoformat()}")
    member = User.objects.get(username="member")
    officer = User.objects.get(username="officer")
    already = set(
        HealthCheckin.objects.current().filter(date=today).values_list("person_id", flat=True)
    )
    people = list(
        Person.objects.filter(unit__code=UNIT, is_active=True)
        .exclude(pk__in=already | {member.person_id})
        .order_by("person_number")
    )
    chosen = sorted(rng.sample(people, round(len(people) * CHECKED_IN_SHARE)), key=lambda p: p.pk)
    flagged = next((p for p in chosen if p.category == Person.Category.STAFF), None)
    for person in chosen:
        answers = _answers(person, rng.choice(NORMAL_TEMPERATURES))
        if person is flagged:
            answers.update(ABNORMAL)
        services.submit_checkin(officer, person, **answers)
    out(
        f"{len(chosen)} check-ins today ({len(people) - len(chosen)} of {UNIT} still to come, "
        f"the member's own among them; {1 if flagged else 0} flagged)"
    )
    return len(chosen)


def load_live_days(out) -> int:
    """The live days not seeded yet, each in its own transaction; the check-ins added."""
    today = timezone.localdate()
    days = days_to_fill(today, live_checkin_days())
    if not days:
        return 0
    builder = HistoryBuilder(out) if days[0] < today else None
    created = 0
    for day in days:
        with one_transaction():
            if day < today:
                created += past_live_day(day, builder)
            else:
                created += todays_slice(out)
    if builder is not None:
        past = [day for day in days if day < today]
        out(f"{created} check-ins of the live days {past[0]}..{today}")
    return created


def load_demo(out=None) -> bool:
    """The article's days once, and the live days up to today (see LIVE_DAYS); False when
    there was nothing to add (idempotent: run twice the same day, the second adds nothing)."""
    out = out or (lambda message: None)
    member = User.objects.filter(username="member").first()
    officer = User.objects.filter(username="officer").first()
    office = User.objects.filter(username="office").first()
    if member is None or officer is None or office is None or member.person_id is None:
        return False
    changed = False
    if not is_history_loaded():
        with one_transaction():
            changed = bool(load_history(out))
    return bool(load_live_days(out)) or changed


def load_demo_late(out=None) -> bool:
    """The unit daily reports, after every app's demo: their figures come from the
    check-ins above and the ledgers the watch app's demo keeps."""
    return demo_reports.load_demo(out)
