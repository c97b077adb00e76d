"""Printed sizes of static maps: named page sizes, ``WIDTHxHEIGHT`` in millimetres, the
smallest font allowed at the printed size, and the default resolution for print.

A static map is drawn at the size it will be printed, so its font sizes (in points) are
the sizes the reader sees on paper: a figure for an A4 portrait page is 170 mm wide
(210 mm less 20 mm margins each side), and no text on it is smaller than
:data:`MIN_FONT_PT`.
"""

from __future__ import annotations

import re

from ..errors import InputError

MM_PER_INCH = 25.4
MIN_FONT_PT = 6.5  # nothing printed smaller than this (legibility on paper)
PRINT_DPI = 300  # default resolution for a print size
SCREEN_DPI = 200  # default resolution without a print size
#: Named sizes (width, height in mm): the text width of an A4 page with 20 mm margins.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a4-portrait": (170.0, 110.0),
    "a4-landscape": (257.0, 160.0),
}
#: The figure size (inches) without ``--size``: a screen/slide figure.
DEFAULT_INCHES = (12.0, 6.6)
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*$", re.I)
_LIMITS_MM = (50.0, 1200.0)


def parse_size(text: str) -> tuple[float, float]:
    """``"a4-portrait"``, ``"a4-landscape"`` or ``"WIDTHxHEIGHT"`` (mm) → (width, height) mm.

    Raises
    ------
    InputError
        For anything else, or a side outside 50–1200 mm.
    """
    key = str(text).strip().lower()
    if key in PAGE_SIZES:
        return PAGE_SIZES[key]
    match = _SIZE_RE.match(key)
    if not match:
        names = "|".join(PAGE_SIZES)
        raise InputError(f"--size {text!r}: expected {names} or WIDTHxHEIGHT in mm (e.g. 170x120)")
    width, height = float(match.group(1)), float(match.group(2))
    low, high = _LIMITS_MM
    for side, value in (("width", width), ("height", height)):
        if not low <= value <= high:
            raise InputError(f"--size {text!r}: {side} {value:g} mm is outside {low:g}–{high:g} mm")
    return width, height


def inches(size_mm: tuple[float, float] | None) -> tuple[float, float]:
    """Figure size in inches for ``size_mm`` (``None``: :data:`DEFAULT_INCHES`)."""
    if size_mm is None:
        return DEFAULT_INCHES
    return size_mm[0] / MM_PER_INCH, size_mm[1] / MM_PER_INCH


def default_dpi(size_mm: tuple[float, float] | None) -> int:
    """:data:`PRINT_DPI` for a print size, :data:`SCREEN_DPI` without one."""
    return SCREEN_DPI if size_mm is None else PRINT_DPI
