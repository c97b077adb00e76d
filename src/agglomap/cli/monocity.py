"""``agglomap monocity``: the monocity assessment of Maimurunova et al. (2025) — indicators,
levels, scenario."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..provenance import AGGLOMAP, GEONAMES, MONOCITY_PAPER, Source
from ._common import refuse_input_as_output, say

if TYPE_CHECKING:
    import pandas as pd

HELP = "assess monocities: seven indicators, levels and a development scenario"
COMPARISON_FORMATS = (".md", ".csv", ".xlsx")
OUT_FORMATS = (".csv", ".xlsx", ".gpkg", ".geojson", ".shp")


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..choices import BOUNDARY_RULES, TDAA_MODES, TDM_FORMULAS

    p = subparsers.add_parser(
        "monocity",
        help=HELP,
        description="Compute the monocity indicators of Maimurunova A., Auezova Z., Daniyarova "
        "M., Imramziyeva M. 'Methodology for determining the innovative scenario for the "
        "development of single-industry towns of the Republic of Kazakhstan', Bulletin of the "
        "Kazakh University of Economics, Finance and International Trade, 2025, No. 1 (58) "
        "(mono-profile, "
        "economy and social sphere, demography, private investment, agglomeration, special "
        "potential), their levels and plus-scores for the four development scenarios. "
        "Without --indicators, assesses the paper's three towns (Balkhash, Karazhal, "
        "Temirtau); --comparison FILE puts the paper's reported values beside the computed "
        "ones. --template writes a blank input table (CSV or XLSX, English and Russian).",
    )
    p.add_argument(
        "--indicators",
        metavar="FILE",
        type=Path,
        help="input table (.csv/.xlsx) from the template; default: the paper's three towns",
    )
    p.add_argument("--sheet", help="sheet of an .xlsx input (default: the first)")
    p.add_argument(
        "--rules",
        "--config",
        dest="rules",
        metavar="FILE",
        type=Path,
        help="scenario rule YAML (default: the shipped scenario_rules.yaml)",
    )
    p.add_argument(
        "--tdm-formula",
        choices=TDM_FORMULAS,
        default="geometric",
        help="geometric √(TDm1·TDm2) (default, matches the paper's table), complement "
        "100−√(TDm1·TDm2) (table 2's printed formula), text 100−√(TDm1−TDm2)",
    )
    p.add_argument(
        "--tdaa",
        choices=TDAA_MODES,
        default="computed",
        help="agglomeration parts TDaa1..3: computed from distances (default) or the paper's "
        "values; tdaa1..3 columns in the input override both",
    )
    p.add_argument(
        "--boundary",
        choices=BOUNDARY_RULES,
        default="upper",
        help="a value exactly on a band boundary goes to the upper band (default) or the lower",
    )
    p.add_argument(
        "--out", "-o", type=Path, metavar="FILE", help="result: .csv .xlsx .gpkg .geojson .shp"
    )
    p.add_argument(
        "--lang",
        choices=("kk", "ru", "en"),
        default=None,
        help="with an .xlsx --out: a workbook for readers in this language (town names, the "
        "six indicators with level words, plus-points, recommended scenario, a column "
        "dictionary sheet); other formats keep machine keys",
    )
    p.add_argument(
        "--comparison",
        type=Path,
        metavar="FILE",
        help="also write the comparison with the paper (.md, .csv or .xlsx); skipped with a "
        "note when no town of the paper is in the input",
    )
    p.add_argument(
        "--template",
        type=Path,
        metavar="OUT",
        help="write a blank input template (.xlsx or .csv) and stop",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import monocity
    from ..export import write_table

    inputs_given = [args.indicators, args.rules]
    refuse_input_as_output(args.template, inputs_given, "--template")
    refuse_input_as_output(args.out, inputs_given)
    refuse_input_as_output(args.comparison, inputs_given, "--comparison")
    if args.template:
        monocity.write_template(args.template)
        say(f"wrote template {args.template} (fill one row per town under the description rows)")
        if not args.out:
            return 0
    if not args.out:
        raise InputError("give --out FILE for the result (or --template OUT for a blank table)")
    _check_format(args.out, OUT_FORMATS, "--out")
    if args.comparison:
        _check_format(args.comparison, COMPARISON_FORMATS, "--comparison")
    if args.indicators:
        inputs = monocity.read_inputs(args.indicators, sheet=args.sheet)
        user = Source("user", f"monocity indicators {args.indicators}", "as supplied", "")
        sources: list[Source] = [user]
    else:
        inputs = monocity.paper_inputs()
        sources = [MONOCITY_PAPER]
    result = monocity.assess(
        inputs,
        tdm_formula=args.tdm_formula,
        tdaa=args.tdaa,
        rules=args.rules,
        boundary=args.boundary,
    )
    if result["town_id"].isin(monocity.reported().index).any() and MONOCITY_PAPER not in sources:
        sources.append(MONOCITY_PAPER)
    if (result["tdaa_source"] == "computed").any():
        sources += [AGGLOMAP, GEONAMES]
    out_ext = args.out.suffix.lower()
    table = result
    if out_ext in (".gpkg", ".geojson", ".shp"):
        table = monocity.town_points(result)
        sources += [s for s in (AGGLOMAP, GEONAMES) if s not in sources]
    if args.lang and out_ext == ".xlsx":
        from ..workbooks import write_assessment_workbook

        write_assessment_workbook(result, args.out, args.lang, sources)
    else:
        write_table(table, args.out, sources, layer="monocity")
    for r in result.itertuples():
        say(f"{r.town}: {r.scenario_ranking}")
    say(f"wrote {len(result)} town(s) to {args.out}")
    if args.comparison:
        _write_comparison(result, args.comparison, sources)
    return 0


def _check_format(path: Path, formats: tuple[str, ...], option: str) -> None:
    """Refuse ``path`` up front, before any work, unless its extension is in ``formats``."""
    if path.suffix.lower() not in formats:
        raise InputError(
            f"{option}: unsupported format {path.suffix or '(none)'!r}; use {', '.join(formats)}",
            path=path,
        )


def _write_comparison(result: pd.DataFrame, out: Path, sources: list[Source]) -> None:
    """The comparison with the paper, or a note (nothing written) if none of its towns is in."""
    from .. import monocity
    from ..agglomeration import PAPER_TOWNS
    from ..export import write_table, write_text
    from ..gazetteer import city

    table = monocity.comparison_table(result)
    if table.empty:
        towns = ", ".join(city(t)["name_en"] for t in PAPER_TOWNS)
        say(
            f"comparison skipped: none of the paper's towns ({towns}) is in "
            f"the input; {out} not written"
        )
        return
    if out.suffix.lower() == ".md":
        write_text(monocity.comparison_markdown(table), out, sources)
    else:
        write_table(table, out, sources)
    agree = table["agree"].dropna()
    say(f"comparison with the paper: {int(agree.sum())}/{len(agree)} items agree → {out}")
