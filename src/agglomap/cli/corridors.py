"""``agglomap corridors``: write the road and rail corridor lines as a layer or table."""

from __future__ import annotations

import argparse

from ..errors import InputError
from ._common import add_out, refuse_input_as_output, say

HELP = "write the transport corridor lines (roads, railways)"


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..choices import MODES

    p = subparsers.add_parser(
        "corridors",
        help=HELP,
        description="Write Kazakhstan's main road and rail corridors as lines (.gpkg, "
        ".geojson, .shp) or a table (.csv, .xlsx; no geometry), with each corridor's "
        "geodesic length. The lines are waypoint routes between real towns and junctions, "
        "not surveyed alignments: see docs/corridors.md.",
    )
    add_out(p)
    p.add_argument(
        "--extra",
        metavar="FILE",
        help="YAML file of your own corridors (same schema as geo/corridors.yaml)",
    )
    p.add_argument("--mode", choices=MODES, help="only road or only rail corridors")
    p.add_argument(
        "--spacing-km",
        type=float,
        default=5.0,
        metavar="KM",
        help="densify lines along the geodesic so no vertex gap exceeds KM "
        "(default 5, at least 0.1)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..corridors import MIN_SPACING_KM, load_corridors, sources
    from ..export import write_table

    if not args.spacing_km >= MIN_SPACING_KM:
        raise InputError(
            f"--spacing-km must be at least {MIN_SPACING_KM:g} km (the corridors' waypoints "
            f"are accurate to a few km), got {args.spacing_km:g}"
        )
    refuse_input_as_output(args.out, [args.extra])
    layer = load_corridors(args.extra, spacing_km=args.spacing_km)
    if args.mode:
        layer = layer[layer["mode"] == args.mode].reset_index(drop=True)
    out = write_table(layer, args.out, sources(args.extra), layer="corridors")
    say(f"wrote {len(layer)} corridors, {layer['length_km'].sum():,.0f} km, to {out}")
    return 0
