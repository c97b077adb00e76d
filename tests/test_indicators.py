"""Indicator tables: published number format, file formats, region matching, the join."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from agglomap.boundaries import load_boundaries
from agglomap.cli import main
from agglomap.data import data_path
from agglomap.errors import InputError
from agglomap.indicators import (
    IndicatorTable,
    default_indicators,
    is_total_label,
    join,
    read_indicators,
)
from agglomap.numbers import parse_number
from agglomap.provenance import INNOVATION_2021

# Table 1 of seed paper 000 as the methodology digest (docs §1) gives it.
DIGEST = {
    "KZ-11": (1148, 88, 7.7, 1927439.20, 17793.0, 0.9),
    "KZ-15": (1144, 121, 10.6, 3039820.90, 51421.7, 1.7),
    "KZ-19": (1715, 160, 9.3, 3230450.30, 20443.6, 0.6),
    "KZ-23": (1081, 97, 9.0, 9143900.60, 7536.3, 0.1),
    "KZ-27": (834, 44, 5.3, 2963795.60, 24713.4, 0.8),
    "KZ-31": (739, 97, 13.1, 1690561.90, 77092.5, 4.6),
    "KZ-35": (2175, 293, 13.5, 5346885.80, 74007.0, 1.4),
    "KZ-39": (1357, 174, 12.8, 2414510.50, 211088.3, 8.7),
    "KZ-43": (653, 80, 12.3, 1831825.20, 16425.2, 0.9),
    "KZ-47": (988, 34, 3.4, 3624758.60, 7971.3, 0.2),
    "KZ-55": (1148, 104, 9.1, 2805940.20, 44503.7, 1.6),
    "KZ-59": (964, 92, 9.5, 1358767.20, 8652.1, 0.6),
    "KZ-61": (795, 72, 9.1, 1820122.30, 13797.5, 0.8),
    "KZ-63": (1836, 273, 14.9, 4088801.10, 223618.8, 5.5),
    "KZ-71": (3821, 567, 14.8, 7008360.20, 129468.7, 1.8),
    "KZ-75": (6649, 810, 12.2, 14429064.70, 48948.4, 0.3),
    "KZ-79": (1367, 100, 7.3, 2231416.00, 3846.6, 0.2),
}
DIGEST_TOTAL = (28414, 3206, 11.3, 68956420.30, 981328.3, 1.4)
KEYS = [
    "enterprises_total",
    "enterprises_innovative",
    "innovation_activity_pct",
    "grp_mln_kzt",
    "innovative_product_mln_kzt",
    "innovative_share_grp_pct",
]

# The same 17 regions, in the shipped table's row order, as users write them.
RUSSIAN = [
    "Акмолинская область", "Актюбинская область", "Алматинская область",
    "Атырауская область", "Западно-Казахстанская область", "Жамбылская область",
    "Карагандинская область", "Костанайская область", "Кызылординская область",
    "Мангистауская область", "Павлодарская область", "Северо-Казахстанская область",
    "Туркестанская область", "Восточно-Казахстанская область", "г. Астана", "г. Алматы",
    "г. Шымкент",
]  # fmt: skip
ENGLISH = [
    "Akmola", "Aktobe", "Almaty Region", "Atyrau", "West Kazakhstan", "Zhambyl",
    "Karaganda", "Kostanay", "Kyzylorda", "Mangystau", "Pavlodar", "North Kazakhstan",
    "Turkistan", "East Kazakhstan", "Astana", "Almaty", "Shymkent",
]  # fmt: skip
KAZAKH = [
    "Ақмола облысы", "Ақтөбе облысы", "Алматы облысы", "Атырау облысы",
    "Батыс Қазақстан облысы", "Жамбыл облысы", "Қарағанды облысы", "Қостанай облысы",
    "Қызылорда облысы", "Маңғыстау облысы", "Павлодар облысы",
    "Солтүстік Қазақстан облысы", "Түркістан облысы", "Шығыс Қазақстан облысы",
    "Астана қаласы", "Алматы қаласы", "Шымкент қаласы",
]  # fmt: skip


def shipped_rows() -> list[list[str]]:
    """The shipped table's cells, header first, in the published format."""
    with data_path("innovation_2021.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


RUSSIAN_HEADERS = [
    "Регион",
    "Количество предприятий, всего, единиц",
    "из них имеющих инновации",
    "Уровень активности в области инноваций, %",
    "ВРП, млн тенге",
    "Объем произведенной инновационной продукции, млн тенге",
    "Доля инновационной продукции в ВРП, %",
]


def variant(
    names: list[str], total: str = "Республика Казахстан", header: list[str] | None = None
) -> list[list[str]]:
    """The shipped numbers under other region names (header, total row, 17 regions)."""
    rows = shipped_rows()
    out = [header or ["Регион", *rows[0][1:]], [total, *rows[1][1:]]]
    return out + [[n, *r[1:]] for n, r in zip(names, rows[2:], strict=True)]


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str, encoding: str, **kw) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, **kw).writerows(rows)
    return path


