"""Atomic writes and source sidecars."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from agglomap.errors import InputError
from agglomap.export import atomic_path, sidecar_path, write_table, write_text
from agglomap.provenance import GEOKZ, OSM


@pytest.fixture
def layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Теміртау", "Balkhash"], "value": [1.5, 2.0]},
        geometry=[Point(72.95, 50.05), Point(74.99, 46.84)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".gpkg", ".geojson", ".shp"])
def test_write_table_round_trips_and_names_sources(tmp_path, layer, ext):
    out = write_table(layer, tmp_path / f"towns{ext}", [GEOKZ, OSM])
    back = (
        pd.read_excel(out)
        if ext == ".xlsx"
        else (pd.read_csv(out) if ext == ".csv" else gpd.read_file(out))
    )
    assert list(back["name"]) == ["Теміртау", "Balkhash"]
    meta = json.loads(sidecar_path(out).read_text(encoding="utf-8"))
    assert [s["licence"] for s in meta["sources"]] == ["CC BY 4.0", "ODbL 1.0"]
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "map.html"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("<html>half", encoding="utf-8")
        raise RuntimeError("renderer crashed")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_previous_file(tmp_path):
    target = write_text("old", tmp_path / "index.html")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("new, half", encoding="utf-8")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"


def test_unknown_format_is_refused_with_choices(tmp_path, layer):
    with pytest.raises(InputError, match=r"unsupported output format '\.kml'.*\.gpkg"):
        write_table(layer, tmp_path / "towns.kml")


def test_layer_format_needs_geometry(tmp_path):
    with pytest.raises(InputError, match="needs a layer with geometry"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.gpkg")


def test_sidecar_entries_are_recorded(tmp_path, layer):
    out = write_table(layer, tmp_path / "t.gpkg", [GEOKZ], sidecar={"distance": "network"})
    meta = json.loads(sidecar_path(out).read_text(encoding="utf-8"))
    assert meta["distance"] == "network" and meta["sources"][0]["key"] == GEOKZ.key
    assert "fields" not in meta


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path):
    import openpyxl

    names = ['=HYPERLINK("http://evil","click")', "=1+1", "+1+1", "@SUM(A1)", "Теміртау"]
    frame = pd.DataFrame({"name": names, "=x": ["=2*3"] * 5, "population": [1, 2, 3, 4, 5]})
    out = write_table(frame, tmp_path / "towns.xlsx")
    rows = list(openpyxl.load_workbook(out).active.iter_rows())
    assert [(c.value, c.data_type) for c in rows[0]] == [
        ("name", "s"),
        ("=x", "s"),
        ("population", "s"),
    ]
    for row, name in zip(rows[1:], names, strict=True):
        assert (row[0].value, row[0].data_type) == (name, "s")
        assert (row[1].value, row[1].data_type) == ("=2*3", "s")
        assert row[2].data_type == "n"  # numbers stay numbers
    assert list(pd.read_excel(out)["name"]) == names
