"""Argument blocks and helpers shared by subcommands: one definition per repeated option."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..i18n import LANGS

if TYPE_CHECKING:
    import geopandas as gpd

    from ..provenance import Source

MAP_FORMATS = ("html", "png", "svg")


def add_out(
    parser: argparse.ArgumentParser, help: str = "output file; format from extension"
) -> None:
    parser.add_argument("--out", "-o", type=Path, required=True, metavar="FILE", help=help)


def add_lang(parser: argparse.ArgumentParser, help: str = "label language (default en)") -> None:
    """``--lang kk|ru|en`` (default en)."""
    parser.add_argument("--lang", choices=LANGS, default="en", help=help)


def add_vintage(
    parser: argparse.ArgumentParser,
    default: str | None = None,
    help: str = "boundary layout (default: the table's own, else 2022)",
) -> None:
    """``--vintage 2018|2022``: which administrative layout of the oblasts."""
    from ..choices import VINTAGES

    parser.add_argument("--vintage", choices=VINTAGES, default=default, help=help)


def add_table_input(
    parser: argparse.ArgumentParser, region_metavar: str = "COL", sheet_help: str | None = None
) -> None:
    """``--region-column`` and ``--sheet`` for reading an indicator table."""
    parser.add_argument(
        "--region-column",
        metavar=region_metavar,
        help="column holding region names (default: detected)",
    )
    parser.add_argument(
        "--sheet", metavar="S", help=sheet_help or "worksheet name or number (0 = first)"
    )


def add_map_output(parser: argparse.ArgumentParser) -> None:
    """``--tiles osm``, ``--no-self-contained`` (→ ``args.self_contained``) and ``--format``."""
    parser.add_argument(
        "--tiles",
        choices=("osm",),
        default=None,
        help="OpenStreetMap tiles under the map (fetched online when viewed)",
    )
    parser.add_argument(
        "--no-self-contained",
        dest="self_contained",
        action="store_false",
        help="link Leaflet from a CDN instead of inlining it",
    )
    parser.add_argument(
        "--format",
        choices=MAP_FORMATS,
        default=None,
        help="output format (default: from the --out extension)",
    )


def add_print_options(parser: argparse.ArgumentParser, title: bool = False) -> None:
    """``--size``, ``--dpi``, ``--subtitle``, ``--source`` (and ``--title``) of static images."""
    if title:
        parser.add_argument("--title", help="map title")
    parser.add_argument(
        "--subtitle", help="line under the title (PNG/SVG; default: the classification note)"
    )
    parser.add_argument(
        "--source",
        metavar="TEXT",
        help="credit line text, e.g. 'Source: Bureau of National Statistics, 2023' (PNG/SVG; "
        "shown before the boundary and data credits, which always stay)",
    )
    parser.add_argument(
        "--size",
        metavar="SIZE",
        help="printed size of a PNG/SVG: a4-portrait (170×110 mm, an A4 text width), "
        "a4-landscape (257×160 mm) or WIDTHxHEIGHT in mm; fonts are chosen for that size "
        "(none under 6.5 pt)",
    )
    parser.add_argument(
        "--dpi",
        type=int,
        metavar="N",
        help="PNG resolution (default 300 with --size, else 200)",
    )


def print_options(args: argparse.Namespace, fmt: str) -> dict:
    """Keyword arguments for the static map functions from :func:`add_print_options`;
    refuses them for HTML output, where they have no effect."""
    from ..maps.page import parse_size

    given = [f"--{k}" for k in ("size", "dpi", "subtitle", "source") if getattr(args, k, None)]
    if fmt == "html":
        if given:
            raise InputError(f"{', '.join(given)}: only for PNG/SVG output (--format png|svg)")
        return {}
    dpi = getattr(args, "dpi", None)
    if dpi is not None and not 50 <= dpi <= 1200:
        raise InputError(f"--dpi {dpi}: expected 50–1200")
    size = getattr(args, "size", None)
    return {
        "size_mm": parse_size(size) if size else None,
        "dpi": dpi,
        "subtitle": getattr(args, "subtitle", None),
        "credit": getattr(args, "source", None),
    }


def map_format(args: argparse.Namespace) -> str:
    """``--format``, else the extension of ``--out``; refuses a name that names neither."""
    if args.format:
        return args.format
    out = Path(args.out)
    ext = out.suffix.lower().lstrip(".")
    if ext not in MAP_FORMATS:
        raise InputError(
            f"cannot tell the output format from {out.name!r}; "
            f"use .html, .png or .svg, or pass --format {'|'.join(MAP_FORMATS)}",
            path=out,
        )
    return ext


def add_boundaries(parser: argparse.ArgumentParser, what: str = "geokz") -> None:
    """``--boundaries USERFILE`` with ``--name-field`` / ``--code-field``."""
    parser.add_argument(
        "--boundaries",
        metavar="USERFILE",
        help=f"your own oblast boundary file (any format GDAL reads: .gpkg .geojson .shp …) "
        f"instead of {what}; its name or code column is detected unless named",
    )
    fields = parser.add_mutually_exclusive_group()
    fields.add_argument("--name-field", metavar="F", help="column of USERFILE holding region names")
    fields.add_argument(
        "--code-field", metavar="F", help="column of USERFILE holding KATO or ISO codes"
    )


def user_source(
    path: str | Path,
    what: str = "indicator table",
    key: str = "user_table",
    credit: str | None = None,
) -> Source:
    """Provenance record for a file the user supplied (an indicator table by default).

    ``credit`` is the word before the file name on a map's attribution line (default
    "Boundaries" for ``user_boundaries``, else "Indicators", both translated on maps)."""
    from ..provenance import Source

    name = Path(str(path)).name
    if credit is None:
        credit = "Boundaries" if key == "user_boundaries" else "Indicators"
    return Source(
        key, f"{what} supplied by the user: {name}", "as supplied by the user", f"{credit}: {name}"
    )


def load_user_or_builtin_boundaries(
    args: argparse.Namespace, vintage: str
) -> tuple[gpd.GeoDataFrame, Source]:
    """Oblasts from ``args.boundaries`` if given, else geokz oblasts of ``vintage``; with the
    source to cite. A user file's layout is ``args.vintage`` if given, else detected."""
    from ..boundaries import load_boundaries
    from ..provenance import GEOKZ
    from ..readers import read_boundaries

    if args.boundaries:
        layer = read_boundaries(
            args.boundaries,
            name_field=args.name_field,
            code_field=args.code_field,
            vintage=getattr(args, "vintage", None),
        )
        return layer, user_source(args.boundaries, "boundaries", "user_boundaries")
    if args.name_field or args.code_field:
        flag = "--name-field" if args.name_field else "--code-field"
        raise InputError(f"{flag} needs --boundaries USERFILE")
    return load_boundaries(vintage), GEOKZ


