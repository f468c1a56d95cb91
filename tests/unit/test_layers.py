"""The apps' floors: each app uses only the apps below it, so no two apps depend on each other.

What counts as using an app: a Python import anywhere in its files (inside a function too), a
module named to `import_module`/`import_string`/`apps.get_model`, and in its templates an
`{% extends %}`, `{% include %}`, `{% load %}` or `{% url 'namespace:…' %}` of that app's.
`platform/templates/` is shared by every app and belongs to none; `config/` wires the apps.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Onboarding sits above billing (signing up starts a trial; billing never needs the sign-up).
# Notifications sit under the town site so that its moderation and every module can notify.
# The ops console is public-schema only: it reads tenants and billing, never a town's modules.
# The modules are peers on the top floor: neither may use the other.
FLOORS = {
    "tenants": 0,
    "accounts": 1,
    "billing": 2,
    "onboarding": 3,
    "notifications": 4,
    "ops": 4,
    "townsite": 5,
    "mutual_aid": 6,
    "participation": 6,
}
NOT_APPS = {"config", "tests", "scripts", "deploy", "platform", "node_modules"}

IMPORTERS = {"import_module", "import_string", "__import__"}
TEMPLATE_NAME = re.compile(r"""{%-?\s*(?:extends|include)\s+["']([^"']+)["']""")
TEMPLATE_LOAD = re.compile(r"{%-?\s*load\s+([\w .]+?)\s*-?%}")
TEMPLATE_URL = re.compile(r"""{%-?\s*url\s+["'](\w+):""")
APP_NAME = re.compile(r"""^app_name\s*=\s*["'](\w+)["']""", re.MULTILINE)


def python_files(app: str) -> list[Path]:
    return sorted(path for path in (ROOT / app).rglob("*.py"))


def template_files(app: str) -> list[Path]:
    folder = ROOT / app / "templates"
    return sorted(path for path in folder.rglob("*") if path.is_file())


def imported_modules(source: str) -> Iterator[tuple[str, int]]:
    """(dotted module, line) of every absolute import in the source, wherever it is."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno
        elif isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if name in IMPORTERS or name == "get_model":  # get_model("app_label", ...) too
                yield first.value, node.lineno


def owners() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Which app owns each template name, template tag library and URL namespace."""
    templates: dict[str, str] = {}
    libraries: dict[str, str] = {}
    namespaces: dict[str, str] = {}
    for app in FLOORS:
        folder = ROOT / app / "templates"
        for path in template_files(app):
            templates[path.relative_to(folder).as_posix()] = app
        for path in (ROOT / app).glob("**/templatetags/*.py"):
            libraries[path.stem] = app
        for path in python_files(app):
            for namespace in APP_NAME.findall(path.read_text()):
                namespaces[namespace] = app
    return templates, libraries, namespaces


def template_uses(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, name, line) of every template, tag library and URL namespace the text uses."""
    for kind, pattern in (("template", TEMPLATE_NAME), ("url", TEMPLATE_URL)):
        for match in pattern.finditer(text):
            yield kind, match.group(1), text.count("\n", 0, match.start()) + 1
    for match in TEMPLATE_LOAD.finditer(text):
        words = match.group(1).split()
        names = words[: words.index("from")] if "from" in words else words
        libraries = [words[-1]] if "from" in words else names
        for library in libraries:
            yield "library", library, text.count("\n", 0, match.start()) + 1


def app_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in FLOORS else None


def dependencies() -> list[tuple[str, str, str]]:
    """(app, app it uses, where) for every use of one app by another."""
    templates, libraries, namespaces = owners()
    found = []
    for app in FLOORS:
        for path in python_files(app):
            for module, line in imported_modules(path.read_text()):
                used = app_of(module)
                if used and used != app:
                    found.append((app, used, f"{path.relative_to(ROOT)}:{line}"))
        for path in template_files(app):
            for kind, name, line in template_uses(path.read_text()):
                table = {"template": templates, "library": libraries, "url": namespaces}[kind]
                used = table.get(name)
                if used and used != app:
                    found.append((app, used, f"{path.relative_to(ROOT)}:{line} ({kind} {name})"))
    return found


def test_every_app_has_a_floor() -> None:
    apps = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_APPS and not path.parent.name.startswith(".")
    }
    assert apps == set(FLOORS)


def test_each_app_uses_only_the_apps_below_it() -> None:
    upward = [
        f"{where}: {app} (floor {FLOORS[app]}) uses {used} (floor {FLOORS[used]})"
        for app, used, where in dependencies()
        if FLOORS[used] >= FLOORS[app]
    ]
    assert upward == []


def test_no_two_apps_depend_on_each_other() -> None:
    graph: dict[str, set[str]] = {app: set() for app in FLOORS}
    for app, used, _where in dependencies():
        graph[app].add(used)

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            app, path = stack.pop()
            for used in sorted(graph[app]):
                if used == start:
                    return [*path, start]
                if used not in path:
                    stack.append((used, [*path, used]))
        return None

    cycles = [" -> ".join(cycle) for app in FLOORS if (cycle := cycle_from(app))]
    assert cycles == []


# --- The scan itself: it must see what it is meant to forbid ------------------------------


def test_the_scan_sees_imports_inside_functions_and_by_name() -> None:
    source = """
import billing.models
from accounts.models import User
from . import sibling

def later():
    from townsite.models import Neighbourhood
    import_string("onboarding.services.confirm_trial")
    apps.get_model("participation", "Idea")
    import_string(settings.SOMETHING)
"""
    assert sorted(module for module, _line in imported_modules(source)) == [
        "accounts.models",
        "billing.models",
        "onboarding.services.confirm_trial",
        "participation",
        "townsite.models",
    ]


def test_the_scan_sees_what_templates_use() -> None:
    text = """{% extends "base.html" %}
{% load i18n money %}{% load price from billing_tags %}
{% include "billing/_price_table.html" with plans=plans %}
<a href="{% url 'onboarding:start' %}">{% url 'account_login' %}</a>"""
    assert sorted((kind, name) for kind, name, _line in template_uses(text)) == [
        ("library", "billing_tags"),
        ("library", "i18n"),
        ("library", "money"),
        ("template", "base.html"),
        ("template", "billing/_price_table.html"),
        ("url", "onboarding"),
    ]


@pytest.mark.parametrize(
    ("app", "used"),
    [("townsite", "accounts"), ("onboarding", "billing"), ("billing", "tenants")],
)
def test_the_scan_finds_the_real_dependencies(app: str, used: str) -> None:
    assert (app, used) in {(a, u) for a, u, _where in dependencies()}
