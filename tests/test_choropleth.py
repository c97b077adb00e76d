"""Choropleth maps: the default innovation map (the innovation paper's figure 1) and user tables."""

from __future__ import annotations

import json
import re
import warnings

import mapclassify
import matplotlib.colors
import matplotlib.image
import numpy as np
import pytest

from agglomap.boundaries import load_boundaries
from agglomap.cli import main
from agglomap.errors import InputError
from agglomap.export import sidecar_path
from agglomap.indicators import default_indicators, join
from agglomap.maps.choropleth import choropleth_layers, class_labels, classify, default_choropleth
from agglomap.maps.web import save_map
from browser import open_html, screenshot

IDS_2018 = {
    "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-35", "KZ-39", "KZ-43",
    "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-63", "KZ-71", "KZ-75", "KZ-79",
}  # fmt: skip
SHARE = "innovative_share_grp_pct"
EVIL_TITLE = '<img src=x onerror=alert(3)> "T"'
EVIL_COLUMN = 'Share <script>alert(1)</script> "x", %'


@pytest.fixture(scope="module")
def maps(tmp_path_factory, sources_dir):
    out = tmp_path_factory.mktemp("choropleth")
    return {lang: default_choropleth(out / lang, lang=lang)[0] for lang in ("en", "ru")}


@pytest.fixture(scope="module")
def joined(sources_dir):
    gdf, report = join(default_indicators(), load_boundaries("2018"))
    assert report.ok
    return gdf


def _fills(page) -> dict[str, str]:
    return page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('path[data-region-id]')]"
        ".map(p => [p.dataset.regionId, p.getAttribute('fill')]))"
    )


@pytest.mark.browser
def test_default_map_offline_with_17_regions_coloured_as_mapclassify(maps, joined):
    c = mapclassify.Quantiles(joined[SHARE].to_numpy(), k=5)
    mine = classify(joined[SHARE], "quantiles", 5)
    with open_html(maps["en"]) as (page, log):
        assert not log, log
        assert log.blocked == []  # nothing was even requested from the network
        fills = _fills(page)
        assert set(fills) == IDS_2018
        assert page.locator("path.agglomap-region").count() == 17
        expected = {
            rid: mine.colours[cls] for rid, cls in zip(joined["region_id"], c.yb, strict=True)
        }
        assert fills == expected
        legend = page.locator(".agglomap-legend").inner_text()
        labels = page.locator(".agglomap-value").all_inner_texts()
    assert np.array_equal(mine.bins, c.bins)
    assert sorted(labels) == sorted(f"{v:.1f}" for v in joined[SHARE])  # one value per region
    # legend: k class ranges with the unit, built from mapclassify's break values, printed
    # exactly (the quantile breaks 0.36 and 1.78 are not rounded to 0.4 and 1.8)
    assert legend.count("%") == 5
    assert "0.10 – 0.36\u00a0%" in legend and "1.20 – 1.78\u00a0%" in legend
    assert f"1.78 – {max(c.bins):.2f}\u00a0%" in legend  # top class ends at Kostanay's 8.7
    assert "quantiles, 5 classes" in legend
    _assert_values_inside_their_printed_classes(legend, joined[SHARE], mine, ".", "")


def _limits(legend: str, decimal: str, group: str) -> list[tuple[float, float]]:
    """(lower, upper) of each class row "a – b %" of a legend's text."""
    number = r"-?[\d\u00a0,.]+"
    rows = re.findall(rf"({number}) – ({number})\u00a0%", legend)

    def num(text: str) -> float:
        return float(text.replace(group, "").replace("\u00a0", "").replace(decimal, "."))

    return [(num(lo), num(hi)) for lo, hi in rows]


def _assert_values_inside_their_printed_classes(legend, values, c, decimal, group) -> None:
    """Each region's value lies in its own class's printed range (lower < v ≤ upper; the
    first class lower ≤ v) and in no other class's range."""
    limits = _limits(legend, decimal, group)
    assert len(limits) == c.k
    for v, cls in zip(values, c.yb, strict=True):
        inside = [
            i for i, (lo, hi) in enumerate(limits) if (lo <= v if i == 0 else lo < v) and v <= hi
        ]
        assert inside == [cls], (v, cls, limits)


