"""Shared fixtures: one release built per test session from the shipped sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build import Assembled, assemble, build, memory_store
from graph.store import EmbeddedStore, open_store

DATA = Path(__file__).parent / "data"


def quiet(_: str) -> None:
    """Progress sink that prints nothing."""


@pytest.fixture(scope="session")
def assembled() -> Assembled:
    """The ontology and curated graphs of the shipped sources (not reasoned)."""
    return assemble(quiet)


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release folder holding one full build of the shipped sources."""
    root = tmp_path_factory.mktemp("release")
    build(root, quiet)
    return root


@pytest.fixture(scope="session")
def release_store(release_dir: Path) -> EmbeddedStore:
    """The on-disk store of the session's release, read-only."""
    return open_store(f"oxigraph:{release_dir / 'current' / 'store'}")


@pytest.fixture()
def assembled_store(assembled: Assembled) -> EmbeddedStore:
    """An in-memory store of the assembled (unreasoned) graphs."""
    return memory_store(assembled)
