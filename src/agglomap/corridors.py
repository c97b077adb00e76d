"""Transport corridors (main roads and railways) as geodesically densified lines.

The corridors are ordered routes in ``geo/corridors.yaml`` (roads) and ``geo/rail.yaml``
(railways, traced from Natural Earth by ``geo/trace_rail.py``), shipped in
``agglomap/data/``. A route is a list of named waypoints (places with coordinates from
GeoNames) and, between them, ``[lat, lon]`` vertices; corridors that meet share the
waypoint or vertex of the meeting place. Between two route points a corridor follows the
geodesic on the WGS84 ellipsoid (see docs/corridors.md).

``class`` tells ``trunk`` (main lines: TDaa3 counts them) from ``branch``; ``category``
keeps the road category of the official list (international, republican, regional);
``abroad`` marks sections outside Kazakhstan (a path using them leaves the country).

A user can add corridors of their own in a file with the same schema
(``load_corridors(extra=path)``); it may define new waypoints and use the shipped ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString

from .choices import MODES
from .config import read_yaml
from .data import data_path
from .distances import GEOD
from .errors import InputError, did_you_mean, suggest
from .provenance import AGGLOMAP, GEONAMES, NATURAL_EARTH, Source

CLASSES = ("trunk", "branch")
CATEGORIES = ("international", "republican", "regional")
#: A file of the older schema writes the road category as ``class``: its trunk/branch class.
CATEGORY_CLASS = {"international": "trunk", "republican": "trunk", "regional": "branch"}
COLUMNS = (
    "corridor_id",
    "name",
    "mode",
    "class",
    "category",
    "index",
    "official_km",
    "abroad",
    "source",
    "length_km",
    "name_ru",
    "name_kk",
    "geometry",
)
WAYPOINT_COLUMNS = ("waypoint_id", "name", "lat", "lon", "source", "approx_km", "geometry")
DEFAULT_FILE = "corridors.yaml"
RAIL_FILE = "rail.yaml"
RoutePoint = str | tuple[float, float]  # a waypoint id, or (lat, lon)
# Finest densification of the corridor lines: their waypoints are accurate to a few km, so
# vertices closer than 100 m add nothing but memory (1e-9 km would need terabytes).
MIN_SPACING_KM = 0.1


@dataclass(frozen=True)
class Waypoint:
    id: str
    name: str
    lat: float
    lon: float
    source: str
    approx_km: float | None = None


@dataclass(frozen=True)
class Corridor:
    id: str
    name: str
    mode: str
    cls: str
    route: tuple[RoutePoint, ...]
    source: str
    name_ru: str = ""  # "" when the file gives none: the layer then shows ``name``
    name_kk: str = ""
    category: str = ""
    index: str = ""  # official road index (KAZ-01, M-36, E-40 ...), "" for none
    official_km: float | None = None
    abroad: bool = False


@dataclass(frozen=True)
class CorridorFile:
    """A parsed corridors file: its waypoints by id, its corridors, its references."""

    path: Path
    waypoints: dict[str, Waypoint]
    corridors: tuple[Corridor, ...]
    references: tuple[Source, ...]


# ---------------------------------------------------------------- geodesic densification


def densify(lon: Any, lat: Any, spacing_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert points on the geodesic of each leg so that no gap exceeds ``spacing_km``.

    Same points as ``Geod.npts`` would give for every leg (equally spaced along the
    geodesic), computed for all legs at once with ``Geod.inv`` + ``Geod.fwd``. The input
    vertices are kept exactly.
    """
    if not spacing_km > 0:
        raise ValueError(f"spacing_km must be positive, got {spacing_km}")
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size < 2:
        return lon.copy(), lat.copy()
    az, _, dist = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    az, dist = np.asarray(az), np.asarray(dist)
    pieces = np.maximum(np.ceil(dist / (spacing_km * 1000.0) - 1e-9), 1).astype(int)
    extra = pieces - 1  # intermediate points per leg
    leg = np.repeat(np.arange(lon.size - 1), extra)
    # k-th intermediate point of its leg, k = 1..extra
    k = np.arange(leg.size) - np.repeat(np.cumsum(extra) - extra, extra) + 1
    ilon, ilat, _ = GEOD.fwd(lon[leg], lat[leg], az[leg], dist[leg] * k / pieces[leg])
    # position of every output point: each original vertex is followed by its leg's points
    starts = np.r_[0, np.cumsum(pieces)]
    out_lon = np.empty(starts[-1] + 1)
    out_lat = np.empty_like(out_lon)
    out_lon[starts], out_lat[starts] = lon, lat
    mid = np.setdiff1d(np.arange(out_lon.size), starts, assume_unique=True)
    out_lon[mid], out_lat[mid] = np.asarray(ilon), np.asarray(ilat)
    return out_lon, out_lat


