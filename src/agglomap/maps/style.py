"""Colours and level order shared by the web and the static maps."""

from __future__ import annotations

import math

from ..agglomeration import LEVELS

# TDaa levels of methodology §3.5, low → high (agglomeration.LEVELS), on an ordered
# yellow → red scale.
TDAA_LEVELS: tuple[str, ...] = tuple(name for _, name in LEVELS)
TDAA_COLORS: dict[str, str] = dict(
    zip(TDAA_LEVELS, ("#fed976", "#fd8d3c", "#e31a1c", "#800026"), strict=True)
)
NO_DATA = "#d9d9d9"
# Development scenarios of the monocity assessment: hues apart from each other and from the
# yellow-orange-red TDaa scale (diversification was an orange next to "medium").
SCENARIO_COLORS: dict[str, str] = {
    "inertial": "#969696",
    "balanced": "#1b9e77",
    "innovative": "#7570b3",
    "diversification": "#1f78b4",
}


def tdaa_level_key(value: object) -> str | None:
    """``"above_medium"``, ``"Above medium"`` → ``"above medium"``; unknown → None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    key = str(value).strip().lower().replace("_", " ").replace("-", " ")
    return key if key in TDAA_LEVELS else None


def tdaa_color(value: object) -> str:
    """The fill of a TDaa level (any spelling :func:`tdaa_level_key` reads); grey if unknown."""
    key = tdaa_level_key(value)
    return TDAA_COLORS[key] if key else NO_DATA


def luminance(colour: str) -> float:
    """Relative luminance (0 black … 1 white) of a hex colour; 1 for non-colours."""
    if not colour.startswith("#"):
        return 1.0
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
