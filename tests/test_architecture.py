"""The layout's rules, read from the code: one store seam. (The import contracts are checked by
`lint-imports` in `make lint`; see pyproject.toml.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEAM = ROOT / "graph" / "store.py"


def _engine_store_uses(path: Path) -> list[str]:
    """Places in ``path`` that construct or open a pyoxigraph ``Store`` or a ``RemoteStore``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = {"pyoxigraph"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "pyoxigraph"}
        elif isinstance(node, ast.ImportFrom) and node.module == "pyoxigraph":
            found += [f"{path.name}:{node.lineno} imports Store" for a in node.names if a.name == "Store"]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr == "Store" and isinstance(node.value, ast.Name)
                and node.value.id in modules):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.Store")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "RemoteStore":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} constructs RemoteStore")
    return found


def test_only_the_store_seam_opens_a_backend() -> None:
    """graph/store.py is the one place that opens an engine (embedded or remote); everything else asks it."""
    offenders = [use for package in ("graph", "server") for path in sorted((ROOT / package).rglob("*.py"))
                 if path != SEAM for use in _engine_store_uses(path)]
    assert offenders == []
    assert _engine_store_uses(SEAM), "the check finds the seam's own uses (it can fail)"
