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

import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import AgglomapError, InputError, SourceError, suggest
from .regions import check_vintage, load_regions, regions_for
from .sources import fetch_layer, local_dir

EQUAL_AREA = "+proj=aea +lat_1=42 +lat_2=54 +lat_0=48 +lon_0=67 +datum=WGS84 +units=m +no_defs"
LEVELS = ("oblast", "district")
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


def _read_layer(stem: str, sources_dir: str | Path | None) -> gpd.GeoDataFrame:
    path = fetch_layer(stem, sources_dir)
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
    sources_dir: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Oblasts (17 in 2018, 20 in 2022) or districts (216 / 224) as a GeoDataFrame, EPSG:4326."""
    v, lv = check_vintage(vintage), check_level(level)
    folder = local_dir(sources_dir)
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
            "name_kk": raw["ADM2_KK"],
            "name_ru": raw["ADM2_RU"],
            "name_en": raw["ADM2_EN"],
            "region_id": "KZ-" + raw["ADM1_PCODE"].str[2:],
            "geometry": raw.geometry.to_numpy(),
        }
    )
    unknown = sorted(set(frame["region_id"]) - set(regions_for(vintage)["region_id"]))
    if unknown:
        raise SourceError(f"geokz {LAYERS[vintage, 'district']}: unknown regions {unknown}")
    return frame.sort_values("district_id").reset_index(drop=True)


def country_outline(sources_dir: str | Path | None = None) -> gpd.GeoDataFrame:
    """Kazakhstan's outline (geokz adm0): one row with ``name_kk/ru/en``, ``area_km2``."""
    raw = _read_layer(COUNTRY_LAYER, sources_dir)
    frame = gpd.GeoDataFrame(
        {
            "name_kk": raw["ADM0_KK"],
            "name_ru": raw["ADM0_RU"],
            "name_en": raw["ADM0_EN"],
        },
        geometry=polygonal(raw.geometry),
        crs=4326,
    )
    frame["area_km2"] = area_km2(frame.geometry)
    return frame


# --- a user's own boundary file -------------------------------------------------------

# Alphabetic ISO 3166-2:KZ codes in use before the 2020 switch to numeric ones, and the
# codes geokz gives the three regions created in 2022 (its ISO_3166_2 column).
_ALPHA_CODES = {
    "KZ-AKM": "KZ-11",
    "KZ-AKT": "KZ-15",
    "KZ-ALM": "KZ-19",
    "KZ-ATY": "KZ-23",
    "KZ-ZAP": "KZ-27",
    "KZ-ZHA": "KZ-31",
    "KZ-KAR": "KZ-35",
    "KZ-KUS": "KZ-39",
    "KZ-KZY": "KZ-43",
    "KZ-MAN": "KZ-47",
    "KZ-PAV": "KZ-55",
    "KZ-SEV": "KZ-59",
    "KZ-YUZ": "KZ-61",
    "KZ-VOS": "KZ-63",
    "KZ-AST": "KZ-71",
    "KZ-ALA": "KZ-75",
    "KZ-SHY": "KZ-79",
    "KZ-ABY": "KZ-10",
    "KZ-ZHT": "KZ-33",
    "KZ-ULT": "KZ-62",
}
_GENERIC = {
    "region", "oblast", "oblysy", "province", "city", "qalasy", "qala", "the", "of",
    "область", "обл", "облысы", "город", "г", "қаласы", "қала",
}  # fmt: skip


def _norm(text: str) -> str:
    """Casefolded words; ё→е and Kazakh і→i so spelling variants meet."""
    s = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е").replace("\u0456", "i")
    return " ".join(re.findall(r"\w+", s))


def _strip(norm: str) -> str:
    return " ".join(w for w in norm.split() if w not in _GENERIC)


@lru_cache(maxsize=1)
def _name_index() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Exact and generic-words-stripped lookups of every name and alias → region_id."""
    exact: dict[str, str] = {}
    stripped: dict[str, set[str]] = {}
    labels: list[str] = []
    for row in load_regions().itertuples():
        names = [row.name_kk, row.name_ru, row.name_en, *row.aliases.split(";")]
        for name in filter(None, (n.strip() for n in names)):
            labels.append(name)
            exact.setdefault(_norm(name), row.region_id)
            stripped.setdefault(_strip(_norm(name)), set()).add(row.region_id)
    unique = {k: next(iter(v)) for k, v in stripped.items() if len(v) == 1 and k}
    return exact, unique, labels


def _code_to_region(value: object) -> str | None:
    """KATO (``110000000``), numeric ISO (``KZ-11``), P-code (``KZ11``) or alpha ISO."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    ids = set(load_regions()["region_id"])
    if m := re.fullmatch(r"KZ-?(\d\d)", text):
        return f"KZ-{m[1]}" if f"KZ-{m[1]}" in ids else None
    if re.fullmatch(r"\d\d0{7}", text):
        return f"KZ-{text[:2]}" if f"KZ-{text[:2]}" in ids else None
    return _ALPHA_CODES.get(text)


