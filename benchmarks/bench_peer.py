"""Benchmark: agglomap's exact distance kernels against the approximate peer, same points.

Run:  python3 benchmarks/bench_peer.py [--sizes 9899 100000 1000000] [--repeat 5] [--no-write]
      python3 benchmarks/bench_peer.py --score N [--distance geodesic|network]
      python3 benchmarks/bench_peer.py --write-towns N FILE.csv

The job is the one an analyst writes first: for every town, the nearest *large* city
(agglomap's TDaa2 set: republican cities, 2022 oblast centres, >= 250 000 inhabitants)
and the nearest corridor (and every corridor within the 25 km reach of TDaa3).

* agglomap: ``distances.PointIndex.nearest`` and ``distances.LineIndex.near`` (k-d tree
  candidates with a provable sphere/ellipsoid bound, exact WGS84 refinement); the index
  is built inside the timed call.
* the peer: scikit-learn ``BallTree`` (haversine, R = 6371.0088 km) for the city and
  geopandas ``sjoin_nearest`` in a Kazakhstan Lambert azimuthal equal-area projection
  (``+proj=laea +lat_0=48 +lon_0=67``) for the corridor.

Both run in one process on the same points, alternately, ``--repeat`` times (the median
is reported; the machine is shared). The towns are the 9 899 OSM settlements
(``$AGGLOMAP_SOURCES/hotosm_kaz_populated_places.geojson``, ODbL) and, for larger sizes,
settlements drawn with replacement and moved by up to ±0.15° (never written to the
repository). Accuracy is against the exact answer: on the settlements the full reference
(``geodesic_matrix`` + ``distance_to_lines``, every pair measured); on the larger sets
agglomap's own answer (equal to the reference, see tests/test_distances.py) with the
reference rerun on a 5 000-town sample. Threshold flips are towns whose decision at
25 km (corridor, TDaa3 reach) or 100 km (large city, TDaa2) differs from the exact one.

``--score N`` times ``score_towns`` on N such towns (one process; prints wall time and
peak RSS); ``--write-towns`` writes N such towns as a CSV for timing ``agglomap score``.
Needs the ``bench`` extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from agglomap import agglomeration, distances
from agglomap.corridors import load_corridors
from agglomap.gazetteer import load_cities

HERE = Path(__file__).resolve().parent
LAEA = "+proj=laea +lat_0=48 +lon_0=67"
R_KM = 6371.0088
REACH_KM = 25.0
NEAR_KM = 100.0


def settlements() -> gpd.GeoDataFrame:
    src = Path(os.environ.get("AGGLOMAP_SOURCES", HERE.parents[1] / "shared/data/sources"))
    return gpd.read_file(src / "hotosm_kaz_populated_places.geojson")


def points(n: int, seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    """The settlements themselves (n = their number), else n draws from them moved by up
    to ±0.15°, kept only inside Kazakhstan (the geokz oblast polygons)."""
    osm = settlements()
    lon, lat = osm.geometry.x.to_numpy(), osm.geometry.y.to_numpy()
    if n == len(lon):
        return lon, lat
    from agglomap.boundaries import load_boundaries

    country = shapely.union_all(load_boundaries("2022", "oblast").to_crs(4326).geometry)
    shapely.prepare(country)
    rng = np.random.default_rng(seed)
    xs, ys, have = [], [], 0
    while have < n:
        pick = rng.integers(0, len(lon), n)
        x = lon[pick] + rng.uniform(-0.15, 0.15, n)
        y = lat[pick] + rng.uniform(-0.15, 0.15, n)
        inside = shapely.contains_xy(country, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def large_cities() -> pd.DataFrame:
    cities = load_cities()
    prepared = agglomeration._prepare_cities(cities, agglomeration.load_config())
    return cities[prepared.large]


def agglomap_kernels(lon, lat, large, corridors):
    city_j, city_km = distances.PointIndex.build(large["lon"], large["lat"]).nearest(lon, lat)
    found = distances.LineIndex.build(corridors.geometry).near(lon, lat, REACH_KM)
    return city_km, found.nearest_km, found


def peer(lon, lat, large, corridors):
    from sklearn.neighbors import BallTree

    tree = BallTree(np.radians(np.c_[large["lat"], large["lon"]]), metric="haversine")
    d, _ = tree.query(np.radians(np.c_[lat, lon]), k=1)
    towns = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    joined = gpd.sjoin_nearest(
        towns.to_crs(LAEA), corridors[["geometry"]].to_crs(LAEA), distance_col="corr_m"
    )
    corridor_km = joined.groupby(level=0)["corr_m"].min().reindex(towns.index) / 1000
    return d[:, 0] * R_KM, corridor_km.to_numpy()


def flips(exact, approx, limit):
    return np.flatnonzero((exact <= limit) != (approx <= limit))


def run_size(n, repeat, large, corridors, names=None):
    lon, lat = points(n)
    t_ours, t_peer = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        city_km, corr_km, found = agglomap_kernels(lon, lat, large, corridors)
        t_ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        p_city, p_corr = peer(lon, lat, large, corridors)
        t_peer.append(time.perf_counter() - start)
    # the exact reference: every pair measured (on a sample for the large sets)
    sample = np.arange(n) if n <= 10_000 else np.random.default_rng(1).choice(n, 5000, False)
    ref_city = distances.geodesic_matrix(lon[sample], lat[sample], large["lon"], large["lat"])
    ref_lines, _, _ = distances.distance_to_lines(lon[sample], lat[sample], corridors.geometry)
    ref_city, ref_corr = ref_city.min(axis=1), ref_lines.min(axis=1)
    within = found.km <= REACH_KM
    got = np.zeros_like(ref_lines, dtype=bool)
    where = np.full(n, -1)
    where[sample] = np.arange(sample.size)
    sel = within & (where[found.point] >= 0)
    got[where[found.point[sel]], found.line[sel]] = True
    ours_err = max(
        np.abs(city_km[sample] - ref_city).max(), np.abs(corr_km[sample] - ref_corr).max()
    )
    ours_flips = (
        flips(ref_city, city_km[sample], NEAR_KM).size
        + flips(ref_corr, corr_km[sample], REACH_KM).size
        + int((got != (ref_lines <= REACH_KM)).any(axis=1).sum())
    )
    peer_city_flips = flips(city_km, p_city, NEAR_KM)
    peer_corr_flips = flips(corr_km, p_corr, REACH_KM)
    listed = []
    for kind, idx, exact, approx, limit in (
        ("corridor", peer_corr_flips, corr_km, p_corr, REACH_KM),
        ("large city", peer_city_flips, city_km, p_city, NEAR_KM),
    ):
        for i in idx:
            name = f"{names[i]} " if names is not None else ""
            listed.append(
                f"{name}({lat[i]:.4f} N, {lon[i]:.4f} E): {kind} exact {exact[i]:.3f} km, "
                f"peer {approx[i]:.3f} km (limit {limit:g})"
            )
    return {
        "n": n,
        "ours": statistics.median(t_ours),
        "peer": statistics.median(t_peer),
        "ours_all": t_ours,
        "peer_all": t_peer,
        "ratio": statistics.median(np.array(t_ours) / np.array(t_peer)),
        "ours_err_m": ours_err * 1000,
        "ours_flips": ours_flips,
        "checked": sample.size,
        "peer_city_err_km": np.abs(p_city - city_km).max(),
        "peer_corr_err_km": np.abs(p_corr - corr_km).max(),
        "peer_flips_25": peer_corr_flips.size,
        "peer_flips_100": peer_city_flips.size,
        "listed": listed,
    }


def score(n: int, distance: str) -> None:
    lon, lat = points(n)
    towns = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    start = time.perf_counter()
    scored = agglomeration.score_towns(towns, distance=distance)
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"score_towns {n} towns {distance}: {wall:.1f} s, peak RSS {rss:.0f} MB, "
          f"tdaa3=100 for {int((scored['tdaa3'] == 100).sum())}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[9899, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--score", type=int, metavar="N")
    parser.add_argument("--distance", default="network", choices=("network", "geodesic"))
    parser.add_argument("--write-towns", nargs=2, metavar=("N", "FILE"))
    args = parser.parse_args()
    if args.score:
        return score(args.score, args.distance)
    if args.write_towns:
        lon, lat = points(int(args.write_towns[0]))
        pd.DataFrame({"lat": lat.round(6), "lon": lon.round(6)}).to_csv(
            args.write_towns[1], index=False
        )
        return None

    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    large, corridors = large_cities(), load_corridors()
    osm_names = settlements()["name"].astype(str).to_numpy()
    rows = []
    for n in args.sizes:
        repeat = args.repeat if n <= 100_000 else 1
        result = run_size(n, repeat, large, corridors, osm_names if n == 9899 else None)
        rows.append(result)
        print(result["n"], {k: v for k, v in result.items() if k != "listed"}, flush=True)
    end_uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — exact kernels vs the approximate peer "
        f"({platform.node() or 'host'}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()})",
        "",
        f"Command: `python3 benchmarks/bench_peer.py --sizes {' '.join(map(str, args.sizes))} "
        f"--repeat {args.repeat}`. Load (`uptime`) at start: `{uptime}`; at end: "
        f"`{end_uptime}`. Job: nearest large city ({len(large)} cities) and nearest corridor "
        f"({len(corridors)} corridors) per town, plus agglomap's corridors within "
        f"{REACH_KM:g} km.",
        "",
        "| towns | agglomap (exact) | peer (BallTree + sjoin_nearest LAEA) | ratio "
        "agglomap/peer (median of pairs) | agglomap vs full reference | peer max error "
        "city / corridor | peer flips at 25 km / 100 km |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        runs = "" if len(r["ours_all"]) > 1 else " (1 run)"
        lines.append(
            f"| {r['n']:,} | {r['ours']:.2f} s{runs} | {r['peer']:.2f} s | {r['ratio']:.2f} | "
            f"max {r['ours_err_m']:.4f} m, {r['ours_flips']} flips ({r['checked']:,} towns "
            f"checked) | {r['peer_city_err_km']:.2f} / {r['peer_corr_err_km']:.2f} km | "
            f"{r['peer_flips_25']} / {r['peer_flips_100']} |"
        )
    for r in rows:
        if r["listed"]:
            lines += ["", f"Peer's threshold flips on {r['n']:,} towns:", ""]
            lines += [f"* {x}" for x in r["listed"][:40]]
            if len(r["listed"]) > 40:
                lines.append(f"* … and {len(r['listed']) - 40} more")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return None


if __name__ == "__main__":
    sys.exit(main())