def values(table: IndicatorTable) -> pd.DataFrame:
    """Numbers only, columns in order, named by the English keys."""
    frame = table.data[table.value_columns]
    return frame.set_axis(KEYS, axis=1).sort_index()


# ---------------------------------------------------------------- parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28 414", 28414),
        ("1 927 439,20", 1927439.20),
        ("68 956 420,30", 68956420.30),
        ("11,3", 11.3),
        ("0,9", 0.9),
        ("8.7%", 8.7),
        ("8,7 %", 8.7),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("1,234,567", 1234567),
        ("1.234.567", 1234567),
        ("1\u00a0148", 1148),
        ("1\u202f927\u202f439,20", 1927439.20),
        ("  7,7  ", 7.7),
        ("\t981 328,3\n", 981328.3),
        ("-3,4", -3.4),
        ("\u22123,4", -3.4),
        ("- 1 148", -1148),
        ("+2,5", 2.5),
        ("42", 42),
        ("1.5e3", 1500),
        (17793, 17793),
        (0.9, 0.9),
    ],
)
def test_parse_number_published_forms(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "   ", "-", "—", "…", "...", "х", "Х", "x", None])
def test_parse_number_no_data_is_nan(text):
    assert math.isnan(parse_number(text))


@pytest.mark.parametrize("text", ["Караганда", "12a", "1 2", "1,23.4", "1,2,3", "n.d.", "%"])
def test_parse_number_rejects_text(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    "label",
    [
        "Республика Казахстан",
        "Қазақстан Республикасы",
        "Республика бойынша барлығы",
        "Total",
        "Kazakhstan",
        "Всего",
        "Итого",
        "Всего по республике",
        "Республика Казахстан, всего",
        "Republic of Kazakhstan",
    ],
)
def test_total_labels(label):
    assert is_total_label(label)


@pytest.mark.parametrize(
    "label", ["East Kazakhstan", "Батыс Қазақстан", "Восточно-Казахстанская", "Астана", "Abai"]
)
def test_region_names_are_not_totals(label):
    assert not is_total_label(label)


# ---------------------------------------------------------------- the shipped table


def test_shipped_table_equals_the_paper():
    table = default_indicators()
    assert len(table.data) == 17
    assert sorted(table.data.index) == sorted(DIGEST)
    got = values(table)
    for rid, row in DIGEST.items():
        assert got.loc[rid].tolist() == pytest.approx(row), rid
    assert table.data.at["KZ-39", "innovative_share_grp_pct"] == 8.7
    assert table.data.at["KZ-11", "grp_mln_kzt"] == 1927439.20
    assert table.total is not None
    assert table.total.tolist() == pytest.approx(DIGEST_TOTAL)
    assert table.total["enterprises_total"] == 28414
    # region labels as printed in the paper; Almaty oblast and city told apart
    assert table.data.at["KZ-19", "region_label"] == "Алматы"
    assert table.data.at["KZ-75", "region_label"] == "Алматы қ"
    assert table.source == INNOVATION_2021
    assert table.vintage == "2018"


def test_shipped_metadata_units_and_kinds():
    meta = json.loads(data_path("innovation_2021.meta.json").read_text(encoding="utf-8"))
    assert [c["key"] for c in meta["columns"].values()] == KEYS
    assert list(meta["columns"]) == shipped_rows()[0][1:]  # published headers kept
    table = default_indicators()
    assert table.kinds == {
        "enterprises_total": "count",
        "enterprises_innovative": "count",
        "innovation_activity_pct": "rate",
        "grp_mln_kzt": "amount",
        "innovative_product_mln_kzt": "amount",
        "innovative_share_grp_pct": "share",
    }
    assert table.units["grp_mln_kzt"] == "mln tenge"
    assert table.labels["grp_mln_kzt"] == "ЖӨӨ, млн. теңге"


