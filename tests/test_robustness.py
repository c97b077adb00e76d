"""Failures a user meets: unwritable outputs, shapefile field names, late-failing runs,
``monocity --comparison`` and ``screenshot`` misuse — one line (exit 2), nothing left over."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import time
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from agglomap import export
from agglomap.cli import main
from agglomap.errors import OutputError
from agglomap.export import shapefile_fields, sidecar_path, write_table, write_text
from agglomap.provenance import GEOKZ


def _error_line(capsys, command: str) -> str:
    """The single stderr line of a failed command (and no traceback)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith(f"agglomap {command}: error:")]
    assert len(lines) == 1, err
    return lines[0]


def _hidden(folder: Path) -> list[str]:
    """Temporary files/folders (``.name.xyz``) left anywhere under ``folder``."""
    return [p.name for p in folder.rglob(".*")]


@pytest.fixture
def layer() -> gpd.GeoDataFrame:
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
def test_output_under_a_file_is_one_line(tmp_path, capsys, argv):
    blocker = tmp_path / "existing.xlsx"
    blocker.write_bytes(b"not a folder")
    out = blocker / "x.gpkg"
    assert main([*argv, "--out", str(out)]) == 2
    line = _error_line(capsys, argv[0])
    assert f"cannot write {out}: '{blocker}' is a file, not a folder" in line
    assert blocker.read_bytes() == b"not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.xlsx"]


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".gpkg", ".geojson", ".shp"])
def test_rename_refused_is_permission_denied_and_keeps_old_file(tmp_path, layer, monkeypatch, ext):
    out = write_table(layer, tmp_path / f"t{ext}", [GEOKZ])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(src))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match=rf"cannot write .*t\{ext}: permission denied"):
        write_table(layer.head(1), out, [GEOKZ])
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert _hidden(tmp_path) == []


