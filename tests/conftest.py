"""Shared fixtures. Upstream data comes from $AGGLOMAP_SOURCES (CI: ../shared/data/sources)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _sources_dir() -> Path:
    env = os.environ.get("AGGLOMAP_SOURCES")
    path = Path(env) if env else REPO.parent / "shared" / "data" / "sources"
    if not (path / "geokz").is_dir():
        raise RuntimeError(
            f"upstream sources not found at {path}; set AGGLOMAP_SOURCES to the folder that "
            "holds geokz/ and hotosm_kaz_populated_places.geojson"
        )
    return path.resolve()


SOURCES_DIR = _sources_dir()
os.environ["AGGLOMAP_SOURCES"] = str(SOURCES_DIR)


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """Folder holding the offline copy of the upstream data."""
    return SOURCES_DIR
