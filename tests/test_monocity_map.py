"""The monocity web map, opened offline in headless Chromium, and its CLI."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from agglomap.agglomeration import score_towns
from agglomap.cli import main
from agglomap.corridors import load_corridors
from agglomap.errors import InputError
from agglomap.gazetteer import monocities
from agglomap.i18n import SCENARIOS, level_word, scenario_text, t
from agglomap.maps import monocities as monocities_module
from agglomap.maps import web
from agglomap.maps.monocities import (
    SCENARIO_COLORS,
    MapWarning,
    corridor_items,
    format_km,
    geodesic_rings,
    map_sources,
    monocity_map,
    nearest_corridor_text,
    popup_record,
)
from agglomap.pipeline import default_assessment
from browser import open_html

GEOD = Geod(ellps="WGS84")
EVIL = '<script>alert(1)</script> "x" ${alert(2)} `'


def _plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def scores():
    return score_towns(monocities())


@pytest.fixture(scope="module")
def default_html(tmp_path_factory, scores):
    """monocities.html as `agglomap run` writes it: the 27 scored, the paper's three assessed."""
    m = monocity_map(scores, assessment=default_assessment())
    out = tmp_path_factory.mktemp("outputs") / "monocities.html"
    return web.save_map(m, out, sources=map_sources(True, None))


@pytest.mark.browser
def test_default_map_opens_offline_with_every_layer(default_html):
    assert default_html.name == "monocities.html"
    sidecar = json.loads(default_html.with_name("monocities.html.sources.json").read_text())
    assert {"geokz", "agglomap", "geonames", "natural_earth", "populations"} <= {
        s["key"] for s in sidecar["sources"]
    }
    with open_html(default_html) as (page, log):
        assert not log, log
        assert not log.blocked, log.blocked
        assert page.locator("path.agglomap-town").count() == 27
        assert page.locator("path.agglomap-corridor-road").count() > 5
        assert page.locator("path.agglomap-corridor-rail").count() > 5
        assert page.locator("path.agglomap-link").count() == 27
        layers = _plain(page.locator(".leaflet-control-layers").inner_text())
        for name in (
            "Oblast boundaries (2022)",
            "Road corridor",
            "Rail corridor",
            "Towns by TDaa level",
            "Towns by recommended scenario",
            "Link to nearest large city",
            "Distance rings (50, 100 km)",
        ):
            assert name in layers
        legend = _plain(page.locator(".agglomap-legend").inner_text())
        for text in ("low", "medium", "above medium", "high", "road corridor", "rail corridor"):
            assert text in legend
        assert "geokz" in page.locator(".leaflet-control-attribution").inner_text()
        assert "OpenStreetMap" not in page.locator(".leaflet-control-attribution").inner_text()


@pytest.mark.browser
def test_temirtau_popup_shows_its_score_and_evidence(default_html, scores):
    row = scores.set_index("id").loc["temirtau"]
    with open_html(default_html) as (page, log):
        page.locator("path.agglomap-town-temirtau").click(force=True)
        popup = page.locator('.leaflet-popup-content [data-town-id="temirtau"]')
        popup.wait_for(timeout=3000)
        text = _plain(popup.inner_text())
        assert not log, log
    assert text.startswith("Temirtau")
    assert f"{web.format_number(row['tdaa'], 'en', 1)} ({row['tdaa_level']})" in text
    geo = format_km(row["large_city_km_geodesic"])
    net = format_km(row["large_city_km_network"])
    assert (
        _plain(f"Nearest large city: {row['large_city']} — {geo} geodesic, {net} by network")
        in text
    )
    # the assessment of the paper's three towns is shown beside the distance evidence
    top = default_assessment().set_index("town_id").loc["temirtau", "top_scenario"]
    assert f"Recommended scenario {top}" in text