def test_shipped_file_keeps_the_published_number_format():
    text = data_path("innovation_2021.csv").read_text(encoding="utf-8")
    assert "28 414" in text and "1 927 439,20" in text and ";11,3;" in text


def test_shipped_rates_agree_with_their_counts():
    """The paper's rates are its counts divided, to the printed precision."""
    d = default_indicators().data
    activity = d["enterprises_innovative"] / d["enterprises_total"] * 100
    share = d["innovative_product_mln_kzt"] / d["grp_mln_kzt"] * 100
    assert (activity - d["innovation_activity_pct"]).abs().max() <= 0.05 + 1e-9
    assert (share - d["innovative_share_grp_pct"]).abs().max() <= 0.05 + 1e-9


# ---------------------------------------------------------------- the join


@pytest.fixture(scope="module")
def layers(sources_dir) -> dict[str, gpd.GeoDataFrame]:
    return {v: load_boundaries(v) for v in ("2018", "2022")}


def test_join_2018_matches_everything(layers):
    joined, report = join(default_indicators(), layers["2018"])
    assert isinstance(joined, gpd.GeoDataFrame)
    assert len(joined) == 17 and joined.crs.to_epsg() == 4326
    assert report.unmatched_rows == [] and report.regions_without_data == []
    assert report.changed_extent == []
    assert joined.set_index("region_id").at["KZ-39", "innovative_share_grp_pct"] == 8.7
    checks = {c.column: c for c in report.total_checks}
    assert set(checks) == {
        "enterprises_total",
        "enterprises_innovative",
        "grp_mln_kzt",
        "innovative_product_mln_kzt",
    }
    assert checks["enterprises_total"].difference == 0
    # the paper's innovative product sums to 0.2 mln tenge below its total (rounding)
    assert checks["innovative_product_mln_kzt"].difference == pytest.approx(-0.2)
    assert "Joined 17 of 17 table rows onto 17 regions (2018 layout)" in str(report)


def test_join_2022_reports_new_regions_without_data(layers):
    joined, report = join(default_indicators(), layers["2022"])
    assert len(joined) == 20
    assert sorted(report.regions_without_data) == ["KZ-10", "KZ-33", "KZ-62"]
    assert joined.set_index("region_id").loc[["KZ-10", "KZ-33", "KZ-62"], KEYS].isna().all().all()
    assert sorted(report.changed_extent) == ["KZ-19", "KZ-35", "KZ-63"]
    text = str(report)
    assert "Abai Region (KZ-10)" in text and "Ulytau Region (KZ-62)" in text


def test_2022_table_row_unmatched_against_2018(tmp_path, layers):
    rows = [["Region", "Population"], ["Abai", "600 000"], ["Karaganda", "1 100 000"]]
    path = write_csv(tmp_path / "pop.csv", rows, delimiter=";", encoding="utf-8")
    table = read_indicators(path)
    assert table.vintage == "2022"
    joined, report = join(table, layers["2018"])
    assert len(report.unmatched_rows) == 1 and "Abai" in report.unmatched_rows[0]
    assert "row 2" in report.unmatched_rows[0]
    assert len(report.regions_without_data) == 16
    assert joined.set_index("region_id").at["KZ-35", "Population"] == 1_100_000


def test_total_discrepancy_reported_not_fatal(tmp_path, layers):
    rows = [["Region", "Firms"], ["Total", "100"], ["Akmola", "40"], ["Aktobe", "50"]]
    table = read_indicators(write_csv(tmp_path / "t.csv", rows, delimiter=",", encoding="utf-8"))
    _, report = join(table, layers["2018"])
    (check,) = report.total_checks
    assert (check.total, check.regions_sum, check.difference) == (100, 90, -10)
    assert "-10.00%" in str(report)


# ---------------------------------------------------------------- file formats


