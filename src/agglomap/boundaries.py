"""Boundary layers: oblasts and districts of Kazakhstan in the 2018 and 2022 layouts.

Geometry comes from geokz (CC BY 4.0, fetched and verified by :mod:`agglomap.sources`);
names, kinds and administrative centres of oblasts come from the region table
(:mod:`agglomap.regions`), joined on the KATO code. Vintage ``"2018"`` is geokz's
``adm*_2018`` (June 2018 - June 2022: 17 units), ``"2022"`` its ``adm*_2024`` edition of
the layout since June 2022 (20 units).

Areas (``area_km2``) are planar areas on an Albers equal-area conic projection fitted to
Kazakhstan (:data:`EQUAL_AREA`); an equal-area projection preserves area exactly, and the
tests check the result against pyproj's geodesic polygon area.
"""

from __future__ import annotations

import re
from contextlib import suppress
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .choices import LEVELS
from .crosswalk import load_districts
from .errors import AgglomapError, InputError, SourceError, suggest
from .regions import check_vintage, regions_for
from .sources import SHAPEFILE_PARTS, entry, fetch_layer, local_dir, local_path

EQUAL_AREA = "+proj=aea +lat_1=42 +lat_2=54 +lat_0=48 +lon_0=67 +datum=WGS84 +units=m +no_defs"
LAYERS = {
    ("2018", "oblast"): "kaz_admbnda_adm1_2018",
    ("2022", "oblast"): "kaz_admbnda_adm1_2024",
    ("2018", "district"): "kaz_admbnda_adm2_2018",
    ("2022", "district"): "kaz_admbnda_adm2_2024",
}
COUNTRY_LAYER = "kaz_admbnda_adm0_2018"
OBLAST_COLUMNS = [
    "region_id",
    "iso_3166_2",
    "kato",
    "kind",
    "name_kk",
    "name_ru",
    "name_en",
    "centre",
    "area_km2",
    "vintage",
    "geometry",
]
DISTRICT_COLUMNS = [
    "district_id",
    "kato",
    "name_kk",
    "name_ru",
    "name_en",
    "region_id",
    "area_km2",
    "vintage",
    "geometry",
]


# Latin letters drawn like Cyrillic ones. geokz writes the Russian name of Arshaly
# District "Aршалинский" with a Latin A and the Kazakh "Солтүстiк" with a Latin i.
_LOOKALIKES = str.maketrans("AaBCcEeHKkMOoPpTXxyY", "АаВСсЕеНКкМОоРрТХхуУ")
_LOOKALIKES_KK = str.maketrans("Ii", "Іі")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")


# English district names geokz spells wrong, repaired on load (upstream spelling -> name).
# Zhanasemey District (Жаңасемей ауданы, Abai region, KATO 101010000) is "Zharasemey" in
# the 2024 layer; its Kazakh and Russian names are right.
_DISTRICT_EN_FIXES = {"Zharasemey": "Zhanasemey"}


class BoundaryWarning(UserWarning):
    """A user's boundary file was read, but something in it deserves a look (one line)."""


def cyrillic_name(name: object, kazakh: bool = False) -> object:
    """Latin look-alike letters in an otherwise Cyrillic word made Cyrillic:
    ``"Aршалинский"`` → ``"Аршалинский"``; with ``kazakh``, ``i`` → ``і`` too.

    Words without Cyrillic letters are left alone, and so is anything but a str.
    """
    if not isinstance(name, str) or not _LATIN_LETTER.search(name):
        return name
    table = [_LOOKALIKES, _LOOKALIKES_KK] if kazakh else [_LOOKALIKES]

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if not _CYRILLIC_LETTER.search(word):
            return word
        for t in table:
            word = word.translate(t)
        return word

    return re.sub(r"\w+", fix, name)


def area_km2(geometry: gpd.GeoSeries) -> np.ndarray:
    """Area of each geometry in km² on the equal-area projection :data:`EQUAL_AREA`."""
    return geometry.to_crs(EQUAL_AREA).area.to_numpy() / 1e6


