"""Person numbers kept as the registry now keeps them: NFKC, hyphens, no white space, ASCII
letters upper case, then only A–Z, 0–9 and "-" (core.identity.normalise_person_number).

Until now the people import and the person form stored a number as typed: `T２０２５０６０１`
in full-width digits stayed so, the gate could not find `T20250601`, and the pass code of
such a person could not be made. `normalise_stored_numbers` rewrites each stored number
whose normal form differs, with a history record saying so (the record before it keeps
the number as it was typed).

What it does NOT rewrite, and why — each such person is listed in the migration's output
(and returned, for the tests), and keeps the number as it is:
- a number whose normal form would clash with another person's (stored, or another
  number normalising to the same): choosing which of two people keeps `T20250601` is
  the office's call, not a migration's. Neither is changed.
- a number still not A–Z, 0–9 and "-" once normalised (e.g. Chinese characters): there
  is nothing sound to turn it into.
Such a number fails the person form's and the API's check on the next edit, which asks
for a valid one, and its pass shows why it has no code instead of failing.

The rule is copied here, not imported (a migration must not change when app code does).
"""

import re
import string
import unicodedata

import datetime

import fangkong.core.identity
from django.db import migrations, models
import json


PATTERN = re.compile(r"[A-Z0-9-]+")
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
# The history reason as core.history codes it (a migration keeps its own copy of the form).
REASON = json.dumps({"reason": "number_normalised"})
CLASH = "clash"
NOT_ASCII = "not_ascii"


def normalised(number: str) -> str:
    text = unicodedata.normalize("NFKC", number).translate(DASHES)
    return "".join(text.split()).translate(ASCII_UPPER)


def normalise_stored_numbers(apps, schema_editor=None) -> list[tuple[int, str, str]]:
    """Rewrite stored numbers to their normal form; (pk, number, why) of those left alone,
    `why` being CLASH or NOT_ASCII."""
    Person = apps.get_model("core", "Person")
    HistoricalPerson = apps.get_model("core", "HistoricalPerson")
    numbers = dict(Person.objects.values_list("pk", "person_number"))
    left, changing = [], {}
    for pk, number in sorted(numbers.items()):
        new = normalised(number)
        if not PATTERN.fullmatch(new) or len(new) > 32:
            left.append((pk, number, NOT_ASCII))
        elif new != number:
            changing[pk] = new
    # How many people would hold each number afterwards: theirs if unchanged, else the new.
    holders: dict[str, int] = {}
    for pk, number in numbers.items():
        final = changing.get(pk, number)
        holders[final] = holders.get(final, 0) + 1
    changed = []
    for pk, new in changing.items():
        if holders[new] > 1:
            left.append((pk, numbers[pk], CLASH))
        else:
            changed.append((pk, new))
    tracked = [
        f.attname
        for f in HistoricalPerson._meta.concrete_fields
        if not f.attname.startswith("history_")
    ]
    now = datetime.datetime.now(datetime.UTC)
    for pk, new in changed:
        Person.objects.filter(pk=pk).update(person_number=new)
        person = Person.objects.get(pk=pk)
        HistoricalPerson.objects.create(
            **{name: getattr(person, name) for name in tracked},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
            history_user=None,
        )
    return left


def forwards(apps, schema_editor):
    for pk, number, why in normalise_stored_numbers(apps, schema_editor):
        problem = {
            CLASH: "its normal form is another person's number",
            NOT_ASCII: "it is not A-Z, 0-9 and '-' even normalised",
        }[why]
        print(f"  person {pk}: number {number!r} left as it is: {problem}; correct it by hand")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_history_reasons_as_codes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalperson',
            name='person_number',
            field=models.CharField(db_index=True, error_messages={'unique': 'This person number is already used.'}, max_length=32, validators=[fangkong.core.identity.validate_person_number], verbose_name='person number'),
        ),
        migrations.AlterField(
            model_name='person',
            name='person_number',
            field=models.CharField(error_messages={'unique': 'This person number is already used.'}, max_length=32, unique=True, validators=[fangkong.core.identity.validate_person_number], verbose_name='person number'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
