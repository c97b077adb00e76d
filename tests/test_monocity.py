"""Monocity assessment: the seed paper's numbers, its levels, the template and the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from agglomap import monocity
from agglomap.cli import main
from agglomap.errors import InputError
from agglomap.monocity.template import COLUMNS
from helpers import error_line

TOWNS = ["Balkhash", "Karazhal", "Temirtau"]
INDICATOR_COLUMNS = ["tdm", "tde", "tda", "tdea", "tdda", "tdzhia", "tdaa", "tdsp"]


@pytest.fixture(scope="module")
def paper() -> pd.DataFrame:
    return monocity.paper_inputs()


@pytest.fixture(scope="module")
def result(paper) -> pd.DataFrame:
    return monocity.assess(paper, tdaa="paper")


def values(frame: pd.DataFrame, column: str) -> list[float]:
    return [round(float(v), 2) for v in frame[column]]


# --- the paper's numbers -------------------------------------------------------------


def test_paper_inputs_are_the_three_towns_as_printed(paper):
    assert list(paper["town"]) == TOWNS
    assert list(paper["tdm2"]) == [27.3, 50, 12]
    assert list(paper["jobs_total_planned"]) == [11159] * 3


def test_mono_profile_geometric_reproduces_table_2(result):
    assert values(result, "tdm") == [46.73, 59.58, 31.37]
    assert list(result["tdm_level"]) == ["medium", "medium", "low"]
    assert list(result["tdm_level"]) == list(result["tdm_level_paper"])


def test_mono_profile_other_readings(paper):
    complement = monocity.assess(paper, tdaa="paper", tdm_formula="complement")
    assert values(complement, "tdm") == [53.27, 40.42, 68.63]
    # the complement contradicts the paper's "low" for Temirtau
    assert list(complement["tdm_level"]) == ["medium", "medium", "medium"]
    text = monocity.assess(paper, tdaa="paper", tdm_formula="text")
    assert values(text, "tdm") == [92.74, 95.42, 91.63]
    assert list(text["tdm_level"]) == ["high", "high", "high"]


def test_text_formula_refuses_a_negative_radicand(paper):
    flipped = paper.assign(tdm1=paper["tdm2"], tdm2=paper["tdm1"])
    with pytest.raises(InputError, match=r"TDm.*Balkhash"):
        monocity.assess(flipped, tdaa="paper", tdm_formula="text")


def test_economy_and_social_efficiency(result):
    assert list(result["tde"].round(3)) == [15.825, 13.975, 18.7]
    assert list(result["tda"].round(3)) == [52.9, 53.325, 49.075]
    assert values(result, "tdea") == [28.93, 27.30, 30.29]
    # 30.29 is "high" under the consistent bands; the paper says "above average"
    assert list(result["tdea_level"]) == ["above average", "above average", "high"]
    assert list(result["tdea_level_paper"]) == ["above average"] * 3


def test_demographic_potential(result):
    assert values(result, "tdda") == [7.68, 7.28, 7.52]
    assert list(result["tdda_level"]) == ["average", "below average", "average"]
    assert list(result["tdda_level_paper"]) == ["average", "below average", "average"]
    assert list(result["tdda_level_table5"]) == ["average", "above average", "average"]


def test_private_investment_exact_arithmetic(result):
    shares = result[["tdzhia1", "tdzhia2", "tdzhia3", "tdzhia4"]].sum(axis=1)
    assert list(shares.round(2)) == [26.36, 25.79, 48.09]  # digest truncates to 48.08
    assert values(result, "tdzhia") == [5.13, 5.08, 6.93]
    assert list(result["tdzhia_level"]) == ["above medium"] * 3
    # beside it, the paper's values from its sums with the ×10 slip
    assert list(result["tdzhia_paper"]) == [5, 4, 6.8]
    assert list(result["tdzhia_level_paper"]) == ["medium", "medium", "above medium"]


def test_agglomeration_with_the_papers_parts(result):
    assert list(result["tdaa_source"]) == ["paper"] * 3
    assert values(result, "tdaa") == [14.14, 10.00, 17.32]
    # exactly 10.0 goes to the upper band; the paper says "medium"
    assert list(result["tdaa_level"]) == ["above medium", "above medium", "high"]
    assert list(result["tdaa_level_paper"]) == ["above medium", "medium", "high"]


def test_special_potential(result):
    assert values(result, "tdsp") == [14.14, 10.00, 10.00]
    assert list(result["tdsp_level"]) == ["high", "high", "high"]
    assert list(result["tdsp_level_paper"]) == ["high", "medium", "medium"]


def test_lower_boundary_rule_gives_the_papers_levels_on_boundaries(paper):
    lower = monocity.assess(paper, tdaa="paper", boundary="lower")
    assert list(lower["tdaa_level"]) == list(lower["tdaa_level_paper"])
    assert list(lower["tdsp_level"]) == list(lower["tdsp_level_paper"])


@pytest.mark.parametrize(
    ("indicator", "value", "upper", "lower"),
    [
        ("tdm", 35.0, "medium", "low"),
        ("tdm", 70.0, "high", "medium"),
        ("tdm", 100.0, "high", "high"),
        ("tdm", 0.0, "low", "low"),
        ("tdea", 30.0, "high", "above average"),
        ("tdea", 4.99, "very low", "very low"),
        ("tdda", 7.5, "average", "below average"),
        ("tdda", 14.0, "high", "high"),  # above the printed 13: still the top band
        ("tdzhia", 5.0, "above medium", "medium"),
        ("tdaa", 10.0, "above medium", "medium"),
        ("tdsp", 10.0, "high", "medium"),
    ],
)
def test_bands_and_boundary_rule(indicator, value, upper, lower):
    assert monocity.classify(np.array([value]), indicator, "upper")[0] == upper
    assert monocity.classify(np.array([value]), indicator, "lower")[0] == lower


# --- scenario -------------------------------------------------------------------------


def test_scenario_pluses_follow_the_rule(result):
    temirtau = result.iloc[2]
    # low mono-profile +1, high TDea +2, above-medium TDzhia +1, high TDaa +2
    assert temirtau["plus_innovative"] == 6
    assert "tdea high +2" in temirtau["reason_innovative"]
    assert temirtau["scenario_ranking"] == "innovative > diversification > balanced > inertial"
    assert temirtau["top_scenario"] == "innovative"
    assert list(result["plus_diversification_paper"]) == [4, 1, 6]
    assert result.iloc[0]["scenario_ranking_paper"] == (
        "innovative = diversification > balanced > inertial"
    )


def test_other_rules_file_changes_the_scores(paper, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "scenarios:\n"
        "  inertial: {rules: [{indicator: tdm, pluses: {medium: 3}}]}\n"
        "  balanced: {rules: []}\n"
        "  innovative: {rules: []}\n"
        "  diversification: {rules: []}\n",
        encoding="utf-8",
    )
    out = monocity.assess(paper, tdaa="paper", rules=str(rules))
    assert list(out["plus_inertial"]) == [3, 3, 0]
    assert out.iloc[2]["scenario_ranking"] == "inertial = balanced = innovative = diversification"
    rho = (
        monocity.comparison_table(out).set_index(["town", "item"]).loc[("Temirtau", "spearman_rho")]
    )
    assert np.isnan(rho["computed"]) and rho["note"] == "undefined: all four scores equal"


def test_bad_rules_file_names_the_mistake(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "scenarios:\n  inertial: {rules: [{indicator: tdm, pluses: {hihg: 1}}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"rules\.yaml.*no level 'hihg'.*did you mean 'high'"):
        monocity.load_rules(rules)


def test_comparison_table_rows(result):
    table = monocity.comparison_table(result)
    assert list(table["town"].unique()) == TOWNS
    items = list(table.loc[table["town"] == "Temirtau", "item"])
    for item in ["tdm", "tdm_level", "tdea", "tdzhia_level", "tdaa1", "tdsp_level",
                 "plus_inertial", "plus_diversification", "scenario_ranking", "top_scenario",
                 "spearman_rho"]:  # fmt: skip
        assert item in items
    row = table.set_index(["town", "item"])
    assert not row.loc[("Balkhash", "tdm"), "agree"]  # the paper prints 53 = 100 − 46.73
    assert row.loc[("Karazhal", "tdm"), "agree"]  # 59.58 vs 59.5
    assert not row.loc[("Karazhal", "tdzhia"), "agree"]  # 5.08 vs 4 (the ×10 slip)
    assert row.loc[("Karazhal", "tdda_level"), "note"] == "table 5 says 'above average'"
    assert row.loc[("Balkhash", "top_scenario"), "agree"]
    assert row.loc[("Karazhal", "top_scenario"), "paper"] == "balanced"
    md = monocity.comparison_markdown(table)
    assert md.startswith("| item | Balkhash computed | Balkhash paper |")
    assert "| tdm | 46.73 ✗ | 53 |" in md


# --- input template -------------------------------------------------------------------


def paper_rows(paper: pd.DataFrame) -> pd.DataFrame:
    """The paper's inputs with its TDaa parts, as a planner would type them."""
    rep = monocity.reported()
    rows = paper.drop(columns=["row", "source"]).copy()
    for part in ("tdaa1", "tdaa2", "tdaa3"):
        rows[part] = rep.loc[["balkhash", "karazhal", "temirtau"], f"{part}_paper"].to_numpy()
    return rows


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_template_round_trip(paper, result, tmp_path, ext):
    blank = tmp_path / f"blank{ext}"
    monocity.write_template(blank)
    with pytest.raises(InputError, match="no towns"):
        monocity.read_inputs(blank)
    filled = tmp_path / f"filled{ext}"
    monocity.write_template(filled, example=paper_rows(paper))
    back = monocity.read_inputs(filled)
    assert list(back["row"]) == [4, 5, 6]  # under the header and two description rows
    again = monocity.assess(back)
    assert list(again["tdaa_source"]) == ["input"] * 3
    cols = INDICATOR_COLUMNS + [f"{c}_level" for c in monocity.BANDS] + ["scenario_ranking"]
    pd.testing.assert_frame_equal(again[cols], result[cols])


