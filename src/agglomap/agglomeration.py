"""Agglomeration potential of towns from real distances: TDaa1..3 with evidence, and gravity.

The seed paper 004 scores TDaa1..3 (0 or 100 each) by expert judgement; here they are
computed from distances to the gazetteer cities and the transport corridors, with every
threshold in :class:`ScoreConfig` (defaults in ``agglomap/data/score_config.yaml``,
argued in docs/agglomeration.md) and the evidence beside each score:

* TDaa1: the nearest *core* city (population >= ``core_min_population``) is within
  ``fua_max_km`` — network distance by default, geodesic with ``distance="geodesic"``.
* TDaa2: the nearest *large* city (of republican significance, an oblast centre of
  ``centre_vintage``, or population >= ``large_min_population``) is within ``near_max_km``.
* TDaa3: at least ``min_corridors`` corridors pass within ``corridor_max_km`` (geodesic
  distance from the town to the nearest point of each corridor).
* ``tdaa = sqrt(tdaa1 + tdaa2 + tdaa3)``; levels 0–5 low, 5–10 medium, 10–15 above medium,
  15– high, a value on a boundary going to the upper band.
* Gravity: ``sum_j P_j f(d_ij)`` over the gazetteer cities (Hansen 1959; Harris 1954),
  normalised so the highest-scoring town of the set is 100.

A town is never its own core, large city or gravity mass: gazetteer cities with the
town's ``city_id``, or (for layers without one) within ``self_radius_km`` of it, are left out.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import distances
from .data import data_path
from .errors import AgglomapError, InputError, did_you_mean
from .regions import KZ_BBOX
from .tables import read_yaml

INDICATORS = ("tdaa1", "tdaa2", "tdaa3")
LEVELS = ((0.0, "low"), (5.0, "medium"), (10.0, "above medium"), (15.0, "high"))
PAPER_TOWNS = ("balkhash", "karazhal", "temirtau")
DECAYS = ("exp", "power")
CENTRE_VINTAGES = ("2018", "2022", "any")
CORRIDOR_COUNTS = ("routes", "per_mode", "all")
# ScoreConfig fields that take one of a few words (the others are numbers >= 0).
CONFIG_CHOICES = {
    "centre_vintage": CENTRE_VINTAGES,
    "corridor_count": CORRIDOR_COUNTS,
    "gravity_decay": DECAYS,
}
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


class SettingError(InputError):
    """A bad score setting: ``config.yaml: key 'fua_max_km': expected a number, got 'abc'``.

    ``key`` names the setting (also as ``column``, for callers that name the matching
    command-line option); ``message`` is the problem without the location.
    """

    def __init__(self, message: str, *, key: str, path: str | Path | None = None) -> None:
        super().__init__(f"key {key!r}: {message}", path=path)
        self.message = message
        self.key = self.column = key


@dataclass(frozen=True)
class ScoreConfig:
    """Thresholds of TDaa1..3 and the gravity potential (km, inhabitants)."""

    core_min_population: int = 250_000
    fua_max_km: float = 60.0
    large_min_population: int = 250_000
    centre_vintage: str = "2022"
    near_max_km: float = 100.0
    corridor_max_km: float = 25.0
    min_corridors: int = 2
    corridor_count: str = "routes"
    same_route_max_deg: float = 30.0
    gravity_decay: str = "exp"
    gravity_d0_km: float = 100.0
    gravity_gamma: float = 2.0
    gravity_min_km: float = 10.0
    self_radius_km: float = 2.0

    def __post_init__(self) -> None:
        for key, allowed in CONFIG_CHOICES.items():
            if getattr(self, key) not in allowed:
                raise SettingError(
                    f"{getattr(self, key)!r} is not one of {', '.join(allowed)}", key=key
                )
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name not in CONFIG_CHOICES and (not np.isfinite(value) or value < 0):
                raise SettingError(f"expected a number >= 0, got {value!r}", key=f.name)


def load_config(path: str | Path | None = None) -> ScoreConfig:
    """Defaults from ``score_config.yaml``, overridden by the keys found in ``path``."""
    values = _read_yaml(data_path("score_config.yaml"))
    if path is not None:
        values.update(_read_yaml(Path(path)))
    fields = {f.name: f.type for f in dataclasses.fields(ScoreConfig)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            hint = did_you_mean(key, fields) or f" (keys: {', '.join(fields)})"
            raise InputError(f"unknown key {key!r}{hint}", path=path)
        kind = fields[key]
        try:
            if kind == "int":
                if float(value) != int(float(value)):
                    raise ValueError
                kwargs[key] = int(float(value))
            elif kind == "float":
                kwargs[key] = float(value)
            else:
                kwargs[key] = str(value)
        except (TypeError, ValueError):
            raise SettingError(
                f"expected {'a whole number' if kind == 'int' else 'a number'}, got {value!r}",
                key=key,
                path=path,
            ) from None
    try:
        return ScoreConfig(**kwargs)
    except SettingError as exc:
        raise SettingError(exc.message, key=exc.key, path=path) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path, "config file")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of setting: value", path=path)
    return dict(data)


def tdaa_level(values: Any) -> np.ndarray:
    """Level band of each TDaa value; a value on a boundary goes to the upper band."""
    values = np.asarray(values, dtype=float)
    bounds = np.array([b for b, _ in LEVELS])
    names = np.array([n for _, n in LEVELS], dtype=object)
    idx = np.searchsorted(bounds, values, side="right") - 1
    out = names[np.clip(idx, 0, len(names) - 1)]
    return np.where(np.isnan(values), None, out)


# --- towns -------------------------------------------------------------------------------


def _first_column(frame: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    lower = {c.lower(): c for c in frame.columns}
    return next((lower[c] for c in candidates if c in lower), None)


def _fold(text: object) -> str:
    return " ".join(str(text).casefold().replace("ё", "е").split())


def _coord_column(frame: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    """The column named one of ``candidates``: the whole header, else its first word
    (``Широта, °`` is a latitude column), ignoring case."""
    cols = [str(c) for c in frame.columns]
    whole = {_fold(c): c for c in cols}
    first = {}
    for c in cols:
        words = "".join(ch if ch.isalnum() else " " for ch in _fold(c)).split()
        if words:
            first.setdefault(words[0], c)
    for table in (whole, first):
        hit = next((table[k] for k in candidates if k in table), None)
        if hit is not None:
            return hit
    return None


def _population_column(columns: Any) -> str | None:
    """The column headed one of :data:`POPULATION_COLUMNS`, alone or followed by a unit or
    year (``Население, чел.``, ``Халық саны (адам)``), ignoring case."""
    folded = {str(c): _fold(c) for c in columns}
    for key in POPULATION_COLUMNS:
        unit = re.compile(rf"{re.escape(key)}(?:[\s,(;:/].*)?")
        hit = next((c for c, f in folded.items() if unit.fullmatch(f)), None)
        if hit is not None:
            return hit
    return None


def _parse_cells(
    cells: Any, rows: list[int], *, column: str, path: Path, valid: Any, expected: str
) -> np.ndarray:
    """Cells in published number format (``12 345``, ``50,07``) as floats; an InputError
    naming the row and column of the first cell that is text or fails ``valid``."""
    from .indicators import parse_number

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
    from . import tables

    raw = tables.read_table(path)
    frame = raw.frame
    lat_col, lon_col = _coord_column(frame, LAT_COLUMNS), _coord_column(frame, LON_COLUMNS)
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
    if _first_column(frame, NAME_COLUMNS) is None:
        local = _coord_column(frame, LOCAL_NAME_COLUMNS)
        if local is not None:
            frame["name"] = frame[local]
    layer = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    layer.attrs["rows"] = list(raw.rows)
    return layer


def _add_population(frame: pd.DataFrame, rows: list[int], path: Path) -> None:
    """Read the population column, if any, into ``population`` (floats, NaN where empty)."""
    col = _population_column(frame.columns)
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
    name_col = _first_column(layer, NAME_COLUMNS)
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
    Towns outside Kazakhstan's extent (:data:`KZ_BBOX`) are an InputError naming them."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.suffix.lower() in {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls"}:
        layer = _read_towns_table(path)
        _check_extent(layer, path, layer.attrs.pop("rows"), "row")
        return layer
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
    return layer


def _numbers(values: Any) -> np.ndarray:
    """Cells as floats (published formats too); NaN where empty or not a number."""
    from .indicators import parse_number

    out = []
    for v in values:
        try:
            out.append(parse_number(v))
        except ValueError:
            out.append(np.nan)
    return np.array(out, dtype=float)


def _prepare(towns: gpd.GeoDataFrame) -> pd.DataFrame:
    """id, name, lon, lat, city_id, oblast, population of each town."""
    if not isinstance(towns, gpd.GeoDataFrame):
        raise InputError("towns must be a GeoDataFrame of points")
    geom = towns.geometry
    if (geom.isna() | (geom.geom_type != "Point")).any():
        raise InputError("towns must all be Point geometries", column="geometry")
    if towns.crs is not None and not towns.crs.equals("EPSG:4326"):
        geom = geom.to_crs("EPSG:4326")
    out = pd.DataFrame(index=range(len(towns)))
    id_col = _first_column(towns, ID_COLUMNS)
    if id_col is None:
        out["id"] = [f"town-{i + 1:05d}" for i in range(len(towns))]
    else:
        out["id"] = towns[id_col].astype(str).to_numpy()
    name = pd.Series([None] * len(towns), dtype=object)
    lower = {str(c).lower(): c for c in towns.columns}
    for col in (lower[c] for c in NAME_COLUMNS if c in lower):
        vals = towns[col].astype(object).to_numpy()
        empty = name.isna().to_numpy()
        fill = empty & pd.notna(vals) & (pd.Series(vals).astype(str).str.strip() != "")
        name[fill] = vals[fill]
    out["name"] = name.fillna(out["id"]).to_numpy()
    out["lon"] = geom.x.to_numpy()
    out["lat"] = geom.y.to_numpy()
    out["city_id"] = towns["city_id"].to_numpy() if "city_id" in towns.columns else None
    oblast = towns["region_2022"] if "region_2022" in towns.columns else None
    out["oblast"] = None if oblast is None else oblast.replace("", None).to_numpy()
    pop_col = "population" if "population" in towns.columns else _population_column(towns.columns)
    out["population"] = np.nan if pop_col is None else _numbers(towns[pop_col].to_numpy())
    return out


def _oblast_from_polygons(frame: pd.DataFrame, regions: gpd.GeoDataFrame) -> None:
    """Fill missing ``oblast`` by point in polygon (``region_id`` of ``regions``)."""
    todo = frame["oblast"].isna().to_numpy()
    if not todo.any():
        return
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(frame["lon"][todo], frame["lat"][todo]), crs="EPSG:4326"
    )
    hit = gpd.sjoin(
        pts, regions[["region_id", "geometry"]].to_crs("EPSG:4326"), how="left", predicate="within"
    )
    hit = hit[~hit.index.duplicated()].reindex(pts.index)  # a point on a border: first match
    frame.loc[todo, "oblast"] = hit["region_id"].to_numpy()


# --- scoring -----------------------------------------------------------------------------


def _centres(vintage: str) -> set[str]:
    from .regions import load_regions

    table = load_regions()
    cols = ["centre_2018", "centre_2022"] if vintage == "any" else [f"centre_{vintage}"]
    return {c for col in cols for c in table[col] if c}


def _nearest(km: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index and distance of the nearest allowed column per row (-1, inf when none)."""
    masked = np.where(allowed, km, np.inf)
    j = np.argmin(masked, axis=1) if masked.shape[1] else np.zeros(len(masked), dtype=int)
    d = masked[np.arange(len(masked)), j] if masked.shape[1] else np.full(len(masked), np.inf)
    return np.where(np.isfinite(d), j, -1), d