def test_same_table_in_every_format_gives_identical_numbers(tmp_path):
    expected = values(default_indicators())
    files = [
        write_csv(
            tmp_path / "ru_cp1251.csv",
            variant(RUSSIAN, header=RUSSIAN_HEADERS),
            delimiter=";",
            encoding="cp1251",
        ),
        write_csv(
            tmp_path / "en_bom.csv",
            variant(ENGLISH, "Total"),
            delimiter=",",
            encoding="utf-8-sig",
            quoting=csv.QUOTE_ALL,
        ),
        write_csv(
            tmp_path / "kk.tsv",
            variant(KAZAKH, "Қазақстан Республикасы"),
            delimiter="\t",
            encoding="utf-8",
        ),
        write_csv(tmp_path / "pipe.csv", variant(ENGLISH), delimiter="|", encoding="utf-8"),
    ]
    # the cp1251 file really is cp1251, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        files[0].read_bytes().decode("utf-8")
    assert files[1].read_bytes().startswith(b"\xef\xbb\xbf")
    for path in files:
        table = read_indicators(path)
        assert len(table.data) == 17, path.name
        pd.testing.assert_frame_equal(values(table), expected, obj=path.name)
        assert table.total is not None and table.total.tolist() == pytest.approx(DIGEST_TOTAL)


def test_xlsx_with_title_row_numbers_and_strings(tmp_path):
    rows = variant(KAZAKH, "Қазақстан Республикасы")
    book = openpyxl.Workbook()
    book.active.title = "notes"
    sheet = book.create_sheet("2021")
    sheet.append(["Кесте 1. Инновациялық белсенділік, 2021"])  # a title line above the header
    sheet.append(rows[0])
    for r in rows[1:]:
        # first three value columns as real numbers, the rest as published strings
        sheet.append([r[0], *(parse_number(v) for v in r[1:4]), *r[4:]])
    path = tmp_path / "table.xlsx"
    book.save(path)
    table = read_indicators(path, sheet="2021")
    pd.testing.assert_frame_equal(values(table), values(default_indicators()))
    assert table.rows["KZ-11"] == 4  # title = row 1, header = row 2, total = row 3
    assert values(read_indicators(path, sheet=1)).equals(values(table))
    with pytest.raises(InputError, match="did you mean '2021'"):
        read_indicators(path, sheet="2012")


def test_region_column_detected_when_not_first(tmp_path):
    rows = [["KATO", "Population", "Область"], ["", "1 000", "Akmola"], ["", "2 000", "Aktobe"]]
    table = read_indicators(write_csv(tmp_path / "x.csv", rows, delimiter=";", encoding="utf-8"))
    assert list(table.data.index) == ["KZ-11", "KZ-15"]
    assert table.data["Population"].tolist() == [1000, 2000]
    assert table.kinds["Population"] == "count"


def test_notes_below_the_table_are_skipped(tmp_path):
    rows = [["Region", "GRP, mln tenge"], ["Akmola", "1 927 439,20"], ["Источник: БНС АСПР РК", ""]]
    table = read_indicators(write_csv(tmp_path / "n.csv", rows, delimiter=";", encoding="utf-8"))
    assert list(table.data.index) == ["KZ-11"]
    assert (table.kinds["GRP, mln tenge"], table.units["GRP, mln tenge"]) == (
        "amount",
        "mln tenge",
    )


# ---------------------------------------------------------------- errors users see


