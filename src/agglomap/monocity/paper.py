"""The case study of Maimurunova et al. (2025): its inputs, its reported values and levels,
and table 5."""

from __future__ import annotations

from functools import cache

import pandas as pd

from ..agglomeration import PAPER_TOWNS
from ..data import data_path
from .levels import english_level
from .template import read_inputs

REPORTED_INDICATORS = ("tdm", "tde", "tda", "tdea", "tdda", "tdzhia", "tdaa", "tdsp")


def paper_inputs() -> pd.DataFrame:
    """The paper's three towns' raw inputs (tables 2–4, as printed), validated like user input."""
    return read_inputs(data_path("monocity_paper.csv"))


@cache
def _reported_long() -> pd.DataFrame:
    """Every reported cell: ``town_id, table, item, printed, value, level_kk, level, decimals``."""
    df = pd.read_csv(
        data_path("monocity_reported.csv"),
        comment="#",
        dtype={"printed": str, "level_kk": str},
        keep_default_na=False,
    )
    df["value"] = pd.to_numeric(df["value"].replace("", None))
    pairs = zip(df["item"], df["level_kk"], strict=True)
    df["level"] = [english_level(item, kk) if kk else "" for item, kk in pairs]
    df["decimals"] = [_decimals(p) for p in df["printed"]]
    return df


def _decimals(printed: str) -> int:
    """Decimal places of a printed number such as ``59,5`` or ``18,7%`` (0 for others)."""
    text = printed.split("/")[0].rstrip("%").strip()
    return len(text.split(",")[1]) if "," in text and "+" not in text else 0


def reported() -> pd.DataFrame:
    """One row per paper town (index ``town_id``): ``<ind>_paper``, ``<ind>_level_paper``,
    ``<ind>_level_table5``, ``tdaa1..3_paper``, ``plus_<scenario>_paper`` and
    ``<ind>_paper_decimals`` (the printed precision)."""
    df = _reported_long()
    wide = pd.DataFrame(index=pd.Index(PAPER_TOWNS, name="town_id"))
    for (town, table, item), r in df.set_index(["town_id", "table", "item"]).iterrows():
        if table == 5 and not item.startswith("plus_"):
            wide.loc[town, f"{item}_level_table5"] = r["level"]
            continue
        wide.loc[town, f"{item}_paper"] = r["value"]
        if item in REPORTED_INDICATORS:
            wide.loc[town, f"{item}_paper_decimals"] = r["decimals"]
            if r["level"]:
                wide.loc[town, f"{item}_level_paper"] = r["level"]
    return wide
