"""Runtime data shipped inside the package (built from geo/ by geo/build.py)."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def data_path(name: str) -> Path:
    """Path of a file shipped in ``agglomap/data``."""
    return Path(str(files(__name__).joinpath(name)))


def read_csv(name: str, columns: Sequence[str]) -> pd.DataFrame:
    """A shipped CSV as strings (empty cells ``""``), checked to have ``columns``."""
    import pandas as pd

    from ..errors import InputError

    path = data_path(name)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"missing columns {missing}", path=path)
    return frame