def polygonal(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Repair invalid geometries with ``shapely.make_valid``, keeping only polygonal parts."""
    geoms = geometry.to_numpy().copy()
    bad = np.flatnonzero(~shapely.is_valid(geoms))
    for i in bad:  # a handful at most; valid ones are untouched
        fixed = shapely.make_valid(geoms[i])
        parts = shapely.get_parts(fixed)
        kinds = shapely.get_type_id(parts)
        polys = parts[(kinds == 3) | (kinds == 6)]  # Polygon, MultiPolygon
        geoms[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    return gpd.GeoSeries(geoms, index=geometry.index, crs=geometry.crs)


def _read_layer(stem: str, folder: str | None) -> gpd.GeoDataFrame:
    path = fetch_layer(stem, folder)
    return gpd.read_file(path, engine="pyogrio").to_crs(4326)


def check_level(level: str) -> str:
    text = str(level).strip().lower()
    if text not in LEVELS:
        hint = suggest(text, LEVELS)
        raise InputError(
            f"unknown level {level!r}; choose one of {', '.join(LEVELS)}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
        )
    return text


def load_boundaries(
    vintage: str | int = "2022",
    level: str = "oblast",
) -> gpd.GeoDataFrame:
    """Oblasts (17 in 2018, 20 in 2022) or districts (216 / 224) as a GeoDataFrame, EPSG:4326.

    geokz layers, read from :data:`agglomap.settings.sources_dir` (or ``$AGGLOMAP_SOURCES``)
    or downloaded into the cache and verified (:mod:`agglomap.sources`).
    """
    v, lv = check_vintage(vintage), check_level(level)
    folder = local_dir()
    return _build(v, lv, None if folder is None else str(folder.resolve())).copy()


@lru_cache(maxsize=8)
def _build(vintage: str, level: str, folder: str | None) -> gpd.GeoDataFrame:
    raw = _read_layer(LAYERS[vintage, level], folder)
    build = _oblasts if level == "oblast" else _districts
    frame = gpd.GeoDataFrame(build(raw, vintage), geometry="geometry", crs=4326)
    frame["geometry"] = polygonal(frame.geometry)
    frame["area_km2"] = area_km2(frame.geometry)
    frame["vintage"] = vintage
    columns = OBLAST_COLUMNS if level == "oblast" else DISTRICT_COLUMNS
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=4326)


def _oblasts(raw: gpd.GeoDataFrame, vintage: str) -> pd.DataFrame:
    table = regions_for(vintage).set_index("kato")
    unknown = sorted(set(raw["KATO"]) - set(table.index))
    missing = sorted(set(table.index) - set(raw["KATO"]))
    if unknown or missing or len(raw) != len(table):
        raise SourceError(
            f"geokz {LAYERS[vintage, 'oblast']} does not match the region table for "
            f"{vintage}: KATO codes not in the table {unknown}, table units missing {missing}"
        )
    rows = table.loc[raw["KATO"]].reset_index()
    pcode = "KZ-" + raw["ADM1_PCODE"].str[2:].to_numpy()
    if not (rows["region_id"].to_numpy() == pcode).all():
        raise SourceError(f"geokz {LAYERS[vintage, 'oblast']}: ADM1_PCODE disagrees with KATO")
    rows["iso_3166_2"] = rows["region_id"]
    rows["centre"] = rows[f"centre_{vintage}"]
    rows["geometry"] = raw.geometry.to_numpy()
    return rows.sort_values("region_id").reset_index(drop=True)


def _districts(raw: gpd.GeoDataFrame, vintage: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "district_id": raw["ADM2_PCODE"],
            "kato": raw["KATO"],
            "name_kk": raw["ADM2_KK"].map(lambda n: cyrillic_name(n, kazakh=True)),
            "name_ru": raw["ADM2_RU"].map(cyrillic_name),
            "name_en": raw["ADM2_EN"].replace(_DISTRICT_EN_FIXES),
            "region_id": "KZ-" + raw["ADM1_PCODE"].str[2:],
            "geometry": raw.geometry.to_numpy(),
        }
    )
    unknown = sorted(set(frame["region_id"]) - set(regions_for(vintage)["region_id"]))
    if unknown:
        raise SourceError(f"geokz {LAYERS[vintage, 'district']}: unknown regions {unknown}")
    return frame.sort_values("district_id").reset_index(drop=True)


def country_outline() -> gpd.GeoDataFrame:
    """Kazakhstan's outline (geokz adm0): one row with ``name_kk/ru/en``, ``area_km2``."""
    folder = local_dir()
    return _outline(None if folder is None else str(folder.resolve())).copy()


@lru_cache(maxsize=2)
def _outline(folder: str | None) -> gpd.GeoDataFrame:
    raw = _read_layer(COUNTRY_LAYER, folder)
    frame = gpd.GeoDataFrame(
        {
            "name_kk": raw["ADM0_KK"].map(lambda n: cyrillic_name(n, kazakh=True)),
            "name_ru": raw["ADM0_RU"].map(cyrillic_name),
            "name_en": raw["ADM0_EN"],
        },
        geometry=polygonal(raw.geometry),
        crs=4326,
    )
    frame["area_km2"] = area_km2(frame.geometry)
    return frame


def _layer_at_hand(stem: str) -> bool:
    """Whether every part of a geokz layer is in the sources folder or the cache already."""
    try:
        folder = local_dir()
    except SourceError:
        return False
    return all(local_path(entry(stem + ext), folder).is_file() for ext in SHAPEFILE_PARTS)


def district_names(vintage: str | int | None = None) -> pd.DataFrame:
    """``name_kk, name_ru, name_en, region_id`` of the districts of one layout (both if None).

    geokz districts when the layer is in the sources folder or the cache (never
    downloaded for this), and always the districts that moved in 2022
    (:func:`agglomap.crosswalk.load_districts`). For recognising district names only.
    """
    vintages = [check_vintage(vintage)] if vintage is not None else ["2018", "2022"]
    columns = ["name_kk", "name_ru", "name_en", "region_id"]
    parts = []
    for v in vintages:
        if _layer_at_hand(LAYERS[v, "district"]):
            with suppress(AgglomapError):  # a checksum mismatch: refused where it matters
                parts.append(load_boundaries(v, "district")[columns])
        moved = load_districts().rename(columns={f"region_{v}": "region_id"})
        parts.append(moved[columns])
    return pd.concat(parts, ignore_index=True)
