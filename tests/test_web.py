"""Web-map machinery: self-contained pages, escaping, labels, simplification."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from agglomap import provenance
from agglomap.boundaries import country_outline, load_boundaries
from agglomap.errors import AgglomapError, InputError
from agglomap.export import sidecar_path
from agglomap.maps import web
from browser import open_html

NBSP = "\u00a0"
EVIL = '<script>alert(1)</script> "quoted" & <img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def oblasts(sources_dir):
    return load_boundaries("2018")


def _page(tmp_path, sources_dir, **kwargs):
    m = web.base_map(background=country_outline(), **kwargs)
    web.legend(EVIL, [("#1d91c0", EVIL), ("nodata", "No data")], note=EVIL).add_to(m)
    web.add_title(m, EVIL, subtitle=EVIL)
    web.add_attribution(m, [provenance.GEOKZ], extra=EVIL)
    return web.save_map(m, tmp_path / "page.html", sources=[provenance.GEOKZ])


def test_self_contained_page_has_no_external_links(tmp_path, sources_dir):
    out = _page(tmp_path, sources_dir)
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"?https?:", text)
    assert "Leaflet 1.9.4" in text  # inlined from django-js-lib-leaflet, not a CDN
    assert "url(images/" not in text  # leaflet.css images became data: URIs
    meta = json.loads(sidecar_path(out).read_text(encoding="utf-8"))
    assert [s["key"] for s in meta["sources"]] == ["geokz"]


def test_render_refuses_a_page_that_links_a_cdn():
    plain = folium.Map()  # folium's defaults pull Leaflet, jQuery, Bootstrap from CDNs
    with pytest.raises(AgglomapError, match="not self-contained"):
        web.render_html(plain)
    assert "cdn.jsdelivr.net" in web.render_html(plain, self_contained=False)


@pytest.mark.browser
def test_page_opens_offline_escaped_and_attributed(tmp_path, sources_dir):
    out = _page(tmp_path, sources_dir)
    with open_html(out) as (page, log):
        assert page.evaluate("L.version") == "1.9.4"
        assert not log, log
        assert log.blocked == []
        assert log.dialogs == []  # no injected script ran
        assert EVIL in page.locator(".agglomap-title").inner_text()
        assert EVIL in page.locator(".agglomap-legend").inner_text()
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        assert "geokz" in attribution and "CC BY 4.0" in attribution
        assert EVIL in attribution
        assert page.locator(".agglomap-legend .agglomap-nodata").count() == 1
        scale = page.locator(".leaflet-control-scale").inner_text()
        assert page.locator(".leaflet-control-scale-line").count() == 1  # metric only
        assert re.search(r"\d+ k?m$", scale.strip()) and "mi" not in scale


@pytest.mark.browser
def test_osm_tiles_are_credited_and_fetched_only_when_asked(tmp_path, sources_dir):
    out = _page(tmp_path, sources_dir, tiles="osm")
    with open_html(out) as (page, log):
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        assert "© OpenStreetMap contributors" in attribution
        assert any("tile.openstreetmap.org" in url for url in log.blocked)


def test_esc_and_formatting():
    assert web.esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert web.esc(None) == "" and web.esc(float("nan")) == ""
    assert web.format_value(8.7, "%", "en") == f"8.7{NBSP}%"
    assert web.format_value(8.7, "%", "ru") == f"8,7{NBSP}%"
    assert web.format_value(1927439.2, "mln tenge", "en") == f"1,927,439.2{NBSP}mln ₸"
    assert web.format_value(1927439.2, "mln tenge", "kk") == f"1{NBSP}927{NBSP}439,2{NBSP}млн ₸"
    assert web.format_value(28414, "count", "en") == "28,414"
    assert web.format_value(float("nan"), "%", "ru") == "Нет данных"


def test_labels_in_three_languages(oblasts):
    row = oblasts.set_index("region_id").loc["KZ-39"]
    assert web.label(row, "en") == "Kostanay Region"
    assert web.label(row, "ru") == "Костанайская область"
    assert web.label(row, "kk") == "Қостанай облысы"
    assert web.label({"name_en": "Only English", "name_kk": None}, "kk") == "Only English"
    # short forms for labels on the map
    assert [web.short_label(row, x) for x in ("en", "ru", "kk")] == [
        "Kostanay",
        "Костанайская",
        "Қостанай",
    ]
    abai = {"name_en": "Abai Region", "name_ru": "Область Абай", "name_kk": "Абай облысы"}
    assert [web.short_label(abai, x) for x in ("en", "ru", "kk")] == ["Abai", "Абай", "Абай"]
    assert web.short_label({"name_ru": "Астана"}, "ru") == "Астана"
    rows = oblasts.to_dict("records")
    shorts = dict(zip(oblasts["region_id"], web.short_labels(rows, "en"), strict=True))
    assert shorts["KZ-19"] == "Almaty Region" and shorts["KZ-75"] == "Almaty"  # not two Almaty
    assert shorts["KZ-39"] == "Kostanay" and len(set(shorts.values())) == len(shorts)
    with pytest.raises(InputError, match="'kk'"):
        web.check_lang("kz")


def test_simplify_keeps_a_valid_coverage_and_the_areas(oblasts):
    before = oblasts.geometry.values
    after = web.simplify_for_web(oblasts).geometry.values
    assert shapely.is_valid(after).all()
    n_before = shapely.get_num_coordinates(before).sum()
    n_after = shapely.get_num_coordinates(after).sum()
    assert n_after < 0.35 * n_before  # measured: 25 438 -> 6 297 vertices
    eq = "+proj=aea +lat_1=42 +lat_2=54 +lat_0=48 +lon_0=67 +datum=WGS84"
    a0 = np.asarray(oblasts.to_crs(eq).area)
    a1 = np.asarray(oblasts.set_geometry(after).to_crs(eq).area)
    assert np.allclose(a1, a0, rtol=0.01)  # each oblast keeps its area within 1 %
    # neighbours stay edge-matched: no overlaps, and the union has no new gaps
    union_before = shapely.union_all(before)
    union_after = shapely.union_all(after)
    overlap = shapely.area(after).sum() - shapely.area(union_after)
    assert overlap < 1e-6 * shapely.area(union_after)
    assert abs(shapely.area(union_after) - shapely.area(union_before)) < 0.005 * shapely.area(
        union_before
    )
    coords = shapely.get_coordinates(after)
    assert np.allclose(coords, np.round(coords, 4), atol=1e-12)
    size_before = len(oblasts[["region_id", "geometry"]].to_json())
    size_after = len(gpd.GeoDataFrame(oblasts[["region_id"]], geometry=after, crs=4326).to_json())
    assert size_after < 0.2 * size_before  # measured: 1.03 MB -> 0.13 MB of GeoJSON


def test_simplify_repairs_the_2022_layout_slivers(sources_dir):
    """geokz's 2024 oblasts overlap by slivers; the web copy is a clean coverage."""
    oblasts = load_boundaries("2022")
    assert not shapely.coverage_is_valid(oblasts.geometry.values)  # as published
    after = web.simplify_for_web(oblasts).geometry.values
    assert len(after) == 20 and shapely.is_valid(after).all()
    assert shapely.coverage_is_valid(after)


