"""The words agglomap's functions accept as choices, one home each.

Importable without the scientific stack, so the command line offers them in
``agglomap COMMAND --help`` without loading pandas, geopandas or mapclassify; the modules
that use them import them from here.
"""

from __future__ import annotations

#: Administrative layouts of the oblast-level regions: June 2018 – June 2022, and since.
VINTAGES = ("2018", "2022")
#: Boundary levels (:func:`agglomap.boundaries.load_boundaries`).
LEVELS = ("oblast", "district")
#: Gazetteer roles of methodology §2 and the column flagging each.
ROLES = {"monocity": "is_monocity", "agglomeration": "is_agglomeration", "smart": "is_smart_city"}
#: Corridor modes.
MODES = ("road", "rail")
#: Classification schemes of choropleths (mapclassify's names).
SCHEMES = (
    "quantiles",
    "equal_interval",
    "natural_breaks",
    "fisher_jenks",
    "jenks_caspall",
    "maximum_breaks",
    "std_mean",
    "percentiles",
    "user_defined",
)
#: How TDm combines its parts (docs/monocity.md).
TDM_FORMULAS = ("geometric", "complement", "text")
#: Which band a value on a band boundary goes to.
BOUNDARY_RULES = ("upper", "lower")
#: Where a monocity assessment takes TDaa1..3 from.
TDAA_MODES = ("computed", "paper")
