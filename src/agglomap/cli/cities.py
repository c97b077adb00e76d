"""``agglomap cities``: write the city gazetteer (all cities, or one group) to a file."""

from __future__ import annotations

import argparse

from .. import provenance
from ._common import add_out, say

HELP = "write the city gazetteer (.csv .xlsx .gpkg .geojson)"


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..choices import ROLES

    parser = subparsers.add_parser(
        "cities",
        help=HELP,
        description="Write Kazakhstan's cities with names, coordinates (GeoNames), population "
        "with the year it refers to, its unit (city = the town itself, city_administration = "
        "the city with the settlements it administers) and its source (2021 census or the Bureau "
        "of National Statistics' estimate of 1 January; 'fallback:' marks an undated GeoNames "
        "figure), region in the 2018 and 2022 layouts and their roles (monocity, "
        "agglomeration, smart).",
    )
    add_out(parser)
    parser.add_argument(
        "--role",
        choices=sorted(ROLES),
        help="only the cities of one group (monocities, agglomerations, smart cities)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..export import write_table
    from ..gazetteer import load_cities, with_role

    cities = with_role(args.role) if args.role else load_cities()
    out = write_table(
        cities,
        args.out,
        [provenance.GEONAMES, provenance.AGGLOMAP, provenance.POPULATIONS],
        layer="cities",
    )
    say(f"wrote {len(cities)} cities to {out}")
    return 0