def _name_to_region(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    exact, stripped, _ = _name_index()
    key = _norm(value)
    found = exact.get(key) or stripped.get(_strip(key))
    if found:
        return found
    try:  # the shared name matcher, where it exists, knows more spellings
        from .names import match_region
    except ImportError:
        return None
    try:
        return match_region(value)
    except (AgglomapError, LookupError, ValueError):
        return None


def _match_column(values: pd.Series, kind: str) -> list[str | None]:
    lookup = _code_to_region if kind == "code" else _name_to_region
    memo = {v: lookup(v) for v in pd.unique(values)}
    return [memo[v] for v in values]


def _detect(frame: pd.DataFrame, path: Path) -> tuple[str, list[str | None]]:
    """The column whose values match the most distinct regions (codes win ties)."""
    best: tuple[int, int, str, list[str | None]] | None = None
    for column in frame.columns:
        for rank, kind in enumerate(("name", "code")):
            matched = _match_column(frame[column], kind)
            score = len({m for m in matched if m})
            if score and (best is None or (score, rank) > best[:2]):
                best = (score, rank, column, matched)
    if best is None or best[0] < math.ceil(len(frame) / 2):
        repeats = (
            f" (column {best[2]!r} names {best[0]} regions over {len(frame)} features: "
            "one feature per oblast-level unit is expected)"
            if best
            else ""
        )
        raise InputError(
            "no column holds region names or codes (KATO like 110000000, ISO 3166-2 like "
            f"KZ-11, or kk/ru/en names){repeats}; columns are "
            f"{', '.join(map(str, frame.columns))}. Name the column with --name-field / "
            "--code-field",
            path=path,
        )
    return best[2], best[3]


def _field(frame: pd.DataFrame, field: str, path: Path) -> str:
    if field in frame.columns:
        return field
    cols = [str(c) for c in frame.columns]
    hint = suggest(field, cols)
    raise InputError(
        f"no such column; columns are {', '.join(cols)}"
        + (f". Did you mean {', '.join(repr(h) for h in hint)}?" if hint else ""),
        path=path,
        column=field,
    )


def read_boundaries(
    path: str | Path,
    name_field: str | None = None,
    code_field: str | None = None,
    vintage: str | int | None = None,
) -> gpd.GeoDataFrame:
    """A user's own oblast-level boundary file (any format GDAL reads) in the oblast schema.

    Each feature is matched to a region by ``code_field`` (KATO, ``KZ-11``, ``KZ11`` or
    ``KZ-AKM``) or ``name_field`` (kk/ru/en name or alias); with neither, the column that
    matches the most regions is used. ``vintage`` defaults to ``"2022"`` if a region that
    only exists since 2022 appears, else ``"2018"``. Geometry is reprojected to EPSG:4326.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    try:
        raw = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # GDAL's own message says what is wrong with the file
        raise InputError(f"cannot read as a vector layer: {exc}", path=path) from exc
    if len(raw) == 0:
        raise InputError("the layer has no features", path=path)
    attrs = pd.DataFrame(raw.drop(columns=raw.geometry.name))
    if code_field is not None:
        column, kind = _field(attrs, code_field, path), "code"
        matched = _match_column(attrs[column], kind)
    elif name_field is not None:
        column, kind = _field(attrs, name_field, path), "name"
        matched = _match_column(attrs[column], kind)
    else:
        column, matched = _detect(attrs, path)
    _check_matches(attrs[column], matched, path, column)

    if vintage is None:
        only_2022 = set(regions_for("2022")["region_id"]) - set(regions_for("2018")["region_id"])
        vintage = "2022" if only_2022 & set(matched) else "2018"
    v = check_vintage(vintage)
    table = regions_for(v).set_index("region_id")
    for i, rid in enumerate(matched):
        if rid not in table.index:
            raise InputError(
                f"{attrs[column].iloc[i]!r} ({rid}) is not a unit of the {v} layout",
                path=path,
                row=i + 1,
                column=column,
            )

    geometry = _user_geometry(raw, path)
    rows = table.loc[matched].reset_index()
    frame = gpd.GeoDataFrame(
        {
            "region_id": rows["region_id"],
            "iso_3166_2": rows["region_id"],
            "kato": rows["kato"],
            "kind": rows["kind"],
            "name_kk": rows["name_kk"],
            "name_ru": rows["name_ru"],
            "name_en": rows["name_en"],
            "centre": rows[f"centre_{v}"],
        },
        geometry=geometry.to_numpy(),
        crs=4326,
    )
    frame["area_km2"] = area_km2(frame.geometry)
    frame["vintage"] = v
    return frame[OBLAST_COLUMNS]


def _check_matches(values: pd.Series, matched: list[str | None], path: Path, column: str) -> None:
    _, _, labels = _name_index()
    for i, rid in enumerate(matched):
        if rid is None:
            value = values.iloc[i]
            hint = suggest(str(value), labels)
            raise InputError(
                f"{value!r} is not a region name or code"
                + (f"; did you mean {', '.join(repr(h) for h in hint)}?" if hint else ""),
                path=path,
                row=i + 1,
                column=column,
            )
    seen: dict[str, int] = {}
    for i, rid in enumerate(matched):
        if rid in seen:
            raise InputError(
                f"{values.iloc[i]!r} is {rid} again (already row {seen[rid] + 1}); "
                "one feature per region expected",
                path=path,
                row=i + 1,
                column=column,
            )
        seen[rid] = i


def _user_geometry(raw: gpd.GeoDataFrame, path: Path) -> gpd.GeoSeries:
    geometry = raw.geometry
    kinds = set(geometry.geom_type.dropna())
    if geometry.isna().any() or not kinds <= {"Polygon", "MultiPolygon"}:
        raise InputError(
            f"expected polygons for every feature, found {sorted(kinds) or 'none'}"
            + (" and empty geometries" if geometry.isna().any() else ""),
            path=path,
        )
    if geometry.crs is None:
        minx, miny, maxx, maxy = geometry.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InputError("the layer has no coordinate reference system (CRS)", path=path)
        geometry = geometry.set_crs(4326)
    return polygonal(geometry.to_crs(4326))
