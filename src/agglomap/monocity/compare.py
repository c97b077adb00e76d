"""Computed versus the paper, per town and indicator, level and scenario."""

from __future__ import annotations

import pandas as pd
from scipy.stats import spearmanr

from .levels import BANDS
from .paper import REPORTED_INDICATORS, reported
from .scenario import SCENARIOS, load_rules, ranking, score

COLUMNS = ("town", "item", "computed", "paper", "agree", "note")


def _fmt(value: object) -> object:
    return round(float(value), 2) if isinstance(value, float) else value


def comparison_table(result: pd.DataFrame) -> pd.DataFrame:
    """One row per (paper town, item): computed value, paper value, whether they agree.

    A number agrees when it differs from the printed one by less than one unit of the
    printed precision (the paper rounds or truncates: 59.58 vs "59,5" agrees, 5.08 vs
    "4" does not). Levels and pluses agree when equal. Per town the table also gives
    the scenario ranking, the top scenario, Spearman's ρ between the computed and the
    paper's plus-scores, and the pluses the same rule gives on the paper's own levels.
    """
    paper = reported()
    rules = load_rules(result.attrs.get("rules"))
    rows: list[dict[str, object]] = []
    for _, r in result[result["town_id"].isin(paper.index)].iterrows():
        p = paper.loc[r["town_id"]]

        def add(item: str, computed: object, paper: object, agree: object, note: str = "") -> None:
            values = (r["town"], item, _fmt(computed), _fmt(paper), agree, note)  # noqa: B023
            rows.append(dict(zip(COLUMNS, values, strict=True)))

        for name in REPORTED_INDICATORS:
            if name == "tdaa":
                for part in ("tdaa1", "tdaa2", "tdaa3"):
                    add(
                        part,
                        r[part],
                        p[f"{part}_paper"],
                        r[part] == p[f"{part}_paper"],
                        f"TDaa source: {r['tdaa_source']}",
                    )
            unit = 10.0 ** -int(p[f"{name}_paper_decimals"])
            diff = abs(r[name] - p[f"{name}_paper"])
            add(name, r[name], p[f"{name}_paper"], bool(diff < unit), f"printed precision {unit:g}")
            if name in BANDS:
                t5 = p[f"{name}_level_table5"]
                note = "" if t5 == p[f"{name}_level_paper"] else f"table 5 says {t5!r}"
                add(
                    f"{name}_level",
                    r[f"{name}_level"],
                    p[f"{name}_level_paper"],
                    r[f"{name}_level"] == p[f"{name}_level_paper"],
                    note,
                )
        on_paper = score(
            pd.DataFrame([{f"{n}_level": p[f"{n}_level_paper"] for n in BANDS}]), rules
        ).iloc[0]
        computed = [r[f"plus_{s}"] for s in SCENARIOS]
        printed = [p[f"plus_{s}_paper"] for s in SCENARIOS]
        for s, c, q in zip(SCENARIOS, computed, printed, strict=True):
            add(
                f"plus_{s}",
                int(c),
                int(q),
                int(c) == int(q),
                f"rule on the paper's levels: {on_paper[f'plus_{s}']}",
            )
        paper_rank = ranking(dict(zip(SCENARIOS, printed, strict=True)))
        add(
            "scenario_ranking",
            r["scenario_ranking"],
            paper_rank,
            r["scenario_ranking"] == paper_rank,
            f"rule on the paper's levels: {on_paper['scenario_ranking']}",
        )
        top_c = set(r["top_scenario"].split(" = "))
        top_p = set(paper_rank.split(" > ")[0].split(" = "))
        add(
            "top_scenario",
            r["top_scenario"],
            paper_rank.split(" > ")[0],
            bool(top_c & top_p),
            "agree: the top scenarios share at least one",
        )
        constant = len(set(computed)) == 1 or len(set(printed)) == 1
        rho = float("nan") if constant else spearmanr(computed, printed).statistic
        add(
            "spearman_rho",
            round(float(rho), 2),
            None,
            None,
            "undefined: all four scores equal"
            if constant
            else "rank correlation of the four plus-scores",
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def comparison_markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table (towns side by side, ✓/✗ for agreement).

    ``table`` is ``comparison_table``'s output or an ``assess`` result.
    """
    if "item" not in table.columns:
        table = comparison_table(table)
    towns = list(dict.fromkeys(table["town"]))
    head = "| item | " + " | ".join(f"{t} computed | {t} paper" for t in towns) + " |"
    sep = "|---|" + "---|---|" * len(towns)
    lines = [head, sep]
    for item in dict.fromkeys(table["item"]):
        cells = []
        for t in towns:
            r = table[(table["town"] == t) & (table["item"] == item)].iloc[0]
            mark = {True: " ✓", False: " ✗"}.get(r["agree"], "")
            paper = "" if r["paper"] is None or pd.isna(r["paper"]) else r["paper"]
            cells += [f"{_cell(r['computed'])}{mark}", _cell(paper)]
        lines.append(f"| {item} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    return str(value).replace("|", "\\|")
