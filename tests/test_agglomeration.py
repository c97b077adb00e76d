"""TDaa indicators, gravity and the paper comparison, on the real gazetteer and corridors."""

from __future__ import annotations

import dataclasses
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from agglomap import agglomeration as agg
from agglomap.cli import main
from agglomap.corridors import load_corridors as corridors_layer
from agglomap.distances import geodesic_matrix
from agglomap.errors import InputError
from agglomap.gazetteer import load_cities
from agglomap.readers import read_towns


@pytest.fixture(scope="module")
def cities():
    return load_cities()


@pytest.fixture(scope="module")
def network_scores():
    return agg.score_towns()  # the 27 monocities, network distance, default config


@pytest.fixture(scope="module")
def geodesic_scores():
    return agg.score_towns(distance="geodesic")


def test_levels_and_boundaries():
    values = [0, 4.99, 5, 9.99, 10.0, np.sqrt(200), 15.0, np.sqrt(300), 20]
    assert list(agg.tdaa_level(values)) == [
        "low", "low", "medium", "medium", "above medium", "above medium", "high", "high",
        "high",
    ]  # fmt: skip
    assert agg.tdaa_level([np.sqrt(100)])[0] == "above medium"  # exactly 10 goes up


def test_tdaa_arithmetic(network_scores):
    s = network_scores
    assert len(s) == 27
    parts = s[["tdaa1", "tdaa2", "tdaa3"]]
    assert parts.isin([0, 100]).all().all()
    assert np.allclose(s["tdaa"], np.sqrt(parts.sum(axis=1)))
    assert set(np.round(s["tdaa"], 2)) <= {0.0, 10.0, 14.14, 17.32}
    assert (s["tdaa_level"] == agg.tdaa_level(s["tdaa"])).all()


@pytest.mark.parametrize("kind", ["network", "geodesic"])
def test_evidence_explains_each_score(kind, network_scores, geodesic_scores, cities):
    s = network_scores if kind == "network" else geodesic_scores
    cfg = agg.load_config()
    assert (s["distance_kind"] == kind).all()
    assert ((s["tdaa1"] == 100) == (s[f"core_city_km_{kind}"] <= cfg.fua_max_km)).all()
    assert ((s["tdaa2"] == 100) == (s[f"large_city_km_{kind}"] <= cfg.near_max_km)).all()
    assert ((s["tdaa3"] == 100) == (s["n_corridors_counted"] >= cfg.min_corridors)).all()
    assert (s["n_corridors_counted"] <= s["n_corridors_within"]).all()
    # the listed corridors are the ones within reach, each with its distance
    for listed, n in zip(s["corridors_within"], s["n_corridors_within"], strict=True):
        items = [x for x in listed.split("; ") if x]
        assert len(items) == n
        assert all(float(x.rsplit(" ", 2)[1]) <= cfg.corridor_max_km for x in items)
    # the structured list names the same corridors, in the same order, at the same km
    names = corridors_layer().set_index("corridor_id")
    for listed, ids in zip(s["corridors_within"], s["corridors_within_ids"], strict=True):
        items = [x for x in listed.split("; ") if x]
        pairs = [x.split("=") for x in ids.split(";") if x]
        assert len(pairs) == len(items)
        for item, (cid, km) in zip(items, pairs, strict=True):
            assert item == f"{names.loc[cid, 'name']} {names.loc[cid, 'mode']} {km} km"
            assert km == f"{float(km):.1f}"
    assert (s["corridors_within_ids"] != "").sum() == (s["n_corridors_within"] > 0).sum() > 0
    # the core is a large city, the "large city" is republican, a 2022 centre or >= 250 000
    pop = cities.set_index("name_en")["population"].astype(float)
    assert (pop[s["core_city"]] >= cfg.core_min_population).all()
    status = cities.set_index("name_en")["status"]
    large = status[s["large_city"]]
    assert ((large != "district") | (pop[s["large_city"]] >= 250_000)).all()
    if kind == "network":  # network never shorter than geodesic
        assert (s["core_city_km_network"] >= s["core_city_km_geodesic"] - 1e-6).all()
    else:  # the geodesic mode neither builds nor queries the network
        assert s["core_city_km_network"].isna().all() and s["large_city_km_network"].isna().all()


