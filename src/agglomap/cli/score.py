"""``agglomap score``: TDaa1..3, TDaa and gravity potential of towns, with their evidence."""

from __future__ import annotations

import argparse

from .. import provenance
from ..errors import AgglomapError, InputError
from ..export import write_table
from ._common import add_out, say

TOWN_SETS = ("monocities", "all-cities")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score",
        help="agglomeration potential (TDaa) and gravity of towns from real distances",
        description="Score towns on the seed paper's agglomeration indicators TDaa1 (in a "
        "large city's commuting zone), TDaa2 (near an oblast/republican city), TDaa3 (at a "
        "crossing of transport corridors) and a gravity potential, from geodesic and network "
        "distances, with the evidence for each score. Thresholds: docs/agglomeration.md.",
    )
    parser.add_argument(
        "--towns",
        default="monocities",
        metavar="FILE|monocities|all-cities",
        help="towns to score: the 27 monocities (default), every gazetteer city, or a point "
        "layer (GeoJSON/GPKG, or CSV with lat/lon columns)",
    )
    parser.add_argument(
        "--distance",
        choices=("network", "geodesic"),
        default="network",
        help="distance for TDaa1, TDaa2 and gravity (default: along the corridor network)",
    )
    parser.add_argument("--config", metavar="FILE", help="YAML overriding default thresholds")
    add_out(parser, help="output table/layer (.csv .xlsx .gpkg .geojson)")
    parser.set_defaults(func=run)


def _towns(spec: str):
    from ..agglomeration import read_towns
    from ..gazetteer import load_cities, monocities

    if spec == "monocities":
        return monocities(), [provenance.GEONAMES, provenance.AGGLOMAP]
    if spec == "all-cities":
        return load_cities(), [provenance.GEONAMES, provenance.AGGLOMAP]
    return read_towns(spec), []


def run(args: argparse.Namespace) -> int:
    from ..agglomeration import compare_with_paper, load_config, score_towns
    from ..boundaries import load_boundaries

    if args.out.suffix.lower() not in {".csv", ".xlsx", ".gpkg", ".geojson"}:
        raise InputError("expected .csv, .xlsx, .gpkg or .geojson", path=args.out)
    config = load_config(args.config)
    towns, sources = _towns(args.towns)
    regions = None
    if "region_2022" not in towns.columns:
        try:
            regions = load_boundaries("2022", "oblast", sources_dir=args.sources)
            sources.append(provenance.GEOKZ)
        except AgglomapError as exc:
            say(f"oblast left empty: boundaries unavailable ({exc})")
    say(f"scoring {len(towns)} towns ({args.distance} distance)")
    scores = score_towns(towns, config=config, distance=args.distance, regions=regions)
    sources += [provenance.AGGLOMAP, provenance.GEONAMES]
    out = write_table(scores, args.out, list(dict.fromkeys(sources)), layer="scores")
    counts = scores["tdaa_level"].value_counts()
    say(f"wrote {len(scores)} towns to {out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    paper = compare_with_paper(scores, config)
    if len(paper):
        agree = int(paper["agree"].sum())
        print(f"Comparison with seed paper 004, table 4 ({agree}/{len(paper)} agree):")
        for r in paper.itertuples():
            verdict = "agree" if r.agree else "DISAGREE"
            print(
                f"  {r.town:<10} {r.indicator}: paper {r.paper:>3}, computed {r.computed:>3}  "
                f"{verdict:<8}  {r.evidence}"
            )
    return 0
