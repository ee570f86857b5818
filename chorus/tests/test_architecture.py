"""The dependency order of docs/architecture.md, checked on every import in the code.

Each app may import only the apps before it in ORDER (and itself); lib imports
no app; and no module hides an import of ours inside a function, which is how
a back-arrow usually sneaks in (except an app's ready() importing its own
modules, as Django wants receivers wired). Tests, migrations and the project's own wiring
(settings, urls, the test personas) are not part of any layer.
"""

import ast
from pathlib import Path

import pytest

ORDER = [
    "lib", "audit", "organisers", "petitions", "signatures", "updates", "stories",
    "moderation", "dashboard", "api", "embeds", "about", "periodic", "demo",
]
CHORUS = Path(__file__).resolve().parents[1]


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "chorus" else None


def _imports(tree: ast.AST):
    """(imported module, line, inside a function?) for every import of chorus code."""
    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                modules = [child.module]
                if _app_of(child.module) is None:  # "from chorus.signatures import views"
                    modules = [f"{child.module}.{alias.name}" for alias in child.names]
                for module in modules:
                    if module.startswith("chorus."):
                        yield module, child.lineno, in_function
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("chorus."):
                        yield alias.name, child.lineno, in_function
            yield from walk(child, inner)

    yield from walk(tree, False)


def back_arrows(sources: dict[str, str]) -> list[str]:
    """Every import in these modules (path inside chorus/ → source) that breaks the order."""
    problems = []
    for path, source in sorted(sources.items()):
        app = path.split("/")[0]
        if app not in ORDER:
            continue
        for module, line, in_function in _imports(ast.parse(source)):
            target = _app_of(module)
            where = f"chorus/{path}:{line} imports {module}"
            if target is None:
                continue
            if app == "lib" and target != "lib":
                problems.append(f"{where}: lib imports no app")
            elif target in ORDER and ORDER.index(target) > ORDER.index(app):
                problems.append(f"{where}: {app} comes before {target} in the order")
            elif in_function and not (path.endswith("/apps.py") and target == app):
                # An AppConfig's ready() is where Django has an app wire its own
                # receivers, once the models are loaded: its own modules only.
                problems.append(f"{where}: inside a function")
    return problems


def _our_sources() -> dict[str, str]:
    sources = {}
    for file in CHORUS.rglob("*.py"):
        relative = file.relative_to(CHORUS)
        if {"tests", "migrations"} & set(relative.parts) or len(relative.parts) < 2:
            continue
        sources[relative.as_posix()] = file.read_text()
    return sources


def test_every_app_is_in_the_order():
    apps = {path.parent.name for path in CHORUS.glob("*/__init__.py")}
    assert apps - {"tests"} == set(ORDER)


def test_every_app_imports_only_the_apps_before_it():
    assert back_arrows(_our_sources()) == []


@pytest.mark.parametrize(("path", "source"), [
    ("lib/text.py", "from chorus.organisers.models import Organisation\n"),
    ("petitions/models.py", "from chorus.signatures.models import Signature\n"),
    ("organisers/views.py", "from chorus.api import views\n"),
    ("signatures/services.py", "def f():\n    from chorus.petitions.models import Petition\n"),
    ("signatures/apps.py", "def ready(self):\n    from chorus.petitions import services\n"),
])
def test_a_back_arrow_is_caught(path, source):
    [problem] = back_arrows({path: source})
    assert problem.startswith(f"chorus/{path}:")


def test_an_app_may_wire_its_own_receivers_in_ready():
    source = "def ready(self):\n    from chorus.signatures import services\n"
    assert back_arrows({"signatures/apps.py": source}) == []
    assert back_arrows({"signatures/views.py": source}) != []
