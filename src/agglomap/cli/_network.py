"""The ``--network`` options shared by the commands that measure distances along a network."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._common import say, user_source


def add_network_options(parser: argparse.ArgumentParser) -> None:
    """``--network FILE`` and the options that say how it becomes a graph and is searched."""
    group = parser.add_argument_group(
        "network",
        "distances along your own roads or railways instead of the built-in corridors "
        "(docs/network.md)",
    )
    group.add_argument(
        "--network",
        metavar="FILE",
        help="an OpenStreetMap extract (.osm.pbf, .osm) or a line layer (GeoPackage, "
        "GeoJSON, Shapefile) to route along",
    )
    group.add_argument(
        "--network-classes",
        metavar="LIST",
        help="road/rail classes to keep, comma-separated (OSM highway/railway values such as "
        "motorway,trunk,primary or rail; a line layer's highway/fclass/class column); "
        "'all' keeps every line. Default: the public roads for OSM, every line otherwise",
    )
    group.add_argument(
        "--network-snap-m",
        type=float,
        metavar="M",
        help="join a loose line end to another line within M metres (default 10 for a line "
        "layer, 0 for OSM, whose junctions are shared nodes)",
    )
    group.add_argument(
        "--network-spacing-km",
        type=float,
        default=1.0,
        metavar="KM",
        help="divide longer edges so a town's access leg to the network is at most KM/2 "
        "too long (default 1)",
    )
    group.add_argument(
        "--network-max-km",
        type=float,
        metavar="KM",
        help="search cap: places farther than KM along the network count as unreachable "
        "(default: no cap; set it to the largest threshold you need on very large graphs)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the shortest-path batches on this Dask scheduler (tcp://host:8786; needs "
        "agglomap[dask]); default: in this process",
    )


def network_inputs(args: argparse.Namespace) -> list[Any]:
    """The files the network options read (to refuse one as ``--out``)."""
    return [args.network] if getattr(args, "network", None) else []


def load_network(args: argparse.Namespace) -> tuple[Any, list[Any], dict[str, Any]]:
    """The network of ``--network`` (None when not given), its sources and sidecar record.

    Reports the graph and its components on stderr.
    """
    from .. import provenance
    from ..network_file import NetworkSettings, read_network

    for flag, value, low in (
        ("--network-snap-m", args.network_snap_m, 0.0),
        ("--network-spacing-km", args.network_spacing_km, None),
        ("--network-max-km", args.network_max_km, None),
    ):
        if value is None:
            continue
        ok = math.isfinite(value) and (value >= low if low is not None else value > 0)
        if not ok:
            want = "a number >= 0" if low is not None else "a number > 0"
            raise InputError(f"{flag}: expected {want}, got {value:g}")
    if not args.network:
        for flag in ("network_classes", "network_snap_m"):
            if getattr(args, flag) is not None:
                raise InputError(f"--{flag.replace('_', '-')} needs --network FILE")
        record = {"name": "agglomap corridors (built in)", "max_km": args.network_max_km}
        if args.network_max_km is None and args.scheduler is None:
            return None, [], record
        from ..corridors import load_corridors
        from ..network import CorridorNetwork

        network = CorridorNetwork.from_corridors(load_corridors())
        network.max_km, network.scheduler = args.network_max_km, args.scheduler
        return network, [], {**record, "scheduler": args.scheduler}
    classes = (
        tuple(c.strip() for c in args.network_classes.split(",") if c.strip())
        if args.network_classes
        else None
    )
    settings = NetworkSettings(
        classes=classes, snap_m=args.network_snap_m, spacing_km=args.network_spacing_km
    )
    network = read_network(args.network, settings)
    network.max_km = args.network_max_km
    network.scheduler = args.scheduler
    info = network.info
    say(
        f"network {info['file']} ({info['kind']}): {info['n_lines']} lines of "
        f"{len(info['classes'])} classes, {info['n_vertices']} vertices, "
        f"{info['total_km']:,.0f} km; {info['n_crossings_noded']} crossings noded, "
        f"{info['n_ends_snapped']} ends snapped within {info['snap_m']:g} m; "
        f"{info['n_components']} connected component(s), the largest "
        f"{info['largest_vertices']} vertices ({100 * info['largest_share']:.1f} %)"
    )
    sources = [user_source(args.network, "road/rail network", "user_network", credit="Network")]
    if info["kind"].startswith("OpenStreetMap") or provenance.is_osm_export(args.network):
        sources.append(provenance.OSM)
    record = {
        "name": Path(args.network).name,
        "max_km": args.network_max_km,
        "scheduler": args.scheduler,
        **info,
    }
    return network, sources, record
