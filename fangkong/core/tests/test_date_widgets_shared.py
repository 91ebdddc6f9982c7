"""Every date, time and datetime-local field uses core.forms' ISO widgets: one built
elsewhere renders its value in the page's language, which the browser's field cannot read
(a blank date in Chinese)."""

import pathlib
import re

import fangkong

ROOT = pathlib.Path(fangkong.__file__).parent
SHARED = ROOT / "core" / "forms.py"
BUILT = re.compile(r"\bforms\.(DateInput|DateTimeInput|TimeInput|SplitDateTimeWidget)\(")


def test_no_form_builds_its_own_date_widget():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(ROOT.rglob("*.py"))
        if path != SHARED and "tests" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BUILT.search(line)
    ]
    assert found == []
