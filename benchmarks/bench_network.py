"""Benchmark: score every OSM settlement of Kazakhstan along a 1 000 000-node road graph.

Run:  python3 benchmarks/bench_network.py [--nodes 1000000] [--no-write]

1. Writes a synthetic but road-like network as a GeoPackage of lines (in a temporary
   folder, never committed): a grid of ``--nodes`` junctions over Kazakhstan's extent
   (lon 46.5–87.3 E, lat 40.5–55.5 N), each junction moved at random by up to 30 % of the
   grid step, every 50th row/column a trunk road, every 10th a primary road, the rest
   tertiary roads of which 10 % of the links are missing (dead ends, detours); lines are
   the runs of links of one class, as OSM ways are. Nothing is derived from upstream data.
2. Reads it back with ``agglomap.network_file.read_network`` — the path of
   ``agglomap score --network FILE``: GDAL read, noding at shared vertices and crossings,
   loose ends snapped within 10 m, exact geodesic edge lengths, components.
3. Scores the 9 899 OSM settlements (read at run time from
   ``$AGGLOMAP_SOURCES/hotosm_kaz_populated_places.geojson``) with ``score_towns`` and
   ``distance="network"`` on that graph — whole graph searched, then with the search
   capped at the largest TDaa threshold (``--network-max-km``).

Times are wall-clock; peak memory is the process's maximum resident set size
(``ru_maxrss``), which only grows, read after each step. Appends to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from agglomap.agglomeration import load_config, score_towns
from agglomap.corridors import load_corridors
from agglomap.gazetteer import load_cities
from agglomap.network_file import NetworkSettings, read_network

HERE = Path(__file__).resolve().parent
WEST, SOUTH, EAST, NORTH = 46.5, 40.5, 87.3, 55.5


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_roads(n_nodes: int, seed: int = 2026) -> gpd.GeoDataFrame:
    """A perturbed grid of about ``n_nodes`` junctions as lines with a ``highway`` class."""
    rng = np.random.default_rng(seed)
    aspect = (EAST - WEST) * np.cos(np.radians(48)) / (NORTH - SOUTH)
    ny = int(round(np.sqrt(n_nodes / aspect)))
    nx = int(round(n_nodes / ny))
    dx, dy = (EAST - WEST) / (nx - 1), (NORTH - SOUTH) / (ny - 1)
    lon = WEST + dx * (np.arange(nx)[None, :] + rng.uniform(-0.3, 0.3, (ny, nx)))
    lat = SOUTH + dy * (np.arange(ny)[:, None] + rng.uniform(-0.3, 0.3, (ny, nx)))
    lon, lat = np.clip(lon, WEST, EAST), np.clip(lat, SOUTH, NORTH)
    geoms, classes = [], []

    def rank(k: np.ndarray) -> np.ndarray:
        return np.where(k % 50 == 0, 0, np.where(k % 10 == 0, 1, 2))

    names = np.array(["trunk", "primary", "tertiary"])
    for horizontal in (True, False):
        lines_lon = lon if horizontal else lon.T
        lines_lat = lat if horizontal else lat.T
        kind = rank(np.arange(lines_lon.shape[0]))
        for r in range(lines_lon.shape[0]):
            links = lines_lon.shape[1] - 1
            keep = np.ones(links, dtype=bool)
            if kind[r] == 2:
                keep = rng.random(links) >= 0.10
            # runs of kept links become one line each
            edges = np.flatnonzero(np.diff(np.r_[0, keep.astype(int), 0]))
            for start, stop in zip(edges[::2], edges[1::2], strict=True):
                xy = np.c_[lines_lon[r, start : stop + 1], lines_lat[r, start : stop + 1]]
                geoms.append(xy)
                classes.append(names[kind[r]])
    lines = [shapely.LineString(g) for g in geoms]
    return gpd.GeoDataFrame({"highway": classes}, geometry=lines, crs="EPSG:4326")


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


CPU: dict[str, float] = {}


def _timed(func, *args, **kwargs):
    """Run ``func``; its wall time is returned, its CPU time (user + system) kept in CPU."""
    start, cpu = time.perf_counter(), _cpu()
    result = func(*args, **kwargs)
    CPU[getattr(func, "__name__", "?")] = CPU.get(getattr(func, "__name__", "?"), 0) + (
        _cpu() - cpu
    )
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    src = Path(os.environ.get("AGGLOMAP_SOURCES", HERE.parents[1] / "shared/data/sources"))
    osm = gpd.read_file(src / "hotosm_kaz_populated_places.geojson", engine="pyogrio")
    cities, corridors, config = load_cities(), load_corridors(), load_config()
    t_all, cpu_all = time.perf_counter(), _cpu()
    roads, t_make = _timed(synthetic_roads, args.nodes)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic_roads.gpkg"
        _, t_write = _timed(roads.to_file, path, engine="pyogrio")
        n_lines = len(roads)
        del roads
        rss_before = _rss_mb()
        net, t_build = _timed(read_network, path, NetworkSettings(spacing_km=5.0))
    rss_build = _rss_mb()
    info = net.info
    full, t_full = _timed(
        score_towns, osm, cities=cities, corridors=corridors, network=net, distance="network"
    )
    cpu_full = CPU.pop("score_towns")
    rss_full = _rss_mb()
    cap = max(config.fua_max_km, config.near_max_km)
    net.max_km = cap
    capped, t_cap = _timed(
        score_towns, osm, cities=cities, corridors=corridors, network=net, distance="network"
    )
    cpu_cap = CPU.pop("score_towns")
    rss_cap = _rss_mb()
    t_total, cpu_total = time.perf_counter() - t_all, _cpu() - cpu_all
    same_tdaa = all((full[k].to_numpy() == capped[k].to_numpy()).all() for k in ("tdaa1", "tdaa2"))
    within = np.isfinite(full["core_city_km_network"]) & (full["core_city_km_network"] <= cap)
    same_km = np.allclose(
        full.loc[within, "core_city_km_network"], capped.loc[within, "core_city_km_network"]
    )
    ratio = (full["core_city_km_network"] / full["core_city_km_geodesic"]).median()
    command = f"python3 benchmarks/bench_network.py --nodes {args.nodes}"
    lines = [
        f"## Network benchmark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — "
        f"{platform.node() or 'host'}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "",
        f"Command: `{command}`; `uptime` at start: `{uptime}` (the machine is shared).",
        "",
        f"Graph: {info['n_vertices']:,} vertices, {info['n_edges']:,} edges, "
        f"{info['total_km']:,.0f} km from {n_lines:,} synthetic lines (perturbed grid, "
        f"trunk/primary/tertiary); {info['n_crossings_noded']} crossings noded, "
        f"{info['n_ends_snapped']:,} ends snapped within 10 m; {info['n_components']:,} "
        f"components, the largest {100 * info['largest_share']:.2f} % of the vertices.",
        f"Towns: {len(osm):,} OSM settlements × {len(cities)} gazetteer cities.",
        "",
        "| step | wall time | CPU time (user + sys) | peak RSS after it |",
        "|---|---|---|---|",
        f"| generate the lines (numpy) + write the GeoPackage | {t_make:.1f} s + "
        f"{t_write:.1f} s | {CPU['synthetic_roads'] + CPU['to_file']:.1f} s | "
        f"{rss_before:,.0f} MB |",
        f"| `read_network` (GDAL read, noding, snapping, geodesic lengths, components) | "
        f"{t_build:.1f} s | {CPU['read_network']:.1f} s | {rss_build:,.0f} MB |",
        f"| `score_towns(distance='network')`, whole graph searched | {t_full:.1f} s | "
        f"{cpu_full:.1f} s | {rss_full:,.0f} MB |",
        f"| the same with the search capped at {cap:g} km (`--network-max-km`) | "
        f"{t_cap:.1f} s | {cpu_cap:.1f} s | {rss_cap:,.0f} MB |",
        f"| **everything above** | **{t_total:.1f} s** | **{cpu_total:.1f} s** | "
        f"**{rss_cap:,.0f} MB** |",
        "",
        f"Capped vs whole search: TDaa1/TDaa2 identical: {same_tdaa}; core-city km within "
        f"the cap identical: {same_km}. Median network/geodesic ratio to the core city: "
        f"{ratio:.3f}. Target: ≤ 15 min and < 4 GB for the read + score of 9 899 towns.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write(text + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
