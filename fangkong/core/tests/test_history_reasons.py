"""History reasons the code records are codes with parameters, shown in the reader's
language; a reason a user types is shown as typed. Existing English sentences become codes."""

import importlib
import pathlib
import re

import pytest
from django.apps import apps

import fangkong
from fangkong.core import people_import, services
from fangkong.core.history import coded, reason_code, reason_text
from fangkong.core.models import Person
from fangkong.core.roles import Role
from fangkong.core.tests.xlsx_files import ENGLISH_HEADER, person, upload, workbook
from fangkong.testing.factories import PersonFactory

ROOT = pathlib.Path(fangkong.__file__).parent


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE)


def imported(office, name="人员名单.xlsx") -> Person:
    result = people_import.import_people(
        office, upload(workbook([person(1)], ENGLISH_HEADER), name)
    )
    assert (result.ok, result.created, result.errors) == (True, 1, [])
    return Person.objects.get(person_number="T00001")


def test_an_import_is_stored_as_a_code_with_the_file_name(office, unit):
    someone = imported(office)
    (record,) = someone.history.all()
    assert record.history_change_reason == '{"reason": "imported", "file": "人员名单.xlsx"}'
    assert reason_code(record.history_change_reason) == "imported"


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Imported from 人员名单.xlsx"), ("zh-hans", "从 人员名单.xlsx 导入")],
)
def test_the_import_reads_in_the_readers_language(login_as, office, unit, language, shown):
    someone = imported(office)
    client = login_as(Role.OFFICE)
    page = client.get(f"/people/{someone.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<td>{shown}</td>" in page


def test_a_typed_reason_is_shown_as_typed_in_either_language(login_as, office, unit):
    someone = PersonFactory(unit=unit)
    services.update_person(office, someone, reason="Edited", phone="13900000001")
    services.update_person(office, someone, reason="搬到西安", phone="13900000002")
    client = login_as(Role.OFFICE)
    page = client.get(f"/people/{someone.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # Typed, so not translated, even where it reads like one of the codes.
    assert "<td>Edited</td>" in page and "<td>搬到西安</td>" in page
    assert "<td>修改</td>" not in page


def test_a_reason_left_empty_is_the_coded_edited(office, unit):
    someone = PersonFactory(unit=unit)
    services.update_person(office, someone, phone="13900000003")
    assert someone.history.order_by("-history_id").first().history_change_reason == coded("edited")


@pytest.mark.parametrize(
    "typed",
    [
        "",
        None,
        "moved",
        '{"reason": "no-such-code"}',
        '{"reason": "imported", "file": ',
        '{"reason": ["imported"]}',
    ],
)
def test_what_is_not_a_known_code_reads_as_typed(typed):
    assert reason_text(typed) == (typed or "")
    assert reason_code(typed) == ""


def test_a_coded_reason_missing_its_parameter_still_reads():
    assert reason_text('{"reason": "imported"}') == "Imported from %(file)s"


def test_an_unknown_code_is_refused_when_stored():
    with pytest.raises(ValueError, match="no-such-code"):
        coded("no-such-code")


def migration(app: str, name: str):
    return importlib.import_module(f"fangkong.{app}.migrations.{name}")


def test_the_migration_turns_the_stored_sentences_into_codes(office, unit):
    someone = PersonFactory(unit=unit)
    history = Person.history.model.objects
    written = {
        "Imported from seed_demo": coded("imported", file="seed_demo"),
        "从 名单.xlsx 导入": coded("imported", file="名单.xlsx"),
        "Created": coded("created"),
        "Reactivated": coded("reactivated"),
        "moved to Xi'an": "moved to Xi'an",
        "": "",
    }
    base = someone.history.get()
    ids = {}
    for sentence in written:
        base.pk = None
        base.history_change_reason = sentence
        base.save()
        ids[sentence] = base.pk
    module = migration("core", "0004_history_reasons_as_codes")
    module.to_codes(apps, None)
    after = dict(history.filter(pk__in=ids.values()).values_list("pk", "history_change_reason"))
    assert {sentence: after[pk] for sentence, pk in ids.items()} == written
    module.to_sentences(apps, None)
    back = dict(history.filter(pk__in=ids.values()).values_list("pk", "history_change_reason"))
    assert back[ids["Imported from seed_demo"]] == "Imported from seed_demo"
    assert back[ids["Created"]] == "Created"


@pytest.mark.parametrize(
    ("app", "name", "model", "sentence", "code"),
    [
        (
            "watch",
            "0006_history_reasons_as_codes",
            "HistoricalIncident",
            "Being handled",
            "being_handled",
        ),
        ("watch", "0006_history_reasons_as_codes", "HistoricalKeyPerson", "Verified", "verified"),
        (
            "access",
            "0002_history_reasons_as_codes",
            "HistoricalPass",
            "Used at a gate",
            "used_at_gate",
        ),
        ("access", "0002_history_reasons_as_codes", "HistoricalPass", "Approved", "approved"),
    ],
)
def test_each_apps_migration_knows_its_sentences(app, name, model, sentence, code):
    module = migration(app, name)
    assert model in module.MODELS
    assert module.SENTENCES[sentence] == code
    # The migration's stored form is the one the code writes and the pages read.
    assert module.stored(code) == coded(code)


# Sentences the code used to store in the history, as gettext_noop'd English.
STORED_LITERAL = re.compile(r"_change_reason\s*=\s*(?:gettext_noop|_|gettext)\(|gettext_noop\(")


def test_no_code_stores_a_sentence_as_a_history_reason():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(ROOT.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if STORED_LITERAL.search(line)
    ]
    assert found == []