def test_shipped_templates_are_what_write_template_makes(tmp_path):
    from agglomap.data import data_path

    for ext in (".csv", ".xlsx"):
        shipped = pd.read_csv if ext == ".csv" else pd.read_excel
        fresh = tmp_path / f"t{ext}"
        monocity.write_template(fresh)
        pd.testing.assert_frame_equal(
            shipped(data_path(f"templates/monocity_template{ext}")), shipped(fresh)
        )


def test_russian_headers_and_published_numbers(paper, result, tmp_path):
    path = tmp_path / "ru.csv"
    rows = paper_rows(paper)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow([c.ru for c in COLUMNS])
        for _, r in rows.iterrows():
            cells = [str(r[c.key]).replace(".", ",") if c.key != "town" else r[c.key]
                     for c in COLUMNS]  # fmt: skip
            w.writerow([c.removesuffix(",0") for c in cells])
    text = path.read_text(encoding="utf-8").replace("12300", "12 300").replace("ё", "е")
    path.write_text(text, encoding="utf-8")
    back = monocity.read_inputs(path)
    assert list(back["jobs_total_created"]) == [12300] * 3
    assert list(back["tdm2"]) == [27.3, 50, 12]
    again = monocity.assess(back)
    assert values(again, "tdea") == values(result, "tdea")
    assert list(again["scenario_ranking"]) == list(result["scenario_ranking"])


