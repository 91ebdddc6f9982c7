"""The Simplified Chinese catalogue: complete, up to date with the source, compiled, and used.

The .po file is the source of truth (the .mo is compiled from it by `make run` and `make
test`, and is not kept in git). These tests fail when a string is added to the code but not
translated, when a translation is left fuzzy or drops a placeholder, when the .mo was not
rebuilt, and when the pages stop coming out in Chinese.
"""

import gettext as gnu_gettext
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from fangkong.core.models import Person
from fangkong.core.people_import import COLUMN_BY_KEY
from fangkong.core.roles import Role

LOCALE_DIR = Path(settings.BASE_DIR) / "fangkong" / "locale"
PO_PATH = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
ZH = "zh-hans"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")  # blocktranslate's {{ name }} is %(name)s here
TAG = re.compile(r"</?\w+[^>]*>")


# ---- a compact .po reader -----------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # msgstr is index 0
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body)


def parse_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first; obsolete (#~) ones marked."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if target is not None and target[0] == "msgstr":
                finish()  # a comment after a msgstr starts the next entry
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, text = match.groups()
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
            entry.obsolete = entry.obsolete or obsolete
            entry.line = entry.line or number
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = unquote(text)
            else:
                target = (keyword, None)
                setattr(entry, keyword, unquote(text))
        elif line.startswith('"') and target is not None:
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += unquote(line)
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + unquote(line))
        else:
            raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
    finish()
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    """The translatable entries: not the header, not obsolete."""
    return [e for e in entries if e.msgid and not e.obsolete]


def describe(entries: list[Entry]) -> str:
    return "\n".join(f"  line {e.line}: {e.msgid!r}" for e in entries)


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run `make messages`"
    return parse_po(PO_PATH)


# ---- (a) the catalogue is complete and well-formed -------------------------------------------


def test_parser_reads_multiline_plural_and_flags(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"Two "\n"lines \\"quoted\\""\nmsgstr "两行"\n\n'
        'msgid "%(n)s one"\nmsgid_plural "%(n)s many"\nmsgstr[0] ""\n"共 %(n)s 个"\n'
        '#~ msgid "gone"\n#~ msgstr "旧"\n',
        encoding="utf-8",
    )
    header, multi, plural, gone = parse_po(po)
    assert header.msgid == "" and header.msgstr[0] == "Language: zh_Hans\n"
    assert multi.msgid == 'Two lines "quoted"' and multi.flags == {"fuzzy", "python-format"}
    assert (plural.msgid_plural, plural.msgstr) == ("%(n)s many", {0: "共 %(n)s 个"})
    assert gone.obsolete and gone.msgstr[0] == "旧"


def test_header_is_simplified_chinese_with_one_plural_form(catalogue):
    header = catalogue[0]
    assert header.msgid == "" and "fuzzy" not in header.flags
    lines = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert lines["Language"] == "zh_Hans"
    assert lines["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert lines["Content-Type"] == "text/plain; charset=UTF-8"


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    entries = messages(catalogue)
    assert len(entries) > 200  # the parser really read the catalogue
    empty = [e for e in entries if not e.msgstr.get(0, "").strip()]
    assert not empty, f"untranslated entries in {PO_PATH.name}:\n{describe(empty)}"
    fuzzy = [e for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries (check, then drop the flag):\n{describe(fuzzy)}"
    extra_forms = [e for e in entries if set(e.msgstr) != {0}]
    assert not extra_forms, f"Chinese has one plural form, msgstr[0] only:\n{describe(extra_forms)}"
    obsolete = [e for e in catalogue if e.obsolete]
    assert not obsolete, f"obsolete entries: run `make messages`:\n{describe(obsolete)}"


def test_translations_keep_placeholders_markup_and_filter_arguments(catalogue):
    def marks(text: str) -> tuple:
        return set(PLACEHOLDER.findall(text)), sorted(TAG.findall(text))

    wrong = [
        e
        for e in messages(catalogue)
        if marks(e.msgstr[0]) != marks(e.msgid)
        or (e.msgid_plural and marks(e.msgstr[0])[0] != marks(e.msgid_plural)[0])
    ]
    assert not wrong, f"placeholders or HTML tags differ from the English:\n{describe(wrong)}"
    # The argument of the |yesno filter is split on ASCII commas.
    yes_no = {e.msgid: e.msgstr[0] for e in messages(catalogue)}.get("yes,no")
    assert yes_no.count(",") == 1  # the reporting pages use _("yes,no")


def test_compiled_catalogue_matches_the_po_file(catalogue):
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run `manage.py compilemessages`"
    with MO_PATH.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)._catalog
    stale = []
    for entry in messages(catalogue):
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        key = (msgid, 0) if entry.msgid_plural else msgid
        if compiled.get(key) != entry.msgstr[0]:
            stale.append(entry)
    assert not stale, f"{MO_PATH.name} is stale: run `manage.py compilemessages`\n{describe(stale)}"


# ---- (b) the catalogue is up to date with the source ---------------------------------------
#
# Rendering a list of key strings in Chinese would only guard the strings on that list. To
# catch any string added to the code, this runs Django's own makemessages, the extractor
# `make messages` uses (templatize + xgettext + msgmerge), over a copy of the source tree
# with the current catalogue in it, then reads the merged result: an entry makemessages adds
# has no msgstr, and one it drops (--no-obsolete) is gone. The copy keeps the working tree
# untouched (makemessages writes `*.html.py` files next to templates while it works) and
# the in-process call saves a second Django start-up; the whole test takes about a second.

SOURCE_SUFFIXES = {".py", ".html", ".txt"}
NOT_SOURCE = {".venv", "bench", "staticfiles", "var", "node_modules", "__pycache__"}


def copy_sources(root: Path, target: Path) -> None:
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        parts = relative.parts
        if any(part in NOT_SOURCE or part.startswith(".") for part in parts):
            continue
        if parts[0].endswith(".egg-info") or not path.is_file():
            continue
        if path.suffix in SOURCE_SUFFIXES or path == PO_PATH:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)


