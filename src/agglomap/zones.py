"""Agglomeration zones: the districts and city administrations within commuting reach of
Astana, Almaty, Shymkent and Aktobe, and how they compare with the official compositions.

A zone is its core (the districts of Astana, Almaty or Shymkent; Aktobe's city
administration) plus every other district-level unit of the 2022 layout whose centre lies
within ``fua_max_km`` of the core city by network distance along the corridors (access +
along + egress, :func:`agglomap.distances.network_km`; the threshold is TDaa1's, the
``fua_max_km`` setting of :class:`agglomap.agglomeration.ScoreConfig`). A unit within
reach of two cores joins the nearer.

A unit's centre is, in this order of preference (the ``centre_method`` column says which):

1. ``osm_population_weighted`` — the population-weighted mean position of the unit's
   settlements in the OpenStreetMap populated-places export (hotosm), weighted by their
   ``population`` tag (places without one are left out). No population grid is used:
   agglomap ships none.
2. ``gazetteer_town`` — the unit's largest town in agglomap's gazetteer.
3. ``representative_point`` — a point inside the unit's polygon.

The official compositions are in ``geo/agglomerations_official.csv`` (names matched to the
district layer here); ``docs/zones.md`` documents the comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from .data import read_csv
from .errors import AgglomapError, InputError

CORES = ("astana", "almaty", "shymkent", "aktobe")
CORE_REGIONS = {"astana": "KZ-71", "almaty": "KZ-75", "shymkent": "KZ-79"}
OFFICIAL_COLUMNS = ("agglomeration", "kind", "name_ru", "name_en", "region", "note", "source")
OFFICIAL_SOURCES = {
    "decree_2023": (
        "Resolution of the Government of the Republic of Kazakhstan of 19 June 2023 approving "
        "the list and composition of agglomerations (as reported by Zakon.kz, June 2023)"
    ),
    "scheme_shymkent_2025": (
        "Interregional scheme of territorial development of the Shymkent agglomeration, "
        "Government Resolution No. 899 of 28 October 2025 (as summarised by Zakon.kz, "
        "31 October 2025)"
    ),
}
OSM_PLACES = "hotosm_kaz_populated_places.geojson"
CENTRE_METHODS = ("osm_population_weighted", "gazetteer_town", "representative_point")


@dataclass
class Zones:
    """``zones``: one polygon per agglomeration; ``units``: every unit with its centre,
    distance to each core and zone (empty if none); ``official``: the official composition
    matched to units, with whether each is in the computed zone."""

    zones: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    official: pd.DataFrame
    fua_max_km: float


def load_official() -> pd.DataFrame:
    """``geo/agglomerations_official.csv`` as shipped."""
    return read_csv("agglomerations_official.csv", OFFICIAL_COLUMNS)


def _osm_centres(units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Population-weighted centres from the OSM places export (empty if it is not at hand)."""
    from .sources import fetch

    try:
        path = fetch(OSM_PLACES)
    except AgglomapError:
        return pd.DataFrame(columns=["lon", "lat", "osm_population"])
    places = gpd.read_file(path, engine="pyogrio", columns=["population"])
    places["pop"] = pd.to_numeric(places["population"], errors="coerce")
    places = places[(places["pop"] > 0) & places.geometry.notna()]
    hit = gpd.sjoin(
        places[["pop", "geometry"]], units[["district_id", "geometry"]], predicate="within"
    )
    hit["x"] = hit.geometry.x * hit["pop"]
    hit["y"] = hit.geometry.y * hit["pop"]
    g = hit.groupby("district_id")[["x", "y", "pop"]].sum()
    return pd.DataFrame(
        {"lon": g["x"] / g["pop"], "lat": g["y"] / g["pop"], "osm_population": g["pop"]}
    )


def unit_centres(units: gpd.GeoDataFrame) -> pd.DataFrame:
    """``lon, lat, centre_method, osm_population`` of each unit (index: district_id)."""
    from .gazetteer import load_cities

    osm = _osm_centres(units)
    cities = load_cities()
    cities = cities[cities["population"].notna()]
    town = gpd.sjoin(cities, units[["district_id", "geometry"]], predicate="within")
    town = town.sort_values("population", ascending=False).drop_duplicates("district_id")
    town = town.set_index("district_id")
    rows = []
    for did, geom in zip(units["district_id"], units.geometry, strict=True):
        if did in osm.index:
            r = osm.loc[did]
            rows.append((did, r["lon"], r["lat"], CENTRE_METHODS[0], r["osm_population"]))
        elif did in town.index:
            t = town.loc[did]
            rows.append((did, t["lon"], t["lat"], CENTRE_METHODS[1], math.nan))
        else:
            p = geom.representative_point()
            rows.append((did, p.x, p.y, CENTRE_METHODS[2], math.nan))
    frame = pd.DataFrame(
        rows, columns=["district_id", "lon", "lat", "centre_method", "osm_population"]
    )
    return frame.set_index("district_id")


def _core_units(units: gpd.GeoDataFrame, core: str, point) -> list[str]:
    rid = CORE_REGIONS.get(core)
    if rid is not None:
        return list(units.loc[units["region_id"] == rid, "district_id"])
    inside = units[units.geometry.contains(point)]
    return list(inside["district_id"])