def geodesic_length_km(line: LineString) -> float:
    """Length of a lon/lat line along the WGS84 ellipsoid, km."""
    return float(GEOD.geometry_length(line)) / 1000.0


# ---------------------------------------------------------------- reading and validation


def _need(entry: dict, key: str, path: Path, what: str, column: str | None = None) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise InputError(f"{what}: missing {key!r}", path=path, key=column or key)
    return entry[key]


def _optional_text(entry: dict, key: str) -> str:
    """An optional text key, stripped; "" when absent or empty."""
    value = entry.get(key)
    return "" if value is None else str(value).strip()


def _float(
    value: Any, path: Path, what: str, key: str, low: float, high: float, unit: str = "degrees"
) -> float:
    if isinstance(value, bool):  # YAML yes/no are not numbers
        raise InputError(f"{what}: {key} {value!r} is not a number", path=path, key=key)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what}: {key} {value!r} is not a number", path=path, key=key) from None
    if not (low <= number <= high):
        raise InputError(
            f"{what}: {key} {number} outside [{low:g}, {high:g}] {unit}", path=path, key=key
        )
    return number


def _route_point(item: Any, path: Path, what: str) -> RoutePoint:
    """A route entry: a waypoint id, or a ``[lat, lon]`` pair of degrees."""
    if isinstance(item, list | tuple):
        if len(item) != 2:
            raise InputError(
                f"{what}: route point {item!r} is not [lat, lon]", path=path, key="route"
            )
        lat = _float(item[0], path, what, "route lat", -90, 90)
        lon = _float(item[1], path, what, "route lon", -180, 180)
        return (lat, lon)
    return str(item)


def _choice(value: Any, allowed: tuple[str, ...], path: Path, what: str, key: str) -> str:
    text = str(value).strip().lower()
    if text not in allowed:
        raise InputError(
            f"{what}: {key} {value!r} is not one of {', '.join(allowed)}"
            + did_you_mean(value, allowed),
            path=path,
            key=key,
        )
    return text


def _read_yaml(path: Path) -> dict:
    doc = read_yaml(path, "corridors file")
    if not isinstance(doc, dict) or not isinstance(doc.get("corridors", []), list):
        raise InputError(
            "expected a YAML mapping with a 'corridors:' list (and optionally 'waypoints:')",
            path=path,
        )
    return doc


