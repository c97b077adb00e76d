"""The corridor network: topology, nearest vertices, along-graph and door-to-door km."""

from __future__ import annotations

import time
from itertools import pairwise

import geopandas as gpd
import numpy as np
import pytest
import yaml
from pyproj import Geod
from shapely import LineString

from agglomap.corridors import load_corridors, waypoints
from agglomap.data import data_path
from agglomap.network import CorridorNetwork

GEOD = Geod(ellps="WGS84")
MAIN_CITIES = [
    "astana", "almaty", "shymkent", "karaganda", "aktobe", "atyrau", "aktau", "oral",
    "pavlodar", "semey", "oskemen", "kostanay", "petropavl", "kyzylorda", "taraz",
    "taldykorgan",
]  # fmt: skip
BBOX = (46.5, 40.5, 87.3, 55.5)  # Kazakhstan, lon/lat


@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    return load_corridors()


@pytest.fixture(scope="module")
def net(layer) -> CorridorNetwork:
    return CorridorNetwork.from_corridors(layer)


@pytest.fixture(scope="module")
def by_mode(layer) -> dict[str, CorridorNetwork]:
    return {m: CorridorNetwork.from_corridors(layer[layer["mode"] == m]) for m in ("road", "rail")}


@pytest.fixture(scope="module")
def cities() -> gpd.GeoDataFrame:
    """The gazetteer's cities if that module is there, else the corridor waypoints."""
    try:
        from agglomap.gazetteer import load_cities
    except ImportError:
        pts = waypoints().rename(columns={"waypoint_id": "city_id"})
        return pts
    return load_cities()


def _geodesic(lon1, lat1, lon2, lat2) -> np.ndarray:
    n, m = len(lon1), len(lon2)
    d = GEOD.inv(np.repeat(lon1, m), np.repeat(lat1, m), np.tile(lon2, n), np.tile(lat2, n))[2]
    return d.reshape(n, m) / 1000


def test_shapes_and_graph(net, layer):
    v = net.vertices_lonlat
    assert v.shape[1] == 2 and net.graph.shape == (len(v), len(v))
    assert (net.graph != net.graph.T).nnz == 0  # undirected
    assert net.graph.data.min() > 0 and net.graph.data.max() <= 1.0 + 1e-9  # spacing_km=1
    assert net.corridor_ids == tuple(layer["corridor_id"])


def test_graph_length_is_the_length_of_the_distinct_legs(net):
    """Legs that a road and a railway share (same two waypoints) are one set of edges:
    the graph's total length is the sum of the distinct waypoint legs."""
    docs = [
        yaml.safe_load(data_path(name).read_text(encoding="utf-8"))
        for name in ("corridors.yaml", "rail.yaml")
    ]
    points = {w["id"]: (w["lon"], w["lat"]) for doc in docs for w in doc["waypoints"]}

    def lonlat(item) -> tuple[float, float]:  # a waypoint id or a [lat, lon] vertex
        return points[item] if isinstance(item, str) else (item[1], item[0])

    legs = {
        tuple(sorted((lonlat(p), lonlat(q))))
        for doc in docs
        for c in doc["corridors"]
        for p, q in pairwise(c["route"])
    }
    a = np.array([x for x, _ in legs])
    b = np.array([y for _, y in legs])
    km = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])[2].sum() / 1000
    assert net.graph.sum() / 2 == pytest.approx(km, abs=0.1)


@pytest.mark.parametrize("mode", ["road", "rail"])
def test_each_mode_connects_the_main_cities(by_mode, cities, mode):
    network = by_mode[mode]
    c = cities.set_index("city_id").loc[MAIN_CITIES]
    vertex, km = network.nearest_vertex(c["lon"], c["lat"])
    assert km.max() < 1.0, dict(zip(MAIN_CITIES, km.round(1), strict=True))  # on the network
    assert len(set(network.component(vertex))) == 1
    along = network.along(vertex, vertex)
    assert np.isfinite(along).all()


def test_whole_network_is_one_component(net):
    assert net.n_components == 1


