"""The demo school: XAUAT as the 2020-03-07 article describes it.

Everything goes in through the services, as an office user would enter it. The article's
figures (27 units; 119 staff and 458 students who are natives of Hubei; 35 staff and 436
students in Hubei now) are demo data here, and Fangkong's own reports count them.
"""

import datetime
import random

from fangkong.core import people_import, services
from fangkong.core.identity import id_check_char
from fangkong.core.models import Area, Campus, Household, Person, Unit, User
from fangkong.core.roles import Role
from fangkong.core.transactions import one_transaction

DEMO_PASSWORD = "fangkong-demo"
SEED = 20200123

ACADEMIC_UNITS = [
    ("arch", "建筑学院", "College of Architecture"),
    ("civil", "土木工程学院", "School of Civil Engineering"),
    ("env", "环境与市政工程学院", "School of Environmental and Municipal Engineering"),
    ("mgmt", "管理学院", "School of Management"),
    ("mech", "机电工程学院", "School of Mechanical and Electrical Engineering"),
    ("mat", "材料科学与工程学院", "College of Materials Science and Engineering"),
    ("metal", "冶金工程学院", "School of Metallurgical Engineering"),
    ("info", "信息与控制工程学院", "School of Information and Control Engineering"),
    ("art", "艺术学院", "College of Art"),
    ("hum", "文学院", "School of Humanities"),
    ("sci", "理学院", "School of Science"),
    ("marx", "马克思主义学院", "School of Marxism"),
    ("pubadm", "公共管理学院", "School of Public Administration"),
    ("res", "资源工程学院", "School of Resources Engineering"),
    ("bsse", "建筑设备科学与工程学院", "School of Building Services Science and Engineering"),
    ("pe", "体育学院", "School of Physical Education"),
    ("intl", "国际教育学院", "School of International Education"),
    ("ande", "安德学院", "Ande College"),
    ("cont", "继续教育学院", "School of Continuing Education"),
    ("huaqing", "华清学院", "Huaqing College"),
    ("grad", "研究生院", "Graduate School"),
    ("innov", "创新创业学院", "School of Innovation and Entrepreneurship"),
    ("design", "设计研究总院", "Design and Research Institute"),
    ("training", "工程训练中心", "Engineering Training Centre"),
    ("greenlab", "西部绿色建筑国家重点实验室", "State Key Laboratory of Green Building"),
    ("lib", "图书馆", "Library"),
    ("school", "附属中学", "Affiliated Middle School"),
]
OTHER_UNITS = [
    ("ga", "总务处", "General Affairs Office", Unit.Kind.ADMINISTRATIVE),
    ("hospital", "校医院", "School Hospital", Unit.Kind.SERVICE),
    ("logistics", "后勤服务中心", "Logistics Service Centre", Unit.Kind.SERVICE),
    ("catering", "饮食中心", "Catering Centre", Unit.Kind.SERVICE),
    ("property", "雁塔物业服务公司", "Yanta Property Services Co.", Unit.Kind.CONTRACTOR),
]

HUBEI = ("湖北省", ["武汉市", "孝感市", "黄冈市", "荆州市", "宜昌市", "襄阳市", "十堰市", "随州市"])
OTHER_PROVINCES = [
    ("陕西省", ["西安市", "宝鸡市", "咸阳市", "渭南市", "汉中市", "榆林市"], 60),
    ("河南省", ["郑州市", "洛阳市", "南阳市"], 10),
    ("山西省", ["太原市", "运城市"], 6),
    ("甘肃省", ["兰州市", "天水市"], 6),
    ("四川省", ["成都市", "绵阳市"], 6),
    ("山东省", ["济南市", "青岛市"], 6),
    ("河北省", ["石家庄市", "保定市"], 6),
]
REGION_CODES = {
    "湖北省": "4201",
    "陕西省": "6101",
    "河南省": "4101",
    "山西省": "1401",
    "甘肃省": "6201",
    "四川省": "5101",
    "山东省": "3701",
    "河北省": "1301",
}
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕欣怡子涵浩然梓"
    "轩宇轩思远晨曦雨桐佳怡一鸣博文"
)

