"""Small helpers shared by subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_out(
    parser: argparse.ArgumentParser, help: str = "output file; format from extension"
) -> None:
    parser.add_argument("--out", "-o", type=Path, required=True, metavar="FILE", help=help)


def say(msg: str) -> None:
    """Progress line for the user (stderr, so stdout stays clean for data)."""
    import sys

    print(msg, file=sys.stderr)
