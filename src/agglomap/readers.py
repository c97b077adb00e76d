"""Reading user files into agglomap's frames: towns, boundary layers, scores, assessments.

Every file a user hands agglomap is read here or through :mod:`agglomap.tables` (the
table parser under all of them: CSV in any encoding and delimiter, XLSX, YAML, the one
column finder :func:`agglomap.tables.find_column`); indicator tables are read by
:func:`agglomap.indicators.read_indicators` on top of it. Each reader refuses bad input with
a one-line :class:`agglomap.errors.InputError` naming the file, row and column.

* :func:`read_towns` — a point layer or a table with latitude/longitude columns;
* :func:`read_boundaries` — a user's own oblast-level boundary layer, matched to regions;
* :func:`read_scores`, :func:`read_assessment` — tables ``agglomap score`` / ``agglomap
  monocity`` wrote, for the monocity map.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import tables
from .boundaries import OBLAST_COLUMNS, BoundaryWarning, area_km2, polygonal
from .errors import InputError
from .gazetteer import load_cities
from .names import match_region, match_regions
from .numbers import parse_number
from .regions import KZ_BBOX, check_vintage, regions_for
from .tables import find_column

NAME_COLUMNS = ("name_en", "name:en", "name", "name_ru", "name:ru", "name_kk", "name:kk")
ID_COLUMNS = ("id", "city_id", "osm_id", "fid")
LAT_COLUMNS = ("lat", "latitude", "y", "широта", "ендік")
LON_COLUMNS = ("lon", "lng", "long", "longitude", "x", "долгота", "бойлық")
# Population columns (the header, or its first words): copied to ``population`` as numbers.
POPULATION_COLUMNS = (
    "population",
    "население",
    "численность населения",
    "халық саны",
    "тұрғындар саны",
    "pop",
)
# Name columns in Russian/Kazakh, copied to ``name`` when the file has none.
LOCAL_NAME_COLUMNS = ("название", "наименование", "город", "населенный пункт", "атауы", "қала")


# --- towns: a point layer or a table with coordinates ------------------------------------


def _parse_cells(
    cells: Any, rows: list[int], *, column: str, path: Path, valid: Any, expected: str
) -> np.ndarray:
    """Cells in published number format (``12 345``, ``50,07``) as floats; an InputError
    naming the row and column of the first cell that is text or fails ``valid``."""
    values = []
    for cell, row in zip(cells, rows, strict=True):
        try:
            v = parse_number(cell)
        except ValueError:
            v = None
        if v is None or not valid(v):
            raise InputError(
                f"expected {expected}, got {cell!r}", path=path, row=row, column=column
            )
        values.append(v)
    return np.array(values, dtype=float)


def _parse_population(cells: Any, column: str, rows: list[int], path: Path) -> np.ndarray:
    """Population cells (empty or "no data" marks → NaN); rows are feature numbers in a layer."""
    return _parse_cells(
        cells,
        rows,
        column=column,
        path=path,
        valid=lambda v: np.isnan(v) or (np.isfinite(v) and v >= 0),
        expected="a population (a number >= 0, or empty)",
    )


def _parse_coords(raw: Any, column: str, limit: float, path: Path) -> np.ndarray:
    """A coordinate column as floats (``50,07`` too), each within ±``limit`` degrees."""
    return _parse_cells(
        raw.frame[column],
        raw.rows,
        column=column,
        path=path,
        valid=lambda v: np.isfinite(v) and abs(v) <= limit,
        expected=f"a number within ±{limit:g} degrees",
    )


def _read_towns_table(path: Path) -> gpd.GeoDataFrame:
    raw = tables.read_table(path)
    frame = raw.frame
    lat_col, lon_col = (
        find_column(LAT_COLUMNS, frame.columns, head=True),
        find_column(LON_COLUMNS, frame.columns, head=True),
    )
    if lat_col is None or lon_col is None:
        missing = "latitude" if lat_col is None else "longitude"
        raise InputError(
            f"no {missing} column; expected one of "
            f"{', '.join(LAT_COLUMNS if lat_col is None else LON_COLUMNS)} "
            f"(header row {raw.header_row}, columns: {tables.quoted(raw.columns)})",
            path=path,
        )
    if frame.empty:
        raise InputError("no towns: expected one row per town under the header", path=path)
    lat = _parse_coords(raw, lat_col, 90, path)
    lon = _parse_coords(raw, lon_col, 180, path)
    frame = frame.copy()
    _add_population(frame, raw.rows, path)
    if find_column(NAME_COLUMNS, frame.columns) is None:
        local = find_column(LOCAL_NAME_COLUMNS, frame.columns, head=True)
        if local is not None:
            frame["name"] = frame[local]
    layer = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    layer.attrs["rows"] = list(raw.rows)
    return layer


def _add_population(frame: pd.DataFrame, rows: list[int], path: Path) -> None:
    """Read the population column, if any, into ``population`` (floats, NaN where empty)."""
    col = find_column(POPULATION_COLUMNS, frame.columns, head=True)
    if col is not None:
        frame["population"] = _parse_population(frame[col], col, rows, path)


def _check_extent(layer: gpd.GeoDataFrame, path: Path, rows: list[int], what: str) -> None:
    """Refuse towns outside Kazakhstan's extent (:data:`KZ_BBOX`), naming them."""
    west, south, east, north = KZ_BBOX
    x, y = layer.geometry.x.to_numpy(), layer.geometry.y.to_numpy()
    out = ~((x >= west) & (x <= east) & (y >= south) & (y <= north))
    if not out.any():
        return
    swapped = (y >= west) & (y <= east) & (x >= south) & (x <= north)
    name_col = find_column(NAME_COLUMNS, layer.columns)
    listed = []
    for i in np.flatnonzero(out)[:5]:
        name = f" {str(layer[name_col].iloc[i])!r}" if name_col else ""
        flag = ": lat/lon swapped?" if swapped[i] else ""
        listed.append(f"{what} {rows[i]}{name} (lat {y[i]:g}, lon {x[i]:g}{flag})")
    more = f" and {int(out.sum()) - 5} more" if out.sum() > 5 else ""
    hint = "; agglomap scores towns in Kazakhstan only" + (
        "; are the latitude and longitude columns swapped?" if swapped[out].any() else ""
    )
    raise InputError(
        f"{int(out.sum())} town(s) outside Kazakhstan's extent (lon {west}–{east} E, "
        f"lat {south}–{north} N): {'; '.join(listed)}{more}{hint}",
        path=path,
        row=rows[int(np.flatnonzero(out)[0])] if out.sum() == 1 else None,
    )


