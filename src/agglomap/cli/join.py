"""``agglomap join``: attach an indicator table to the region boundaries."""

from __future__ import annotations

import argparse

from ._common import (
    add_boundaries,
    add_level,
    add_out,
    add_table_input,
    add_vintage,
    city_layer,
    district_boundaries,
    load_user_or_builtin_boundaries,
    read_indicator_table,
    refuse_input_as_output,
    say,
    to_oblasts,
    user_source,
)

HELP = "join an indicator table (CSV/XLSX, one row per region or district) to boundaries"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "join",
        help=HELP,
        description="Read a table of indicators by region (published number format such as "
        "'1 927 439,20' is fine), match its region names, and write it joined to the "
        "boundaries of the 2018 or 2022 layout. District tables (--level district, detected "
        "when not given) are matched by KATO code or by name, with the oblast header rows "
        "of the statistics bureau's layout. Prints what matched and what did not.",
    )
    parser.add_argument("--indicators", required=True, metavar="FILE", help=".csv or .xlsx")
    add_table_input(parser)
    add_level(parser)
    parser.add_argument(
        "--city-points",
        action="store_true",
        help="with --level cities: join to the gazetteer's city points instead of polygons",
    )
    add_vintage(
        parser,
        help="boundary layout (default: the table's own — 2022 if it has Abai, Jetisu or "
        "Ulytau, else 2018; for --boundaries, guessed from the file's regions)",
    )
    add_boundaries(parser)
    add_out(parser, help="output file: .gpkg, .geojson, .csv or .xlsx")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..districts import join_districts
    from ..export import write_table
    from ..indicators import join

    refuse_input_as_output(args.out, [args.indicators, args.boundaries])
    table, level = read_indicator_table(args)
    table, level = to_oblasts(args, table, level)
    vintage = args.vintage or table.vintage or "2022"
    if level == "cities":
        from ..city_units import join_cities

        layer, boundary_source = city_layer(args, vintage, points=args.city_points)
        joined, missing = join_cities(table, layer)
        n = int(joined[table.value_columns].notna().any(axis=1).sum()) if table.value_columns else 0
        report = f"Joined {len(table.data)} table rows onto {n} of {len(layer)} cities" + (
            f"; not in the layer: {', '.join(missing)}" if missing else ""
        )
    elif level == "district":
        boundaries, boundary_source = district_boundaries(args, vintage)
        joined, report = join_districts(table, boundaries)
    else:
        boundaries, boundary_source = load_user_or_builtin_boundaries(args, vintage)
        joined, report = join(table, boundaries)
    write_table(joined, args.out, [boundary_source, table.source or user_source(args.indicators)])
    print(report)
    say(f"wrote {args.out}")
    return 0
