"""``agglomap screenshot``: a PNG of a generated HTML map, rendered in headless Chromium."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import add_out, refuse_input_as_output, say

HELP = "PNG screenshot of an HTML map (headless Chromium)"
MAX_SIDE = 10_000


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("screenshot", help=HELP)
    p.add_argument("html", type=Path, help="HTML file to render")
    add_out(p, "PNG file to write")
    p.add_argument(
        "--size",
        type=parse_size,
        default=(1400, 900),
        metavar="WIDTHxHEIGHT",
        help="viewport in pixels (default 1400x900)",
    )
    p.set_defaults(func=run)


def parse_size(text: str) -> tuple[int, int]:
    """``1400x900`` → (1400, 900); argparse reports anything else as a usage error."""
    parts = text.lower().replace("×", "x").split("x")
    try:
        w, h = (int(v) for v in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT, e.g. 1400x900; got {text!r}"
        ) from None
    if not (1 <= w <= MAX_SIDE and 1 <= h <= MAX_SIDE):
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT with each side 1..{MAX_SIDE} pixels, e.g. 1400x900; "
            f"got {text!r}"
        )
    return w, h


def run(args: argparse.Namespace) -> int:
    from ..screenshot import screenshot

    refuse_input_as_output(args.out, [args.html])
    out = screenshot(args.html, args.out, size=args.size)
    say(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return 0
