"""Bad tables that used to give a silent wrong answer or a poor message (issue 11):
numbers too large for a float, mixed delimiters, UTF-16 text, formulas without saved
results, data on another sheet, a shapefile without its .dbf, very wide tables and very
long error lists. Each is one line (exit 2) naming the file, or read correctly."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from agglomap import tables
from agglomap.cli import main
from agglomap.data import data_path
from agglomap.errors import InputError
from agglomap.indicators import read_indicators
from agglomap.numbers import parse_number

TABLE = data_path("innovation_2021.csv").read_text(encoding="utf-8")
COLUMN = "Кәсіпорындар саны барлығы, бірлік"


def _error_line(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = [ln for ln in err.splitlines() if ln.startswith(f"agglomap {command}: error:")]
    assert len(lines) == 1, err
    return lines[0]


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- numbers are finite ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["1e309", "-1e309", "1,5e400", float("inf"), 10**400])
def test_numbers_too_large_are_refused(text):
    with pytest.raises(ValueError, match="not a finite number"):
        parse_number(text)


def test_1e309_in_a_table_names_file_row_and_column(tmp_path, capsys):
    path = _write(tmp_path, "big.csv", TABLE.replace("Актобе;1 144;", "Актобе;1e309;"))
    out = tmp_path / "j.csv"
    assert main(["join", "--indicators", str(path), "--out", str(out)]) == 2
    assert _error_line(capsys, "join") == (
        f"agglomap join: error: {path}, row 4, column {COLUMN!r}: expected a number, "
        "found '1e309' (too large for a number)"
    )
    assert not out.exists()


def test_1e309_in_monocity_inputs_is_refused(tmp_path, capsys):
    text = data_path("monocity_paper.csv").read_text(encoding="utf-8")
    path = _write(
        tmp_path, "in.csv", text.replace("Balkhash,80,27.3,15,", "Balkhash,80,27.3,1e309,")
    )
    out = tmp_path / "m.csv"
    assert main(["monocity", "--indicators", str(path), "--out", str(out)]) == 2
    line = _error_line(capsys, "monocity")
    assert str(path) in line and "row 2" in line and "output_volume" in line
    assert not out.exists()


def test_1e309_population_of_a_town_is_refused(tmp_path, capsys):
    path = _write(tmp_path, "towns.csv", "name,lat,lon,population\nTemirtau,50.05,72.96,1e309\n")
    assert main(["score", "--towns", str(path), "--out", str(tmp_path / "s.csv")]) == 2
    line = _error_line(capsys, "score")
    assert f"{path}, row 2, column 'population'" in line and "'1e309'" in line


# --- mixed delimiters ------------------------------------------------------------------


def test_rows_with_another_delimiter_are_named(tmp_path, capsys):
    lines = TABLE.splitlines()
    lines[3], lines[4] = lines[3].replace(";", ","), lines[4].replace(";", ",")
    path = _write(tmp_path, "mixed.csv", "\n".join(lines) + "\n")
    assert main(["join", "--indicators", str(path), "--out", str(tmp_path / "j.csv")]) == 2
    assert _error_line(capsys, "join") == (
        f"agglomap join: error: {path}: mixed delimiters: rows 4, 5 are separated by ',' "
        "while the rest of the file uses ';'; read with one, the others would be lost — "
        "save the file with one delimiter"
    )


def test_a_footnote_with_a_comma_is_not_a_mixed_row(tmp_path):
    path = _write(tmp_path, "note.csv", TABLE + "Источник: Бюро национальной статистики, 2022\n")
    assert len(read_indicators(path).data) == 17


def test_long_lists_of_mixed_rows_are_bounded(tmp_path):
    good = "".join(f"Актобе;{i};{i}\n" for i in range(20))
    bad = "".join(f"Акмола,{i},{i}\n" for i in range(5000))
    path = _write(tmp_path, "m.csv", "region;a;b\n" + good + bad)
    with pytest.raises(InputError) as err:
        tables.read_table(path)
    assert "rows 22, 23, 24, 25, 26, 27, 28, 29, 30, 31 … and 4 990 more rows" in str(err.value)
    assert len(str(err.value)) < 400


# --- encodings -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_excel_unicode_text_and_other_encodings_are_read(tmp_path, encoding):
    tab = TABLE.replace(";", "\t")  # Excel's "Unicode text" is tab-separated UTF-16
    path = _write(tmp_path, "t.txt", tab, encoding)
    table = read_indicators(path)
    reference = read_indicators(data_path("innovation_2021.csv"))
    pd.testing.assert_frame_equal(table.data, reference.data)


# --- workbooks -------------------------------------------------------------------------


def _workbook(path, formula_cache: bool = False):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["region", "a", "b"])
    for i, region in enumerate(["Акмола", "Актобе", "Атырау"], start=2):
        sheet.append([region, i, f"=B{i}*2"])
    book.save(path)
    if formula_cache:  # what Excel does on saving: the result beside the formula
        _add_cached_results(path)
    return path


def _add_cached_results(path) -> None:
    import re

    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = re.sub(
                    r'<c r="C(\d)"([^>]*)><f>B\d\*2</f><v\s*/?>(?:</v>)?',
                    lambda m: f'<c r="C{m[1]}"{m[2]}><f>B{m[1]}*2</f><v>{2 * int(m[1])}</v>',
                    text,
                )
                data = text.encode()
            dst.writestr(item, data)
    path.write_bytes(buffer.getvalue())


def test_formulas_without_saved_results_are_named(tmp_path, capsys):
    path = _workbook(tmp_path / "script.xlsx")
    assert main(["join", "--indicators", str(path), "--out", str(tmp_path / "j.csv")]) == 2
    line = _error_line(capsys, "join")
    assert f"{path}: sheet 'Sheet': cells C2, C3, C4 hold formulas without a saved result" in line
    assert "open and save the workbook in Excel" in line


def test_formulas_with_saved_results_are_read(tmp_path):
    path = _workbook(tmp_path / "saved.xlsx", formula_cache=True)
    raw = tables.read_table(path)
    assert raw.frame["b"].tolist() == ["4", "6", "8"]


def test_data_on_another_sheet_names_it_and_the_option(tmp_path, capsys):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Пояснения"
    book.active.append(["Данные на листе Data"])
    data = book.create_sheet("Data")
    data.append(["region", "a"])
    for region, value in (("Акмола", 1), ("Актобе", 2)):
        data.append([region, value])
    path = tmp_path / "two.xlsx"
    book.save(path)
    out = tmp_path / "j.csv"
    assert main(["join", "--indicators", str(path), "--out", str(out)]) == 2
    assert _error_line(capsys, "join") == (
        f"agglomap join: error: {path}: the first sheet 'Пояснения' holds no table; the "
        "workbook's other sheets 'Data' (3 rows) do: choose one with --sheet NAME "
        "(sheet=NAME in Python; a number counts from 0)"
    )
    assert main(["join", "--indicators", str(path), "--sheet", "Data", "--out", str(out)]) == 0


# --- shapefiles ------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [".dbf", ".shx"])
def test_a_shapefile_without_its_parts_names_them(tmp_path, capsys, missing):
    towns = gpd.GeoDataFrame({"name": ["Temirtau"]}, geometry=[Point(72.96, 50.05)], crs=4326)
    shp = tmp_path / "towns.shp"
    towns.to_file(shp)
    (tmp_path / f"towns{missing}").unlink()
    assert main(["score", "--towns", str(shp), "--out", str(tmp_path / "s.csv")]) == 2
    line = _error_line(capsys, "score")
    assert line.startswith(f"agglomap score: error: {shp}: the shapefile's towns{missing}, its")
    assert "is missing beside it" in line
    argv = ["join", "--indicators", str(data_path("innovation_2021.csv")), "--boundaries"]
    assert main([*argv, str(shp), "--out", str(tmp_path / "j.csv")]) == 2
    assert f"the shapefile's towns{missing}" in _error_line(capsys, "join")


# --- size ------------------------------------------------------------------------------


def test_very_wide_tables_are_refused_before_parsing(tmp_path, monkeypatch):
    header = "region;" + ";".join(f"c{i}" for i in range(1_000_000))
    path = _write(tmp_path, "wide.csv", header + "\nАкмола;" + ";".join("1" * 1_000_000) + "\n")

    def no_parsing(text):
        raise AssertionError("the width is checked before the file is parsed")

    monkeypatch.setattr(tables, "sniff", no_parsing)
    with pytest.raises(InputError, match=r"1 000 001 columns; agglomap reads tables of at most"):
        tables.read_table(path)


def test_5000_columns_are_refused_with_a_hint(tmp_path, capsys):
    header = "region;" + ";".join(f"c{i}" for i in range(5000))
    path = _write(tmp_path, "w.csv", header + "\nАкмола;" + ";".join(["1"] * 5000) + "\n")
    assert main(["join", "--indicators", str(path), "--out", str(tmp_path / "j.csv")]) == 2
    assert "is the table transposed?" in _error_line(capsys, "join")


def test_repeated_regions_give_a_bounded_message(tmp_path, capsys):
    rows = "".join(f"Акмола;{i}\n" for i in range(20_000))
    path = _write(tmp_path, "rep.csv", "region;value\n" + rows)
    assert main(["join", "--indicators", str(path), "--out", str(tmp_path / "j.csv")]) == 2
    line = _error_line(capsys, "join")
    assert len(line) < 400, line
    assert (
        "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … and 19 990 more rows all name region KZ-11" in line
    )


def test_many_unknown_names_give_a_bounded_message(tmp_path):
    rows = "".join(f"Нарния {i};{i}\n" for i in range(3000))
    path = _write(tmp_path, "unk.csv", "region;value\nАкмола;1\n" + rows)
    with pytest.raises(InputError) as err:
        read_indicators(path)
    text = str(err.value)
    assert len(text.splitlines()) < 30 and "… and 2 980 more rows" in text
