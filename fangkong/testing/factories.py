"""factory_boy factories for the registry. Valid by default: IDs pass GB 11643."""

import datetime

import factory
from django.contrib.auth.models import Group

from fangkong.core.identity import id_check_char
from fangkong.core.models import Area, Building, Campus, Household, Person, Unit, User


def valid_national_id(sequence: int, born=datetime.date(1990, 1, 1)) -> str:
    first17 = f"610113{born:%Y%m%d}{sequence % 1000:03d}"
    # Different people need different IDs: vary the birth day as the sequence grows.
    if sequence >= 1000:
        born = born + datetime.timedelta(days=sequence // 1000)
        first17 = f"610113{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)


class CampusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campus
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"campus{n}")
    name = factory.Sequence(lambda n: f"校区{n}")
    name_en = factory.Sequence(lambda n: f"Campus {n}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    campus = factory.SubFactory(CampusFactory)
    name = factory.Sequence(lambda n: f"区域{n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")
    kind = Area.Kind.FAMILY


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"{n}号楼")
    name_en = factory.Sequence(lambda n: f"Block {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    name_en = factory.Sequence(lambda n: f"Unit {n}")
    kind = Unit.Kind.ACADEMIC


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    area = factory.SubFactory(AreaFactory, kind=Area.Kind.FAMILY)
    building = factory.SubFactory(BuildingFactory, area=factory.SelfAttribute("..area"))
    address = factory.Sequence(lambda n: f"1-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    person_number = factory.Sequence(lambda n: f"P{n:06d}")
    name = factory.Sequence(lambda n: f"测试{n}")
    sex = Person.Sex.FEMALE
    category = Person.Category.STAFF
    unit = factory.SubFactory(UnitFactory)
    national_id = factory.Sequence(valid_national_id)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    native_province = "陕西省"
    native_place = "西安市"
    current_province = "陕西省"
    current_city = "西安市"
    residence = Person.Residence.OFF_CAMPUS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


# ---- reporting ------------------------------------------------------------------------------

from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402

from fangkong.reporting.models import HealthCheckin  # noqa: E402


class HealthCheckinFactory(factory.django.DjangoModelFactory):
    """A current, normal check-in of today, self-reported. Written straight to the table:
    tests of the rules go through reporting.services instead."""

    class Meta:
        model = HealthCheckin

    person = factory.SubFactory(PersonFactory)
    date = factory.LazyFunction(timezone.localdate)
    temperature = Decimal("36.5")
    symptoms = factory.LazyFunction(list)
    current_province = "陕西省"
    current_city = "西安市"
    on_campus = True
    contact_with_region_of_concern = False
    is_abnormal = False
    entered_by = factory.SubFactory(UserFactory)
    channel = HealthCheckin.Channel.SELF


# ---- watch: regions of concern and the key-person ledger ---------------------------------


class RegionOfConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "watch.RegionOfConcern"

    name = factory.Sequence(lambda n: f"地区{n}")
    from_date = datetime.date(2020, 1, 23)


class KeyPersonFactory(factory.django.DjangoModelFactory):
    """An open, unverified entry, listed and followed by a user of the office."""

    class Meta:
        model = "watch.KeyPerson"

    person = factory.SubFactory(PersonFactory)
    category = "returned"
    reason = "返校"
    listed_on = datetime.date(2020, 2, 1)
    listed_by = factory.SubFactory(UserFactory, roles=["office"])
    responsible = factory.SelfAttribute("listed_by")
    follow_up_every = 1
