"""A self-intersecting polygon in a user's boundary file is repaired, and the user is told
which region and how much its area changed (issue 11: Karaganda shrank silently)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely

from agglomap.boundaries import BoundaryWarning, load_boundaries
from agglomap.cli import main
from agglomap.readers import read_boundaries


@pytest.fixture
def twisted(tmp_path, sources_dir):
    """The 2018 oblasts with Karaganda's outline crossing itself (two vertices swapped)."""
    oblasts = load_boundaries("2018")
    user = oblasts[["name_ru", "geometry"]].rename(columns={"name_ru": "Область"})
    i = int(np.flatnonzero(oblasts["region_id"] == "KZ-35")[0])  # Karaganda
    biggest = max(shapely.get_parts(user.geometry.iloc[i]), key=lambda p: p.area)
    ring = np.asarray(biggest.exterior.coords)
    a, b = len(ring) // 4, len(ring) // 2
    ring[[a, b]] = ring[[b, a]]
    bowtie = shapely.Polygon(ring)
    assert not bowtie.is_valid
    user.loc[user.index[i], "geometry"] = bowtie
    path = tmp_path / "user.geojson"
    user.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def test_repair_is_announced_with_the_area_change(twisted):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = read_boundaries(twisted)
    notes = [str(w.message) for w in caught if issubclass(w.category, BoundaryWarning)]
    assert len(notes) == 1, notes
    note = notes[0]
    assert "Karaganda" in note and "invalid polygon (self-intersection)" in note
    old, new = (float(x.replace(",", "")) for x in _between(note, "from ", " km²").split(" to "))
    assert old != new
    karaganda = layer.loc[layer["region_id"] == "KZ-35"].iloc[0]
    assert karaganda.geometry.is_valid
    assert round(karaganda["area_km2"]) == pytest.approx(new, abs=1)


def test_valid_files_say_nothing(tmp_path, sources_dir):
    oblasts = load_boundaries("2018")
    path = tmp_path / "ok.geojson"
    oblasts[["name_ru", "geometry"]].to_file(path, driver="GeoJSON", engine="pyogrio")
    with warnings.catch_warnings():
        warnings.simplefilter("error", BoundaryWarning)
        read_boundaries(path)


def test_cli_prints_one_warning_line(twisted, tmp_path, capsys):
    out = tmp_path / "b.gpkg"
    argv = ["boundaries", "--vintage", "2018", "--boundaries", str(twisted), "--out", str(out)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "invalid polygon" in ln]
    assert len(lines) == 1 and lines[0].startswith("agglomap boundaries: warning:")
    assert "Karaganda" in lines[0] and "area changed from" in lines[0]


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


# --- huge values print as readable labels ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (1e308, "en", "1.00×10³⁰⁸"),
        (-1.5e20, "ru", "-1,50×10²⁰"),
        (1e15, "kk", "1,00×10¹⁵"),
        (999_999_999_999_999.0, "en", "999,999,999,999,999"),
        (1927439.2, "ru", "1\u00a0927\u00a0439,2"),
    ],
)
def test_huge_values_are_short_labels(value, lang, text):
    from agglomap.maps.web import format_number

    assert format_number(value, lang, 1 if value == 1927439.2 else 0) == text


def test_a_choropleth_of_1e308_has_no_309_digit_label(tmp_path, sources_dir):
    import re

    from agglomap.data import data_path

    table = data_path("innovation_2021.csv").read_text(encoding="utf-8")
    table = table.replace("Актобе;1 144;", "Актобе;1e308;")
    src = tmp_path / "big.csv"
    src.write_text(table, encoding="utf-8")
    out = tmp_path / "big.html"
    column = "Кәсіпорындар саны барлығы, бірлік"
    argv = ["choropleth", "--indicators", str(src), "--column", column, "--out", str(out)]
    assert main(["--sources", str(sources_dir), *argv]) == 0
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"\d(?:[\d,\s]|\\u00a0){30,}", page)  # no run of 30+ digits
    assert "1.00\\u00d710\\u00b3\\u2070\\u2078" in page  # 1.00×10³⁰⁸ in the legend/popups
