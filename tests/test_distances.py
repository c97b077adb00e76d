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