@pytest.mark.browser
def test_russian_map_speaks_russian_and_labels_every_region(maps, joined):
    ru = classify(joined["innovation_activity_pct"], "quantiles", 5)
    with open_html(maps["ru"]) as (page, log):
        assert not log, log
        legend = page.locator(".agglomap-legend").inner_text()
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        scale = page.locator(".leaflet-control-scale").inner_text()
        names = page.locator(".agglomap-name").all_inner_texts()
        boxes = page.evaluate(
            "[...document.querySelectorAll('.agglomap-label')].map(e => {"
            "const r = e.getBoundingClientRect(); return [e.innerText, r.left, r.top, r.right,"
            " r.bottom]; })"
        )
        dots = page.evaluate(
            "Object.fromEntries(['KZ-71', 'KZ-75', 'KZ-79'].map(id => {"
            'const r = document.querySelector(`path[data-region-id="${id}"]`)'
            ".getBoundingClientRect(); return [id, [r.left, r.top, r.right, r.bottom]]; }))"
        )
        page.locator(".leaflet-control-layers-base label").nth(1).click()
        page.wait_for_timeout(200)
        legend2 = page.locator(".agglomap-legend").inner_text()
    assert "Классификация: квантили, классов: 5" in legend
    _assert_values_inside_their_printed_classes(
        legend, joined[SHARE], classify(joined[SHARE]), ",", " "
    )
    _assert_values_inside_their_printed_classes(
        legend2, joined["innovation_activity_pct"], ru, ",", " "
    )
    assert "Границы: geokz, A. Rodionov, CC BY 4.0" in attribution
    assert "Показатели: Бюро национальной статистики РК, 2021" in attribution
    assert not re.search(r"Boundaries|Indicators|Bureau", attribution)
    assert "км" in scale and "mi" not in scale and "ft" not in scale  # metric only, in Russian
    assert page_count(names, "Костанайская") == 1 and page_count(names, "Астана") == 1
    assert len(names) == 17 and all(n.strip() for n in names)  # every region named
    # no two labels overlap, and no city-region's label sits on the city itself
    for i, (a, *ra) in enumerate(boxes):
        for b, *rb in boxes[i + 1 :]:
            assert not _overlap(ra, rb), (a, b)
        for rid, dot in dots.items():
            assert not _overlap(ra, dot), (a, rid)


def page_count(texts: list[str], word: str) -> int:
    return sum(word in t for t in texts)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "value", "name"), [("en", "8.7", "Kostanay Region"), ("ru", "8,7", "Костанайская")]
)
def test_hovering_kostanay_shows_name_and_share(maps, lang, value, name):
    with open_html(maps[lang]) as (page, log):
        page.locator('path[data-region-id="KZ-39"]').hover()
        tip = page.locator(".leaflet-tooltip").inner_text()
        assert not log, log
    assert name in tip and f"{value}\u00a0%" in tip


@pytest.mark.browser
def test_layer_switcher_swaps_map_and_legend(maps, joined):
    with open_html(maps["en"]) as (page, _log):
        assert page.locator(".agglomap-legend").count() == 1
        page.locator(".leaflet-control-layers-base label").nth(1).click()
        page.wait_for_timeout(200)
        legends = page.locator(".agglomap-legend").all_inner_texts()
        page.locator('path[data-region-id="KZ-63"]').hover()
        tip = page.locator(".leaflet-tooltip").inner_text()
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        assert page.locator("path.agglomap-region").count() == 17
    assert len(legends) == 1 and "innovation activity" in legends[0]
    assert "14.9\u00a0%" in tip  # East Kazakhstan's innovation activity level
    assert "geokz" in attribution and "CC BY 4.0" in attribution
    assert "Bureau of National Statistics" in attribution


def test_default_map_size_and_sidecar(maps):
    size = maps["en"].stat().st_size
    assert size < 600_000  # measured 472 KB: 2 layers x 17 simplified regions + Leaflet
    meta = json.loads(sidecar_path(maps["en"]).read_text(encoding="utf-8"))
    assert [s["key"] for s in meta["sources"]] == ["geokz", "innovation_2021"]


@pytest.mark.browser
def test_screenshot_shows_the_class_colours(maps, joined, tmp_path):
    png = screenshot(maps["en"], tmp_path / "map.png")
    pixels = matplotlib.image.imread(png)[..., :3].reshape(-1, 3)
    top = np.array(matplotlib.colors.to_rgb(classify(joined[SHARE]).colours[-1]))
    top = 0.9 * top + 0.1 * np.array(matplotlib.colors.to_rgb("#eef2f5"))  # fill opacity 0.9
    share = np.mean(np.all(np.abs(pixels - top) < 0.02, axis=1))
    assert share > 0.03  # Kostanay, East Kazakhstan, Zhambyl, Aktobe... in the top class


