"""Shared fixtures. Upstream data comes from $AGGLOMAP_SOURCES (CI: ../shared/data/sources).

Without a sources folder, the geokz boundary files are taken from the download cache, or
downloaded into it; when neither works (offline, nothing cached) every test that needs
them is skipped with the reason, and the rest of the suite runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agglomap.errors import SourceError

REPO = Path(__file__).resolve().parents[1]
# The geokz layers the suite reads (oblasts and districts of both layouts, the outline).
LAYERS = (
    "kaz_admbnda_adm0_2018",
    "kaz_admbnda_adm1_2018",
    "kaz_admbnda_adm1_2024",
    "kaz_admbnda_adm2_2018",
    "kaz_admbnda_adm2_2024",
)


def _sources_dir() -> Path | None:
    env = os.environ.get("AGGLOMAP_SOURCES")
    path = Path(env) if env else REPO.parent / "shared" / "data" / "sources"
    return path.resolve() if (path / "geokz").is_dir() else None


def _boundary_data() -> tuple[Path | None, str | None]:
    """The sources folder (None: the cache) and why the boundary data is missing (or None)."""
    folder = _sources_dir()
    if folder is not None:
        os.environ["AGGLOMAP_SOURCES"] = str(folder)
        return folder, None
    os.environ.pop("AGGLOMAP_SOURCES", None)
    from agglomap import sources

    try:
        for stem in LAYERS:
            sources.fetch_layer(stem, progress=False)
    except SourceError as exc:
        return None, (
            "needs the geokz boundary data: no $AGGLOMAP_SOURCES folder and it cannot be "
            f"downloaded ({str(exc).splitlines()[0][:160]})"
        )
    return None, None


SOURCES_DIR, MISSING = _boundary_data()


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """Folder holding the offline copy of the upstream data (the cache when downloaded);
    tests asking for it are skipped when the boundary data cannot be had."""
    if MISSING:
        pytest.skip(MISSING)
    if SOURCES_DIR is None:
        from agglomap.settings import cache_folder

        return cache_folder()
    return SOURCES_DIR


def _skip_without_sources(exc: SourceError) -> None:
    """Without a sources folder, an upstream file that cannot be had skips the test."""
    if SOURCES_DIR is None:
        pytest.skip(MISSING or f"needs an upstream file: {str(exc).splitlines()[0][:200]}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    try:
        return (yield)
    except SourceError as exc:
        _skip_without_sources(exc)
        raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test that reaches for data the machine cannot have is skipped, not failed."""
    try:
        return (yield)
    except SourceError as exc:
        _skip_without_sources(exc)
        raise
