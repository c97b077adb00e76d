"""The ``agglomap`` command line. Each module in this package is one subcommand.

A subcommand module defines ``register(subparsers)``, which adds its parser and sets
``func`` (a callable taking the parsed ``argparse.Namespace`` and returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from .. import __version__
from ..errors import AgglomapError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agglomap",
        description="Maps and agglomeration scores for Kazakhstan's regions and monocities.",
    )
    parser.add_argument("--version", action="version", version=f"agglomap {__version__}")
    parser.add_argument(
        "--sources",
        metavar="DIR",
        help="read upstream data from this folder instead of downloading it "
        "(default: $AGGLOMAP_SOURCES, else download into the user cache)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        importlib.import_module(f"{__name__}.{info.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AgglomapError as exc:
        print(f"agglomap {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
