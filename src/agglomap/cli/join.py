"""``agglomap join``: attach an indicator table to the region boundaries."""

from __future__ import annotations

import argparse

from ._common import (
    add_boundaries,
    add_out,
    add_table_input,
    add_vintage,
    load_user_or_builtin_boundaries,
    refuse_input_as_output,
    say,
    user_source,
)

HELP = "join an indicator table (CSV/XLSX, one row per region) to region boundaries"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "join",
        help=HELP,
        description="Read a table of indicators by region (published number format such as "
        "'1 927 439,20' is fine), match its region names, and write it joined to the "
        "boundaries of the 2018 or 2022 layout. Prints what matched and what did not.",
    )
    parser.add_argument("--indicators", required=True, metavar="FILE", help=".csv or .xlsx")
    add_table_input(parser)
    add_vintage(
        parser,
        help="boundary layout (default: the table's own — 2022 if it has Abai, Jetisu or "
        "Ulytau, else 2018; for --boundaries, guessed from the file's regions)",
    )
    add_boundaries(parser)
    add_out(parser, help="output file: .gpkg, .geojson, .csv or .xlsx")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..export import write_table
    from ..indicators import join, read_indicators

    refuse_input_as_output(args.out, [args.indicators, args.boundaries])
    table = read_indicators(args.indicators, region_column=args.region_column, sheet=args.sheet)
    boundaries, boundary_source = load_user_or_builtin_boundaries(
        args, args.vintage or table.vintage or "2022"
    )
    joined, report = join(table, boundaries)
    write_table(joined, args.out, [boundary_source, table.source or user_source(args.indicators)])
    print(report)
    say(f"wrote {args.out}")
    return 0