def test_misspelt_region_names_the_file_row_and_suggests(tmp_path):
    rows = variant(ENGLISH)
    rows[8][0] = "Karaganady obl."  # Karaganda's row, file row 9
    path = write_csv(tmp_path / "typo.csv", rows, delimiter=";", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_indicators(path)
    exc = err.value
    assert exc.path == path and exc.row == 9 and exc.column == "Регион"
    assert "Karaganady obl." in str(exc) and "Karaganda" in str(exc)
    assert str(path) in str(exc)


def test_several_unknown_names_all_listed(tmp_path):
    rows = variant(ENGLISH)
    rows[8][0], rows[10][0] = "Karaganady obl.", "Mangyshlak-X"
    path = write_csv(tmp_path / "typos.csv", rows, delimiter=";", encoding="utf-8")
    with pytest.raises(InputError, match=r"(?s)row 9: .*Karaganady.*row 11: .*Mangyshlak-X"):
        read_indicators(path)


def test_text_in_a_numeric_column_names_row_and_column(tmp_path):
    rows = variant(ENGLISH)
    rows[5][4] = "см. примечание"  # Atyrau's GRP
    path = write_csv(tmp_path / "text.csv", rows, delimiter=";", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_indicators(path)
    assert err.value.row == 6 and err.value.column == "ЖӨӨ, млн. теңге"
    assert "см. примечание" in str(err.value)


def test_region_column_typo_suggests(tmp_path):
    path = write_csv(tmp_path / "t.csv", variant(ENGLISH), delimiter=";", encoding="utf-8")
    with pytest.raises(InputError, match="did you mean 'Регион'"):
        read_indicators(path, region_column="Регоин")
    assert read_indicators(path, region_column="регион").data.shape[0] == 17


def test_duplicate_region_rows_refused(tmp_path):
    rows = [["Region", "N"], ["Akmola", "1"], ["Акмолинская область", "2"]]
    path = write_csv(tmp_path / "d.csv", rows, delimiter=";", encoding="utf-8")
    with pytest.raises(InputError, match="rows 2, 3 all name region KZ-11"):
        read_indicators(path)


def test_no_region_column(tmp_path):
    rows = [["a", "b"], ["1", "2"], ["3", "4"]]
    path = write_csv(tmp_path / "n.csv", rows, delimiter=";", encoding="utf-8")
    with pytest.raises(InputError, match="region_column=NAME") as err:
        read_indicators(path)
    assert err.value.param == "region_column"  # the CLI shows --region-column NAME


def test_region_of_other_vintage_refused_when_vintage_given(tmp_path):
    rows = [["Region", "N"], ["Abai", "1"]]
    path = write_csv(tmp_path / "v.csv", rows, delimiter=";", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_indicators(path, vintage="2018")
    assert err.value.row == 2


# ---------------------------------------------------------------- CLI


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".csv", ".xlsx"])
def test_cli_join_writes_layer_and_sidecar(tmp_path, sources_dir, capsys, ext):
    rows = variant(RUSSIAN, header=RUSSIAN_HEADERS)
    src = write_csv(tmp_path / "ru.csv", rows, delimiter=";", encoding="cp1251")
    before = _sha(src)
    out = tmp_path / f"joined{ext}"
    code = main(
        ["--sources", str(sources_dir), "join", "--indicators", str(src), "--out", str(out)]
    )
    assert code == 0
    assert _sha(src) == before  # input untouched
    printed = capsys.readouterr().out
    assert "Joined 17 of 17 table rows onto 17 regions (2018 layout)" in printed
    if ext in {".gpkg", ".geojson"}:
        result = gpd.read_file(out)
        assert len(result) == 17
    else:
        result = pd.read_csv(out) if ext == ".csv" else pd.read_excel(out)
        assert "geometry" not in result.columns
    assert result.set_index("region_id").at["KZ-39", "ВРП, млн тенге"] == 2414510.5
    sidecar = json.loads(out.with_name(out.name + ".sources.json").read_text(encoding="utf-8"))
    keys = [s["key"] for s in sidecar["sources"]]
    assert keys == ["geokz", "user_table"]
    assert "ru.csv" in sidecar["sources"][1]["title"]


def test_cli_join_2022_and_errors(tmp_path, sources_dir, capsys):
    src = write_csv(tmp_path / "en.csv", variant(ENGLISH), delimiter=",", encoding="utf-8")
    out = tmp_path / "j.geojson"
    args = ["--sources", str(sources_dir), "join", "--indicators", str(src), "--out", str(out)]
    assert main([*args, "--vintage", "2022"]) == 0
    assert "Regions without data (3)" in capsys.readouterr().out
    assert main([*args, "--region-column", "Регоин"]) == 2
    assert "did you mean 'Регион'" in capsys.readouterr().err


def test_kato_codes_as_excel_numbers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["КАТО", "Population"])
    sheet.append([110000000, 1000])  # Akmola
    sheet.append([750000000.0, 2000])  # Almaty city, as a float
    path = tmp_path / "kato.xlsx"
    book.save(path)
    table = read_indicators(path, region_column="КАТО")
    assert list(table.data.index) == ["KZ-11", "KZ-75"]
    assert table.data.at["KZ-75", "region_label"] == "750000000"
    assert list(read_indicators(path).data.index) == ["KZ-11", "KZ-75"]  # detected too