def test_catalogue_is_up_to_date_with_the_source(catalogue, tmp_path, monkeypatch):
    missing = [p for p in ("xgettext", "msgmerge", "msguniq", "msgattrib") if not shutil.which(p)]
    if missing:
        pytest.fail(
            f"GNU gettext is needed ({', '.join(missing)} missing): apt-get install gettext"
        )
    root = Path(settings.BASE_DIR)
    copy_sources(root, tmp_path)
    monkeypatch.chdir(tmp_path)
    locale = tmp_path / PO_PATH.relative_to(root).parents[2]
    with override_settings(LOCALE_PATHS=[locale]):
        call_command(
            "makemessages",
            locale=["zh_Hans"],
            ignore_patterns=[".venv", "bench"],
            no_obsolete=True,
            verbosity=0,
            stdout=io.StringIO(),
        )
    merged = messages(parse_po(tmp_path / PO_PATH.relative_to(root)))
    current = {e.key for e in messages(catalogue)}
    new = [e for e in merged if e.key not in current or not e.msgstr.get(0)]
    gone = [e for e in messages(catalogue) if e.key not in {m.key for m in merged}]
    assert not (new or gone), (
        f"{PO_PATH.name} is behind the code: run `make messages` and translate.\n"
        f"In the code, not translated:\n{describe(new)}\nNo longer in the code:\n{describe(gone)}"
    )


# ---- the translations are the office's words ---------------------------------------------


def test_key_strings_render_in_chinese():
    with translation.override(ZH):
        assert gettext("Log in") == "登录"
        assert gettext("Information officer") == "信息员"
        assert gettext("Deactivate") == "停用"
        assert gettext("API tokens") == "API 令牌"
        assert str(Role.OFFICE.label) == "防控办"
        assert str(Person.Category.STAFF.label) == "教职工"
        assert ngettext("%(total)s person", "%(total)s people", 3) % {"total": 3} == "共 3 人"


# The people list shows the columns of the people spreadsheet: its headers, and the labels of
# the person form, use the Chinese headers of people_import.COLUMNS word for word.
LIST_HEADERS = {
    "Person number": "person_number",
    "Name": "name",
    "Sex": "sex",
    "Category": "category",
    "Unit": "unit",
    "ID number": "national_id",
    "Phone": "phone",
    "Native province": "native_province",
    "Native place": "native_place",
    "Residence": "residence",
    "Household": "household",
}


def test_column_names_use_the_spreadsheet_headers():
    with translation.override(ZH):
        for msgid, key in LIST_HEADERS.items():
            assert gettext(msgid) == COLUMN_BY_KEY[key].zh, msgid
        for key, column in COLUMN_BY_KEY.items():
            label = str(Person._meta.get_field(key).verbose_name)
            # A form label may add a hint in brackets, e.g. 人员编号（工号/学号）.
            assert label.startswith(column.zh), (key, label, column.zh)


# ---- (c) the pages come out in Chinese ----------------------------------------------------


@pytest.mark.django_db
def test_login_page_in_chinese(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE=ZH)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "<h1>登录</h1>" in page
    assert "用户名" in page and "密码" in page
    assert "Log in" not in page


@pytest.mark.django_db
def test_people_list_in_chinese(client, make_user, person):
    client.force_login(make_user(Role.OFFICE))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = ZH
    response = client.get("/people/")
    page = response.content.decode()
    assert response.status_code == 200
    for msgid in ("Person number", "Name", "Category", "Unit", "ID number", "Phone"):
        assert f"{COLUMN_BY_KEY[LIST_HEADERS[msgid]].zh}</th>" in page, msgid
    assert "人员" in page and "添加人员" in page
    with translation.override(ZH):
        assert f"<td>{person.get_category_display()}</td>" in page
    assert "Person number" not in page and "Add a person" not in page
