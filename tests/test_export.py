"""Atomic writes and source sidecars."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from agglomap import export
from agglomap.cli import main
from agglomap.errors import InputError, OutputError
from agglomap.export import (
    ExportWarning,
    atomic_path,
    shapefile_fields,
    sidecar_path,
    write_table,
    write_text,
)
from agglomap.provenance import GEOKZ, OSM
from helpers import error_line, hidden_files


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


# --- unwritable outputs and shapefile field names (from the former test_robustness.py)


@pytest.fixture
def named_layer() -> gpd.GeoDataFrame:
    """Two oblasts with Cyrillic column names longer than a shapefile field."""
    return gpd.GeoDataFrame(
        {
            "region": ["Қарағанды", "Павлодар"],
            "Население 2020": [1_100_000, 750_000],
            "Население 2021": [1_110_000, 752_000],
            "region_label": ["a", "b"],
        },
        geometry=[Point(73.1, 49.8), Point(76.9, 52.3)],
        crs="EPSG:4326",
    )


# 1. output location not writable ------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["cities"],
        ["corridors"],
        ["score", "--distance", "geodesic"],
        ["monocity"],
        ["boundaries", "--vintage", "2018"],
    ],
    ids=lambda a: a[0],
)
def test_output_under_a_file_is_one_line(tmp_path, capsys, argv, sources_dir):
    blocker = tmp_path / "existing.xlsx"
    blocker.write_bytes(b"not a folder")
    out = blocker / "x.gpkg"
    assert main([*argv, "--out", str(out)]) == 2
    line = error_line(capsys, argv[0])
    assert f"cannot write {out}: '{blocker}' is a file, not a folder" in line
    assert blocker.read_bytes() == b"not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.xlsx"]


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".gpkg", ".geojson", ".shp"])
def test_rename_refused_is_permission_denied_and_keeps_old_file(
    tmp_path, named_layer, monkeypatch, ext
):
    out = write_table(named_layer, tmp_path / f"t{ext}", [GEOKZ])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(src))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match=rf"cannot write .*t\{ext}: permission denied"):
        write_table(named_layer.head(1), out, [GEOKZ])
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert hidden_files(tmp_path) == []


def test_cli_read_only_target_is_one_line(tmp_path, capsys, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(errno.EPERM, "Operation not permitted", str(src))

    monkeypatch.setattr(os, "replace", refuse)
    out = tmp_path / "ro" / "cities.gpkg"
    assert main(["cities", "--out", str(out)]) == 2
    assert error_line(capsys, "cities") == (
        f"agglomap cities: error: cannot write {out}: permission denied"
    )
    assert list((tmp_path / "ro").iterdir()) == []


def test_immutable_folder_is_one_line(tmp_path, capsys):
    folder = tmp_path / "ro2"
    folder.mkdir()
    chattr = shutil.which("chattr")
    if not chattr or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("chattr +i not available here")
    try:
        assert main(["cities", "--out", str(folder / "x.gpkg")]) == 2
        line = error_line(capsys, "cities")
        assert (
            line == f"agglomap cities: error: cannot write {folder / 'x.gpkg'}: permission denied"
        )
        assert list(folder.iterdir()) == []
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_folder_in_place_of_output_file(tmp_path):
    (tmp_path / "index.html").mkdir()
    with pytest.raises(OutputError, match=r"index\.html: "):
        write_text("<html>", tmp_path / "index.html")
    assert hidden_files(tmp_path) == []


def test_sidecar_write_failure_is_an_output_error(tmp_path, monkeypatch):
    real_replace = os.replace

    def refuse_sidecar(src, dst):
        if str(dst).endswith(".sources.json"):
            raise PermissionError(errno.EACCES, "Permission denied", str(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse_sidecar)
    with pytest.raises(OutputError, match=r"t\.csv\.sources\.json: permission denied"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv", [GEOKZ])
    assert hidden_files(tmp_path) == []


def test_input_error_inside_a_writer_is_not_blamed_on_the_output(tmp_path):
    missing = tmp_path / "elsewhere" / "input.csv"
    with pytest.raises(FileNotFoundError), export.atomic_path(tmp_path / "out" / "x.csv") as tmp:
        tmp.write_text(missing.read_text())
    assert hidden_files(tmp_path) == []


# 2. shapefiles: short, unique, meaningful field names; the full names in the sidecar ---


def test_shapefile_fields_are_short_unique_and_deterministic():
    cols = ["Население 2020", "Население 2021", "region_label", "NAME", "name", "№ п/п", "%%%%"]
    cols += ["x" * 11, "x" * 12, "Қарағанды облысы", "!!!!!!!!!!!!"]
    fields = shapefile_fields(cols)
    assert fields == shapefile_fields(list(cols))
    assert set(fields) == set(cols)
    short = list(fields.values())
    assert all(len(s.encode("utf-8")) <= 10 for s in short)
    assert len({s.casefold() for s in short}) == len(short)
    assert fields["Население 2020"] == "Nasel_2020"
    assert fields["Население 2021"] == "Nasel_2021"
    assert fields["NAME"] == "NAME" and fields["name"] == "name_1"
    assert fields["x" * 11] == "xxxxxxxxxx" and fields["x" * 12] == "xxxxxxxx_1"
    assert fields["!!!!!!!!!!!!"] == "f11"


def test_shapefile_keeps_meaning_records_names_and_warns_nobody(tmp_path, named_layer):
    out = tmp_path / "pop.shp"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")  # no warning from GDAL or pandas ...
        warnings.simplefilter("always", ExportWarning)  # ... only agglomap's own note
        write_table(named_layer, out, [GEOKZ])
    back = gpd.read_file(out)
    meta = json.loads(sidecar_path(out).read_text(encoding="utf-8"))
    assert meta["fields"] == {
        "Nasel_2020": "Население 2020",
        "Nasel_2021": "Население 2021",
        "region_lab": "region_label",
    }
    restored = back.rename(columns=meta["fields"])
    assert list(restored.columns) == list(named_layer.columns)
    assert list(restored["Население 2021"]) == [1_110_000, 752_000]
    assert list(restored["region"]) == ["Қарағанды", "Павлодар"]
    assert [str(w.message) for w in caught] == [
        f"{out}: 3 column name(s) shortened to the shapefile's 10-byte limit; "
        "full names in pop.shp.sources.json"
    ]
    assert hidden_files(tmp_path) == []


def test_shapefile_without_sources_still_records_renames(tmp_path, named_layer):
    out = write_table(named_layer, tmp_path / "p.shp")
    assert json.loads(sidecar_path(out).read_text())["fields"]["Nasel_2020"] == "Население 2020"
    fitting = named_layer[["region", "geometry"]]
    out2 = write_table(fitting, tmp_path / "q.shp")
    assert not sidecar_path(out2).exists()


def test_failed_shapefile_move_restores_the_previous_one(tmp_path, named_layer, monkeypatch):
    out = write_table(named_layer, tmp_path / "p.shp", [GEOKZ])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_replace = os.replace

    def fail_on_dbf(src, dst):
        if str(dst).endswith(".dbf") and Path(src).parent.name.startswith(".p."):  # new part
            raise OSError(errno.ENOSPC, "No space left on device", str(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_dbf)
    with pytest.raises(OutputError, match="no space left on device"):
        write_table(named_layer.head(1), out, [GEOKZ])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert hidden_files(tmp_path) == []


def test_score_writes_a_shapefile(tmp_path, capsys):
    out = tmp_path / "s.shp"
    assert main(["score", "--distance", "geodesic", "--out", str(out)]) == 0
    meta = json.loads(sidecar_path(out).read_text(encoding="utf-8"))
    assert meta["distance"] == "geodesic" and meta["config"]["thresholds"]
    back = gpd.read_file(out).rename(columns=meta["fields"])
    assert len(back) == 27
    assert {"core_city_km_geodesic", "n_corridors_within", "tdaa_level"} <= set(back.columns)
    assert "shortened to the shapefile's 10-byte limit" in capsys.readouterr().err
