"""The command line: thresholds as options, user boundary files, every subcommand's help."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from agglomap.boundaries import load_boundaries
from agglomap.cli import build_parser, main
from agglomap.data import data_path
from agglomap.export import sidecar_path
from helpers import error_line

SHARE = "innovative_share_grp_pct"


def _subcommands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(sub.choices)


def _balkhash(out) -> pd.Series:
    scores = pd.read_csv(out)
    return scores.set_index("id").loc["balkhash"]


def _sidecar(out) -> dict:
    return json.loads(sidecar_path(out).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def user_boundaries(tmp_path_factory, sources_dir):
    """The 2018 oblasts as a user would bring them: geometry and one Russian-name column."""
    oblasts = load_boundaries("2018")
    user = oblasts[["name_ru", "geometry"]].rename(columns={"name_ru": "Область"})
    path = tmp_path_factory.mktemp("user") / "user.geojson"
    user.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


@pytest.mark.parametrize("command", _subcommands())
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert f"usage: agglomap {command}" in capsys.readouterr().out


def test_help_lists_the_new_options(capsys):
    for command in ("join", "choropleth", "monocity-map", "boundaries"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert all(o in text for o in ("--boundaries", "--name-field", "--code-field"))
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    text = capsys.readouterr().out
    for option in ("--fua-max-km", "--core-min-population", "--near-max-km", "--min-corridors"):
        assert option in text


def test_score_progress_bar_only_when_asked(tmp_path, sources_dir, capsys):
    base = ["--sources", str(sources_dir), "score", "--towns", "monocities", "--distance"]
    assert main([*base, "geodesic", "--out", str(tmp_path / "a.csv")]) == 0
    assert "27/27" not in capsys.readouterr().err  # 27 towns, not a terminal: no bar
    assert main([*base, "geodesic", "--progress", "--out", str(tmp_path / "b.csv")]) == 0
    assert "27/27" in capsys.readouterr().err


def test_fua_max_km_option_changes_balkhash_tdaa1(tmp_path, sources_dir, capsys):
    default, wide = tmp_path / "default.csv", tmp_path / "wide.csv"
    base = ["--sources", str(sources_dir), "score", "--towns", "monocities"]
    assert main([*base, "--out", str(default)]) == 0
    assert main([*base, "--fua-max-km", "400", "--out", str(wide)]) == 0
    assert "fua_max_km=400 (option)" in capsys.readouterr().err
    before, after = _balkhash(default), _balkhash(wide)
    assert before["core_city"] == after["core_city"] == "Karaganda"
    assert 300 < after["core_city_km_network"] < 400
    assert (before["tdaa1"], after["tdaa1"]) == (0, 100)
    assert _sidecar(default)["config"]["thresholds"]["fua_max_km"] == 60
    record = _sidecar(wide)["config"]
    assert record["thresholds"]["fua_max_km"] == 400 and record["from_options"] == ["fua_max_km"]


def test_option_beats_config_file_beats_default(tmp_path, sources_dir, capsys):
    config = tmp_path / "wide.yaml"
    config.write_text("fua_max_km: 400\nnear_max_km: 150\n", encoding="utf-8")
    from_file, from_option = tmp_path / "file.csv", tmp_path / "option.csv"
    base = ["--sources", str(sources_dir), "score", "--config", str(config)]
    assert main([*base, "--out", str(from_file)]) == 0
    assert main([*base, "--fua-max-km", "60", "--out", str(from_option)]) == 0
    assert _balkhash(from_file)["tdaa1"] == 100
    assert _balkhash(from_option)["tdaa1"] == 0
    thresholds = _sidecar(from_option)["config"]["thresholds"]
    assert (thresholds["fua_max_km"], thresholds["near_max_km"]) == (60, 150)  # option, file
    assert thresholds["corridor_max_km"] == 25  # default
    assert _sidecar(from_option)["config"]["config_file"] == str(config)
    assert "near_max_km=150 (config)" in capsys.readouterr().err


@pytest.mark.parametrize(("option", "value"), [("--near-max-km", "-10"), ("--min-corridors", "-1")])
def test_negative_threshold_is_refused_naming_the_option(option, value, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["score", option, value, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{option}: expected" in err and ">= 0" in err
    assert not out.exists()


def test_join_with_user_boundaries(tmp_path, user_boundaries, sources_dir, capsys):
    out = tmp_path / "joined.gpkg"
    table = data_path("innovation_2021.csv")
    argv = ["join", "--indicators", str(table), "--boundaries", str(user_boundaries)]
    assert main([*argv, "--out", str(out)]) == 0
    assert "Joined 17 of 17 table rows onto 17 regions (2018 layout)" in capsys.readouterr().out
    joined = gpd.read_file(out)
    assert len(joined) == 17 and joined["region_label"].notna().all()
    assert set(joined["region_id"]) == set(load_boundaries("2018")["region_id"])
    sources = _sidecar(out)["sources"]
    assert sources[0]["key"] == "user_boundaries" and "user.geojson" in sources[0]["title"]
    assert "geokz" not in [s["key"] for s in sources]
    # the column named explicitly; a wrong one is named with the file's columns
    assert main([*argv, "--name-field", "Область", "--out", str(out)]) == 0
    assert main([*argv, "--name-field", "Oblast", "--out", str(out)]) == 2
    assert "'Oblast'" in capsys.readouterr().err
    # --name-field without a user file is a mistake, not silently ignored
    assert main(["join", "--indicators", str(table), "--name-field", "x", "--out", "y.csv"]) == 2
    assert "--name-field needs --boundaries" in capsys.readouterr().err


def test_choropleth_with_user_boundaries(tmp_path, user_boundaries):
    out = tmp_path / "share.html"
    argv = ["choropleth", "--column", SHARE, "--boundaries", str(user_boundaries)]
    assert main([*argv, "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    # one region path per feature: Leaflet tags each with data-region-id from this property
    assert "data-region-id" in html
    regions = re.findall(r'"region_id": "(KZ-\d+)"', html)
    assert len(regions) == len(set(regions)) == 17
    assert "Boundaries: user.geojson" in html and "geokz" not in html.lower()
    sources = _sidecar(out)["sources"]
    assert [s["key"] for s in sources] == ["user_boundaries", "innovation_2021"]


def test_monocity_map_with_user_boundaries(tmp_path, user_boundaries, sources_dir):
    out = tmp_path / "mono.html"
    argv = ["--sources", str(sources_dir), "monocity-map", "--boundaries", str(user_boundaries)]
    assert main([*argv, "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "(2018)" in html  # the layout detected from the file
    assert "Boundaries: user.geojson" in html and "geokz" not in html.lower()
    keys = [s["key"] for s in _sidecar(out)["sources"]]
    assert keys[0] == "user_boundaries" and "geokz" not in keys


# sources credited: the user's files, OpenStreetMap for an OSM export -------------------


def _keys(out) -> list[str]:
    return [s["key"] for s in _sidecar(out)["sources"]]


def test_score_credits_the_towns_file_and_osm_for_an_osm_export(tmp_path, sources_dir):
    hot = gpd.read_file(sources_dir / "hotosm_kaz_populated_places.geojson", engine="pyogrio")
    sample = hot[hot["place"] == "city"].head(3)
    assert len(sample) == 3
    export = tmp_path / "hotosm_kaz_populated_places.geojson"
    sample.to_file(export, engine="pyogrio")
    out = tmp_path / "osm_scores.csv"
    base = ["--sources", str(sources_dir), "score", "--distance", "geodesic"]
    assert main([*base, "--towns", str(export), "--out", str(out)]) == 0
    sources = _sidecar(out)["sources"]
    assert sources[0]["key"] == "user_towns"
    assert "hotosm_kaz_populated_places.geojson" in sources[0]["title"]
    osm = next(s for s in sources if s["key"] == "osm")
    assert osm["licence"] == "ODbL 1.0"
    # a plain table of the user's own: credited by name, OpenStreetMap not claimed
    own = tmp_path / "my_towns.csv"
    own.write_text("name,lat,lon\nTemirtau,50.05,72.95\n", encoding="utf-8")
    assert main([*base, "--towns", str(own), "--out", str(out)]) == 0
    assert _keys(out)[0] == "user_towns" and "osm" not in _keys(out)
    assert "my_towns.csv" in _sidecar(out)["sources"][0]["title"]


def test_osm_export_rule():
    from agglomap.provenance import is_osm_export

    assert is_osm_export("places.csv", ["name", "osm_id"])
    assert is_osm_export("places.geojson", ["name", "name:ru"])
    assert is_osm_export("hotosm_kaz_populated_places.geojson")
    assert is_osm_export("towns-OSM.csv", ["name"])
    assert not is_osm_export("cosmos_towns.csv", ["name", "lat", "lon"])
    assert not is_osm_export("towns.csv", ["name", "population"])


@pytest.fixture(scope="module")
def assessment_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("assess") / "my_assessment.csv"
    assert main(["monocity", "--out", str(out)]) == 0
    return out


def test_monocity_map_credits_the_assessment_file_not_the_paper(
    tmp_path, sources_dir, assessment_file
):
    out = tmp_path / "mono.html"
    argv = ["--sources", str(sources_dir), "monocity-map", "--assessment", str(assessment_file)]
    assert main([*argv, "--out", str(out)]) == 0
    keys = _keys(out)
    assert "user_assessment" in keys and "monocity_paper" not in keys
    html = out.read_text(encoding="utf-8")
    assert "Indicators: my_assessment.csv" in html
    assert "Monocity indicators: Maimurunova et al." not in html  # the paper's credit line
    # without --assessment the paper's three towns are the assessment: the paper is credited
    default = tmp_path / "default.html"
    assert main(["--sources", str(sources_dir), "monocity-map", "--out", str(default)]) == 0
    assert "monocity_paper" in _keys(default)


def test_monocity_map_credits_the_scores_file(tmp_path, sources_dir, assessment_file):
    scores = tmp_path / "my_scores.csv"
    base = ["--sources", str(sources_dir)]
    assert main([*base, "score", "--distance", "geodesic", "--out", str(scores)]) == 0
    out = tmp_path / "mono.png"
    assert main([*base, "monocity-map", "--scores", str(scores), "--out", str(out)]) == 0
    sources = _sidecar(out)["sources"]
    assert sources[0]["key"] == "geokz"
    assert "user_scores" in _keys(out) and "monocity_paper" not in _keys(out)
    assert any("my_scores.csv" in s["title"] for s in sources)
    html = tmp_path / "both.html"
    argv = ["monocity-map", "--scores", str(scores), "--assessment", str(assessment_file)]
    assert main([*base, *argv, "--out", str(html)]) == 0
    assert {"user_scores", "user_assessment"} <= set(_keys(html))
    assert "monocity_paper" not in _keys(html)


# messages that say what to do ------------------------------------------------------


def test_towns_name_close_to_a_town_set_is_suggested(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["score", "--towns", "monocity", "--out", "s.csv"]) == 2
    err = capsys.readouterr().err
    assert "monocity: no such file, nor a town set; did you mean 'monocities'?" in err
    assert main(["score", "--towns", "all-city", "--out", "s.csv"]) == 2
    assert "did you mean 'all-cities'?" in capsys.readouterr().err
    assert main(["score", "--towns", "nowhere.geojson", "--out", "s.csv"]) == 2
    assert "nowhere.geojson: file not found" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_user_defined_scheme_without_bins_names_the_option(tmp_path, capsys, sources_dir):
    out = tmp_path / "m.html"
    argv = ["choropleth", "--column", SHARE, "--scheme", "user_defined", "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "error: --scheme user_defined needs --bins B1,B2,…" in err
    assert not out.exists()
    assert main([*argv, "--bins", "1,5,40"]) == 0


def test_k_above_the_distinct_values_is_noted_once(tmp_path, capsys, sources_dir):
    from agglomap.indicators import default_indicators

    distinct = default_indicators().data[SHARE].nunique()
    out = tmp_path / "m.html"
    assert main(["choropleth", "--column", SHARE, "--k", "50", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    notes = [ln for ln in err.splitlines() if "reduced" in ln]
    assert notes == [f"note: --k 50 reduced to {distinct}: {SHARE!r} has only {distinct} "
                     "distinct values"]  # fmt: skip
    assert main(["choropleth", "--column", SHARE, "--k", "5", "--out", str(out)]) == 0
    assert "reduced" not in capsys.readouterr().err


def test_map_of_scores_from_osm_towns_credits_openstreetmap(tmp_path, sources_dir):
    """Scores written by `agglomap score` pass their sources (OSM towns) on to the map."""
    towns = tmp_path / "towns-osm.csv"
    towns.write_text(
        "name,lat,lon\nBalqash,46.848,74.995\nQarajal,48.0,70.8\nTemirtau,50.054,72.964\n",
        encoding="utf-8",
    )
    scores = tmp_path / "scores.csv"
    assert main(["score", "--towns", str(towns), "--out", str(scores)]) == 0
    for ext in ("html", "png"):
        out = tmp_path / f"map.{ext}"
        assert main(["monocity-map", "--scores", str(scores), "--out", str(out)]) == 0
        sidecar = json.loads((tmp_path / f"map.{ext}.sources.json").read_text(encoding="utf-8"))
        keys = [s["key"] for s in sidecar["sources"]]
        assert "osm" in keys and "user_scores" in keys and "user_towns" in keys, keys
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    # the attribution line sits in a JSON string, where "©" is written \u00a9
    assert "\\u00a9 OpenStreetMap contributors" in html and "Data: scores.csv" in html


# --- one-line errors and warnings; --out naming an input (from the former test_robustness.py)


def test_stray_os_error_is_one_line(monkeypatch, capsys, tmp_path):
    from agglomap.cli import cities

    def boom(args):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "gone.yaml")

    monkeypatch.setattr(cities, "run", boom)
    assert main(["cities", "--out", str(tmp_path / "c.csv")]) == 2
    assert error_line(capsys, "cities") == (
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
    line = error_line(capsys, command)
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
    assert "choose another --comparison" in error_line(capsys, "monocity")
    assert files["monocity"].read_bytes() == before and not (tmp_path / "o.csv").exists()
