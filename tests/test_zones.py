"""Agglomeration zones from districts: four zones, cores and their neighbours, the official
compositions."""

from __future__ import annotations

import geopandas as gpd
import pytest

from agglomap.boundaries import EQUAL_AREA
from agglomap.cli import main
from agglomap.zones import CENTRE_METHODS, CORES, delineate, load_official


@pytest.fixture(scope="module")
def default_zones(sources_dir):
    return delineate()


@pytest.fixture(scope="module")
def wide_zones(sources_dir):
    return delineate(150)


def _adjoining(units: gpd.GeoDataFrame, core: str) -> set[str]:
    """Units sharing a border with the core's units (within 500 m)."""
    flat = units.to_crs(EQUAL_AREA)
    core_units = flat[(flat["zone"] == core) & (flat["role"] == "core")]
    ring = core_units.geometry.union_all().buffer(500)
    touching = flat[flat.geometry.intersects(ring) & ~flat.index.isin(core_units.index)]
    return set(touching["district_id"])


def test_four_zones_each_with_its_core(default_zones):
    z = default_zones
    assert list(z.zones["zone_id"]) == list(CORES)
    assert z.fua_max_km == 60
    for core, region in (("astana", "KZ-71"), ("almaty", "KZ-75"), ("shymkent", "KZ-79")):
        core_units = z.units[z.units["role"] == "core"]
        assert set(core_units.loc[core_units["zone"] == core, "region_id"]) == {region}
    aktobe = z.units[(z.units["zone"] == "aktobe") & (z.units["role"] == "core")]
    assert list(aktobe["name_en"]) == ["Aktobe"]
    assert (z.zones["area_km2"] > 0).all() and (z.zones["population"] > 0).all()
    assert set(z.units["centre_method"]) <= set(CENTRE_METHODS)


def test_ring_units_are_within_the_threshold_by_network(default_zones):
    units = default_zones.units
    for core in CORES:
        ring = units[(units["zone"] == core) & (units["role"] == "ring")]
        assert (ring[f"km_network_{core}"] <= 60).all()
        assert (ring[f"km_network_{core}"] >= ring[f"km_geodesic_{core}"] - 0.1).all()
    out = units[units["zone"] == ""]
    nearest = out[[f"km_network_{c}" for c in CORES]].min(axis=1)
    assert (nearest > 60).all()


def test_almaty_neighbours_are_in_its_60_km_zone(default_zones):
    units = default_zones.units
    neighbours = _adjoining(units, "almaty")
    names = set(units.loc[units["district_id"].isin(neighbours), "name_en"])
    assert {"Karasay", "Talgar", "Ile"} <= names
    assert set(units.loc[units["district_id"].isin(neighbours), "zone"]) == {"almaty"}


def test_every_unit_adjoining_a_core_is_in_its_zone_at_150_km(wide_zones):
    units = wide_zones.units.set_index("district_id", drop=False)
    for core in CORES:
        neighbours = _adjoining(wide_zones.units, core)
        assert neighbours
        assert set(units.loc[list(neighbours), "zone"]) == {core}, core


def test_official_compositions_are_compared(default_zones):
    official = default_zones.official
    assert set(official["agglomeration"]) == set(CORES)
    matched = official[official["kind"] != "settlement"]
    assert (matched["district_id"] != "").all()  # every listed unit found in the layer
    kargaly = official[official["official_unit"] == "Kargaly District"].iloc[0]
    assert not kargaly["in_computed_zone"] and kargaly["km_network"] > 60
    assert len(load_official()) == len(official)


def test_zones_command_writes_four_polygons_and_a_map(tmp_path, sources_dir, capsys):
    out, png = tmp_path / "zones.gpkg", tmp_path / "zones.png"
    assert main(["zones", "--out", str(out), "--map", str(png), "--lang", "ru"]) == 0
    zones = gpd.read_file(out)
    assert len(zones) == 4 and set(zones.geom_type) <= {"Polygon", "MultiPolygon"}
    assert png.stat().st_size > 50_000
    text = capsys.readouterr().out
    assert "osm population weighted" in text and "not in the computed zone" in text


def test_zone_population_from_a_district_table(tmp_path, sources_dir):
    from agglomap.districts import load_units

    units = load_units("2022")
    table = tmp_path / "pop.csv"
    table.write_text(
        "КАТО;Халық саны\n" + "".join(f"{k};1 000\n" for k in units["kato"]), encoding="utf-8"
    )
    out = tmp_path / "zones.csv"
    argv = ["zones", "--population", str(table), "--population-column", "Халық саны"]
    assert main([*argv, "--out", str(out)]) == 0
    import pandas as pd

    zones = pd.read_csv(out)
    assert (zones["population"] == 1000 * zones["n_units"]).all()
    assert set(zones["population_source"]) == {"user table"}