def _pick(values: np.ndarray, rows: np.ndarray, j: np.ndarray) -> np.ndarray:
    out = np.full(len(j), np.nan)
    ok = j >= 0
    out[ok] = values[rows[ok], j[ok]]
    return out


def _default_network(corridors: gpd.GeoDataFrame) -> Any:
    from .network import CorridorNetwork

    return CorridorNetwork.from_corridors(corridors)


@cache
def _shipped_network() -> Any:
    """The network of the shipped corridors, built once per process (it is never modified)."""
    from .corridors import load_corridors

    return _default_network(load_corridors())


def _axes(corridors: gpd.GeoDataFrame, k: np.ndarray, lon: np.ndarray, lat: np.ndarray):
    """Local axis (azimuth mod 180°) of corridor ``k`` at its point (lon, lat), over ±~5 km."""
    geoms = corridors.geometry.to_numpy()[k]
    pos = shapely.line_locate_point(geoms, shapely.points(lon, lat))
    a = shapely.line_interpolate_point(geoms, np.maximum(pos - 0.05, 0.0))
    b = shapely.line_interpolate_point(geoms, pos + 0.05)
    az, _, length = distances.GEOD.inv(
        shapely.get_x(a), shapely.get_y(a), shapely.get_x(b), shapely.get_y(b)
    )
    return np.where(np.asarray(length) > 0, np.mod(az, 180.0), np.nan)


