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
    add_print_options,
    add_vintage,
    load_user_or_builtin_boundaries,
    map_format,
    print_options,
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
        "default without --scores: the three towns of Maimurunova et al. (2025)",
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
    add_print_options(p, title=True)
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
    (not the monocity paper, whose towns are only the default assessment), the boundaries
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


_LAT = ("lat", "latitude", "широта", "ендік")
_LON = ("lon", "lng", "longitude", "долгота", "бойлық")


def place_assessed_towns(scores, assessment, path: Path | None):
    """``scores`` with every town of ``assessment`` on the map: an assessed town without a
    score row is scored (:func:`agglomap.agglomeration.score_towns`, same defaults) at the
    assessment's own ``lat``/``lon``, else at the gazetteer's coordinates for its
    ``town_id``; a town with neither is refused in one line (never silently dropped)."""
    import geopandas as gpd
    import pandas as pd

    from ..agglomeration import score_towns
    from ..gazetteer import load_cities
    from ..maps.monocities import check_scores

    scores = check_scores(scores)
    if assessment is None or not len(assessment) or "town_id" not in assessment.columns:
        return scores
    ids = assessment["town_id"].map(lambda v: "" if pd.isna(v) else str(v).strip())
    names = assessment["town"] if "town" in assessment.columns else ids
    names = [
        str(n) if pd.notna(n) and str(n).strip() else i for n, i in zip(names, ids, strict=True)
    ]
    known = set(scores["id"].astype(str))
    lower = {str(c).strip().lower(): c for c in assessment.columns}
    lat_col = next((lower[c] for c in _LAT if c in lower), None)
    lon_col = next((lower[c] for c in _LON if c in lower), None)
    cities = load_cities().set_index("city_id")
    rows, unplaced = [], []
    for i, town_id in enumerate(ids):
        if town_id in known:
            continue
        lat = lon = float("nan")
        if lat_col is not None and lon_col is not None:
            lat = pd.to_numeric(assessment[lat_col].iloc[i], errors="coerce")
            lon = pd.to_numeric(assessment[lon_col].iloc[i], errors="coerce")
        if not (pd.notna(lat) and pd.notna(lon)) and town_id in cities.index:
            lat, lon = cities.at[town_id, "lat"], cities.at[town_id, "lon"]
        if not (pd.notna(lat) and pd.notna(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            unplaced.append(f"{names[i]} (row {i + 2})" if names[i] != town_id else town_id)
            continue
        row = {"id": town_id or names[i], "name": names[i], "lat": float(lat), "lon": float(lon)}
        if town_id in cities.index:
            row["population"] = cities.at[town_id, "population"]
        rows.append(row)
        known.add(town_id)
    if unplaced:
        raise InputError(
            f"assessed town(s) {', '.join(unplaced)} are neither scored nor in the gazetteer, "
            "and the file has no lat/lon for them: add lat and lon columns (WGS84 degrees) "
            "or pass --scores with their score rows",
            path=path,
            column="town_id",
        )
    if not rows:
        return scores
    extra = pd.DataFrame(rows)
    towns = gpd.GeoDataFrame(extra, geometry=gpd.points_from_xy(extra.lon, extra.lat), crs=4326)
    say(f"scoring {len(rows)} assessed town(s) that had no score row: {', '.join(extra.name)}")
    added = check_scores(score_towns(towns))
    return gpd.GeoDataFrame(pd.concat([scores, added], ignore_index=True), crs=4326)


def run(args: argparse.Namespace) -> int:
    from ..corridors import load_corridors
    from ..maps import monocities as mm
    from ..pipeline import default_assessment, default_scores
    from ..readers import read_assessment, read_scores

    out: Path = args.out
    fmt = map_format(args)
    printed = print_options(args, fmt)
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
    scores = place_assessed_towns(scores, assessment, args.assessment)
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
            **{k: v for k, v in printed.items() if k != "dpi"},
        )
        save_figure(fig, out, dpi=printed.get("dpi"))  # sources: what the figure credits
    say(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB, {time.perf_counter() - started:.1f} s)")
    return 0
