"""The one-way layers: ingest -> store -> metrics -> alerts -> service -> (cli, dashboards).

Read from the source with ``ast`` (imports inside functions count too), so a
shortcut from a face straight to the metrics or the alerts fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package -> packages it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "loadwatch/ingest": (
        "loadwatch.store",
        "loadwatch.metrics",
        "loadwatch.alerts",
        "loadwatch.service",
        "loadwatch.cli",
        "dashboards",
    ),
    "loadwatch/metrics": ("loadwatch.alerts", "loadwatch.service", "loadwatch.cli", "dashboards"),
    "loadwatch/alerts": ("loadwatch.service", "loadwatch.cli", "dashboards"),
    "loadwatch/service": ("loadwatch.cli", "dashboards"),
    "loadwatch/cli": ("loadwatch.metrics", "loadwatch.alerts", "dashboards.data"),
    "dashboards": ("loadwatch.metrics", "loadwatch.alerts", "loadwatch.cli"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _cases() -> list[tuple[str, Path]]:
    return [
        (package, path) for package in FORBIDDEN for path in sorted((ROOT / package).rglob("*.py"))
    ]


@pytest.mark.parametrize(
    ("package", "path"), _cases(), ids=lambda v: str(v).split("loadwatch/")[-1]
)
def test_no_import_against_the_layers(package: str, path: Path) -> None:
    bad = sorted(
        name
        for name in imported_modules(path)
        for banned in FORBIDDEN[package]
        if name == banned or name.startswith(banned + ".")
    )
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "face.py"
    sample.write_text("def f():\n    from loadwatch.metrics import daily_load\n")
    assert "loadwatch.metrics" in imported_modules(sample)
