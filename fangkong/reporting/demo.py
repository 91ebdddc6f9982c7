"""The demo's daily health check-ins: today's slice.

Loaded by `manage.py seed_demo` after the demo school (fangkong.core.demo), through
fangkong.reporting.services.submit_checkin as the people and their officer would enter
them: the demo member checks in, the College of Architecture's officer enters most of the
unit's check-ins (one of them abnormal: 37.8 °C and a cough, so the flagged list is not
empty) and leaves the rest still to chase.

The article's 2020-01-23..2020-03-06 check-ins (some 100,000 rows) are not seeded: the
services accept only the days still open, relative to today.
"""

import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fangkong.core.models import Person, User
from fangkong.reporting import services
from fangkong.reporting.models import HealthCheckin, Symptom

SEED = 20200306
UNIT = "arch"
# The share of the unit the officer has entered by the time the demo starts.
CHECKED_IN_SHARE = 0.7
NORMAL_TEMPERATURES = [Decimal(f"36.{n}") for n in range(0, 10)] + [Decimal("37.0")]
ABNORMAL = {"temperature": Decimal("37.8"), "symptoms": [Symptom.COUGH], "note": "夜间咳嗽"}


def _answers(person: Person, temperature: Decimal) -> dict:
    in_place = bool(person.current_province and person.current_city)
    return {
        "temperature": temperature,
        "symptoms": [],
        "current_province": person.current_province if in_place else "陕西省",
        "current_city": person.current_city if in_place else "西安市",
        "on_campus": person.residence != Person.Residence.OFF_CAMPUS,
        "contact_with_region_of_concern": person.current_province == "湖北省",
        "note": "",
    }


def todays_slice(out) -> int:
    today = timezone.localdate()
    rng = random.Random(f"{SEED}-{today.isoformat()}")
    member = User.objects.get(username="member")
    officer = User.objects.get(username="officer")
    already = set(
        HealthCheckin.objects.current().filter(date=today).values_list("person_id", flat=True)
    )
    created = 0
    if member.person_id not in already:
        services.submit_checkin(member, member.person, **_answers(member.person, Decimal("36.5")))
        already.add(member.person_id)
        created += 1
    people = list(
        Person.objects.filter(unit__code=UNIT, is_active=True)
        .exclude(pk__in=already)
        .order_by("person_number")
    )
    chosen = sorted(rng.sample(people, round(len(people) * CHECKED_IN_SHARE)), key=lambda p: p.pk)
    flagged = next((p for p in chosen if p.category == Person.Category.STAFF), None)
    for person in chosen:
        answers = _answers(person, rng.choice(NORMAL_TEMPERATURES))
        if person is flagged:
            answers.update(ABNORMAL)
        services.submit_checkin(officer, person, **answers)
        created += 1
    out(
        f"{created} check-ins today ({len(people) - len(chosen)} of {UNIT} still to come, "
        f"{1 if flagged else 0} flagged)"
    )
    return created


def load_demo(out=None) -> bool:
    """Today's check-ins, once a day: nothing to do when the demo member has already
    checked in today (idempotent)."""
    out = out or (lambda message: None)
    member = User.objects.filter(username="member").first()
    officer = User.objects.filter(username="officer").first()
    if member is None or officer is None or member.person_id is None:
        return False
    if (
        HealthCheckin.objects.current()
        .filter(person=member.person, date=timezone.localdate())
        .exists()
    ):
        return False
    with transaction.atomic():
        return bool(todays_slice(out))