# How many of each, and how many of them are natives of Hubei / in Hubei now (the article).
STAFF, STAFF_HUBEI_NATIVES, STAFF_IN_HUBEI = 1200, 119, 35
UNDERGRADUATES, POSTGRADUATES, INTERNATIONAL = 1800, 600, 60
STUDENT_HUBEI_NATIVES, STUDENTS_IN_HUBEI = 458, 436
HOUSEHOLDS, RENTED_HOUSEHOLDS = 320, 24

DEMO_ACCOUNTS = [
    # username, role, unit code, full name
    ("office", Role.OFFICE, "ga", "防控办 王主任"),
    ("leader", Role.LEADER, None, "校领导 李书记"),
    ("officer", Role.OFFICER, "arch", "建筑学院 信息员 张老师"),
    ("storekeeper", Role.STOREKEEPER, "ga", "物资库 刘师傅"),
    ("guard", Role.GUARD, "logistics", "雁塔东门 门卫 陈师傅"),
    ("disinfector", Role.DISINFECTOR, "property", "物业 消杀 杨师傅"),
    ("medic", Role.MEDIC, "hospital", "校医院 赵医生"),
    ("member", Role.MEMBER, None, None),
]


def is_loaded() -> bool:
    return Campus.objects.filter(code="yanta").exists()


