"""District-level joins: tables in the statistics bureau's layouts, written here from the
boundary layer's own names at test time (nothing derived from geokz is committed)."""

from __future__ import annotations

import json
import random
import re

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from agglomap.boundaries import load_boundaries
from agglomap.cli import main
from agglomap.districts import (
    CITY,
    CITY_DISTRICT,
    DISTRICT,
    join_districts,
    load_units,
    looks_like_districts,
    read_district_indicators,
    unit_kind,
)
from agglomap.errors import InputError
from agglomap.regions import regions_for


@pytest.fixture(scope="module")
def units22(sources_dir) -> pd.DataFrame:
    return load_units("2022")


def _values(units: pd.DataFrame, seed: int = 7) -> dict[str, tuple[int, float]]:
    rng = random.Random(seed)
    return {d: (rng.randint(1_000, 900_000), rng.randint(5, 999) / 10) for d in units.district_id}


def _spaced(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


# geokz's Russian layer has a few spellings the bureau does not use
BUREAU_SPELLING = {
    "Енбекшинскийский": "Енбекшинский",
    "Каратаускийский": "Каратауский",
    "Талдықорған": "Талдыкорган",
}


def bureau_ru(units: pd.DataFrame, values: dict, *, order_seed: int | None = None) -> list[str]:
    """A Russian table as the bureau prints it: a title line, the national row, then each
    oblast's row followed by its city administrations ("г.а.", "Г.А.", "г.") and districts
    ("… район"); Astana, Almaty, Shymkent as "г. …" with their districts; decimal commas,
    no-break spaces between thousands. With ``order_seed`` the oblast blocks and the units
    inside each block are shuffled (the layout stays a valid bureau layout)."""
    regions = regions_for("2022").set_index("region_id")
    rng = random.Random(order_seed)
    lines = [
        "Численность населения по районам на начало 2023 года",
        "Наименование;Численность населения, человек;Плотность населения, человек на 1 км2",
    ]
    total = sum(v[0] for v in values.values())
    lines.append(f"Республика Казахстан;{_spaced(total)};7,3")
    blocks = []
    for rid, group in units.groupby("region_id"):
        name = regions.at[rid, "name_ru"]
        head = f"г. {name}" if rid in ("KZ-71", "KZ-75", "KZ-79") else name
        rows = [f"{head};{_spaced(sum(values[d][0] for d in group.district_id))};"]
        body = []
        for i, u in enumerate(group.itertuples()):
            name = BUREAU_SPELLING.get(u.name_ru, u.name_ru)
            if u.kind == CITY:
                label = [f"г.а. {name}", f"{name} Г.А.", f"г.{name}"][i % 3]
            else:
                label = f"{name} район"
            count, rate = values[u.district_id]
            body.append(f"{label};{_spaced(count)};{str(rate).replace('.', ',')}")
        if order_seed is not None:
            rng.shuffle(body)
        blocks.append(rows + body)
    if order_seed is not None:
        rng.shuffle(blocks)
    for block in blocks:
        lines.extend(block)
    return lines


def _write(path, lines: list[str], encoding: str = "utf-8") -> str:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return str(path)


def test_unit_kinds_follow_kato(units22):
    kinds = units22.set_index("name_en")["kind"]
    assert kinds["Kokshetau"] == CITY and kinds["Arshaly"] == DISTRICT
    assert kinds["Zhanasemey"] == DISTRICT  # geokz's spelling of Zhanasemey: a city code
    assert set(units22.loc[units22.region_id == "KZ-75", "kind"]) == {CITY_DISTRICT}
    assert unit_kind("351000000", "KZ-35", "Караганда") == CITY
    assert len(units22) == 224 and units22.district_id.is_unique


def test_bureau_russian_layout_joins_all_224_each_to_its_own_row(tmp_path, units22, sources_dir):
    values = _values(units22)
    path = _write(tmp_path / "pop.csv", bureau_ru(units22, values), encoding="utf-8-sig")
    table = read_district_indicators(path)
    assert table.vintage == "2022" and "header rows" in table.how
    assert len(table.data) == 224 and table.data.index.is_unique
    column = "Численность населения, человек"
    expected = pd.Series({d: v[0] for d, v in values.items()}, dtype=float)
    assert (table.data[column] == expected.reindex(table.data.index)).all()
    rates = pd.Series({d: v[1] for d, v in values.items()})
    assert (
        table.data["Плотность населения, человек на 1 км2"]
        .round(1)
        .equals(rates.reindex(table.data.index).round(1))
    )
    # the three "Zhambyl" districts each got the value of its own oblast's row
    zhambyl = units22[units22.name_en == "Zhambyl"]
    assert len(zhambyl) == 3
    for u in zhambyl.itertuples():
        assert table.data.at[u.district_id, column] == values[u.district_id][0]
    joined, report = join_districts(table, load_boundaries("2022", "district"))
    assert len(joined) == 224 and joined[column].notna().all()
    assert report.ok and not report.units_without_data
    assert len(report.region_checks) == 20  # every oblast row checked against its units
    assert all(c.difference == 0 for cs in report.region_checks.values() for c in cs)
    assert report.total_checks[0].difference == 0
    assert "224 of the 224" in str(report)


def test_shuffled_rows_change_nothing(tmp_path, units22, sources_dir):
    values = _values(units22)
    a = read_district_indicators(_write(tmp_path / "a.csv", bureau_ru(units22, values)))
    b = read_district_indicators(
        _write(tmp_path / "b.csv", bureau_ru(units22, values, order_seed=3))
    )
    cols = ["Численность населения, человек", "Плотность населения, человек на 1 км2"]
    assert a.data[cols].sort_index().equals(b.data[cols].sort_index())


def test_kato_table_with_kazakh_header_joins_all_224_in_any_order(tmp_path, units22, sources_dir):
    rows = [
        [u.kato, f"{u.name_kk} {'қ.ә.' if u.kind == CITY else 'ауданы'}", i * 10 + 0.5]
        for i, u in enumerate(units22.itertuples())
    ]
    random.Random(5).shuffle(rows)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["КАТО коды", "Әкімшілік-аумақтық бірлік", "Тұрғын үй, мың шаршы метр"])
    for kato, name, value in rows:
        sheet.append([int(kato), name, value])
    path = tmp_path / "kato.xlsx"
    book.save(path)
    table = read_district_indicators(path)
    assert table.how == "KATO codes" and len(table.data) == 224
    by_kato = dict(zip(units22.kato, units22.district_id, strict=True))
    for kato, _name, value in rows:
        assert table.data.at[by_kato[kato], "Тұрғын үй, мың шаршы метр"] == value


