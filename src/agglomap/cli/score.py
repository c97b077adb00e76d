"""``agglomap score``: TDaa1..3, TDaa and gravity potential of towns, with their evidence."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING, Any

from .. import provenance
from ..errors import AgglomapError, InputError
from ._common import add_out, refuse_input_as_output, say, user_source
from ._network import add_network_options, load_network, network_inputs

if TYPE_CHECKING:
    from ..config import ScoreConfig

HELP = "agglomeration potential (TDaa) and gravity of towns from real distances"
TOWN_SETS = ("monocities", "all-cities")
OUT_FORMATS = (".csv", ".xlsx", ".gpkg", ".geojson", ".shp")

# One option per ScoreConfig field (``--fua-max-km`` for ``fua_max_km``): metavar, help.
THRESHOLDS: dict[str, tuple[str, str]] = {
    "core_min_population": ("N", "TDaa1: a core city has at least N inhabitants"),
    "fua_max_km": ("KM", "TDaa1: the nearest core city is within KM (commuting zone)"),
    "large_min_population": ("N", "TDaa2: a large city has at least N inhabitants"),
    "centre_vintage": ("2018|2022|any", "TDaa2: oblast centres of this layout are large"),
    "near_max_km": ("KM", "TDaa2: the nearest large city is within KM"),
    "corridor_max_km": ("KM", "TDaa3: a corridor passes within KM of the town"),
    "min_corridors": ("N", "TDaa3: at least N distinct corridors within reach"),
    "corridor_count": ("routes|per_mode|all", "TDaa3: what counts as distinct corridors"),
    "same_route_max_deg": ("DEG", "TDaa3 routes: corridors within DEG of one axis are one"),
    "gravity_decay": ("exp|power", "gravity: distance decay exp(-d/d0) or d^-gamma"),
    "gravity_d0_km": ("KM", "gravity exp decay: d0"),
    "gravity_gamma": ("G", "gravity power decay: exponent gamma"),
    "gravity_min_km": ("KM", "gravity power decay: distances below KM count as KM"),
    "self_radius_km": ("KM", "a gazetteer city within KM of a town is the town itself"),
}


def option(field: str) -> str:
    """The command-line option of a ScoreConfig field: ``fua_max_km`` → ``--fua-max-km``."""
    return "--" + field.replace("_", "-")


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..config import CONFIG_CHOICES, ScoreConfig, load_config

    parser = subparsers.add_parser(
        "score",
        help=HELP,
        description="Score towns on the agglomeration indicators TDaa1 (in a "
        "large city's commuting zone), TDaa2 (near an oblast/republican city), TDaa3 (at a "
        "crossing of transport corridors) and a gravity potential, from geodesic and network "
        "distances, with the evidence for each score. Thresholds: docs/agglomeration.md.",
    )
    parser.add_argument(
        "--lang",
        choices=("kk", "ru", "en"),
        default=None,
        help="with an .xlsx --out: a workbook for readers in this language (headers, town and "
        "region names, rounded values, a 'why' sentence per TDaa indicator, a column "
        "dictionary sheet); CSV and GeoPackage keep machine keys",
    )
    parser.add_argument(
        "--towns",
        default="monocities",
        metavar="FILE|monocities|all-cities",
        help="towns to score: the 27 monocities (default), every gazetteer city, or a point "
        "layer (GeoJSON/GPKG, or CSV with lat/lon columns), credited by name in the sidecar; "
        "an OpenStreetMap export (an osm_id or name:en/name:ru/name:kk column, or 'osm' or "
        "'hotosm' as a word of the file name) is credited to OpenStreetMap (ODbL) too",
    )
    parser.add_argument(
        "--distance",
        choices=("network", "geodesic"),
        default="network",
        help="distance for TDaa1, TDaa2 and gravity (default: along the corridor network, or "
        "along --network FILE)",
    )
    parser.add_argument(
        "--no-transit",
        dest="transit",
        action="store_false",
        help="keep network paths inside Kazakhstan: leave out the corridor sections abroad "
        "(the Kazakh railways through Iletsk, Orsk, Kulunda and Kurgan in Russia); by "
        "default they are used and the column path_leaves_kz marks the paths that leave",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="YAML overriding default thresholds (src/agglomap/data/score_config.yaml); "
        "the options below override both",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        default=None,
        help="draw a progress bar on standard error (drawn anyway from 50 000 towns on "
        "when standard error is a terminal)",
    )
    add_out(parser, help="output table/layer (.csv .xlsx .gpkg .geojson .shp)")
    add_network_options(parser)
    group = parser.add_argument_group(
        "thresholds", "each overrides the same key of --config FILE and of the defaults"
    )
    defaults = load_config(None)
    for f in dataclasses.fields(ScoreConfig):
        metavar, text = THRESHOLDS.get(f.name, ("VALUE", f.name.replace("_", " ")))
        kind = {"int": int, "float": float}.get(str(f.type))
        group.add_argument(
            option(f.name),
            dest=f.name,
            type=kind,
            choices=CONFIG_CHOICES.get(f.name),
            default=None,
            metavar=metavar,
            help=f"{text} (default {_fmt(getattr(defaults, f.name))})",
        )
    parser.set_defaults(func=run)


def effective_config(args: argparse.Namespace) -> tuple[ScoreConfig, dict[str, str]]:
    """Defaults < ``--config FILE`` < options; with where each value came from."""
    from ..config import ScoreConfig, load_config

    config = load_config(args.config)
    base = dataclasses.asdict(load_config(None))
    overrides = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(ScoreConfig)
        if getattr(args, f.name, None) is not None
    }
    try:  # ScoreConfig checks each value's type and range
        config = dataclasses.replace(config, **overrides)
    except InputError as exc:
        raise InputError(f"{option(exc.column or '')}: {exc.message}") from None
    origin = {}
    for key, value in dataclasses.asdict(config).items():
        if key in overrides:
            origin[key] = "option"
        elif value != base[key]:
            origin[key] = "config"
        else:
            origin[key] = "default"
    return config, origin


def _fmt(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(config: ScoreConfig, origin: dict[str, str]) -> str:
    """One line of effective thresholds, those not at their default marked by origin."""
    parts = []
    for key, value in dataclasses.asdict(config).items():
        mark = "" if origin[key] == "default" else f" ({origin[key]})"
        parts.append(f"{key}={_fmt(value)}{mark}")
    return "thresholds: " + ", ".join(parts)


def _config_record(config: ScoreConfig, origin: dict[str, str], path: Any) -> dict[str, Any]:
    """The effective thresholds for the sidecar, with the config file and the options used."""
    return {
        "thresholds": dataclasses.asdict(config),
        "config_file": str(path) if path else None,
        "from_options": sorted(k for k, v in origin.items() if v == "option"),
    }


def _towns_word(n: int) -> str:
    return f"{n} town" if n == 1 else f"{n} towns"


def _towns(spec: str):
    """The towns of ``--towns`` and their sources: a named set, or the user's file
    credited by name (plus OpenStreetMap if it is an OSM export, see
    :func:`agglomap.provenance.is_osm_export`)."""
    from pathlib import Path

    from ..errors import did_you_mean
    from ..gazetteer import load_cities, monocities
    from ..readers import read_towns

    if spec == "monocities":
        return monocities(), [provenance.GEONAMES, provenance.AGGLOMAP, provenance.POPULATIONS]
    if spec == "all-cities":
        return load_cities(), [provenance.GEONAMES, provenance.AGGLOMAP, provenance.POPULATIONS]
    hint = did_you_mean(spec, TOWN_SETS)
    if hint and not Path(spec).exists():
        raise InputError(
            f"no such file, nor a town set{hint} (--towns takes a file, "
            f"{' or '.join(map(repr, TOWN_SETS))})",
            path=spec,
        )
    towns = read_towns(spec)
    sources = [user_source(spec, "towns", "user_towns", credit="Towns")]
    if provenance.is_osm_export(spec, towns.columns):
        sources.append(provenance.OSM)
    return towns, sources


def run(args: argparse.Namespace) -> int:
    from ..agglomeration import compare_with_paper, score_towns
    from ..boundaries import load_boundaries
    from ..export import write_table

    if args.out.suffix.lower() not in OUT_FORMATS:
        raise InputError(
            f"unsupported output format {args.out.suffix!r}; expected {', '.join(OUT_FORMATS)}",
            path=args.out,
        )
    if args.towns not in TOWN_SETS:
        refuse_input_as_output(args.out, [args.towns, args.config, *network_inputs(args)])
    else:
        refuse_input_as_output(args.out, [args.config, *network_inputs(args)])
    config, origin = effective_config(args)
    towns, sources = _towns(args.towns)
    set_aside = towns.attrs.get("set_aside")  # towns abroad, left out (a warning said so)
    network, network_sources, network_record = load_network(args)
    sources += network_sources
    regions = None
    if "region_2022" not in towns.columns:
        try:
            regions = load_boundaries("2022", "oblast")
            sources.append(provenance.GEOKZ)
        except AgglomapError as exc:
            say(f"oblast left empty: boundaries unavailable ({exc})")
    transit = "" if args.transit else ", no transit abroad"
    say(f"scoring {_towns_word(len(towns))} ({args.distance} distance{transit})")
    say(describe(config, origin))
    scores = score_towns(
        towns,
        config=config,
        distance=args.distance,
        regions=regions,
        transit=args.transit,
        network=network,
        progress=args.progress,
    )
    off = scores["network_note"].astype(str).ne("") if "network_note" in scores else None
    if off is not None and off.any():
        names = ", ".join(scores.loc[off, "name"].astype(str).head(5))
        more = f" and {int(off.sum()) - 5} more" if off.sum() > 5 else ""
        say(f"{_towns_word(int(off.sum()))} off the main network (see network_note): {names}{more}")
    # gravity and the core/large cities stand on the gazetteer's populations
    sources += [
        provenance.AGGLOMAP,
        provenance.GEONAMES,
        provenance.POPULATIONS,
        provenance.NATURAL_EARTH,
    ]
    if args.lang and args.out.suffix.lower() == ".xlsx":
        from ..workbooks import write_score_workbook

        out = write_score_workbook(
            scores, args.out, args.lang, list(dict.fromkeys(sources)), config=config
        )
    else:
        out = write_table(
            scores,
            args.out,
            list(dict.fromkeys(sources)),
            layer="scores",
            sidecar={
                "distance": args.distance,
                "config": _config_record(config, origin, args.config),
                **({"set_aside": set_aside} if set_aside else {}),
                "network": network_record,
            },
        )
    counts = scores["tdaa_level"].value_counts()
    levels = ", ".join(f"{k} {v}" for k, v in counts.items())
    say(f"wrote {_towns_word(len(scores))} to {out}: {levels}")
    paper = compare_with_paper(scores, config)
    if len(paper):
        agree = int(paper["agree"].sum())
        print(f"Comparison with Maimurunova et al. (2025), table 4 ({agree}/{len(paper)} agree):")
        for r in paper.itertuples():
            verdict = "agree" if r.agree else "DISAGREE"
            print(
                f"  {r.town:<10} {r.indicator}: paper {r.paper:>3}, computed {r.computed:>3}  "
                f"{verdict:<8}  {r.evidence}"
            )
    return 0
