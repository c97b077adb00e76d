"""Static report maps: resolution, searchable SVG text, a truthful scale bar, atomic writes."""

from __future__ import annotations

import json
import math
import re
import warnings
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image
from pyproj import Geod, Proj, Transformer

from agglomap.boundaries import load_boundaries
from agglomap.errors import InputError
from agglomap.i18n import t as word
from agglomap.maps import static, web
from agglomap.maps.choropleth import class_labels, classify
from agglomap.provenance import GEOKZ

GEOD = Geod(ellps="WGS84")
TO_LONLAT = Transformer.from_crs(static.PROJECTION, "EPSG:4326", always_xy=True)
TO_XY = Transformer.from_crs("EPSG:4326", static.PROJECTION, always_xy=True)
TITLE = "Area of oblasts, 2022 layout"


@pytest.fixture(scope="module")
def oblasts(sources_dir):
    return load_boundaries("2022")


def _choropleth_file(gdf, column, out, *, dpi=200, **kwargs):
    """static_choropleth's Figure saved as a user would: save_figure(fig, out)."""
    return static.save_figure(static.static_choropleth(gdf, column, **kwargs), out, dpi=dpi)


def _monocity_file(scores, out, **kwargs):
    return static.save_figure(static.static_monocity_map(scores, **kwargs), out)


def _svg_text(path) -> str:
    root = ET.parse(path).getroot()  # raises if the SVG is not well-formed XML
    return " ".join("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text"))


def test_png_has_the_requested_resolution(oblasts, tmp_path):
    out = _choropleth_file(
        oblasts, "area_km2", tmp_path / "area.png", title=TITLE, unit="km²", dpi=200
    )
    with Image.open(out) as img:
        assert img.format == "PNG"
        dpi = img.info["dpi"]
        assert round(dpi[0]) == 200 and round(dpi[1]) == 200
        assert img.size == (12 * 200, round(6.6 * 200))
    sidecar = json.loads((tmp_path / "area.png.sources.json").read_text(encoding="utf-8"))
    assert [s["key"] for s in sidecar["sources"]] == ["geokz"]


def test_svg_is_xml_with_title_legend_and_attribution_as_text(oblasts, tmp_path):
    frame = oblasts.copy()
    frame.loc[frame["region_id"] == "KZ-62", "area_km2"] = float("nan")
    out = _choropleth_file(
        frame, "area_km2", tmp_path / "area.svg", title=TITLE, unit="km²", lang="ru", k=4
    )
    text = _svg_text(out)
    assert TITLE in text
    assert GEOKZ.credit("ru") == "Границы: geokz, A. Rodionov, CC BY 4.0"
    assert GEOKZ.credit("ru") in text  # attribution in Russian, licence name verbatim
    # oblast names in the chosen language, each with its value (web map's number format)
    karaganda = frame.set_index("region_id").loc["KZ-35", "area_km2"]
    assert f"Карагандинская {web.format_number(karaganda, 'ru', 1)}" in text
    assert "нет данных" in text  # the region without a value is shown as such
    assert "Классификация: квантили, классов: 4" in text
    assert "Проекция: равновеликая коническая Альберса" in text
    assert "км" in text  # scale bar unit
    assert not re.search(r"Boundaries|Projection|Quantiles|quantiles", text)  # nothing English


def test_nice_km_picks_1_2_5_steps():
    assert static.nice_km(1234) == 1000
    assert static.nice_km(340) == 200
    assert static.nice_km(499.9) == 200
    assert static.nice_km(500) == 500
    assert static.nice_km(0.7) == 0.5
    with pytest.raises(ValueError):
        static.nice_km(0)


@pytest.mark.parametrize(("lon", "lat"), [(67.0, 48.0), (52.0, 42.0), (82.0, 54.5)])
def test_scale_bar_length_is_geodesic(lon, lat):
    x, y = TO_XY.transform(lon, lat)
    length = static.scale_bar_metres(500, x, y)
    lons, lats = TO_LONLAT.transform([x, x + length], [y, y])
    _, _, dist = GEOD.inv(lons[0], lats[0], lons[1], lats[1])
    assert dist == pytest.approx(500_000, abs=1.0)


def test_scale_bar_follows_the_projection_scale_factor():
    # On the central meridian a horizontal bar runs along the parallel; its projected
    # length is ground length × pyproj's parallel scale factor (under 1 between the
    # standard parallels 42° and 54° N, over 1 outside them).
    for lat in (48.0, 41.0):
        x, y = TO_XY.transform(67.0, lat)
        k = Proj(static.PROJECTION).get_factors(67.0, lat).parallel_scale
        assert static.scale_bar_metres(100, x, y) == pytest.approx(100_000 * k, rel=2e-4)
    x, y = TO_XY.transform(67.0, 48.0)
    assert static.scale_bar_metres(100, x, y) < 99_600  # the correction is not a no-op


