"""The region table: Kazakhstan's first-level units over the 2018 and 2022 layouts.

Shipped as ``agglomap/data/regions.csv`` (a copy of ``geo/regions.csv``, which names its
sources). One row per unit; ``vintages`` lists the layouts it exists in (``2018;2022``).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .choices import VINTAGES
from .data import read_csv
from .errors import InputError

# Kazakhstan's extreme points, rounded outwards (Wikipedia, "Extreme points of Kazakhstan"):
# west 46.49 E, east 87.36 E, south 40.57 N, north 55.44 N. (west, south, east, north).
# The web maps open on it; read_towns refuses towns outside it.
KZ_BBOX = (46.4, 40.5, 87.4, 55.5)
COLUMNS = (
    "region_id",
    "kato",
    "kind",
    "name_kk",
    "name_ru",
    "name_en",
    "vintages",
    "centre_2018",
    "centre_2022",
    "unit_2018",
    "aliases",
)


@cache
def _table() -> pd.DataFrame:
    return read_csv("regions.csv", COLUMNS)


def load_regions() -> pd.DataFrame:
    """All units as strings (``kato`` keeps its 9 digits); empty cells are ``""``."""
    return _table().copy()


def check_vintage(vintage: str | int) -> str:
    """``"2018"`` or ``"2022"`` from a str or int; anything else is an InputError."""
    text = str(vintage).strip()
    if text not in VINTAGES:
        raise InputError(f"unknown vintage {vintage!r}; choose one of {', '.join(VINTAGES)}")
    return text


def regions_for(vintage: str | int) -> pd.DataFrame:
    """Units of one layout: 17 for ``"2018"``, 20 for ``"2022"``."""
    v = check_vintage(vintage)
    table = _table()
    mask = table["vintages"].str.split(";").apply(lambda vs: v in vs)
    return table[mask].reset_index(drop=True).copy()