def test_short_kato_prefixes_match_where_unambiguous(tmp_path, units22, sources_dir):
    path = _write(tmp_path / "k.csv", ["kato;v", "351000;1", "6220;2", "711110000;3"])
    table = read_district_indicators(path)
    names = units22.set_index("district_id").loc[table.data.index, "name_en"]
    assert list(names) == ["Karaganda", "Satpaev", "Almaty"]


def test_ambiguous_name_is_one_error_naming_every_candidate_oblast(tmp_path, capsys):
    path = _write(
        tmp_path / "amb.csv", ["Район;Население", "Жамбылский район;100", "Аршалинский район;5"]
    )
    with pytest.raises(InputError) as err:
        read_district_indicators(path)
    text = str(err.value)
    for oblast in ("Almaty Region (KZ-19)", "Zhambyl Region (KZ-31)", "North Kazakhstan"):
        assert oblast in text
    assert "oblast column" in text and "KATO" in text and "header row" in text
    assert main(["join", "--indicators", path, "--out", str(tmp_path / "o.gpkg")]) == 2
    message = capsys.readouterr().err
    assert message.count("\n") == 1 and "KZ-59" in message
    assert not (tmp_path / "o.gpkg").exists()


def test_an_oblast_column_resolves_shared_names(tmp_path, units22, sources_dir):
    regions = regions_for("2022").set_index("region_id")
    lines = ["Облыс,Аудан,Аумағы"]
    for u in units22.itertuples():
        label = f"{u.name_kk} қ.ә." if u.kind == CITY else f"{u.name_kk} ауданы"
        lines.append(f"{regions.at[u.region_id, 'name_kk']},{label},{u.area_km2:.0f}")
    table = read_district_indicators(_write(tmp_path / "kk.csv", lines))
    assert len(table.data) == 224 and "oblast column" in table.how


def test_unknown_district_is_named_with_suggestions(tmp_path):
    path = _write(tmp_path / "u.csv", ["Район;v", "Акмолинская область;", "Аршалинскийй район;4"])
    with pytest.raises(
        InputError, match=r"row 3: unknown district or city 'Аршалинскийй район'.*Arshaly"
    ):
        read_district_indicators(path)


def test_two_rows_for_one_unit_are_refused(tmp_path):
    path = _write(tmp_path / "d.csv", ["kato;v", "351000000;1", "351000000;2"])
    with pytest.raises(InputError, match="rows 2 .* and 3 .* both name Karaganda"):
        read_district_indicators(path)


