"""``agglomap monocity-map``: the monocity map as a web page (HTML) or a report image (PNG/SVG)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ._common import (
    add_boundaries,
    add_lang,
    add_map_output,
    add_out,
    add_vintage,
    load_user_or_builtin_boundaries,
    map_format,
    refuse_input_as_output,
    say,
    user_source,
)

if TYPE_CHECKING:
    from ..provenance import Source

HELP = "map of monocities by agglomeration potential (HTML, PNG or SVG)"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "monocity-map",
        help=HELP,
        description="Monocities coloured by TDaa level (and recommended scenario where "
        "assessed), sized by population, with corridors, links to the nearest large city and "
        "geodesic distance rings. Without --scores the 27 monocities are scored with defaults.",
    )
    p.add_argument(
        "--scores",
        type=Path,
        metavar="FILE",
        help="scores from `agglomap score` (.csv with lat/lon, .gpkg, .geojson)",
    )
    p.add_argument(
        "--assessment",
        type=Path,
        metavar="FILE",
        help="monocity assessment table (.csv/.xlsx with town_id, top_scenario); "
        "default without --scores: the seed paper's three towns",
    )
    add_vintage(
        p,
        help="oblast boundaries to draw (default 2022; for --boundaries, guessed from the "
        "file's regions)",
    )
    add_boundaries(p)
    add_lang(p)
    p.add_argument(
        "--color-by",
        choices=("tdaa_level", "scenario"),
        default="tdaa_level",
        help="layer shown first (HTML only)",
    )
    p.add_argument(
        "--no-links", action="store_true", help="no lines to the nearest large city (HTML only)"
    )
    p.add_argument(
        "--rings",
        default="50,100",
        metavar="KM,KM",
        help="geodesic distance rings around each town, km (default 50,100; "
        "'' for none; HTML only)",
    )
    add_map_output(p)
    p.add_argument("--title", default=None, help="map title")
    add_out(p)
    p.set_defaults(func=run)


def parse_rings(text: str) -> tuple[float, ...]:
    """``"50,100"`` → ``(50.0, 100.0)``; ``""`` → ``()``; each must be a positive number."""
    rings = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            km = float(part)
        except ValueError:
            raise InputError(f"--rings: {part!r} is not a number of km (e.g. 50,100)") from None
        if not 0 < km <= 2000:
            raise InputError(f"--rings: {part} km is outside 0–2000 km")
        rings.append(km)
    return tuple(rings)


def map_sources(
    args: argparse.Namespace, assessed: bool, boundary_source: Source, tiles: str | None
) -> list[Source]:
    """The map's sources: the user's --scores and --assessment files credited by name
    (not the seed paper, whose towns are only the default assessment), the boundaries
    actually drawn, then what the map adds (corridors, gazetteer, tiles)."""
    from ..maps import monocities as mm
    from ..provenance import MONOCITY_PAPER, recorded_sources

    sources: list[Source] = []
    for path, what, key, credit in (
        (args.scores, "agglomeration scores", "user_scores", "Data"),
        (args.assessment, "monocity assessment", "user_assessment", "Indicators"),
    ):
        if path:
            sources.append(user_source(path, what, key, credit=credit))
            # a file agglomap wrote names its own sources (e.g. OSM towns): pass them on
            sources += [s for s in recorded_sources(path) if s.key.startswith(("osm", "user"))]
    for s in mm.map_sources(assessed, tiles):
        if s.key == "geokz":
            sources.insert(0, boundary_source)
        elif not (s == MONOCITY_PAPER and args.assessment):
            sources.append(s)
    return list(dict.fromkeys(sources))


def run(args: argparse.Namespace) -> int:
    from ..corridors import load_corridors
    from ..maps import monocities as mm
    from ..pipeline import default_assessment, default_scores
    from ..readers import read_assessment, read_scores

    out: Path = args.out
    fmt = map_format(args)
    rings = parse_rings(args.rings)
    refuse_input_as_output(out, [args.scores, args.assessment, args.boundaries])
    started = time.perf_counter()
    if args.scores:
        scores = read_scores(args.scores)
        mm.check_scores(scores, args.scores)
        assessment = read_assessment(args.assessment) if args.assessment else None
    else:
        say("scoring the 27 monocities with the default configuration…")
        scores = default_scores()
        assessment = read_assessment(args.assessment) if args.assessment else default_assessment()
    boundaries, boundary_source = load_user_or_builtin_boundaries(args, args.vintage or "2022")
    vintage = str(boundaries["vintage"].iloc[0])
    corridors = load_corridors()
    sources = map_sources(args, assessment is not None, boundary_source, args.tiles)
    if fmt == "html":
        m = mm.monocity_map(
            scores,
            assessment=assessment,
            corridors=corridors,
            boundaries=boundaries,
            vintage=vintage,
            lang=args.lang,
            color_by=args.color_by,
            show_links=not args.no_links,
            rings_km=rings,
            self_contained=args.self_contained,
            tiles=args.tiles,
            title=args.title,
            sources=sources,
        )
        from ..maps import web

        web.save_map(m, out, sources=sources, self_contained=args.self_contained)
    else:
        from ..maps.static import save_figure, static_monocity_map

        if out.suffix.lower() != f".{fmt}":
            raise InputError(f"--format {fmt} needs an .{fmt} file name", path=out)
        static_sources = map_sources(args, assessment is not None, boundary_source, None)
        fig = static_monocity_map(
            mm.check_scores(scores, args.scores),
            corridors=corridors,
            boundaries=boundaries,
            title=args.title,
            lang=args.lang,
            sources=static_sources,
        )
        save_figure(fig, out, sources=static_sources)
    say(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB, {time.perf_counter() - started:.1f} s)")
    return 0
