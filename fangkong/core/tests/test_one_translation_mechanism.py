"""gettext is the only way a text is translated. The project once had a second one,
`words(chinese, zh, en)`, which picked one of two literals in place: its strings escaped
the catalogue and the translators. It must not come back."""

import io
import pathlib
import re
import tokenize

import fangkong

ROOT = pathlib.Path(fangkong.__file__).parent
# `words(`, as a name of its own (not the end of test_…_in_words), defined or called.
WORDS = re.compile(r"(?<![\w.])words\s*\(|def\s+words\b|import\s+words\b|\bwords\s*=\s*lambda")


def python_uses(source: str) -> list[int]:
    """Lines where Python code (not a string or a comment) calls, defines or imports a
    `words` (a local list named words is no translation)."""
    tokens = [
        token
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)
    ]
    lines = []
    for before, token, after in zip([None, *tokens[:-1]], tokens, [*tokens[1:], None], strict=True):
        if token.type != tokenize.NAME or token.string != "words":
            continue
        if before is not None and before.string == ".":
            continue  # an attribute of something else
        called = after is not None and after.string == "("
        made = before is not None and before.string in ("def", "import")
        if called or made:
            lines.append(token.start[0])
    return lines


def test_no_source_defines_or_calls_words():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(ROOT.rglob("*.py"))
        if path != pathlib.Path(__file__)
        for number in python_uses(path.read_text(encoding="utf-8"))
    ]
    found += [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(ROOT.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WORDS.search(line)
    ]
    assert found == []


def test_the_scan_of_python_finds_code_and_not_prose():
    assert python_uses('label = words(chinese, "姓名", "Name")\n') == [1]
    assert python_uses("x = 1\ndef words(chinese, zh, en):\n    pass\n") == [2]
    assert python_uses("from fangkong.core.labels import words\n") == [1]
    assert python_uses('"""Each command, as words (continued lines joined)."""\n') == []
    assert python_uses("# words (in a comment)\nname = row.words(1)\n") == []
    assert python_uses("words = query.split()[:5]\n") == []


def test_the_scan_finds_a_words_call():
    assert WORDS.search('label = words(chinese, "姓名", "Name")')
    assert WORDS.search("def words(chinese, zh, en):")
    assert not WORDS.search("def test_the_export_is_the_registry_in_words(login_as):")