def parse_file(path: str | Path, known: dict[str, Waypoint] | None = None) -> CorridorFile:
    """Read and validate one corridors file; routes may also use the ``known`` waypoints."""
    path = Path(path)
    doc = _read_yaml(path)
    waypoints: dict[str, Waypoint] = {}
    for i, entry in enumerate(doc.get("waypoints") or [], start=1):
        if not isinstance(entry, dict):
            raise InputError(f"waypoint {i}: expected a mapping with id, name, lat, lon", path=path)
        wid = str(_need(entry, "id", path, f"waypoint {i}"))
        what = f"waypoint {wid!r}"
        if wid in waypoints or (known and wid in known):
            raise InputError(f"{what}: id defined twice", path=path, key="id")
        approx = entry.get("approx_km")
        waypoints[wid] = Waypoint(
            id=wid,
            name=str(_need(entry, "name", path, what)),
            lat=_float(_need(entry, "lat", path, what), path, what, "lat", -90, 90),
            lon=_float(_need(entry, "lon", path, what), path, what, "lon", -180, 180),
            source=str(_need(entry, "source", path, what)),
            approx_km=float(approx) if approx is not None else None,
        )
    usable = {**(known or {}), **waypoints}
    corridors: list[Corridor] = []
    seen: set[str] = set()
    for i, entry in enumerate(doc.get("corridors") or [], start=1):
        if not isinstance(entry, dict):
            raise InputError(
                f"corridor {i}: expected a mapping with id, name, mode, route", path=path
            )
        cid = str(_need(entry, "id", path, f"corridor {i}"))
        what = f"corridor {cid!r}"
        if cid in seen:
            raise InputError(f"{what}: id defined twice", path=path, key="id")
        seen.add(cid)
        route = _need(entry, "route", path, what)
        if not isinstance(route, list) or len(route) < 2:
            raise InputError(
                f"{what}: route needs a list of at least 2 waypoint ids, got {route!r}",
                path=path,
                key="route",
            )
        route = [_route_point(r, path, what) for r in route]
        for wid in route:
            if isinstance(wid, tuple):
                continue
            if wid not in usable:
                hint = suggest(wid, usable)
                did = f"; did you mean {', '.join(map(repr, hint))}?" if hint else ""
                raise InputError(
                    f"{what}: unknown waypoint id {wid!r} in route{did}", path=path, key="route"
                )
        for a, b in zip(route, route[1:], strict=False):
            if a == b:
                raise InputError(
                    f"{what}: waypoint {a!r} repeated in a row", path=path, key="route"
                )
        cls = str(_need(entry, "class", path, what)).strip().lower()
        category = _optional_text(entry, "category").lower()
        if cls in CATEGORY_CLASS:  # older schema: the road category written as class
            category, cls = category or cls, CATEGORY_CLASS[cls]
        cls = _choice(cls, CLASSES, path, what, "class")
        if category:
            category = _choice(category, CATEGORIES, path, what, "category")
        abroad = entry.get("abroad", False)
        if not isinstance(abroad, bool):
            raise InputError(
                f"{what}: abroad {abroad!r} is not true or false", path=path, key="abroad"
            )
        official = entry.get("official_km")
        corridors.append(
            Corridor(
                id=cid,
                name=str(_need(entry, "name", path, what)),
                mode=_choice(_need(entry, "mode", path, what), MODES, path, what, "mode"),
                cls=cls,
                route=tuple(route),
                source=str(_need(entry, "source", path, what)),
                name_ru=_optional_text(entry, "name_ru"),
                name_kk=_optional_text(entry, "name_kk"),
                category=category,
                index=_optional_text(entry, "index"),
                official_km=(
                    None
                    if official is None
                    else _float(official, path, what, "official_km", 0, 20_000, "km")
                ),
                abroad=abroad,
            )
        )
    references = tuple(
        Source(
            key=f"corridors:{r.get('key', i)}",
            title=str(r.get("title", "")),
            licence="public facts",
            attribution=str(r.get("title", "")).split(" (")[0],
            url=str(r.get("url", "")),
        )
        for i, r in enumerate(doc.get("references") or [], start=1)
        if isinstance(r, dict)
    )
    return CorridorFile(path, waypoints, tuple(corridors), references)


# ---------------------------------------------------------------- building the layers


def _lines(files: list[CorridorFile], spacing_km: float) -> gpd.GeoDataFrame:
    points: dict[str, Waypoint] = {}
    for f in files:
        points.update(f.waypoints)
    rows = []
    for f in files:
        for c in f.corridors:
            lon = np.array([w[1] if isinstance(w, tuple) else points[w].lon for w in c.route])
            lat = np.array([w[0] if isinstance(w, tuple) else points[w].lat for w in c.route])
            dlon, dlat = densify(lon, lat, spacing_km)
            line = LineString(np.column_stack([dlon, dlat]))
            rows.append(
                {
                    "corridor_id": c.id,
                    "name": c.name,
                    "mode": c.mode,
                    "class": c.cls,
                    "category": c.category or None,
                    "index": c.index or None,
                    "official_km": c.official_km,
                    "abroad": c.abroad,
                    "source": c.source,
                    "length_km": round(geodesic_length_km(line), 3),
                    "name_ru": c.name_ru or c.name,
                    "name_kk": c.name_kk or c.name,
                    "geometry": line,
                }
            )
    return gpd.GeoDataFrame(rows, columns=list(COLUMNS), geometry="geometry", crs="EPSG:4326")