def test_bilingual_header_cells(paper, tmp_path):
    path = tmp_path / "bi.csv"
    rows = paper_rows(paper)
    rows.columns = [f"{c} | {monocity.template.BY_KEY[c].ru}" for c in rows.columns]
    rows.to_csv(path, index=False)
    assert list(monocity.read_inputs(path)["town"]) == TOWNS


def write_paper_csv(paper: pd.DataFrame, path: Path, **changes: tuple[int, object]) -> Path:
    rows = paper.drop(columns=["row"]).astype(object)
    for column, (i, value) in changes.items():
        rows.loc[i, column] = value
    rows.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("changes", "row", "column", "message"),
    [
        ({"tdm1": (1, 180)}, 3, "tdm1", "between 0 and 100"),
        ({"econ_active_share": (0, -4)}, 2, "econ_active_share", "between 0 and 100"),
        ({"wage_level": (2, "about 95")}, 4, "wage_level", "expected a number"),
        ({"projects_realised": (2, "14/94")}, 4, "projects_realised", "separate columns"),
        ({"jobs_created": (0, 13000)}, 2, "jobs_created", "more than its total"),
        ({"projects_total_planned": (1, 0)}, 3, "projects_total_planned", "greater than 0"),
        ({"tourism": (0, 50)}, 2, "tourism", "0 \\(absent\\) or 100"),
        ({"natural_growth": (1, "")}, 3, "natural_growth", "a value is required"),
    ],
)
def test_bad_input_names_file_row_and_column(paper, tmp_path, changes, row, column, message):
    path = write_paper_csv(paper, tmp_path / "bad.csv", **changes)
    with pytest.raises(InputError, match=message) as err:
        monocity.read_inputs(path)
    assert err.value.path == path
    assert err.value.row == row
    assert err.value.column == column
    assert str(path) in str(err.value) and f"row {row}" in str(err.value)


