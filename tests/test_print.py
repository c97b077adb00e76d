"""Static maps at printed sizes: pixel size = inches × dpi, no text under 6.5 pt at that size,
every legend and text inside the canvas, units not repeated, long class labels not clipped."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.legend import Legend
from matplotlib.text import Text
from PIL import Image

from agglomap.boundaries import load_boundaries
from agglomap.cli import main
from agglomap.errors import InputError
from agglomap.maps import page, static

SIZES = [None, page.PAGE_SIZES["a4-portrait"], page.PAGE_SIZES["a4-landscape"], (120.0, 90.0)]


@pytest.fixture(scope="module")
def oblasts(sources_dir):
    return load_boundaries("2022")


@pytest.fixture(scope="module")
def scores(sources_dir):
    from agglomap.agglomeration import score_towns
    from agglomap.gazetteer import monocities

    return score_towns(monocities())


def _legends(fig) -> list[Legend]:
    return [a for ax in fig.axes for a in [*ax.artists, ax.get_legend()] if isinstance(a, Legend)]


def _texts(fig) -> list[Text]:
    """Every drawn, non-empty text: figure texts, axes texts and annotations, legend titles
    and entries (the hidden axis labels of a map without axes are not drawn)."""
    texts = list(fig.texts) + [a for ax in fig.axes for a in ax.texts]
    for legend in _legends(fig):
        texts += [legend.get_title(), *legend.get_texts()]
    return [a for a in texts if a.get_visible() and a.get_text().strip()]


def _check_printable(fig, size_mm):
    """No text under 6.5 pt; every text and legend box inside the canvas (as drawn)."""
    fig.canvas.draw()
    width_in, height_in = fig.get_size_inches()
    if size_mm is not None:
        assert width_in * 25.4 == pytest.approx(size_mm[0])
        assert height_in * 25.4 == pytest.approx(size_mm[1])
    texts = _texts(fig)
    assert len(texts) > 20
    small = [(a.get_text(), a.get_fontsize()) for a in texts if a.get_fontsize() < 6.5]
    assert not small
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    boxes = [(a.get_text(), a.get_window_extent(renderer)) for a in texts]
    boxes += [("legend", lg.get_window_extent(renderer)) for lg in _legends(fig)]
    outside = [
        (text, box.bounds)
        for text, box in boxes
        if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > canvas.x1 + 0.5 or box.y1 > canvas.y1 + 0.5
    ]
    assert not outside


@pytest.mark.parametrize("size_mm", SIZES)
def test_choropleth_is_legible_and_inside_the_canvas_at_every_size(oblasts, size_mm):
    frame = oblasts.assign(v=np.linspace(1.0, 9.0, len(oblasts)))
    fig = static.static_choropleth(frame, "v", title="Test values", unit="%", size_mm=size_mm)
    _check_printable(fig, size_mm)


@pytest.mark.parametrize("size_mm", SIZES[:3])
@pytest.mark.parametrize("lang", ["en", "kk"])
def test_monocity_map_is_legible_and_inside_the_canvas(oblasts, scores, size_mm, lang):
    fig = static.static_monocity_map(scores, boundaries=oblasts, lang=lang, size_mm=size_mm)
    _check_printable(fig, size_mm)
    credit = " ".join(a.get_text() for a in _texts(fig))
    assert "census 2021" in credit or "санақ" in credit  # the populations that size circles


def test_long_class_labels_and_titles_wrap_inside_the_canvas(oblasts):
    frame = oblasts.assign(v=np.linspace(1000.0, 900000.0, len(oblasts)))
    unit = "thousand persons per square kilometre"
    title = "Population density of the built-up land of each region, 2021 census, by oblast"
    for size in (page.PAGE_SIZES["a4-portrait"], None):
        fig = static.static_choropleth(frame, "v", title=title, unit=unit, size_mm=size)
        _check_printable(fig, size)
        legend = fig.axes[0].get_legend()
        assert any("\n" in text.get_text() for text in legend.get_texts())  # wrapped


def test_a_figure_too_small_for_its_legend_is_refused(oblasts):
    frame = oblasts.assign(v=np.linspace(1000.0, 900000.0, len(oblasts)))
    title = "A very long indicator name that would not fit on one line of a narrow figure " * 2
    with pytest.raises(InputError, match="choose a larger --size"):
        static.static_choropleth(frame, "v", title=title, unit="persons", size_mm=(90.0, 80.0))


def test_unit_in_the_column_name_is_not_repeated_in_the_legend(oblasts):
    frame = oblasts.assign(v=np.linspace(10.0, 90.0, len(oblasts)))
    fig = static.static_choropleth(
        frame, "v", title="Инвестиции в основной капитал, млн тенге", unit="mln tenge", lang="ru"
    )
    title = fig.axes[0].get_legend().get_title().get_text().replace("\n", " ")
    assert title == "Инвестиции в основной капитал, млн тенге"
    fig = static.static_choropleth(frame, "v", title="Инвестиции", unit="mln tenge", lang="ru")
    assert fig.axes[0].get_legend().get_title().get_text() == "Инвестиции, млн ₸"


def test_a4_portrait_png_from_the_cli_is_300_dpi_and_a_text_width_wide(sources_dir, tmp_path):
    out = tmp_path / "a4.png"
    code = main(
        [
            "choropleth",
            "--column",
            "innovative_share_grp_pct",
            "--format",
            "png",
            "--size",
            "a4-portrait",
            "--subtitle",
            "Oblasts, 2022 layout",
            "--source",
            "Source: test credit",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    with Image.open(out) as im:
        width_px, height_px = im.size
        dpi = im.info["dpi"]
    assert dpi[0] == pytest.approx(300, abs=0.01)
    assert 150 <= width_px / 300 * 25.4 <= 190
    inches = page.inches(page.PAGE_SIZES["a4-portrait"])
    assert abs(width_px - inches[0] * 300) < 1 and abs(height_px - inches[1] * 300) < 1


def test_print_options_are_refused_for_html_and_bad_sizes(sources_dir, tmp_path, capsys):
    base = ["choropleth", "--column", "innovative_share_grp_pct"]
    assert main([*base, "--size", "a4-portrait", "--out", str(tmp_path / "m.html")]) == 2
    assert "only for PNG/SVG" in capsys.readouterr().err
    assert main([*base, "--size", "a5", "--out", str(tmp_path / "m.png")]) == 2
    assert "a4-portrait|a4-landscape or WIDTHxHEIGHT" in capsys.readouterr().err
    assert not (tmp_path / "m.png").exists()


def test_parse_size():
    assert page.parse_size("A4-Landscape") == (257.0, 160.0)
    assert page.parse_size("160x100") == (160.0, 100.0)
    assert page.parse_size("160 × 100 mm") == (160.0, 100.0)
    for bad in ("a3", "160", "10x100", "0x0", "160x100cm"):
        with pytest.raises(InputError):
            page.parse_size(bad)


def test_no_user_facing_text_cites_a_paper_by_file_number():
    """Help texts, docs, data notes and map words cite papers bibliographically."""
    import re
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pattern = r"seed paper|seed 00[0-4]|paper 00[0-4]|статья 00[0-4]|мақала 00[0-4]|\bseed\b"
    found = subprocess.run(
        ["git", "grep", "-n", "-i", "-E", pattern, "--", "src", "docs", "README.md", "geo"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if found.returncode not in (0, 1):
        pytest.skip("not a git checkout")
    hits = [line for line in found.stdout.splitlines() if not re.search(r"random", line, re.I)]
    assert not hits


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_monocity_paper_is_cited_by_title_journal_year_and_issue(lang):
    from agglomap import references
    from agglomap.i18n import t
    from agglomap.provenance import MONOCITY_PAPER

    text = references.cite("monocity_paper", lang)
    assert "Maimurunova A." in text and "2025" in text and "1 (58)" in text
    title = {
        "en": "Methodology for determining",
        "ru": "Методика определения",
        "kk": "моноқалаларының инновациялық",
    }[lang]
    assert title in text
    assert "2025" in MONOCITY_PAPER.credit(lang) and "004" not in MONOCITY_PAPER.credit(lang)
    assert "004" not in t("assessment", lang) and "Maimurunova" in t("assessment", lang)