def test_a_town_is_never_its_own_city(network_scores):
    s = network_scores.set_index("city_id")
    # Zhezkazgan is the Ulytau oblast centre since 2022: its nearest large city is another
    assert s.at["zhezkazgan", "large_city"] != "Zhezkazgan"
    assert (network_scores["core_city"] != network_scores["name"]).all()
    assert (network_scores["large_city"] != network_scores["name"]).all()


def test_temirtau_next_to_karaganda(network_scores):
    t = network_scores.set_index("city_id").loc["temirtau"]
    assert t["core_city"] == "Karaganda"
    assert 29 < t["core_city_km_geodesic"] < 31  # GeoNames points ~30 km apart
    assert t["core_city_km_network"] >= t["core_city_km_geodesic"]
    assert t["tdaa1"] == 100 and t["tdaa2"] == 100


def test_gravity_matches_hand_computation(geodesic_scores, cities):
    s = geodesic_scores.set_index("city_id")
    assert s["gravity"].max() == pytest.approx(100)
    assert (s["gravity"] >= 0).all()
    t = s.loc["temirtau"]
    others = cities[cities["city_id"] != "temirtau"]
    d = geodesic_matrix(t["lon"], t["lat"], others["lon"], others["lat"])[0]
    pop = others["population"].astype(float).fillna(0).to_numpy()
    assert t["gravity_raw"] == pytest.approx((pop * np.exp(-d / 100.0)).sum(), rel=1e-9)


def test_config_file_overrides_defaults(tmp_path, cities):
    cfg = tmp_path / "strict.yaml"
    cfg.write_text("fua_max_km: 20\nnear_max_km: 400\ncorridor_count: all\n", encoding="utf-8")
    config = agg.load_config(cfg)
    assert config.fua_max_km == 20 and config.core_min_population == 250_000
    paper_towns = cities[cities["city_id"].isin(agg.PAPER_TOWNS)]
    s = agg.score_towns(paper_towns, config=config).set_index("city_id")
    assert s.at["temirtau", "tdaa1"] == 0  # Karaganda is ~31 km away by network
    assert s.at["balkhash", "tdaa2"] == 100  # Karaganda within 400 km
    assert s.at["temirtau", "tdaa3"] == 100  # road and rail now count as two


def test_parallel_road_and_rail_are_one_route(network_scores):
    t = network_scores.set_index("city_id").loc["temirtau"]
    assert t["n_corridors_within"] >= 2 and t["n_corridors_counted"] < t["n_corridors_within"]
    b = network_scores.set_index("city_id").loc["balkhash"]  # E-W rail meets N-S road
    assert b["n_corridors_counted"] >= 2 and b["tdaa3"] == 100


