"""Geodesic matrices, point-to-corridor distances and network distances, checked against
independent computations a user could repeat."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString

from agglomap import distances
from agglomap.gazetteer import load_cities

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def cities():
    return load_cities().set_index("city_id")


def _xy(cities, *ids):
    return [(cities.at[i, "lon"], cities.at[i, "lat"]) for i in ids]


def test_matrix_matches_geographiclib_pair_by_pair():
    rng = np.random.default_rng(7)
    lon1, lat1 = rng.uniform(46, 88, 23), rng.uniform(40, 56, 23)
    lon2, lat2 = rng.uniform(46, 88, 31), rng.uniform(40, 56, 31)
    got = distances.geodesic_matrix(lon1, lat1, lon2, lat2)
    assert got.shape == (23, 31)
    for i in range(23):
        for j in range(31):
            ref = GEOD.inv(lon1[i], lat1[i], lon2[j], lat2[j])[2] / 1000
            assert abs(got[i, j] - ref) < 0.001  # 1 m


def test_matrix_chunking_does_not_change_results(monkeypatch):
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(46, 88, 50), rng.uniform(40, 56, 50)
    whole = distances.geodesic_matrix(lon, lat, lon[:7], lat[:7])
    monkeypatch.setattr(distances, "CHUNK_PAIRS", 10)  # 1 row per call
    assert np.array_equal(distances.geodesic_matrix(lon, lat, lon[:7], lat[:7]), whole)


def test_published_geographiclib_example():
    # GeographicLib documentation (geographiclib.sourceforge.io, Python "Examples"):
    # Wellington (41.32S, 174.81E) to Salamanca (40.96N, 5.50W) is 19959679.267 m on WGS84.
    km = distances.geodesic_matrix(174.81, -41.32, -5.50, 40.96)[0, 0]
    assert km == pytest.approx(19959.679267, abs=0.001)


def _haversine_km(lon1, lat1, lon2, lat2, radius=6371.0088):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * radius * math.asin(math.sqrt(a))


@pytest.mark.parametrize(
    ("a", "b", "approx_km"),
    [
        # rounded figures a planner can check on any map with a ruler; the exact reference is
        # the GeographicLib example above, the 0.5 % check the spherical (haversine) formula
        ("almaty", "astana", 973),
        ("karaganda", "temirtau", 30),
        ("almaty", "shymkent", 607),
    ],
)
def test_city_pairs_agree_with_great_circle(cities, a, b, approx_km):
    """The gazetteer points (GeoNames) give the distances a planner knows, and the ellipsoidal
    figure is within 0.5 % of the great-circle (haversine, IUGG mean radius) one."""
    (x1, y1), (x2, y2) = _xy(cities, a, b)
    km = distances.geodesic_matrix(x1, y1, x2, y2)[0, 0]
    assert km == pytest.approx(_haversine_km(x1, y1, x2, y2), rel=0.005)
    assert km == pytest.approx(approx_km, rel=0.03)


def _densified(line: LineString, step_m: float = 100.0) -> np.ndarray:
    pts = []
    coords = list(line.coords)
    for (x1, y1), (x2, y2) in zip(coords[:-1], coords[1:], strict=True):
        n = int(math.ceil(GEOD.inv(x1, y1, x2, y2)[2] / step_m))
        pts.append((x1, y1))
        pts.extend(GEOD.npts(x1, y1, x2, y2, max(n - 1, 0)))
    pts.append(coords[-1])
    return np.asarray(pts)


def _brute_force_km(lon, lat, line):
    dense = _densified(line)
    n, m = len(lon), len(dense)
    _, _, d = GEOD.inv(
        np.repeat(lon, m), np.repeat(lat, m), np.tile(dense[:, 0], n), np.tile(dense[:, 1], n)
    )
    return np.asarray(d).reshape(n, m).min(axis=1) / 1000


def _check_against_brute_force(lon, lat, lines):
    km, near_lon, near_lat = distances.distance_to_lines(lon, lat, lines)
    assert km.shape == (len(lon), len(lines))
    for k, line in enumerate(lines):
        ref = _brute_force_km(lon, lat, line)
        # the brute force over 100 m steps can only overestimate, by < 100 m
        assert np.all(np.abs(km[:, k] - ref) < 0.1), np.abs(km[:, k] - ref).max()
        # the nearest point returned is really at the distance returned
        _, _, back = GEOD.inv(near_lon[:, k], near_lat[:, k], lon, lat)
        assert np.allclose(np.asarray(back) / 1000, km[:, k], atol=1e-6)


def test_point_to_line_matches_densified_brute_force(cities):
    """150 random points across Kazakhstan against long polylines through real city points
    (segments up to ~900 km, where a planar or spherical shortcut would be off by km)."""
    lines = [
        LineString(_xy(cities, "almaty", "balkhash", "karaganda", "temirtau", "astana")),
        LineString(_xy(cities, "aktobe", "kyzylorda", "shymkent", "taraz", "almaty")),
        LineString(_xy(cities, "oral", "aktobe", "kostanay", "petropavl", "pavlodar", "oskemen")),
    ]
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(46.5, 87.3, 150), rng.uniform(40.6, 55.4, 150)
    _check_against_brute_force(lon, lat, lines)


def test_points_on_and_near_a_line(cities):
    line = LineString(_xy(cities, "karaganda", "astana"))
    mid_lon, mid_lat = GEOD.npts(*line.coords[0], *line.coords[1], 1)[0]
    (start_lon, start_lat) = line.coords[0]
    km, _, _ = distances.distance_to_lines([mid_lon, start_lon], [mid_lat, start_lat], [line])
    assert km[0, 0] < 1e-6 and km[1, 0] < 1e-6  # on the geodesic, and on a vertex
    # a MultiLineString is one line: the distance is to its nearest part
    multi = MultiLineString([_xy(cities, "almaty", "taraz"), _xy(cities, "karaganda", "astana")])
    km, _, _ = distances.distance_to_lines([mid_lon], [mid_lat], [multi, line])
    assert km[0, 0] == pytest.approx(0, abs=1e-6) and km[0, 1] == pytest.approx(0, abs=1e-6)


def test_point_to_real_corridors(sources_dir):
    corridors = pytest.importorskip("agglomap.corridors").load_corridors()
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(46.5, 87.3, 100), rng.uniform(40.6, 55.4, 100)
    lines = list(corridors.geometry[:6])
    _check_against_brute_force(lon, lat, lines)


def _golden_section_km(px, py, ax, ay, bx, by, iterations=60):
    """Exact nearest point on one geodesic segment, the slow way (scalar calls)."""
    az, _, length = GEOD.inv(ax, ay, bx, by)

    def dist(s):
        x, y, _ = GEOD.fwd(ax, ay, az, s)
        return GEOD.inv(x, y, px, py)[2]

    lo, hi, g = 0.0, length, (math.sqrt(5) - 1) / 2
    for _ in range(iterations):
        c, d = hi - g * (hi - lo), lo + g * (hi - lo)
        lo, hi = (lo, d) if dist(c) < dist(d) else (c, hi)
    return min(dist((lo + hi) / 2), dist(0.0), dist(length)) / 1000


def test_far_points_match_exact_per_segment_minimisation(sources_dir):
    """Far from a densely drawn corridor the ellipsoidal foot lies a few km from the
    spherical one; the result must still be the exact minimum over every segment (1 cm)."""
    corridors = pytest.importorskip("agglomap.corridors").load_corridors()
    lines = list(corridors.geometry[:4])
    lon, lat = np.array([69.047, 52.0, 86.5]), np.array([52.369, 41.5, 55.0])
    km, _, _ = distances.distance_to_lines(lon, lat, lines)
    for k, line in enumerate(lines):
        c = np.asarray(line.coords)
        for p in range(len(lon)):
            ref = min(
                _golden_section_km(lon[p], lat[p], *c[s], *c[s + 1]) for s in range(len(c) - 1)
            )
            assert abs(km[p, k] - ref) < 1e-5, (k, p, km[p, k] - ref)


def test_network_distance_never_shorter_than_geodesic(cities):
    corridors = pytest.importorskip("agglomap.corridors").load_corridors()
    network = pytest.importorskip("agglomap.network").CorridorNetwork.from_corridors(corridors)
    towns = cities[cities["is_monocity"]]
    net = distances.network_km(network, towns["lon"], towns["lat"], cities["lon"], cities["lat"])
    geo = distances.geodesic_matrix(towns["lon"], towns["lat"], cities["lon"], cities["lat"])
    assert net.shape == geo.shape
    finite = np.isfinite(net)
    assert finite.mean() > 0.9  # the corridors connect nearly every pair
    assert np.all(net[finite] >= geo[finite] - 1e-6)


def test_bad_latitude_is_refused():
    with pytest.raises(ValueError, match="lat1"):
        distances.geodesic_matrix([0], [95], [0], [0])


# --- the indexed kernels give today's exact answers -------------------------------------


def _check_index_against_reference(lon, lat, lines, reach_km):
    """LineIndex.near agrees with the full distance_to_lines matrix (the reference, which
    measures every point against every segment) to 1 m, and on every threshold decision."""
    ref, _, _ = distances.distance_to_lines(lon, lat, lines)
    got = distances.LineIndex.build(lines).near(lon, lat, reach_km)
    assert np.abs(got.nearest_km - ref.min(axis=1)).max() < 0.001
    assert np.array_equal(got.nearest_km <= reach_km, ref.min(axis=1) <= reach_km)
    within = got.km <= reach_km
    pairs = set(zip(got.point[within].tolist(), got.line[within].tolist(), strict=True))
    assert pairs == set(zip(*np.nonzero(ref <= reach_km), strict=True))
    assert np.abs(got.km - ref[got.point, got.line]).max(initial=0) < 0.001
    # the nearest point returned is really at the distance returned
    _, _, back = GEOD.inv(got.near_lon, got.near_lat, lon[got.point], lat[got.point])
    assert np.allclose(np.asarray(back) / 1000, got.km, atol=1e-6)
    return ref


def test_line_index_matches_reference_on_long_segments(cities):
    """Segments up to ~900 km (the index's caps and bounds grow with them)."""
    lines = [
        LineString(_xy(cities, "almaty", "balkhash", "karaganda", "temirtau", "astana")),
        LineString(_xy(cities, "aktobe", "kyzylorda", "shymkent", "taraz", "almaty")),
        LineString(_xy(cities, "oral", "aktobe", "kostanay", "petropavl", "pavlodar", "oskemen")),
    ]
    rng = np.random.default_rng(12)
    lon, lat = rng.uniform(46.5, 87.3, 400), rng.uniform(40.6, 55.4, 400)
    for reach in (25.0, 100.0, 300.0):
        _check_index_against_reference(lon, lat, lines, reach)


def _at_distance_from_corridors(corridors, km, rng, n):
    """Points ``km`` ± 1 m and ± 50 m across from random points of the corridors, both sides."""
    a, b, _, _ = distances._segments(corridors.geometry)
    pick = rng.integers(0, len(a), n)
    az, _, length = GEOD.inv(a[pick, 0], a[pick, 1], b[pick, 0], b[pick, 1])
    x, y, back = GEOD.fwd(a[pick, 0], a[pick, 1], az, rng.uniform(0, 1, n) * np.asarray(length))
    side = np.where(rng.uniform(size=n) < 0.5, 90.0, -90.0)
    off = km * 1000 + rng.choice([-50.0, -1.0, 1.0, 50.0], n)
    lon, lat, _ = GEOD.fwd(x, y, np.asarray(back) + 180 + side, off)
    return np.asarray(lon), np.asarray(lat)


@pytest.mark.parametrize("reach_km", [25.0, 100.0])
def test_line_index_at_the_threshold(sources_dir, reach_km):
    """Towns placed 25 km / 100 km ± 50 m across from the real corridors: the index
    decides within/beyond exactly as the full reference does."""
    corridors = pytest.importorskip("agglomap.corridors").load_corridors()
    rng = np.random.default_rng(int(reach_km))
    # 600 points: with the traced railways many points 100 km from one corridor lie nearer
    # to another, so fewer of them sit at the threshold than with the schematic lines
    lon, lat = _at_distance_from_corridors(corridors, reach_km, rng, 600)
    ref = _check_index_against_reference(lon, lat, list(corridors.geometry), reach_km)
    # the test points really sit at the threshold (the corridor they were placed from,
    # unless another one passes nearer)
    near = np.abs(ref.min(axis=1) - reach_km) < 0.06
    assert near.sum() >= 50
    assert (ref.min(axis=1)[near] <= reach_km).any() and (ref.min(axis=1)[near] > reach_km).any()


def test_line_index_matches_reference_on_osm_settlements(sources_dir):
    """All 9 899 OSM settlements against the shipped corridors: same km to 1 m."""
    path = sources_dir / "hotosm_kaz_populated_places.geojson"
    if not path.exists():
        pytest.skip(f"{path.name} not available")
    gpd = pytest.importorskip("geopandas")
    corridors = pytest.importorskip("agglomap.corridors").load_corridors()
    towns = gpd.read_file(path)
    lon, lat = towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy()
    _check_index_against_reference(lon, lat, list(corridors.geometry), 25.0)


@pytest.mark.parametrize("dense", [0, 256])  # the tree, and the all-pairs pass
def test_point_index_matches_full_matrix(cities, sources_dir, monkeypatch, dense):
    """Nearest city and cities within a radius, against the full geodesic matrix, for
    random points, towns 100 km ± 50 m from a city and the OSM settlements."""
    monkeypatch.setattr(distances, "_DENSE_POINTS", dense)
    cl, ct = cities["lon"].to_numpy(), cities["lat"].to_numpy()
    rng = np.random.default_rng(21)
    n = 400
    pick = rng.integers(0, len(cl), n)
    off = 100_000 + rng.choice([-50.0, 0.0, 50.0], n)
    tl, tt, _ = GEOD.fwd(cl[pick], ct[pick], rng.uniform(-180, 180, n), off)
    lon = np.r_[rng.uniform(46.5, 87.3, 200), tl]
    lat = np.r_[rng.uniform(40.6, 55.4, 200), tt]
    path = sources_dir / "hotosm_kaz_populated_places.geojson"
    if path.exists():
        towns = pytest.importorskip("geopandas").read_file(path)
        lon, lat = np.r_[lon, towns.geometry.x], np.r_[lat, towns.geometry.y]
    index = distances.PointIndex.build(cl, ct)
    full = distances.geodesic_matrix(lon, lat, cl, ct)
    j, km = index.nearest(lon, lat)
    assert np.array_equal(km, full.min(axis=1))
    assert np.array_equal(j, full.argmin(axis=1))
    for radius in (2.0, 100.0, 1000.0):
        i, jj, d = index.within(lon, lat, radius)
        assert set(zip(i.tolist(), jj.tolist(), strict=True)) == set(
            zip(*np.nonzero(full <= radius), strict=True)
        )
        assert np.array_equal(d, full[i, jj])