def test_missing_and_misspelt_columns(paper, tmp_path):
    path = tmp_path / "missing.csv"
    paper.drop(columns=["row", "tourism"]).to_csv(path, index=False)
    with pytest.raises(InputError, match="missing column.*'tourism'") as err:
        monocity.read_inputs(path)
    assert err.value.column == "tourism" and err.value.path == path
    paper.drop(columns=["row"]).rename(columns={"tourism": "turism"}).to_csv(path, index=False)
    with pytest.raises(InputError, match="'turism'; did you mean tourism"):
        monocity.read_inputs(path)


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_title_row_above_the_header_is_skipped(paper, tmp_path, ext):
    rows = paper_rows(paper)
    path = tmp_path / f"titled{ext}"
    if ext == ".csv":
        with path.open("w", encoding="cp1251", newline="") as f:
            f.write("Моногорода Карагандинской области, 2024;;\n")
            rows.to_csv(f, index=False, sep=";", decimal=",")
    else:
        rows.to_excel(path, index=False, startrow=2)
        book = openpyxl.load_workbook(path)
        book.active["A1"] = "Моноқалалар, 2024"
        book.save(path)
    back = monocity.read_inputs(path)
    assert list(back["town"]) == TOWNS
    assert list(back["row"]) == ([3, 4, 5] if ext == ".csv" else [4, 5, 6])
    assert list(back["tdm2"]) == [27.3, 50, 12]


@pytest.mark.parametrize("header", ["Город", "Қала", "Town", "город"])
def test_plain_town_headers(paper, tmp_path, header):
    path = tmp_path / "h.csv"
    paper.drop(columns=["row"]).rename(columns={"town": header}).to_csv(path, index=False)
    assert list(monocity.read_inputs(path)["town"]) == TOWNS


def test_misspelt_russian_header_suggests_the_column(paper, tmp_path):
    rows = paper_rows(paper)
    ru = {c.key: c.ru for c in COLUMNS}
    rows.columns = [ru[c] for c in rows.columns]
    typo = "Доля градообразующего предприятия в объеме продукции, %"
    rows = rows.rename(columns={ru["tdm1"]: typo})
    path = tmp_path / "ru.csv"
    rows.to_csv(path, index=False, sep=";")
    with pytest.raises(InputError) as err:
        monocity.read_inputs(path)
    assert err.value.row == 1 and err.value.column == typo
    assert f"did you mean tdm1 ({ru['tdm1']!r})" in str(err.value)


def test_missing_columns_name_the_header_row(paper, tmp_path):
    path = tmp_path / "m.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("Title\n")
        paper.drop(columns=["row", "tourism"]).to_csv(f, index=False)
    with pytest.raises(InputError, match="missing column.*'tourism'") as err:
        monocity.read_inputs(path)
    assert err.value.row == 2


def test_volumes_are_indices_that_may_exceed_100(paper, tmp_path):
    """TDe1, TDe3, TDe4 are volumes in % (the paper: "өнеркәсіп өндірісінің көлемі, %"), e.g.
    an index to the previous year; only TDe2 is a share ("шығынсыз кәсіпорындардың үлесі")."""
    path = write_paper_csv(
        paper,
        tmp_path / "idx.csv",
        output_volume=(0, 101.2),
        fixed_capital_investment=(1, 134.5),
        budget_revenue=(2, 108),
    )
    back = monocity.read_inputs(path)
    assert list(back["output_volume"]) == [101.2, 0.8, 25]
    assert monocity.assess(back, tdaa="paper").at[0, "tde"] == pytest.approx(
        (101.2 + 41 + 5 + 2.3) / 4
    )
    for column, value, message in [
        ("output_volume", -1, "must not be negative"),
        ("profitable_share", 101.2, "between 0 and 100"),
    ]:
        path = write_paper_csv(paper, tmp_path / "bad.csv", **{column: (0, value)})
        with pytest.raises(InputError, match=message) as err:
            monocity.read_inputs(path)
        assert (err.value.row, err.value.column) == (2, column)