def read_towns(path: str | Path) -> gpd.GeoDataFrame:
    """A point layer of towns in Kazakhstan: GeoJSON/GPKG/Shapefile with Point geometry,
    or a table (CSV in any encoding/delimiter :func:`agglomap.tables.read_table` reads, or
    XLSX) with latitude (``lat``, ``latitude``, ``y``, ``широта``, ``ендік``) and longitude
    (``lon``, ``lng``, ``long``, ``longitude``, ``x``, ``долгота``, ``бойлық``) columns.
    Towns outside Kazakhstan's extent (:data:`KZ_BBOX`) are an InputError naming them;
    towns inside the extent but more than :data:`agglomap.territory.BORDER_MARGIN_KM`
    beyond the border (Bishkek, Tashkent, Novosibirsk) are set aside with a
    :class:`TownsWarning` and recorded in ``attrs["set_aside"]`` (see :func:`set_aside_abroad`).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.suffix.lower() in {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls"}:
        layer = _read_towns_table(path)
        rows = layer.attrs.pop("rows")
        _check_extent(layer, path, rows, "row")
        return set_aside_abroad(layer, path, rows, "row")
    check_shapefile_parts(path)
    try:
        layer = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds; the user needs the message
        raise InputError(f"cannot read as a point layer: {exc}", path=path) from None
    if not isinstance(layer, gpd.GeoDataFrame) or layer.geometry.isna().all():
        raise InputError("no geometry; give a point layer or a CSV with lat/lon", path=path)
    bad = layer.geometry.isna() | (layer.geometry.geom_type != "Point")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        got = layer.geometry.iloc[row]
        raise InputError(
            f"expected a Point, got {'no geometry' if got is None else got.geom_type}",
            path=path,
            row=row + 1,
            column="geometry",
        )
    if layer.crs is not None and not layer.crs.equals("EPSG:4326"):
        layer = layer.to_crs("EPSG:4326")
    features = list(range(1, len(layer) + 1))
    _check_extent(layer, path, features, "feature")
    _add_population(layer, features, path)
    return set_aside_abroad(layer, path, features, "feature")


class TownsWarning(UserWarning):
    """A towns file was read, but some of its towns were left out (one line)."""


# How many set-aside towns a warning and ``attrs["set_aside"]`` name one by one.
LISTED_TOWNS = 10


def set_aside_abroad(
    layer: gpd.GeoDataFrame, path: Path, rows: list[int], what: str
) -> gpd.GeoDataFrame:
    """``layer`` without its towns abroad (:func:`agglomap.territory.abroad`), with a
    :class:`TownsWarning` naming them and ``attrs["set_aside"]`` recording them (count,
    rule, the first :data:`LISTED_TOWNS`). InputError if no town is left. Without the
    boundaries (offline, no sources) only the extent check applies, and
    ``attrs["set_aside"]`` says so."""
    from .territory import BORDER_MARGIN_KM, abroad

    rule = f"more than {BORDER_MARGIN_KM:g} km outside Kazakhstan (geokz 2022 oblasts)"
    out = abroad(layer.geometry.x.to_numpy(), layer.geometry.y.to_numpy())
    if out is None:
        layer.attrs["set_aside"] = {
            "count": 0,
            "rule": "boundaries unavailable: towns were checked against Kazakhstan's "
            "extent only, not its border",
        }
        return layer
    if not out.any():
        return layer
    name_col = find_column(NAME_COLUMNS, layer.columns)
    listed = []
    for i in np.flatnonzero(out)[:LISTED_TOWNS]:
        name = f" {str(layer[name_col].iloc[i])!r}" if name_col else ""
        pt = layer.geometry.iloc[i]
        listed.append(f"{what} {rows[i]}{name} (lat {pt.y:.4f}, lon {pt.x:.4f})")
    n = int(out.sum())
    more = f" … and {n - len(listed)} more" if n > len(listed) else ""
    if out.all():
        raise InputError(
            f"no town in Kazakhstan: all {n} are {rule}: {'; '.join(listed)}{more}", path=path
        )
    warnings.warn(
        f"{path}: {n} town(s) {rule} set aside, not scored: {'; '.join(listed)}{more}",
        TownsWarning,
        stacklevel=3,
    )
    kept = layer.loc[~out].reset_index(drop=True)
    kept.attrs["set_aside"] = {"count": n, "rule": rule, "towns": listed}
    return kept


# --- boundaries: a user's own oblast layer -------------------------------------------------------


def _as_text(value: object) -> str | None:
    """A cell as the name matcher reads it (integral floats as integers: KATO codes)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _lookup(value: object) -> str | None:
    text = _as_text(value)
    if text is None:
        return None
    try:
        return match_region(text)
    except InputError:
        return None


