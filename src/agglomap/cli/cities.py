"""``agglomap cities``: write the city gazetteer (all cities, or one group) to a file."""

from __future__ import annotations

import argparse

from .. import provenance
from ._common import add_out, say

HELP = "write the city gazetteer (.csv .xlsx .gpkg .geojson)"


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..gazetteer import ROLES

    parser = subparsers.add_parser(
        "cities",
        help=HELP,
        description="Write Kazakhstan's cities with names, coordinates (GeoNames), population, "
        "region in the 2018 and 2022 layouts and their roles (monocity, agglomeration, smart).",
    )
    add_out(parser)
    parser.add_argument(
        "--role",
        choices=sorted(ROLES),
        help="only the cities of one group of the seed papers",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..export import write_table
    from ..gazetteer import load_cities, with_role

    cities = with_role(args.role) if args.role else load_cities()
    out = write_table(cities, args.out, [provenance.GEONAMES, provenance.AGGLOMAP], layer="cities")
    say(f"wrote {len(cities)} cities to {out}")
    return 0
