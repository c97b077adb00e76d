"""The one table reader every user table goes through (agglomap.tables)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from agglomap import tables
from agglomap.cli import main
from agglomap.errors import InputError
from agglomap.readers import read_assessment, read_scores

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- text files


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        (PNG, "PNG image"),
        (b"PK\x03\x04" + bytes(200), "xlsx"),
        (bytes(range(256)) * 4, ""),  # random bytes: NULs and control characters
        (b"\x81\x98\x01\x02\x03\x04\x05\x06\x07" * 20, ""),  # neither UTF-8 nor cp1251
    ],
)
def test_binary_file_is_not_a_text_table(tmp_path, content, hint):
    path = tmp_path / "image.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"not a text table \(binary file\?\)") as err:
        tables.read_table(path)
    assert err.value.path == path and hint in str(err.value)


def test_empty_file(tmp_path):
    for text in ("", "\n\n ; ;\n"):
        path = tmp_path / "empty.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match="empty file"):
            tables.read_table(path)
    with pytest.raises(InputError, match="file not found"):
        tables.read_table(tmp_path / "nope.csv")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_encodings_and_delimiters(tmp_path, encoding, delimiter):
    comma = "50,07" if delimiter != "," else '"50,07"'
    text = f"Город{delimiter}lat{delimiter}lon\nТемиртау{delimiter}{comma}{delimiter}72.96\n"
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    before = _sha(path)
    raw = tables.read_table(path)
    assert raw.columns == ["Город", "lat", "lon"]
    assert raw.frame.iloc[0].tolist() == ["Темиртау", "50,07", "72.96"]
    assert raw.rows == [2] and raw.header_row == 1
    assert _sha(path) == before  # inputs are never modified


def test_title_lines_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Таблица 1. Население;;\n\nИсточник: БНС;;\nРегион;2020;2021\nAkmola;1 000;1 100\n"
        "\nAktobe;900;950\n",
        encoding="utf-8",
    )
    raw = tables.read_table(path)
    assert raw.header_row == 4 and raw.columns == ["Регион", "2020", "2021"]
    assert raw.rows == [5, 7]  # the blank line 6 is skipped, numbering kept
    assert raw.with_row_column()["row"].tolist() == [5, 7]


def test_csv_two_row_header_is_joined(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Регион;ЖӨӨ;;Халық саны\n;млн. теңге;%;адам\nAkmola;1 927 439,20;0,9;735 000\n",
        encoding="utf-8",
    )
    raw = tables.read_table(path)
    assert raw.columns == ["Регион", "ЖӨӨ, млн. теңге", "ЖӨӨ, %", "Халық саны, адам"]
    assert raw.rows == [3] and raw.header_row == 1


def test_first_data_row_with_missing_values_is_not_a_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Region;N;M\nAbai;;\nAkmola;1;2\n", encoding="utf-8")
    raw = tables.read_table(path)
    assert raw.columns == ["Region", "N", "M"]
    assert raw.frame["Region"].tolist() == ["Abai", "Akmola"] and raw.rows == [2, 3]


def test_template_description_rows_are_not_a_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("town;tdm1\nГород;Доля, %\nTown;Share, %\nBalkhash;80\n", encoding="utf-8")
    assert tables.read_table(path).columns == ["town", "tdm1"]


# ---------------------------------------------------------------- workbooks


def test_xlsx_merged_title_and_two_row_header(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Кесте 1. Өңірлер, 2021"])
    ws.merge_cells("A1:D1")
    ws.append(["Өңір", "ЖӨӨ", None, "Халық саны"])
    ws.append([None, "млн. теңге", "%", None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:D3")
    ws.append(["Akmola", 1927439.2, 0.9, 735000])
    ws.append(["Aktobe", "3 039 820,90", "1,7", 920000.0])
    path = tmp_path / "m.xlsx"
    book.save(path)
    raw = tables.read_table(path)
    assert raw.columns == ["Өңір", "ЖӨӨ, млн. теңге", "ЖӨӨ, %", "Халық саны"]
    assert raw.rows == [4, 5] and raw.header_row == 2
    assert raw.frame.iloc[0].tolist() == ["Akmola", "1927439.2", "0.9", "735000"]
    assert raw.frame.iloc[1].tolist() == ["Aktobe", "3 039 820,90", "1,7", "920000"]


def test_xlsx_empty_cells_are_empty_text_and_sheets_by_name(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["ignored", "sheet"])
    ws = book.create_sheet("data")
    ws.append(["a", "b"])
    ws.append([None, 2])
    path = tmp_path / "e.xlsx"
    book.save(path)
    raw = tables.read_table(path, sheet="data")
    assert raw.frame.iloc[0].tolist() == ["", "2"]
    with pytest.raises(InputError, match="did you mean 'data'"):
        tables.read_table(path, sheet="dta")
    with pytest.raises(InputError, match="^[^:]*: sheet applies to .xlsx"):
        tables.read_table(_csv(tmp_path), sheet=1)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    with pytest.raises(InputError, match="save it as .xlsx"):
        tables.read_table(old)


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- column names


COLUMNS = ["Өңір", "ЖӨӨ, млн. теңге", "Халық саны, адам", "ЖӨӨ жан басына, мың теңге"]


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("ЖӨӨ", "ЖӨӨ, млн. теңге"),
        ("жөө, МЛН. теңге", "ЖӨӨ, млн. теңге"),
        ("халық саны", "Халық саны, адам"),
        ("Халк саны, адам", "Халық саны, адам"),
    ],
)
def test_suggest_column(name, first):
    assert tables.suggest_column(name, COLUMNS)[0] == first


def test_column_error_quotes_every_column(tmp_path):
    err = tables.column_error("ЖӨӨ", COLUMNS, path=tmp_path / "kk.xlsx")
    text = str(err)
    assert "did you mean 'ЖӨӨ, млн. теңге'" in text
    assert "(columns: 'Өңір', 'ЖӨӨ, млн. теңге', 'Халық саны, адам'," in text
    assert err.column == "ЖӨӨ" and str(tmp_path / "kk.xlsx") in text
    assert tables.find_column(" жөө,  млн. теңге ", COLUMNS) == "ЖӨӨ, млн. теңге"
    assert tables.find_column("ВРП", COLUMNS) is None


# ---------------------------------------------------------------- monocity-map inputs


def test_scores_and_assessment_in_cp1251_with_decimal_commas(tmp_path):
    scores = tmp_path / "scores_cp1251.csv"
    scores.write_bytes(
        "id;name;lat;lon;tdaa;tdaa_level;ok\n"
        "temirtau;Темиртау;50,07;72,96;17,3;high;True\n"
        "x;Балхаш;46,85;74,98;;low;False\n".encode("cp1251")
    )
    frame = read_scores(scores)
    assert frame["name"].tolist() == ["Темиртау", "Балхаш"]
    assert frame["lat"].tolist() == [50.07, 46.85]
    assert frame["tdaa"].iloc[0] == 17.3 and pd.isna(frame["tdaa"].iloc[1])
    assert frame["ok"].tolist() == [True, False]
    assessment = tmp_path / "a.csv"
    assessment.write_bytes("town_id;top_scenario\ntemirtau;инновационный\n".encode("cp1251"))
    assert read_assessment(assessment)["top_scenario"].tolist() == ["инновационный"]


def test_cli_refuses_binary_tables_in_one_line(tmp_path, capsys):
    image = tmp_path / "image.csv"
    image.write_bytes(PNG + os.urandom(64))
    out = tmp_path / "o.csv"
    assert main(["join", "--indicators", str(image), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "image.csv: not a text table (binary file?)" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["monocity-map", "--scores", str(image), "--out", str(tmp_path / "m.html")]) == 2
    assert "not a text table (binary file?)" in capsys.readouterr().err
    assert main(["monocity", "--indicators", str(image), "--out", str(out)]) == 2
    assert "not a text table (binary file?)" in capsys.readouterr().err
    assert not out.exists()


def test_csv_named_xlsx_is_not_an_excel_file(tmp_path, capsys):
    path = tmp_path / "table.xlsx"
    path.write_text("Регион;v\nАкмолинская область;1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        tables.read_table(path)
    assert str(err.value) == f"{path}: not an Excel .xlsx file (is it a CSV renamed?)"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError) as err:
        tables.read_table(path)
    assert str(err.value) == f"{path}: not an Excel .xlsx file"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        tables.read_table(path)
    path.write_text("Регион;v\nАкмолинская область;1\n", encoding="utf-8")
    out = tmp_path / "j.csv"
    assert main(["join", "--indicators", str(path), "--out", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("(is it a CSV renamed?)")
    assert "zip" not in lines[0]


@pytest.mark.parametrize(
    ("command", "option"),
    [("score", "--config"), ("monocity", "--rules"), ("corridors", "--extra")],
)
@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("регион;значение\n".encode("cp1251"), "is not UTF-8 text"),
        (bytes(range(256)), "is not UTF-8 text"),
        (b"fua_max_km: [1\n", "not valid YAML"),
    ],
)
def test_every_yaml_option_refuses_a_bad_file_in_one_line(
    tmp_path, capsys, command, option, content, expect
):
    bad = tmp_path / "settings.yaml"
    bad.write_bytes(content)
    code = main([command, option, str(bad), "--out", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and expect in err and "settings.yaml" in err
    assert not (tmp_path / "out.csv").exists()
