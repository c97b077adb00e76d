"""``agglomap choropleth``: map one indicator by region (HTML; PNG/SVG via maps.static)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..errors import InputError, suggest
from ._common import add_out, say

FORMATS = ("html", "png", "svg")


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..maps.choropleth import SCHEMES

    parser = subparsers.add_parser(
        "choropleth",
        help="choropleth map of one indicator by region (self-contained HTML, PNG or SVG)",
        description="Join an indicator table (CSV/XLSX, one row per region) to the region "
        "boundaries and map one of its columns, classified with mapclassify. Without "
        "--indicators, maps the shipped 2021 innovation table (seed paper 000, table 1).",
    )
    parser.add_argument(
        "--indicators", metavar="FILE", help=".csv or .xlsx (default: the 2021 innovation table)"
    )
    parser.add_argument(
        "--column",
        required=True,
        metavar="COL",
        help="column to map (e.g. innovative_share_grp_pct for the shipped table)",
    )
    parser.add_argument(
        "--region-column", metavar="C", help="column holding region names (default: detected)"
    )
    parser.add_argument("--sheet", metavar="S", help="worksheet name or number (0 = first)")
    parser.add_argument(
        "--vintage",
        choices=("2018", "2022"),
        help="boundary layout (default: the table's own, else 2022)",
    )
    parser.add_argument("--scheme", choices=SCHEMES, default="quantiles")
    parser.add_argument("--k", type=int, default=5, help="number of classes (default 5)")
    parser.add_argument(
        "--bins",
        metavar="B1,B2,…",
        help="upper class bounds for --scheme user_defined, comma-separated",
    )
    parser.add_argument("--lang", choices=("kk", "ru", "en"), default="en")
    parser.add_argument("--title", help="map title (default: the column name)")
    parser.add_argument("--unit", help="unit shown with values (default: from the table)")
    parser.add_argument("--cmap", help="matplotlib colour map (default YlGnBu, or RdBu)")
    parser.add_argument(
        "--diverging", action="store_true", help="diverging colours centred at --center"
    )
    parser.add_argument("--center", type=float, default=0.0, help="centre for --diverging")
    parser.add_argument("--tiles", choices=("osm",), help="add OpenStreetMap tiles (online)")
    parser.add_argument(
        "--no-self-contained",
        dest="self_contained",
        action="store_false",
        help="link Leaflet from CDNs instead of inlining it",
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="output format (default: from --out's extension)"
    )
    add_out(parser, help="output file: .html, .png or .svg")
    parser.set_defaults(func=run)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    ext = Path(args.out).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise InputError(
            f"cannot tell the output format from {Path(args.out).name!r}; "
            f"use .html, .png or .svg, or pass --format",
            path=args.out,
        )
    return ext


def _bins(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(b) for b in text.split(",") if b.strip()]
    except ValueError as exc:
        raise InputError(f"--bins must be numbers separated by commas, got {text!r}") from exc


def run(args: argparse.Namespace) -> int:
    from ..boundaries import load_boundaries
    from ..indicators import default_indicators, join, read_indicators
    from ..maps import web
    from ..maps.choropleth import DEFAULT_LAYERS, choropleth
    from ..provenance import GEOKZ
    from .join import user_source

    started = time.perf_counter()
    fmt = _format(args)
    if args.indicators:
        table = read_indicators(args.indicators, region_column=args.region_column, sheet=args.sheet)
        source = table.source or user_source(args.indicators)
    else:
        table = default_indicators()
        source = table.source
    columns = table.value_columns
    if args.column not in columns:
        close = suggest(args.column, columns)
        hint = f"did you mean {', '.join(map(repr, close))}?" if close else ""
        raise InputError(
            f"no numeric column {args.column!r}; {hint or 'columns: ' + ', '.join(columns)}",
            path=args.indicators or "shipped 2021 innovation table",
            column=args.column,
        )
    vintage = args.vintage or table.vintage or "2022"
    joined, report = join(table, load_boundaries(vintage, sources_dir=args.sources))
    if not report.ok:
        say(str(report))
    unit = args.unit if args.unit is not None else table.units.get(args.column)
    shipped = DEFAULT_LAYERS.get(args.column, {}) if not args.indicators else {}
    title = args.title or shipped.get(args.lang) or table.labels.get(args.column) or args.column
    sources = [GEOKZ, source]
    if fmt == "html":
        m = choropleth(
            joined,
            args.column,
            scheme=args.scheme,
            k=args.k,
            bins=_bins(args.bins),
            lang=args.lang,
            title=title,
            unit=unit,
            cmap=args.cmap,
            diverging=args.diverging,
            center=args.center,
            self_contained=args.self_contained,
            tiles=args.tiles,
            sources=sources,
        )
        out = web.save_map(
            m, args.out, sources=m.agglomap_sources, self_contained=args.self_contained
        )
    else:
        from ..maps.static import static_choropleth

        if args.scheme == "user_defined":
            raise InputError("--scheme user_defined is available for .html output only")

        out = static_choropleth(
            joined,
            args.column,
            args.out,
            scheme=args.scheme,
            k=args.k,
            title=title,
            unit=unit or "",
            lang=args.lang,
            sources=sources,
            **({"cmap": args.cmap} if args.cmap else {}),
        )
    size_kb = Path(out).stat().st_size / 1024
    say(f"wrote {out} ({size_kb:,.0f} KB, {time.perf_counter() - started:.1f} s)")
    return 0
