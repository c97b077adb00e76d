"""``agglomap run``: the main job writes every promised output, each citing its sources."""

from __future__ import annotations

import html
import json
import re

import geopandas as gpd
import pandas as pd
import pytest

from agglomap.cli import main
from helpers import error_line, hidden_files


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, sources_dir):
    out = tmp_path_factory.mktemp("run") / "outputs"
    stale = out / "screenshots" / "monocities.png"  # a previous run's --screenshots
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"yesterday")
    (out / "screenshots" / "monocities.png.sources.json").write_text("{}")
    assert main(["--sources", str(sources_dir), "run", "--out-dir", str(out)]) == 0
    return out


def _descriptions(index: str) -> list[str]:
    """The description column of outputs/index.html."""
    return [html.unescape(d) for d in re.findall(r"</a>(?:.*?)</td><td>([^<]*)</td>", index)]


EXPECTED = [
    "index.html",
    "choropleth_innovation_2021.html",
    "choropleth_innovation_2021.png",
    "choropleth_innovation_2021.svg",
    "monocities.html",
    "monocities.png",
    "monocities.svg",
    "agglomeration_scores.csv",
    "agglomeration_scores.gpkg",
    "agglomeration_scores_all_cities.csv",
    "tdaa_vs_paper.csv",
    "monocity_assessment.csv",
    "monocity_assessment.xlsx",
    "monocity_vs_paper.md",
    "agglomeration_scores_en.xlsx",
    "monocity_assessment_en.xlsx",
    "innovation_2021.gpkg",
    "layers/oblasts_2018.gpkg",
    "layers/oblasts_2022.gpkg",
    "layers/districts_2022.gpkg",
    "layers/cities.gpkg",
    "layers/corridors.gpkg",
]


@pytest.mark.parametrize("name", EXPECTED)
def test_output_exists_with_sources(outputs, name):
    path = outputs / name
    assert path.is_file() and path.stat().st_size > 0
    if name != "index.html":
        meta = json.loads((outputs / f"{name}.sources.json").read_text(encoding="utf-8"))
        assert meta["sources"], f"{name} names no source"


def test_layers_have_the_stated_counts(outputs):
    assert len(gpd.read_file(outputs / "layers/oblasts_2018.gpkg")) == 17
    assert len(gpd.read_file(outputs / "layers/oblasts_2022.gpkg")) == 20
    assert len(gpd.read_file(outputs / "innovation_2021.gpkg")) == 17


def test_scores_cover_the_27_monocities_with_evidence(outputs):
    scores = pd.read_csv(outputs / "agglomeration_scores.csv")
    assert len(scores) == 27
    for col in ("tdaa1", "tdaa2", "tdaa3", "tdaa", "tdaa_level", "gravity", "large_city"):
        assert scores[col].notna().all(), col
    assert set(scores["tdaa1"]) <= {0, 100}
    temirtau = scores.set_index("name").loc["Temirtau"]
    assert temirtau["core_city"] == "Karaganda"
    assert 25 < temirtau["core_city_km_geodesic"] < 35


def test_index_links_every_output(outputs):
    html = (outputs / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+)"', html))
    for name in EXPECTED[1:]:
        assert name in links, name
    assert not re.search(r'(src|href)="https?://', html)


def test_nothing_half_written_left(outputs):
    assert not [p for p in outputs.rglob(".*") if p.is_file()]


def test_a_run_without_screenshots_removes_the_previous_ones(outputs):
    assert not (outputs / "screenshots").exists()
    assert "screenshots/" not in (outputs / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_index_descriptions_are_in_the_runs_language(tmp_path, sources_dir, outputs, lang):
    out = tmp_path / "outputs"
    assert main(["--sources", str(sources_dir), "run", "--out-dir", str(out), "--lang", lang]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    descriptions = _descriptions(page)
    assert len(descriptions) == page.count("<tr><td>") >= len(EXPECTED) - 1
    # English words left in a description: only names, formats and TDaa are allowed
    allowed = {"geokz", "CC", "BY", "TDaa", "HTML", "csv", "gpkg", "xlsx", "png", "svg"}
    for text in descriptions:
        latin = set(re.findall(r"[A-Za-z]+", text)) - allowed
        assert not latin, (lang, text)
    english = _descriptions((outputs / "index.html").read_text(encoding="utf-8"))
    assert len(english) == len(descriptions)
    assert "gazetteer as a table" in english and "gazetteer as a table" not in descriptions
    _check_reader_workbook(out / f"agglomeration_scores_{lang}.xlsx", lang)


# --- a run into a file; an index only after a complete run (from the former test_robustness.py)


def test_run_into_a_file_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "some_file.csv"
    blocker.write_text("a,b\n")
    assert main(["run", "--out-dir", str(blocker)]) == 2
    line = error_line(capsys, "run")
    assert (
        line == f"agglomap run: error: cannot write {blocker}: '{blocker}' is a file, not a folder"
    )
    assert blocker.read_text() == "a,b\n"


# 4. run: a failed run leaves the previous run as it was -------------------------------


def test_late_failure_keeps_the_previous_run(tmp_path, capsys, monkeypatch, sources_dir):
    from agglomap import screenshot

    out = tmp_path / "outputs"
    out.mkdir()
    (out / "index.html").write_text("<html>yesterday's run</html>")
    (out / "monocities.html").write_text("<html>yesterday's map</html>")
    (out / "screenshots").write_text("a file where the screenshots folder goes")
    monkeypatch.setattr(screenshot, "find_chromium", lambda: "/bin/true")
    monkeypatch.setattr(screenshot, "screenshot", lambda html, png: _fake_png(png))
    assert main(["run", "--out-dir", str(out), "--screenshots"]) == 2
    line = error_line(capsys, "run")
    assert f"cannot write {out / 'screenshots'}" in line and "is a file, not a folder" in line
    assert (out / "index.html").read_text() == "<html>yesterday's run</html>"
    assert (out / "monocities.html").read_text() == "<html>yesterday's map</html>"
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "monocities.html", "screenshots"]
    assert hidden_files(out) == []


def _fake_png(png):
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(b"\x89PNG")
    return png


def _check_reader_workbook(path, lang):
    """The run's score workbook for readers: headers, regions and towns in ``lang``,
    rounded values, a why sentence per TDaa indicator, a column dictionary."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    assert len(book.worksheets) == 2
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 27
    town, region = {"ru": ("Город", "Область"), "kk": ("Қала", "Облыс")}[lang]
    assert header[0] == town and header[1] == region
    col = {h: i for i, h in enumerate(header)}
    regions = {r[1] for r in body}
    assert "Карагандинская область" in regions or "Қарағанды облысы" in regions
    assert all(not re.search(r"KZ-\d", str(r)) for r in regions)
    assert "Темиртау" in {r[0] for r in body} or "Теміртау" in {r[0] for r in body}
    for row in body:
        for i, h in enumerate(header):
            value = row[i]
            if isinstance(value, float) and h.endswith(("км", "km")):
                assert round(value, 1) == value  # km to 0.1
        assert isinstance(row[col["TDaa1"]], int) and row[col["TDaa1"]] in (0, 100)
        assert isinstance(row[2], int)  # population, whole persons
    why = [h for h in header if h.startswith(("TDaa1", "TDaa2", "TDaa3")) and h[5:]]
    assert len(why) == 3
    assert all("км" in str(row[col[why[0]]]) for row in body)
    dictionary = list(book.worksheets[1].iter_rows(values_only=True))
    assert len(dictionary) == len(header) + 1  # one row per column, with meaning and unit
