"""``agglomap screenshot``: a PNG of a generated HTML map, rendered in headless Chromium."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..screenshot import screenshot
from ._common import add_out, say


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("screenshot", help="PNG screenshot of an HTML map (headless Chromium)")
    p.add_argument("html", type=Path, help="HTML file to render")
    add_out(p, "PNG file to write")
    p.add_argument("--size", default="1400x900", help="viewport WIDTHxHEIGHT (default 1400x900)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    w, h = (int(v) for v in args.size.lower().split("x"))
    out = screenshot(args.html, args.out, size=(w, h))
    say(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return 0