_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj")


def _footprint(path: Path) -> set[Path]:
    """The files writing or reading ``path`` touches: itself, and for a shapefile (or one of
    its parts) every part of that name beside it; all resolved."""
    target = path.resolve()
    files = {target}
    if path.suffix.lower() in _SHAPEFILE_PARTS and target.parent.is_dir():
        files |= {
            sibling.resolve()
            for sibling in target.parent.iterdir()
            if sibling.stem == target.stem and sibling.suffix.lower() in _SHAPEFILE_PARTS
        }
        files |= {target.with_suffix(ext) for ext in _SHAPEFILE_PARTS}
    return files


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_input_as_output(
    out: str | Path | None, inputs: Iterable[str | Path | None], option: str = "--out"
) -> None:
    """InputError if writing ``out`` would overwrite one of ``inputs``: the same file by
    resolved path or hard link, or a part of the same shapefile (``x.shp``/``x.dbf``…)."""
    if out is None:
        return
    written = _footprint(Path(out))
    for given in inputs:
        if given is None or str(given) in ("", "-"):
            continue
        read = _footprint(Path(given))
        if written & read or any(_same_file(w, r) for w in written for r in read):
            raise InputError(f"refusing to overwrite the input {given}; choose another {option}")


def say(msg: str) -> None:
    """Progress line for the user (stderr, so stdout stays clean for data)."""
    print(msg, file=sys.stderr)


