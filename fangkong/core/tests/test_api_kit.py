"""One API kit: the apps' routers take ErrorOut, error_responses, api_enum and record from
fangkong.apischema, and fangkong/api.py imports the routers. No module imports fangkong.api
back (at its top or inside a function), and no app keeps a copy of the kit."""

import ast
import pathlib

import fangkong
from fangkong import apischema

ROOT = pathlib.Path(fangkong.__file__).parent
KIT = {"ERRORS", "ErrorOut", "FieldError", "error_body", "error_responses", "api_enum", "record"}


def imports_of(source: str) -> set[str]:
    """Every module a source imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_scan_finds_imports_inside_functions():
    source = "def f():\n    from fangkong.api import ErrorOut\n"
    assert "fangkong.api" in imports_of(source)
    assert "fangkong.api" in imports_of("from fangkong import api\n")


def test_only_the_url_conf_imports_the_root_api():
    importers = sorted(
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts
        and "fangkong.api" in imports_of(path.read_text(encoding="utf-8"))
    )
    assert importers == ["urls.py"]


def test_the_kit_imports_no_router():
    imported = imports_of(pathlib.Path(apischema.__file__).read_text(encoding="utf-8"))
    assert not {name for name in imported if name.startswith("fangkong.")}


def test_no_app_api_keeps_a_copy_of_the_kit():
    copies = {}
    for path in sorted(ROOT.glob("*/*api.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = set()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                defined.add(node.name.lstrip("_"))
            elif isinstance(node, ast.Assign):
                defined.update(t.id.lstrip("_") for t in node.targets if isinstance(t, ast.Name))
        if defined & KIT:
            copies[str(path.relative_to(ROOT))] = sorted(defined & KIT)
    assert copies == {}
    assert all(hasattr(apischema, name) for name in KIT)
