"""The dependency rule of the README's layout section, read from every module's imports.

    protocol                      imports no project package
    procedure                     protocol
    hansard                       protocol, procedure
    hall_server, seat_client      protocol, procedure, hansard
    chair_console, recorder       the same, and seat_client (its connection)
    hemicycle                     everything (the composition root)

Imports inside functions count as much as those at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOWN = {"protocol", "procedure", "hansard"}
ALLOWED: dict[str, set[str]] = {
    "protocol": set(),
    "procedure": {"protocol"},
    "hansard": {"protocol", "procedure"},
    "hall_server": DOWN,
    "seat_client": DOWN,
    "chair_console": DOWN | {"seat_client"},
    "recorder": DOWN | {"seat_client"},
    "hemicycle": {"protocol", "procedure", "hansard", "hall_server", "seat_client", "chair_console", "recorder"},
}
PROJECT = set(ALLOWED) | {"tests", "benchmarks", "scripts"}


def imported_packages(source: str) -> set[str]:
    """Top-level project packages a module's source imports (absolute imports; relative ones stay inside)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & PROJECT


def violations(package: str, source: str) -> set[str]:
    """The project packages ``source``, a module of ``package``, may not import."""
    return imported_packages(source) - ALLOWED[package] - {package}


def modules() -> list[tuple[str, Path]]:
    return [(pkg, path) for pkg in sorted(ALLOWED) for path in sorted((ROOT / pkg).rglob("*.py"))]


def test_every_package_is_in_the_rule() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize(("package", "path"), modules(), ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path)
                         else v)
def test_imports_point_downwards(package: str, path: Path) -> None:
    assert violations(package, path.read_text()) == set(), f"{path.relative_to(ROOT)} breaks the layout rule"


@pytest.mark.parametrize(("package", "source", "bad"), [
    ("procedure", "from hall_server.hall import Hall\n", {"hall_server"}),
    ("protocol", "def f():\n    import procedure.views\n", {"procedure"}),
    ("hall_server", "from recorder.archive import Archive\n", {"recorder"}),
    ("seat_client", "import chair_console\n", {"chair_console"}),
    ("recorder", "from hemicycle.cli import main\n", {"hemicycle"}),
    ("hansard", "from tests.hall import HallServer\n", {"tests"}),
    ("recorder", "from seat_client.client import HallClient\nfrom . import archive\n", set()),
])
def test_the_rule_bites(package: str, source: str, bad: set[str]) -> None:
    assert violations(package, source) == bad