def test_cli_read_only_target_is_one_line(tmp_path, capsys, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(errno.EPERM, "Operation not permitted", str(src))

    monkeypatch.setattr(os, "replace", refuse)
    out = tmp_path / "ro" / "cities.gpkg"
    assert main(["cities", "--out", str(out)]) == 2
    assert _error_line(capsys, "cities") == (
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
        line = _error_line(capsys, "cities")
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
    assert _hidden(tmp_path) == []


def test_sidecar_write_failure_is_an_output_error(tmp_path, monkeypatch):
    real_replace = os.replace

    def refuse_sidecar(src, dst):
        if str(dst).endswith(".sources.json"):
            raise PermissionError(errno.EACCES, "Permission denied", str(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse_sidecar)
    with pytest.raises(OutputError, match=r"t\.csv\.sources\.json: permission denied"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv", [GEOKZ])
    assert _hidden(tmp_path) == []


def test_input_error_inside_a_writer_is_not_blamed_on_the_output(tmp_path):
    missing = tmp_path / "elsewhere" / "input.csv"
    with pytest.raises(FileNotFoundError), export.atomic_path(tmp_path / "out" / "x.csv") as tmp:
        tmp.write_text(missing.read_text())
    assert _hidden(tmp_path) == []


def test_run_into_a_file_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "some_file.csv"
    blocker.write_text("a,b\n")
    assert main(["run", "--out-dir", str(blocker)]) == 2
    line = _error_line(capsys, "run")
    assert (
        line == f"agglomap run: error: cannot write {blocker}: '{blocker}' is a file, not a folder"
    )
    assert blocker.read_text() == "a,b\n"


def test_stray_os_error_is_one_line(monkeypatch, capsys, tmp_path):
    from agglomap.cli import cities

    def boom(args):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "gone.yaml")

    monkeypatch.setattr(cities, "run", boom)
    assert main(["cities", "--out", str(tmp_path / "c.csv")]) == 2
    assert _error_line(capsys, "cities") == (
        "agglomap cities: error: gone.yaml: no such file or directory"
    )


def test_unexpected_exception_is_one_line_without_traceback(monkeypatch, capsys, tmp_path):
    from agglomap.cli import cities

    def boom(args):
        raise KeyError("region_2022")

    monkeypatch.setattr(cities, "run", boom)
    monkeypatch.delenv("AGGLOMAP_DEBUG", raising=False)
    assert main(["cities", "--out", str(tmp_path / "c.csv")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "internal error: KeyError: 'region_2022'" in err
    monkeypatch.setenv("AGGLOMAP_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["cities", "--out", str(tmp_path / "c.csv")])


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


def test_shapefile_keeps_meaning_records_names_and_warns_nobody(tmp_path, layer, capsys):
    out = tmp_path / "pop.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_table(layer, out, [GEOKZ])
    back = gpd.read_file(out)
    meta = json.loads(sidecar_path(out).read_text(encoding="utf-8"))
    assert meta["fields"] == {
        "Nasel_2020": "Население 2020",
        "Nasel_2021": "Население 2021",
        "region_lab": "region_label",
    }
    restored = back.rename(columns=meta["fields"])
    assert list(restored.columns) == list(layer.columns)
    assert list(restored["Население 2021"]) == [1_110_000, 752_000]
    assert list(restored["region"]) == ["Қарағанды", "Павлодар"]
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"{out}: 3 column name(s) shortened to the shapefile's 10-byte limit; "
        "full names in pop.shp.sources.json"
    ]
    assert _hidden(tmp_path) == []


def test_shapefile_without_sources_still_records_renames(tmp_path, layer):
    out = write_table(layer, tmp_path / "p.shp")
    assert json.loads(sidecar_path(out).read_text())["fields"]["Nasel_2020"] == "Население 2020"
    fitting = layer[["region", "geometry"]]
    out2 = write_table(fitting, tmp_path / "q.shp")
    assert not sidecar_path(out2).exists()


def test_failed_shapefile_move_restores_the_previous_one(tmp_path, layer, monkeypatch):
    out = write_table(layer, tmp_path / "p.shp", [GEOKZ])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_replace = os.replace

    def fail_on_dbf(src, dst):
        if str(dst).endswith(".dbf") and Path(src).parent.name.startswith(".p."):  # new part
            raise OSError(errno.ENOSPC, "No space left on device", str(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_dbf)
    with pytest.raises(OutputError, match="no space left on device"):
        write_table(layer.head(1), out, [GEOKZ])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert _hidden(tmp_path) == []


def test_score_writes_a_shapefile(tmp_path, capsys):
    out = tmp_path / "s.shp"
    assert main(["score", "--distance", "geodesic", "--out", str(out)]) == 0
    meta = json.loads(sidecar_path(out).read_text(encoding="utf-8"))
    assert meta["distance"] == "geodesic" and meta["config"]["thresholds"]
    back = gpd.read_file(out).rename(columns=meta["fields"])
    assert len(back) == 27
    assert {"core_city_km_geodesic", "n_corridors_within", "tdaa_level"} <= set(back.columns)
    assert "shortened to the shapefile's 10-byte limit" in capsys.readouterr().err


# 3. monocity --comparison ------------------------------------------------------------


def test_comparison_format_checked_before_any_work(tmp_path, capsys):
    out = tmp_path / "m.csv"
    assert main(["monocity", "--out", str(out), "--comparison", str(tmp_path / "x.pdf")]) == 2
    line = _error_line(capsys, "monocity")
    assert "--comparison: unsupported format '.pdf'; use .md, .csv, .xlsx" in line
    assert list(tmp_path.iterdir()) == []


def test_comparison_without_paper_towns_is_skipped_with_a_note(tmp_path, capsys):
    from agglomap import monocity

    inputs = monocity.paper_inputs().drop(columns=["row", "source"]).head(1)
    inputs["town"] = "Zhezkazgan"
    src = tmp_path / "zh.csv"
    inputs.to_csv(src, index=False)
    out, cmp = tmp_path / "zh_out.csv", tmp_path / "cmp.md"
    argv = ["monocity", "--indicators", str(src), "--out", str(out), "--comparison", str(cmp)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "comparison skipped: none of the paper's towns (Balkhash, Karazhal, Temirtau)" in err
    assert out.is_file() and not cmp.exists()
    assert pd.read_csv(out)["town"].tolist() == ["Zhezkazgan"]


# 4. run: an index.html only after a complete run -------------------------------------


def test_late_failure_removes_the_stale_index(tmp_path, capsys, monkeypatch):
    from agglomap import screenshot

    out = tmp_path / "outputs"
    out.mkdir()
    (out / "index.html").write_text("<html>yesterday's run</html>")
    (out / "screenshots").write_text("a file where the screenshots folder goes")
    monkeypatch.setattr(screenshot, "find_chromium", lambda: "/bin/true")
    assert main(["run", "--out-dir", str(out), "--screenshots"]) == 2
    line = _error_line(capsys, "run")
    assert f"cannot write {out / 'screenshots'}" in line and "is a file, not a folder" in line
    assert not (out / "index.html").exists()
    assert (out / "monocities.html").is_file()  # the earlier steps did run
    assert _hidden(out) == []


# 5. screenshot -----------------------------------------------------------------------


def test_screenshot_refuses_non_html_input(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    started = time.monotonic()
    assert main(["screenshot", str(data), "--out", str(tmp_path / "x.png")]) == 2
    assert time.monotonic() - started < 5
    line = _error_line(capsys, "screenshot")
    assert f"{data}: expected an HTML map (.html) to render, got a .csv file" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_screenshot_requires_png_output(tmp_path, capsys):
    page = tmp_path / "map.html"
    page.write_text("<html><body>map</body></html>")
    assert main(["screenshot", str(page), "--out", str(tmp_path / "x.txt")]) == 2
    line = _error_line(capsys, "screenshot")
    assert "x.txt: screenshots are PNG images: name the output *.png, not .txt" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


@pytest.mark.parametrize("size", ["big", "1400", "0x900", "1400x900x2", "-5x10"])
def test_screenshot_size_is_a_usage_error(tmp_path, capsys, size):
    page = tmp_path / "map.html"
    page.write_text("<html></html>")
    with pytest.raises(SystemExit) as done:
        main(["screenshot", str(page), "--out", str(tmp_path / "x.png"), f"--size={size}"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "argument --size: expected WIDTHxHEIGHT" in err and "e.g. 1400x900" in err


def test_screenshot_timeout_is_one_line_and_stops_chromium(tmp_path, capsys, monkeypatch):
    from agglomap import screenshot

    pidfile = tmp_path / "pid"
    fake = tmp_path / "fake-chromium"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    page = tmp_path / "map.html"
    page.write_text("<html></html>")
    monkeypatch.setattr(screenshot, "find_chromium", lambda: str(fake))
    monkeypatch.setattr(screenshot, "TIMEOUT_S", 1.0)
    started = time.monotonic()
    assert main(["screenshot", str(page), "--out", str(tmp_path / "x.png")]) == 2
    assert time.monotonic() - started < 30
    line = _error_line(capsys, "screenshot")
    assert f"Chromium did not finish rendering {page} within 1 s" in line
    assert not (tmp_path / "x.png").exists() and _hidden(tmp_path) == []
    helper = int(pidfile.read_text())
    for _ in range(50):  # the helper process (Chromium's renderer, say) is gone too
        if not Path(f"/proc/{helper}").exists() or "Z" in _proc_state(helper):
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"helper {helper} still running")


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_warnings_reach_the_user_as_one_line(tmp_path, capsys):
    """A user boundary file missing a region: one warning line naming it, then the output."""
    from agglomap.boundaries import load_boundaries

    own = load_boundaries("2018").query("region_id != 'KZ-79'")[["name_ru", "geometry"]]
    own.to_file(tmp_path / "own.geojson")
    code = main(
        [
            "boundaries",
            "--boundaries",
            str(tmp_path / "own.geojson"),
            "--out",
            str(tmp_path / "b.gpkg"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0
    warning_lines = [line for line in err.splitlines() if "warning:" in line]
    assert warning_lines == [
        f"agglomap boundaries: warning: {tmp_path / 'own.geojson'}: no feature for 1 of the "
        "17 regions of the 2018 layout: Shymkent (KZ-79)"
    ]
    assert "Warning" not in err.replace("warning:", "")  # no raw Python warning text


# 6. --out naming an input: refused before anything is read or written ------------------


def _inputs(folder: Path) -> dict[str, Path]:
    """One small, valid input file per kind, in ``folder``."""
    from agglomap import monocity
    from agglomap.boundaries import load_boundaries
    from agglomap.data import data_path

    folder.mkdir(exist_ok=True)
    files = {"indicators": folder / "indicators.csv", "towns": folder / "towns.csv"}
    shutil.copy(data_path("innovation_2021.csv"), files["indicators"])
    files["towns"].write_text("name,lat,lon\nTemirtau,50.05,72.95\n", encoding="utf-8")
    files["monocity"] = folder / "mono.csv"
    monocity.paper_inputs().drop(columns=["row", "source"]).to_csv(files["monocity"], index=False)
    own = load_boundaries("2018")[["name_ru", "geometry"]]
    files["geojson"] = folder / "own.geojson"
    own.to_file(files["geojson"], engine="pyogrio")
    files["shp"] = folder / "own.shp"
    own.to_file(files["shp"], engine="pyogrio", encoding="UTF-8")
    files["scores"] = folder / "scores.csv"
    files["scores"].write_text("id,name,lat,lon,tdaa_level\nx,X,50.05,72.95,low\n")
    files["html"] = folder / "map.html"
    files["html"].write_text("<html></html>", encoding="utf-8")
    return files


OVERWRITES = {
    "join": (["join", "--indicators", "{indicators}"], "indicators"),
    "score": (["score", "--distance", "geodesic", "--towns", "{towns}"], "towns"),
    "monocity": (["monocity", "--indicators", "{monocity}"], "monocity"),
    "boundaries": (["boundaries", "--boundaries", "{geojson}"], "geojson"),
    "boundaries-shp": (["boundaries", "--boundaries", "{shp}"], "shp"),
    "choropleth": (["choropleth", "--column", "innovative_share_grp_pct", "--format", "html",
                    "--indicators", "{indicators}"], "indicators"),
    "choropleth-boundaries": (["choropleth", "--column", "innovative_share_grp_pct",
                               "--format", "html", "--boundaries", "{geojson}"], "geojson"),
    "monocity-map": (["monocity-map", "--format", "html", "--scores", "{scores}"], "scores"),
    "monocity-map-assessment": (["monocity-map", "--format", "html", "--scores", "{scores}",
                                 "--assessment", "{monocity}"], "monocity"),
    "screenshot": (["screenshot", "{html}"], "html"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(OVERWRITES))
def test_out_naming_an_input_is_refused(tmp_path, capsys, case):
    files = _inputs(tmp_path / "in")
    template, target = OVERWRITES[case]
    argv = [a.format(**{k: str(v) for k, v in files.items()}) for a in template]
    before = {p.name: p.read_bytes() for p in (tmp_path / "in").iterdir()}
    # the same file, named another way: through "..", so only resolved paths match
    out = tmp_path / "in" / ".." / "in" / files[target].name
    assert main([*argv, "--out", str(out)]) == 2
    command = argv[0]
    line = _error_line(capsys, command)
    assert line == (
        f"agglomap {command}: error: refusing to overwrite the input {files[target]}; "
        "choose another --out"
    )
    assert {p.name: p.read_bytes() for p in (tmp_path / "in").iterdir()} == before


def test_a_part_of_the_input_shapefile_is_refused_too(tmp_path, capsys):
    from agglomap.cli._common import refuse_input_as_output
    from agglomap.errors import InputError

    files = _inputs(tmp_path / "in")
    with pytest.raises(InputError, match="refusing to overwrite the input .*own.shp"):
        refuse_input_as_output(files["shp"].with_suffix(".dbf"), [files["shp"]])
    with pytest.raises(InputError, match="refusing to overwrite the input .*own.dbf"):
        refuse_input_as_output(files["shp"], [files["shp"].with_suffix(".dbf")])
    link = tmp_path / "link.csv"
    os.link(files["towns"], link)  # a hard link is the same file
    with pytest.raises(InputError, match="choose another --template"):
        refuse_input_as_output(link, [files["towns"]], "--template")
    refuse_input_as_output(tmp_path / "own.shp", [files["shp"]])  # another folder: fine
    refuse_input_as_output(files["shp"].with_suffix(".gpkg"), [files["shp"], None])


def test_monocity_comparison_naming_the_input_is_refused(tmp_path, capsys):
    files = _inputs(tmp_path / "in")
    before = files["monocity"].read_bytes()
    argv = ["monocity", "--indicators", str(files["monocity"]), "--out", str(tmp_path / "o.csv")]
    assert main([*argv, "--comparison", str(files["monocity"])]) == 2
    assert "choose another --comparison" in _error_line(capsys, "monocity")
    assert files["monocity"].read_bytes() == before and not (tmp_path / "o.csv").exists()


# 7. screenshots name the sources of the page they show --------------------------------


@pytest.fixture
def fake_chromium(tmp_path, monkeypatch):
    """A stand-in for Chromium that writes a small PNG where --screenshot= says."""
    from agglomap import screenshot

    fake = tmp_path / "fake-chromium"
    fake.write_text(
        '#!/bin/sh\nfor a in "$@"; do case "$a" in --screenshot=*) '
        'printf "\\211PNG" > "${a#--screenshot=}";; esac; done\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(screenshot, "find_chromium", lambda: str(fake))
    return fake


def test_screenshot_sidecar_has_the_pages_sources(tmp_path, capsys, fake_chromium):
    from agglomap.provenance import INNOVATION_2021

    page = write_text("<html>map</html>", tmp_path / "map.html", [GEOKZ, INNOVATION_2021])
    assert main(["screenshot", str(page), "--out", str(tmp_path / "shot.png")]) == 0
    meta = json.loads(sidecar_path(tmp_path / "shot.png").read_text(encoding="utf-8"))
    page_meta = json.loads(sidecar_path(page).read_text(encoding="utf-8"))
    assert meta["sources"] == page_meta["sources"]
    assert [s["key"] for s in meta["sources"]] == ["geokz", "innovation_2021"]
    assert meta["screenshot_of"] == "map.html"
    # a page without a sidecar: the screenshot's sidecar says so (no sources), not nothing
    bare = tmp_path / "bare.html"
    bare.write_text("<html></html>")
    assert main(["screenshot", str(bare), "--out", str(tmp_path / "bare.png")]) == 0
    meta = json.loads(sidecar_path(tmp_path / "bare.png").read_text(encoding="utf-8"))
    assert meta["sources"] == [] and meta["screenshot_of"] == "bare.html"


def test_a_new_run_removes_the_previous_runs_screenshots(tmp_path):
    from agglomap.pipeline import prepare_out_dir

    out = tmp_path / "outputs"
    shots = out / "screenshots"
    shots.mkdir(parents=True)
    for name in ("monocities.png", "choropleth_innovation_2021.png"):
        (shots / name).write_bytes(b"old")
        sidecar_path(shots / name).write_text("{}")
    prepare_out_dir(out)
    assert not shots.exists()
    # a file of the user's in that folder is not ours to delete: it stays, ours go
    shots.mkdir()
    (shots / "monocities.png").write_bytes(b"old")
    (shots / "my_notes.txt").write_text("mine")
    prepare_out_dir(out)
    assert sorted(p.name for p in shots.iterdir()) == ["my_notes.txt"]
