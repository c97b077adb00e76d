"""Towns inside Kazakhstan's bounding box but abroad (Bishkek, Tashkent, Novosibirsk) are
set aside with a note, never scored (issue 11: Tashkent got the top gravity score)."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from agglomap import territory
from agglomap.cli import main
from agglomap.errors import InputError, SourceError
from agglomap.gazetteer import load_cities
from agglomap.readers import TownsWarning, read_towns

# Coordinates of the city centres (OpenStreetMap place nodes, rounded).
ABROAD = {
    "Bishkek": (42.8746, 74.5698),
    "Tashkent": (41.2995, 69.2401),
    "Novosibirsk": (55.0084, 82.9357),
    "Omsk": (54.9893, 73.3682),
}
AT_HOME = {"Temirtau": (50.0549, 72.9646), "Zharkent": (44.1628, 80.0000)}


def _csv(tmp_path, towns: dict[str, tuple[float, float]]):
    path = tmp_path / "towns.csv"
    rows = [f"{name},{lat},{lon}" for name, (lat, lon) in towns.items()]
    path.write_text("name,lat,lon\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_gazetteer_and_border_towns_are_inside():
    cities = load_cities()
    assert not territory.abroad(cities["lon"], cities["lat"]).any()
    lat, lon = zip(*AT_HOME.values(), strict=True)
    assert not territory.abroad(lon, lat).any()
    lat, lon = zip(*ABROAD.values(), strict=True)
    assert territory.abroad(lon, lat).all()


def test_score_sets_towns_abroad_aside_with_a_note(tmp_path, capsys):
    path = _csv(tmp_path, {**ABROAD, **AT_HOME})
    out = tmp_path / "scores.csv"
    argv = ["score", "--towns", str(path), "--distance", "geodesic", "--out", str(out)]
    assert main(argv) == 0
    assert sorted(pd.read_csv(out)["name"]) == ["Temirtau", "Zharkent"]
    warning = [ln for ln in capsys.readouterr().err.splitlines() if "set aside" in ln]
    assert len(warning) == 1 and warning[0].startswith("agglomap score: warning:")
    assert "4 town(s) more than 5 km outside Kazakhstan" in warning[0]
    for row, name in enumerate(ABROAD, start=2):
        assert f"row {row} {name!r}" in warning[0]
    meta = json.loads((tmp_path / "scores.csv.sources.json").read_text(encoding="utf-8"))
    assert meta["set_aside"]["count"] == 4 and len(meta["set_aside"]["towns"]) == 4


def test_only_towns_abroad_is_one_line_exit_2(tmp_path, capsys):
    path = _csv(tmp_path, ABROAD)
    out = tmp_path / "scores.csv"
    assert main(["score", "--towns", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"agglomap score: error: {path}: no town in Kazakhstan: all 4 are")
    assert not out.exists()


def test_point_layers_name_features_and_long_lists_are_bounded(tmp_path):
    names = [f"Village {i}" for i in range(25)] + ["Temirtau"]
    points = [Point(74.5698, 42.8746)] * 25 + [Point(72.9646, 50.0549)]
    path = tmp_path / "towns.geojson"
    gpd.GeoDataFrame({"name": names}, geometry=points, crs=4326).to_file(path)
    with pytest.warns(TownsWarning) as caught:
        towns = read_towns(path)
    assert towns["name"].tolist() == ["Temirtau"]
    message = str(caught[0].message)
    assert "feature 1 'Village 0'" in message and message.endswith("… and 15 more")
    assert towns.attrs["set_aside"]["count"] == 25


def test_without_boundaries_the_extent_check_remains_and_says_so(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise SourceError("geokz: download failed (offline)")

    monkeypatch.setattr(territory, "outline", offline)
    towns = read_towns(_csv(tmp_path, {**AT_HOME, "Tashkent": ABROAD["Tashkent"]}))
    assert len(towns) == 3
    assert "extent only" in towns.attrs["set_aside"]["rule"]
    with pytest.raises(InputError, match="outside Kazakhstan's extent"):
        read_towns(_csv(tmp_path, {"Moscow": (55.7558, 37.6173)}))