def test_join_detects_the_district_level_and_writes_every_unit(tmp_path, units22, sources_dir):
    values = _values(units22)
    path = _write(tmp_path / "pop.csv", bureau_ru(units22, values))
    assert looks_like_districts(path)
    out = tmp_path / "joined.gpkg"
    assert main(["join", "--indicators", path, "--out", str(out)]) == 0
    joined = gpd.read_file(out)
    assert len(joined) == 224 and joined["Численность населения, человек"].notna().all()
    oblast_table = tmp_path / "oblasts.csv"
    oblast_table.write_text("Регион;v\nАкмолинская область;1\nг. Астана;2\n", encoding="utf-8")
    assert not looks_like_districts(oblast_table)


def test_mismatched_oblast_row_is_reported_not_fatal(tmp_path, units22, sources_dir, capsys):
    values = _values(units22)
    lines = bureau_ru(units22, values)
    i = next(k for k, line in enumerate(lines) if line.startswith("Акмолинская область"))
    lines[i] = "Акмолинская область;1;"
    path = _write(tmp_path / "pop.csv", lines)
    assert (
        main(
            ["join", "--indicators", path, "--level", "district", "--out", str(tmp_path / "j.csv")]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Akmola Region (KZ-11) row 1, sum of its units" in out
    assert "19 oblast rows equal the sum of their units" in out


# ---------------------------------------------------------------- district choropleths

POP = "Численность населения, человек"


@pytest.fixture(scope="module")
def bureau_table(tmp_path_factory, units22):
    path = tmp_path_factory.mktemp("districts") / "pop.csv"
    return _write(path, bureau_ru(units22, _values(units22)))


def _text_boxes(fig) -> list[tuple[float, float, float, float]]:
    """Display boxes of the axes' texts (the text itself, without an annotation's arrow)."""
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = []
    for text in ax.texts:
        if text.get_text().strip():
            if hasattr(text, "update_positions"):
                text.update_positions(renderer)
            b = Text.get_window_extent(text, renderer)
            boxes.append((b.x0, b.y0, b.x1, b.y1))
    return boxes


def _overlaps(boxes) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i][0] < boxes[j][2] - 0.5
        and boxes[j][0] < boxes[i][2] - 0.5
        and boxes[i][1] < boxes[j][3] - 0.5
        and boxes[j][1] < boxes[i][3] - 0.5
    ]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_district_labels_never_overlap_and_speak_the_language(lang, units22, sources_dir):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from agglomap.maps import static

    layer = load_boundaries("2022", "district").to_crs(static.PROJECTION)
    fig = Figure(figsize=(12, 6.6))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.06, 0.8, 0.86))
    ax.set_aspect("equal")
    layer.plot(ax=ax)
    values = layer["area_km2"].to_numpy()
    n = static._label_units(
        ax, layer, lang, fills=["#ffffff"] * len(layer), values=values, decimals=0
    )
    boxes = _text_boxes(fig)
    assert len(boxes) == n and n > 100  # most of the 224 units named at this size
    assert not _overlaps(boxes)
    texts = {t.get_text().split("\n")[0] for t in ax.texts}
    largest = {"kk": "Ұлытау", "ru": "Улытауский", "en": "Ulytau"}[lang]  # named first
    assert largest in texts


def test_choropleth_district_png_and_one_oblast_zoom(tmp_path, bureau_table, sources_dir):
    from PIL import Image

    whole, one = tmp_path / "all.png", tmp_path / "karaganda.png"
    base = ["choropleth", "--indicators", bureau_table, "--column", POP]
    assert main([*base, "--level", "district", "--out", str(whole)]) == 0
    assert (
        main([*base, "--region", "Карагандинская область", "--lang", "kk", "--out", str(one)]) == 0
    )
    assert Image.open(whole).size == Image.open(one).size
    assert json.loads(one.with_name(one.name + ".sources.json").read_text())  # sidecar