@pytest.mark.browser
def test_russian_popup_shows_levels_and_scenarios_in_russian(tmp_path, scores, sources_dir):
    assessment = default_assessment()
    m = monocity_map(scores, assessment=assessment, lang="ru")
    out = web.save_map(m, tmp_path / "ru.html", sources=[])
    with open_html(out) as (page, log):
        page.locator("path.agglomap-town-temirtau").click(force=True)
        popup = page.locator('.leaflet-popup-content [data-town-id="temirtau"]')
        popup.wait_for(timeout=3000)
        text = _plain(popup.inner_text())
        legend = _plain(page.locator(".agglomap-legend").inner_text())
        assert not log, log
    assert text.startswith("Темиртау")
    row = scores.set_index("id").loc["temirtau"]
    tdaa_word = level_word(row["tdaa_level"], "ru")
    assert f"{_plain(web.format_number(row['tdaa'], 'ru', 1))} ({tdaa_word})" in text
    a = assessment.set_index("town_id").loc["temirtau"]
    assert a["top_scenario"] == "innovative" and a["tdea_level"] == "high"
    assert "Рекомендуемый сценарий инновационный" in text
    assert f"Рекомендуемый сценарий {scenario_text(a['top_scenario'], 'ru')}" in text
    assert f"Ранжирование {scenario_text(a['scenario_ranking'], 'ru')}" in text
    assert "(высокий)" in text  # TDEA of Temirtau: "high"
    for ind in ("tdm", "tdea", "tdda", "tdzhia", "tdaa", "tdsp"):
        shown = (
            f"{_plain(web.format_number(a[ind], 'ru', 1))} ({level_word(a[f'{ind}_level'], 'ru')})"
        )
        assert shown in text, (ind, shown)
    # nothing of the assessment is left in English
    english = [a[f"{ind}_level"] for ind in ("tdm", "tdea", "tdda", "tdzhia", "tdaa", "tdsp")]
    assert not [w for w in [*SCENARIOS, *english] if re.search(rf"\b{w}\b", text)]
    for name in SCENARIOS:
        assert t(f"scenario.{name}", "ru") in legend
    for level in ("низкий", "средний", "выше среднего", "высокий"):
        assert level in legend


def _corridors_shown(path, town_id: str) -> list[str]:
    """The "corridors within reach" items of a town's popup, as the browser shows them."""
    with open_html(path) as (page, log):
        page.locator(f"path.agglomap-town-{town_id}").first.click(force=True)
        popup = page.locator(f'.leaflet-popup-content [data-town-id="{town_id}"]')
        popup.wait_for(timeout=3000)
        items = [_plain(x) for x in popup.locator("ul.corridors > li").all_inner_texts()]
        assert not log, log
    return items


@pytest.mark.browser
def test_russian_popup_names_corridors_in_russian(tmp_path, scores, default_html, sources_dir):
    row = scores.set_index("id").loc["balkhash"]
    # Balkhash also has Natural Earth branch lines (the Balkhash works' tracks) within reach
    ids = row["corridors_within_ids"].split(";")
    assert {"rail_dostyk_moyinty=0.0", "road_astana_almaty=0.0"} <= set(ids)
    m = monocity_map(scores, lang="ru")
    shown = _corridors_shown(web.save_map(m, tmp_path / "ru.html", sources=[]), "balkhash")
    assert len(shown) == len(ids)
    assert "Достык – Мойынты (железная дорога) 0,0 км" in shown
    assert "Астана – Караганда – Балхаш – Алматы (автодорога) 0,0 км" in shown
    assert not any(re.search(r"[A-Za-z]", item) for item in shown)
    # the English map still lists them as score_towns wrote them
    assert _corridors_shown(default_html, "balkhash") == row["corridors_within"].split("; ")
    english = row["corridors_within"].split("; ")
    assert "Dostyk-Aktogay-Balkhash-Moyinty rail 0.0 km" in english
    assert "Astana-Karaganda-Balkhash-Almaty road 0.0 km" in english


