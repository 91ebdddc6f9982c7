"""The demo's gate access (门禁/通行证), 2020-01-23 to 2020-03-06, and today's slice.

Loaded by `manage.py seed_demo` after the demo school and the other apps, through
fangkong.access.services, as the office and the guards entered it, each on its own moment
(`effective_from`, `now`, `at`):

- the gates of the Yanta teaching and family areas, the dormitories and Caotang;
- the policies from 2020-01-23: the teaching areas and the dormitories closed (pass holders
  only), the Yanta family area under a household quota (one exit per household every two
  days, rolling), the other areas open; from 2020-02-17 the family area's residents are
  also to be back by 20:00;
- the pass types (on-duty staff, teaching or research matters, medical care or looking
  after the elderly, fetching course materials, other);
- the passes of the article: 430 issued from 2020-02-10 to 2020-02-23 (227 on-duty staff,
  18 teaching or research matters, 185 medical care), a few applications rejected, and 537
  passes for fetching course materials issued at the pass desk from 2020-02-24;
- the guards' crossings from 2020-02-10: family-area residents going out on their
  household's quota (and refused when it is used, or when under isolation), pass holders
  at the teaching gates, people without a pass turned away;
- today's slice: valid passes (one for the `member` login), an application waiting, a
  revoked pass, an expired one, one not valid yet, one used up, a household that has used
  its quota today, and a pass held by the person in medical isolation — so that every
  answer of the gate page can be tried.

Every figure below is demo data; the services and reports know none of them.
"""

import datetime
import random

from django.db.models import Count, Q
from django.utils import timezone

from fangkong.access import services
from fangkong.access.models import AccessPolicy, Crossing, Gate, Pass, PassType
from fangkong.core.models import Area, Household, Person, User
from fangkong.core.transactions import one_transaction
from fangkong.watch.models import IsolationCase

SEED = 20200210
POLICIES_FROM = datetime.date(2020, 1, 23)
RETURN_BY_FROM = datetime.date(2020, 2, 17)
ISSUE_FROM, ISSUE_UNTIL = datetime.date(2020, 2, 10), datetime.date(2020, 2, 23)
MATERIALS_FROM, MATERIALS_UNTIL = datetime.date(2020, 2, 24), datetime.date(2020, 3, 6)
ISSUED = {"duty": 227, "research": 18, "medical": 185}
MATERIALS = 537
REJECTED = 9
CROSSINGS_FROM, CROSSINGS_UNTIL = ISSUE_FROM, MATERIALS_UNTIL
FAMILY_EXITS_A_DAY, TEACHING_ENTRIES_A_DAY = 6, 2

