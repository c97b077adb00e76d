"""The user's own network: OSM files and line layers the tests write, routed along exactly.

Every expected distance is summed by hand from the drawn roads with pyproj's Geod.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely import LineString

from agglomap.cli import main
from agglomap.errors import InputError
from agglomap.export import sidecar_path
from agglomap.gazetteer import load_cities
from agglomap.network_file import NetworkSettings, build_network, read_lines, read_network

GEOD = Geod(ellps="WGS84")
TOWN = (72.90, 50.08)  # a made-up town 5 km from Temirtau, 25 km from Karaganda
BEND = (73.00, 50.00)
ISLAND = [(72.50, 50.30), (72.52, 50.31)]  # a road joined to nothing


def _km(*points: tuple[float, float]) -> float:
    """Length (km) of the polyline through ``points``, leg by leg on the ellipsoid."""
    lon, lat = np.array(points).T
    return float(GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2].sum() / 1000)


@pytest.fixture(scope="module")
def karaganda() -> tuple[float, float]:
    row = load_cities().set_index("city_id").loc["karaganda"]
    return float(row["lon"]), float(row["lat"])


def _osm_xml(nodes: dict[int, tuple[float, float]], ways: list[tuple[int, list[int], dict]]):
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (lon, lat) in nodes.items():
        out.append(f'  <node id="{nid}" lat="{lat!r}" lon="{lon!r}" version="1"/>')
    for wid, refs, tags in ways:
        out.append(f'  <way id="{wid}" version="1">')
        out += [f'    <nd ref="{r}"/>' for r in refs]
        out += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        out.append("  </way>")
    out.append("</osm>")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def osm_file(tmp_path_factory, karaganda):
    """Town → bend → Karaganda as a primary road; a straight footway shortcut; a railway;
    an island road joined to nothing; a river."""
    nodes = {1: TOWN, 2: BEND, 3: karaganda, 4: (73.20, 49.70), 10: ISLAND[0], 11: ISLAND[1]}
    ways = [
        (100, [1, 2, 3], {"highway": "primary", "ref": "R-1"}),
        (101, [1, 3], {"highway": "footway"}),
        (102, [3, 4], {"railway": "rail"}),
        (103, [10, 11], {"highway": "primary"}),
        (104, [1, 11], {"waterway": "river"}),  # not a road: never read
    ]
    path = tmp_path_factory.mktemp("osm") / "roads.osm"
    path.write_text(_osm_xml(nodes, ways), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def towns_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("towns") / "towns.csv"
    pd.DataFrame(
        {
            "name": ["Testtown", "Islandtown"],
            "lon": [TOWN[0], ISLAND[0][0]],
            "lat": [TOWN[1], ISLAND[0][1]],
        }  # fmt: skip
    ).to_csv(path, index=False)
    return path


def _one(net, a, b) -> float:
    return float(net.network_distance([a[0]], [a[1]], [b[0]], [b[1]])["total_km"][0, 0])


def test_gdal_reads_the_osm_file_with_its_classes(osm_file):
    lines = read_lines(osm_file, ("all",))
    assert sorted(lines["class"]) == ["footway", "primary", "primary", "rail"]
    assert "R-1" in set(lines["label"])
    default = read_lines(osm_file)  # public roads: no footway, no railway
    assert sorted(default["class"]) == ["primary", "primary"]


def test_osm_distance_runs_along_the_road(osm_file, karaganda):
    net = read_network(osm_file)
    expected = _km(TOWN, BEND, karaganda)
    assert _one(net, TOWN, karaganda) == pytest.approx(expected, rel=1e-4)
    assert net.info["licence"].startswith("ODbL")
    assert net.path(*TOWN, *karaganda) == ["R-1"]


def test_classes_filter_keeps_only_the_named_classes(osm_file, karaganda):
    with_path = read_network(osm_file, NetworkSettings(classes=("primary", "footway")))
    assert _one(with_path, TOWN, karaganda) == pytest.approx(_km(TOWN, karaganda), rel=1e-4)
    rail = read_network(osm_file, NetworkSettings(classes=("rail",)))
    assert rail.info["classes"] == ["rail"] and rail.info["n_lines"] == 1
    with pytest.raises(InputError, match=r"no line of class 'primari'; did you mean 'primary'"):
        read_network(osm_file, NetworkSettings(classes=("primari",)))


def test_score_with_an_osm_network(osm_file, towns_csv, karaganda, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert main(["score", "--towns", str(towns_csv), "--network", str(osm_file),
                 "--out", str(out)]) == 0  # fmt: skip
    scores = pd.read_csv(out).set_index("name")
    town = scores.loc["Testtown"]
    assert town["core_city"] == "Karaganda"
    assert town["core_city_km_network"] == pytest.approx(_km(TOWN, BEND, karaganda), rel=0.01)
    assert town["core_city_km_geodesic"] == pytest.approx(_km(TOWN, karaganda), rel=1e-6)
    assert town["network"] == "roads.osm" and pd.isna(town["network_note"])
    island = scores.loc["Islandtown"]  # a disconnected town: a note, no crash, no network km
    assert "not connected to the main network of roads.osm" in island["network_note"]
    # only cities whose own nearest network point is on the island are reachable
    assert not island["core_city_km_network"] < island["core_city_km_geodesic"]
    sidecar = json.loads(sidecar_path(out).read_text(encoding="utf-8"))
    assert sidecar["network"]["file"] == "roads.osm"
    assert sidecar["network"]["n_components"] == 2
    assert {"user_network", "osm"} <= {s["key"] for s in sidecar["sources"]}
    err = capsys.readouterr().err
    assert "2 connected component(s)" in err and "1 town off the main network" in err


def test_score_refuses_an_unknown_class(osm_file, towns_csv, tmp_path, capsys):
    code = main(["score", "--towns", str(towns_csv), "--network", str(osm_file),
                 "--network-classes", "primry", "--out", str(tmp_path / "x.csv")])  # fmt: skip
    assert code == 2
    assert "did you mean 'primary'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


# --- a GeoPackage of lines ----------------------------------------------------------------

WEST = [(72.0 + 0.1 * k, 49.0) for k in range(5)]  # 72.0 … 72.4 along 49° N
CROSS = [(72.15, 48.8), (72.15, 49.2)]  # crosses WEST between vertices
GAP_DEG = 0.00005  # 5.6 m
SPUR = [(72.25, 48.9), (72.25, 49.0 - GAP_DEG)]  # ends 5.6 m short of WEST
FAR = [(75.0, 47.0), (75.1, 47.0)]


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory):
    layer = gpd.GeoDataFrame(
        {"name": ["west", "cross", "spur", "far"], "highway": ["primary", "secondary",
                                                             "track", "primary"]},
        geometry=[LineString(WEST), LineString(CROSS), LineString(SPUR), LineString(FAR)],
        crs="EPSG:4326",
    )  # fmt: skip
    path = tmp_path_factory.mktemp("gpkg") / "lines.gpkg"
    layer.to_file(path, engine="pyogrio")
    return path


def test_line_layer_is_noded_where_lines_cross(gpkg):
    net = read_network(gpkg)
    expected = _km(CROSS[0], (72.15, 49.0), (72.1, 49.0), (72.0, 49.0))
    assert _one(net, CROSS[0], WEST[0]) == pytest.approx(expected, rel=1e-3)
    assert net.info["n_crossings_noded"] == 1
    assert net.path(*CROSS[0], *WEST[0]) == ["cross", "west"]


def test_loose_ends_are_snapped_within_the_tolerance(gpkg):
    snapped = read_network(gpkg)  # 10 m default for a line layer
    gap = _km(SPUR[1], (72.25, 49.0))
    expected = _km(*SPUR) + gap + _km((72.25, 49.0), (72.2, 49.0), (72.1, 49.0), (72.0, 49.0))
    assert snapped.info["n_ends_snapped"] == 1
    assert _one(snapped, SPUR[0], WEST[0]) == pytest.approx(expected, rel=0.001)
    tight = read_network(gpkg, NetworkSettings(snap_m=5.0))  # the gap is 5.6 m
    assert tight.info["n_ends_snapped"] == 0
    assert np.isinf(_one(tight, SPUR[0], WEST[0]))
    assert tight.access_notes([SPUR[0][0]], [SPUR[0][1]])[0].startswith("not connected")


def test_no_crossings_for_osm_shared_nodes_only(gpkg):
    net = read_network(gpkg, NetworkSettings(node_crossings=False))
    assert net.info["n_crossings_noded"] == 0
    assert np.isinf(_one(net, CROSS[0], WEST[0]))  # a bridge: no junction without a node


def test_components_are_reported(gpkg):
    info = read_network(gpkg).info
    assert info["n_components"] == 2  # the far road is its own piece
    assert info["largest_share"] > 0.8
    assert info["total_km"] == pytest.approx(
        _km(*WEST) + _km(*CROSS) + _km(*SPUR) + _km(*FAR) + _km(SPUR[1], (72.25, 49.0)),
        rel=1e-4,
    )


def test_edges_are_divided_to_the_spacing(gpkg):
    net = read_network(gpkg, NetworkSettings(spacing_km=0.5))
    assert net.graph.data.max() <= 0.5 + 1e-9
    coarse = read_network(gpkg, NetworkSettings(spacing_km=50))
    assert _one(net, CROSS[0], WEST[0]) == pytest.approx(_one(coarse, CROSS[0], WEST[0]))


def test_nearest_vertex_agrees_with_brute_force(gpkg):
    net = read_network(gpkg, NetworkSettings(spacing_km=0.3))
    rng = np.random.default_rng(8)
    lon, lat = rng.uniform(71.5, 75.5, 300), rng.uniform(46.5, 49.5, 300)
    idx, km = net.nearest_vertex(lon, lat)
    v = net.vertices_lonlat
    brute = GEOD.inv(
        np.repeat(lon, len(v)), np.repeat(lat, len(v)),
        np.tile(v[:, 0], lon.size), np.tile(v[:, 1], lon.size),
    )[2].reshape(lon.size, len(v)) / 1000  # fmt: skip
    assert np.allclose(km, brute.min(axis=1), atol=1e-9)


def test_search_cap_makes_far_places_unreachable(gpkg):
    capped = read_network(gpkg)
    full = _one(capped, CROSS[0], WEST[0])
    capped.max_km = full / 2
    assert np.isinf(_one(capped, CROSS[0], WEST[0]))
    capped.max_km = full * 1.01
    assert _one(capped, CROSS[0], WEST[0]) == pytest.approx(full)


def test_a_layer_without_lines_is_a_clear_error(tmp_path):
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([72.0], [49.0]), crs="EPSG:4326")
    path = tmp_path / "points.gpkg"
    pts.to_file(path, engine="pyogrio")
    with pytest.raises(InputError, match=r"points\.gpkg.*no line layer"):
        read_network(path)


def test_build_network_from_lines_without_labels():
    lines = gpd.GeoDataFrame(geometry=[LineString(WEST)], crs="EPSG:4326")
    net = build_network(lines, snap_m=0)
    assert net.path(*WEST[0], *WEST[-1]) == ["line 1"]


# --- the same batches on Dask ---------------------------------------------------------------


def test_dask_cluster_gives_identical_distances(monkeypatch):
    distributed = pytest.importorskip("distributed")
    from agglomap import network as network_module
    from agglomap.corridors import load_corridors
    from agglomap.network import CorridorNetwork

    net = CorridorNetwork.from_corridors(load_corridors())
    cities = load_cities()
    lon, lat = cities["lon"].to_numpy(), cities["lat"].to_numpy()
    # a few sources per batch, so that the work really is split between the workers
    monkeypatch.setattr(network_module, "_CHUNK_CELLS", 5 * len(net.vertices_lonlat))
    local = net.network_distance(lon, lat, lon[:20], lat[:20])["total_km"]
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        net.scheduler = client
        on_dask = net.network_distance(lon, lat, lon[:20], lat[:20])["total_km"]
        net.scheduler = cluster.scheduler_address  # an address works too
        by_address = net.network_distance(lon, lat, lon[:20], lat[:20])["total_km"]
    assert np.array_equal(local, on_dask) and np.array_equal(local, by_address)
    assert np.isfinite(local).sum() > 0.9 * local.size