def test_popup_corridors_speak_the_maps_language(scores):
    row = scores.set_index("id").loc["balkhash"].copy()
    row["id"] = "balkhash"
    row["corridors_within_ids"] = "rail_turksib=1.6;road_wewc=12.0"
    kk = corridor_items(row, "kk")
    assert [_plain(x) for x in kk] == [
        "Түрксіб (темір жол) 1,6 км",
        "Батыс Еуропа – Батыс Қытай (автожол) 12,0 км",
    ]
    shown = popup_record(row, "ru", {}, {}, None)["within"]
    assert shown == [
        "Турксиб (железная дорога) 1,6\u00a0км",
        "Западная Европа – Западный Китай (автодорога) 12,0\u00a0км",
    ]
    # English, an unknown id, scores without the column: the text score_towns wrote
    written = row["corridors_within"].split("; ")
    assert corridor_items(row, "en") == written
    assert corridor_items(row.drop("corridors_within_ids"), "ru") == written
    unknown = row.copy()
    unknown["corridors_within_ids"] = "rail_turksib=1.6;my_road=2.0"
    assert corridor_items(unknown, "ru") == written
    # names from a user's lookup travel as text (the page writes them with textContent)
    evil = {"rail_turksib": (EVIL, "rail"), "road_wewc": ("Жол", "road")}
    assert popup_record(row, "ru", {}, {}, None, evil)["within"][0].startswith(EVIL)


def test_popup_names_cities_by_their_ids(scores):
    row = scores.set_index("id").loc["temirtau"].copy()
    assert row["large_city_id"] == "karaganda" and row["core_city_id"] == "karaganda"
    row["large_city"] = "whatever the file says"
    shown = popup_record(row, "ru", {"karaganda": "Караганда"}, {}, None)
    assert shown["core_city"][0] == "Караганда"
    assert shown["large_city"] == 1  # the same city at the same km: given once
    # scores without ids (an older file) show the names as written
    bare = row.drop(["core_city_id", "large_city_id"])
    assert popup_record(bare, "ru", {"karaganda": "Караганда"}, {}, None)["large_city"][0] == (
        "whatever the file says"
    )


def test_nearest_corridor_speaks_the_maps_language(scores):
    row = scores.set_index("id").loc["balkhash"].copy()
    row["id"] = "balkhash"
    # one of the corridors at 0 km (a Natural Earth branch at Balkhash is listed first)
    assert row["nearest_corridor_km"] < 0.05
    row["nearest_corridor"] = "Dostyk-Aktogay-Balkhash-Moyinty rail"
    row["nearest_corridor_id"] = "rail_dostyk_moyinty"  # the map finds it by this id
    ru = popup_record(row, "ru", {}, {}, None)["nearest"]
    assert ru == "Достык – Мойынты (железная дорога) — 0,0\u00a0км"
    assert _plain(nearest_corridor_text(row, "kk")) == "Достық – Мойынты (темір жол) — 0,0 км"
    # English is as score_towns wrote it
    en = popup_record(row, "en", {}, {}, None)["nearest"]
    assert en == "Dostyk-Aktogay-Balkhash-Moyinty rail — 0.0\u00a0km"
    # a corridor the lookup does not know keeps the written name; the km are still Russian
    other = row.copy()
    other["nearest_corridor"] = "My road road"
    other["nearest_corridor_id"] = "my_road"
    assert _plain(nearest_corridor_text(other, "ru")) == "My road road — 0,0 км"
    # the written English name is only shown, never looked up: the id decides
    renamed = row.copy()
    renamed["nearest_corridor"] = "Some other label"
    assert _plain(nearest_corridor_text(renamed, "ru")).startswith("Достык – Мойынты")
    # names from a user's layer travel as text (the page writes them with textContent)
    evil = {"rail_dostyk_moyinty": (EVIL, "rail")}
    assert popup_record(row, "ru", {}, {}, None, evil)["nearest"].startswith(EVIL)


