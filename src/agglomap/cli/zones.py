"""``agglomap zones``: the commuting zones of the four agglomerations, from districts."""

from __future__ import annotations

import argparse

from ._common import add_lang, add_out, refuse_input_as_output, say

HELP = "agglomeration zones of Astana, Almaty, Shymkent and Aktobe from districts (polygons)"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "zones",
        help=HELP,
        description="Delineate the zone of each of Astana, Almaty, Shymkent and Aktobe: its "
        "core plus the districts and city administrations (2022 layout) whose population-"
        "weighted centre lies within the commuting threshold by network distance (TDaa1's "
        "fua_max_km), with population and area; compare with the official compositions.",
    )
    add_out(parser, help="zone polygons: .gpkg, .geojson, .shp (or .csv/.xlsx without geometry)")
    parser.add_argument(
        "--fua-max-km",
        type=float,
        metavar="KM",
        help="commuting threshold by network distance (default: fua_max_km of the score "
        "settings, 60)",
    )
    parser.add_argument(
        "--units",
        metavar="FILE",
        help="also write every unit with its centre, "
        "distances and zone (.csv .xlsx .gpkg .geojson)",
    )
    parser.add_argument("--map", metavar="FILE", help="also draw the zones: .png or .svg")
    parser.add_argument(
        "--population",
        metavar="TABLE",
        help="district table with a population column (bureau layout or KATO codes) for the "
        "zones' population (default: the OSM population tags of their settlements)",
    )
    parser.add_argument("--population-column", metavar="COL", help="its population column")
    add_lang(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import provenance
    from ..errors import InputError
    from ..export import write_table
    from ..zones import delineate, not_in_official

    refuse_input_as_output(args.out, [args.population])
    population = None
    sources = [provenance.GEOKZ, provenance.OSM, provenance.AGGLOMAP]
    if args.population:
        from ..districts import read_district_indicators
        from ._common import user_source

        if not args.population_column:
            raise InputError("--population needs --population-column COL")
        table = read_district_indicators(args.population, vintage="2022")
        column = table.value_column(args.population_column, path=args.population)
        population = table.data[column]
        sources.append(user_source(args.population))
    z = delineate(args.fua_max_km, population=population)
    out = write_table(z.zones, args.out, sources, layer="zones")
    methods = z.units["centre_method"].value_counts().to_dict()
    print(
        f"Zones within {z.fua_max_km:g} km by network of each core's city; unit centres: "
        + ", ".join(f"{n} {m.replace('_', ' ')}" for m, n in methods.items())
    )
    for row in z.zones.itertuples():
        print(
            f"{row.name_en}: {row.n_units} units, {row.area_km2:,.0f} km², population "
            f"{row.population:,.0f} ({row.population_source}): {row.unit_names}"
        )
    missing = z.official[~z.official["in_computed_zone"]]
    for row in missing.itertuples():
        km = "" if row.km_network != row.km_network else f" ({row.km_network:g} km)"
        print(
            f"official {row.agglomeration} unit not in the computed zone: {row.official_unit}{km}"
        )
    for row in not_in_official(z).itertuples():
        print(f"computed {row.zone} unit not in the official composition: {row.name_en}")
    if args.units:
        write_table(z.units, args.units, sources, layer="units")
        say(f"wrote {args.units}")
    if args.map:
        from ..maps.static import save_figure, static_zones_map

        save_figure(static_zones_map(z, lang=args.lang, sources=sources), args.map)
        say(f"wrote {args.map}")
    say(f"wrote {out}")
    return 0