def delineate(
    fua_max_km: float | None = None,
    *,
    population: pd.Series | None = None,
) -> Zones:
    """The four zones at the ``fua_max_km`` threshold (default: ScoreConfig's).

    ``population`` (by district_id, e.g. a district table's population column) gives each
    zone's population; without it the zone's population is the sum of the OSM population
    tags of its settlements (``population_source`` says which).
    """
    from .boundaries import area_km2, load_boundaries
    from .config import ScoreConfig
    from .corridors import load_corridors
    from .distances import geodesic_matrix, network_km
    from .gazetteer import load_cities
    from .network import CorridorNetwork

    threshold = float(ScoreConfig().fua_max_km if fua_max_km is None else fua_max_km)
    if not threshold > 0:
        raise InputError(
            f"the commuting threshold must be a positive number of km, got {threshold}",
            param="fua_max_km",
        )
    units = load_boundaries("2022", "district")
    centres = unit_centres(units)
    cities = load_cities().set_index("city_id")
    core_lon = cities.loc[list(CORES), "lon"].to_numpy(float)
    core_lat = cities.loc[list(CORES), "lat"].to_numpy(float)
    lon = centres.loc[units["district_id"], "lon"].to_numpy(float)
    lat = centres.loc[units["district_id"], "lat"].to_numpy(float)
    network = CorridorNetwork.from_corridors(load_corridors())
    net = network_km(network, lon, lat, core_lon, core_lat)
    geo = geodesic_matrix(lon, lat, core_lon, core_lat)

    frame = units.copy()
    frame = frame.join(centres, on="district_id")
    for k, core in enumerate(CORES):
        frame[f"km_network_{core}"] = np.round(net[:, k], 1)
        frame[f"km_geodesic_{core}"] = np.round(geo[:, k], 1)
    zone = np.full(len(frame), "", dtype=object)
    role = np.full(len(frame), "", dtype=object)
    cores_of: dict[str, list[str]] = {}
    for core in CORES:
        point = cities.loc[core, "geometry"]
        cores_of[core] = _core_units(units, core, point)
    core_ids = {d: c for c, ids in cores_of.items() for d in ids}
    nearest = np.argmin(np.where(np.isfinite(net), net, np.inf), axis=1)
    for i, did in enumerate(frame["district_id"]):
        if did in core_ids:
            zone[i], role[i] = core_ids[did], "core"
        elif np.isfinite(net[i, nearest[i]]) and net[i, nearest[i]] <= threshold:
            zone[i], role[i] = CORES[nearest[i]], "ring"
    frame["zone"] = zone
    frame["role"] = role

    pop_source = "user table" if population is not None else "OSM population tags"
    pop = (
        population.reindex(frame["district_id"]).to_numpy(float)
        if population is not None
        else frame["osm_population"].to_numpy(float)
    )
    frame["population"] = pop
    rows = []
    for core in CORES:
        part = frame[frame["zone"] == core]
        geom = part.geometry.union_all()
        rows.append(
            {
                "zone_id": core,
                "name_kk": cities.loc[core, "name_kk"],
                "name_ru": cities.loc[core, "name_ru"],
                "name_en": cities.loc[core, "name_en"],
                "n_units": len(part),
                "units": ";".join(part["district_id"]),
                "unit_names": "; ".join(part["name_en"]),
                "population": float(np.nansum(part["population"])),
                "population_source": pop_source,
                "fua_max_km": threshold,
                "distance": "network",
                "geometry": geom,
            }
        )
    zones = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    zones["area_km2"] = np.round(area_km2(zones.geometry), 1)
    official = compare_official(frame)
    return Zones(zones=zones, units=frame, official=official, fua_max_km=threshold)


def compare_official(units: pd.DataFrame) -> pd.DataFrame:
    """Each unit of the official compositions matched to the district layer (by its
    Russian name within its oblast) with the zone ``delineate`` put it in."""
    from .districts import unit_index

    index = unit_index("2022")
    official = load_official()
    by_id = units.set_index("district_id")
    out = []
    for r in official.itertuples():
        did = None
        if r.kind != "settlement":
            for name in (r.name_ru, r.name_en):
                cands = [d for d in index.by_name(name)[0] if index.units[d].region_id == r.region]
                if len(cands) == 1:
                    did = cands[0]
                    break
        zone = by_id.at[did, "zone"] if did is not None else ""
        km = by_id.at[did, f"km_network_{r.agglomeration}"] if did is not None else math.nan
        out.append(
            {
                "agglomeration": r.agglomeration,
                "official_unit": r.name_en,
                "kind": r.kind,
                "district_id": did or "",
                "km_network": km,
                "in_computed_zone": bool(did is not None and zone == r.agglomeration),
                "note": r.note,
                "source": OFFICIAL_SOURCES.get(r.source, r.source),
            }
        )
    return pd.DataFrame(out)


def not_in_official(z: Zones) -> pd.DataFrame:
    """Units of the computed zones (ring units) that the official compositions do not list."""
    listed = set(z.official["district_id"])
    ring = z.units[(z.units["role"] == "ring") & ~z.units["district_id"].isin(listed)]
    return pd.DataFrame(ring[["zone", "district_id", "name_en"]]).reset_index(drop=True)
