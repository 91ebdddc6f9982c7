"""The demo's key-person ledger (重点人员台账), as the 2020-03-07 article counts it.

Loaded by `manage.py seed_demo` after the demo school (fangkong.core.demo). Everything goes
in through fangkong.watch.services, as the office, its statistics group (统计组) and the
College of Architecture's information officer would enter it, on the article's dates:

- the region of concern 湖北省 from 2020-01-23;
- natives of the region and people currently in it: every person the registry records so
  (the article's 119 staff and 458 students; 35 staff and 436 students), listed in the
  first days of the statistics and each verified by a second person;
- 29 people who came back from the region and live on campus, listed in February, with
  disinfectant brought to their homes every week and random phone checks until 6 March;
- today's slice: a few close contacts listed in the last days, due for follow-up today.

Then medical isolation and incidents (IsolationBuilder), as the office and the school
hospital would enter them: a 14-day isolation policy from 2020-01-23, the rooms of the
isolation building, the 12 person-times of medical isolation in the family area that
General Affairs helped the CDC with (home isolation of family-area residents, temperature
taken twice a day, all released by 6 March), the 4 incidents handled (with their
timelines, the CDC notified, closed with a summary), and one person in isolation today
whose checks are due.

Nothing in the code of the app knows these figures: the ledger's own counts show them.
"""

import datetime
import random

from django.db import models
from django.utils import timezone

from fangkong.core import services as core_services
from fangkong.core.demo import DEMO_PASSWORD
from fangkong.core.models import Area, Building, Person, User
from fangkong.core.roles import Role
from fangkong.core.transactions import one_transaction
from fangkong.watch import selectors, services
from fangkong.watch.models import (
    CheckSlot,
    FollowUp,
    Incident,
    IsolationCase,
    IsolationPolicy,
    KeyPerson,
    RegionOfConcern,
)

SEED = 20200207
REGION = "湖北省"
REGION_FROM = datetime.date(2020, 1, 23)
# The ledger's first figures were gathered over these days (统计组 and the units' 信息员).
FIRST_LISTING_DAYS = [datetime.date(2020, 1, 24) + datetime.timedelta(days=n) for n in range(5)]
RETURNED = 29
RETURNED_FIRST, RETURNED_LAST = datetime.date(2020, 2, 2), datetime.date(2020, 2, 25)
ARTICLE_DAY = datetime.date(2020, 3, 6)  # the figures as of the article
# Random phone checks of the returned, on days the article names.
DRAW_DAYS = [
    datetime.date(2020, 2, 10),
    datetime.date(2020, 2, 20),
    datetime.date(2020, 2, 23),
    datetime.date(2020, 3, 6),
]
DRAW_SIZE = 5
DISINFECTANT_EVERY = 7
TODAYS_CLOSE_CONTACTS = 3
CLOSE_CONTACT_DAYS = 14
STATS_USERNAME, STATS_NAME = "stats", "防控办 统计组 周科长"
WELL_TEMPERATURES = ["36.2", "36.3", "36.4", "36.5", "36.6", "36.7", "36.8"]


