"""Monocity assessment of Maimurunova et al. (2025, :mod:`agglomap.references`): seven
indicators, their levels, a scenario.

``assess(inputs)`` computes every indicator and level for each town, scores the four
development scenarios with a stated rule (``scenario_rules.yaml``) and, for the paper's
case-study towns, puts the paper's reported values beside the computed ones.
See docs/monocity.md for the formulas, the readings chosen where the paper is
inconsistent, and the comparison with the paper.
"""

from __future__ import annotations

from .assess import assess, town_points
from .compare import comparison_markdown, comparison_table
from .indicators import TDM_FORMULAS
from .levels import BANDS, BOUNDARY_RULES, classify
from .paper import paper_inputs, reported
from .scenario import SCENARIOS, load_rules
from .template import COLUMNS, read_inputs, validate_frame, write_template

__all__ = [
    "BANDS",
    "BOUNDARY_RULES",
    "COLUMNS",
    "SCENARIOS",
    "TDM_FORMULAS",
    "assess",
    "classify",
    "comparison_markdown",
    "comparison_table",
    "load_rules",
    "paper_inputs",
    "read_inputs",
    "reported",
    "town_points",
    "validate_frame",
    "write_template",
]