def test_xlsx_error_rows_are_excel_rows(paper, tmp_path):
    path = tmp_path / "bad.xlsx"
    rows = paper_rows(paper)
    rows.loc[1, "culture_institutions"] = 160
    monocity.write_template(path, example=rows)
    with pytest.raises(InputError, match=r"bad\.xlsx, row 5, column 'culture_institutions'"):
        monocity.read_inputs(path)


def test_partial_tdaa_override_is_refused(paper, tmp_path):
    rows = paper_rows(paper)
    rows.loc[0, "tdaa2"] = np.nan
    path = tmp_path / "partial.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(InputError, match="fill all three"):
        monocity.assess(monocity.read_inputs(path))


def test_inputs_are_not_modified(paper, tmp_path):
    path = write_paper_csv(paper, tmp_path / "in.csv")
    before = path.read_bytes()
    monocity.assess(monocity.read_inputs(path), tdaa="paper")
    assert path.read_bytes() == before


# --- command line ---------------------------------------------------------------------


def test_cli_paper_towns_with_comparison(tmp_path, capsys):
    out, md = tmp_path / "mono.xlsx", tmp_path / "cmp.md"
    assert main(["monocity", "--tdaa", "paper", "--out", str(out), "--comparison", str(md)]) == 0
    table = pd.read_excel(out)
    assert values(table, "tdzhia") == [5.13, 5.08, 6.93]
    assert (tmp_path / "mono.xlsx.sources.json").exists()
    assert "| tdm | 46.73 ✗ | 53 |" in md.read_text(encoding="utf-8")
    assert "Temirtau: innovative > diversification" in capsys.readouterr().err


def test_cli_gpkg_has_points_at_the_towns(tmp_path):

    out = tmp_path / "mono.gpkg"
    assert main(["monocity", "--tdaa", "paper", "--out", str(out)]) == 0
    layer = gpd.read_file(out)
    assert list(layer["town_id"]) == ["balkhash", "karazhal", "temirtau"]
    assert layer.geometry.x.between(70, 76).all() and layer.geometry.y.between(46, 51).all()


def test_cli_template_and_bad_input(paper, tmp_path, capsys):
    tpl = tmp_path / "t.xlsx"
    assert main(["monocity", "--template", str(tpl)]) == 0
    assert pd.read_excel(tpl).columns[0] == "town"
    bad = write_paper_csv(paper, tmp_path / "bad.csv", tdm2=(0, 127.3))
    rc = main(
        ["monocity", "--indicators", str(bad), "--tdaa", "paper", "-o", str(tmp_path / "x.csv")]
    )
    assert rc == 2
    assert "bad.csv, row 2, column 'tdm2'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


# --- agglomeration potential from real distances -------------------------------------


def test_computed_tdaa_from_distances(paper):
    out = monocity.assess(paper)  # default: computed by agglomap.agglomeration
    assert list(out["tdaa_source"]) == ["computed"] * 3
    assert set(out[["tdaa1", "tdaa2", "tdaa3"]].to_numpy().ravel()) <= {0.0, 100.0}
    temirtau, balkhash = out.iloc[2], out.iloc[0]
    # Temirtau is a neighbour of Karaganda (~30 km): inside its urban area and next to it
    assert temirtau["tdaa1"] == 100 and temirtau["tdaa2"] == 100
    assert "Karaganda" in temirtau["tdaa_evidence"]
    # Balkhash is some 350 km from the nearest large city: the paper's TDaa2 = 100 is not
    # reproduced, and the comparison shows it
    assert balkhash["tdaa2"] == 0 and balkhash["tdaa2_paper"] == 100
    table = monocity.comparison_table(out).set_index(["town", "item"])
    assert not table.loc[("Balkhash", "tdaa2"), "agree"]
    assert table.loc[("Balkhash", "tdaa2"), "note"] == "TDaa source: computed"


def test_unknown_town_cannot_have_computed_tdaa(paper):
    renamed = paper.assign(town=["Balkhash", "Karazhall", "Atlantis"])
    with pytest.raises(
        InputError, match=r"'Karazhall'.*did you mean 'karazhal' \(Karazhal\)"
    ) as err:
        monocity.assess(renamed)
    assert err.value.row == 3 and err.value.column == "town"