def test_almaty_city_before_oblast_still_told_apart(tmp_path):
    rows = [["Аймақ", "N"], ["Алматы қ", "6 649"], ["Алматы", "1 715"]]
    path = write_csv(tmp_path / "a.csv", rows, delimiter=";", encoding="utf-8")
    table = read_indicators(path)
    assert table.data.loc["KZ-75", "N"] == 6649 and table.data.loc["KZ-19", "N"] == 1715


# ---------------------------------------------------------------- via agglomap.tables


def test_xlsx_empty_region_cell_is_an_empty_region_name(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Регион", "N"])
    book.active.append(["Akmola", 1])
    book.active.append([None, 2])
    path = tmp_path / "e.xlsx"
    book.save(path)
    with pytest.raises(InputError, match="empty region name") as err:
        read_indicators(path)
    assert err.value.row == 3 and err.value.column == "Регион"
    assert "None" not in str(err.value)
    csv_path = write_csv(
        tmp_path / "e.csv", [["Регион", "N"], ["Akmola", "1"], ["", "2"]], delimiter=";",
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(InputError, match="row 3.*empty region name"):
        read_indicators(csv_path)


def test_xlsx_merged_two_row_header(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Кесте 1"])
    ws.append(["Өңір", "ЖӨӨ", None])
    ws.append([None, "млн. теңге", "үлесі, %"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:C2")
    ws.append(["Akmola", 1927439.2, 0.9])
    ws.append(["Aktobe", "3 039 820,90", "1,7"])
    path = tmp_path / "m.xlsx"
    book.save(path)
    table = read_indicators(path)
    assert table.value_columns == ["ЖӨӨ, млн. теңге", "ЖӨӨ, үлесі, %"]
    assert table.data["ЖӨӨ, млн. теңге"].tolist() == [1927439.2, 3039820.9]
    assert table.kinds["ЖӨӨ, млн. теңге"] == "amount" and table.kinds["ЖӨӨ, үлесі, %"] == "share"
    assert table.rows == {"KZ-11": 4, "KZ-15": 5}


def test_region_column_error_quotes_columns_with_commas(tmp_path):
    path = write_csv(tmp_path / "kk.csv", variant(KAZAKH), delimiter=";", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_indicators(path, region_column="Аймақ атауы")
    assert "'ЖӨӨ, млн. теңге'" in str(err.value) and err.value.column == "Аймақ атауы"


def test_cli_join_binary_file_is_one_clear_line(tmp_path, capsys):
    image = tmp_path / "image.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert main(["join", "--indicators", str(image), "--out", str(tmp_path / "j.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("image.csv: not a text table (binary file?); it looks like a PNG image")


def test_join_onto_a_user_file_names_the_file_for_missing_regions(tmp_path, sources_dir):
    from agglomap.readers import read_boundaries

    own = load_boundaries("2018").query("region_id != 'KZ-79'")[["name_ru", "geometry"]]
    own.to_file(tmp_path / "own.geojson")
    with pytest.warns(UserWarning, match="Shymkent"):
        user = read_boundaries(tmp_path / "own.geojson", vintage="2018")
    _, report = join(default_indicators(), user)
    assert report.unmatched_rows and "KZ-79" in report.unmatched_rows[0]
    assert f"not in your boundary file {tmp_path / 'own.geojson'}" in str(report)


def test_district_names_are_recognised_as_such(tmp_path):
    path = tmp_path / "districts.csv"
    path.write_text(
        "Район;Население\nАршалынский район;40 000\nАккольский район;27 000\n"
        "Бурабайский район;70 000\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="district") as err:
        read_indicators(path)
    assert "districts.csv" in str(err.value)


def test_district_names_in_an_unnamed_region_column(tmp_path, sources_dir, capsys):
    path = tmp_path / "d.csv"
    path.write_text(
        "region,v\nАршалынский район,1\nЦелиноградский район,2\nБурабайский район,3\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_indicators(path)
    text = str(err.value)
    assert err.value.column == "region" and "these look like district names" in text
    assert "district-level joins are not supported by the oblast reader" in text
    assert "--region-column" not in text
    out = tmp_path / "j.csv"
    argv = ["--sources", str(sources_dir), "join", "--indicators", str(path), "--out", str(out)]
    assert main([*argv, "--level", "oblast"]) == 2
    err_lines = capsys.readouterr().err.strip().splitlines()
    assert len(err_lines) == 1 and "district names" in err_lines[0] and not out.exists()
    assert main(argv) == 0  # without --level: detected as a district table and joined
    assert "3 of the 224 district-level units" in capsys.readouterr().out


MARKED = (
    "Регион;Предприятия;ВРП, млн тенге\n"
    "Республика Казахстан;100;1 000,5\n"
    "Акмолинская область;40;500,2\n"
    "Карагандинская область;х;…\n"
    "Павлодарская область;-;500,3\n"
    "Алматы;x;\n"
)


def test_no_data_marks_are_counted_and_reported(tmp_path, layers):
    path = tmp_path / "m.csv"
    path.write_text(MARKED, encoding="utf-8")
    table = read_indicators(path)
    assert table.no_data == {"Предприятия": 3, "ВРП, млн тенге": 1}  # the empty cell is no mark
    assert table.no_data_marks == ["х", "-", "x", "…"]
    _, report = join(table, layers["2018"])
    lines = str(report).splitlines()
    assert (
        "4 cells read as no data ('х', '-', 'x', '…'): 3 in 'Предприятия', 1 in 'ВРП, млн тенге'."
        in lines
    )
    checks = {c.column: c for c in report.total_checks}
    assert set(checks) == {"Предприятия", "ВРП, млн тенге"}
    assert checks["Предприятия"].n_no_data == 3 and checks["Предприятия"].regions_sum == 40
    assert (
        "Предприятия: national total 100, sum of regions 40 (difference -60, -60.00%, "
        "3 regions without data)" in lines
    )


def test_total_checked_when_every_region_is_no_data(tmp_path, layers):
    path = tmp_path / "m.csv"
    path.write_text(
        "Регион;v\nРеспублика Казахстан;10\nАкмолинская область;-\nАлматы;х\n", encoding="utf-8"
    )
    table = read_indicators(path)
    assert table.kinds == {"v": "count"}  # guessed from the total: the regions have no value
    _, report = join(table, layers["2018"])
    (check,) = report.total_checks
    assert check.total == 10 and math.isnan(check.regions_sum) and check.n_no_data == 2
    assert "v: national total 10; no region has data" in str(report).splitlines()


def test_no_marks_no_note(tmp_path, layers):
    _, report = join(default_indicators(), layers["2018"])
    assert report.no_data == {} and "no data" not in str(report)


def test_empty_and_text_columns_named_as_such(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("Регион;v;w;note\nАкмолинская область;1;;a\nАлматы;2;;b\n", encoding="utf-8")
    table = read_indicators(path)
    assert table.empty_columns == ["w"] and table.value_column("V") == "v"
    with pytest.raises(InputError) as err:
        table.value_column("w")
    assert str(err.value) == f"{path}: column 'w' is empty: no numbers to map"
    with pytest.raises(InputError, match="column 'note' holds text, not numbers"):
        table.value_column("note")
    with pytest.raises(InputError, match="no numeric column 'vv'; did you mean 'v'"):
        table.value_column("vv")


def test_header_only_table_has_no_data_rows(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Регион;v\n", encoding="utf-8")
    with pytest.raises(InputError, match="no data rows") as err:
        read_indicators(path)
    assert "region names" not in str(err.value)


def test_join_report_names_regions_whose_row_has_an_empty_value(tmp_path, layers):
    path = tmp_path / "gap.csv"
    path.write_text(
        "Регион;Предприятия;Доля\nАкмолинская;1 148;0,9\nАктюбинская;;1,7\nАлматинская;1 715;-\n",
        encoding="utf-8",
    )
    _, report = join(read_indicators(path), load_boundaries("2018"))
    assert report.empty_values == {"Предприятия": ["KZ-15"], "Доля": ["KZ-19"]}
    text = str(report)
    assert "No value in 'Предприятия' for 1 region(s) with a row: Aktobe Region (KZ-15)" in text