def test_nearest_vertex_agrees_with_brute_force(net):
    rng = np.random.default_rng(42)
    lon = rng.uniform(BBOX[0], BBOX[2], 200)
    lat = rng.uniform(BBOX[1], BBOX[3], 200)
    idx, km = net.nearest_vertex(lon, lat)
    brute = _geodesic(lon, lat, net.vertices_lonlat[:, 0], net.vertices_lonlat[:, 1])
    assert np.allclose(km, brute.min(axis=1), atol=1e-9)
    assert np.allclose(brute[np.arange(200), idx], km, atol=1e-9)


def test_along_is_a_metric_on_vertices(net):
    rng = np.random.default_rng(1)
    v = rng.choice(len(net.vertices_lonlat), 40, replace=False)
    d = net.along(v, v)
    assert np.allclose(d, d.T) and np.all(np.diag(d) == 0)
    # Dijkstra runs from the smaller side; both orders give the same matrix
    assert np.array_equal(net.along(v[:5], v), net.along(v, v[:5]).T)
    assert np.array_equal(net.along(v[:5], v), d[:5])
    # triangle inequality through every third vertex
    assert np.all(d[:, None, :] <= d[:, :, None] + d[None, :, :] + 1e-9)
    # and along the graph is never shorter than the geodesic
    lon, lat = net.vertices_lonlat[v].T
    assert np.all(d >= _geodesic(lon, lat, lon, lat) - 1e-6)


def test_network_distance_is_never_shorter_than_geodesic(net, cities):
    assert len(cities) >= 30
    lon, lat = cities["lon"].to_numpy(), cities["lat"].to_numpy()
    r = net.network_distance(lon, lat, lon, lat)
    geo = _geodesic(lon, lat, lon, lat)
    assert np.isfinite(r["total_km"]).all()
    assert np.all(r["total_km"] >= geo - 1e-6)
    assert np.allclose(r["total_km"], r["access_km"] + r["along_km"] + r["egress_km"])
    assert np.allclose(r["total_km"], r["total_km"].T)


def test_along_a_single_corridor_equals_its_length(by_mode, layer):
    """Between the two ends of a corridor with no shortcut, the network distance is the
    corridor's own geodesic length."""
    rows = layer.set_index("corridor_id")
    for cid, mode in [("road_astana_almaty", "road"), ("rail_shalkar_beineu", "rail")]:
        (x0, y0), (x1, y1) = rows.geometry[cid].coords[0], rows.geometry[cid].coords[-1]
        r = by_mode[mode].network_distance([x0], [y0], [x1], [y1])
        assert r["access_km"][0, 0] == r["egress_km"][0, 0] == 0
        assert r["total_km"][0, 0] == pytest.approx(rows.loc[cid, "length_km"], abs=0.01)


def test_disconnected_pairs_are_inf(layer):
    two = layer[layer["corridor_id"].isin(["rail_shar_oskemen", "road_oral_aktobe"])]
    network = CorridorNetwork.from_corridors(two)
    assert network.n_components == 2
    pts = waypoints().set_index("waypoint_id").loc[["oskemen", "oral", "aktobe"]]
    r = network.network_distance(pts["lon"], pts["lat"], pts["lon"], pts["lat"])
    assert np.isinf(r["total_km"][0, 1]) and np.isinf(r["along_km"][0, 2])
    assert np.isfinite(r["total_km"][1, 2])