def is_loaded() -> bool:
    return RegionOfConcern.objects.filter(name=REGION).exists()


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class LedgerBuilder:
    def __init__(self, out=None):
        self.out = out or (lambda message: None)
        self.random = random.Random(SEED)
        self.office = User.objects.get(username="office")
        self.officer = User.objects.get(username="officer")
        self.stats = self.statistics_group()

    # -- who does what ----------------------------------------------------------------------
    def statistics_group(self) -> User:
        """The statistics group's reviewer (统计组), a second office login: the ledger is
        verified one by one by someone other than who listed the entry."""
        user = User.objects.filter(username=STATS_USERNAME).first()
        if user is None:
            user = core_services.create_account(
                self.office,
                username=STATS_USERNAME,
                password=DEMO_PASSWORD,
                roles=[Role.OFFICE],
                unit=self.office.unit,
                first_name=STATS_NAME,
            )
        return user

    def lister_and_verifier(self, person: Person) -> tuple[User, User]:
        """The College of Architecture's officer lists its people and the office verifies
        them; the office lists the other units' people and the statistics group verifies."""
        if person.unit_id == self.officer.unit_id:
            return self.officer, self.office
        return self.office, self.stats

    def list_verified(self, person: Person, **fields) -> KeyPerson:
        lister, verifier = self.lister_and_verifier(person)
        entry = services.list_key_person(lister, person=person, **fields)
        return services.verify_key_person(verifier, entry)

    def well(self, actor, entry, kind, day, hour, minute, note) -> FollowUp:
        return services.record_follow_up(
            actor,
            entry,
            kind=kind,
            outcome=FollowUp.Outcome.WELL,
            temperature=self.random.choice(WELL_TEMPERATURES),
            note=note,
            at=_at(day, hour, minute),
            due_on=day,
        )

    # -- the article's ledger ---------------------------------------------------------------
    def build(self):
        self.region = services.create_region(
            self.office, name=REGION, from_date=REGION_FROM, note="新型冠状病毒肺炎疫情重点地区"
        )
        people = Person.objects.select_related("unit").order_by("unit__code", "person_number")
        natives = list(people.filter(native_province=REGION))
        for index, person in enumerate(natives):
            self.list_verified(
                person,
                category=KeyPerson.Category.NATIVE,
                region=self.region,
                reason=f"籍贯湖北省{person.native_place}".strip(),
                listed_on=FIRST_LISTING_DAYS[index % len(FIRST_LISTING_DAYS)],
                follow_up_every=0,
            )
        in_region = list(people.filter(current_province=REGION))
        for index, person in enumerate(in_region):
            self.list_verified(
                person,
                category=KeyPerson.Category.IN_REGION,
                region=self.region,
                reason=f"目前在湖北省{person.current_city}，暂未返校",
                listed_on=FIRST_LISTING_DAYS[(index + 1) % len(FIRST_LISTING_DAYS)],
                follow_up_every=0,
            )
        self.out(f"{len(natives)} natives of {REGION}, {len(in_region)} in {REGION} now")
        self.returned(people)

    def returned_people(self, people) -> list[tuple[Person, str]]:
        """The 29: natives of the region back on campus (a family-area household or a
        dormitory), then members of those households who came back with them."""
        natives = list(
            people.filter(native_province=REGION, residence__in=["household", "dormitory"])
            .exclude(current_province=REGION)
            .order_by("person_number")
        )
        chosen = [(person, "自湖北返陕，居住在校内") for person in natives[:RETURNED]]
        households = [person.household_id for person in natives if person.household_id]
        relatives = (
            people.filter(household_id__in=households, category=Person.Category.FAMILY)
            .exclude(pk__in=[person.pk for person in natives])
            .order_by("household_id", "person_number")
        )
        for person in relatives[: RETURNED - len(chosen)]:
            chosen.append((person, "随家人自湖北返陕，居住在家属区"))
        if len(chosen) != RETURNED:
            raise RuntimeError(f"the demo school has {len(chosen)} returned people, not 29")
        return chosen

    def returned(self, people):
        span = (RETURNED_LAST - RETURNED_FIRST).days
        entries = []
        for index, (person, reason) in enumerate(self.returned_people(people)):
            listed_on = RETURNED_FIRST + datetime.timedelta(days=index * span // (RETURNED - 1))
            entry = services.list_key_person(
                self.office,
                person=person,
                category=KeyPerson.Category.RETURNED,
                region=self.region,
                reason=reason,
                listed_on=listed_on,
                monitoring_until=ARTICLE_DAY,
                responsible=self.office,
                follow_up_every=DISINFECTANT_EVERY,
                follow_up_kind=FollowUp.Kind.DISINFECTANT,
            )
            entries.append(services.verify_key_person(self.stats, entry))
        deliveries = calls = 0
        for entry in entries:
            # Disinfectant brought home on the day of listing and every week after.
            day = entry.listed_on
            where = "宿舍" if entry.person.residence == "dormitory" else "家中"
            while day <= ARTICLE_DAY:
                minute = self.random.randrange(60)
                self.well(
                    self.office,
                    entry,
                    FollowUp.Kind.DISINFECTANT,
                    day,
                    self.random.choice((9, 10, 14, 15)),
                    minute,
                    f"送84消毒液、医用酒精到{where}，提醒每日测量体温",
                )
                deliveries += 1
                day += datetime.timedelta(days=DISINFECTANT_EVERY)
            # Phone calls on a few random days besides.
            days_watched = (ARTICLE_DAY - entry.listed_on).days
            for offset in sorted(self.random.sample(range(1, days_watched), 2)):
                self.well(
                    self.lister_and_verifier(entry.person)[0],
                    entry,
                    FollowUp.Kind.PHONE_CALL,
                    entry.listed_on + datetime.timedelta(days=offset),
                    self.random.choice((11, 16, 17)),
                    self.random.randrange(60),
                    "电话随访：体温正常，无咳嗽、乏力等症状",
                )
                calls += 1
        by_person = {entry.person_id: entry for entry in entries}
        for day in DRAW_DAYS:
            population = services.draw_population(day, KeyPerson.Category.RETURNED)
            draw = services.draw_random_check(
                self.office,
                day=day,
                size=min(DRAW_SIZE, len(population)),
                category=KeyPerson.Category.RETURNED,
                seed=f"xauat-{day.isoformat()}",
            )
            for position, person_id in enumerate(draw.drawn):
                self.well(
                    self.office,
                    by_person[person_id],
                    FollowUp.Kind.PHONE_CALL,
                    day,
                    16,
                    position * 7,
                    "随机电话抽查：体温正常，已提醒做好健康监测",
                )
                calls += 1
        self.out(
            f"{len(entries)} returned and living on campus: {deliveries} disinfectant "
            f"deliveries, {calls} phone calls, {len(DRAW_DAYS)} random phone checks"
        )

    # -- today's slice ----------------------------------------------------------------------
    def todays_slice(self) -> int:
        """Close contacts listed in the last days, due today: the follow-up list a new user
        finds. One of them has already been phoned today."""
        today = timezone.localdate()
        officer = self.officer
        taken = KeyPerson.objects.filter(status=KeyPerson.Status.UNDER_WATCH).values("person")
        candidates = list(
            Person.objects.filter(
                unit=officer.unit, category=Person.Category.STAFF, residence="household"
            )
            .exclude(pk__in=taken)
            .exclude(pk=getattr(User.objects.filter(username="member").first(), "person_id", 0))
            .order_by("person_number")[:TODAYS_CLOSE_CONTACTS]
        )
        for days_ago, person in enumerate(reversed(candidates)):
            listed_on = today - datetime.timedelta(days=days_ago)
            entry = self.list_verified(
                person,
                category=KeyPerson.Category.CLOSE_CONTACT,
                reason="与外地返陕发热人员有密切接触，居家观察14天",
                listed_on=listed_on,
                monitoring_until=listed_on + datetime.timedelta(days=CLOSE_CONTACT_DAYS - 1),
                follow_up_every=1,
                follow_up_kind=FollowUp.Kind.TEMPERATURE,
            )
            if days_ago == len(candidates) - 1:
                services.record_follow_up(
                    officer,
                    entry,
                    kind=FollowUp.Kind.TEMPERATURE,
                    outcome=FollowUp.Outcome.WELL,
                    temperature="36.5",
                    note="上门测温，无不适",
                )
        self.out(f"{len(candidates)} close contacts due for follow-up today")
        return len(candidates)


# ---- medical isolation and incidents ------------------------------------------------------

ISOLATION_FROM, ISOLATION_DAYS = datetime.date(2020, 1, 23), 14
ISOLATION_ROOMS = [("101", 1), ("102", 1), ("103", 2), ("104", 2), ("201", 2)]
# The 12 home isolations of the family area: their start days (each ends 14 days later,
# all before 6 March), and which of them the CDC ordered (疾控中心 with its reference).
HOME_ISOLATION_STARTS = [
    datetime.date(2020, 1, 24),
    datetime.date(2020, 1, 26),
    datetime.date(2020, 1, 27),
    datetime.date(2020, 1, 29),
    datetime.date(2020, 2, 1),
    datetime.date(2020, 2, 3),
    datetime.date(2020, 2, 5),
    datetime.date(2020, 2, 8),
    datetime.date(2020, 2, 11),
    datetime.date(2020, 2, 14),
    datetime.date(2020, 2, 17),
    datetime.date(2020, 2, 20),
]
CDC_ORDERED = {0, 2, 5, 8}
FEVER_CASE, FEVER_DAY = 3, datetime.date(2020, 2, 6)
TODAYS_ISOLATION_DAYS_AGO = 3


class IsolationBuilder:
    """The article's medical isolation and incidents, through fangkong.watch.services."""

    def __init__(self, out=None):
        self.out = out or (lambda message: None)
        self.random = random.Random(SEED + 1)
        self.office = User.objects.get(username="office")
        self.medic = User.objects.filter(username="medic").first() or self.office

    def family_residents(self):
        """People of a household in the Yanta family area, those back from the region of
        concern first (the ledger's returned), then the others."""
        residents = Person.objects.filter(
            is_active=True,
            residence=Person.Residence.HOUSEHOLD,
            household__area__kind=Area.Kind.FAMILY,
            household__area__campus__code="yanta",
        )
        returned = set(
            KeyPerson.objects.filter(category=KeyPerson.Category.RETURNED).values_list(
                "person_id", flat=True
            )
        )
        people = list(residents.order_by("person_number"))
        return [p for p in people if p.pk in returned] + [p for p in people if p.pk not in returned]

    def checks(self, case, first: datetime.date, last: datetime.date, fever_on=None) -> int:
        """Morning and afternoon temperatures from `first` to `last`; a fever on `fever_on`'s
        afternoon (the incident), normal again the next morning."""
        made = 0
        day = first
        while day <= last:
            for slot, hour in ((CheckSlot.MORNING, 8), (CheckSlot.AFTERNOON, 16)):
                temperature = self.random.choice(WELL_TEMPERATURES)
                symptoms = ""
                if day == fever_on and slot == CheckSlot.AFTERNOON:
                    temperature, symptoms = "37.6", "自述乏力"
                services.record_isolation_check(
                    self.medic,
                    case,
                    temperature=temperature,
                    slot=slot,
                    date=day,
                    symptoms=symptoms,
                    at=_at(day, hour, self.random.randrange(40)),
                )
                made += 1
            day += datetime.timedelta(days=1)
        return made

    def build(self):
        services.create_isolation_policy(
            self.office,
            effective_from=ISOLATION_FROM,
            days=ISOLATION_DAYS,
            note="居家或集中医学观察14天（按疾控中心要求）",
        )
        building = Building.objects.filter(area__kind=Area.Kind.ISOLATION).first()
        for name, beds in ISOLATION_ROOMS:
            services.create_isolation_room(
                self.medic, name=name, capacity=beds, building=building, note="单人单间，独立卫生间"
            )
        residents = self.family_residents()
        cases, checks = [], 0
        for index, start in enumerate(HOME_ISOLATION_STARTS):
            person = residents[index]
            cdc = index in CDC_ORDERED
            case = services.start_isolation(
                self.medic,
                person=person,
                place_kind=IsolationCase.PlaceKind.HOME,
                reason="自湖北返陕，居家医学观察" if index % 3 else "与湖北返陕人员密切接触",
                ordered_by=IsolationCase.OrderedBy.CDC if cdc else IsolationCase.OrderedBy.SCHOOL,
                cdc_reference=f"雁塔疾控隔字〔2020〕{index + 3:02d}号" if cdc else "",
                start_date=start,
            )
            last = case.planned_end - datetime.timedelta(days=1)
            checks += self.checks(case, start, last, FEVER_DAY if index == FEVER_CASE else None)
            cases.append(case)
        self.incidents(cases)
        for case in cases:
            services.release_isolation(
                self.medic,
                case,
                note="医学观察期满，体温及症状正常，经疾控中心同意解除",
                end_date=case.planned_end,
            )
        self.out(
            f"{len(cases)} person-times of home isolation in the family area, {checks} "
            "temperature checks, 4 incidents"
        )

    def incident(self, day, hour, kind, severity, place, description, steps, summary, **links):
        """One incident: opened, handled, the CDC notified, steps on its timeline, closed."""
        opened = _at(day, hour, 10)
        incident = services.open_incident(
            self.office,
            occurred_at=opened,
            kind=kind,
            severity=severity,
            place=place,
            area=Area.objects.filter(kind=Area.Kind.FAMILY, campus__code="yanta").first()
            if "家属区" in place
            else None,
            description=description,
            **links,
        )
        minutes = 20
        services.start_handling_incident(
            self.medic,
            incident,
            note="校医院到场处置",
            at=opened + datetime.timedelta(minutes=minutes),
        )
        services.notify_cdc(
            self.office,
            incident,
            at=opened + datetime.timedelta(minutes=minutes + 25),
            note="电话报告雁塔区疾病预防控制中心",
        )
        for offset, text in steps:
            services.add_incident_action(
                self.medic, incident, text=text, at=opened + datetime.timedelta(minutes=offset)
            )
        services.close_incident(
            self.office, incident, summary=summary, at=opened + datetime.timedelta(days=1)
        )
        return incident

    def incidents(self, cases):
        first, fever = cases[0], cases[FEVER_CASE]
        self.incident(
            datetime.date(2020, 1, 24),
            9,
            Incident.Kind.CLOSE_CONTACT,
            Incident.Severity.HIGH,
            "雁塔家属区",
            "家属区住户报告：家人自武汉返回，与之同住人员为密切接触者。",
            [(60, "逐户核实同住人员及接触史"), (90, "落实居家医学观察，每日两次测温")],
            "同住人员居家医学观察14天，期间体温正常，无症状，已解除。",
            people=[first.person],
            isolation_cases=[first],
        )
        self.incident(
            FEVER_DAY,
            16,
            Incident.Kind.FEVER,
            Incident.Severity.MEDIUM,
            "雁塔家属区（居家隔离人员）",
            "居家医学观察人员下午测温37.6℃，自述乏力。",
            [(40, "校医院上门复测37.4℃，送发热门诊排查"), (180, "血常规、胸部CT未见异常")],
            "经发热门诊排查排除新冠肺炎，次日体温恢复正常，继续居家医学观察至期满。",
            people=[fever.person],
            isolation_cases=[fever],
        )
        self.incident(
            datetime.date(2020, 2, 15),
            10,
            Incident.Kind.GATHERING,
            Incident.Severity.LOW,
            "雁塔家属区临时蔬菜售卖点",
            "临时蔬菜售卖点排队人员聚集，间距不足1米，个别人员未戴口罩。",
            [(30, "物业人员现场疏导，设置1米间隔线"), (60, "分时段售卖，广播提醒佩戴口罩")],
            "现场秩序恢复，售卖点改为分时段、分楼栋购买，未再发生聚集。",
        )
        self.incident(
            datetime.date(2020, 2, 27),
            8,
            Incident.Kind.FEVER,
            Incident.Severity.MEDIUM,
            "雁塔校区东门",
            "一名返校取资料的教师入校测温37.5℃。",
            [(30, "暂缓入校，由校医院陪同前往发热门诊"), (200, "核酸检测阴性，排除新冠肺炎")],
            "排除新冠肺炎，居家健康监测，体温正常后凭临时通行证入校。",
        )

    def todays_slice(self) -> bool:
        """One person in home isolation since a few days ago, checked twice a day until
        yesterday: today's checks are due."""
        today = timezone.localdate()
        start = today - datetime.timedelta(days=TODAYS_ISOLATION_DAYS_AGO)
        member = User.objects.filter(username="member").values_list("person_id", flat=True)
        officer = User.objects.get(username="officer")
        busy = IsolationCase.objects.filter(
            models.Q(status=IsolationCase.Status.IN_ISOLATION) | models.Q(end_date__gt=start)
        ).values("person_id")
        person = (
            Person.objects.filter(
                unit=officer.unit,
                is_active=True,
                residence=Person.Residence.HOUSEHOLD,
                household__area__kind=Area.Kind.FAMILY,
            )
            .exclude(pk__in=busy)
            .exclude(pk__in=[pk for pk in member if pk])
            .order_by("person_number")
            .first()
        )
        if person is None:
            return False
        case = services.start_isolation(
            self.medic,
            person=person,
            place_kind=IsolationCase.PlaceKind.HOME,
            reason="外地返陕，居家医学观察",
            start_date=start,
        )
        self.checks(case, start, today - datetime.timedelta(days=1))
        self.out(f"{person.name} in home isolation since {start}: today's checks are due")
        return True

    def fill_checks(self) -> int:
        """Run again on a later day: the checks of the live slice's open cases from the day
        after their last check up to yesterday, so that only today's are due."""
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        made = 0
        cases = IsolationCase.objects.filter(
            status=IsolationCase.Status.IN_ISOLATION, start_date__gt=ARTICLE_DAY
        ).annotate(last=models.Max("checks__date"))
        for case in cases.order_by("pk"):
            first = (case.last or case.start_date - datetime.timedelta(days=1)) + (
                datetime.timedelta(days=1)
            )
            if first <= yesterday:
                made += self.checks(case, first, yesterday)
        if made:
            self.out(f"{made} isolation checks of the days since the last run")
        return made


def isolation_is_loaded() -> bool:
    return IsolationPolicy.objects.filter(effective_from=ISOLATION_FROM).exists()


def demo_logins() -> list[tuple[str, str, str]]:
    """The logins this demo adds, for seed_demo to print beside the school's."""
    return [(STATS_USERNAME, str(Role(Role.OFFICE).label), DEMO_PASSWORD)]


def load_demo(out=None) -> bool:
    """Add the demo ledger once, and today's slice whenever nobody is due today; False when
    there was nothing to add (idempotent)."""
    office = User.objects.filter(username="office").first()
    if office is None:  # no demo school to build on
        return False
    changed = False
    with one_transaction():
        builder = LedgerBuilder(out)
        if not is_loaded():
            builder.build()
            changed = True
        if not selectors.due_list(office, timezone.localdate()):
            changed = bool(builder.todays_slice()) or changed
    with one_transaction():
        isolation = IsolationBuilder(out)
        if not isolation_is_loaded():
            isolation.build()
            changed = True
        if not IsolationCase.objects.filter(status=IsolationCase.Status.IN_ISOLATION).exists():
            changed = isolation.todays_slice() or changed
        else:
            changed = bool(isolation.fill_checks()) or changed
    return changed