# key: (campus code, area name)
AREAS = {
    "yt-teaching": ("yanta", "雁塔教学区"),
    "yt-family": ("yanta", "雁塔家属区"),
    "yt-dorm": ("yanta", "雁塔学生宿舍区"),
    "yt-office": ("yanta", "雁塔行政办公区"),
    "ct-teaching": ("caotang", "草堂教学区"),
    "ct-family": ("caotang", "草堂家属区"),
    "ct-dorm": ("caotang", "草堂学生宿舍区"),
}
GATES = [
    ("yt-east", "雁塔校区东门", "Yanta east gate", "yt-teaching"),
    ("yt-north", "雁塔校区北门", "Yanta north gate", "yt-teaching"),
    ("yt-west", "雁塔校区西门", "Yanta west gate", "yt-teaching"),
    ("yt-family-south", "家属区南门", "Family area south gate", "yt-family"),
    ("yt-family-north", "家属区北门", "Family area north gate", "yt-family"),
    ("yt-dorm", "雁塔学生宿舍区大门", "Yanta dormitories gate", "yt-dorm"),
    ("ct-main", "草堂校区正门", "Caotang main gate", "ct-teaching"),
    ("ct-family", "草堂家属区大门", "Caotang family area gate", "ct-family"),
]
CLOSED = {"yt-teaching", "ct-teaching", "yt-dorm", "ct-dorm"}
FAMILY_QUOTA = {"quota_exits": 1, "quota_days": 2, "quota_window": AccessPolicy.Window.ROLLING}
# code, name, English name, default days, areas, multiple use, uses
PASS_TYPES = [
    ("duty", "在岗值班人员", "On-duty staff", 14, ["yt-teaching", "yt-office", "ct-teaching"],
     True, None),
    ("research", "教学科研事务", "Teaching or research matters", 7,
     ["yt-teaching", "ct-teaching"], True, None),
    ("medical", "就医或照顾老人", "Medical care or looking after the elderly", 7,
     ["yt-family", "ct-family"], True, None),
    ("materials", "取教学资料", "Fetching course materials", 1, ["yt-teaching", "ct-teaching"],
     False, None),
    ("other", "其他事由", "Other", 3, ["yt-teaching"], True, 10),
]  # fmt: skip
REASONS = {
    "duty": ["值班", "安保值班", "后勤保障值班", "实验室安全巡查", "网络机房值守"],
    "research": ["实验设备维护", "课题组紧急实验", "网络授课录制"],
    "medical": ["就医", "照顾家中老人", "陪同家属就医", "取药"],
    "materials": ["取教学资料", "取网络授课用书", "取实验讲义"],
    "other": ["办理人事手续", "取快递"],
}


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def spread(count: int, first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """`count` days from first to last, as evenly as they go."""
    span = (last - first).days + 1
    return [first + datetime.timedelta(days=i * span // count) for i in range(count)]


def is_loaded() -> bool:
    return PassType.objects.filter(code="materials").exists()


class AccessBuilder:
    def __init__(self, out=None):
        self.out = out or (lambda message: None)
        self.random = random.Random(SEED)
        self.office = User.objects.get(username="office")
        self.guard = User.objects.get(username="guard")
        self.areas = {
            key: Area.objects.get(campus__code=campus, name=name)
            for key, (campus, name) in AREAS.items()
        }

    # -- gates, policies, pass types --------------------------------------------------------
    def setup(self):
        self.gates = {}
        for code, name, name_en, area in GATES:
            self.gates[code] = services.save_gate(
                self.office, code=code, name=name, name_en=name_en, area=self.areas[area]
            )
        start = at(POLICIES_FROM, 0)
        for area in Area.objects.order_by("pk"):
            key = next((k for k, a in self.areas.items() if a.pk == area.pk), None)
            if key == "yt-family":
                services.set_policy(
                    self.office,
                    area=area,
                    kind=AccessPolicy.Kind.QUOTA,
                    effective_from=start,
                    reason="家属区每户每2天限1人外出采购生活物资",
                    **FAMILY_QUOTA,
                )
                services.set_policy(
                    self.office,
                    area=area,
                    kind=AccessPolicy.Kind.QUOTA,
                    effective_from=at(RETURN_BY_FROM, 0),
                    reason="外出人员须于20:00前返回",
                    return_by=datetime.time(20, 0),
                    **FAMILY_QUOTA,
                )
            elif key in CLOSED:
                services.set_policy(
                    self.office,
                    area=area,
                    kind=AccessPolicy.Kind.CLOSED,
                    effective_from=start,
                    reason="疫情防控期间封闭管理，凭临时通行证出入",
                )
            else:
                services.set_policy(
                    self.office, area=area, kind=AccessPolicy.Kind.OPEN, effective_from=start
                )
        self.types = {}
        for order, (code, name, name_en, default_days, areas, multiple, uses) in enumerate(
            PASS_TYPES
        ):
            self.types[code] = services.save_pass_type(
                self.office,
                code=code,
                name=name,
                name_en=name_en,
                default_days=default_days,
                areas=[self.areas[a] for a in areas],
                multiple_use=multiple,
                uses=uses,
                order=order,
            )
        self.type_areas = {code: list(t.areas.all()) for code, t in self.types.items()}
        self.out(
            f"{len(self.gates)} gates, policies of {Area.objects.count()} areas from 2020-01-23"
        )

    # -- people -----------------------------------------------------------------------------
    def people(self):
        staff = Person.objects.filter(category="staff", is_active=True).order_by("person_number")
        self.academic = list(staff.filter(unit__kind="academic"))
        self.service = list(staff.exclude(unit__kind="academic"))
        self.residents = list(
            Person.objects.filter(
                is_active=True,
                residence=Person.Residence.HOUSEHOLD,
                household__area=self.areas["yt-family"],
            )
            .select_related("household")
            .order_by("person_number")
        )
        self.households = {}
        for person in self.residents:
            self.households.setdefault(person.household_id, []).append(person)

    def holders(self, code: str) -> list:
        if code == "duty":
            return self.service + self.academic[::4]
        if code == "medical":
            return self.residents
        return self.academic

    # -- passes -----------------------------------------------------------------------------
    def issue(self, code, holder, day, *, at_desk=False, reason=None):
        pass_type = self.types[code]
        applied = at(day, self.random.randint(8, 11), self.random.randint(0, 59))
        fields = {
            "holder": holder,
            "pass_type": pass_type,
            "reason": reason or self.random.choice(REASONS[code]),
            "valid_from": day,
            "areas": self.type_areas[code],
        }
        if at_desk:
            return services.issue_at_desk(self.office, now=applied, **fields)
        gate_pass = services.apply_for_pass(self.office, now=applied, **fields)
        decided = applied + datetime.timedelta(minutes=self.random.randint(20, 300))
        return services.decide_pass(self.office, gate_pass, approve=True, now=decided)

    def passes(self):
        self.issued = []
        plan = []
        for code, count in ISSUED.items():
            plan += [(day, code) for day in spread(count, ISSUE_FROM, ISSUE_UNTIL)]
        plan.sort(key=lambda entry: (entry[0], entry[1]))
        for day, code in plan:
            holder = self.random.choice(self.holders(code))
            self.issued.append(self.issue(code, holder, day))
        # Applications the office turned down: not counted as issued.
        for day in spread(REJECTED, ISSUE_FROM, ISSUE_UNTIL):
            applied = at(day, 10, self.random.randint(0, 59))
            gate_pass = services.apply_for_pass(
                self.office,
                holder=self.random.choice(self.academic),
                pass_type=self.types["other"],
                reason="取个人物品",
                valid_from=day,
                areas=self.type_areas["other"],
                now=applied,
            )
            services.decide_pass(
                self.office,
                gate_pass,
                approve=False,
                note="非必要事由，暂不予办理",
                now=applied + datetime.timedelta(hours=1),
            )
        for day in spread(MATERIALS, MATERIALS_FROM, MATERIALS_UNTIL):
            holder = self.random.choice(self.academic)
            self.issued.append(self.issue("materials", holder, day, at_desk=True))
        self.out(
            f"{sum(ISSUED.values())} passes issued {ISSUE_FROM}..{ISSUE_UNTIL} "
            f"({', '.join(f'{n} {c}' for c, n in ISSUED.items())}), {REJECTED} rejected; "
            f"{MATERIALS} course-material passes at the pass desk from {MATERIALS_FROM}"
        )

    # -- crossings --------------------------------------------------------------------------
    def cross(self, gate, direction, when, **shown):
        return services.decide_at_gate(
            self.guard, gate=self.gates[gate], direction=direction, at=when, **shown
        )

    def crossings(self):
        before = Crossing.objects.count()
        households = sorted(h for h, members in self.households.items() if members)
        family_gates = ["yt-family-south", "yt-family-north"]
        by_day = {}
        lapsed = {}  # passes by the day after their last
        for gate_pass in self.issued:
            for day in days(gate_pass.valid_from, gate_pass.valid_until):
                by_day.setdefault(day, []).append(gate_pass)
            lapsed.setdefault(gate_pass.valid_until + datetime.timedelta(days=1), []).append(
                gate_pass
            )
        isolated = self.isolated_tries()
        for day in days(CROSSINGS_FROM, CROSSINGS_UNTIL):
            events = []
            # Residents going out on their household's quota, and coming back.
            for household in self.random.sample(households, FAMILY_EXITS_A_DAY):
                members = self.households[household]
                person = self.random.choice(members)
                when = at(day, self.random.randint(7, 11), self.random.randint(0, 59))
                events.append((when, "family-out", person))
                if len(members) > 1 and self.random.random() < 0.2:
                    other = next(m for m in members if m.pk != person.pk)
                    events.append((when + datetime.timedelta(hours=2), "family-out", other))
            valid = by_day.get(day, [])
            for gate_pass in self.random.sample(valid, min(len(valid), TEACHING_ENTRIES_A_DAY)):
                when = at(day, self.random.randint(7, 10), self.random.randint(0, 59))
                events.append((when, "pass", gate_pass))
            when = at(day, self.random.randint(8, 16), self.random.randint(0, 59))
            events.append((when, "no-pass", self.random.choice(self.academic)))
            if day.toordinal() % 4 == 0 and lapsed.get(day):
                # Someone shows yesterday's pass: refused as expired.
                events.append((at(day, 8, 10), "pass", self.random.choice(lapsed[day])))
            for person in isolated.get(day, []):
                events.append((at(day, 9, 30), "family-out", person))
            events.sort(key=lambda event: (event[0], event[1]))
            for when, kind, subject in events:
                if kind == "family-out":
                    decision = self.cross(
                        self.random.choice(family_gates),
                        Crossing.Direction.OUT,
                        when,
                        person_number=subject.person_number,
                    )
                    if decision.allowed:
                        back = when + datetime.timedelta(minutes=self.random.randint(60, 480))
                        self.cross(
                            self.random.choice(family_gates),
                            Crossing.Direction.IN,
                            back,
                            person_number=subject.person_number,
                        )
                elif kind == "pass":
                    gate = self.teaching_gate(subject)
                    # A medical-care pass takes a resident out of the family area and back;
                    # the others let their holder into a closed area and out again.
                    there, back = Crossing.Direction.IN, Crossing.Direction.OUT
                    if subject.pass_type_id == self.types["medical"].pk:
                        there, back = back, there
                    decision = self.cross(gate, there, when, presented=subject.number)
                    if decision.allowed:
                        self.cross(
                            gate,
                            back,
                            when + datetime.timedelta(minutes=self.random.randint(20, 240)),
                            person_number=subject.holder.person_number,
                        )
                else:
                    self.cross(
                        "yt-east", Crossing.Direction.IN, when, person_number=subject.person_number
                    )
        rows = Crossing.objects.filter(pk__gt=0).count() - before
        quota = Crossing.objects.filter(counts_quota=True).count()
        refused = Crossing.objects.filter(allowed=False).count()
        self.out(
            f"{rows} gate crossings {CROSSINGS_FROM}..{CROSSINGS_UNTIL}: {quota} exits on a "
            f"household quota, {refused} refused"
        )

    def isolated_tries(self) -> dict:
        """Family-area residents in home isolation who try to go out two days into it."""
        tries = {}
        cases = IsolationCase.objects.filter(
            person__household__area=self.areas["yt-family"],
            start_date__gte=CROSSINGS_FROM,
            start_date__lte=CROSSINGS_UNTIL - datetime.timedelta(days=2),
        ).select_related("person")
        for case in cases.order_by("start_date", "pk"):
            day = case.start_date + datetime.timedelta(days=2)
            tries.setdefault(day, []).append(case.person)
        return tries

    def teaching_gate(self, gate_pass) -> str:
        code = next(c for c, t in self.types.items() if t.pk == gate_pass.pass_type_id)
        if code == "medical":
            return self.random.choice(["yt-family-south", "yt-family-north"])
        if self.random.random() < 0.15 and code in ("duty", "research", "materials"):
            return "ct-main"
        return self.random.choice(["yt-east", "yt-north", "yt-west"])

    def build(self):
        self.setup()
        self.people()
        self.passes()
        self.crossings()


# ---- today's slice -------------------------------------------------------------------------


class TodayBuilder:
    """Passes and crossings dated today, so that every answer of the gate page can be tried."""

    def __init__(self, out=None):
        self.out = out or (lambda message: None)
        self.random = random.Random(SEED + 1)
        self.office = User.objects.get(username="office")
        self.guard = User.objects.get(username="guard")
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.types = {t.code: t for t in PassType.objects.filter(is_active=True)}

    def desk(self, code, holder, reason, **fields):
        return services.issue_at_desk(
            self.office, holder=holder, pass_type=self.types[code], reason=reason, **fields
        )

    def build(self) -> bool:
        if not {"duty", "research", "medical", "materials"} <= set(self.types):
            return False
        family = Area.objects.get(campus__code="yanta", name="雁塔家属区")
        member = User.objects.filter(username="member").select_related("person").first()
        isolated = (
            IsolationCase.objects.open_on(self.today)
            .filter(status=IsolationCase.Status.IN_ISOLATION, person__is_active=True)
            .select_related("person")
            .order_by("pk")
            .first()
        )
        busy = {
            p for p in [member.person_id if member else None, isolated and isolated.person_id] if p
        }
        staff = list(
            Person.objects.filter(category="staff", is_active=True, unit__kind="academic")
            .exclude(pk__in=busy)
            .exclude(passes__valid_until__gte=self.today)
            .order_by("person_number")[:200]
        )
        picks = self.random.sample(staff, 7)
        lines = []
        if member and member.person_id:
            gate_pass = services.apply_for_pass(
                member,
                holder=member.person,
                pass_type=self.types["research"],
                reason="实验室设备维护",
            )
            services.decide_pass(self.office, gate_pass, approve=True)
            lines.append(f"valid pass {gate_pass.number} of the member ({member.person.name})")
        duty = self.desk("duty", picks[0], "值班")
        lines.append(f"valid pass {duty.number} ({picks[0].name})")
        pending = services.apply_for_pass(
            self.office,
            holder=picks[1],
            pass_type=self.types["research"],
            reason="课题组紧急实验",
        )
        lines.append(f"application {pending.number} waiting for approval ({picks[1].name})")
        revoked = self.desk("duty", picks[2], "值班")
        services.revoke_pass(self.office, revoked, reason="岗位调整，不再值班")
        lines.append(f"revoked pass {revoked.number} ({picks[2].name})")
        start = self.today - datetime.timedelta(days=10)
        expired = services.apply_for_pass(
            self.office,
            holder=picks[3],
            pass_type=self.types["research"],
            reason="实验设备维护",
            valid_from=start,
            valid_until=start + datetime.timedelta(days=6),
            now=at(start, 9),
        )
        services.decide_pass(self.office, expired, approve=True, now=at(start, 10))
        lines.append(f"expired pass {expired.number} ({picks[3].name})")
        tomorrow = self.today + datetime.timedelta(days=1)
        later = self.desk("duty", picks[4], "值班", valid_from=tomorrow)
        lines.append(f"pass {later.number} valid from tomorrow ({picks[4].name})")
        used = self.desk("materials", picks[5], "取教学资料")
        teaching_gate = Gate.objects.get(code="yt-east")
        first = max(at(self.today, 0, 1), self.now - datetime.timedelta(hours=2))
        services.decide_at_gate(
            self.guard, gate=teaching_gate, direction=Crossing.Direction.IN, presented=used.number
        )
        lines.append(f"single-use pass {used.number} already used today ({picks[5].name})")

        households = (
            Household.objects.filter(area=family, is_active=True)
            .annotate(n=Count("members", filter=Q(members__is_active=True)))
            .filter(n__gte=2)
            .exclude(members__in=busy)
            .order_by("pk")
        )
        household = households.first()
        if household is not None:
            members = list(household.members.filter(is_active=True).order_by("person_number"))
            gate = Gate.objects.get(code="yt-family-south")
            decision = services.decide_at_gate(
                self.guard,
                gate=gate,
                direction=Crossing.Direction.OUT,
                person_number=members[0].person_number,
                at=first,
            )
            if decision.allowed:
                lines.append(
                    f"household {household} used its quota today: {members[0].name} went out; "
                    f"try {members[1].person_number} ({members[1].name})"
                )
        resident = next(
            (
                p
                for p in Person.objects.filter(
                    household__area=family, is_active=True, category="family"
                ).order_by("person_number")
                if p.pk not in busy and (household is None or p.household_id != household.pk)
            ),
            None,
        )
        if resident is not None:
            medical = self.desk("medical", resident, "照顾家中老人")
            lines.append(
                f"medical-care pass {medical.number} ({resident.name}): family areas only, "
                "refused at a teaching gate"
            )
        if isolated is not None:
            held = self.desk("medical", isolated.person, "就医")
            lines.append(
                f"{isolated.person.name} ({isolated.person.person_number}) is in medical "
                f"isolation and holds pass {held.number}: refused at every gate"
            )
        for line in lines:
            self.out(f"today: {line}")
        return True


def todays_slice_loaded() -> bool:
    today = timezone.localdate()
    first = at(today, 0)
    return Pass.objects.filter(status=Pass.Status.REVOKED, revoked_at__gte=first).exists()


def load_demo(out=None) -> bool:
    """The article's gates, policies, passes and crossings once, and today's slice once a
    day; False when there was nothing to add (idempotent)."""
    if User.objects.filter(username__in=["office", "guard"]).count() != 2:
        return False  # no demo school to build on
    changed = False
    with one_transaction():
        if not is_loaded():
            AccessBuilder(out).build()
            changed = True
    with one_transaction():
        if not todays_slice_loaded():
            changed = TodayBuilder(out).build() or changed
    return changed


__all__ = ["load_demo", "is_loaded"]