def test_bad_config_is_named(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("fua_max_kms: 20\n", encoding="utf-8")
    with pytest.raises(InputError, match="did you mean 'fua_max_km'"):
        agg.load_config(cfg)
    cfg.write_text("fua_max_km: sixty\n", encoding="utf-8")
    with pytest.raises(InputError, match="fua_max_km.*expected a number"):
        agg.load_config(cfg)
    cfg.write_text("gravity_decay: linear\n", encoding="utf-8")
    with pytest.raises(InputError, match="exp, power"):
        agg.load_config(cfg)


def test_power_decay_changes_gravity(cities):
    towns = cities[cities["is_monocity"]]
    exp = agg.score_towns(towns, distance="geodesic")
    power = agg.score_towns(
        towns, distance="geodesic", config=agg.ScoreConfig(gravity_decay="power")
    )
    assert not np.allclose(exp["gravity"], power["gravity"])
    assert power["gravity"].max() == pytest.approx(100)


def test_paper_comparison_has_nine_rows(network_scores):
    table = agg.compare_with_paper(network_scores)
    assert len(table) == 9
    assert list(table.columns) == ["town", "indicator", "paper", "computed", "agree", "evidence"]
    paper = table.pivot(index="town", columns="indicator", values="paper")
    assert paper.loc["Balkhash"].tolist() == [0, 100, 100]
    assert paper.loc["Karazhal"].tolist() == [0, 0, 100]
    assert paper.loc["Temirtau"].tolist() == [100, 100, 100]
    assert (table["agree"] == (table["paper"] == table["computed"])).all()
    assert table["evidence"].str.len().gt(20).all()
    # Balkhash is ~357 km from Karaganda: the paper's "near a large city" is not reproduced
    row = table[(table["town"] == "Balkhash") & (table["indicator"] == "tdaa2")].iloc[0]
    assert not row["agree"] and "Karaganda" in row["evidence"]


def test_osm_settlements_any_point_layer(sources_dir):
    from agglomap.boundaries import load_boundaries

    osm = gpd.read_file(sources_dir / "hotosm_kaz_populated_places.geojson")
    towns = osm[osm["place"] == "town"].head(60)
    s = agg.score_towns(towns, distance="geodesic", regions=load_boundaries("2022", "oblast"))
    assert len(s) == 60
    assert (s["id"] == towns["osm_id"].astype(str).to_numpy()).all()
    assert s["name"].notna().all() and (s["name"] != s["id"]).all()
    assert s["oblast"].str.match(r"KZ-\d\d").all()


def test_read_towns_csv(tmp_path):
    good = tmp_path / "towns.csv"
    good.write_text("Name,Latitude,Lng\nTemirtau,50.05197,72.95497\n", encoding="utf-8")
    layer = read_towns(good)
    assert layer.geometry.iloc[0].x == pytest.approx(72.95497)
    scored = agg.score_towns(layer, distance="geodesic")
    assert scored.at[0, "name"] == "Temirtau" and scored.at[0, "core_city"] == "Karaganda"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lon\nA,50.1,70\nB,north,71\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3.*'lat'.*expected a number"):
        read_towns(bad)
    nocoords = tmp_path / "nocoords.csv"
    nocoords.write_text("name,east,north\nA,70,50\n", encoding="utf-8")
    with pytest.raises(InputError, match="no latitude column; expected one of lat, latitude"):
        read_towns(nocoords)


def test_read_towns_cp1251_semicolons_and_decimal_commas(tmp_path):
    path = tmp_path / "towns_cp1251.csv"
    path.write_bytes("lat;lon;name\n50,07;72,96;Темиртау\n".encode("cp1251"))
    layer = read_towns(path)
    assert layer.at[0, "name"] == "Темиртау"
    assert (layer.geometry.iloc[0].y, layer.geometry.iloc[0].x) == (50.07, 72.96)
    utf8 = tmp_path / "towns.csv"
    utf8.write_text("lat;lon;name\n50,07;72,96;Темиртау\n", encoding="utf-8")
    assert read_towns(utf8).geometry.iloc[0].x == 72.96


@pytest.mark.parametrize(
    "header",
    ["широта,долгота,название", "Ендік,Бойлық,атауы", "Широта (°),Долгота (°),Город", "y,x,name"],
)
def test_read_towns_russian_and_kazakh_coordinate_headers(tmp_path, header):
    path = tmp_path / "t.csv"
    path.write_text(f"{header}\n50.07,72.96,Темиртау\n", encoding="utf-8")
    layer = read_towns(path)
    assert (layer.geometry.iloc[0].y, layer.geometry.iloc[0].x) == (50.07, 72.96)
    assert agg.score_towns(layer, distance="geodesic").at[0, "name"] == "Темиртау"


def test_read_towns_xlsx_with_title_row(tmp_path):
    path = tmp_path / "t.xlsx"
    pd.DataFrame({"Город": ["Темиртау"], "Широта": [50.07], "Долгота": [72.96]}).to_excel(
        path, index=False, startrow=1
    )
    layer = read_towns(path)
    assert layer.at[0, "name"] == "Темиртау" and layer.geometry.iloc[0].x == 72.96


def test_read_towns_bad_cell_has_the_file_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Towns 2024;;\nname;lat;lon\nA;50,1;70\nB;север;71\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 4, column 'lat'.*expected a number.*'север'"):
        read_towns(path)


def test_read_towns_outside_kazakhstan_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "name,lat,lon\nTemirtau,50.07,72.96\nMoscow,55.75,37.62\nSwapped,72.96,50.07\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_towns(path)
    text = str(err.value)
    assert "2 town(s) outside Kazakhstan" in text
    assert "row 3 'Moscow' (lat 55.75, lon 37.62)" in text
    assert "row 4 'Swapped' (lat 72.96, lon 50.07: lat/lon swapped?)" in text
    assert "Temirtau" not in text
    moscow = tmp_path / "m.csv"
    moscow.write_text("name,lat,lon\nMoscow,55.75,37.62\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2.*Moscow.*Kazakhstan only$") as err:
        read_towns(moscow)
    assert "swapped" not in str(err.value) and err.value.row == 2
    layer = tmp_path / "m.geojson"
    gpd.GeoDataFrame(
        {"name": ["Astana", "Moscow"]}, geometry=gpd.points_from_xy([71.43, 37.62], [51.13, 55.75])
    ).set_crs(4326).to_file(layer)
    with pytest.raises(InputError, match="feature 2 'Moscow'"):
        read_towns(layer)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        ("lat;lon;name\n50,07;72,96;Темиртау\n".encode("cp1251"), None),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a text table (binary file?)"),
        (b"name,lat,lon\n", "no towns"),
        (b"name,lat,lon\nMoscow,55.75,37.62\n", "outside Kazakhstan"),
    ],
)
def test_cli_score_towns_files(tmp_path, capsys, content, message):
    path = tmp_path / "towns.csv"
    path.write_bytes(content)
    out = tmp_path / "x.csv"
    code = main(["score", "--towns", str(path), "--distance", "geodesic", "--out", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if message is None:
        assert code == 0 and pd.read_csv(out).at[0, "name"] == "Темиртау"
    else:
        assert code == 2 and message in err and not out.exists()


def test_cli_writes_scores_and_prints_comparison(tmp_path, capsys, sources_dir):
    out = tmp_path / "scores.csv"
    assert main(["--sources", str(sources_dir), "score", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert len(table) == 27 and {"tdaa", "gravity", "core_city_km_network"} <= set(table)
    sidecar = json.loads((tmp_path / "scores.csv.sources.json").read_text(encoding="utf-8"))
    assert "agglomap" in {s["key"] for s in sidecar["sources"]}
    printed = capsys.readouterr().out
    assert "Comparison with Maimurunova et al. (2025), table 4" in printed and "DISAGREE" in printed


def test_cli_towns_file_without_coordinates(tmp_path, capsys):
    bad = tmp_path / "towns.csv"
    bad.write_text("name\nTemirtau\n", encoding="utf-8")
    assert main(["score", "--towns", str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    assert "no latitude column" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_route_counting_by_local_direction():
    count = agg._count_routes
    assert count(np.array([]), 30) == 0
    assert count(np.array([12.0]), 30) == 1
    assert count(np.array([143.0, 156.0]), 30) == 1  # Temirtau's road and rail, side by side
    assert count(np.array([13.0, 97.0]), 30) == 2  # Balkhash: N-S road meets E-W railway
    assert count(np.array([2.0, 178.0]), 30) == 1  # axes wrap round at 180°
    assert count(np.array([28.0, 70.0, 70.0, 83.0]), 30) == 2
    assert count(np.array([10.0, np.nan]), 30) == 2  # unknown direction counts on its own


def test_paper_towns_found_by_name_in_an_osm_layer(sources_dir):
    osm = gpd.read_file(sources_dir / "hotosm_kaz_populated_places.geojson")
    towns = osm[osm["place"].isin(["city", "town"])]  # OSM spells Balqaş, Qarajal, Temirtau
    table = agg.compare_with_paper(agg.score_towns(towns, distance="geodesic"))
    assert len(table) == 9
    assert table.groupby("town")["paper"].apply(list).to_dict() == {
        "Balqaş": [0, 100, 100], "Qarajal": [0, 0, 100], "Temirtau": [100, 100, 100],
    }  # fmt: skip


def test_centre_vintage_decides_which_oblast_centres_count(cities):
    satpayev = cities[cities["city_id"] == "satpayev"]  # 17 km from Zhezkazgan
    now = agg.score_towns(satpayev).iloc[0]
    then = agg.score_towns(satpayev, config=agg.ScoreConfig(centre_vintage="2018")).iloc[0]
    assert now["large_city"] == "Zhezkazgan" and now["tdaa2"] == 100  # Ulytau centre, 2022
    assert then["large_city"] != "Zhezkazgan" and then["tdaa2"] == 0  # not a centre in 2018


@pytest.mark.parametrize(
    ("header", "cell"),
    [
        ("population", "12345"),
        ("Население, чел.", "12 345"),
        ("Халық саны", "12 345,0"),
        ("pop", "12345"),
    ],
)
def test_towns_population_column_is_kept_and_scored(tmp_path, header, cell):
    path = tmp_path / "towns.csv"
    path.write_text(
        f"name;lat;lon;{header}\nA;50,07;72,96;{cell}\nB;47,8;67,7;-\n", encoding="utf-8"
    )
    layer = read_towns(path)
    assert layer["population"].iloc[0] == 12345 and np.isnan(layer["population"].iloc[1])
    scored = agg.score_towns(layer, distance="geodesic")
    assert scored["population"].iloc[0] == 12345 and pd.isna(scored["population"].iloc[1])
    # gravity is the potential from the *other* cities: a town's own population adds nothing
    bigger = layer.assign(population=[9_999_999.0, 1.0])
    again = agg.score_towns(bigger, distance="geodesic")
    assert again["gravity_raw"].tolist() == scored["gravity_raw"].tolist()


def test_towns_population_year_is_not_a_population(tmp_path):
    path = tmp_path / "towns.csv"
    path.write_text("name,lat,lon,population_year\nA,50.07,72.96,2021\n", encoding="utf-8")
    assert "population" not in read_towns(path).columns
    assert agg.score_towns(read_towns(path), distance="geodesic")["population"].isna().all()


def test_towns_population_not_a_number_names_row_and_column(tmp_path):
    path = tmp_path / "towns.csv"
    path.write_text(
        "name;lat;lon;Население\nA;50,07;72,96;1 000\nB;47,8;67,7;много\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as err:
        read_towns(path)
    assert (err.value.row, err.value.column) == (3, "Население")
    assert "expected a population" in str(err.value) and "'много'" in str(err.value)


def test_gazetteer_towns_carry_their_population(network_scores, cities):
    pop = cities.set_index("city_id")["population"]
    s = network_scores.set_index("city_id")
    assert (s["population"] == pop.reindex(s.index)).all()
    assert s.at["temirtau", "population"] > 100_000


def test_cli_score_writes_the_towns_population(tmp_path, capsys):
    path = tmp_path / "towns.csv"
    path.write_text("name;lat;lon;population\nA;50,07;72,96;12 345\n", encoding="utf-8")
    before = path.read_bytes()
    out = tmp_path / "s.csv"
    assert main(["score", "--towns", str(path), "--distance", "geodesic", "--out", str(out)]) == 0
    assert pd.read_csv(out).at[0, "population"] == 12345 and path.read_bytes() == before


def test_config_errors_name_the_key_not_a_column(tmp_path, capsys):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("fua_max_km: abc\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        agg.load_config(cfg)
    assert str(err.value) == (
        f"{cfg}: key 'fua_max_km': expected a number >= 0 and <= 20000, got 'abc'"
    )
    cfg.write_text("route: 1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        agg.load_config(cfg)
    assert str(err.value).startswith(f"{cfg}: unknown key 'route' (keys: core_min_population,")
    assert "column" not in str(err.value)
    cfg.write_text("corridor_count: some\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        agg.load_config(cfg)
    assert str(err.value) == (
        f"{cfg}: key 'corridor_count': 'some' is not one of routes, per_mode, all"
    )
    out = tmp_path / "s.csv"
    assert main(["score", "--config", str(cfg), "--out", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "key 'corridor_count'" in lines[0] and "column" not in lines[0]


def test_gravity_cutoff_neglects_at_most_its_stated_share(cities):
    """With d0 = 5 km the cutoff (25 d0 = 125 km) leaves most cities out of each sum; the
    neglected part stays below e^-25 of the cities' summed population, as documented."""
    config = agg.ScoreConfig(gravity_d0_km=5.0)
    towns = cities[cities["is_monocity"]]
    got = agg.score_towns(towns, distance="geodesic", config=config)
    pop = cities["population"].astype(float).fillna(0).to_numpy()
    d = geodesic_matrix(got["lon"], got["lat"], cities["lon"], cities["lat"])
    own = got["city_id"].to_numpy()[:, None] == cities["city_id"].to_numpy()[None, :]
    full = (np.where(own | (d <= config.self_radius_km), 0, np.exp(-d / 5.0)) * pop).sum(axis=1)
    assert (d > 25 * 5.0).mean() > 0.9  # the cutoff really leaves cities out
    assert np.all(np.abs(got["gravity_raw"].to_numpy() - full) <= np.exp(-25) * pop.sum())


def test_chunks_and_progress_bar_do_not_change_scores(cities, monkeypatch, capsys):
    """Scoring in chunks of 5 towns gives the same table; the progress bar goes to
    standard error only when asked (tests and small runs stay quiet)."""
    towns = cities[cities["is_monocity"]]
    whole = agg.score_towns(towns, distance="geodesic")
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(agg, "CHUNK_TOWNS", 5)
    chunked = agg.score_towns(towns, distance="geodesic", progress=True)
    pd.testing.assert_frame_equal(pd.DataFrame(whole), pd.DataFrame(chunked))
    err = capsys.readouterr().err
    assert "scoring" in err and "27/27" in err


def test_geodesic_mode_never_builds_a_network(cities, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network built in geodesic mode")

    monkeypatch.setattr(agg, "_default_network", refuse)
    monkeypatch.setattr(agg, "_shipped_network", refuse)
    scored = agg.score_towns(cities[cities["is_monocity"]], distance="geodesic")
    assert scored["core_city_km_network"].isna().all()
    assert scored["core_city_km_geodesic"].notna().all()


def test_paper_comparison_names_only_the_paper_towns(sources_dir, monkeypatch):
    """In 9 899 OSM settlements only the names near the three paper towns are keyed."""
    from agglomap import names

    osm = gpd.read_file(sources_dir / "hotosm_kaz_populated_places.geojson")
    scores = agg.score_towns(osm.head(60), distance="geodesic")  # none of the paper towns
    towns = osm[osm["place"].isin(["city", "town"])]
    bal = towns[(abs(towns.geometry.x - 74.98) < 0.1) & (abs(towns.geometry.y - 46.85) < 0.1)]
    scores = pd.concat([scores, agg.score_towns(bal, distance="geodesic")], ignore_index=True)
    keyed = []
    real = names.latin_key

    def spy(text):
        keyed.append(text)
        return real(text)

    monkeypatch.setattr(names, "latin_key", spy)
    table = agg.compare_with_paper(scores)
    assert set(table["town"]) == {"Balqaş"}
    assert "Balqaş" in keyed and not set(keyed) & set(scores["name"].iloc[:60])


def test_route_count_never_falls_when_a_corridor_is_added():
    rng = np.random.default_rng(8)
    for _ in range(300):
        axes = rng.uniform(0, 180, rng.integers(1, 12))
        for k in range(1, axes.size):
            assert agg._count_routes(axes[:k], 30) <= agg._count_routes(axes[: k + 1], 30)
    assert agg._count_routes(np.arange(0, 180, 10.0), 30) == 6  # at most 180 / 30 routes
    assert agg._count_routes(np.array([0.0, 29.0, 58.0]), 30) == 2  # 0 and 58; 29 joins both
    assert agg._count_routes(np.array([1.0, 179.0]), 30) == 1  # 2 degrees apart on the circle
    assert agg._count_routes(np.array([10.0, np.nan]), 30) == 2  # unknown axis counts alone


def test_tdaa3_never_falls_as_the_reach_grows(cities):
    """issue 11 case 4: with chaining, towns at 100 fell from 24 to 1 between 300 and
    1000 km; a longer reach can only add routes."""
    counted, hits = [], []
    for reach in (25, 100, 300, 1000):
        config = dataclasses.replace(agg.load_config(), corridor_max_km=reach)
        s = agg.score_towns(cities, config=config, distance="geodesic")
        counted.append(s["n_corridors_counted"].to_numpy())
        hits.append(int((s["tdaa3"] == 100).sum()))
    assert hits == sorted(hits) and hits[-1] == len(cities)
    for low, high in zip(counted, counted[1:], strict=False):
        assert (low <= high).all()


def test_branch_lines_do_not_make_a_crossing(network_scores):
    """TDaa3 counts trunk corridors: a branch to a terminus is not a crossing."""
    layer = corridors_layer().set_index("corridor_id")
    for ids in network_scores["corridors_within_ids"]:
        listed = [x.split("=")[0] for x in ids.split(";") if x]
        trunk = [c for c in listed if layer.loc[c, "class"] == "trunk"]
        assert len(trunk) <= len(listed)
    t = network_scores.set_index("city_id")
    assert (t["n_corridors_counted"] <= t["n_corridors_within"]).all()


def test_no_transit_keeps_paths_in_kazakhstan():
    """A town whose shortest way to its large city runs through a section abroad is
    marked; with transit forbidden the path stays inside (and is longer)."""
    from shapely import LineString

    lines = gpd.GeoDataFrame(
        {
            "corridor_id": ["home_west", "abroad", "home_east", "home_detour"],
            "name": ["West", "Through Russia", "East", "Detour"],
            "mode": ["rail", "rail", "rail", "road"],
            "class": ["trunk"] * 4,
            "abroad": [False, True, False, False],
        },
        geometry=[
            LineString([(60.0, 50.0), (60.5, 50.0)]),
            LineString([(60.5, 50.0), (61.5, 50.0)]),
            LineString([(61.5, 50.0), (62.0, 50.0)]),
            LineString([(60.0, 50.0), (61.0, 49.0), (62.0, 50.0)]),
        ],
        crs="EPSG:4326",
    )
    town = gpd.GeoDataFrame(
        {"id": ["t"], "name": ["Town"], "lat": [50.0], "lon": [60.0]},
        geometry=gpd.points_from_xy([60.0], [50.0]),
        crs="EPSG:4326",
    )
    city = gpd.GeoDataFrame(
        {
            "city_id": ["c"],
            "name_en": ["City"],
            "lat": [50.0],
            "lon": [62.0],
            "population": [300_000],
            "status": ["republican"],
        },
        geometry=gpd.points_from_xy([62.0], [50.0]),
        crs="EPSG:4326",
    )
    both = agg.score_towns(town, cities=city, corridors=lines).iloc[0]
    inside = agg.score_towns(town, cities=city, corridors=lines, transit=False).iloc[0]
    assert bool(both["path_leaves_kz"]) and not bool(inside["path_leaves_kz"])
    straight = both["large_city_km_geodesic"]
    assert both["large_city_km_network"] == pytest.approx(straight, rel=1e-3)
    assert inside["large_city_km_network"] > 1.5 * straight  # the detour