def test_junction_km_joins_nearby_corridors_only_when_asked():
    """Two lines ending 0.8 km apart: separate by default, joined with junction_km=1."""
    a = LineString([(70.0, 50.0), (71.0, 50.0)])
    lon, lat, _ = GEOD.fwd(71.0, 50.0, 90, 800)
    b = LineString([(lon, lat), (72.0, 50.0)])
    lines = gpd.GeoDataFrame({"corridor_id": ["a", "b"]}, geometry=[a, b], crs="EPSG:4326")
    assert CorridorNetwork.from_corridors(lines).n_components == 2
    joined = CorridorNetwork.from_corridors(lines, junction_km=1.0)
    assert joined.n_components == 1
    r = joined.network_distance([70.0], [50.0], [72.0], [50.0])
    length = (GEOD.geometry_length(a) + GEOD.geometry_length(b)) / 1000
    assert r["total_km"][0, 0] == pytest.approx(length + 0.8, abs=1e-3)
    assert joined.path(70.0, 50.0, 72.0, 50.0) == ["a", "(junction)", "b"]
    # a junction never joins points of the same corridor
    assert CorridorNetwork.from_corridors(lines.iloc[:1], junction_km=50).graph.nnz == 2 * (
        len(CorridorNetwork.from_corridors(lines.iloc[:1]).vertices_lonlat) - 1
    )


def test_path_names_the_corridors_used(by_mode):
    pts = waypoints().set_index("waypoint_id")
    rail = by_mode["rail"]
    used = rail.path(*pts.loc["aktau", ["lon", "lat"]], *pts.loc["almaty", ["lon", "lat"]])
    assert used[0] == "rail_atyrau_aktau" and used[-1] == "rail_turksib"
    assert all(c.startswith("rail_") for c in used)
    assert rail.path(*pts.loc["aktau", ["lon", "lat"]], *pts.loc["aktau", ["lon", "lat"]]) == []


def test_bad_arguments(layer):
    with pytest.raises(ValueError):
        CorridorNetwork.from_corridors(layer, spacing_km=0)
    with pytest.raises(ValueError):
        CorridorNetwork.from_corridors(layer, junction_km=-1)
    with pytest.raises(ValueError):
        CorridorNetwork.from_corridors(layer.iloc[:0])
    net = CorridorNetwork.from_corridors(layer.iloc[:1])
    with pytest.raises(ValueError, match="lat must lie"):
        net.nearest_vertex([71.0], [91.0])
    with pytest.raises(ValueError, match="lat must lie"):
        net.network_distance([float("nan")], [50.0], [71.0], [50.0])


def test_every_osm_settlement_to_every_main_city(net, sources_dir, cities):
    """Scale: all 9 899 OpenStreetMap settlements to the 16 main cities, vectorised."""
    places = gpd.read_file(sources_dir / "hotosm_kaz_populated_places.geojson")
    places = places[places.geom_type == "Point"]
    lon, lat = places.geometry.x.to_numpy(), places.geometry.y.to_numpy()
    c = cities.set_index("city_id").loc[MAIN_CITIES]
    start = time.perf_counter()
    r = net.network_distance(lon, lat, c["lon"], c["lat"])
    seconds = time.perf_counter() - start
    assert r["total_km"].shape == (len(places), len(MAIN_CITIES))
    assert np.all(r["total_km"] >= _geodesic(lon, lat, c["lon"], c["lat"]) - 1e-6)
    assert seconds < 60


def test_oblast_centres_are_joined_by_reasonable_paths(net, cities):
    """Network/geodesic ratio between the 20 oblast centres and cities of republican
    significance: median <= 1.25; above 1.6 only the pairs docs/corridors.md explains."""
    from agglomap.agglomeration import _centres

    if "status" not in cities.columns:
        pytest.skip("the gazetteer is needed")
    republican = set(cities.loc[cities["status"] == "republican", "city_id"])
    ids = sorted(_centres("2022") | republican)
    c = cities.set_index("city_id").loc[ids]
    assert len(ids) == 20
    lon, lat = c["lon"].to_numpy(), c["lat"].to_numpy()
    upper = np.triu_indices(len(ids), 1)  # pairs of distinct cities (no 0 / 0)
    km = net.network_distance(lon, lat, lon, lat)["total_km"]
    ratio = km[upper] / _geodesic(lon, lat, lon, lat)[upper]
    assert np.median(ratio) <= 1.25
    pairs = zip(*upper, ratio, strict=True)
    high = {tuple(sorted((ids[i], ids[j]))) for i, j, x in pairs if x > 1.6}
    explained = {("aktau", "atyrau"), ("karaganda", "semey"), ("karaganda", "oskemen")}
    assert high <= explained, high