def _corridor_tooltips(page_html: str) -> list[str]:
    """The (JSON-decoded) tooltips bound to the corridor lines of a rendered map."""
    found = re.findall(r'bindTooltip\(("(?:[^"\\]|\\.)*"), \{"sticky": true\}', page_html)
    return [json.loads(x) for x in found]


def test_corridor_tooltips_speak_the_maps_language(scores):
    empty = gpd.GeoDataFrame(geometry=[], crs=4326)
    kwargs = {"boundaries": empty, "rings_km": (), "show_links": False}
    corridors = load_corridors()
    ru = _corridor_tooltips(web.render_html(monocity_map(scores, lang="ru", **kwargs)))
    expected = [
        f"{c.name_ru} ({t(c.mode, 'ru')}, {format_km(c.length_km, 'ru')})"
        for mode in ("road", "rail")
        for c in corridors[corridors["mode"] == mode].itertuples()
    ]
    assert ru == expected
    assert "Астана – Караганда – Балхаш – Алматы (автодорога, 1\u00a0157,9\u00a0км)" in ru
    assert "Достык – Мойынты (железная дорога, 841,3\u00a0км)" in ru
    assert not any(re.search(r"[A-Za-z]", x) for x in ru), ru
    en = _corridor_tooltips(web.render_html(monocity_map(scores, lang="en", **kwargs)))
    assert len(en) == len(corridors)
    assert "Astana-Karaganda-Balkhash-Almaty (1,157.9\u00a0km)" in en
    assert "Dostyk-Aktogay-Balkhash-Moyinty (841.3\u00a0km)" in en


@pytest.mark.browser
def test_scenario_layer_colours_assessed_towns(tmp_path, scores, sources_dir):
    assessment = default_assessment()
    m = monocity_map(
        scores,
        assessment=assessment,
        color_by="scenario",
        rings_km=(),
        show_links=False,
    )
    out = web.save_map(m, tmp_path / "scen.html", sources=[])
    with open_html(out) as (page, log):
        assert not log, log
        assert page.locator("path.agglomap-town").count() == 0  # level layer hidden
        assert page.locator("path.agglomap-town-scenario").count() == 27
        assert page.locator("path.agglomap-link").count() == 0
        for _, a in assessment.iterrows():
            fill = page.locator(f"path.agglomap-town-scenario-{a['town_id']}").get_attribute("fill")
            assert fill == SCENARIO_COLORS[a["top_scenario"].split(" = ")[0]]
        fill = page.locator("path.agglomap-town-scenario-rudny").get_attribute("fill")
        assert fill == "#ffffff"  # not assessed


@pytest.mark.browser
def test_hostile_town_name_is_shown_as_text(tmp_path, scores, sources_dir):
    evil = scores.copy()
    evil.loc[evil["id"] == "temirtau", "name"] = EVIL
    m = monocity_map(evil)
    out = web.save_map(m, tmp_path / "evil.html", sources=[])
    assert "<script>alert(1)" not in out.read_text(encoding="utf-8")
    with open_html(out) as (page, log):
        marker = page.locator("path.agglomap-town-temirtau")
        marker.hover(force=True)
        page.locator(".leaflet-tooltip").first.wait_for(timeout=3000)
        tooltips = [_plain(t) for t in page.locator(".leaflet-tooltip").all_inner_texts()]
        marker.click(force=True)
        heading = page.locator('.leaflet-popup-content [data-town-id="temirtau"] h3')
        heading.wait_for(timeout=3000)
        assert heading.inner_text() == EVIL
        assert _plain(EVIL) in tooltips
        assert not log.dialogs
        assert not log, log


