"""Runtime data shipped inside the package (built from geo/ by geo/build.py)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_path(name: str) -> Path:
    """Path of a file shipped in ``agglomap/data``."""
    return Path(str(files(__name__).joinpath(name)))