class DemoBuilder:
    def __init__(self, out=None):
        self.random = random.Random(SEED)
        self.out = out or (lambda message: None)
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()

    # -- helpers ----------------------------------------------------------------------------
    def name(self) -> str:
        given = "".join(self.random.choice(GIVEN) for _ in range(self.random.choice((1, 2))))
        return self.random.choice(SURNAMES) + given

    def national_id(self, province: str, born: datetime.date, sex: str) -> str:
        while True:
            region = REGION_CODES[province] + f"{self.random.randint(1, 30):02d}"
            sequence = self.random.randint(0, 99) * 10 + self.random.choice(
                (1, 3, 5, 7, 9) if sex == "M" else (0, 2, 4, 6, 8)
            )
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            value = first17 + id_check_char(first17)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def phone(self) -> str:
        while True:
            value = self.random.choice(("138", "139", "135", "186", "187", "150", "153", "177"))
            value += f"{self.random.randint(0, 99_999_999):08d}"
            if value not in self.used_phones:
                self.used_phones.add(value)
                return value

    def origin(self, hubei: bool) -> tuple[str, str]:
        if hubei:
            return HUBEI[0], self.random.choice(HUBEI[1])
        weights = [weight for _p, _c, weight in OTHER_PROVINCES]
        province, cities, _w = self.random.choices(OTHER_PROVINCES, weights=weights)[0]
        return province, self.random.choice(cities)

    # -- the school -------------------------------------------------------------------------
    def build(self):
        office_actor = self.bootstrap_office()
        self.places(office_actor)
        self.units(office_actor)
        office_actor.unit = Unit.objects.get(code="ga")
        office_actor.save(update_fields=["unit"])
        self.households(office_actor)
        self.people(office_actor)
        self.accounts(office_actor)

    def bootstrap_office(self) -> User:
        # The office account comes first: every later step is done by it, through services.
        return services.create_account(
            None,
            username="office",
            password=DEMO_PASSWORD,
            roles=[Role.OFFICE],
            first_name="防控办 王主任",
        )

    def places(self, actor):
        yanta = services.create_campus(actor, code="yanta", name="雁塔校区", name_en="Yanta campus")
        caotang = services.create_campus(
            actor, code="caotang", name="草堂校区", name_en="Caotang campus"
        )
        kind = Area.Kind
        areas = {
            "yt-teaching": (yanta, "雁塔教学区", "Yanta teaching area", kind.TEACHING),
            "yt-family": (yanta, "雁塔家属区", "Yanta family area", kind.FAMILY),
            "yt-dorm": (yanta, "雁塔学生宿舍区", "Yanta dormitories", kind.DORMITORY),
            "yt-canteen": (yanta, "雁塔餐厅", "Yanta canteens", kind.CANTEEN),
            "yt-office": (yanta, "雁塔行政办公区", "Yanta offices", kind.OFFICE),
            "yt-isolation": (yanta, "隔离观察区", "Isolation area", kind.ISOLATION),
            "ct-teaching": (caotang, "草堂教学区", "Caotang teaching area", kind.TEACHING),
            "ct-family": (caotang, "草堂家属区", "Caotang family area", kind.FAMILY),
            "ct-dorm": (caotang, "草堂学生宿舍区", "Caotang dormitories", kind.DORMITORY),
            "ct-canteen": (caotang, "草堂餐厅", "Caotang canteens", kind.CANTEEN),
        }
        self.areas = {}
        for key, (campus, name, name_en, area_kind) in areas.items():
            self.areas[key] = services.create_area(
                actor, campus=campus, name=name, name_en=name_en, kind=area_kind
            )
        self.dorms = []
        for number in range(1, 9):
            self.dorms.append(
                services.create_building(
                    actor,
                    area=self.areas["yt-dorm"],
                    name=f"雁塔{number}号学生公寓",
                    name_en=f"Yanta student apartment {number}",
                )
            )
        for number in range(1, 5):
            self.dorms.append(
                services.create_building(
                    actor,
                    area=self.areas["ct-dorm"],
                    name=f"草堂{number}号学生公寓",
                    name_en=f"Caotang student apartment {number}",
                )
            )
        self.intl_dorm = services.create_building(
            actor,
            area=self.areas["yt-dorm"],
            name="留学生公寓",
            name_en="International students' building",
        )
        services.create_building(
            actor, area=self.areas["yt-isolation"], name="隔离观察楼", name_en="Isolation building"
        )
        self.family_buildings = [
            services.create_building(
                actor,
                area=self.areas["yt-family"],
                name=f"家属区{n}号楼",
                name_en=f"Family block {n}",
            )
            for n in range(1, 21)
        ]

    def units(self, actor):
        for code, name, name_en in ACADEMIC_UNITS:
            services.create_unit(
                actor, code=code, name=name, name_en=name_en, kind=Unit.Kind.ACADEMIC
            )
        # The 27 units' information officers file the daily report; the others do not.
        for code, name, name_en, kind in OTHER_UNITS:
            services.create_unit(
                actor, code=code, name=name, name_en=name_en, kind=kind, reports_daily=False
            )

    def households(self, actor):
        self.household_list = []
        rented = set(self.random.sample(range(HOUSEHOLDS), RENTED_HOUSEHOLDS))
        for index in range(HOUSEHOLDS):
            building = self.family_buildings[index % len(self.family_buildings)]
            entrance, floor = index // 40 + 1, (index // 2) % 18 + 1
            address = f"{entrance}-{floor}0{index % 2 + 1}"
            self.household_list.append(
                services.create_household(
                    actor,
                    area=self.areas["yt-family"],
                    building=building,
                    address=address,
                    is_rented=index in rented,
                    note="出租户" if index in rented else "",
                )
            )

    def people(self, actor):
        unit_codes = [code for code, _n, _e in ACADEMIC_UNITS]
        rows = []

        def add(
            category,
            unit,
            *,
            hubei=False,
            in_hubei=False,
            residence="off_campus",
            dormitory=None,
            room="",
            household=None,
            number,
        ):
            sex = self.random.choice("MF")
            province, city = self.origin(hubei)
            age = {
                "staff": (26, 60),
                "undergraduate": (18, 22),
                "postgraduate": (22, 30),
                "international": (19, 28),
                "family": (3, 80),
                "tenant": (22, 50),
                "contractor": (25, 55),
            }[category]
            born = datetime.date(
                2020 - self.random.randint(*age),
                self.random.randint(1, 12),
                self.random.randint(1, 28),
            )
            national_id = (
                "" if category == "international" else self.national_id(province, born, sex)
            )
            current = (
                (HUBEI[0], city if hubei else self.random.choice(HUBEI[1]))
                if in_hubei
                else ("陕西省", "西安市")
            )
            rows.append(
                {
                    "person_number": number,
                    "name": self.name(),
                    "sex": sex,
                    "category": category,
                    "unit": unit,
                    "national_id": national_id,
                    "phone": self.phone(),
                    "native_province": province,
                    "native_place": city,
                    "current_province": current[0],
                    "current_city": current[1],
                    "residence": residence,
                    "dormitory": dormitory or "",
                    "dormitory_room": room,
                    "household": household or "",
                }
            )

        staff_natives = set(self.random.sample(range(STAFF), STAFF_HUBEI_NATIVES))
        staff_away = set(self.random.sample(sorted(staff_natives), STAFF_IN_HUBEI))
        households = list(self.household_list)
        for index in range(STAFF):
            unit = (
                unit_codes[index % len(unit_codes)]
                if index < 1000
                else self.random.choice(["ga", "hospital", "logistics", "catering"])
            )
            household = None
            if index < HOUSEHOLDS:
                household = str(households[index])
            add(
                "staff",
                unit,
                hubei=index in staff_natives,
                in_hubei=index in staff_away,
                residence="household" if household else "off_campus",
                household=household,
                number=f"{100000 + index}",
            )

        students = [("undergraduate", i) for i in range(UNDERGRADUATES)] + [
            ("postgraduate", i) for i in range(POSTGRADUATES)
        ]
        natives = set(self.random.sample(range(len(students)), STUDENT_HUBEI_NATIVES))
        away = set(self.random.sample(sorted(natives), STUDENTS_IN_HUBEI))
        for position, (category, _index) in enumerate(students):
            unit = unit_codes[position % 20]
            in_hubei = position in away
            # Students still on campus over the holiday live in the dormitories; the rest
            # went home and are recorded as off campus.
            on_campus = not in_hubei and self.random.random() < 0.15
            dorm = self.random.choice(self.dorms[:8]) if on_campus else None
            add(
                category,
                unit,
                hubei=position in natives,
                in_hubei=in_hubei,
                residence="dormitory" if on_campus else "off_campus",
                dormitory=dorm.name if dorm else "",
                room=f"{self.random.randint(1, 6)}{self.random.randint(1, 30):02d}" if dorm else "",
                number=f"{2016 + position % 4}{position:06d}"
                if category == "undergraduate"
                else f"P{2017 + position % 3}{position:05d}",
            )
        for index in range(INTERNATIONAL):
            on_campus = index < 25
            add(
                "international",
                "intl",
                residence="dormitory" if on_campus else "off_campus",
                dormitory=self.intl_dorm.name if on_campus else "",
                room=f"{index // 2 + 101}" if on_campus else "",
                number=f"L2019{index:04d}",
            )

        for index, household in enumerate(households):
            for member in range(self.random.choice((0, 1, 1, 2))):
                add(
                    "family",
                    self.random.choice(unit_codes),
                    residence="household",
                    household=str(household),
                    number=f"F{index:04d}{member}",
                )
            if household.is_rented:
                add(
                    "tenant",
                    "property",
                    residence="household",
                    household=str(household),
                    number=f"Z{index:04d}",
                )
        for index in range(90):
            add(
                "contractor",
                self.random.choice(["property", "catering", "logistics"]),
                number=f"W{index:04d}",
            )

        records = ((number, row, set()) for number, row in enumerate(rows, start=2))
        result = people_import.import_records(actor, records, source="seed_demo")
        if not result.ok:
            problems = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in result.errors[:5])
            raise RuntimeError(f"demo people did not import: {problems}")
        self.out(f"{result.created} people")

    def accounts(self, actor):
        member_person = (
            Person.objects.filter(category="staff", unit__code="arch", residence="household")
            .order_by("pk")
            .first()
        )
        for username, role, unit_code, full_name in DEMO_ACCOUNTS:
            if username == "office":
                continue
            unit = Unit.objects.get(code=unit_code) if unit_code else None
            person = member_person if role == Role.MEMBER else None
            services.create_account(
                actor,
                username=username,
                password=DEMO_PASSWORD,
                roles=[role],
                unit=unit,
                person=person,
                first_name=full_name or (person.name if person else username),
            )


def load_demo(out=None) -> bool:
    """Build the demo school once; False when it is already there (idempotent)."""
    if is_loaded():
        return False
    with one_transaction():
        DemoBuilder(out).build()
    return True


def demo_logins() -> list[tuple[str, str, str]]:
    return [
        (username, str(Role(role).label), DEMO_PASSWORD)
        for username, role, _unit, _name in DEMO_ACCOUNTS
    ]


__all__ = ["Household", "load_demo", "demo_logins", "is_loaded"]
