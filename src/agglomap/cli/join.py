"""``agglomap join``: attach an indicator table to the region boundaries."""

from __future__ import annotations

import argparse

from ..provenance import GEOKZ, Source
from ._common import add_out, say


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "join",
        help="join an indicator table (CSV/XLSX, one row per region) to region boundaries",
        description="Read a table of indicators by region (published number format such as "
        "'1 927 439,20' is fine), match its region names, and write it joined to the "
        "boundaries of the 2018 or 2022 layout. Prints what matched and what did not.",
    )
    parser.add_argument("--indicators", required=True, metavar="FILE", help=".csv or .xlsx")
    parser.add_argument(
        "--region-column", metavar="COL", help="column holding region names (default: detected)"
    )
    parser.add_argument("--sheet", metavar="S", help="worksheet name or number (0 = first)")
    parser.add_argument(
        "--vintage",
        choices=("2018", "2022"),
        help="boundary layout (default: the table's own — 2022 if it has Abai, Jetisu or "
        "Ulytau, else 2018)",
    )
    add_out(parser, help="output file: .gpkg, .geojson, .csv or .xlsx")
    parser.set_defaults(func=run)


def user_source(path: object) -> Source:
    """Provenance record for a table the user supplied."""
    from pathlib import Path

    name = Path(str(path)).name
    return Source(
        "user_table",
        f"indicator table supplied by the user: {name}",
        "as supplied by the user",
        f"Indicators: {name}",
    )


def run(args: argparse.Namespace) -> int:
    from ..boundaries import load_boundaries
    from ..export import write_table
    from ..indicators import join, read_indicators

    table = read_indicators(args.indicators, region_column=args.region_column, sheet=args.sheet)
    vintage = args.vintage or table.vintage or "2022"
    boundaries = load_boundaries(vintage, sources_dir=args.sources)
    joined, report = join(table, boundaries)
    write_table(joined, args.out, [GEOKZ, table.source or user_source(args.indicators)])
    print(report)
    say(f"wrote {args.out}")
    return 0