def _detect(frame: pd.DataFrame, path: Path) -> str:
    """The column whose values name the most distinct regions (by name or code)."""
    best: tuple[int, str] | None = None
    for column in frame.columns:
        values = pd.unique(frame[column].to_numpy(dtype=object))
        score = len({rid for rid in map(_lookup, values) if rid})
        if score and (best is None or score > best[0]):
            best = (score, column)
    if best is None or best[0] < math.ceil(len(frame) / 2):
        repeats = (
            f" (column {best[1]!r} names {best[0]} regions over {len(frame)} features: "
            "one feature per oblast-level unit is expected)"
            if best
            else ""
        )
        raise InputError(
            "no column holds region names or codes (KATO like 110000000, ISO 3166-2 like "
            f"KZ-11, or kk/ru/en names){repeats}; columns are "
            f"{', '.join(map(str, frame.columns))}. Name the column with name_field=NAME or "
            "code_field=NAME",
            param=("name_field", "code_field"),
            path=path,
        )
    return best[1]


TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods")
NOT_A_LAYER = "not a boundary layer GDAL can read"


# The parts of a shapefile GDAL needs beside the .shp: the index and the attribute table.
SHAPEFILE_NEEDS = {".shx": "its index", ".dbf": "its attribute table, which holds the columns"}


def check_shapefile_parts(path: Path) -> None:
    """InputError naming the missing ``.dbf``/``.shx`` of a shapefile ``path`` (a shapefile
    is several files; copying only the .shp loses the columns)."""
    if path.suffix.lower() != ".shp":
        return
    present = {p.name.lower() for p in path.parent.iterdir()} if path.parent.is_dir() else set()
    for ext, what in SHAPEFILE_NEEDS.items():
        if (path.stem + ext).lower() not in present:
            raise InputError(
                f"the shapefile's {path.stem + ext}, {what}, is missing beside it: a "
                "shapefile is several files (.shp, .shx, .dbf, .prj…); copy them all, or "
                "use one GeoPackage (.gpkg) instead",
                path=path,
            )