def _count_routes(axes: np.ndarray, max_deg: float) -> int:
    """Corridors whose local axes differ by less than ``max_deg`` are one route."""
    if axes.size == 0:
        return 0
    known = np.sort(axes[np.isfinite(axes)])
    unknown = int(np.isnan(axes).sum())
    if known.size <= 1:
        return known.size + unknown
    gaps = np.diff(np.r_[known, known[0] + 180.0])  # circular: 179° and 1° are 2° apart
    return max(1, int((gaps >= max_deg).sum())) + unknown


def _corridor_evidence(
    towns: pd.DataFrame, corridors: gpd.GeoDataFrame, config: ScoreConfig
) -> dict[str, np.ndarray]:
    """Corridors within reach of each town, how many count toward TDaa3, and the nearest."""
    for col in ("corridor_id", "name", "mode"):
        if col not in corridors.columns:
            raise InputError(f"corridor layer has no {col!r} column", column=col)
    if corridors["corridor_id"].duplicated().any():  # one corridor drawn as several rows
        corridors = corridors.dissolve(by="corridor_id", as_index=False, aggfunc="first")
    lon, lat = towns["lon"].to_numpy(float), towns["lat"].to_numpy(float)
    km, near_lon, near_lat = distances.distance_to_lines(lon, lat, corridors.geometry)
    n, n_cor = km.shape
    modes = corridors["mode"].astype(str).to_numpy()
    labels = (corridors["name"].astype(str) + " " + corridors["mode"].astype(str)).to_numpy()
    ids = corridors["corridor_id"].astype(str).to_numpy()
    within = km <= config.corridor_max_km
    ii, kk = np.nonzero(within)
    if config.corridor_count == "all":
        count = within.sum(axis=1)
    elif config.corridor_count == "per_mode":
        count = np.max([within[:, modes == m].sum(axis=1) for m in np.unique(modes)], axis=0)
    else:
        axes = _axes(corridors, kk, near_lon[ii, kk], near_lat[ii, kk])
        count = np.zeros(n, dtype=int)
        bounds = np.flatnonzero(np.r_[True, ii[1:] != ii[:-1]]) if ii.size else []
        for group in np.split(np.arange(ii.size), bounds[1:]) if ii.size else []:
            count[ii[group[0]]] = _count_routes(axes[group], config.same_route_max_deg)
    order = np.argsort(km, axis=1)
    listed = np.full(n, "", dtype=object)
    listed_ids = np.full(n, "", dtype=object)
    for i in np.unique(ii):  # text only; the numbers are computed above
        js = [j for j in order[i] if within[i, j]]
        listed[i] = "; ".join(f"{labels[j]} {km[i, j]:.1f} km" for j in js)
        listed_ids[i] = ";".join(f"{ids[j]}={km[i, j]:.1f}" for j in js)
    nearest = order[:, 0] if n_cor else np.zeros(n, dtype=int)
    return {
        "corridors_within": listed,
        "corridors_within_ids": listed_ids,
        "n_corridors_within": within.sum(axis=1),
        "n_corridors_counted": count,
        "nearest_corridor": labels[nearest] if n_cor else np.full(n, None),
        "nearest_corridor_km": km[np.arange(n), nearest] if n_cor else np.full(n, np.nan),
    }


