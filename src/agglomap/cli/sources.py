"""``agglomap sources``: list the pinned upstream files, check them, or download them."""

from __future__ import annotations

import argparse

from ._common import say

HELP = "list, verify or download the upstream data files"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sources",
        help=HELP,
        description="List every upstream file agglomap reads (geokz boundaries, OSM "
        "settlements) with its licence, where it is read from (--sources / "
        "$AGGLOMAP_SOURCES, else the download cache) and whether its sha256 checks out. "
        "With --download, fetch the missing ones into the cache.",
    )
    p.add_argument(
        "--download", action="store_true", help="download missing files into the user cache"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..sources import fetch, status

    if args.download:
        for ent, _, state in status():
            if state != "ok" and not ent.manual:
                fetch(ent.name)
    problems = 0
    for ent, where, state in status():
        note = f" (manual download: {ent.page})" if ent.manual and state != "ok" else ""
        print(f"{state:<17} {ent.licence:<10} {where}{note}")
        problems += state != "ok"
    if problems:
        say(f"{problems} file(s) not ready; agglomap downloads geokz files when needed")
    return 1 if problems else 0
