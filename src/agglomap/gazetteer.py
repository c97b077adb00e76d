"""The city gazetteer: Kazakhstan's cities with names, roles and both-vintage regions.

Shipped as ``agglomap/data/cities.csv``, built by ``geo/build.py`` from ``geo/cities.csv``
(coordinates from GeoNames, CC BY 4.0; see geo/README.md).

Each city's ``population`` comes with ``population_year`` (the year the figure refers
to: 2021 for the national census, N for the Bureau of National Statistics' estimate of
1 January N), ``population_unit`` (:data:`POPULATION_UNITS`) and ``population_source``.
A source starting with ``fallback:`` is GeoNames' undated figure, kept where no census or
Bureau figure was found; its year is empty.
"""

from __future__ import annotations

from functools import cache

import geopandas as gpd
import pandas as pd

from .choices import ROLES
from .data import read_csv
from .errors import InputError, suggest

COLUMNS = (
    "city_id",
    "name_kk",
    "name_ru",
    "name_en",
    "variants",
    "lat",
    "lon",
    "geonameid",
    "coord_source",
    "population",
    "population_year",
    "population_unit",
    "population_source",
    "region_2018",
    "region_2022",
    "status",
    "is_monocity",
    "is_agglomeration",
    "is_smart_city",
)
POPULATION_UNITS = {
    "city": "the town itself (the settlement)",
    "city_administration": "the city with the settlements its akimat administers",
}
POPULATION_FALLBACK = "fallback:"  # how an undated GeoNames population_source starts


@cache
def _table() -> gpd.GeoDataFrame:
    frame = read_csv("cities.csv", COLUMNS)[list(COLUMNS)].copy()
    frame["lat"] = frame["lat"].astype(float)
    frame["lon"] = frame["lon"].astype(float)
    for col in ("geonameid", "population", "population_year"):
        frame[col] = pd.to_numeric(frame[col].replace("", None)).astype("Int64")
    for col in ROLES.values():
        frame[col] = frame[col] == "true"
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def load_cities() -> gpd.GeoDataFrame:
    """All cities, one Point each (EPSG:4326); ``population`` is empty where no source gives it."""
    return _table().copy()


def with_role(role: str) -> gpd.GeoDataFrame:
    """Cities of one group of methodology §2: ``monocity``, ``agglomeration`` or ``smart``."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    table = _table()
    return table[table[ROLES[role]]].reset_index(drop=True).copy()


def monocities() -> gpd.GeoDataFrame:
    """The 27 monocities of the methodology (Maimurunova et al., 2025)."""
    return with_role("monocity")


def city(city_id: str) -> pd.Series:
    """One city by id (``"temirtau"``); an unknown id is an InputError with suggestions."""
    table = _table()
    hits = table[table["city_id"] == city_id]
    if hits.empty:
        close = suggest(city_id, table["city_id"])
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"unknown city_id {city_id!r}{hint}")
    return hits.iloc[0].copy()
