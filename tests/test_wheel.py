"""A wheel built from the repository carries ontology, shapes, queries and sources, and works outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
    )
    (found,) = out.glob("dystonia_kg-*.whl")
    return found


def test_wheel_carries_the_data_folders(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("ontology", "shapes", "queries"):
        assert any(n.startswith(f"graph/_resources/{folder}/") for n in names), folder
    assert "graph/_resources/ontology/dystonia-kg.ttl" in names
    assert "graph/_resources/ontology/imports/hp_import.ttl" in names
    assert any(n.startswith("graph/curation/statements/") and n.endswith(".yaml") for n in names)
    assert "graph/curation/sources.yaml" in names
    assert "graph/curation/ledger/Source000.yaml" in names  # the build needs the sentence ledgers
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


@pytest.mark.slow  # a full build from the installed wheel: .ci/run runs it
def test_wheel_builds_a_release_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import sys; from pathlib import Path; import graph.paths as p; "
        "assert str(p.resource_dir('shapes')).startswith(sys.argv[1]), p.resource_dir('shapes'); "
        "from graph.cli import main; sys.exit(main(['--release', sys.argv[2], 'build']))"
    )
    # Only the extracted wheel (and the venv's dependencies) are importable: not the checkout.
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"}
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); " + script,
         str(site), str(tmp_path / "release")],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "release" / "current" / "dystonia-kg.nt").stat().st_size > 0