def gravity_weights(km: np.ndarray, config: ScoreConfig) -> np.ndarray:
    """Distance decay f(d) of the gravity potential (0 where d is inf or masked)."""
    km = np.asarray(km, dtype=float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if config.gravity_decay == "exp":
            w = np.exp(-km / config.gravity_d0_km)
        else:
            w = np.maximum(km, config.gravity_min_km) ** -config.gravity_gamma
    return np.where(np.isfinite(km), w, 0.0)


def score_towns(
    towns: gpd.GeoDataFrame | None = None,
    *,
    cities: gpd.GeoDataFrame | None = None,
    corridors: gpd.GeoDataFrame | None = None,
    network: Any = None,
    config: ScoreConfig | None = None,
    distance: str = "network",
    regions: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """TDaa1..3, TDaa, its level and the gravity potential of each town, with evidence.

    ``towns`` defaults to the 27 monocities, ``cities`` to the gazetteer, ``corridors`` to
    ``corridors.load_corridors()`` and ``network`` to the network built from them.
    ``distance`` ("network" or "geodesic") decides TDaa1, TDaa2 and gravity; both kinds
    are reported as evidence (network km stay empty if no network can be built in
    geodesic mode). ``regions`` (oblast polygons with ``region_id``) fills ``oblast`` for
    towns that carry no ``region_2022``.
    """
    if distance not in distances.KINDS:
        raise InputError(f"distance {distance!r}: expected one of {', '.join(distances.KINDS)}")
    config = config or load_config()
    if towns is None or cities is None:
        from .gazetteer import load_cities, monocities

        towns = monocities() if towns is None else towns
        cities = load_cities() if cities is None else cities
    shipped = corridors is None
    if shipped:
        from .corridors import load_corridors

        corridors = load_corridors()
    frame = _prepare(towns)
    if regions is not None:
        _oblast_from_polygons(frame, regions)
    n = len(frame)
    c_lon, c_lat = cities["lon"].to_numpy(float), cities["lat"].to_numpy(float)
    geo = distances.geodesic_matrix(frame["lon"], frame["lat"], c_lon, c_lat)
    net = np.full_like(geo, np.nan)
    if network is None:
        try:
            network = _shipped_network() if shipped else _default_network(corridors)
        except (ImportError, AgglomapError):
            if distance == "network":
                raise
    if network is not None:
        net = distances.network_km(network, frame["lon"], frame["lat"], c_lon, c_lat)
    chosen = net if distance == "network" else geo

    city_ids = cities["city_id"].astype(str).to_numpy()
    is_self = (frame["city_id"].astype(str).to_numpy()[:, None] == city_ids[None, :]) | (
        geo <= config.self_radius_km
    )
    population = pd.to_numeric(cities["population"], errors="coerce").to_numpy(float)
    pop = np.nan_to_num(population, nan=0.0)
    status = cities["status"].astype(str).to_numpy()
    core = pop >= config.core_min_population
    large = (
        (status == "republican")
        | np.isin(city_ids, list(_centres(config.centre_vintage)))
        | (pop >= config.large_min_population)
    )
    rows = np.arange(n)
    city_names = cities["name_en"].astype(str).to_numpy()
    out = frame[["id", "name", "oblast", "lat", "lon"]].copy()
    if frame["city_id"].notna().any():
        out["city_id"] = frame["city_id"]
    # The town's own population (for maps and tables; gravity sums the *other* cities):
    # the towns' column, else the gazetteer's for a town with a gazetteer city_id.
    own = pd.Series(population, index=city_ids)
    own = own[~own.index.duplicated()]
    from_gazetteer = frame["city_id"].astype(str).map(own).to_numpy(float)
    pop_own = np.where(np.isnan(frame["population"]), from_gazetteer, frame["population"])
    whole = np.isnan(pop_own) | (np.mod(pop_own, 1) == 0)
    out["population"] = pd.array(pop_own, dtype="Int64") if whole.all() else pop_own
    evidence: dict[str, Any] = {}
    for key, allowed, limit in (
        ("core_city", core, config.fua_max_km),
        ("large_city", large, config.near_max_km),
    ):
        j, d = _nearest(chosen, allowed[None, :] & ~is_self)
        evidence[key] = np.where(j >= 0, city_names[j], None)
        evidence[f"{key}_km_geodesic"] = _pick(geo, rows, j)
        evidence[f"{key}_km_network"] = _pick(net, rows, j)
        evidence[key + "_hit"] = d <= limit
    corridor = _corridor_evidence(frame, corridors, config)
    out["tdaa1"] = np.where(evidence.pop("core_city_hit"), 100, 0)
    out["tdaa2"] = np.where(evidence.pop("large_city_hit"), 100, 0)
    out["tdaa3"] = np.where(corridor["n_corridors_counted"] >= config.min_corridors, 100, 0)
    out["tdaa"] = np.sqrt(out[list(INDICATORS)].sum(axis=1).astype(float))
    out["tdaa_level"] = tdaa_level(out["tdaa"])
    raw = (np.where(is_self, 0.0, gravity_weights(chosen, config)) * pop[None, :]).sum(axis=1)
    out["gravity"] = 100 * raw / raw.max() if n and raw.max() > 0 else np.zeros(n)
    out["gravity_raw"] = raw
    for key, values in evidence.items():
        out[key] = values
    for key in (
        "corridors_within",
        "n_corridors_within",
        "n_corridors_counted",
        "nearest_corridor",
        "nearest_corridor_km",
    ):
        out[key] = corridor[key]
    out["distance_kind"] = distance
    out["corridors_within_ids"] = corridor["corridors_within_ids"]  # last: column order kept
    return gpd.GeoDataFrame(
        out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs="EPSG:4326"
    )


# --- comparison with the paper -----------------------------------------------------------


def paper_values() -> pd.DataFrame:
    """TDaa1..3 of Balkhash, Karazhal, Temirtau as printed in table 4 of seed paper 004."""
    table = pd.read_csv(data_path("monocity_reported.csv"), comment="#", dtype=str)
    table = table[table["item"].isin(INDICATORS) & table["town_id"].isin(PAPER_TOWNS)]
    table = table.assign(value=table["value"].astype(float))
    return table.pivot(index="town_id", columns="item", values="value").loc[list(PAPER_TOWNS)]


def _find_paper_town(scores: pd.DataFrame, town_id: str) -> pd.Series | None:
    """The row of a paper town: by ``city_id``/``id``, else by any of its gazetteer names
    (kk/ru/en and variants) within 10 km of its gazetteer point."""
    from .gazetteer import city
    from .names import latin_key

    for col in ("city_id", "id"):
        if col in scores.columns:
            hit = scores[scores[col].astype(str) == town_id]
            if len(hit):
                return hit.iloc[0]
    ref = city(town_id)
    names = [ref["name_en"], ref["name_ru"], ref["name_kk"], *str(ref["variants"]).split(";")]
    wanted = {latin_key(n) for n in names if n}
    hit = scores[scores["name"].astype(str).map(latin_key).isin(wanted)]
    if hit.empty:
        return None
    km = distances.geodesic_matrix(hit["lon"], hit["lat"], ref["lon"], ref["lat"])[:, 0]
    return hit.iloc[int(np.argmin(km))] if km.min() <= 10 else None


def _evidence(row: pd.Series, indicator: str, config: ScoreConfig) -> str:
    """One sentence a planner can check: which city or corridors, how far, against what limit."""
    kind = row["distance_kind"]
    if indicator == "tdaa3":
        n = int(row["n_corridors_counted"])
        unit = {
            "routes": "distinct route" + ("" if n == 1 else "s"),
            "per_mode": "of one mode",
            "all": "corridor" + ("" if n == 1 else "s"),
        }
        return (
            f"{int(row['n_corridors_within'])} corridors within {config.corridor_max_km:g} km "
            f"({row['corridors_within'] or 'none'}), counted "
            f"{n} {unit[config.corridor_count]} "
            f"(needs {config.min_corridors}); nearest {row['nearest_corridor']} "
            f"{row['nearest_corridor_km']:.1f} km"
        )
    key, limit = (
        ("core_city", config.fua_max_km)
        if indicator == "tdaa1"
        else ("large_city", config.near_max_km)
    )
    what = key.replace("_", " ")
    if row[key] is None or pd.isna(row[key]):
        return f"no {what} reachable by {kind} distance"
    other = "geodesic" if kind == "network" else "network"
    also = row[f"{key}_km_{other}"]
    also_text = f", {also:.1f} km {other}" if pd.notna(also) else ""
    return (
        f"nearest {what} {row[key]}: {row[f'{key}_km_{kind}']:.1f} km {kind}{also_text} "
        f"(limit {limit:g} km {kind})"
    )


def compare_with_paper(scores: pd.DataFrame, config: ScoreConfig | None = None) -> pd.DataFrame:
    """The paper's TDaa1..3 for Balkhash, Karazhal, Temirtau beside the computed ones.

    One row per town and indicator present in ``scores`` (9 for all three towns):
    ``town, indicator, paper, computed, agree, evidence``.
    """
    config = config or load_config()
    paper = paper_values()
    rows = []
    for town_id in PAPER_TOWNS:
        row = _find_paper_town(scores, town_id)
        if row is None:
            continue
        for ind in INDICATORS:
            p, c = int(paper.at[town_id, ind]), int(row[ind])
            rows.append(
                {
                    "town": row["name"],
                    "indicator": ind,
                    "paper": p,
                    "computed": c,
                    "agree": p == c,
                    "evidence": _evidence(row, ind, config),
                }
            )
    return pd.DataFrame(
        rows, columns=["town", "indicator", "paper", "computed", "agree", "evidence"]
    )