def test_assess_errors_name_the_input_file(paper, tmp_path):
    path = write_paper_csv(paper, tmp_path / "towns.csv", town=(2, "Atlantis"))
    with pytest.raises(InputError, match=r"towns\.csv, row 4, column 'town'.*Atlantis"):
        monocity.assess(monocity.read_inputs(path))


def test_docs_show_the_current_comparison(result):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "monocity.md").read_text(encoding="utf-8")
    shown = doc.split("<!-- comparison:paper -->\n")[1].split("<!-- /comparison -->")[0]
    assert shown == monocity.comparison_markdown(result)


def test_transcription_of_the_paper_is_self_consistent(paper):
    """The paper prints sums next to its inputs: they check the transcription of both."""
    rep = monocity.reported().loc[["balkhash", "karazhal", "temirtau"]]
    social = paper[["wage_level", "edu_med_institutions", "culture_institutions",
                    "unemployment_level"]].sum(axis=1)  # fmt: skip
    assert list(social.round(1)) == list(rep["tda_sum_paper"])  # 211,6 213,3 196,3
    demographic = paper["natural_growth"] + paper["econ_active_share"]
    assert list(demographic) == list(rep["tdda_sum_paper"])  # 59 53 56,5
    economy = paper[["output_volume", "profitable_share", "fixed_capital_investment",
                     "budget_revenue"]].sum(axis=1)  # fmt: skip
    # 63,3 and 74,8 exactly; Karazhal's 55.9 is printed as 56
    assert np.allclose(economy, rep["tde_sum_paper"], atol=0.1)
    assert list(paper["raw_material"]) == list(rep["raw_material_paper"])
    assert list(paper["tourism"]) == list(rep["tourism_paper"])


def test_russian_headers_in_xlsx(paper, result, tmp_path):
    rows = paper_rows(paper)
    rows.columns = [monocity.template.BY_KEY[c].ru for c in rows.columns]
    path = tmp_path / "ru.xlsx"
    rows.to_excel(path, index=False, sheet_name="Лист1")
    back = monocity.read_inputs(path)
    assert list(back["row"]) == [2, 3, 4]
    again = monocity.assess(back)
    assert list(again["scenario_ranking"]) == list(result["scenario_ranking"])


def test_cli_bad_rules_file(tmp_path, capsys):
    rules = tmp_path / "r.yaml"
    rules.write_text("scenarios:\n  inertal: {rules: []}\n", encoding="utf-8")
    rc = main(["monocity", "--tdaa", "paper", "--rules", str(rules), "-o", str(tmp_path / "x.csv")])
    assert rc == 2
    assert "unknown scenario 'inertal'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_rules_file_errors_name_the_key_not_a_column(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "scenarios:\n  inertial: {rules: [{indicator: tdmm, pluses: {high: 1}}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        monocity.load_rules(rules)
    text = str(err.value)
    assert text.startswith(f"{rules}: key 'scenarios.inertial.rules[0]': unknown indicator 'tdmm'")
    assert "column" not in text


# --- monocity --comparison misuse (from the former test_robustness.py)


# 3. monocity --comparison ------------------------------------------------------------


def test_comparison_format_checked_before_any_work(tmp_path, capsys):
    out = tmp_path / "m.csv"
    assert main(["monocity", "--out", str(out), "--comparison", str(tmp_path / "x.pdf")]) == 2
    line = error_line(capsys, "monocity")
    assert "--comparison: unsupported format '.pdf'; use .md, .csv, .xlsx" in line
    assert list(tmp_path.iterdir()) == []


def test_comparison_without_paper_towns_is_skipped_with_a_note(tmp_path, capsys):
    from agglomap import monocity

    inputs = monocity.paper_inputs().drop(columns=["row", "source"]).head(1)
    inputs["town"] = "Zhezkazgan"
    src = tmp_path / "zh.csv"
    inputs.to_csv(src, index=False)
    out, cmp = tmp_path / "zh_out.csv", tmp_path / "cmp.md"
    argv = ["monocity", "--indicators", str(src), "--out", str(out), "--comparison", str(cmp)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "comparison skipped: none of the paper's towns (Balkhash, Karazhal, Temirtau)" in err
    assert out.is_file() and not cmp.exists()
    assert pd.read_csv(out)["town"].tolist() == ["Zhezkazgan"]
