"""The demo's prevention supplies (防控物资), 2020-01-27 to 2020-03-06, and today's slice.

Loaded by `manage.py seed_demo` after the demo school, through fangkong.supplies.services,
as the office, the storekeeper and the units' information officers entered them, each on
its own day (`received_on`, `now`, `issued_on`):

- the catalogue the office keeps: items (masks in boxes of 50; thermometers; peracetic
  acid, "84" disinfectant and 75% alcohol by the kilogram, with expiry; gloves, goggles,
  protective suits, sprayers) with minimum levels, a store on each campus, the five kinds
  of source, the donors and suppliers, and a daily limit of masks a person;
- the receipts of the article: 240 masks bought at once and 15,000 raised through the
  Huaqing Group; from the 3rd day of the new year 875 kg peracetic acid and 305 kg "84"
  bought, 75 kg alcohol made on campus, 1,605 kg "84" and 150 kg 75% alcohol through the
  alumni; the Education Department's allocations filling the rest, so that by 2020-03-05
  4.11 t of disinfectant, 35,000 masks and 24,000 thermometers had been received; one
  alumni gift restricted to medical use (issued only to the school hospital);
- the units' requisitions: the 27 units' officers ask for their own unit, the office asks
  for the service units; the office or the statistics group approves (never the one who
  asked), trimming a few with a reason and rejecting one; the storekeeper issues them
  (some in two parts) to a named person of the unit — 2.4 t of disinfectant, 426
  thermometers and 13,000 masks by 2020-03-06; then the office closes the ledger through
  that day;
- today's slice: three requisitions waiting for approval and one approved, waiting for the
  storekeeper; the protective suits are below their minimum.

Every figure below is demo data; the services and reports know none of them.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from fangkong.core import services as core_services
from fangkong.core.demo import DEMO_PASSWORD
from fangkong.core.models import Campus, Person, Unit, User
from fangkong.core.roles import Role
from fangkong.core.transactions import one_transaction
from fangkong.supplies import services
from fangkong.supplies.models import (
    Balance,
    Item,
    MeasureUnit,
    Purpose,
    Requisition,
    Store,
    Supplier,
)

SEED = 20200127
FIRST_DAY, LAST_DAY = datetime.date(2020, 1, 27), datetime.date(2020, 3, 6)
# The day from which masks were in hand for the units (the partner's first batch).
MASKS_FOR_UNITS_FROM = datetime.date(2020, 2, 3)
# The day from which there was alcohol to spare for the units.
ALCOHOL_FOR_UNITS_FROM = datetime.date(2020, 2, 6)
# The day from which the Caotang store held stock.
CAOTANG_STOCKED_FROM = datetime.date(2020, 2, 11)
P, E, D = Item.Category.PROTECTIVE, Item.Category.EQUIPMENT, Item.Category.DISINFECTANT
STATS_USERNAME, STATS_NAME = "stats", "防控办 统计组 周科长"

# code, name, English name, category, unit, minimum level, shelf life in days (None: no
# expiry), pack (name, English name, quantity) or None
ITEMS = [
    ("masks", "一次性医用口罩", "Disposable medical masks", P, MeasureUnit.PIECE, 2000, None,
     ("盒", "box", 50)),
    ("gloves", "医用橡胶手套", "Medical gloves", P, MeasureUnit.PAIR, 200, None,
     ("盒", "box", 50)),
    ("goggles", "护目镜", "Goggles", P, MeasureUnit.PIECE, 20, None, None),
    ("suits", "医用防护服", "Medical protective suits", P, MeasureUnit.PIECE, 50, None, None),
    ("peracetic", "过氧乙酸消毒液", "Peracetic acid disinfectant", D, MeasureUnit.KG, 100, 365,
     ("桶", "barrel", 25)),
    ("chlorine-84", "84消毒液", '"84" disinfectant', D, MeasureUnit.KG, 200, 730,
     ("桶", "barrel", 25)),
    ("alcohol-75", "75%酒精", "75% alcohol", D, MeasureUnit.KG, 50, 730, ("桶", "barrel", 5)),
    ("thermometers", "体温计", "Thermometers", E, MeasureUnit.PIECE, 100, None, None),
    ("sprayers", "电动喷雾器", "Electric sprayers", E, MeasureUnit.PIECE, 5, None, None),
]  # fmt: skip

# code, name, English name
SOURCES = [
    ("edu-allocation", "省教育厅调拨", "Education Department allocation"),
    ("alumni", "校友捐赠", "Alumni donation"),
    ("purchase", "学校采购", "School purchase"),
    ("made-on-campus", "自制", "Made on campus"),
    ("partner", "合作方筹措", "Raised through a partner"),
]

# key, name, English name, kind
SUPPLIERS = [
    ("edu", "陕西省教育厅", "Shaanxi Provincial Education Department", Supplier.Kind.AGENCY),
    ("huaqing", "华清集团", "Huaqing Group", Supplier.Kind.PARTNER),
    ("alumni-bj", "北京校友会", "Beijing Alumni Association", Supplier.Kind.DONOR),
    ("alumni-sz", "深圳校友会", "Shenzhen Alumni Association", Supplier.Kind.DONOR),
    ("alumni-sh", "上海校友会", "Shanghai Alumni Association", Supplier.Kind.DONOR),
    ("alumni-xa", "西安校友会医卫分会", "Xi'an Alumni Association, medical chapter",
     Supplier.Kind.DONOR),
    ("pharmacy", "西安康泰医药有限公司", "Xi'an Kangtai Pharmaceuticals", Supplier.Kind.SUPPLIER),
    ("chemicals", "西安新城化工消毒用品厂", "Xi'an Xincheng Disinfectants Works",
     Supplier.Kind.SUPPLIER),
]  # fmt: skip

# code, name, English name, campus code
STORES = [
    ("yanta-main", "雁塔校区防控物资总库", "Yanta main store", "yanta"),
    ("caotang", "草堂校区防控物资库", "Caotang store", "caotang"),
]

MASKS_PER_PERSON_PER_DAY = Decimal("3")
# Units with a limit of their own: masks a person a day.
UNIT_MASK_LIMITS = {"hospital": Decimal("12")}


def day(month: int, day_: int) -> datetime.date:
    return datetime.date(2020, month, day_)


# day, source, supplier, store, only for, note, lines {item: quantity in the item's unit}
RECEIPTS = [
    (day(1, 27), "purchase", "pharmacy", "yanta-main", "", "当即采购", {"masks": 240}),
    (day(1, 27), "purchase", "chemicals", "yanta-main", "", "正月初三起排队8小时采购",
     {"peracetic": 375, "chlorine-84": 305}),
    (day(1, 28), "made-on-campus", None, "yanta-main", "", "环境与市政工程学院实验室假期自制",
     {"alcohol-75": 75}),
    (day(1, 29), "purchase", "pharmacy", "yanta-main", "", "",
     {"thermometers": 500, "gloves": 1000, "goggles": 40, "suits": 40, "sprayers": 10}),
    (day(1, 30), "alumni", "alumni-bj", "yanta-main", "", "", {"chlorine-84": 600}),
    (day(1, 31), "purchase", "chemicals", "yanta-main", "", "", {"peracetic": 500}),
    (day(2, 3), "partner", "huaqing", "yanta-main", "", "华清集团筹措第一批", {"masks": 5000}),
    (day(2, 4), "purchase", "pharmacy", "yanta-main", "", "", {"thermometers": 1500}),
    (day(2, 5), "edu-allocation", "edu", "yanta-main", "", "", {"masks": 6000}),
    (day(2, 6), "alumni", "alumni-sz", "yanta-main", "", "",
     {"chlorine-84": 505, "alcohol-75": 150}),
    (day(2, 8), "alumni", "alumni-xa", "yanta-main", Purpose.MEDICAL, "定向捐赠校医院",
     {"masks": 1760, "suits": 60, "goggles": 60}),
    (day(2, 8), "alumni", "alumni-sh", "yanta-main", "", "", {"thermometers": 2000}),
    (day(2, 10), "partner", "huaqing", "yanta-main", "", "华清集团筹措第二批", {"masks": 10000}),
    (day(2, 12), "edu-allocation", "edu", "yanta-main", "",  "",
     {"thermometers": 10000, "chlorine-84": 600, "peracetic": 300, "alcohol-75": 200}),
    (day(2, 14), "alumni", "alumni-sh", "yanta-main", "", "", {"chlorine-84": 500}),
    (day(2, 19), "edu-allocation", "edu", "yanta-main", "", "", {"masks": 6000}),
    (day(3, 4), "edu-allocation", "edu", "caotang", "", "",
     {"masks": 6000, "thermometers": 10000}),
]  # fmt: skip

# Stock moved from the Yanta main store to the Caotang store: day, {item: quantity}.
TRANSFERS = [(day(2, 10), {"masks": 2000, "chlorine-84": 100, "thermometers": 100})]
TRANSFER_REASON = "草堂校区备货"

# The service units' requisitions, asked by the office on their behalf: day, unit, purpose,
# note, {item: quantity}.
DISINFECTION, GATE, MEDICAL, CANTEEN, GENERAL = (
    Purpose.DISINFECTION,
    Purpose.GATE,
    Purpose.MEDICAL,
    Purpose.CANTEEN,
    Purpose.GENERAL,
)
CAMPUS_SPRAYING, FAMILY_AREA = "校园公共区域消杀", "家属区消杀及返校人员家中消毒"
CANTEENS, CLINIC = "餐厅消毒及从业人员防护", "发热门诊及隔离观察区"
DUTY, GATES = "机关值班人员防护", "校门测温值守"
SERVICE_REQUISITIONS = [
    (day(1, 27), "logistics", GATE, GATES, {"masks": 100}),
    (day(1, 28), "logistics", DISINFECTION, CAMPUS_SPRAYING, {"peracetic": 150}),
    (day(1, 29), "logistics", DISINFECTION, CAMPUS_SPRAYING, {"sprayers": 6, "gloves": 100}),
    (day(1, 30), "logistics", GATE, GATES, {"thermometers": 20}),
    (day(2, 4), "logistics", DISINFECTION, CAMPUS_SPRAYING, {"peracetic": 150, "masks": 150}),
    (day(2, 11), "logistics", DISINFECTION, CAMPUS_SPRAYING, {"peracetic": 150}),
    (day(2, 18), "logistics", DISINFECTION, CAMPUS_SPRAYING,
     {"peracetic": 150, "masks": 150, "gloves": 100}),
    (day(2, 20), "logistics", GATE, GATES, {"masks": 150, "thermometers": 10}),
    (day(2, 25), "logistics", DISINFECTION, CAMPUS_SPRAYING, {"peracetic": 150}),
    (day(3, 3), "logistics", DISINFECTION, CAMPUS_SPRAYING, {"peracetic": 150, "sprayers": 2}),
    (day(1, 28), "property", DISINFECTION, FAMILY_AREA, {"chlorine-84": 100}),
    (day(2, 2), "property", DISINFECTION, FAMILY_AREA, {"chlorine-84": 100}),
    (day(2, 9), "property", DISINFECTION, FAMILY_AREA, {"chlorine-84": 100, "masks": 150}),
    (day(2, 16), "property", DISINFECTION, FAMILY_AREA, {"chlorine-84": 100}),
    (day(2, 23), "property", DISINFECTION, FAMILY_AREA, {"chlorine-84": 100, "masks": 150}),
    (day(3, 1), "property", DISINFECTION, FAMILY_AREA, {"chlorine-84": 100}),
    (day(2, 1), "catering", CANTEEN, CANTEENS, {"chlorine-84": 50}),
    (day(2, 8), "catering", CANTEEN, CANTEENS, {"chlorine-84": 50, "masks": 250}),
    (day(2, 15), "catering", CANTEEN, CANTEENS, {"chlorine-84": 50, "masks": 250}),
    (day(2, 22), "catering", CANTEEN, CANTEENS, {"chlorine-84": 50, "masks": 250}),
    (day(2, 29), "catering", CANTEEN, CANTEENS, {"chlorine-84": 50, "masks": 250}),
    (day(1, 28), "hospital", MEDICAL, CLINIC, {"alcohol-75": 25, "masks": 40}),
    (day(1, 30), "hospital", MEDICAL, CLINIC, {"thermometers": 50, "suits": 20, "goggles": 10}),
    (day(2, 8), "hospital", MEDICAL, CLINIC, {"masks": 600, "suits": 30, "goggles": 20}),
    (day(2, 12), "hospital", MEDICAL, CLINIC, {"alcohol-75": 25}),
    (day(2, 15), "hospital", MEDICAL, CLINIC, {"masks": 600, "gloves": 200}),
    (day(2, 22), "hospital", MEDICAL, CLINIC, {"masks": 560, "suits": 20, "goggles": 20}),
    (day(3, 2), "hospital", MEDICAL, CLINIC, {"masks": 300, "suits": 10}),
    (day(2, 5), "ga", GENERAL, DUTY, {"masks": 100, "thermometers": 10}),
    (day(2, 26), "ga", GENERAL, DUTY, {"masks": 150}),
]  # fmt: skip

# What the 27 units' own requisitions add up to by 2020-03-06 (with the service units'
# above: 13,000 masks, 426 thermometers, 2.4 t of disinfectant), and the step a line is
# counted in.
UNITS_TOTALS = {"masks": 8800, "thermometers": 336, "chlorine-84": 450, "alcohol-75": 150}
STEPS = {"masks": 50, "thermometers": 1, "chlorine-84": 5, "alcohol-75": 5}
# How often a unit's requisition asks for each item besides masks.
LINE_CHANCES = {"thermometers": 0.6, "chlorine-84": 0.4, "alcohol-75": 0.3}
# Units whose people fetch from the Caotang store once it is stocked.
CAOTANG_UNITS = {"res", "pe", "ande"}
UNIT_NOTES = ["在校值班人员防护", "在校学生及值班人员防护", "办公楼宇日常消毒", "返岗教职工防护"]
TRIMMED, TRIM_BY, TRIM_NOTE = 4, 100, "库存紧张，按在校人数核减"
IN_TWO_PARTS, SECOND_PART_AFTER = 4, 2
REJECTED_UNIT, REJECTED_DAY, REJECTED_LINES = "art", day(2, 20), {"suits": 10}
REJECTED_NOTE = "防护服优先保障校医院和隔离观察区"
CLOSING_NOTE = "开学前物资台账结账"

# Today's slice: unit, {item: quantity}, approved by the office already.
TODAY = [
    ("arch", {"masks": 300, "thermometers": 10}, False),
    ("civil", {"masks": 200, "gloves": 100}, False),
    ("hum", {"masks": 150}, False),
    ("mgmt", {"masks": 250, "thermometers": 5}, True),
]
TODAY_NOTE = "返岗教职工防护"


def is_loaded() -> bool:
    return Store.objects.filter(code=STORES[0][0]).exists()


def at(on: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(hour, minute)))


def allocate(total: int, weights: list[float], step: int, caps: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, in whole `step`s, at least one step each and
    at most `caps`, largest remainders first."""
    units = total // step
    shares = [0] * len(weights)
    open_ = [i for i in range(len(weights)) if caps[i] >= step]
    while units > 0 and open_:
        weight = sum(weights[i] for i in open_)
        exact = {i: units * weights[i] / weight for i in open_}
        given = {i: max(1, int(exact[i])) for i in open_}
        while sum(given.values()) > units:
            largest = max(given, key=given.get)
            given[largest] -= 1
        order = sorted(open_, key=lambda i: exact[i] - int(exact[i]), reverse=True)
        for i in order[: units - sum(given.values())]:
            given[i] += 1
        for i in open_:
            room = caps[i] // step - shares[i]
            take = min(given[i], room)
            shares[i] += take
            units -= take
        open_ = [i for i in open_ if caps[i] // step > shares[i]]
    if units:
        raise ValueError("the caps leave no room for the total")
    return [share * step for share in shares]


class SuppliesBuilder:
    def __init__(self, out=None):
        self.out = out or (lambda message: None)
        self.random = random.Random(SEED)
        self.office = User.objects.get(username="office")
        self.storekeeper = User.objects.get(username="storekeeper")
        self.stats = self.statistics_group()
        self.units = {unit.code: unit for unit in Unit.objects.filter(is_active=True)}

    # -- who does what ----------------------------------------------------------------------
    def statistics_group(self) -> User:
        """The statistics group's reviewer, the second office login (another demo may have
        made it already): it approves what the office itself asked for."""
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

    def officers(self) -> dict[str, User]:
        """The information officer of each of the units that report daily: the demo's
        `officer` for its unit, `officer-<code>` for the others (made if missing)."""
        officers = {}
        for unit in Unit.objects.filter(is_active=True, reports_daily=True).order_by("code"):
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
            officers[unit.code] = officer
        return officers

    def recipients(self) -> dict[int, list[str]]:
        """A few staff of each unit who fetch its supplies."""
        names: dict[int, list[str]] = {}
        for unit_id, name in (
            Person.objects.filter(category="staff", is_active=True)
            .order_by("unit_id", "pk")
            .values_list("unit_id", "name")
        ):
            if len(names.setdefault(unit_id, [])) < 3:
                names[unit_id].append(name)
        return names

    def recipient(self, unit: Unit) -> str:
        return self.random.choice(self.recipient_names.get(unit.pk) or [self.storekeeper_name])

    # -- the catalogue ----------------------------------------------------------------------
    def catalogue(self):
        office = self.office
        self.items = {}
        for code, name, name_en, category, unit, minimum, _life, pack in ITEMS:
            item = services.create_item(
                office,
                code=code,
                name=name,
                name_en=name_en,
                category=category,
                unit=unit,
                minimum_level=Decimal(minimum),
                has_expiry=_life is not None,
            )
            if pack:
                services.create_pack(
                    office, item=item, name=pack[0], name_en=pack[1], quantity=Decimal(pack[2])
                )
            self.items[code] = item
        self.sources = {
            code: services.create_source(office, code=code, name=name, name_en=name_en)
            for code, name, name_en in SOURCES
        }
        self.suppliers = {
            key: services.create_supplier(office, name=name, name_en=name_en, kind=kind)
            for key, name, name_en, kind in SUPPLIERS
        }
        campuses = {campus.code: campus for campus in Campus.objects.all()}
        self.stores = {
            code: services.create_store(
                office, code=code, name=name, name_en=name_en, campus=campuses[campus]
            )
            for code, name, name_en, campus in STORES
        }
        services.set_unit_limit(
            office, item=self.items["masks"], per_person_per_day=MASKS_PER_PERSON_PER_DAY
        )
        for code, rate in UNIT_MASK_LIMITS.items():
            services.set_unit_limit(
                office, item=self.items["masks"], unit=self.units[code], per_person_per_day=rate
            )
        self.shelf_life = {code: life for code, *_rest, life, _pack in ITEMS}

    # -- the article's days -----------------------------------------------------------------
    def build(self):
        self.catalogue()
        self.unit_officers = self.officers()
        self.recipient_names = self.recipients()
        self.storekeeper_name = self.storekeeper.first_name
        self.people = {
            code: Person.objects.filter(unit=unit, is_active=True).count()
            for code, unit in self.units.items()
        }
        plans = self.service_plans() + self.unit_plans()
        self.mark_trimmed_and_split(plans)
        events = []
        for entry in RECEIPTS:
            events.append((entry[0], 0, "receipt", entry))
        for entry in TRANSFERS:
            events.append((entry[0], 1, "transfer", entry))
        for plan in plans:
            events.append((plan["day"], 2, "request", plan))
        events.sort(key=lambda event: (event[0], event[1]))
        issues = []
        for when, _order, kind, entry in events:
            # The issues due before this day (and, before a new ask, on it) go out first: an
            # issue never takes stock received after its day.
            while issues and (issues[0][0] < when or (kind == "request" and issues[0][0] == when)):
                self.issue(*issues.pop(0))
            if kind == "receipt":
                self.receive(*entry)
            elif kind == "transfer":
                self.transfer(*entry)
            else:
                issues.extend(self.ask_and_decide(entry))
                issues.sort(key=lambda due: (due[0], due[1].number))
        while issues:
            self.issue(*issues.pop(0))
        services.close_period(self.office, LAST_DAY, note=CLOSING_NOTE)
        self.out(
            f"{len(RECEIPTS)} receipts and {len(plans)} requisitions of supplies "
            f"{FIRST_DAY}..{LAST_DAY}"
        )

    def receive(self, on, source, supplier, store, restricted_to, note, lines):
        entries = []
        for number, (code, quantity) in enumerate(lines.items(), start=1):
            item = self.items[code]
            entry = {"item": item, "quantity": Decimal(quantity)}
            life = self.shelf_life[code]
            if life is not None:
                entry["expires_on"] = on + datetime.timedelta(days=life)
                entry["lot_number"] = f"{on:%Y%m%d}{number:02d}"
            entries.append(entry)
        services.post_receipt(
            self.storekeeper,
            received_on=on,
            source=self.sources[source],
            supplier=self.suppliers[supplier] if supplier else None,
            store=self.stores[store],
            restricted_to=restricted_to,
            note=note,
            lines=entries,
        )

    def transfer(self, on, lines):
        main, caotang = self.stores["yanta-main"], self.stores["caotang"]
        for code, quantity in lines.items():
            # From the fullest general lot in the main store.
            balance = (
                Balance.objects.filter(item=self.items[code], store=main, lot__restricted_to="")
                .select_related("lot")
                .order_by("-quantity", "lot_id")
                .first()
            )
            services.transfer_stock(
                self.storekeeper,
                lot=balance.lot,
                from_store=main,
                to_store=caotang,
                quantity=Decimal(quantity),
                moved_on=on,
                reason=TRANSFER_REASON,
            )

    # -- the requisitions -------------------------------------------------------------------
    def service_plans(self) -> list[dict]:
        return [
            {
                "day": on,
                "unit": self.units[code],
                "purpose": purpose,
                "note": note,
                "lines": dict(lines),
                "asker": self.office,
            }
            for on, code, purpose, note, lines in SERVICE_REQUISITIONS
        ]

    def unit_plans(self) -> list[dict]:
        """Each of the 27 units asks one to three times; the quantities add up to
        UNITS_TOTALS, in proportion to the units' people, within the masks limit."""
        days = [FIRST_DAY + datetime.timedelta(days=n) for n in range(2, 40)]
        plans = []
        for code, officer in self.unit_officers.items():
            count = self.random.choices((1, 2, 3), weights=(3, 5, 2))[0]
            for on in sorted(self.random.sample(days, count)):
                plan = {
                    "day": on,
                    "unit": officer.unit,
                    "purpose": GENERAL,
                    "note": self.random.choice(UNIT_NOTES),
                    "lines": {},
                    "asker": officer,
                }
                if on >= MASKS_FOR_UNITS_FROM:
                    plan["lines"]["masks"] = 0
                for item, chance in LINE_CHANCES.items():
                    if item == "alcohol-75" and (
                        on < ALCOHOL_FOR_UNITS_FROM or code in CAOTANG_UNITS
                    ):
                        continue
                    if self.random.random() < chance:
                        plan["lines"][item] = 0
                if not plan["lines"]:
                    plan["lines"]["thermometers"] = 0
                plans.append(plan)
        for item, total in UNITS_TOTALS.items():
            asking = [plan for plan in plans if item in plan["lines"]]
            weights = [
                self.people[plan["unit"].code] * self.random.uniform(0.7, 1.3) for plan in asking
            ]
            caps = [self.mask_cap(plan["unit"]) if item == "masks" else total for plan in asking]
            for plan, quantity in zip(
                asking, allocate(total, weights, STEPS[item], caps), strict=True
            ):
                plan["lines"][item] = quantity
        return plans

    def mask_cap(self, unit: Unit) -> int:
        rate = UNIT_MASK_LIMITS.get(unit.code, MASKS_PER_PERSON_PER_DAY)
        return int(rate * self.people[unit.code])

    def mark_trimmed_and_split(self, plans):
        with_masks = [
            plan
            for plan in plans
            if plan["asker"] != self.office and plan["lines"].get("masks", 0) >= 2 * STEPS["masks"]
        ]
        trimmable = [
            plan
            for plan in with_masks
            if plan["lines"]["masks"] + TRIM_BY <= self.mask_cap(plan["unit"])
        ]
        for plan in self.random.sample(trimmable, TRIMMED):
            plan["asked"] = {**plan["lines"], "masks": plan["lines"]["masks"] + TRIM_BY}
        early = [
            plan
            for plan in with_masks
            if plan["day"] + datetime.timedelta(days=SECOND_PART_AFTER) <= LAST_DAY
        ]
        for plan in self.random.sample(early, IN_TWO_PARTS):
            plan["split"] = True
        plans.append(
            {
                "day": REJECTED_DAY,
                "unit": self.units[REJECTED_UNIT],
                "purpose": GENERAL,
                "note": self.random.choice(UNIT_NOTES),
                "lines": dict(REJECTED_LINES),
                "asker": self.unit_officers[REJECTED_UNIT],
                "reject": REJECTED_NOTE,
            }
        )

    def ask_and_decide(self, plan) -> list[tuple]:
        """The requisition asked and decided on its day; the issues it is due, as
        (day, requisition, {item code: quantity}, plan)."""
        on = plan["day"]
        asked = plan.get("asked", plan["lines"])
        requested_at = at(on, self.random.randint(8, 10), self.random.randint(0, 59))
        requisition = services.request_supplies(
            plan["asker"],
            unit=plan["unit"],
            purpose=plan["purpose"],
            note=plan["note"],
            lines=[
                {"item": self.items[code], "quantity": Decimal(quantity)}
                for code, quantity in asked.items()
            ],
            now=requested_at,
        )
        decider = (
            self.stats
            if plan["asker"] == self.office
            else self.random.choice((self.office, self.stats))
        )
        decided_at = requested_at + datetime.timedelta(minutes=self.random.randint(30, 150))
        if plan.get("reject"):
            services.decide_requisition(
                decider, requisition, approve=False, note=plan["reject"], now=decided_at
            )
            return []
        quantities = None
        if "asked" in plan:
            quantities = {
                line.pk: Decimal(plan["lines"][line.item.code])
                for line in requisition.lines.select_related("item")
            }
        services.decide_requisition(
            decider,
            requisition,
            approve=True,
            quantities=quantities,
            note=TRIM_NOTE if quantities else "",
            now=decided_at,
        )
        issued_on = on
        if on < LAST_DAY and self.random.random() < 0.2:
            issued_on = on + datetime.timedelta(days=1)
        if not plan.get("split"):
            return [(issued_on, requisition, dict(plan["lines"]), plan)]
        masks = plan["lines"]["masks"]
        first = masks // 2 // STEPS["masks"] * STEPS["masks"]
        return [
            (issued_on, requisition, {**plan["lines"], "masks": first}, plan),
            (
                issued_on + datetime.timedelta(days=SECOND_PART_AFTER),
                requisition,
                {"masks": masks - first},
                plan,
            ),
        ]

    def issue(self, issued_on, requisition, quantities: dict, plan):
        """The storekeeper hands out the requisition's `quantities` on `issued_on`: from the
        Caotang store for its units once it holds them, the main store otherwise; a medical
        requisition takes the gift restricted to medical use first."""
        lines = [
            (line, Decimal(quantities[line.item.code]))
            for line in requisition.lines.select_related("item")
            if quantities.get(line.item.code)
        ]
        store = self.stores["yanta-main"]
        caotang = self.stores["caotang"]
        if (
            plan["unit"].code in CAOTANG_UNITS
            and issued_on >= CAOTANG_STOCKED_FROM
            and all(
                self.on_hand(line.item, caotang, requisition.purpose, issued_on) >= quantity
                for line, quantity in lines
            )
        ):
            store = caotang
        entries = []
        for line, quantity in lines:
            entry = {"line": line, "quantity": quantity}
            if requisition.purpose == MEDICAL:
                entry["lots"] = self.restricted_first(line.item, store, quantity, issued_on)
            entries.append(entry)
        services.issue_requisition(
            self.storekeeper,
            requisition,
            store=store,
            lines=entries,
            recipient=self.recipient(plan["unit"]),
            issued_on=issued_on,
        )

    @staticmethod
    def on_hand(item, store, purpose, on) -> Decimal:
        lots = services.available_lots(item, store, purpose, on)
        return sum((balance.quantity for balance in lots), Decimal(0))

    def restricted_first(self, item, store, quantity: Decimal, on) -> list:
        balances = sorted(
            services.available_lots(item, store, MEDICAL, on),
            key=lambda balance: balance.lot.restricted_to != MEDICAL,
        )
        plan, left = [], quantity
        for balance in balances:
            if left <= 0:
                break
            take = min(balance.quantity, left)
            plan.append((balance.lot, take))
            left -= take
        return plan

    # -- today ------------------------------------------------------------------------------
    def todays_slice(self) -> bool:
        """Three requisitions asked this morning, waiting for the office, and one approved,
        waiting for the storekeeper."""
        self.items = {item.code: item for item in Item.objects.all()}
        self.unit_officers = self.officers()
        now = timezone.now()
        midnight = at(timezone.localdate(now), 0)
        elapsed = now - midnight
        for index, (code, lines, approved) in enumerate(TODAY):
            requested_at = midnight + elapsed * (0.3 + 0.1 * index)
            requisition = services.request_supplies(
                self.unit_officers[code],
                unit=self.units[code],
                purpose=GENERAL,
                note=TODAY_NOTE,
                lines=[
                    {"item": self.items[item], "quantity": Decimal(quantity)}
                    for item, quantity in lines.items()
                ],
                now=requested_at,
            )
            if approved:
                services.decide_requisition(
                    self.office,
                    requisition,
                    approve=True,
                    now=requested_at + (now - requested_at) / 2,
                )
        self.out(
            f"{sum(1 for *_x, ok in TODAY if not ok)} requisitions waiting for approval today, "
            f"{sum(1 for *_x, ok in TODAY if ok)} waiting to be issued"
        )
        return True


def asked_today() -> bool:
    midnight = at(timezone.localdate(), 0)
    return Requisition.objects.filter(
        requested_at__gte=midnight, requested_at__lt=midnight + datetime.timedelta(days=1)
    ).exists()


def load_demo(out=None) -> bool:
    """The article's supplies once, and today's requisitions once a day (when nobody has
    asked for anything today); False when there was nothing to add (idempotent)."""
    if User.objects.filter(username__in=["office", "storekeeper"]).count() != 2:
        return False  # no demo school to build on
    changed = False
    with one_transaction():
        if not is_loaded():
            SuppliesBuilder(out).build()
            changed = True
    with one_transaction():
        if not asked_today():
            changed = SuppliesBuilder(out).todays_slice() or changed
    return changed


__all__ = ["load_demo", "is_loaded"]
