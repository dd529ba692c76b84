"""The floors of the house: data flows one way, and each folder imports only from the floors below it
(docs/architecture.md). A module that reaches up fails here with its name and the import."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import PROJECT_ROOT

#: Each floor and the floors of ours it may import (beside itself). Third-party packages are free, except
#: Streamlit, which only ui/, app_pages/ and dashboard.py may use.
FLOORS = {
    "analytics": set(),
    "data": {"analytics"},
    "i18n": {"analytics", "data"},
    "services": {"analytics", "data", "i18n"},
    "presentation": {"analytics", "data", "i18n", "services"},
    "ui": {"analytics", "data", "i18n", "services", "presentation"},
    "app_pages": {"analytics", "data", "i18n", "services", "presentation", "ui"},
}
OURS = set(FLOORS) | {"tests", "benchmarks", "cli", "dashboard"}
STREAMLIT_FLOORS = {"ui", "app_pages"}


def imported(path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("floor", sorted(FLOORS))
def test_each_floor_imports_only_from_below(floor):
    reaching_up = []
    for path in sorted((PROJECT_ROOT / floor).rglob("*.py")):
        for name in imported(path):
            top = name.split(".")[0]
            if top in OURS and top != floor and top not in FLOORS[floor]:
                reaching_up.append(f"{path.relative_to(PROJECT_ROOT)} imports {name}")
            if top == "streamlit" and floor not in STREAMLIT_FLOORS:
                reaching_up.append(f"{path.relative_to(PROJECT_ROOT)} imports {name}")
    assert reaching_up == []


def test_data_is_in_rooms():
    """data/ holds rooms (market, ledger, accounts, files, store) and only a few loose modules."""
    rooms = {p.name for p in (PROJECT_ROOT / "data").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {"market", "ledger", "accounts", "files", "store"} <= rooms
    loose = {p.name for p in (PROJECT_ROOT / "data").glob("*.py")} - {"__init__.py"}
    assert loose <= {"settings.py", "demo_ledger.py"}, loose
