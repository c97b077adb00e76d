"""Numbers as statistics offices and spreadsheets write them (``1 927 439,20``, ``11,3 %``).

The one home of number parsing: indicator tables, towns, the monocity template and score
files all read their cells with :func:`parse_number`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np

# Cells that mean "no data" in published tables (dashes, ellipses, "х" = withheld, н/д …).
MISSING = frozenset({"", "-", "–", "—", "…", "...", "х", "x", "н/д", "n/a", "na", "nan", ".."})
_SPACE = re.compile(r"[\s\u00a0\u202f\u2007\u2009]+")
_PLAIN = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NUMBER = re.compile(r"[-−+]?\s*\d[\d\s\u00a0\u202f.,]*(?:[eE][+-]?\d+)?\s*%?")


def parse_number(text: object) -> float:
    """A number as statistics publish it; NaN for an empty or "no data" cell.

    Spaces (also U+00A0, U+202F) group thousands; a trailing ``%`` is dropped; ``-`` and
    ``−`` (U+2212) are minus signs. When both ``,`` and ``.`` occur, the one that comes
    last is the decimal mark (``1,234.5`` and ``1.234,5`` are both 1234.5); one that
    occurs several times groups thousands (``1,234,567``); a single one is the decimal
    mark (``11,3`` = 11.3, so ``1,234`` = 1.234). Empty, ``-``, ``…``, ``х`` (withheld) → NaN.
    Text that is not a number raises ValueError, and so does a number too large for a
    float (``1e309``, an integer of 400 digits) or infinite: every number read is finite.
    """
    if text is None:
        return math.nan
    if isinstance(text, bool):
        raise ValueError(f"not a number: {text!r}")
    if isinstance(text, int | float | np.integer | np.floating):
        try:
            value = float(text)
        except OverflowError:
            raise ValueError(f"not a finite number: {text!r} is too large") from None
        if math.isinf(value):
            raise ValueError(f"not a finite number: {text!r}")
        return value
    s = _SPACE.sub(" ", str(text)).strip()
    if s.lower() in MISSING:
        return math.nan
    sign = 1.0
    if s[0] in "-−+":
        sign = 1.0 if s[0] == "+" else -1.0
        s = s[1:].lstrip()
    if s.endswith("%"):
        s = s[:-1].rstrip()
    if " " in s:
        if not re.fullmatch(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?", s):
            raise ValueError(f"not a number: {text!r}")
        s = s.replace(" ", "")
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = _ungroup(s, "." if decimal == "," else ",", decimal, text)
    elif commas > 1 or dots > 1:
        s = _ungroup(s, "," if commas else ".", None, text)
    elif commas == 1:
        s = s.replace(",", ".")
    if not _PLAIN.fullmatch(s):
        raise ValueError(f"not a number: {text!r}")
    value = float(s)
    if math.isinf(value):
        raise ValueError(f"not a finite number: {text!r} is too large")
    return sign * value


def _ungroup(s: str, group: str, decimal: str | None, original: object) -> str:
    """Drop thousands separators ``group`` (checking groups of three); decimal mark → ``.``."""
    whole, _, frac = s.rpartition(decimal) if decimal else (s, "", "")
    if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+", whole):
        raise ValueError(f"not a number: {original!r}")
    whole = whole.replace(group, "")
    return f"{whole}.{frac}" if decimal else whole


def is_number_text(text: str) -> bool:
    """Whether a cell looks like a number (``28 414``, ``11,3``, ``-3.4``, ``8,7 %``)."""
    return bool(text) and _NUMBER.fullmatch(text) is not None


def parse_numbers(values: Iterable[object]) -> np.ndarray:
    """Cells as floats (published formats too); NaN where empty or not a number."""
    out = []
    for v in values:
        try:
            out.append(parse_number(v))
        except ValueError:
            out.append(math.nan)
    return np.array(out, dtype=float)
