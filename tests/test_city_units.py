"""City polygons (city administrations and the three big cities) and city tables."""

from __future__ import annotations

import geopandas as gpd
import pytest

from agglomap.city_units import join_cities, load_city_polygons, read_city_indicators
from agglomap.cli import main
from agglomap.errors import InputError
from agglomap.gazetteer import load_cities


@pytest.fixture(scope="module")
def polygons(sources_dir):
    return load_city_polygons("2022")


def test_city_polygons_carry_gazetteer_ids(polygons):
    assert polygons["kato"].is_unique
    named = polygons[polygons["city_id"] != ""]
    assert named["city_id"].is_unique and len(named) >= 40
    big = polygons.set_index("city_id").loc[["astana", "almaty", "shymkent"]]
    assert set(big["unit"]) == {"city"} and (big["area_km2"] > 600).all()
    cities = load_cities().set_index("city_id")
    for row in named.itertuples():  # each polygon holds its gazetteer point
        point = cities.at[row.city_id, "geometry"]
        assert row.geometry.buffer(0.02).contains(point), row.city_id


def test_city_table_by_name_and_by_kato(tmp_path, polygons):
    named = polygons[polygons["city_id"] != ""].reset_index(drop=True)
    by_name = tmp_path / "names.csv"
    by_name.write_text(
        "Город;Жители, тыс.\n"
        + "".join(f"г. {r.name_ru};{i},5\n" for i, r in enumerate(named.itertuples())),
        encoding="utf-8",
    )
    by_kato = tmp_path / "kato.csv"
    by_kato.write_text(
        "КАТО;Жители, тыс.\n"
        + "".join(f"{r.kato};{i},5\n" for i, r in enumerate(named.itertuples())),
        encoding="utf-8",
    )
    a, b = read_city_indicators(by_name), read_city_indicators(by_kato)
    assert len(a.data) == len(named) == len(b.data)
    assert a.data["Жители, тыс."].sort_index().equals(b.data["Жители, тыс."].sort_index())
    joined, missing = join_cities(a, polygons)
    assert not missing and joined["Жители, тыс."].notna().sum() == len(named)
    assert (
        joined.set_index("city_id").at["astana", "Жители, тыс."]
        == float(named.index[named["city_id"] == "astana"][0]) + 0.5
    )


def test_unknown_city_is_named(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Город;v\nг. Атлантида;1\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2: unknown city 'г. Атлантида'"):
        read_city_indicators(path)


def test_city_choropleth_and_points(tmp_path, polygons):
    named = polygons[polygons["city_id"] != ""]
    table = tmp_path / "c.csv"
    table.write_text(
        "City;Jobs\n"
        + "".join(f"{r.name_en};{100 + i}\n" for i, r in enumerate(named.itertuples())),
        encoding="utf-8",
    )
    points = tmp_path / "points.gpkg"
    assert (
        main(
            [
                "join",
                "--indicators",
                str(table),
                "--level",
                "cities",
                "--city-points",
                "--out",
                str(points),
            ]
        )
        == 0
    )
    layer = gpd.read_file(points)
    assert set(layer.geom_type) == {"Point"} and layer["Jobs"].notna().sum() == len(named)
    png = tmp_path / "c.png"
    argv = ["choropleth", "--indicators", str(table), "--level", "cities", "--column", "Jobs"]
    assert main([*argv, "--out", str(png)]) == 0
    assert png.stat().st_size > 50_000