def test_distance_rings_are_geodesic():
    lon, lat = np.array([72.95, 52.0]), np.array([50.05, 42.5])
    rings = geodesic_rings(lon, lat, 100.0)
    assert len(rings) == 2
    for (x0, y0), ring in zip(zip(lon, lat, strict=True), rings, strict=True):
        xy = np.asarray(ring.exterior.coords)
        assert len(xy) == 73 and (xy[0] == xy[-1]).all()
        _, _, d = GEOD.inv(np.full(72, x0), np.full(72, y0), xy[:-1, 0], xy[:-1, 1])
        assert np.allclose(d, 100_000, atol=0.01)
        # 100 km north and east of 50° N are not the same number of degrees: not a
        # Web-Mercator or degree circle
        assert xy[:, 0].max() - x0 > 1.3 * (xy[:, 1].max() - y0)


def test_missing_score_columns_are_named(scores):
    with pytest.raises(InputError, match="'tdaa_level'.*did you mean 'tdaa_levl'"):
        monocity_map(scores.rename(columns={"tdaa_level": "tdaa_levl"}))


def test_cli_writes_html_and_png(tmp_path, scores, sources_dir, capsys):
    table = tmp_path / "scores.csv"
    scores.drop(columns="geometry").to_csv(table, index=False)
    before = table.read_bytes()
    out = tmp_path / "m.html"
    code = main(
        [
            "--sources",
            str(sources_dir),
            "monocity-map",
            "--scores",
            str(table),
            "--rings",
            "30",
            "--lang",
            "ru",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert json.dumps("Темиртау")[1:-1] in page  # names travel as JSON strings
    assert json.dumps("(30 км)")[1:-1] in page
    assert table.read_bytes() == before  # input untouched
    png = tmp_path / "m.png"
    assert main(["monocity-map", "--scores", str(table), "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "m.png.sources.json").is_file()
    assert main(["monocity-map", "--rings", "50,abc", "--out", str(tmp_path / "x.html")]) == 2
    assert "'abc' is not a number of km" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    scores.drop(columns=["geometry", "tdaa"]).to_csv(bad, index=False)
    assert main(["monocity-map", "--scores", str(bad), "--out", str(tmp_path / "y.html")]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "'tdaa'" in err
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "y.html").exists()


def test_osm_is_credited_only_when_its_tiles_are_used(scores, sources_dir):
    plain = web.render_html(monocity_map(scores, rings_km=()))
    assert "OpenStreetMap" not in plain and "tile.openstreetmap.org" not in plain
    tiled = web.render_html(
        monocity_map(scores, tiles="osm", self_contained=False),
        self_contained=False,
    )
    assert "tile.openstreetmap.org" in tiled
    assert "\\u00a9 OpenStreetMap contributors" in tiled or "© OpenStreetMap contributors" in tiled


_BOXES = """sel => [...document.querySelectorAll(sel)]
    .filter(e => e.getClientRects().length > 0)
    .map(e => { const r = e.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom, e.textContent]; })"""
_MARKERS = """() => [...document.querySelectorAll(
    'path.agglomap-town, path.agglomap-town-scenario, path.agglomap-large-city')]
    .map(p => p.getBoundingClientRect())
    .filter(r => r.width >= 3 && r.width <= 40 && Math.abs(r.width - r.height) <= 2)
    .map(r => [r.left + r.width / 2, r.top + r.height / 2])"""


def _placed(page) -> tuple[list, list]:
    """(label boxes with their text, marker centres) once the names are placed."""
    _wait_for_names(page)
    return page.evaluate(_BOXES, ".agglomap-town-label"), page.evaluate(_MARKERS)


@pytest.mark.browser
def test_town_names_are_a_layer_shown_by_default_in_the_maps_language(
    tmp_path, scores, sources_dir
):
    m = monocity_map(scores, assessment=default_assessment(), lang="ru")
    out = web.save_map(m, tmp_path / "names.html", sources=[])
    with open_html(out, wait_ms=0) as (page, log):
        boxes, _ = _placed(page)
        layers = _plain(page.locator(".leaflet-control-layers").inner_text())
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        scale = page.locator(".leaflet-control-scale").inner_text()
        placed = int(page.evaluate("document.documentElement.dataset.agglomapLabelsPlaced"))
        page.locator(".leaflet-control-layers label", has_text="Названия городов").click()
        page.wait_for_function(f"+document.documentElement.dataset.agglomapLabelsPlaced > {placed}")
        hidden = len(page.evaluate(_BOXES, ".agglomap-town-label"))
        legend = _plain(page.locator(".agglomap-legend").inner_text())
        assert not log, log
    assert t("road_and_rail", "ru") in legend  # shared road-and-rail routes are explained
    labels = {b[4] for b in boxes}
    towns = set(monocities()["name_ru"])
    assert len(labels & towns) >= 20, labels  # in Russian; the rest appear on zoom
    assert {"Алматы", "Шымкент", "Караганда"} <= labels  # large cities, even unlinked ones
    assert "Названия городов" in layers and hidden == 0
    assert "Границы: geokz" in attribution and "Координаты: GeoNames" in attribution
    assert not re.search(r"Boundaries|Coordinates|Cities and corridors", attribution)
    assert "км" in scale and "mi" not in scale


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_names_never_overlap_nor_cover_markers(tmp_path, scores, sources_dir, lang):
    """The issue's measure at common screen sizes: at least 30 names, no two overlapping,
    none over a circle's centre, and the same placement on every load."""
    m = monocity_map(scores, assessment=default_assessment(), lang=lang)
    out = web.save_map(m, tmp_path / f"{lang}.html", sources=[])
    for size in ((1366, 768), (1920, 1080)):
        runs = []
        for _ in range(2):
            with open_html(out, size=size, wait_ms=0) as (page, log):
                runs.append(_placed(page))
                assert not log, log
        (labels, markers), (again, _) = runs
        assert labels == again  # deterministic: same names in the same places
        assert len(labels) >= 30, (size, len(labels))
        pairs = [(a[4], b[4]) for i, a in enumerate(labels) for b in labels[i + 1 :] if _hits(a, b)]
        assert not pairs, (size, pairs)
        covered = [
            (a[4], (x, y))
            for a in labels
            for x, y in markers
            if a[0] + 1 < x < a[2] - 1 and a[1] + 1 < y < a[3] - 1
        ]
        assert not covered, (size, covered)


@pytest.mark.browser
def test_names_that_do_not_fit_appear_on_zoom(tmp_path, scores, sources_dir):
    m = monocity_map(scores)
    out = web.save_map(m, tmp_path / "zoom.html", sources=[])
    with open_html(out, size=(1000, 600), wait_ms=0) as (page, log):
        before = {b[4] for b in _placed(page)[0]}
        left_out = scores[~scores["name"].isin(before)]
        assert len(left_out), before  # at 1000 × 600 not every name fits
        town = left_out.iloc[0]
        placed = int(page.evaluate("document.documentElement.dataset.agglomapLabelsPlaced"))
        page.evaluate(
            "([lat, lon]) => { const m = Object.values(window).find(v => v instanceof L.Map);"
            " m.setView([lat, lon], 10, {animate: false}); }",
            [float(town["lat"]), float(town["lon"])],
        )
        page.wait_for_function(f"+document.documentElement.dataset.agglomapLabelsPlaced > {placed}")
        after = {b[4] for b in page.evaluate(_BOXES, ".agglomap-town-label")}
        assert not log, log
    assert town["name"] in after, (town["name"], after)


def _hits(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _wait_for_names(page) -> None:
    """Town names are placed in the browser after load; wait for the first placement."""
    page.wait_for_function("document.documentElement.dataset.agglomapLabelsPlaced")


def test_thousands_of_towns_warn_about_the_page_size(recwarn, monkeypatch):
    monkeypatch.setattr(monocities_module, "MANY_TOWNS", 1_000)
    n = 1_001
    many = pd.DataFrame(
        {
            "id": [f"t{i}" for i in range(n)],
            "name": [f"Town {i}" for i in range(n)],
            "tdaa": 1.0,
            "tdaa_level": "low",
            "lat": np.linspace(42, 54, n),
            "lon": np.linspace(50, 85, n),
            "population": 5_000,
        }
    )
    empty = gpd.GeoDataFrame(geometry=[], crs=4326)
    kwargs = {"boundaries": empty, "corridors": empty, "rings_km": (), "show_links": False}
    with pytest.warns(MapWarning, match=r"1,001 towns .*up to 1,000.* static map \(PNG or SVG\)"):
        monocity_map(many, **kwargs)
    recwarn.clear()
    m = monocity_map(many.iloc[:1], **kwargs)
    assert not [w for w in recwarn if issubclass(w.category, MapWarning)]
    page = web.render_html(m)
    assert "1 town ·" in page and "1 towns" not in page


def test_assessed_towns_missing_from_the_map_are_named_in_a_warning(scores, recwarn):
    empty = gpd.GeoDataFrame(geometry=[], crs=4326)
    kwargs = {"boundaries": empty, "corridors": empty, "rings_km": (), "show_links": False}
    shown = scores[scores["id"] != "karazhal"]
    with pytest.warns(MapWarning) as caught:
        monocity_map(shown, assessment=default_assessment(), **kwargs)
    (message,) = [str(w.message) for w in caught if issubclass(w.category, MapWarning)]
    assert "Karazhal (karazhal)" in message
    assert "Balkhash" not in message and "Temirtau" not in message
    recwarn.clear()
    monocity_map(scores, assessment=default_assessment(), **kwargs)
    assert not [w for w in recwarn if issubclass(w.category, MapWarning)]


@pytest.mark.browser
def test_many_towns_share_one_canvas_and_hostile_names_stay_text(tmp_path):
    """Above CANVAS_FROM towns the circles are drawn on one canvas; popups are built on
    click from the data, and a town called <script>… is shown as text, never run."""
    from agglomap.maps.town_layer import CANVAS_FROM

    n = CANVAS_FROM + 200
    rng = np.random.default_rng(7)
    many = pd.DataFrame(
        {
            "id": [f"t{i}" for i in range(n)],
            "name": [EVIL if i == 0 else f"Town {i}" for i in range(n)],
            "tdaa": 1.0,
            "tdaa_level": "low",
            "lat": np.r_[41.0, rng.uniform(42, 54, n - 1)],  # town 0 apart: room for its name
            "lon": np.r_[60.0, rng.uniform(52, 82, n - 1)],
            "population": np.r_[900_000, rng.integers(500, 50_000, n - 1)],
        }
    )
    empty = gpd.GeoDataFrame(geometry=[], crs=4326)
    m = monocity_map(many, boundaries=empty, corridors=empty, rings_km=(), show_links=False)
    out = web.save_map(m, tmp_path / "many.html", sources=[])
    page_text = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page_text
    assert page_text.count('"Town 17"') == 1  # each name once: no per-town elements
    with open_html(out, wait_ms=0) as (page, log):
        _wait_for_names(page)
        assert page.locator("path.agglomap-town").count() == 0
        assert page.locator(".leaflet-agglomapTowns-pane canvas").count() == 1  # above the rest
        labels = {b[4] for b in page.evaluate(_BOXES, ".agglomap-town-label")}
        x, y = page.evaluate(
            "() => { const m = Object.values(window).find(v => v instanceof L.Map);"
            " const p = m.latLngToContainerPoint([41.0, 60.0]); return [p.x, p.y]; }"
        )
        page.mouse.click(x, y)
        heading = page.locator('.leaflet-popup-content [data-town-id="t0"] h3')
        heading.wait_for(timeout=5000)
        assert heading.inner_text() == EVIL
        assert not log.dialogs
        assert not log, log
    assert EVIL in labels and len(labels) >= 30
