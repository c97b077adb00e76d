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
from .numbers import parse_numbers
from .readers import ID_COLUMNS, NAME_COLUMNS, POPULATION_COLUMNS
from .tables import find_column, read_yaml

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
        "nearest_corridor_id": ids[nearest] if n_cor else np.full(n, None),
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
    ids: dict[str, Any] = {}  # gazetteer/corridor ids beside the display names, for maps
    for key, allowed, limit in (
        ("core_city", core, config.fua_max_km),
        ("large_city", large, config.near_max_km),
    ):
        j, d = _nearest(chosen, allowed[None, :] & ~is_self)
        evidence[key] = np.where(j >= 0, city_names[j], None)
        ids[f"{key}_id"] = np.where(j >= 0, city_ids[j], None)
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
    out["core_city_id"] = ids["core_city_id"]
    out["large_city_id"] = ids["large_city_id"]
    out["nearest_corridor_id"] = corridor["nearest_corridor_id"]
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
