"""Boundary layers against the real geokz data (read through $AGGLOMAP_SOURCES)."""

from __future__ import annotations

import json
import re
import time
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from agglomap import boundaries, settings
from agglomap.boundaries import (
    BoundaryWarning,
    country_outline,
    cyrillic_name,
    district_names,
    load_boundaries,
)
from agglomap.cli import main
from agglomap.errors import InputError
from agglomap.readers import read_boundaries
from agglomap.regions import load_regions, regions_for

REPO = Path(__file__).resolve().parents[1]
# Area of Kazakhstan as the Bureau of National Statistics states it (2 724 900 km²).
NATIONAL_AREA_KM2 = 2_724_900
VINTAGES = {"2018": 17, "2022": 20}
DISTRICTS = {"2018": 216, "2022": 224}


def upstream(sources_dir: Path, layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(sources_dir / "geokz" / f"kaz_admbnda_{layer}.shp", engine="pyogrio")


@pytest.fixture(scope="module")
def centres(sources_dir) -> dict[str, dict[str, shapely.Point]]:
    """Administrative centre points per vintage from geokz cnt1_2022 (Baikonur left out)."""
    cnt = upstream(sources_dir, "cnt1_2022")
    cnt = cnt[cnt["TYPE_CNT1"] != 4]
    pts = dict(zip("KZ-" + cnt["ADM1_PCODE"].str[2:], cnt.geometry, strict=True))
    new_2022 = {"KZ-10", "KZ-33", "KZ-62"}
    old = {rid: p for rid, p in pts.items() if rid not in new_2022}
    old["KZ-19"] = pts["KZ-33"]  # Taldykorgan was Almaty Region's centre until 2022
    return {"2018": old, "2022": pts}


def test_region_table_shipped_copy_is_identical():
    shipped = REPO / "src" / "agglomap" / "data" / "regions.csv"
    assert shipped.read_bytes() == (REPO / "geo" / "regions.csv").read_bytes()
    table = load_regions()
    assert len(table) == 20 and table["region_id"].is_unique
    assert (table["kato"].str.fullmatch(r"\d{9}")).all()
    assert len(regions_for("2018")) == 17 and len(regions_for(2022)) == 20


@pytest.mark.parametrize("vintage", VINTAGES)
def test_oblasts(vintage, sources_dir, centres):
    gdf = load_boundaries(vintage)
    assert list(gdf.columns) == boundaries.OBLAST_COLUMNS
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == VINTAGES[vintage] and gdf["region_id"].is_unique
    assert gdf.is_valid.all()
    assert (gdf["iso_3166_2"] == gdf["region_id"]).all()
    assert (gdf["kato"].str[:2] == gdf["region_id"].str[3:]).all()
    assert (gdf["vintage"] == vintage).all() and (gdf["centre"] != "").all()
    assert (gdf["kind"] == "city").sum() == 3
    total = gdf["area_km2"].sum()
    assert total == pytest.approx(NATIONAL_AREA_KM2, rel=0.01)  # measured 2 728 284 / 2 728 291
    geod = Geod(ellps="WGS84")
    geodesic = sum(abs(geod.geometry_area_perimeter(g)[0]) for g in gdf.geometry) / 1e6
    assert total == pytest.approx(geodesic, rel=1e-4)
    for rid, point in centres[vintage].items():
        assert gdf.loc[gdf["region_id"] == rid].geometry.iloc[0].contains(point), rid


def test_current_names(sources_dir):
    gdf = load_boundaries(2022).set_index("region_id")
    assert gdf.loc["KZ-71", "name_en"] == "Astana"
    assert gdf.loc["KZ-19", "centre"] == "konaev"
    assert load_boundaries("2018").set_index("region_id").loc["KZ-19", "centre"] == ("taldykorgan")


@pytest.mark.parametrize(
    ("lat", "lon", "in_2018", "in_2022"),
    [
        (50.756, 78.541, "KZ-63", "KZ-10"),  # Kurchatov
        (47.80, 67.71, "KZ-35", "KZ-62"),  # Zhezkazgan
        (44.83, 78.82, "KZ-19", "KZ-33"),  # Tekeli
    ],
)
def test_towns_change_region_with_vintage(lat, lon, in_2018, in_2022, sources_dir):
    point = shapely.Point(lon, lat)
    for vintage, expected in (("2018", in_2018), ("2022", in_2022)):
        gdf = load_boundaries(vintage)
        assert list(gdf.loc[gdf.contains(point), "region_id"]) == [expected]


@pytest.mark.parametrize("vintage", VINTAGES)
def test_districts(vintage, sources_dir):
    dist = load_boundaries(vintage, "district")
    obl = load_boundaries(vintage, "oblast")
    assert list(dist.columns) == boundaries.DISTRICT_COLUMNS
    assert len(dist) == DISTRICTS[vintage] and dist["district_id"].is_unique
    assert dist.is_valid.all()
    assert set(dist["region_id"]) == set(obl["region_id"])
    union = boundaries.area_km2(gpd.GeoSeries([dist.union_all()], crs=4326))[0]
    assert union == pytest.approx(obl["area_km2"].sum(), rel=0.005)
    # each district lies in the oblast its region_id names
    inside = gpd.sjoin(
        gpd.GeoDataFrame(dist[["region_id"]], geometry=dist.representative_point(), crs=4326),
        obl[["region_id", "geometry"]],
        predicate="within",
    )
    assert (inside["region_id_left"] == inside["region_id_right"]).all()
    assert len(inside) == len(dist)


def test_invalid_upstream_district_is_repaired(sources_dir):
    raw = upstream(sources_dir, "adm2_2024")
    bad = raw.loc[~raw.is_valid, "ADM2_PCODE"]
    assert len(bad) >= 1
    dist = load_boundaries("2022", "district").set_index("district_id")
    assert dist.is_valid.all()
    for pcode in bad:
        assert dist.loc[pcode].geometry.geom_type in {"Polygon", "MultiPolygon"}
        assert dist.loc[pcode, "area_km2"] > 1000  # Ulytau district: repaired, not emptied


@pytest.mark.parametrize(
    ("name", "kazakh", "fixed"),
    [
        ("Aршалинский", False, "Аршалинский"),  # geokz adm2, Latin A
        ("Солтүстiк Қазақстан", True, "Солтүстік Қазақстан"),  # geokz adm1, Latin i
        ("Tекели City", False, "Текели City"),  # a Latin word stays Latin
        ("Arshaly", True, "Arshaly"),
        ("Жаңаөзен", True, "Жаңаөзен"),
    ],
)
def test_cyrillic_name(name, kazakh, fixed):
    assert cyrillic_name(name, kazakh=kazakh) == fixed


def _mixes_scripts(text: str) -> bool:
    return any(re.search(r"[A-Za-z]", w) and re.search(r"[\u0400-\u04ff]", w) for w in text.split())


@pytest.mark.parametrize("level", boundaries.LEVELS)
@pytest.mark.parametrize("vintage", VINTAGES)
def test_no_loaded_name_mixes_scripts(vintage, level, sources_dir):
    gdf = load_boundaries(vintage, level)
    for column in ("name_kk", "name_ru"):
        assert not [n for n in gdf[column] if _mixes_scripts(n)], column
    if level == "district":  # the upstream defect is still there, and repaired
        raw = upstream(sources_dir, "adm2_2018" if vintage == "2018" else "adm2_2024")
        assert "Aршалинский" in set(raw["ADM2_RU"])
        assert "Аршалинский" in set(gdf["name_ru"])
    out = country_outline()
    assert not _mixes_scripts(out["name_kk"].iloc[0] + " " + out["name_ru"].iloc[0])


def test_zhanasemey_district_english_name_is_repaired(sources_dir):
    raw = upstream(sources_dir, "adm2_2024")
    assert "Zharasemey" in set(raw["ADM2_EN"])  # the upstream misspelling is still there
    dist = load_boundaries("2022", "district").set_index("kato")
    row = dist.loc["101010000"]
    assert (row["name_en"], row["name_kk"], row["name_ru"]) == (
        "Zhanasemey",
        "Жаңасемей",
        "Жанасемейский",
    )
    assert not dist["name_en"].str.contains("Zharasemey").any()


def test_district_names_for_recognising_district_tables(sources_dir, tmp_path):
    both = district_names()
    assert len(both) >= DISTRICTS["2018"] + DISTRICTS["2022"]
    assert set(both.columns) == {"name_kk", "name_ru", "name_en", "region_id"}
    empty = tmp_path / "empty"
    empty.mkdir()
    with settings.override(sources_dir=empty):  # no geokz: the moved districts only
        offline = district_names("2022")
    assert 0 < len(offline) < 40 and set(offline["region_id"]) == {"KZ-10", "KZ-33", "KZ-62"}


def test_country_outline():
    out = country_outline()
    assert len(out) == 1 and out.is_valid.all()
    assert out["area_km2"].iloc[0] == pytest.approx(NATIONAL_AREA_KM2, rel=0.01)


def test_loading_is_fast_and_cached(sources_dir):
    boundaries._build.cache_clear()
    start = time.perf_counter()
    for vintage in VINTAGES:
        load_boundaries(vintage)
    assert time.perf_counter() - start < 2.0
    a = load_boundaries("2018")
    a.loc[0, "name_en"] = "changed"
    assert load_boundaries("2018").loc[0, "name_en"] != "changed"


@pytest.mark.parametrize(("vintage", "level"), [("2020", "oblast"), ("2022", "rayon")])
def test_unknown_vintage_or_level(vintage, level):
    with pytest.raises(InputError, match="2018, 2022|oblast, district"):
        load_boundaries(vintage, level)


# --- a user's own file ---------------------------------------------------------------


@pytest.fixture(scope="module")
def adm1_2018(sources_dir) -> gpd.GeoDataFrame:
    raw = upstream(sources_dir, "adm1_2018")
    raw["expected"] = "KZ-" + raw["KATO"].str[:2]
    return raw


def _write(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    gdf.to_file(path, engine="pyogrio")
    return path


@pytest.mark.parametrize("names", ["ADM1_RU", "ADM1_EN", "ADM1_KK"])
def test_user_file_with_names_only(names, adm1_2018, tmp_path):
    # geokz names: "Nur-Sultan (city)", "Jambyl", "Almaty" (the oblast) beside "Almaty (city)"
    path = _write(
        adm1_2018[[names, "geometry"]].rename(columns={names: "Регион"}),
        tmp_path / "names.geojson",
    )
    got = read_boundaries(path)
    assert list(got.columns) == boundaries.OBLAST_COLUMNS
    assert list(got["region_id"]) == list(adm1_2018["expected"])
    assert (got["vintage"] == "2018").all()
    assert got.set_index("region_id").loc["KZ-19", "centre"] == "taldykorgan"


def test_user_file_with_renamed_kato_column(adm1_2018, tmp_path):
    user = adm1_2018[["KATO", "geometry"]].rename(columns={"KATO": "stat_code"})
    user["population"] = range(len(user))
    path = _write(user, tmp_path / "kato.gpkg")
    got = read_boundaries(path)
    assert list(got["region_id"]) == list(adm1_2018["expected"])
    same = read_boundaries(path, code_field="stat_code", vintage=2018)
    assert list(same["region_id"]) == list(adm1_2018["expected"])


def test_user_file_in_web_mercator(adm1_2018, tmp_path, sources_dir):
    path = _write(adm1_2018[["ADM1_EN", "KATO", "geometry"]].to_crs(3857), tmp_path / "m.shp")
    got = read_boundaries(path)
    assert got.crs.to_epsg() == 4326
    assert list(got["region_id"]) == list(adm1_2018["expected"])
    ours = load_boundaries("2018").set_index("region_id")
    assert got.set_index("region_id")["area_km2"].to_dict() == pytest.approx(
        ours["area_km2"].to_dict(), rel=1e-6
    )


def test_user_file_2022_layout_in_kazakh(sources_dir, tmp_path):
    raw = upstream(sources_dir, "adm1_2024")
    path = _write(raw[["ADM1_KK", "geometry"]], tmp_path / "kk.geojson")
    got = read_boundaries(path)
    assert list(got["region_id"]) == list("KZ-" + raw["KATO"].str[:2])
    assert (got["vintage"] == "2022").all()
    with pytest.raises(InputError, match="2018 layout") as err:
        read_boundaries(path, vintage="2018")
    assert err.value.column == "ADM1_KK"


def test_user_file_of_2018_read_as_2022_is_refused(adm1_2018, tmp_path, capsys):
    path = _write(adm1_2018[["ADM1_EN", "geometry"]].to_crs(3857), tmp_path / "own.gpkg")
    with pytest.raises(InputError) as err:
        read_boundaries(path, vintage="2022")
    message = str(err.value)
    assert message.startswith(str(path))
    assert "has no Abai Region (KZ-10), Jetisu Region (KZ-33), Ulytau Region (KZ-62)" in message
    assert "it looks like the 2018 layout" in message and "use vintage='2018'" in message
    assert "Zhezkazgan lies in its Karaganda Region (KZ-35)" in message
    out = tmp_path / "t.gpkg"
    argv = ["boundaries", "--boundaries", str(path), "--vintage", "2022", "--out", str(out)]
    assert main(argv) == 2 and not out.exists()
    assert "use --vintage 2018" in capsys.readouterr().err
    assert (read_boundaries(path, vintage="2018")["vintage"] == "2018").all()


def test_user_file_of_2022_read_as_2018_is_refused(sources_dir, tmp_path):
    raw = upstream(sources_dir, "adm1_2024")
    path = _write(raw[["ADM1_RU", "geometry"]], tmp_path / "ru2024.gpkg")
    with pytest.raises(InputError) as err:
        read_boundaries(path, vintage=2018)
    message = str(err.value)
    assert "Abai Region (KZ-10) as feature 1" in message and "Ulytau Region (KZ-62)" in message
    assert "it looks like the 2022 layout; use vintage='2022'" in message
    assert err.value.column == "ADM1_RU"


def test_partial_2022_file_without_the_new_regions_is_accepted(sources_dir, tmp_path):
    raw = upstream(sources_dir, "adm1_2024")
    west = raw[raw["ADM1_PCODE"].isin(["KZ15", "KZ23", "KZ27", "KZ47"])]
    path = _write(west[["ADM1_EN", "geometry"]], tmp_path / "west.gpkg")
    with pytest.warns(BoundaryWarning, match="no feature for 16 of the 20 regions"):
        got = read_boundaries(path, vintage="2022")
    assert sorted(got["region_id"]) == ["KZ-15", "KZ-23", "KZ-27", "KZ-47"]
    assert len(got.attrs["missing_regions"]) == 16 and "KZ-62" in got.attrs["missing_regions"]


def test_2022_file_with_an_old_oblast_is_warned_about(sources_dir, adm1_2018, tmp_path):
    raw = upstream(sources_dir, "adm1_2024")
    raw = raw[raw["ADM1_PCODE"] != "KZ62"].reset_index(drop=True)  # no Ulytau ...
    old = adm1_2018.loc[adm1_2018["ADM1_PCODE"] == "KZ35", "geometry"].iloc[0]
    raw["geometry"] = [
        old if p == "KZ35" else g for p, g in zip(raw["ADM1_PCODE"], raw.geometry, strict=True)
    ]
    path = _write(raw[["KATO", "geometry"]], tmp_path / "mixed.gpkg")  # ... Karaganda of 2018
    with pytest.warns(BoundaryWarning) as record:
        got = read_boundaries(path)
    messages = [str(w.message) for w in record]
    assert any(
        "Zhezkazgan lies in its Karaganda Region (KZ-35), as in the 2018 layout" in m
        for m in messages
    ), messages
    assert any("no feature for 1 of the 20 regions" in m for m in messages)
    assert len(got) == 19 and (got["vintage"] == "2022").all()


def test_user_file_missing_a_region_says_which(adm1_2018, tmp_path, capsys):
    user = adm1_2018[adm1_2018["ADM1_PCODE"] != "KZ79"][["ADM1_RU", "geometry"]]
    path = _write(user, tmp_path / "no_shymkent.gpkg")
    with pytest.warns(BoundaryWarning) as record:
        got = read_boundaries(path)
    assert [str(w.message) for w in record] == [
        f"{path}: no feature for 1 of the 17 regions of the 2018 layout: Shymkent (KZ-79)"
    ]
    assert record[0].filename == __file__  # points at the caller, not into agglomap
    assert len(got) == 16
    assert got.attrs == {"source_path": str(path), "missing_regions": ["KZ-79"]}
    complete = _write(adm1_2018[["ADM1_RU", "geometry"]], tmp_path / "all.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("error", BoundaryWarning)
        assert read_boundaries(complete).attrs["missing_regions"] == []


def test_user_district_file_is_refused(sources_dir, tmp_path):
    raw = upstream(sources_dir, "adm2_2018")
    path = _write(raw[["ADM1_PCODE", "ADM2_EN", "geometry"]], tmp_path / "districts.gpkg")
    with pytest.raises(InputError, match="one feature per oblast-level unit"):
        read_boundaries(path)


def test_user_file_without_recognisable_field(adm1_2018, tmp_path):
    user = adm1_2018[["geometry"]].copy()
    user["fid_code"] = range(100, 100 + len(user))
    user["label"] = [f"zone {i}" for i in range(len(user))]
    path = _write(user, tmp_path / "anon.geojson")
    with pytest.raises(InputError) as err:
        read_boundaries(path)
    msg = str(err.value)
    assert str(path) in msg and "fid_code" in msg and "label" in msg


def test_user_file_wrong_field_and_bad_value(adm1_2018, tmp_path):
    user = adm1_2018[["ADM1_RU", "geometry"]].copy()
    path = _write(user, tmp_path / "ru.gpkg")
    with pytest.raises(InputError, match="ADM1_RU") as err:
        read_boundaries(path, name_field="ADM_RU")
    assert err.value.column == "ADM_RU"
    user.loc[4, "ADM1_RU"] = "Западно-Казахстанска"
    path = _write(user, tmp_path / "typo.gpkg")
    with pytest.raises(InputError, match="Западно-Казахстанская") as err:
        read_boundaries(path, name_field="ADM1_RU")
    assert err.value.row == 5
    user.loc[4, "ADM1_RU"] = None
    path = _write(user, tmp_path / "gap.gpkg")
    with pytest.raises(InputError, match="empty region name") as err:
        read_boundaries(path)
    assert (err.value.row, err.value.column) == (5, "ADM1_RU")


def test_cli_writes_layer_with_sidecar(tmp_path, sources_dir, capsys):
    out = tmp_path / "oblasts.gpkg"
    assert (
        main(["--sources", str(sources_dir), "boundaries", "--vintage", "2018", "--out", str(out)])
        == 0
    )
    written = gpd.read_file(out)
    assert len(written) == 17 and set(written["region_id"]) == set(regions_for(2018)["region_id"])
    sidecar = json.loads(out.with_name(out.name + ".sources.json").read_text())
    assert sidecar["sources"][0]["key"] == "geokz"
    assert "17 oblast-level units" in capsys.readouterr().err
    again = tmp_path / "again.geojson"
    assert main(["boundaries", "--boundaries", str(out), "--out", str(again)]) == 0
    assert list(gpd.read_file(again)["region_id"]) == list(written["region_id"])
    assert (
        main(["boundaries", "--boundaries", str(out), "--name-field", "nme", "--out", str(again)])
        == 2
    )
    assert "name_ru" in capsys.readouterr().err


@pytest.mark.parametrize("vintage", VINTAGES)
def test_centre_city_lies_in_its_oblast(vintage, sources_dir):
    cities = pd.read_csv(REPO / "src" / "agglomap" / "data" / "cities.csv", index_col="city_id")
    gdf = load_boundaries(vintage)
    for row in gdf.itertuples():
        city = cities.loc[row.centre]
        point = shapely.Point(float(city["lon"]), float(city["lat"]))
        assert row.geometry.contains(point), (row.region_id, row.centre)


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("table_cp1251.csv", "Регион;v\nАкмолинская область;1\n".encode("cp1251"), "a table?"),
        ("table.csv", "Регион;v\nАкмолинская область;1\n".encode(), "a table?"),
        ("noise.gpkg", bytes(range(256)) * 2, "not a format GDAL recognises"),
    ],
)
def test_user_file_gdal_cannot_read_is_one_line(tmp_path, sources_dir, capsys, name, content, why):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_boundaries(path)
    assert str(err.value).startswith(f"{path}: not a boundary layer GDAL can read (")
    assert why in str(err.value) and "codec" not in str(err.value)
    out = tmp_path / "b.gpkg"
    args = ["--sources", str(sources_dir), "boundaries", "--boundaries", str(path)]
    assert main([*args, "--out", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and why in lines[0] and not out.exists()
    if "table" in name:
        assert lines[0].endswith(
            "(a table? tables are joined to boundaries, not read as boundaries)"
        )
