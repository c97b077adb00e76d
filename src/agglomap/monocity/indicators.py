"""The seven indicators of Maimurunova et al. (2025), one pure function each, vectorised over towns.

Every function takes a frame of numeric inputs (one row per town, columns as in
``template.COLUMNS``) and returns a Series (or a frame of parts) on the same index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..choices import TDM_FORMULAS
from ..errors import InputError

ECONOMY = ("output_volume", "profitable_share", "fixed_capital_investment", "budget_revenue")
SOCIAL = ("wage_level", "edu_med_institutions", "culture_institutions", "unemployment_level")
# (count, its total) pairs of the private investment potential, in the paper's order.
INVESTMENT = (
    ("projects_realised", "projects_total_realised"),
    ("projects_planned", "projects_total_planned"),
    ("jobs_created", "jobs_total_created"),
    ("jobs_planned", "jobs_total_planned"),
)


def _sqrt(radicand: pd.Series, what: str) -> pd.Series:
    """Square root that names the town instead of returning NaN for a negative radicand."""
    bad = radicand < 0
    if bad.any():
        town = radicand.index[bad][0]
        raise InputError(
            f"{what}: the value under the square root is {radicand[bad].iloc[0]:g} (< 0) "
            f"for town {town!r}; check the inputs or choose another formula"
        )
    return np.sqrt(radicand)


def tdm(df: pd.DataFrame, formula: str = "geometric") -> pd.Series:
    """Mono-profile degree TDm from TDm1 (output share, %) and TDm2 (employment share, %).

    ``geometric`` √(TDm1·TDm2) reproduces table 2's values and levels; ``complement``
    100 − √(TDm1·TDm2) is the formula printed in table 2; ``text`` 100 − √(TDm1 − TDm2)
    is the formula printed in the text.
    """
    if formula == "geometric":
        return _sqrt(df["tdm1"] * df["tdm2"], "TDm").rename("tdm")
    if formula == "complement":
        return (100 - _sqrt(df["tdm1"] * df["tdm2"], "TDm")).rename("tdm")
    if formula == "text":
        return (100 - _sqrt(df["tdm1"] - df["tdm2"], "TDm (text formula, TDm1 − TDm2)")).rename(
            "tdm"
        )
    raise InputError(f"TDm formula {formula!r}: expected one of {', '.join(TDM_FORMULAS)}")


def tde(df: pd.DataFrame) -> pd.Series:
    """Economy index TDe: mean of output volume, profitable share, investment, budget revenue."""
    return df[list(ECONOMY)].mean(axis=1).rename("tde")


def tda(df: pd.DataFrame) -> pd.Series:
    """Social index TDa: mean of wage level, edu+med, culture, unemployment level (as printed)."""
    return df[list(SOCIAL)].mean(axis=1).rename("tda")


def tdea(df: pd.DataFrame) -> pd.Series:
    """Scale and efficiency of the economy TDea = √(TDe·TDa)."""
    return _sqrt(tde(df) * tda(df), "TDea").rename("tdea")


def tdda(df: pd.DataFrame) -> pd.Series:
    """Demographic potential TDda = √(natural growth + economically active share)."""
    return _sqrt(df["natural_growth"] + df["econ_active_share"], "TDda").rename("tdda")


def tdzhia_shares(df: pd.DataFrame) -> pd.DataFrame:
    """The four private-investment shares TDzhia1..4, % (count / its total × 100)."""
    shares = {f"tdzhia{i}": df[n] / df[total] * 100 for i, (n, total) in enumerate(INVESTMENT, 1)}
    return pd.DataFrame(shares, index=df.index)


def tdzhia(df: pd.DataFrame) -> pd.Series:
    """Private investment potential TDzhia = √(TDzhia1 + … + TDzhia4)."""
    return _sqrt(tdzhia_shares(df).sum(axis=1), "TDzhia").rename("tdzhia")


def tdaa(parts: pd.DataFrame) -> pd.Series:
    """Agglomeration potential TDaa = √(TDaa1 + TDaa2 + TDaa3), each 0 or 100."""
    return np.sqrt(parts[["tdaa1", "tdaa2", "tdaa3"]].sum(axis=1)).rename("tdaa")


def tdsp(df: pd.DataFrame) -> pd.Series:
    """Special potential √(raw-material base + tourism resources), each 0 or 100.

    The paper reuses the symbol TDea for it; agglomap calls it TDsp.
    """
    return np.sqrt(df["raw_material"] + df["tourism"]).rename("tdsp")