def test_classification_schemes_match_mapclassify(joined):
    y = joined["innovation_activity_pct"].to_numpy()
    for scheme, ref in [
        ("fisher_jenks", mapclassify.FisherJenks(y, k=4)),
        ("equal_interval", mapclassify.EqualInterval(y, k=4)),
        ("maximum_breaks", mapclassify.MaximumBreaks(y, k=4)),
    ]:
        assert np.allclose(classify(y, scheme, 4).bins, ref.bins)
    user = classify(y, "user_defined", bins=[5, 10, 15])
    assert user.bins.tolist() == [5, 10, 15] and user.counts.tolist() == [1, 8, 8]
    assert class_labels(user, "%", "ru")[0] == "3,4 – 5,0\u00a0%"
    share = joined[SHARE].to_numpy()  # skewed: mean - 2 sd < 0, so the lowest class is empty
    std = classify(share, "std_mean")
    assert np.allclose(std.bins, mapclassify.StdMean(share).bins)
    assert class_labels(std, "%")[0] == f"≤ {std.bins[0]:.1f}\u00a0%" and std.counts[0] == 0
    with pytest.raises(InputError, match="'YlGnBu'"):
        classify(y, cmap="YlGnBU")
    with pytest.raises(InputError, match="fisher_jenks"):
        classify(y, "fisher-jenks")
    diverging = classify(y, "user_defined", bins=[8, 10, 12, 15], diverging=True, center=10)
    reds = [matplotlib.colors.to_rgb(c) for c in diverging.colours]
    assert reds[0][0] > reds[0][2] and reds[-1][2] > reds[-1][0]  # red below 10, blue above


@pytest.mark.browser
def test_user_table_text_is_escaped_and_missing_regions_hatched(tmp_path):
    table = tmp_path / "evil.csv"
    table.write_text(
        f"Region;{EVIL_COLUMN};note\n"
        "Костанайская область;8,7;a\nAkmola;0,9;b\nAktobe Region;1,7;c\n",
        encoding="utf-8",
    )
    out = tmp_path / "evil.html"
    argv = ["choropleth", "--indicators", str(table), "--column", EVIL_COLUMN, "--k", "3"]
    assert main([*argv, "--title", EVIL_TITLE, "--unit", "<b>%</b>", "--out", str(out)]) == 0
    with open_html(out) as (page, log):
        page.locator('path[data-region-id="KZ-39"]').hover()
        tip = page.locator(".leaflet-tooltip").inner_text()
        title = page.locator(".agglomap-title").inner_text()
        legend = page.locator(".agglomap-legend").inner_text()
        fills = _fills(page)
        labels = page.locator(".agglomap-value").all_inner_texts()
        assert not log and log.dialogs == [] and log.blocked == []
    assert title == EVIL_TITLE and EVIL_TITLE in tip and "8.70\u00a0<b>%</b>" in tip
    assert "No data" in legend and sorted(labels) == ["0.90", "1.70", "8.70"]
    assert sum(f == "url(#agglomap-nodata-hatch)" for f in fills.values()) == 14
    # the column name from the file reaches the map only escaped (default title)
    out2 = tmp_path / "evil2.html"
    assert main([*argv, "--out", str(out2)]) == 0
    text = out2.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text


def test_wrong_column_names_the_file_and_the_closest_columns(capsys):
    code = main(["choropleth", "--column", "innovative_share_grp_pc", "--out", "x.html"])
    err = capsys.readouterr().err
    assert code == 2
    assert "'innovative_share_grp_pc'" in err and "did you mean 'innovative_share_grp_pct'" in err


