"""Workbooks for readers: names in the reader's language, rounded values, a why sentence per
TDaa indicator that agrees with the score, a column dictionary; machine tables unchanged."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from agglomap.cli import main
from agglomap.workbooks import readable_assessment, readable_scores


@pytest.fixture(scope="module")
def scores(sources_dir):
    from agglomap.agglomeration import score_towns
    from agglomap.gazetteer import monocities

    return score_towns(monocities())


def test_why_sentences_agree_with_the_scores(scores):
    table = readable_scores(scores, "en")
    for part, why in (("tdaa1", "tdaa1_why"), ("tdaa2", "tdaa2_why")):
        for value, text in zip(table[part], table[why], strict=True):
            assert ("≤" in text) == (value == 100), (part, value, text)
    aksu = table[table["town"] == "Aksu"].iloc[0]
    assert aksu["tdaa1_why"].startswith("nearest core city Pavlodar ")
    assert aksu["tdaa1_why"].endswith(" km by road ≤ 60 km")
    for text, n in zip(table["tdaa3_why"], table["n_corridors_counted"], strict=True):
        assert text.startswith(f"{n} corridor(s) within 25 km")


def test_russian_table_names_regions_and_rounds(scores):
    table = readable_scores(scores, "ru")
    assert "Карагандинская область" in set(table["region"])
    assert "Темиртау" in set(table["town"])
    km = pd.to_numeric(table["core_city_km"])
    assert (km.round(1) == km).all()
    assert table["tdaa_level"].isin(["низкий", "средний", "выше среднего", "высокий"]).all()
    assert table["tdaa1_why"].str.contains(" км ").all()


def test_assessment_for_readers_has_level_words_and_scenarios():
    from agglomap.monocity import assess, paper_inputs

    table = readable_assessment(assess(paper_inputs()), "ru")
    assert list(table["town"]) == ["Балхаш", "Каражал", "Темиртау"]
    assert len(table.columns) == 19  # not 69 working columns
    assert table["tdm"].round(2).equals(table["tdm"])
    assert set(table["top_scenario"]) <= {
        "инерционный",
        "сбалансированный",
        "инновационный",
        "диверсификационный",
    }


def test_cli_score_writes_a_russian_workbook_csv_keeps_keys(sources_dir, tmp_path):
    xlsx, csv = tmp_path / "s.xlsx", tmp_path / "s.csv"
    assert main(["score", "--out", str(xlsx), "--lang", "ru"]) == 0
    book = openpyxl.load_workbook(xlsx)
    header = [c.value for c in book.worksheets[0][1]]
    assert header[:3] == ["Город", "Область", "Население"]
    meaning = list(book.worksheets[1].iter_rows(values_only=True))
    assert meaning[0] == ("Столбец", "Значение", "Единица")
    assert ("До крупного города, км", "Расстояние до ближайшего крупного города", "км") in meaning
    assert main(["score", "--out", str(csv), "--lang", "ru"]) == 0
    machine = pd.read_csv(csv)
    assert {"id", "oblast", "tdaa1", "core_city_km_geodesic"} <= set(machine.columns)


def test_cli_monocity_writes_a_russian_assessment_workbook(sources_dir, tmp_path):
    out = tmp_path / "a.xlsx"
    assert main(["monocity", "--out", str(out), "--lang", "ru"]) == 0
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Город" and rows[1][0] == "Балхаш"
    assert "Рекомендуемый сценарий" in rows[0]