def _read_user_layer(path: Path) -> gpd.GeoDataFrame:
    """A user's vector file as read by GDAL; one-line InputError when it is none (a table,
    a file GDAL does not recognise, a layer without geometry)."""
    check_shapefile_parts(path)
    reason = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - GDAL and the codecs raise many kinds
        raw, reason = None, str(exc).split(";")[0].strip().rstrip(".")
    table = path.suffix.lower() in TABLE_SUFFIXES
    layer = isinstance(raw, gpd.GeoDataFrame) and (len(raw) == 0 or raw.geometry.notna().any())
    if layer and not table:
        return raw
    if table or reason is None:
        raise InputError(
            f"{NOT_A_LAYER} (a table? tables are joined to boundaries, not read as boundaries)",
            path=path,
        )
    if "not recognized as" in reason or "codec can't decode" in reason:
        reason = "not a format GDAL recognises"
    raise InputError(f"{NOT_A_LAYER} ({reason})", path=path)


def read_boundaries(
    path: str | Path,
    name_field: str | None = None,
    code_field: str | None = None,
    vintage: str | int | None = None,
) -> gpd.GeoDataFrame:
    """A user's own oblast-level boundary file (any format GDAL reads) in the oblast schema.

    Each feature is matched to a region (:func:`agglomap.names.match_region`) by the
    ``code_field`` (KATO, ``KZ-11``, ``KZ11``, ``KZ-AKM``) or ``name_field`` column (kk/ru/en
    names, old names); with neither, the column naming the most regions is used.
    ``vintage`` defaults to ``"2022"`` if a region that only exists since 2022 appears,
    else ``"2018"``; a file of the other layout is refused. Regions of the layout with no
    feature are a :class:`BoundaryWarning`; ``attrs["missing_regions"]`` lists them and
    ``attrs["source_path"]`` names the file. Geometry is reprojected to EPSG:4326 and
    repaired if invalid.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    raw = _read_user_layer(path)
    if len(raw) == 0:
        raise InputError("the layer has no features", path=path)
    attrs = pd.DataFrame(raw.drop(columns=raw.geometry.name))
    field = code_field if code_field is not None else name_field
    if field is None:
        column = _detect(attrs, path)
    else:
        column = find_column(field, attrs.columns)
        if column is None:
            raise tables.column_error(field, list(attrs.columns), path=path)
    values = [_as_text(v) for v in attrs[column].to_numpy(dtype=object)]
    where = {"path": path, "column": column, "first_row": 1}  # rows = feature numbers
    matched = _bare_oblast_names(values, match_regions(values, **where))
    new_in_file = [(i, rid) for i, rid in enumerate(matched) if rid in _new_in_2022()]
    if vintage is None:
        vintage = "2022" if new_in_file else "2018"
    v = check_vintage(vintage)
    if v == "2018" and new_in_file:
        found = ", ".join(f"{_region_name(rid)} as feature {i + 1}" for i, rid in new_in_file)
        raise InputError(
            f"has {found}, created in 2022, which do not exist in the 2018 layout: it looks "
            "like the 2022 layout; use vintage='2022'",
            param="vintage",
            path=path,
            column=column,
        )
    matched = _bare_oblast_names(values, match_regions(values, vintage=v, **where))
    _check_unique(values, matched, path, column)

    geometry = _user_geometry(raw, path)
    _warn_repaired(raw, geometry, matched, path)
    if v == "2022":
        _check_not_2018_layout(matched, geometry, path)
    rows = regions_for(v).set_index("region_id").loc[matched].reset_index()
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
    frame = frame[OBLAST_COLUMNS]
    missing = [rid for rid in regions_for(v)["region_id"] if rid not in set(matched)]
    if missing:
        warnings.warn(
            f"{path}: no feature for {len(missing)} of the {len(missing) + len(matched)} "
            f"regions of the {v} layout: {', '.join(map(_region_name, missing))}",
            BoundaryWarning,
            stacklevel=2,
        )
    frame.attrs.update(source_path=str(path), missing_regions=missing)
    return frame


@lru_cache(maxsize=1)
def _new_in_2022() -> frozenset[str]:
    """Region ids of the units created in June 2022 (Abai, Jetisu, Ulytau)."""
    return frozenset(set(regions_for("2022")["region_id"]) - set(regions_for("2018")["region_id"]))


def _region_name(region_id: str) -> str:
    """``"Abai Region (KZ-10)"``."""
    table = regions_for("2022").set_index("region_id")
    return f"{table.at[region_id, 'name_en']} ({region_id})"


def _check_not_2018_layout(matched: list[str], geometry: gpd.GeoSeries, path: Path) -> None:
    """Refuse a file read as the 2022 layout that has none of the regions created in 2022
    while its old regions still cover their centres (Semey in East Kazakhstan …); warn if
    only some are so."""
    table = regions_for("2022").set_index("region_id")
    cities = load_cities().set_index("city_id")
    polygon = dict(zip(matched, geometry.to_numpy(), strict=True))
    missing = sorted(_new_in_2022() - set(matched))
    evidence = []
    for rid in missing:
        parent, centre = table.at[rid, "unit_2018"], table.at[rid, "centre_2022"]
        point = shapely.Point(cities.at[centre, "lon"], cities.at[centre, "lat"])
        if parent in polygon and polygon[parent].covers(point):
            evidence.append(f"{cities.at[centre, 'name_en']} lies in its {_region_name(parent)}")
    if not evidence:
        return
    lacking = ", ".join(map(_region_name, missing))
    if len(evidence) == len(_new_in_2022()):
        raise InputError(
            f"has no {lacking}: it looks like the 2018 layout ({'; '.join(evidence)}); "
            "use vintage='2018'",
            param="vintage",
            path=path,
        )
    warnings.warn(
        f"{path}: read as the 2022 layout, but it has no {lacking} and "
        f"{'; '.join(evidence)}, as in the 2018 layout",
        BoundaryWarning,
        stacklevel=3,
    )


def _bare_oblast_names(values: list[str | None], matched: list[str]) -> list[str]:
    """Read a bare "Almaty" as the oblast when the same file also has "Almaty (city)".

    geokz and many other files name Almaty Region just "Almaty" / "Алматы" and mark the
    city; the name matcher reads a bare "Almaty" as the city. Where two features match
    the same region, the shorter name is re-read with "oblast" added, if that names a
    region not otherwise in the file.
    """
    out = list(matched)
    for rid, count in Counter(matched).items():
        if count < 2:
            continue
        rows = [i for i, m in enumerate(out) if m == rid]
        bare = min(rows, key=lambda i: len(values[i] or ""))
        alt = _lookup(f"{values[bare]} oblast")
        if alt and alt != rid and alt not in out:
            out[bare] = alt
    return out


def _check_unique(values: list[str | None], matched: list[str], path: Path, column: str) -> None:
    seen: dict[str, int] = {}
    for i, rid in enumerate(matched):
        if rid in seen:
            raise InputError(
                f"{values[i]!r} is {rid} again (already feature {seen[rid] + 1}); "
                "one feature per region expected",
                path=path,
                row=i + 1,
                column=column,
            )
        seen[rid] = i


def _warn_repaired(
    raw: gpd.GeoDataFrame, repaired: gpd.GeoSeries, matched: list[str], path: Path
) -> None:
    """A :class:`BoundaryWarning` for each feature whose polygon was invalid (a
    self-intersection…) and repaired, naming the region and how its area changed."""
    geometry = raw.geometry if raw.crs is not None else raw.geometry.set_crs(4326)
    geometry = geometry.to_crs(4326)
    invalid = np.flatnonzero(~shapely.is_valid(geometry.to_numpy()))
    if not invalid.size:
        return
    before = area_km2(geometry.iloc[invalid])
    after = area_km2(repaired.iloc[invalid])
    for i, old, new in zip(invalid, before, after, strict=True):
        reason = shapely.is_valid_reason(geometry.iloc[i]).split("[")[0].strip().lower()
        change = f"{(new - old) / old * 100:+.1f} %" if old > 0 else "new area"
        warnings.warn(
            f"{path}: feature {i + 1} ({_region_name(matched[i])}) had an invalid polygon "
            f"({reason}); repaired, its area changed from {old:,.0f} to {new:,.0f} km² "
            f"({change}); check the file",
            BoundaryWarning,
            stacklevel=3,
        )


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


# --- scores and assessments agglomap wrote (or a user edited) ---


def read_scores(path: str | Path) -> gpd.GeoDataFrame | pd.DataFrame:
    """A scores file: a layer (.gpkg/.geojson/.shp) or a table (.csv/.xlsx with lat, lon)
    read by :func:`agglomap.tables.read_table` (any encoding and delimiter)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    ext = path.suffix.lower()
    if ext in (".gpkg", ".geojson", ".json", ".shp"):
        try:
            return gpd.read_file(path, engine="pyogrio")
        except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds; the user needs why
            raise InputError(f"cannot read as a layer: {exc}", path=path) from None
    if ext in (".csv", *tables.XLSX):
        return tables.typed_frame(tables.read_table(path))
    raise InputError(
        f"unsupported scores format {ext!r}; use .csv, .xlsx, .gpkg or .geojson", path=path
    )


def read_assessment(path: str | Path) -> pd.DataFrame:
    """A monocity assessment table (.csv/.xlsx, as ``agglomap monocity`` writes it)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    ext = path.suffix.lower()
    if ext in (".csv", *tables.XLSX):
        return tables.typed_frame(tables.read_table(path))
    raise InputError(f"unsupported assessment format {ext!r}; use .csv or .xlsx", path=path)
