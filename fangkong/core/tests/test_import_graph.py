"""The modules' import graph: no circles, and dependencies that run downward only.

Every `fangkong/**/*.py` outside the tests, the test kit (`fangkong/testing`, conftest.py)
and the migrations is parsed with `ast`; every import in it counts, at module level or
inside a function (an import moved into a function to dodge a circle still is one). The
layers, lowest first:

- kit modules (fangkong/apischema.py, spreadsheets.py, pdf.py, env.py, …): shared by the
  apps, they import no app and no project-level module;
- the apps, in INSTALLED_APPS order: core < reporting < watch < supplies < access; an app
  imports its own modules, the apps below it and the kit;
- the project-level modules (fangkong/api.py, urls.py, settings.py, admin_site.py,
  wsgi.py), which put the apps together and may import any of them.
"""

import ast
import pathlib
from collections import deque

import pytest

import fangkong

ROOT = pathlib.Path(fangkong.__file__).parent
APPS = ("core", "reporting", "watch", "supplies", "access")
PROJECT_LEVEL = {"api", "urls", "settings", "admin_site", "wsgi"}


# ---- reading the imports ------------------------------------------------------------------


def is_checked(path: pathlib.Path, root: pathlib.Path) -> bool:
    parts = path.relative_to(root).parts
    if "tests" in parts or "migrations" in parts or parts[0] == "testing":
        return False
    return path.name != "conftest.py" and not path.name.startswith("test_")


def module_name(path: pathlib.Path, root: pathlib.Path, package: str) -> str:
    parts = [package, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(tree: ast.AST, module: str, is_package: bool, modules) -> list[tuple[str, int]]:
    """(module of `modules` imported, line) for every import anywhere in `tree`, at module
    level or not. `from a import b` imports a.b when that is a module, else a; relative
    imports are resolved against `module`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.append((name if name in modules else base, node.lineno))
    return [(name, line) for name, line in found if name in modules and name != module]


def import_graph(root: pathlib.Path = ROOT, package: str = "fangkong") -> dict[str, dict[str, int]]:
    """{module: {module it imports: the line of its first import}}, over the checked modules
    of `root` (imports of Django, libraries and unchecked modules are left out)."""
    sources = {
        module_name(path, root, package): path
        for path in sorted(root.rglob("*.py"))
        if is_checked(path, root)
    }
    graph = {}
    for module, path in sources.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: dict[str, int] = {}
        for name, line in imports_of(tree, module, path.name == "__init__.py", sources):
            edges[name] = min(line, edges.get(name, line))
        graph[module] = edges
    return graph


# ---- what must hold ------------------------------------------------------------------------


def find_cycles(graph: dict[str, dict]) -> list[list[str]]:
    """One circle, a -> b -> … -> a, for each strongly connected set of modules that has one
    (Tarjan's algorithm, then the shortest way round from the set's first module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(_shortest_round(graph, component) for component in components)


def _shortest_round(graph: dict[str, dict], component: set[str]) -> list[str]:
    start = min(component)
    came_from = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(graph.get(node, ())):
            if target == start:
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if target in component and target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError(f"no way round {sorted(component)}")  # pragma: no cover


def layer(module: str) -> tuple[int, str]:
    """(rank, name) of the module's layer: the kit 0, the apps 1…5, project-level 6."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in APPS:
        return 1 + APPS.index(parts[1]), parts[1]
    if len(parts) == 2 and parts[1] in PROJECT_LEVEL:
        return len(APPS) + 1, "project-level"
    return 0, "kit"


def upward_imports(graph: dict[str, dict[str, int]]) -> list[str]:
    """Each import of a module of a higher layer, as 'a (watch) imports b (access), line n'."""
    found = []
    for module, edges in sorted(graph.items()):
        rank, name = layer(module)
        for target, line in sorted(edges.items()):
            target_rank, target_name = layer(target)
            if target_rank > rank:
                found.append(f"{module} ({name}) imports {target} ({target_name}), line {line}")
    return found


# ---- the project ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_the_graph_is_read(graph):
    # The reader sees the modules and both kinds of import: a broken reader passes vacuously.
    assert {"fangkong.core.models", "fangkong.access.services", "fangkong.api"} <= set(graph)
    assert "fangkong.core.models" in graph["fangkong.core.scoping"]
    assert "fangkong.core.services" in graph["fangkong.access.services"]
    # WatchConfig.ready() imports reporting's figures inside a function.
    assert "fangkong.reporting.figures" in graph["fangkong.watch.apps"]
    assert not any(".tests." in module or ".migrations." in module for module in graph)


def test_no_module_imports_itself_round_a_circle(graph):
    cycles = find_cycles(graph)
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_dependencies_run_downward(graph):
    upward = upward_imports(graph)
    assert not upward, "imports of a higher layer:\n" + "\n".join(upward)


# ---- the checks can fail -------------------------------------------------------------------


def test_a_circle_is_found_and_named():
    graph = {
        "a": {"b": 1},
        "b": {"c": 1},
        "c": {"a": 1, "d": 1},
        "d": {},
        "e": {"e": 1},
        "f": {"a": 1},
    }
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["e", "e"]]
    assert find_cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {}, "d": {"b": 1}}) == []


def test_an_upward_import_is_found():
    graph = {
        "fangkong.core.models": {"fangkong.watch.models": 3, "fangkong.spreadsheets": 4},
        "fangkong.watch.services": {"fangkong.reporting.selectors": 5},
        "fangkong.pdf": {"fangkong.core.models": 6},
        "fangkong.supplies.api": {"fangkong.api": 7},
        "fangkong.api": {"fangkong.access.api": 8},
    }
    assert upward_imports(graph) == [
        "fangkong.core.models (core) imports fangkong.watch.models (watch), line 3",
        "fangkong.pdf (kit) imports fangkong.core.models (core), line 6",
        "fangkong.supplies.api (supplies) imports fangkong.api (project-level), line 7",
    ]


def test_function_level_and_relative_imports_are_read(tmp_path):
    package = tmp_path / "pkg"
    (package / "core").mkdir(parents=True)
    (package / "watch" / "tests").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "core" / "__init__.py").write_text("")
    (package / "core" / "models.py").write_text(
        "import os\n\n\ndef visible():\n    from pkg.core import scoping\n"
    )
    (package / "core" / "scoping.py").write_text("from .models import os\n")
    (package / "watch" / "__init__.py").write_text("")
    (package / "watch" / "tests" / "test_x.py").write_text("from pkg.core import models\n")
    graph = import_graph(package, "pkg")
    assert graph["pkg.core.models"] == {"pkg.core.scoping": 5}
    assert graph["pkg.core.scoping"] == {"pkg.core.models": 1}
    assert "pkg.watch.tests.test_x" not in graph
    assert find_cycles(graph) == [["pkg.core.models", "pkg.core.scoping", "pkg.core.models"]]