def test_png_output_goes_through_the_static_renderer(tmp_path, joined):
    out = tmp_path / "share.png"
    assert main(["choropleth", "--column", SHARE, "--lang", "ru", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sidecar_path(out).exists()
    # --diverging/--center and user_defined --bins reach the static renderer too
    svg = tmp_path / "div.svg"
    argv = ["choropleth", "--column", "innovation_activity_pct", "--out", str(svg)]
    assert main([*argv, "--scheme", "user_defined", "--bins", "8,10,12,15", "--diverging",
                 "--center", "10"]) == 0  # fmt: skip
    page = svg.read_text(encoding="utf-8")
    y = joined["innovation_activity_pct"]
    c = classify(y, "user_defined", bins=[8, 10, 12, 15], diverging=True, center=10)
    for colour in c.colours:  # RdBu around 10, as on the web map
        assert f"fill: {colour}" in page
    assert "8.0 – 10.0" in page


def test_html_and_png_share_the_default_palette(joined, tmp_path):
    from agglomap.maps.static import save_figure, static_choropleth

    svg = save_figure(static_choropleth(joined, SHARE, unit="%"), tmp_path / "s.svg")
    page = svg.read_text(encoding="utf-8")
    colours = classify(joined[SHARE]).colours
    assert colours[-1] == matplotlib.colors.to_hex(matplotlib.colormaps["YlGnBu"](0.92))
    for colour in colours:
        assert f"fill: {colour}" in page
    for label in class_labels(classify(joined[SHARE]), "%"):
        assert label in page  # the same legend rows as the web map


@pytest.mark.browser
def test_layer_names_and_label_column_are_escaped(joined, tmp_path):
    gdf = joined.assign(shown=joined["name_en"] + ' <img src=x onerror=alert(4)> "')
    m = choropleth_layers(
        gdf,
        [SHARE, "innovation_activity_pct"],
        titles={SHARE: EVIL_TITLE, "innovation_activity_pct": EVIL_COLUMN},
        units={SHARE: "%", "innovation_activity_pct": "%"},
        label_column="shown",
        title=EVIL_COLUMN,
    )
    out = save_map(m, tmp_path / "layers.html", sources=m.agglomap_sources)
    with open_html(out) as (page, log):
        names = page.locator(".leaflet-control-layers-base label").all_inner_texts()
        page.locator('path[data-region-id="KZ-39"]').hover()
        tip = page.locator(".leaflet-tooltip").inner_text()
        assert not log and log.dialogs == [] and log.blocked == []
    assert [n.strip() for n in names] == [EVIL_TITLE, EVIL_COLUMN]
    assert 'Kostanay Region <img src=x onerror=alert(4)> "' in tip


def test_column_given_by_its_first_words_is_suggested_in_full(tmp_path, capsys):
    """Published headers carry units after a comma; the short form leads to the full one."""
    table = tmp_path / "kk.csv"
    table.write_text(
        'Өңір;"ЖӨӨ, млн. теңге";"Халық саны, адам"\nАқмола облысы;1 927 439,20;738 587\n',
        encoding="utf-8",
    )
    code = main(
        [
            "choropleth",
            "--indicators",
            str(table),
            "--column",
            "ЖӨӨ",
            "--out",
            str(tmp_path / "m.html"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "did you mean 'ЖӨӨ, млн. теңге'" in err and "kk.csv" in err
    assert not (tmp_path / "m.html").exists()


def test_counts_get_whole_number_class_limits(joined):
    """Whole-number data (enterprises) get whole-number limits, each region still inside its
    own printed class and no other (was "1 000,0 – 1 118,4")."""
    rng = np.random.default_rng(11)
    counts = rng.integers(1_000, 9_000, len(joined)).astype(float)
    number = r"[\d\u00a0]+"
    for scheme in ("quantiles", "equal_interval", "fisher_jenks", "natural_breaks"):
        c = classify(counts, scheme, 5)
        labels = class_labels(c, "count", "ru")
        assert all(re.fullmatch(rf"{number} – {number}", x) for x in labels), labels
        legend = " | ".join(f"{x}\u00a0%" for x in labels)  # the helper's row format
        _assert_values_inside_their_printed_classes(legend, counts, c, ",", "\u00a0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mapclassify: numba missing
            reference = mapclassify.classify(counts, scheme, k=5)
        assert (c.yb == reference.yb).all()
    unit = "тыс. тенге"  # the user's own unit is printed as given
    assert class_labels(classify(counts), unit, "ru")[0].endswith("\u00a0тыс. тенге")


def test_an_empty_column_is_named_as_empty(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("region,v,w\nAkmola,1,\nAktobe,2,\n", encoding="utf-8")
    code = main(
        [
            "choropleth",
            "--indicators",
            str(table),
            "--column",
            "w",
            "--out",
            str(tmp_path / "m.html"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "column 'w' is empty" in err
    assert not (tmp_path / "m.html").exists()


@pytest.mark.browser
def test_2018_data_on_2022_boundaries_says_so_on_the_map(tmp_path, sources_dir, capsys):
    out = tmp_path / "on2022.html"
    argv = ["--sources", str(sources_dir), "choropleth", "--column", SHARE, "--lang", "ru"]
    assert main([*argv, "--vintage", "2022", "--out", str(out)]) == 0
    capsys.readouterr()
    with open_html(out, wait_ms=0) as (page, log):
        notice = page.locator(".agglomap-notice").inner_text()
        assert not log, log
    assert "2018" in notice and "2022" in notice and "границах" in notice
    assert "Карагандинская" in notice or "Восточно-Казахстанская" in notice  # split in 2022
    same = tmp_path / "on2018.html"
    assert main([*argv, "--out", str(same)]) == 0
    assert "agglomap-notice" not in same.read_text(encoding="utf-8").split("<body>")[-1]
