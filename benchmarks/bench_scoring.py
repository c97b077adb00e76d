"""Benchmark: score every OSM settlement of Kazakhstan, vectorised vs a naive per-pair loop.

Run:  python3 benchmarks/bench_scoring.py [--naive-cities 200] [--naive-corridors 20]

Reads ``$AGGLOMAP_SOURCES/hotosm_kaz_populated_places.geojson`` (9 899 points, ODbL) and
scores all of them against every gazetteer city and every corridor, with evidence, once
with geodesic and once with network distances. For a random subsample it then does the
geodesic part the naive way — one scalar ``Geod.inv`` per town × city pair, and per
town × corridor segment a golden-section search for the nearest point with scalar
``Geod.fwd``/``Geod.inv`` — extrapolates that per point, reports the ratio and checks that
both ways give the same kilometres. Appends the figures to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from agglomap import distances
from agglomap.agglomeration import score_towns
from agglomap.corridors import load_corridors
from agglomap.distances import GEOD
from agglomap.gazetteer import load_cities

HERE = Path(__file__).resolve().parent


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def _peak_mb(func, *args, **kwargs) -> float:
    tracemalloc.start()
    func(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _naive_segment_km(px, py, ax, ay, bx, by, iterations=40):
    """Nearest point on one geodesic segment by golden-section search, scalar calls only."""
    az, _, length = GEOD.inv(ax, ay, bx, by)

    def dist(s):
        x, y, _ = GEOD.fwd(ax, ay, az, s)
        return GEOD.inv(x, y, px, py)[2]

    lo, hi = 0.0, length
    g = (math.sqrt(5) - 1) / 2
    c, d = hi - g * (hi - lo), lo + g * (hi - lo)
    fc, fd = dist(c), dist(d)
    for _ in range(iterations):
        if fc < fd:
            hi, d, fd = d, c, fc
            c = hi - g * (hi - lo)
            fc = dist(c)
        else:
            lo, c, fc = c, d, fd
            d = lo + g * (hi - lo)
            fd = dist(d)
    return min(fc, fd, dist(0.0), dist(length)) / 1000


def naive_cities(lon, lat, cities):
    out = np.empty((len(lon), len(cities)))
    for i in range(len(lon)):
        for j, (cx, cy) in enumerate(zip(cities["lon"], cities["lat"], strict=True)):
            out[i, j] = GEOD.inv(lon[i], lat[i], cx, cy)[2] / 1000
    return out


def naive_corridors(lon, lat, corridors):
    out = np.full((len(lon), len(corridors)), np.inf)
    lines = [np.asarray(g.coords) for g in corridors.geometry]
    for i in range(len(lon)):
        for k, coords in enumerate(lines):
            for (ax, ay), (bx, by) in zip(coords[:-1], coords[1:], strict=True):
                out[i, k] = min(out[i, k], _naive_segment_km(lon[i], lat[i], ax, ay, bx, by))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive-cities", type=int, default=200)
    parser.add_argument("--naive-corridors", type=int, default=20)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    src = Path(os.environ.get("AGGLOMAP_SOURCES", HERE.parents[1] / "shared/data/sources"))
    osm = gpd.read_file(src / "hotosm_kaz_populated_places.geojson")
    cities, corridors = load_cities(), load_corridors()
    n_seg = int(shapely.get_num_coordinates(corridors.geometry).sum() - len(corridors))
    lon, lat = osm.geometry.x.to_numpy(), osm.geometry.y.to_numpy()

    score_towns(osm.head(50), cities=cities, corridors=corridors, distance="geodesic")  # warm
    geo, t_geo = _timed(score_towns, osm, cities=cities, corridors=corridors, distance="geodesic")
    net, t_net = _timed(score_towns, osm, cities=cities, corridors=corridors, distance="network")
    (_, t_lines) = _timed(distances.distance_to_lines, lon, lat, corridors.geometry)
    (_, t_matrix) = _timed(distances.geodesic_matrix, lon, lat, cities["lon"], cities["lat"])
    peak_geo = _peak_mb(score_towns, osm, cities=cities, corridors=corridors, distance="geodesic")

    rng = np.random.default_rng(2026)
    pick_c = rng.choice(len(osm), args.naive_cities, replace=False)
    pick_l = pick_c[: args.naive_corridors]
    naive_c, t_nc = _timed(naive_cities, lon[pick_c], lat[pick_c], cities)
    naive_l, t_nl = _timed(naive_corridors, lon[pick_l], lat[pick_l], corridors)
    fast_c = distances.geodesic_matrix(lon[pick_c], lat[pick_c], cities["lon"], cities["lat"])
    fast_l, _, _ = distances.distance_to_lines(lon[pick_l], lat[pick_l], corridors.geometry)
    agree_c = float(np.abs(fast_c - naive_c).max() * 1000)
    agree_l = float(np.abs(fast_l - naive_l).max() * 1000)
    naive_per_point = t_nc / len(pick_c) + t_nl / len(pick_l)
    fast_per_point = (t_matrix + t_lines) / len(osm)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {platform.node() or 'host'}, "
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}, load average at start {load:.2f} "
        "(the machine is shared)",
        "",
        f"Input: {len(osm)} OSM settlements × {len(cities)} gazetteer cities × "
        f"{len(corridors)} corridors ({n_seg} geodesic segments).",
        "",
        "| job | wall time | points/s |",
        "|---|---|---|",
        f"| score_towns, geodesic (TDaa1-3, gravity, evidence) | {t_geo:.2f} s | "
        f"{len(osm) / t_geo:,.0f} |",
        f"| score_towns, network (TDaa1-3, gravity, evidence) | {t_net:.2f} s | "
        f"{len(osm) / t_net:,.0f} |",
        f"| geodesic_matrix, towns × cities ({len(osm) * len(cities):,} pairs) | "
        f"{t_matrix:.2f} s | {len(osm) / t_matrix:,.0f} |",
        f"| distance_to_lines, towns × corridors ({len(osm) * n_seg:,} point-segment pairs) | "
        f"{t_lines:.2f} s | {len(osm) / t_lines:,.0f} |",
        f"| naive towns × cities, scalar Geod.inv per pair ({len(pick_c)} points) | "
        f"{t_nc:.2f} s | {len(pick_c) / t_nc:,.1f} |",
        f"| naive towns × corridors, golden-section per segment ({len(pick_l)} points) | "
        f"{t_nl:.2f} s | {len(pick_l) / t_nl:,.2f} |",
        "",
        f"Geodesic part (cities + corridors) per point: vectorised {fast_per_point * 1e3:.3f} ms, "
        f"naive {naive_per_point * 1e3:.0f} ms — **{naive_per_point / fast_per_point:,.0f}× "
        f"faster**; naive extrapolated to all {len(osm)} points: "
        f"{naive_per_point * len(osm) / 3600:.1f} h.",
        f"Agreement on the subsample: cities max |Δ| {agree_c:.4f} m, corridors max |Δ| "
        f"{agree_l:.2f} m.",
        f"Peak memory: {peak_geo:.0f} MB traced (tracemalloc) during the geodesic scoring; "
        f"process max RSS {maxrss:.0f} MB.",
        f"Results: TDaa levels (network) {net['tdaa_level'].value_counts().to_dict()}; "
        f"tdaa3 = 100 for {int((geo['tdaa3'] == 100).sum())} settlements.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        results = HERE / "RESULTS.md"
        head = (
            ""
            if results.exists()
            else (
                "# Scoring benchmark results\n\nProduced by `python3 benchmarks/bench_scoring.py`; "
                "newest last.\n\n"
            )
        )
        with results.open("a", encoding="utf-8") as fh:
            fh.write(head + text + "\n")


if __name__ == "__main__":
    main()