def test_drawn_scale_bar_label_matches_its_length(oblasts):
    fig = Figure(figsize=(11, 7.2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    oblasts.to_crs(static.PROJECTION).plot(ax=ax)
    km = static.draw_scale_bar(ax)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 2
    x0 = min(b.get_x() for b in bars)
    x1 = max(b.get_x() + b.get_width() for b in bars)
    y = bars[0].get_y()
    lons, lats = TO_LONLAT.transform([x0, x1], [y, y])
    _, _, dist = GEOD.inv(lons[0], lats[0], lons[1], lats[1])
    assert dist / 1000 == pytest.approx(km, rel=1e-4)
    labels = [t.get_text() for t in ax.texts]
    assert f"{km:g} km" in labels
    assert km == 500  # a fifth of Kazakhstan's ~3 000 km width, rounded to 1-2-5


def test_north_arrow_points_to_true_north():
    x, y = TO_XY.transform(67.0, 50.0)  # central meridian: straight up
    dx, dy = static.north_vector(x, y)
    assert dx == pytest.approx(0, abs=1e-9) and dy == pytest.approx(1)
    for lon in (50.0, 85.0):
        x, y = TO_XY.transform(lon, 50.0)
        dx, dy = static.north_vector(x, y)
        tilt = math.degrees(math.atan2(-dx, dy))  # counter-clockwise from up
        conv = Proj(static.PROJECTION).get_factors(lon, 50.0).meridian_convergence
        assert abs(tilt) == pytest.approx(abs(conv), abs=0.05)
        assert abs(tilt) > 10  # meridians converge ~0.74° per degree of longitude
        assert (tilt > 0) == (lon > 67)  # east of 67° E north leans left


def test_failed_render_leaves_no_partial_file(oblasts, tmp_path, monkeypatch):
    out = tmp_path / "map.png"
    out.write_bytes(b"previous map")

    def broken(self, fname, **kwargs):
        with open(fname, "wb") as f:
            f.write(b"\x89PNG half")
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(RuntimeError):
        _choropleth_file(oblasts, "area_km2", out, title=TITLE)
    assert out.read_bytes() == b"previous map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


def test_bad_requests_are_input_errors(oblasts, tmp_path):
    with pytest.raises(InputError, match="use .png or .svg"):
        _choropleth_file(oblasts, "area_km2", tmp_path / "map.jpg")
    with pytest.raises(InputError, match="no column .areakm2.*did you mean area_km2") as err:
        _choropleth_file(oblasts, "areakm2", tmp_path / "map.png")
    assert "area_km2" in str(err.value)
    with pytest.raises(InputError, match="language"):
        _choropleth_file(oblasts, "area_km2", tmp_path / "map.png", lang="de")
    assert not list(tmp_path.iterdir())


def test_index_lists_files_with_links_sizes_and_escaped_text(oblasts, tmp_path):
    from agglomap.maps.index import write_index

    png = _choropleth_file(oblasts, "area_km2", tmp_path / "maps" / "area map.png")
    table = tmp_path / "scores.csv"
    table.write_text("id,tdaa\ntemirtau,17.3\n", encoding="utf-8")
    out = write_index(
        tmp_path,
        [(png, "Oblast areas <b>2022</b> & more"), ("scores.csv", "TDaa scores")],
    )
    page = out.read_text(encoding="utf-8")
    assert out == tmp_path / "index.html"
    assert 'href="maps/area%20map.png"' in page
    assert 'href="maps/area%20map.png.sources.json">sources' in page
    assert "Oblast areas &lt;b&gt;2022&lt;/b&gt; &amp; more" in page
    assert "<b>" not in page
    assert ">22 B<" in page  # size of scores.csv
    assert "http" not in page and "<script" not in page and "src=" not in page
    assert page.count("<tr><td>") == 2
    with pytest.raises(InputError, match="no such file"):
        write_index(tmp_path, [("missing.html", "x")])
    assert "<th>file</th><th>what it is</th><th>size</th>" in page
    assert "<title>agglomap outputs</title>" in page and '<html lang="en">' in page
    ru = write_index(tmp_path, [("scores.csv", "Оценки TDaa")], lang="ru").read_text("utf-8")
    assert '<html lang="ru">' in ru and "<title>Результаты agglomap</title>" in ru
    assert "<th>файл</th><th>описание</th><th>размер</th>" in ru
    assert "Файлов: 1 · создано" in ru and "Оценки TDaa" in ru
    assert ">22 Б<" in ru  # the size unit in the page's language
    kk = write_index(tmp_path, [(png, "x")], lang="kk").read_text("utf-8")
    assert re.search(r'class="size">\d+,\d КБ<', kk) and "KB" not in kk
    assert re.search(r'class="size">\d+\.\d KB<', page)
    with pytest.raises(InputError, match="expected one of kk, ru, en"):
        write_index(tmp_path, [("scores.csv", "x")], lang="kz")


def test_static_monocity_map_labels_every_town(oblasts, tmp_path):
    from agglomap.agglomeration import score_towns
    from agglomap.corridors import load_corridors
    from agglomap.gazetteer import monocities

    scores = score_towns(monocities())
    out = _monocity_file(
        scores, tmp_path / "mono.svg", corridors=load_corridors(), boundaries=oblasts, lang="ru"
    )
    text = _svg_text(out)
    for name in monocities()["name_ru"]:
        assert name in text
    for level in ("низкий", "средний", "выше среднего", "высокий", "железная дорога"):
        assert level in text
    assert "Агломерационный потенциал моногородов (TDaa)" in text
    assert "500 км" in text
    with pytest.raises(InputError, match="tdaa_level"):
        _monocity_file(scores.drop(columns="tdaa_level"), tmp_path / "x.png")


def _svg_fills(path) -> set[str]:
    return {m.lower() for m in re.findall(r"fill:\s*(#[0-9a-fA-F]{6})", path.read_text("utf-8"))}


def test_static_choropleth_has_the_web_maps_classes_colours_and_legend(oblasts, tmp_path):
    values = oblasts["area_km2"]
    out = _choropleth_file(oblasts, "area_km2", tmp_path / "a.svg", unit="km²")
    c = classify(values, "quantiles", 5)
    fills = _svg_fills(out)
    assert set(c.colours) <= fills  # YlGnBu, as on the web map (was YlOrRd)
    text = _svg_text(out)
    for label in class_labels(c, "km²", "en"):
        assert label.replace("\u00a0", " ") in text.replace("\u00a0", " ")
    # diverging colours around a centre, and user-defined bins, as on the web map
    mid = float(values.median())
    out = _choropleth_file(oblasts, "area_km2", tmp_path / "d.svg", diverging=True, center=mid, k=4)
    div = classify(values, "quantiles", 4, diverging=True, center=mid)
    assert set(div.colours) <= _svg_fills(out)
    out = _choropleth_file(
        oblasts, "area_km2", tmp_path / "u.svg", scheme="user_defined", bins=[1e5, 2e5, 8e5]
    )
    user = classify(values, "user_defined", bins=[1e5, 2e5, 8e5])
    assert set(user.colours) <= _svg_fills(out) and user.k == 3
    assert "Classification: user-defined breaks, 3 classes" in _svg_text(out)


def test_static_legend_does_not_repeat_the_unit(oblasts, tmp_path):
    frame = oblasts.assign(urban=np.linspace(30.0, 90.0, len(oblasts)))
    title = "Доля городского населения, %"
    out = _choropleth_file(frame, "urban", tmp_path / "u.svg", title=title, unit="%", lang="ru")
    text = _svg_text(out)
    assert ", %, %" not in text and "%, %" not in text
    assert text.count(title) == 2  # the map title and the legend title
    out = _choropleth_file(
        frame, "urban", tmp_path / "v.svg", title="Доля городского населения", unit="%"
    )
    assert "Доля городского населения, %" in _svg_text(out)


def test_static_monocity_map_keeps_oblast_names_off_town_names(oblasts):
    from agglomap.agglomeration import score_towns
    from agglomap.corridors import load_corridors
    from agglomap.gazetteer import monocities

    scores = score_towns(monocities())
    for lang in ("ru", "en"):
        fig = static.static_monocity_map(
            scores, corridors=load_corridors(), boundaries=oblasts, lang=lang
        )
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        towns = {a.get_text(): a.get_window_extent(renderer) for a in ax.texts if a.zorder == 8}
        regions = {a.get_text(): a.get_window_extent(renderer) for a in ax.texts if a.zorder == 5}
        assert set(static.town_names(scores, lang)) <= set(towns)
        assert len(regions) >= 12  # most oblasts keep their name
        clashes = [
            (r, t) for r, rb in regions.items() for t, tb in towns.items() if rb.overlaps(tb)
        ]
        assert not clashes, clashes  # e.g. Satpayev over "Ulytau", Kentau over "Turkistan"
        words = " ".join(fig.texts[i].get_text() for i in range(len(fig.texts)))
        if lang == "ru":
            assert "Проекция" in words and "Границы: geokz" in words
            assert "Projection" not in words and "Boundaries" not in words


def _town_figure(oblasts, lang):
    from agglomap.agglomeration import score_towns
    from agglomap.corridors import load_corridors
    from agglomap.gazetteer import monocities

    scores = score_towns(monocities())
    fig = static.static_monocity_map(
        scores, corridors=load_corridors(), boundaries=oblasts, lang=lang
    )
    return scores, fig


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_static_town_names_overlap_no_name_and_no_large_city(oblasts, lang):
    """Saran, Abai and Shakhtinsk once collided around Karaganda, Tekeli sat under the
    Taldykorgan marker."""
    scores, fig = _town_figure(oblasts, lang)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    names = [a for a in ax.texts if a.zorder in (7.5, 8)]  # large cities, towns
    fig.canvas.draw()
    for a in names:  # the text's own box (an annotation's extent includes its leader line)
        a.update_positions(renderer)
    boxes = {a.get_text(): Text.get_window_extent(a, renderer) for a in names}
    assert len(boxes) == len(names)
    towns = [a.get_text() for a in names if a.zorder == 8]
    assert sorted(towns) == sorted(static.town_names(scores, lang))  # every town named
    clashes = [(a, b) for a in boxes for b in boxes if a < b and boxes[a].overlaps(boxes[b])]
    assert not clashes, clashes
    (cities,) = [c for c in ax.collections if c.get_gid() == "large-city"]
    centres = ax.transData.transform(cities.get_offsets())
    half = math.sqrt(cities.get_sizes()[0]) / 2 * fig.dpi / 72
    assert len(centres) >= 5
    hits = [
        (name, tuple(c))
        for name, box in boxes.items()
        for c in centres
        if box.x0 < c[0] + half
        and c[0] - half < box.x1
        and box.y0 < c[1] + half
        and c[1] - half < box.y1
    ]
    assert not hits, hits
    taldykorgan = "Талдыкорган" if lang == "ru" else "Taldykorgan"
    assert taldykorgan in boxes  # the large city is drawn and named
    legend = " ".join(x.get_text() for leg in ax.findobj(Legend) for x in leg.get_texts())
    assert word("road_and_rail", lang) in legend  # the shared road-and-rail style


def test_thousands_of_towns_name_only_what_fits(oblasts, tmp_path):
    n = 3_000
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(52, 82, n), rng.uniform(43, 52, n)
    names = [str(10_754_966_258 + i) for i in range(n)]  # OSM ids where OSM has no name
    for i in range(0, n, 3):
        names[i] = f"Town {i}"
    names[1] = "北京"  # no glyph in DejaVu Sans: the Latin name instead
    frame = gpd.GeoDataFrame(
        {
            "id": [f"t{i}" for i in range(n)],
            "name": names,
            "name_en": ["Beijing" if i == 1 else None for i in range(n)],
            "tdaa": np.where(np.arange(n) == 1, 20.0, rng.uniform(0, 15, n)),
            "tdaa_level": "low",
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = _monocity_file(frame, tmp_path / "many.svg", boundaries=oblasts)
    assert not [w for w in caught if "Glyph" in str(w.message)]
    text = _svg_text(out)
    shown = re.findall(r"Town \d+|Beijing|北京|\d{11}", text)
    assert "Beijing" in shown and "北京" not in text
    assert not [s for s in shown if s.isdigit()]
    assert 20 <= len(shown) <= static.MAX_LABELS
    assert f"Named: {len(shown)} of 3000 towns, those with the highest TDaa" in text
    fig = static.static_monocity_map(frame, boundaries=oblasts)
    (dots,) = [c for c in fig.axes[0].collections if c.get_offsets().shape[0] == n]
    assert dots.get_sizes().max() < static.marker_area(50_000) / 5  # dots, not a blot


def test_static_maps_return_figures_and_write_nothing(oblasts, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = static.static_choropleth(oblasts, "area_km2", unit="km²")
    assert isinstance(fig, Figure) and list(tmp_path.iterdir()) == []
    assert [s.key for s in fig.agglomap_sources] == ["geokz"]  # save_figure's sidecar default
    out = static.save_figure(fig, "area.png")
    assert out.is_file() and (tmp_path / "area.png.sources.json").is_file()