@lru_cache(maxsize=1)
def _shipped() -> CorridorFile:
    """The shipped roads (corridors.yaml) and railways (rail.yaml) as one file."""
    roads = parse_file(data_path(DEFAULT_FILE))
    rail = parse_file(data_path(RAIL_FILE), known=roads.waypoints)
    clash = sorted({c.id for c in rail.corridors} & {c.id for c in roads.corridors})
    if clash:
        raise InputError(f"corridor ids {clash} defined twice", path=rail.path, key="id")
    return CorridorFile(
        roads.path,
        {**roads.waypoints, **rail.waypoints},
        roads.corridors + rail.corridors,
        roads.references + tuple(r for r in rail.references if r not in roads.references),
    )


@lru_cache(maxsize=4)
def _default_layer(spacing_km: float) -> gpd.GeoDataFrame:
    return _lines([_shipped()], spacing_km)


def load_corridors(extra: str | Path | None = None, *, spacing_km: float = 5.0) -> gpd.GeoDataFrame:
    """Corridors as LineStrings (EPSG:4326), densified so no vertex gap exceeds ``spacing_km``.

    Columns ``corridor_id, name, mode, class, category, index, official_km, abroad,
    source, length_km, name_ru, name_kk, geometry``; ``class`` is trunk or branch,
    ``category``/``index``/``official_km`` the road's category, official index and length
    (empty for railways), ``abroad`` true for sections outside Kazakhstan; ``length_km``
    is the geodesic length of the line; ``name_ru``/``name_kk``
    are the Russian/Kazakh names (``name`` where the file gives none). ``extra`` adds a
    user file of the same schema (validated; its corridor ids must be new).
    """
    if not spacing_km >= MIN_SPACING_KM:
        raise InputError(
            f"spacing_km must be at least {MIN_SPACING_KM:g} km (the corridors' waypoints are "
            f"accurate to a few km), got {spacing_km:g}",
            key="spacing_km",
        )
    if extra is None:
        return _default_layer(float(spacing_km)).copy()
    shipped = _shipped()
    user = parse_file(extra, known=shipped.waypoints)
    clash = sorted({c.id for c in user.corridors} & {c.id for c in shipped.corridors})
    if clash:
        raise InputError(
            f"corridor ids {clash} already exist in the shipped corridors; give them new ids",
            path=user.path,
            key="id",
        )
    return _lines([shipped, user], spacing_km)


def without_transit(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer without its sections abroad (``abroad`` true): paths stay in Kazakhstan."""
    if "abroad" not in layer.columns:
        return layer
    return layer[~layer["abroad"].fillna(False).astype(bool)].reset_index(drop=True)


def waypoints(extra: str | Path | None = None) -> gpd.GeoDataFrame:
    """Named waypoints (Points, EPSG:4326): ``waypoint_id, name, lat, lon, source, approx_km``."""
    shipped = _shipped()
    points = dict(shipped.waypoints)
    if extra is not None:
        points.update(parse_file(extra, known=shipped.waypoints).waypoints)
    frame = pd.DataFrame(
        [
            {
                "waypoint_id": w.id,
                "name": w.name,
                "lat": w.lat,
                "lon": w.lon,
                "source": w.source,
                "approx_km": w.approx_km,
            }
            for w in points.values()
        ]
    )
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")[list(WAYPOINT_COLUMNS)]


def sources(extra: str | Path | None = None) -> list[Source]:
    """What a corridor output is made from: agglomap, GeoNames, Natural Earth (the traced
    railways) and the named references."""
    refs = [r for r in _shipped().references if r.key != "corridors:natural_earth"]
    if extra is not None:
        refs += list(parse_file(extra, known=_shipped().waypoints).references)
    return [AGGLOMAP, GEONAMES, NATURAL_EARTH, *refs]
