"""gettext is the only way a text is translated. The project once had a second one,
`words(chinese, zh, en)`, which picked one of two literals in place: its strings escaped
the catalogue and the translators. It must not come back."""

import pathlib
import re

import fangkong

ROOT = pathlib.Path(fangkong.__file__).parent
# `words(`, as a name of its own (not the end of test_…_in_words), defined or called.
WORDS = re.compile(r"(?<![\w.])words\s*\(|def\s+words\b|import\s+words\b|\bwords\s*=\s*lambda")


def test_no_source_defines_or_calls_words():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted([*ROOT.rglob("*.py"), *ROOT.rglob("*.html")])
        if path != pathlib.Path(__file__)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WORDS.search(line)
    ]
    assert found == []


def test_the_scan_finds_a_words_call():
    assert WORDS.search('label = words(chinese, "姓名", "Name")')
    assert WORDS.search("def words(chinese, zh, en):")
    assert not WORDS.search("def test_the_export_is_the_registry_in_words(login_as):")