def test_choropleth_district_html_draws_every_unit_offline(tmp_path, bureau_table, sources_dir):
    out = tmp_path / "all.html"
    base = ["choropleth", "--indicators", bureau_table, "--column", POP, "--lang", "ru"]
    assert main([*base, "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    ids = set(re.findall(r'"region_id": "(KZ\d{6})"', html))
    assert len(ids) == 224
    assert json.dumps("Карасайский")[1:-1] in html and "unpkg" not in html
    zoomed = tmp_path / "one.html"
    assert main([*base, "--region", "KZ-35", "--lang", "en", "--out", str(zoomed)]) == 0
    page = zoomed.read_text(encoding="utf-8")
    kar = set(re.findall(r'"region_id": "(KZ\d{6})"', page))
    assert kar == {d for d in ids if d.startswith("KZ35")}
    bounds = re.search(
        r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", page
    )
    south, west, north, east = map(float, bounds.groups())
    oblast = load_boundaries("2022").set_index("region_id")
    w, s, e, n = oblast.loc[["KZ-35"]].total_bounds  # zoomed to Karaganda Region itself
    assert max(abs(south - s), abs(west - w), abs(north - n), abs(east - e)) < 0.05


@pytest.mark.browser
def test_district_web_labels_do_not_overlap_in_the_browser(tmp_path, bureau_table):
    from browser import open_html

    out = tmp_path / "all.html"
    assert (
        main(["choropleth", "--indicators", bureau_table, "--column", POP, "--out", str(out)]) == 0
    )
    with open_html(out, size=(1366, 768)) as (page, log):
        page.wait_for_selector(".leaflet-container[data-labels-placed]", state="attached")
        boxes = page.evaluate(
            "[...document.querySelectorAll('.agglomap-unit-label')]"
            ".filter(e => e.style.visibility === 'visible')"
            ".map(e => e.getBoundingClientRect())"
            ".map(r => [r.left, r.top, r.right, r.bottom])"
        )
        n_paths = page.evaluate("document.querySelectorAll('path.agglomap-region').length")
        assert not log and not log.blocked
    assert n_paths == 224 and len(boxes) > 50
    assert not _overlaps([(a, b, c, d) for a, b, c, d in boxes])


# ---------------------------------------------------------------- district → oblast


def test_aggregation_sums_counts_and_weights_rates(tmp_path, units22):
    from agglomap.districts import aggregate_to_oblasts

    values = _values(units22)
    table = read_district_indicators(_write(tmp_path / "pop.csv", bureau_ru(units22, values)))
    rate = "Плотность населения, человек на 1 км2"
    with pytest.raises(InputError, match="weight"):
        aggregate_to_oblasts(table)
    agg = aggregate_to_oblasts(table, weight=POP)
    data = agg.table.data
    assert len(data) == 20 and not agg.incomplete
    akmola = units22[units22.region_id == "KZ-11"].district_id
    assert data.at["KZ-11", POP] == sum(values[d][0] for d in akmola)
    weighted = sum(values[d][0] * values[d][1] for d in akmola) / sum(values[d][0] for d in akmola)
    assert data.at["KZ-11", rate] == pytest.approx(weighted)
    assert all(c.difference == 0 for cs in agg.checks.values() for c in cs)


def test_a_district_table_drawn_on_the_oblast_map(tmp_path, units22, capsys):
    lines = bureau_ru(units22, _values(units22))
    lines = [line for line in lines if not line.startswith("Аршалинский район")]
    path = _write(tmp_path / "pop.csv", lines)
    out = tmp_path / "oblasts.gpkg"
    argv = ["join", "--indicators", path, "--to-oblasts", "--weight", POP, "--out", str(out)]
    assert main(argv) == 0
    joined = gpd.read_file(out)
    assert len(joined) == 20
    row = joined.set_index("region_id")
    assert pd.isna(row.at["KZ-11", POP]) and row[POP].notna().sum() == 19  # never partial
    assert "Akmola Region (KZ-11)" in capsys.readouterr().out


# ---------------------------------------------------------------- 2018 ↔ 2022


def test_a_2018_table_moves_to_the_2022_districts(tmp_path, capsys):
    units18 = load_units("2018")
    path = tmp_path / "k18.csv"
    path.write_text(
        "KATO;Population;Rate, %\n"
        + "".join(f"{u.kato};{1000 + i};{i % 50},5\n" for i, u in enumerate(units18.itertuples())),
        encoding="utf-8",
    )
    out = tmp_path / "k22.gpkg"
    base = ["join", "--indicators", str(path), "--vintage", "2022", "--out", str(out)]
    assert main(base) == 2  # a rate does not move without a weight
    assert "weight" in capsys.readouterr().err
    assert main([*base, "--weight", "Population"]) == 0
    text = capsys.readouterr().out
    joined = gpd.read_file(out).set_index("name_en")
    assert len(joined) == 224
    arshaly18 = units18.index[units18["name_en"] == "Arshaly"][0]
    assert joined.at["Arshaly", "Population"] == 1000 + arshaly18  # unchanged unit: its count
    assert pd.isna(joined.at["Semey", "Population"])  # Semey's 2018 unit was divided
    assert pd.isna(joined.at["Zhanasemey", "Population"])
    assert "Divided between new units" in text and "Semey" in text


def test_one_oblast_static_map_says_every_unit_is_named(sources_dir):
    from agglomap.maps import static

    layer = load_boundaries("2022", level="district")
    karaganda = layer[layer["region_id"] == "KZ-35"].copy()
    karaganda["value"] = range(len(karaganda))
    fig = static.static_choropleth(karaganda, "value", lang="en")
    texts = " ".join(t.get_text() for t in fig.texts)
    assert f"all {len(karaganda)} units named" in texts
    assert "lack room" not in texts  # the 'others lack room' note only when some are left out
