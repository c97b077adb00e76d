"""Level bands of Maimurunova et al. (2025) and the rule that puts a value into a band.

Each indicator has bands ``(lower bound, name)`` in ascending order; the last band is
open-ended (a value above the paper's last upper bound is still in the top band).
The paper's bands touch (``35–70``, ``70–100``), so a value exactly on a boundary
needs a rule: ``boundary="upper"`` (default) puts it into the upper band
(``10.0`` → "above medium" for TDaa), ``"lower"`` into the lower one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..agglomeration import LEVELS as TDAA_BANDS
from ..choices import BOUNDARY_RULES
from ..errors import InputError

# Lower bounds of each band, as printed in the paper (TDea: the consistent reading of
# the overlapping "0–5, 0–15, …, 20–30 high" list; see docs/monocity.md).
BANDS: dict[str, tuple[tuple[float, str], ...]] = {
    "tdm": ((0, "low"), (35, "medium"), (70, "high")),
    "tdea": (
        (0, "very low"),
        (5, "low"),
        (15, "below average"),
        (20, "average"),
        (25, "above average"),
        (30, "high"),
    ),
    "tdda": (
        (0, "very low"),
        (2.5, "low"),
        (5, "below average"),
        (7.5, "average"),
        (9, "above average"),
        (11.5, "high"),
    ),
    "tdzhia": ((0, "low"), (2.5, "medium"), (5, "above medium"), (7.5, "high")),
    "tdaa": TDAA_BANDS,  # one home: agglomeration.LEVELS, which scores TDaa
    "tdsp": ((0, "low"), (5, "medium"), (10, "high")),
}

# The paper's level words (Kazakh, as printed in tables 2–5) and their English names.
LEVELS_KK = {
    "өте төмен": "very low",
    "төмен": "low",
    "орташадан төмен": "below average",
    "орташа": "average",
    "орташадан жоғары": "above average",
    "ортадан жоғары": "above average",
    "жоғары": "high",
}


def level_names(indicator: str) -> list[str]:
    """Band names of ``indicator``, lowest first."""
    return [name for _, name in BANDS[indicator]]


def english_level(indicator: str, level_kk: str) -> str:
    """The paper's Kazakh level word as this indicator's English band name.

    The paper says "орташа" for both "average" (TDea, TDda) and "medium" (TDm, TDzhia,
    TDaa, TDsp); the indicator decides which.
    """
    name = LEVELS_KK[" ".join(level_kk.lower().split())]
    names = level_names(indicator)
    if name not in names:
        name = name.replace("average", "medium")
    if name not in names:
        raise ValueError(f"{level_kk!r} is not a level of {indicator}")
    return name


def classify(values: pd.Series | np.ndarray, indicator: str, boundary: str = "upper") -> pd.Series:
    """Band name of each value (NaN stays missing)."""
    if boundary not in BOUNDARY_RULES:
        raise InputError(f"boundary rule {boundary!r}: expected one of {', '.join(BOUNDARY_RULES)}")
    bounds = np.array([lo for lo, _ in BANDS[indicator]], dtype=float)
    names = np.array(level_names(indicator), dtype=object)
    vals = np.asarray(values, dtype=float)
    side = "right" if boundary == "upper" else "left"
    idx = np.clip(np.searchsorted(bounds, vals, side=side) - 1, 0, len(bounds) - 1)
    out = np.where(np.isnan(vals), None, names[idx])
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(out, index=index, dtype=object)