def test_linked_mode_uses_folium_cdn_copies(sources_dir):
    m = web.base_map(self_contained=False)
    text = web.render_html(m, self_contained=False)
    assert re.search(r'<script src="https://[^"]+leaflet[^"]*\.js"', text)
    assert "Leaflet 1.9.4" not in text


def _monocity_page(tmp_path, lang: str):
    """monocities.html as `agglomap run` writes it."""
    from agglomap.maps.monocities import map_sources, monocity_map
    from agglomap.pipeline import default_assessment, default_scores

    m = monocity_map(default_scores(), assessment=default_assessment(), lang=lang)
    return web.save_map(m, tmp_path / f"monocities_{lang}.html", sources=map_sources(True, None))


_OVERLAYS = """() => [...document.querySelectorAll('.leaflet-control, .agglomap-title')]
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0)
    .map(r => [Math.max(r.left, 0), Math.max(r.top, 0),
               Math.min(r.right, innerWidth), Math.min(r.bottom, innerHeight)])"""


def _covered(rects, w: int, h: int) -> float:
    grid = np.zeros((h, w), bool)
    for x0, y0, x1, y1 in rects:
        grid[int(y0) : int(y1), int(x0) : int(x1)] = True
    return float(grid.mean())


@pytest.mark.browser
def test_embedded_maps_keep_overlays_small(tmp_path, sources_dir):
    """In an 800 × 450 frame (a report's iframe) title, legend and layer list cover at most
    a fifth of both default maps; wide, the legend is open."""
    from agglomap.maps.choropleth import default_choropleth

    pages = [default_choropleth(tmp_path / "c", lang="ru")[0], _monocity_page(tmp_path, "ru")]
    for page_path in pages:
        with open_html(page_path, size=(800, 450), wait_ms=0) as (page, log):
            page.wait_for_function("document.body.classList.contains('agglomap-narrow')")
            share = _covered(page.evaluate(_OVERLAYS), 800, 450)
            folded = page.locator("details.agglomap-fold[open]").count()
            expanded = page.locator(".leaflet-control-layers-expanded").count()
            # the folded legend opens with a click
            page.locator("details.agglomap-fold summary").first.click()
            opened = page.locator("details.agglomap-fold[open]").count()
            assert not log, log
        assert share <= 0.20, (page_path.name, share)
        assert folded == 0 and expanded == 0 and opened == 1
        with open_html(page_path, size=(1366, 768), wait_ms=0) as (page, log):
            page.wait_for_load_state("load")
            assert page.locator("details.agglomap-fold[open]").count() >= 1
            assert not page.evaluate("document.body.classList.contains('agglomap-narrow')")


@pytest.mark.browser
def test_no_focus_frame_after_a_click_and_no_title_over_a_popup(tmp_path, sources_dir):
    path = _monocity_page(tmp_path, "en")
    with open_html(path, wait_ms=0) as (page, log):
        page.locator("path.agglomap-town-temirtau").click(force=True)
        page.locator(".leaflet-popup-content").wait_for()
        outlines = page.evaluate(
            "() => [document.activeElement, document.querySelector('.leaflet-container')]"
            ".map(e => getComputedStyle(e).outlineStyle)"
        )
        title = page.evaluate(
            "getComputedStyle(document.querySelector('.agglomap-title')).visibility"
        )
        page.locator(".leaflet-popup-close-button").click()
        page.wait_for_function(
            "getComputedStyle(document.querySelector('.agglomap-title')).visibility === 'visible'"
        )
        assert not log, log
    assert outlines == ["none", "none"]
    assert title == "hidden"
