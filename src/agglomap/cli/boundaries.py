"""``agglomap boundaries``: write the oblast or district layer of a vintage, or a user's file
matched to the region table, in any output format (.gpkg .geojson .shp .csv .xlsx)."""

from __future__ import annotations

import argparse

from ..errors import InputError
from ..provenance import AGGLOMAP, GEOKZ, Source
from ._common import (
    add_boundaries,
    add_out,
    add_vintage,
    load_user_or_builtin_boundaries,
    refuse_input_as_output,
    say,
)

HELP = "write oblast/district boundaries (2018 or 2022 layout)"


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..choices import LEVELS

    p = subparsers.add_parser(
        "boundaries",
        help=HELP,
        description="Write Kazakhstan's oblast or district boundaries for one layout "
        "(2018: 17 units, 2022: 20 units) from geokz, with names, KATO and ISO codes, "
        "administrative centres and areas (km², equal-area). With --boundaries, read your "
        "own oblast file instead and match its features to the region table.",
    )
    add_vintage(p, help="layout (default 2022; for --boundaries, guessed from the regions present)")
    p.add_argument(
        "--level",
        choices=(*LEVELS, "cities"),
        default="oblast",
        help="default oblast; cities: the cities of republican and oblast significance as "
        "polygons (their city administrations) with the gazetteer's city_id",
    )
    add_out(p)
    add_boundaries(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..boundaries import load_boundaries
    from ..export import write_table

    sources: list[Source]
    refuse_input_as_output(args.out, [args.boundaries])
    if args.boundaries and args.level != "oblast":
        raise InputError("--boundaries reads oblast-level files only; drop --level district")
    if args.level == "oblast":
        layer, source = load_user_or_builtin_boundaries(args, args.vintage or "2022")
        sources = [source, AGGLOMAP]
    elif args.level == "cities":
        from ..city_units import load_city_polygons

        layer = load_city_polygons(args.vintage or "2022")
        sources = [GEOKZ, AGGLOMAP]
    else:
        if args.name_field or args.code_field:
            raise InputError("--name-field/--code-field need --boundaries USERFILE")
        layer = load_boundaries(args.vintage or "2022", args.level)
        sources = [GEOKZ]
    write_table(layer, args.out, sources)
    unit = {"oblast": "oblast-level units", "cities": "cities"}.get(args.level, "districts")
    total = layer["area_km2"].sum()
    say(f"{len(layer)} {unit}, {layer['vintage'].iloc[0]} layout, {total:,.0f} km² → {args.out}")
    return 0
