"""``agglomap choropleth``: map one indicator by region (HTML; PNG/SVG via maps.static)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ._common import (
    add_boundaries,
    add_lang,
    add_level,
    add_map_output,
    add_out,
    add_print_options,
    add_table_input,
    add_vintage,
    city_layer,
    district_boundaries,
    load_user_or_builtin_boundaries,
    map_format,
    print_options,
    read_indicator_table,
    refuse_input_as_output,
    say,
    to_oblasts,
    user_source,
)

if TYPE_CHECKING:
    import pandas as pd

HELP = "choropleth map of one indicator by region (self-contained HTML, PNG or SVG)"


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..choices import SCHEMES

    parser = subparsers.add_parser(
        "choropleth",
        help=HELP,
        description="Join an indicator table (CSV/XLSX, one row per region) to the region "
        "boundaries and map one of its columns, classified with mapclassify. Without "
        "--indicators, maps the shipped 2021 innovation table (Bureau of National Statistics, "
        "as printed in table 1 of the article 'Analysis of the interdependence of the "
        "urbanization process and the innovative development of urbanized territories of "
        "the Republic of Kazakhstan').",
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
    add_table_input(parser, region_metavar="C")
    add_level(parser)
    parser.add_argument(
        "--region",
        metavar="NAME|CODE",
        help="district level: map one oblast's districts only, zoomed to it (a name in "
        "kk/ru/en, KZ-35 or a KATO code)",
    )
    add_vintage(
        parser,
        help="boundary layout (default: the table's own, else 2022; for --boundaries, "
        "guessed from the file's regions)",
    )
    add_boundaries(parser)
    parser.add_argument("--scheme", choices=SCHEMES, default="quantiles")
    parser.add_argument("--k", type=int, default=5, help="number of classes (default 5)")
    parser.add_argument(
        "--bins",
        metavar="B1,B2,…",
        help="upper class bounds for --scheme user_defined, comma-separated",
    )
    add_lang(parser)
    parser.add_argument("--title", help="map title (default: the column name)")
    parser.add_argument("--unit", help="unit shown with values (default: from the table)")
    parser.add_argument("--cmap", help="matplotlib colour map (default YlGnBu, or RdBu)")
    parser.add_argument(
        "--diverging", action="store_true", help="diverging colours centred at --center"
    )
    parser.add_argument("--center", type=float, default=0.0, help="centre for --diverging")
    add_map_output(parser)
    add_print_options(parser)
    add_out(parser, help="output file: .html, .png or .svg")
    parser.set_defaults(func=run)


def _bins(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(b) for b in text.split(",") if b.strip()]
    except ValueError as exc:
        raise InputError(f"--bins must be numbers separated by commas, got {text!r}") from exc


def _note_fewer_classes(args: argparse.Namespace, joined: pd.DataFrame) -> None:
    """One note on stderr when ``--k`` exceeds the column's distinct values (the classes
    are then as many as those values)."""
    import pandas as pd

    if args.scheme in ("user_defined", "percentiles"):
        return
    values = pd.to_numeric(joined[args.column], errors="coerce").dropna()
    distinct = int(values.nunique())
    if 0 < distinct < args.k:
        say(
            f"note: --k {args.k} reduced to {distinct}: {args.column!r} has only {distinct} "
            "distinct values"
        )


def _one_region(joined, outline, region: str, vintage: str):
    """The units of one oblast (by name or code) and that oblast's outline."""
    from ..names import match_region

    rid = match_region(region, vintage=vintage)
    part = joined[joined["region_id"] == rid]
    if part.empty:
        raise InputError(f"--region {region!r} ({rid}) has no district-level units")
    return part, outline[outline["region_id"] == rid]


def run(args: argparse.Namespace) -> int:
    from ..indicators import default_indicators, join
    from ..maps import web
    from ..maps.choropleth import DEFAULT_LAYERS, choropleth, layout_notice

    started = time.perf_counter()
    fmt = map_format(args)
    printed = print_options(args, fmt)
    if args.scheme == "user_defined" and not _bins(args.bins):
        raise InputError("--scheme user_defined needs --bins B1,B2,… (upper class bounds)")
    refuse_input_as_output(args.out, [args.indicators, args.boundaries])
    level = "oblast"
    if args.indicators:
        table, level = read_indicator_table(args)
        table, level = to_oblasts(args, table, level)
        source = table.source or user_source(args.indicators)
    else:
        table = default_indicators()
        source = table.source
    args.column = table.value_column(
        args.column, path=args.indicators or "shipped 2021 innovation table"
    )
    vintage = args.vintage or table.vintage or "2022"
    outline = None
    if level == "cities":
        from ..boundaries import load_boundaries
        from ..city_units import join_cities

        if args.region:
            raise InputError("--region goes with --level district")
        layer, boundary_source = city_layer(args, vintage)
        joined, _missing = join_cities(table, layer)
        outline = load_boundaries(vintage)
        report = None
    elif level == "district":
        from ..boundaries import load_boundaries
        from ..districts import join_districts

        boundaries, boundary_source = district_boundaries(args, vintage)
        joined, report = join_districts(table, boundaries)
        outline = load_boundaries(vintage)
        if args.region:
            joined, outline = _one_region(joined, outline, args.region, vintage)
    else:
        if args.region:
            raise InputError("--region needs a district-level table (--level district)")
        boundaries, boundary_source = load_user_or_builtin_boundaries(args, vintage)
        joined, report = join(table, boundaries)
    if report is not None and not report.ok:
        say(str(report))
    _note_fewer_classes(args, joined)
    unit = args.unit if args.unit is not None else table.units.get(args.column)
    shipped = DEFAULT_LAYERS.get(args.column, {}) if not args.indicators else {}
    title = args.title or shipped.get(args.lang) or table.labels.get(args.column) or args.column
    sources = [boundary_source, source]
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
            outline=outline,
        )
        if level == "oblast":  # district tables are moved between layouts unit by unit
            notice = layout_notice(table.vintage, report.vintage, report.changed_extent, args.lang)
            if notice:  # 2018 data on 2022 polygons (or back): said on the map, not only here
                web.add_notice(m, notice)
        out = web.save_map(
            m, args.out, sources=m.agglomap_sources, self_contained=args.self_contained
        )
    else:
        from ..maps.static import image_path, save_figure, static_choropleth

        image_path(args.out)  # refuse a wrong extension before the work
        fig = static_choropleth(
            joined,
            args.column,
            scheme=args.scheme,
            k=args.k,
            bins=_bins(args.bins),
            title=title,
            unit=unit or "",
            lang=args.lang,
            sources=sources,
            cmap=args.cmap,
            diverging=args.diverging,
            center=args.center,
            **{k: v for k, v in printed.items() if k != "dpi"},
            outline=outline,
        )
        out = save_figure(fig, args.out, dpi=printed.get("dpi"), sources=sources)
    size_kb = Path(out).stat().st_size / 1024
    say(f"wrote {out} ({size_kb:,.0f} KB, {time.perf_counter() - started:.1f} s)")
    return 0
