"""Agglomeration potential of towns from real distances: TDaa1..3 with evidence, and gravity.

Maimurunova et al. (2025; see :mod:`agglomap.references`) score TDaa1..3 (0 or 100 each)
by expert judgement; here they are
computed from distances to the gazetteer cities and the transport corridors, with every
threshold in :class:`ScoreConfig` (defaults in ``agglomap/data/score_config.yaml``,
argued in docs/agglomeration.md) and the evidence beside each score:

* TDaa1: the nearest *core* city (population >= ``core_min_population``) is within
  ``fua_max_km`` — network distance by default, geodesic with ``distance="geodesic"``.
* TDaa2: the nearest *large* city (of republican significance, an oblast centre of
  ``centre_vintage``, or population >= ``large_min_population``) is within ``near_max_km``.
* TDaa3: at least ``min_corridors`` trunk corridors (``class`` trunk; branch lines to a
  terminus do not make a crossing) pass within ``corridor_max_km`` (geodesic distance
  from the town to the nearest point of each corridor), counted as distinct routes: the
  largest number of them whose local directions differ pairwise by at least
  ``same_route_max_deg``, so that a longer reach can only add routes.
* ``tdaa = sqrt(tdaa1 + tdaa2 + tdaa3)``; levels 0–5 low, 5–10 medium, 10–15 above medium,
  15– high, a value on a boundary going to the upper band.
* Gravity: ``sum_j P_j f(d_ij)`` over the gazetteer cities (Hansen 1959; Harris 1954),
  normalised so the highest-scoring town of the set is 100.

A town is never its own core, large city or gravity mass: gazetteer cities with the
town's ``city_id``, or (for layers without one) within ``self_radius_km`` of it, are left out.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm import tqdm

from . import distances
from .config import ScoreConfig, load_config
from .data import data_path
from .errors import InputError
from .numbers import parse_numbers
from .readers import ID_COLUMNS, NAME_COLUMNS, POPULATION_COLUMNS
from .tables import find_column

INDICATORS = ("tdaa1", "tdaa2", "tdaa3")
LEVELS = ((0.0, "low"), (5.0, "medium"), (10.0, "above medium"), (15.0, "high"))
PAPER_TOWNS = ("balkhash", "karazhal", "temirtau")


def tdaa_level(values: Any) -> np.ndarray:
    """Level band of each TDaa value; a value on a boundary goes to the upper band."""
    values = np.asarray(values, dtype=float)
    bounds = np.array([b for b, _ in LEVELS])
    names = np.array([n for _, n in LEVELS], dtype=object)
    idx = np.searchsorted(bounds, values, side="right") - 1
    out = names[np.clip(idx, 0, len(names) - 1)]
    return np.where(np.isnan(values), None, out)


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
    id_col = find_column(ID_COLUMNS, towns.columns)
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
    pop_col = find_column(("population", *POPULATION_COLUMNS), towns.columns, head=True)
    out["population"] = np.nan if pop_col is None else parse_numbers(towns[pop_col].to_numpy())
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
def _shipped_network(transit: bool = True) -> Any:
    """The network of the shipped corridors, built once per process (it is never modified);
    without the sections abroad when ``transit`` is false."""
    from .corridors import load_corridors, without_transit

    layer = load_corridors()
    return _default_network(layer if transit else without_transit(layer))


def _has_abroad(corridors: gpd.GeoDataFrame) -> bool:
    return "abroad" in corridors.columns and bool(
        corridors["abroad"].fillna(False).astype(bool).any()
    )


def _leaves_kz(
    lon: np.ndarray,
    lat: np.ndarray,
    c_lon: np.ndarray,
    c_lat: np.ndarray,
    net: np.ndarray,
    j: np.ndarray,
    domestic: Any,
) -> np.ndarray:
    """Whether the network path to city ``j`` of each town needs a section abroad: the
    distance without the sections abroad is longer (or there is no path at all)."""
    out = np.zeros(len(lon), dtype=bool)
    rows = np.arange(len(lon))
    for city in np.unique(j[j >= 0]):
        pick = rows[j == city]
        with_abroad = net[pick, city]
        ok = np.isfinite(with_abroad)
        if not ok.any():
            continue
        pick, with_abroad = pick[ok], with_abroad[ok]
        inside = distances.network_km(domestic, lon[pick], lat[pick], c_lon[[city]], c_lat[[city]])
        out[pick] = inside[:, 0] > with_abroad + 1e-6
    return out


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
    """Distinct routes among corridors with local axes ``axes`` (degrees, mod 180).

    The largest number of corridors whose axes differ pairwise by at least ``max_deg``
    (circularly: 179° and 1° are 2° apart); a corridor of unknown axis counts on its own.
    Adding a corridor can never lower this count, so TDaa3 cannot fall as the reach
    grows (chaining axes that differ by < ``max_deg`` into one route, as before, merged
    everything once enough corridors were in reach).
    """
    known = np.sort(np.mod(axes[np.isfinite(axes)], 180.0))
    unknown = int(np.isnan(axes).sum())
    if known.size <= 1 or max_deg <= 0:
        return known.size + unknown
    best = 1
    ring = np.r_[known, known + 180.0]
    for start in range(known.size):  # greedy from each start is optimal on a circle
        last, count = ring[start], 1
        stop = ring[start] + 180.0 - max_deg  # the last pick must stay max_deg from the first
        for a in ring[start + 1 : start + known.size]:
            if a - last >= max_deg and a <= stop + 1e-9:
                last, count = a, count + 1
        best = max(best, count)
    return best + unknown


def _is_trunk(corridors: gpd.GeoDataFrame) -> np.ndarray:
    """Which corridors count toward TDaa3: ``class`` trunk (all, for a layer without one).

    A layer of the older schema, whose ``class`` is the road category, counts its
    international and republican corridors.
    """
    if "class" not in corridors.columns:
        return np.ones(len(corridors), dtype=bool)
    cls = corridors["class"].astype(str).str.strip().str.lower()
    return cls.isin(["trunk", "international", "republican"]).to_numpy()


#: Towns scored per chunk: memory stays bounded (a few chunk × cities float64 matrices,
#: ~14 MB each for the 86 gazetteer cities) whatever the number of towns.
CHUNK_TOWNS = 20_000
#: From this many towns on, a progress bar is drawn on standard error if it is a terminal.
PROGRESS_MIN_TOWNS = 50_000
#: Exponential gravity: cities farther than ``GRAVITY_CUTOFF_D0 × gravity_d0_km`` from a
#: town are left out of its sum (found through the cities' spatial index, not measured).
#: Each left-out term is below ``e^-25 · P_j``, so the neglected part of ``gravity_raw`` is
#: below e^-25 = 1.4e-11 times the summed population of the cities (< 0.001 person for
#: the gazetteer's ~11 million). The power decay has no cutoff.
GRAVITY_CUTOFF_D0 = 25.0


@dataclass(frozen=True)
class _Cities:
    """The gazetteer (or user) cities prepared once per run."""

    lon: np.ndarray
    lat: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    pop: np.ndarray
    core: np.ndarray
    large: np.ndarray
    index: distances.PointIndex


def _prepare_cities(cities: gpd.GeoDataFrame, config: ScoreConfig) -> _Cities:
    lon, lat = cities["lon"].to_numpy(float), cities["lat"].to_numpy(float)
    ids = cities["city_id"].astype(str).to_numpy()
    population = pd.to_numeric(cities["population"], errors="coerce").to_numpy(float)
    pop = np.nan_to_num(population, nan=0.0)
    status = cities["status"].astype(str).to_numpy()
    large = (
        (status == "republican")
        | np.isin(ids, list(_centres(config.centre_vintage)))
        | (pop >= config.large_min_population)
    )
    return _Cities(
        lon,
        lat,
        ids,
        cities["name_en"].astype(str).to_numpy(),
        pop,
        pop >= config.core_min_population,
        large,
        distances.PointIndex.build(lon, lat),
    )


@dataclass(frozen=True)
class _Corridors:
    """The corridor layer prepared once per run: one row per corridor, and its index."""

    layer: gpd.GeoDataFrame
    index: distances.LineIndex
    labels: np.ndarray
    ids: np.ndarray
    modes: np.ndarray
    trunk: np.ndarray  # which corridors count toward TDaa3 (class trunk)


def _prepare_corridors(corridors: gpd.GeoDataFrame) -> _Corridors:
    for col in ("corridor_id", "name", "mode"):
        if col not in corridors.columns:
            raise InputError(f"corridor layer has no {col!r} column", column=col)
    if corridors["corridor_id"].duplicated().any():  # one corridor drawn as several rows
        corridors = corridors.dissolve(by="corridor_id", as_index=False, aggfunc="first")
    return _Corridors(
        corridors,
        distances.LineIndex.build(corridors.geometry),
        (corridors["name"].astype(str) + " " + corridors["mode"].astype(str)).to_numpy(),
        corridors["corridor_id"].astype(str).to_numpy(),
        corridors["mode"].astype(str).to_numpy(),
        _is_trunk(corridors),
    )


def _corridor_evidence(
    lon: np.ndarray, lat: np.ndarray, cor: _Corridors, config: ScoreConfig
) -> dict[str, np.ndarray]:
    """Corridors within reach of each town, how many count toward TDaa3, and the nearest."""
    n = len(lon)
    found = cor.index.near(lon, lat, config.corridor_max_km)
    within = found.km <= config.corridor_max_km
    ii, kk, km = found.point[within], found.line[within], found.km[within]  # by town, then km
    n_within = np.bincount(ii, minlength=n)
    trunk = cor.trunk[kk]  # TDaa3 counts trunk corridors; the evidence lists them all
    if config.corridor_count == "all":
        count = np.bincount(ii[trunk], minlength=n)
    elif config.corridor_count == "per_mode":
        count = np.zeros(n, dtype=int)
        for m in np.unique(cor.modes):
            mode = (cor.modes[kk] == m) & trunk
            count = np.maximum(count, np.bincount(ii[mode], minlength=n))
    else:
        axes = _axes(cor.layer, kk, found.near_lon[within], found.near_lat[within])
        count = np.zeros(n, dtype=int)
    listed = np.full(n, "", dtype=object)
    listed_ids = np.full(n, "", dtype=object)
    starts = np.flatnonzero(np.r_[True, ii[1:] != ii[:-1]]) if ii.size else np.zeros(0, int)
    ends = np.r_[starts[1:], ii.size] if ii.size else starts
    for lo, hi in zip(starts, ends, strict=True):
        i = ii[lo]  # text only; the numbers are computed above
        pairs = list(zip(kk[lo:hi], km[lo:hi], strict=True))
        listed[i] = "; ".join(f"{cor.labels[k]} {d:.1f} km" for k, d in pairs)
        listed_ids[i] = ";".join(f"{cor.ids[k]}={d:.1f}" for k, d in pairs)
        if config.corridor_count == "routes":
            count[i] = _count_routes(axes[lo:hi][trunk[lo:hi]], config.same_route_max_deg)
    nearest = found.nearest_line
    has = nearest >= 0
    return {
        "corridors_within": listed,
        "corridors_within_ids": listed_ids,
        "n_corridors_within": n_within,
        "n_corridors_counted": count,
        "nearest_corridor": np.where(has, cor.labels[np.maximum(nearest, 0)], None)
        if len(cor.labels)
        else np.full(n, None),
        "nearest_corridor_id": np.where(has, cor.ids[np.maximum(nearest, 0)], None)
        if len(cor.ids)
        else np.full(n, None),
        "nearest_corridor_km": np.where(has, found.nearest_km, np.nan),
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


def _geodesic_to_cities(
    lon: np.ndarray,
    lat: np.ndarray,
    own_ids: np.ndarray,
    cities: _Cities,
    config: ScoreConfig,
    distance: str,
) -> np.ndarray:
    """Town × city geodesic km, measured only where they are used (``inf`` elsewhere).

    With network distances only the cities within ``self_radius_km`` (self-exclusion);
    the geodesic km of the nearest core and large city are measured after the pick.
    With geodesic distances and the exponential decay, the cities within the gravity
    cutoff (and the fua/near/self limits), except for towns whose nearest other core or
    large city lies beyond it, which get their whole row. Otherwise every pair.
    """
    m = len(cities.lon)
    if distance == "network":
        reach = config.self_radius_km
    elif config.gravity_decay == "exp":
        reach = max(
            GRAVITY_CUTOFF_D0 * config.gravity_d0_km,
            config.fua_max_km,
            config.near_max_km,
            config.self_radius_km,
        )
        if cities.index.all_within(lon, lat, reach):  # nothing to leave out: one dense call
            return distances.geodesic_matrix(lon, lat, cities.lon, cities.lat)
    else:
        return distances.geodesic_matrix(lon, lat, cities.lon, cities.lat)
    geo = np.full((len(lon), m), np.inf)
    i, j, km = cities.index.within(lon, lat, reach)
    geo[i, j] = km
    if distance == "network":
        return geo
    other = (own_ids[:, None] != cities.ids[None, :]) & (geo > config.self_radius_km)
    seen = np.isfinite(geo) & other
    missing = ~(seen & cities.core).any(axis=1) | ~(seen & cities.large).any(axis=1)
    if missing.any():
        geo[missing] = distances.geodesic_matrix(lon[missing], lat[missing], cities.lon, cities.lat)
    return geo


def _score_chunk(
    frame: pd.DataFrame,
    cities: _Cities,
    cor: _Corridors,
    config: ScoreConfig,
    distance: str,
    network: Any,
    domestic: Any = None,
) -> dict[str, np.ndarray]:
    """Scores and evidence of one chunk of towns (see :func:`score_towns`); ``domestic``,
    the network without the sections abroad, marks the paths that leave Kazakhstan."""
    n = len(frame)
    lon, lat = frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)
    own_ids = frame["city_id"].astype(str).to_numpy()
    geo = _geodesic_to_cities(lon, lat, own_ids, cities, config, distance)
    if distance == "network":
        net = distances.network_km(network, lon, lat, cities.lon, cities.lat)
        chosen = net
    else:
        net = None
        chosen = geo
    is_self = (own_ids[:, None] == cities.ids[None, :]) | (geo <= config.self_radius_km)
    rows = np.arange(n)
    out: dict[str, np.ndarray] = {}
    hits = {}
    leaves = np.zeros(n, dtype=bool)
    for key, allowed, limit in (
        ("core_city", cities.core, config.fua_max_km),
        ("large_city", cities.large, config.near_max_km),
    ):
        j, d = _nearest(chosen, allowed[None, :] & ~is_self)
        if domestic is not None and net is not None:
            leaves |= _leaves_kz(lon, lat, cities.lon, cities.lat, net, j, domestic)
        out[key] = np.where(j >= 0, cities.names[j], None)
        out[f"{key}_id"] = np.where(j >= 0, cities.ids[j], None)
        km_geo = _pick(geo, rows, j)
        far = (j >= 0) & ~np.isfinite(km_geo)  # not measured yet: measure it
        if far.any():  # one pair per town
            _, _, d_far = distances.GEOD.inv(
                lon[far], lat[far], cities.lon[j[far]], cities.lat[j[far]]
            )
            km_geo[far] = np.asarray(d_far) / 1000.0
        out[f"{key}_km_geodesic"] = km_geo
        out[f"{key}_km_network"] = np.full(n, np.nan) if net is None else _pick(net, rows, j)
        hits[key] = d <= limit
    corridor = _corridor_evidence(lon, lat, cor, config)
    out["tdaa1"] = np.where(hits["core_city"], 100, 0)
    out["tdaa2"] = np.where(hits["large_city"], 100, 0)
    out["tdaa3"] = np.where(corridor["n_corridors_counted"] >= config.min_corridors, 100, 0)
    weights = np.where(is_self, 0.0, gravity_weights(chosen, config))
    out["gravity_raw"] = weights @ cities.pop if n else np.zeros(0)
    out["path_leaves_kz"] = leaves
    out.update(corridor)
    return out


def score_towns(
    towns: gpd.GeoDataFrame | None = None,
    *,
    cities: gpd.GeoDataFrame | None = None,
    corridors: gpd.GeoDataFrame | None = None,
    network: Any = None,
    config: ScoreConfig | None = None,
    distance: str = "network",
    regions: gpd.GeoDataFrame | None = None,
    progress: bool | None = None,
    transit: bool = True,
) -> gpd.GeoDataFrame:
    """TDaa1..3, TDaa, its level and the gravity potential of each town, with evidence.

    ``towns`` defaults to the 27 monocities, ``cities`` to the gazetteer, ``corridors`` to
    ``corridors.load_corridors()`` and ``network`` to the network built from them.
    ``distance`` ("network" or "geodesic") decides TDaa1, TDaa2 and gravity; geodesic km
    are always reported as evidence, network km only with ``distance="network"`` (the
    geodesic mode neither builds nor queries a network). ``regions`` (oblast polygons with
    ``region_id``) fills ``oblast`` for towns that carry no ``region_2022``.

    Towns are scored in chunks of :data:`CHUNK_TOWNS` (bounded memory); ``progress`` draws
    a bar on standard error (default: from :data:`PROGRESS_MIN_TOWNS` towns on, when
    standard error is a terminal). Distances to cities and corridors come from spatial
    indexes with exact ellipsoidal refinement (:mod:`agglomap.distances`); the exponential
    gravity leaves out cities beyond :data:`GRAVITY_CUTOFF_D0` × d0 (neglected share
    < 1.4e-11 of the cities' population).
    ``transit=False`` leaves out the corridor sections abroad (``abroad`` true: Kazakh lines
    that run through Russia), so network paths stay inside Kazakhstan; with transit
    allowed, ``path_leaves_kz`` tells the towns whose network path to their nearest core
    or large city uses such a section.
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
    if not transit:
        from .corridors import without_transit

        corridors = without_transit(corridors)
    frame = _prepare(towns)
    if regions is not None:
        _oblast_from_polygons(frame, regions)
    n = len(frame)
    if distance == "network" and network is None:
        network = _shipped_network(transit) if shipped else _default_network(corridors)
    domestic = None  # the network without the sections abroad, to tell paths that leave
    if transit and distance == "network" and _has_abroad(corridors):
        from .corridors import without_transit

        domestic = (
            _shipped_network(False) if shipped else _default_network(without_transit(corridors))
        )
    prepared = _prepare_cities(cities, config)
    cor = _prepare_corridors(corridors)

    out = frame[["id", "name", "oblast", "lat", "lon"]].copy()
    if frame["city_id"].notna().any():
        out["city_id"] = frame["city_id"]
    # The town's own population (for maps and tables; gravity sums the *other* cities):
    # the towns' column, else the gazetteer's for a town with a gazetteer city_id.
    population = pd.to_numeric(cities["population"], errors="coerce").to_numpy(float)
    own = pd.Series(population, index=prepared.ids)
    own = own[~own.index.duplicated()]
    from_gazetteer = frame["city_id"].astype(str).map(own).to_numpy(float)
    pop_own = np.where(np.isnan(frame["population"]), from_gazetteer, frame["population"])
    whole = np.isnan(pop_own) | (np.mod(pop_own, 1) == 0)
    out["population"] = pd.array(pop_own, dtype="Int64") if whole.all() else pop_own

    if progress is None:
        progress = n >= PROGRESS_MIN_TOWNS and sys.stderr.isatty()
    parts = []
    with tqdm(total=n, unit="town", desc="scoring", disable=not progress, file=sys.stderr) as bar:
        for start in range(0, max(n, 1), CHUNK_TOWNS):
            chunk = frame.iloc[start : start + CHUNK_TOWNS]
            parts.append(_score_chunk(chunk, prepared, cor, config, distance, network, domestic))
            bar.update(len(chunk))
    col = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    for key in INDICATORS:
        out[key] = col[key]
    out["tdaa"] = np.sqrt(out[list(INDICATORS)].sum(axis=1).astype(float))
    out["tdaa_level"] = tdaa_level(out["tdaa"])
    raw = col["gravity_raw"]
    out["gravity"] = 100 * raw / raw.max() if n and raw.max() > 0 else np.zeros(n)
    out["gravity_raw"] = raw
    for key in ("core_city", "large_city"):
        for suffix in ("", "_km_geodesic", "_km_network"):
            out[key + suffix] = col[key + suffix]
    for key in (
        "corridors_within",
        "n_corridors_within",
        "n_corridors_counted",
        "nearest_corridor",
        "nearest_corridor_km",
    ):
        out[key] = col[key]
    out["distance_kind"] = distance
    out["path_leaves_kz"] = col["path_leaves_kz"]
    out["corridors_within_ids"] = col["corridors_within_ids"]  # last: column order kept
    out["core_city_id"] = col["core_city_id"]
    out["large_city_id"] = col["large_city_id"]
    out["nearest_corridor_id"] = col["nearest_corridor_id"]
    # which network the network km ran on, and a note for a town off its main component
    out["network"] = getattr(network, "name", None)
    out["network_note"] = (
        network.access_notes(frame["lon"], frame["lat"]) if network is not None else ""
    )
    return gpd.GeoDataFrame(
        out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs="EPSG:4326"
    )


# --- comparison with the paper -----------------------------------------------------------


def paper_values() -> pd.DataFrame:
    """TDaa1..3 of Balkhash, Karazhal, Temirtau as printed in table 4 of Maimurunova et al.
    (2025)."""
    table = pd.read_csv(data_path("monocity_reported.csv"), comment="#", dtype=str)
    table = table[table["item"].isin(INDICATORS) & table["town_id"].isin(PAPER_TOWNS)]
    table = table.assign(value=table["value"].astype(float))
    return table.pivot(index="town_id", columns="item", values="value").loc[list(PAPER_TOWNS)]


def _find_paper_towns(scores: pd.DataFrame) -> dict[str, pd.Series]:
    """The rows of the paper towns: by ``city_id``/``id``, else by any of its gazetteer names
    (kk/ru/en and variants) among the rows within 10 km of its gazetteer point (found
    through a spatial index, so only those few names are compared)."""
    from .gazetteer import city
    from .names import latin_key

    found: dict[str, pd.Series] = {}
    for col in ("city_id", "id"):
        if col in scores.columns:
            ids = scores[col].astype(str).to_numpy()
            for town_id in PAPER_TOWNS:
                hit = np.flatnonzero(ids == town_id)
                if town_id not in found and hit.size:
                    found[town_id] = scores.iloc[hit[0]]
    todo = [t for t in PAPER_TOWNS if t not in found]
    if not todo or scores.empty:
        return found
    refs = [city(t) for t in todo]
    index = distances.PointIndex.build([r["lon"] for r in refs], [r["lat"] for r in refs])
    rows, which, km = index.within(scores["lon"].to_numpy(float), scores["lat"].to_numpy(float), 10)
    names = scores["name"].astype(str).to_numpy()
    for k, (town_id, ref) in enumerate(zip(todo, refs, strict=True)):
        wanted = {
            latin_key(n)
            for n in (
                ref["name_en"],
                ref["name_ru"],
                ref["name_kk"],
                *str(ref["variants"]).split(";"),
            )
            if n
        }
        near = which == k
        match = [i for i in np.flatnonzero(near) if latin_key(names[rows[i]]) in wanted]
        if match:
            best = min(match, key=lambda i: km[i])
            found[town_id] = scores.iloc[rows[best]]
    return found


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
    found = _find_paper_towns(scores)
    for town_id in PAPER_TOWNS:
        row = found.get(town_id)
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