LEVELS = ("oblast", "district", "cities")


def add_level(parser: argparse.ArgumentParser) -> None:
    """``--level oblast|district`` and ``--code-column`` for reading an indicator table."""
    parser.add_argument(
        "--level",
        choices=LEVELS,
        default=None,
        help="the table's units: oblast-level regions, the 216 (2018) / 224 (2022) "
        "districts and city administrations, or cities (one row per city of republican or "
        "oblast significance, by name or KATO; joined to their polygons) (default: oblast "
        "or district, detected from the table)",
    )
    parser.add_argument(
        "--code-column",
        metavar="C",
        help="district level: column holding KATO codes (default: detected)",
    )
    parser.add_argument(
        "--to-oblasts",
        action="store_true",
        help="district level: sum the table to oblast-level regions (rates averaged with "
        "--weight) and use the oblast boundaries",
    )
    parser.add_argument(
        "--weight",
        metavar="COL",
        help="count column (e.g. population) weighting the rate columns when a district "
        "table is summed to oblasts (--to-oblasts) or moved to the other layout (--vintage)",
    )


def read_indicator_table(args: argparse.Namespace):
    """The table of ``args.indicators`` at ``args.level`` (detected when not given: a table
    the oblast reader refuses whose rows name districts or city administrations is read at
    district level). Returns the table and its level."""
    from ..districts import looks_like_districts, read_district_indicators
    from ..indicators import read_indicators

    level = getattr(args, "level", None)
    if level == "cities":
        from ..city_units import read_city_indicators

        table = read_city_indicators(
            args.indicators, region_column=args.region_column, sheet=args.sheet
        )
        return table, "cities"
    if level != "district":
        try:
            table = read_indicators(
                args.indicators, region_column=args.region_column, sheet=args.sheet
            )
            return table, "oblast"
        except InputError:
            if level == "oblast" or not looks_like_districts(args.indicators, args.sheet):
                raise
    table = read_district_indicators(
        args.indicators,
        region_column=args.region_column,
        code_column=getattr(args, "code_column", None),
        sheet=args.sheet,
    )
    return table, "district"


def to_oblasts(args: argparse.Namespace, table, level: str):
    """A district table moved to the ``--vintage`` layout if it is of the other one, then
    with ``--to-oblasts`` summed to oblast-level regions (reports printed)."""
    if level == "district" and getattr(args, "vintage", None) not in (None, table.vintage):
        from ..districts import to_vintage

        moved = to_vintage(table, args.vintage, weight=getattr(args, "weight", None))
        print(moved)
        table = moved.table
    if not getattr(args, "to_oblasts", False):
        return table, level
    if level != "district":
        raise InputError("--to-oblasts needs a district-level table")
    from ..districts import aggregate_to_oblasts

    aggregation = aggregate_to_oblasts(table, weight=args.weight)
    print(aggregation)
    return aggregation.table, "oblast"


def city_layer(args: argparse.Namespace, vintage: str, points: bool = False):
    """City polygons of ``vintage`` (or the gazetteer's points) to join a city table to."""
    from ..provenance import GEOKZ, GEONAMES

    if getattr(args, "boundaries", None):
        raise InputError(
            "--boundaries takes an oblast-level file; leave it out with --level cities"
        )
    if points:
        from ..gazetteer import load_cities

        return load_cities(), GEONAMES
    from ..city_units import load_city_polygons

    return load_city_polygons(vintage), GEOKZ


def district_boundaries(args: argparse.Namespace, vintage: str) -> tuple[gpd.GeoDataFrame, Source]:
    """geokz districts of ``vintage`` (a user's --boundaries file is oblast-level only)."""
    from ..boundaries import load_boundaries
    from ..provenance import GEOKZ

    if getattr(args, "boundaries", None):
        raise InputError(
            "--boundaries takes an oblast-level file; district tables are joined to the "
            "geokz districts (leave --boundaries out)"
        )
    return load_boundaries(vintage, "district"), GEOKZ
