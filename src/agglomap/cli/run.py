"""``agglomap run``: the main job on the embedded defaults, written to ``outputs/``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ._common import add_lang, say
from ._network import add_network_options, load_network

HELP = "write every default layer, score, table and map into an output folder"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help=HELP,
        description="Reference layers, the 2021 indicators joined to oblasts, agglomeration "
        "scores of the monocities and all cities, the monocity assessment, HTML maps "
        "(self-contained, offline), static PNG/SVG images and outputs/index.html.",
    )
    p.add_argument("--out-dir", type=Path, default=Path("outputs"), help="default: outputs")
    add_lang(p, help="map labels")
    p.add_argument(
        "--screenshots",
        action="store_true",
        help="also screenshot the HTML maps with headless Chromium (outputs/screenshots/)",
    )
    add_network_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..pipeline import run as run_pipeline

    t0 = time.perf_counter()
    network, network_sources, _ = load_network(args)
    log = run_pipeline(
        args.out_dir,
        lang=args.lang,
        screenshots=args.screenshots,
        say=say,
        network=network,
        network_sources=network_sources,
    )
    say(
        f"wrote {len(log.entries)} files to {args.out_dir}/ in {time.perf_counter() - t0:.1f} s; "
        f"open {args.out_dir / 'index.html'}"
    )
    return 0
