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
        new_part = Path(src).parent.name.startswith(export.TEMP_PREFIX)
        if str(dst).endswith(".dbf") and new_part:
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


# --- hardening: spreadsheet formulas, write errors, names, temporaries -------------------


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
PLAIN = ["-5", "-1 234,5", "+7.5", "-", "Теміртау", "a=b", "3e5", "-0.5%"]


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path):
    import csv

    frame = pd.DataFrame(
        {
            "name": FORMULAS + PLAIN,
            "=cmd": ["x"] * (len(FORMULAS) + len(PLAIN)),
            "value": [-5] * (len(FORMULAS) + len(PLAIN)),
        }
    )
    out = write_table(frame, tmp_path / "t.csv", [GEOKZ])
    with open(out, encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    assert header == ["name", "'=cmd", "value"]
    names = [r[0] for r in rows]
    assert names == ["'" + f for f in FORMULAS] + PLAIN
    assert {r[2] for r in rows} == {"-5"}  # numbers are numbers, never prefixed
    # what a spreadsheet would run: a cell starting with = + - @ TAB CR that is not a number
    from agglomap.export import formula_like

    assert not [c for r in [header, *rows] for c in r if formula_like(c)]
    note = json.loads(sidecar_path(out).read_text(encoding="utf-8"))["csv_formula_cells"]
    assert note["cells"] == len(FORMULAS) and note["columns"] == {"name": len(FORMULAS)}
    assert note["headers"] == ["=cmd"] and "OWASP" in note["rule"]


def test_csv_without_formula_like_text_is_written_as_is(tmp_path):
    out = write_table(pd.DataFrame({"name": PLAIN, "v": range(len(PLAIN))}), tmp_path / "p.csv")
    assert pd.read_csv(out, dtype=str, keep_default_na=False)["name"].tolist() == PLAIN
    assert not sidecar_path(out).exists()


def test_score_csv_of_a_town_named_like_a_formula_is_safe(tmp_path, capsys, sources_dir):
    from agglomap.cli import main

    towns = tmp_path / "towns.csv"
    towns.write_text(
        'name,lat,lon\n"=HYPERLINK(""http://evil.example"",""Temirtau"")",50.05,72.95\n',
        encoding="utf-8",
    )
    out = tmp_path / "scores.csv"
    argv = ["score", "--towns", str(towns), "--distance", "geodesic", "--out", str(out)]
    assert main(["--sources", str(sources_dir), *argv]) == 0
    name = pd.read_csv(out, dtype=str)["name"].iloc[0]
    assert name == '\'=HYPERLINK("http://evil.example","Temirtau")'


def _mount_full_disk(folder):
    """A 200 KB tmpfs at ``folder`` (root only); skip where it cannot be mounted."""
    import shutil
    import subprocess

    folder.mkdir()
    mount = shutil.which("mount")
    if (
        not mount
        or subprocess.run(
            [mount, "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(folder)], capture_output=True
        ).returncode
    ):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    return folder


@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".geojson", ".csv", ".html"])
def test_full_disk_is_one_line_and_leaves_nothing(tmp_path, capsys, sources_dir, ext):
    import subprocess

    from agglomap.cli import main

    disk = _mount_full_disk(tmp_path / "disk")
    try:
        with open(disk / "ballast", "wb", buffering=0) as fh:  # fill the disk
            try:
                while True:
                    fh.write(b"x" * 4096)
            except OSError:
                pass
        out = disk / f"oblasts{ext}"
        argv = ["boundaries", "--vintage", "2018", "--out", str(out)]
        if ext == ".html":
            argv = ["choropleth", "--column", "innovative_share_grp_pct", "--out", str(out)]
        assert main(["--sources", str(sources_dir), *argv]) == 2
        err = capsys.readouterr().err
        assert "internal error" not in err and "Traceback" not in err
        lines = err.strip().splitlines()
        assert lines[-1].startswith(f"agglomap {argv[0]}: error: cannot write {out}")
        assert "no space left on device" in lines[-1]
        assert sorted(p.name for p in disk.iterdir()) == ["ballast"]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_gdal_write_error_becomes_an_output_error(tmp_path, layer, monkeypatch):
    import shutil

    import pyogrio.errors

    from agglomap.errors import OutputError

    def commit_fails(self, *args, **kwargs):
        raise pyogrio.errors.DataSourceError("Failed to commit transaction")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", commit_fails)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10, 10, 0))
    with pytest.raises(OutputError, match=r"t\.gpkg: no space left on device \(GDAL: Failed"):
        write_table(layer, tmp_path / "t.gpkg", [GEOKZ])
    monkeypatch.setattr(shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(1e12, 0, 1e12))
    with pytest.raises(OutputError, match=r"t\.shp: GDAL could not write it: Failed to commit"):
        write_table(layer, tmp_path / "t.shp", [GEOKZ])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["cities", "boundaries"])
def test_out_dev_full_names_the_device(capsys, sources_dir, command):
    from agglomap.cli import main

    argv = [command, "--out", "/dev/full"] + (["--vintage", "2018"] if command != "cities" else [])
    assert main(["--sources", str(sources_dir), *argv]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line == (
        f"agglomap {command}: error: cannot write /dev/full: it is a device, not a file to "
        "write into; name an output file"
    )
    assert Path("/dev/full").is_char_device()


@pytest.mark.parametrize("n_bytes", [243, 244, 250, 254, 255])
@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".csv"])
def test_name_too_long_for_its_sidecar_is_refused_before_writing(tmp_path, layer, ext, n_bytes):
    from agglomap.errors import OutputError

    out = tmp_path / ("n" * (n_bytes - len(ext)) + ext)
    with pytest.raises(OutputError, match=f"the file name is {n_bytes} bytes; its sidecar"):
        write_table(layer, out, [GEOKZ])
    assert list(tmp_path.iterdir()) == []
    fits = tmp_path / ("n" * (242 - len(ext)) + ext)  # 242 + len(".sources.json") = 255
    write_table(layer, fits, [GEOKZ])
    assert fits.is_file() and sidecar_path(fits).is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_name_over_the_limit_is_one_line(tmp_path, layer):
    from agglomap.errors import OutputError

    out = tmp_path / ("n" * 300 + ".csv")
    with pytest.raises(OutputError, match="the file name is 304 bytes, over this file system's"):
        write_text("x", out)


def test_temporaries_of_killed_processes_are_removed_by_the_next_write(tmp_path):
    import os
    import subprocess
    import sys

    from agglomap.export import TEMP_PREFIX

    code = (
        "import os, signal, sys\n"
        "from agglomap.export import atomic_path\n"
        "with atomic_path(sys.argv[1]) as tmp:\n"
        "    tmp.write_text('half a table')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.csv")], check=False)
    assert killed.returncode == -9
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(TEMP_PREFIX)  # recognisable
    # a temporary of a live process stays; one whose pid was reused (older than the
    # process now holding it) goes; the user's own hidden files stay
    live = tmp_path / f"{TEMP_PREFIX}{os.getppid()}-live.csv"
    live.write_text("being written")
    reused = tmp_path / f"{TEMP_PREFIX}1-reused"
    reused.mkdir()
    os.utime(reused, (1e9, 1e9))  # 2001: before process 1 started
    (tmp_path / ".mine").write_text("user's")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".mine", live.name, "t.csv"])
