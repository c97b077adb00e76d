"""Static PNG/SVG maps for reports: choropleths and the monocity map.

Drawn with matplotlib (Agg, no pyplot state) on the Albers equal-area conic projection
fitted to Kazakhstan (:data:`PROJECTION`, standard parallels 42° and 54° N, central
meridian 67° E): areas are true, so choropleth classes are not visually inflated in the
north, and shapes are close to conformal (scale error under 1 % between 40° and 56° N).

Every map has a title, a legend with classes and units, a scale bar whose label is the
geodesic length of the drawn bar, a north arrow pointing to true north where it stands
(meridians converge on a conic projection, so it is computed, not assumed upright),
and an attribution line. The format follows the extension: ``.png`` (raster, ``dpi``
recorded in the file) or ``.svg`` (text kept as text, so it stays searchable).
"""

from __future__ import annotations

import functools
import math
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle
from pyproj import Transformer

from ..boundaries import EQUAL_AREA
from ..distances import GEOD
from ..errors import InputError, suggest
from ..export import atomic_path, write_sidecar
from ..i18n import LANGS, check_lang, names_unit, t, unit_label
from ..provenance import GEOKZ, POPULATIONS, Source, attribution
from . import page
from .style import NO_DATA, TDAA_COLORS, TDAA_LEVELS, luminance, tdaa_level_key

PROJECTION = EQUAL_AREA
FORMATS = (".png", ".svg")

# ---------------------------------------------------------------- scale bar, north arrow


def nice_km(target_km: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ km not above ``target_km`` (a readable bar length)."""
    if not target_km > 0:
        raise ValueError(f"scale bar length must be positive, got {target_km}")
    exp = math.floor(math.log10(target_km))
    for step in (5, 2, 1):
        if step * 10**exp <= target_km:
            return float(step * 10**exp)
    return float(10**exp)  # unreachable: 1 × 10**exp <= target by construction


def scale_bar_metres(km: float, x: float, y: float, crs: str = PROJECTION) -> float:
    """Projected length (metres of ``crs``) of a horizontal bar from ``(x, y)`` that is
    ``km`` long on the ground (geodesic on WGS84).

    Projected metres differ from ground metres by the local scale factor (about 0.994 to
    1.006 on :data:`PROJECTION`), so the bar is solved for: its end points are
    unprojected and their geodesic distance matched to ``km`` (three fixed-point steps,
    converged to well under a metre).
    """
    inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    target = km * 1000.0
    length = target
    for _ in range(3):
        lon, lat = inverse.transform(np.array([x, x + length]), np.array([y, y]))
        _, _, dist = GEOD.inv(lon[0], lat[0], lon[1], lat[1])
        length *= target / dist
    return float(length)


def north_vector(x: float, y: float, crs: str = PROJECTION) -> tuple[float, float]:
    """Unit vector (dx, dy) in projected coordinates pointing to true north at ``(x, y)``."""
    inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lon, lat = inverse.transform(x, y)
    x2, y2 = forward.transform(lon, lat + 0.01)
    dx, dy = x2 - x, y2 - y
    norm = math.hypot(dx, dy)
    return dx / norm, dy / norm


def draw_scale_bar(ax, lang: str = "en", crs: str = PROJECTION, fraction: float = 0.2) -> float:
    """Draw a two-segment scale bar in the lower right; returns its ground length in km."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = x1 - x0
    bx, by = x0 + 0.72 * width, y0 + 0.012 * (y1 - y0)
    km = nice_km(fraction * width / 1000.0)
    length = scale_bar_metres(km, bx, by, crs)
    height = 0.008 * (y1 - y0)
    for i, face in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 2, by),
                length / 2,
                height,
                facecolor=face,
                edgecolor="black",
                linewidth=0.6,
                zorder=10,
            )
        )
    unit = unit_label("km", lang)
    for frac, text in ((0, "0"), (0.5, f"{km / 2:g}"), (1, f"{km:g} {unit}")):
        ax.text(
            bx + frac * length,
            by + 2 * height,
            text,
            ha="center",
            va="bottom",
            fontsize=7,
            zorder=10,
        )
    return km


def draw_north_arrow(ax, lang: str = "en", crs: str = PROJECTION) -> tuple[float, float]:
    """Draw a north arrow in the upper right, pointing to true north at that spot."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    cx, cy = x0 + 0.94 * (x1 - x0), y0 + 0.85 * (y1 - y0)
    dx, dy = north_vector(cx, cy, crs)
    size = 0.07 * (y1 - y0)
    ax.add_patch(
        FancyArrow(
            cx - dx * size / 2,
            cy - dy * size / 2,
            dx * size,
            dy * size,
            width=size * 0.12,
            head_width=size * 0.35,
            head_length=size * 0.35,
            length_includes_head=True,
            color="black",
            zorder=10,
        )
    )
    ax.text(
        cx + dx * size * 0.75,
        cy + dy * size * 0.75,
        t("north", lang),
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        zorder=10,
    )
    return dx, dy


# ---------------------------------------------------------------- shared figure plumbing


def image_path(out: str | Path) -> Path:
    """``out`` as a Path if it names a .png or .svg file, else an InputError."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise InputError(f"unsupported image format {out.suffix!r}; use .png or .svg", path=out)
    return out


def _figure(size_mm: tuple[float, float] | None = None) -> tuple[Figure, object]:
    """A figure of the printed size ``size_mm`` (width, height in mm; ``None``: the screen
    default of :mod:`.page`) with one map axes; :func:`_layout` positions it."""
    fig = Figure(figsize=page.inches(size_mm))
    FigureCanvasAgg(fig)  # a canvas of our own: no pyplot, no global backend state
    ax = fig.add_axes((0.01, 0.06, 0.80, 0.86))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.margins(0.02)
    return fig, ax


TITLE_PT = 13.0
SUBTITLE_PT = 8.5
LEGEND_PT = 7.5
LEGEND_TITLE_PT = 8.0
CREDIT_PT = page.MIN_FONT_PT
_MARGIN_IN = 0.08  # blank edge around everything, inches
_GAP_IN = 0.06


def wrap_to(text: str, fontsize: float, width_in: float) -> str:
    """``text`` wrapped to lines that fit ``width_in`` inches at ``fontsize`` points (a
    conservative 0.56 em per character; :func:`_layout` checks the drawn width)."""
    chars = max(12, int(width_in * 72 / (0.56 * fontsize)))
    return "\n".join(textwrap.fill(part, chars) for part in str(text).split("\n"))


def _height_in(artist, renderer, dpi: float) -> float:
    return artist.get_window_extent(renderer).height / dpi


def _layout(
    fig: Figure,
    ax,
    *,
    title: str,
    subtitle: str | None,
    credit: str,
    note: str,
    legends: Sequence = (),
    reserve_subtitle: str | None = None,
):
    """Position everything at the figure's printed size: the title (and subtitle) on top,
    wrapped to the width; the projection note and credit line at the bottom, wrapped; the
    ``legends`` stacked in a column at the right edge (a new column to the left when one
    is full), and the map axes in the space left. Nothing is placed outside the canvas.

    ``reserve_subtitle`` keeps room for a subtitle that is only known later (the
    monocity map's labelling note): the returned subtitle Text is then set by the caller.
    """
    width, height = fig.get_size_inches()
    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi
    usable = width - 2 * _MARGIN_IN
    top = height - _MARGIN_IN
    head = fig.text(
        0.5,
        top / height,
        wrap_to(title, TITLE_PT, usable),
        ha="center",
        va="top",
        fontsize=TITLE_PT,
        fontweight="bold",
        linespacing=1.1,
    )
    top -= _height_in(head, renderer, dpi) + _GAP_IN / 2
    sub = fig.text(
        0.5,
        top / height,
        wrap_to(subtitle or reserve_subtitle or "", SUBTITLE_PT, usable),
        ha="center",
        va="top",
        fontsize=SUBTITLE_PT,
        color="#444",
    )
    if subtitle or reserve_subtitle:
        top -= _height_in(sub, renderer, dpi)
    if not subtitle:
        sub.set_text("")
    top -= _GAP_IN
    foot = fig.text(
        _MARGIN_IN / width,
        _MARGIN_IN / height,
        wrap_to(note, CREDIT_PT, usable) + "\n" + wrap_to(credit, CREDIT_PT, usable),
        ha="left",
        va="bottom",
        fontsize=CREDIT_PT,
        color="#333",
        linespacing=1.25,
    )
    bottom = _MARGIN_IN + _height_in(foot, renderer, dpi) + _GAP_IN
    right = width - _MARGIN_IN  # inches: the legends' right edge
    y = top
    column_w = 0.0
    for legend in legends:
        legend.set_bbox_to_anchor((right / width, y / height), transform=fig.transFigure)
        box = legend.get_window_extent(renderer)
        w, h = box.width / dpi, box.height / dpi
        if y - h < bottom and y < top:  # this column is full: start one to its left
            right -= column_w + _GAP_IN
            y, column_w = top, 0.0
            legend.set_bbox_to_anchor((right / width, y / height), transform=fig.transFigure)
        if y - h < _MARGIN_IN:
            mm = width * page.MM_PER_INCH, height * page.MM_PER_INCH
            raise InputError(
                f"the legend does not fit a {mm[0]:.0f}×{mm[1]:.0f} mm figure at legible font "
                "sizes; choose a larger --size or a shorter title"
            )
        column_w = max(column_w, w)
        y -= h + _GAP_IN
    map_right = right - column_w - (_GAP_IN if legends else 0.0)
    if map_right - _MARGIN_IN < 0.4 * usable or top - bottom < 0.3 * height:
        mm = width * page.MM_PER_INCH, height * page.MM_PER_INCH
        raise InputError(
            f"a {mm[0]:.0f}×{mm[1]:.0f} mm figure leaves too little room for the map beside "
            "its title, legend and credits; choose a larger --size or a shorter title"
        )
    ax.set_position(
        (
            _MARGIN_IN / width,
            bottom / height,
            (map_right - _MARGIN_IN) / width,
            max(top - bottom, 0.5) / height,
        )
    )
    ax.autoscale_view()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax.set_xlim(x0, x1)  # freeze: labels, scale bar and arrow must not move the view
    ax.set_ylim(y0 - _SCALE_STRIP * (y1 - y0), y1)  # a strip under the map for the bar
    return sub


_SCALE_STRIP = 0.07  # share of the map's height added below it for the scale bar


def _finish(fig: Figure, ax, lang: str) -> None:
    """Draw the scale bar and north arrow (after :func:`_layout` froze the view)."""
    draw_scale_bar(ax, lang)
    draw_north_arrow(ax, lang)


def save_figure(
    fig: Figure,
    out: str | Path,
    *,
    dpi: int | None = None,
    sources: Sequence[Source] | None = None,
) -> Path:
    """Write a static map to ``out`` (.png or .svg, by the extension) atomically, with a
    ``<out>.sources.json`` sidecar naming ``sources`` (default: those the figure credits).
    The PNG resolution is ``dpi`` (default: 300 for a figure drawn at a print size, else
    200); SVG keeps its text as text."""
    out = image_path(out)
    if dpi is None:
        dpi = getattr(fig, "agglomap_dpi", page.SCREEN_DPI)
    if sources is None:
        sources = getattr(fig, "agglomap_sources", ())
    fmt = out.suffix.lower().lstrip(".")
    with (
        warnings.catch_warnings(),
        matplotlib.rc_context({"svg.fonttype": "none"}),
        atomic_path(out, sidecar=True) as tmp,
    ):
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING)
        fig.savefig(tmp, format=fmt, dpi=dpi, facecolor="white")
    write_sidecar(out, sources)
    return out


def town_names(frame: pd.DataFrame, lang: str) -> pd.Series:
    """Town names in ``lang``: the frame's ``name_<lang>``; else, in kk/ru, the gazetteer's
    name for towns it knows (by ``id``); else the frame's ``name`` (English in scores)."""
    ids = frame["id"].astype(str) if "id" in frame.columns else frame.index.astype(str)
    if f"name_{lang}" in frame.columns:
        return frame[f"name_{lang}"].fillna(ids).astype(str)
    base = frame["name"] if "name" in frame.columns else pd.Series(ids, index=frame.index)
    if lang != "en":
        from ..gazetteer import load_cities

        local = ids.map(load_cities().set_index("city_id")[f"name_{lang}"])
        base = local.where(local.notna(), base)
    return base.where(base.notna(), ids).astype(str)


def _fmt(value: float, lang: str = "en") -> str:
    """Three significant digits (whole numbers from 100), thin-space thousands; decimal comma
    in kk/ru."""
    if abs(value) >= 10000:
        return f"{value:,.0f}".replace(",", "\u202f")
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return text.replace(".", ",") if lang in ("kk", "ru") else text


# ---------------------------------------------------------------- choropleth


def static_choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    title: str | None = None,
    unit: str = "",
    lang: str = "en",
    sources: Sequence[Source] = (GEOKZ,),
    cmap: str | None = None,
    diverging: bool = False,
    center: float = 0.0,
    value_labels: bool = True,
    size_mm: tuple[float, float] | None = None,
    subtitle: str | None = None,
    credit: str | None = None,
    outline: gpd.GeoDataFrame | None = None,
) -> Figure:
    """Choropleth of ``gdf[column]`` as a matplotlib Figure (save it with :func:`save_figure`
    or ``fig.savefig``), classed and coloured
    exactly as the web map (:func:`agglomap.maps.choropleth.classify`: ``scheme``, ``k``,
    ``bins`` for user_defined, ``cmap``, ``diverging`` around ``center``) with the same
    legend limits. Each region shows its name and value; regions without one are grey.

    ``size_mm`` is the printed size (width, height in mm; see :mod:`.page`), at which no
    text is under :data:`.page.MIN_FONT_PT`.
    ``subtitle`` replaces the classification note; ``credit`` is added to the credit line.

    A district layer (``district_id`` column) is labelled by :func:`_label_units`: no
    label overlaps another, small units are named beside themselves with a leader line,
    units with no room left are unnamed (the subtitle says how many are named);
    ``outline`` (e.g. the oblasts) is drawn over the units as darker lines."""
    from .choropleth import (
        DEFAULT_LAYERS,
        class_labels,
        classification_note,
        classify,
        label_points,
    )
    from .web import default_decimals

    lang = check_lang(lang)
    shipped = DEFAULT_LAYERS.get(column)
    if shipped and title in (None, shipped["en"]):  # the shipped table's own title, translated
        title = shipped[lang]
    if column not in gdf.columns:
        columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
        close = suggest(column, columns)
        hint = f"did you mean {', '.join(close)}?" if close else f"columns: {', '.join(columns)}"
        raise InputError(f"no column {column!r} to map; {hint}", column=column)
    values = pd.to_numeric(gdf[column], errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(values)
    if not known.any():
        raise InputError(f"column {column!r} has no numeric values to map", column=column)
    c = classify(values, scheme, k, bins=bins, cmap=cmap, diverging=diverging, center=center)
    frame = gdf.to_crs(PROJECTION)
    face = np.array([NO_DATA if cls < 0 else c.colours[cls] for cls in c.yb], dtype=object)

    fig, ax = _figure(size_mm)
    cities = "city_id" in gdf.columns
    if cities and outline is not None:  # small city polygons over the grey oblasts
        outline.to_crs(PROJECTION).plot(ax=ax, color="#f2f0eb", edgecolor="#a9a59b", linewidth=0.6)
    frame.plot(ax=ax, color=list(face), edgecolor="white" if not cities else "#555", linewidth=0.7)
    handles = [
        Patch(facecolor=colour, edgecolor="#777", label=_wrap_label(text))
        for colour, text in zip(c.colours, class_labels(c, unit, lang), strict=True)
    ]
    if not known.all():  # static legend entries are lower case ("no data", "low", …)
        no_data = t("no_data", lang).lower()
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#777", label=no_data))
    name = title or column
    shown = unit_label(unit, lang)
    if shown and not names_unit(name, unit, lang):
        name = f"{name}, {shown}"
    legend = ax.legend(
        handles=handles,
        title=textwrap.fill(name, LEGEND_CHARS),
        loc="upper right",
        fontsize=LEGEND_PT,
        title_fontsize=LEGEND_TITLE_PT,
        frameon=True,
        framealpha=0.9,
    )
    decimals = default_decimals(values, unit)  # as the web map prints them (1 for %, …)
    shown_values = values if value_labels else None
    districts = "district_id" in gdf.columns or cities  # many small units: labels without overlap
    if districts and outline is not None and not cities:
        outline.to_crs(PROJECTION).boundary.plot(ax=ax, color="#333", linewidth=0.9)
    note = subtitle or classification_note(scheme, c.k, lang)
    widest = t("labels_units_note", lang).format(n=len(frame), total=len(frame))
    sub = _layout(
        fig,
        ax,
        title=title or column,
        subtitle=None if districts and not subtitle else note,
        credit=_credit_line(sources, credit, lang),
        note=t("projection_note", lang),
        legends=[legend],
        reserve_subtitle=f"{note}; {widest}" if districts and not subtitle else None,
    )
    if districts:
        n = _label_units(ax, frame, lang, fills=face, values=shown_values, decimals=decimals)
        if not subtitle:
            key = "labels_units_all" if n == len(frame) else "labels_units_note"
            named = t(key, lang).format(n=n, total=len(frame))
            width = fig.get_size_inches()[0] - 2 * _MARGIN_IN
            text = f"{note}; {named[0].lower()}{named[1:]}"
            sub.set_text(wrap_to(text, SUBTITLE_PT, width))
    else:
        points, _small = label_points(gdf.to_crs(4326))
        xy = _project_points(points)
        _label_regions(ax, frame, lang, fills=face, values=shown_values, decimals=decimals, xy=xy)
    _finish(fig, ax, lang)
    fig.agglomap_sources = list(sources)  # what the credit line names: save_figure's default
    fig.agglomap_dpi = page.default_dpi(size_mm)  # 300 for a print size
    return fig


LEGEND_CHARS = 28  # legend titles and class labels wrap at this many characters


def _wrap_label(text: str) -> str:
    """A legend class label, wrapped when long (it then widens the legend by at most
    :data:`LEGEND_CHARS` characters instead of running off the figure)."""
    return textwrap.fill(text, LEGEND_CHARS, break_long_words=False)


def _credit_line(sources: Sequence[Source], credit: str | None, lang: str) -> str:
    """The credit line: the sources' attributions, then the user's ``credit`` (--source)."""
    line = attribution(*sources, lang=lang)
    return f"{credit} | {line}" if credit else line


def _project_points(points: np.ndarray) -> list[tuple[float, float] | None]:
    forward = Transformer.from_crs("EPSG:4326", PROJECTION, always_xy=True)
    return [None if p is None else forward.transform(p.x, p.y) for p in points]


def _label_regions(
    ax,
    frame: gpd.GeoDataFrame,
    lang: str,
    color: str = "#222",
    fills=None,
    values: np.ndarray | None = None,
    decimals: int = 1,
    xy: list | None = None,
    avoid: list[tuple[float, float, float, float]] | None = None,
    fontsize: float = 6.5,
) -> None:
    """Region names (with ``values``, if given) at a point well inside each polygon (``xy``,
    projected; default: its representative point). Small city-regions are labelled beside
    themselves with a leader line. Over a dark ``fills`` colour the label is white. A label
    that would cover a box in ``avoid`` (display pixels: town labels, circles) is nudged
    up or down, or left out."""
    from .choropleth import DEFAULT_LEADER, LEADER_OFFSETS
    from .web import format_number, short_labels

    if any(f"name_{x}" in frame.columns for x in LANGS):
        names = np.array(short_labels(frame.to_dict("records"), lang), dtype=object)
    else:
        names = (frame["name"] if "name" in frame.columns else frame.index).astype(str).to_numpy()
    if xy is None:
        pts = frame.geometry.representative_point()
        xy = [(p.x, p.y) for p in pts]
    small = frame.geometry.area.to_numpy() < 5e9  # under 5 000 km²: the three cities
    colors = [color] * len(frame)
    if fills is not None:
        colors = [
            "white" if not is_small and luminance(f) < 0.45 else color
            for f, is_small in zip(fills, small, strict=True)
        ]
    ids = frame["region_id"].astype(str).to_numpy() if "region_id" in frame else [""] * len(frame)
    renderer = ax.figure.canvas.get_renderer() if avoid is not None else None
    if avoid is not None:
        ax.autoscale_view()
        ax.apply_aspect()
    for i, (name, spot, is_small, col) in enumerate(zip(names, xy, small, colors, strict=True)):
        if spot is None:
            continue
        if not is_small and len(name) > 12:  # "Северо-\nКазахстанская", "North\nKazakhstan"
            name = name.replace("-", "-\n", 1) if "-" in name else name.replace(" ", "\n", 1)
        text = name
        if values is not None:
            v = values[i]
            if np.isfinite(v):
                number = format_number(float(v), lang, decimals)
                text = f"{name} {number}" if is_small else f"{name}\n{number}"
        if is_small:
            dx, dy = LEADER_OFFSETS.get(ids[i], DEFAULT_LEADER)
            ax.annotate(
                text,
                spot,
                xytext=(dx * 0.75, -dy * 0.75),
                textcoords="offset points",
                ha="right" if dx < 0 else "left",
                va="center",
                fontsize=max(fontsize - 0.5, page.MIN_FONT_PT),
                color=color,
                zorder=7,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
                arrowprops={"arrowstyle": "-", "color": "#333", "lw": 0.6, "shrinkA": 0},
            )
            continue
        label = ax.annotate(
            text,
            spot,
            ha="center",
            va="center",
            fontsize=fontsize,
            color=col,
            zorder=5,
            xytext=(0, 0),
            textcoords="offset points",
            linespacing=1.1,
        )
        if avoid is None:
            continue
        for shift in (0, 8, -8, 16, -16, None):
            if shift is None:
                label.remove()
                break
            label.set_position((0, shift))
            box = label.get_window_extent(renderer)
            rect = (box.x0, box.y0, box.x1, box.y1)
            if not any(_overlap(rect, other) for other in avoid):
                break


def _label_units(
    ax,
    frame: gpd.GeoDataFrame,
    lang: str,
    *,
    fills,
    values: np.ndarray | None,
    decimals: int,
    fontsize: float = page.MIN_FONT_PT,
) -> int:
    """Name (and value) of each district-level unit, largest first, at the first spot where
    its box overlaps no label placed before and stays on the map: inside the unit (its
    pole of inaccessibility) if the box fits in the unit, else beside it at growing
    distances with a leader line. A unit with no free spot is left unnamed. Returns how
    many units were named."""
    import shapely
    import shapely.ops

    from .web import format_number, short_labels

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.autoscale_view()
    ax.apply_aspect()
    k = fig.dpi / 72
    names = short_labels(frame.to_dict("records"), lang)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    order = np.argsort(-shapely.area(geoms), kind="stable")
    box_frame = ax.bbox
    placed: list[tuple[float, float, float, float]] = []
    to_data = ax.transData.inverted()
    named = 0
    for i in order:
        geom = geoms[i]
        if geom is None or geom.is_empty:
            continue
        part = max(shapely.get_parts(geom), key=lambda g: g.area)
        spot = shapely.ops.polylabel(part, tolerance=max(part.area**0.5 / 50, 1.0))
        text = str(names[i])
        if values is not None and np.isfinite(values[i]):
            text = f"{text}\n{format_number(float(values[i]), lang, decimals)}"
        probe = ax.text(0, 0, text, fontsize=fontsize, transform=None, linespacing=1.0)
        ext = probe.get_window_extent(renderer)
        probe.remove()
        w, h = ext.width + 2, ext.height + 2
        px, py = ax.transData.transform((spot.x, spot.y))
        colour = "white" if luminance(fills[i]) < 0.45 else "#222"
        candidates = [(0.0, 0.0, True)]
        for dist in (1.2, 2.2, 3.4):
            r = dist * max(w, h) / 2 + 4 * k
            for ox, oy in _SPOTS:
                candidates.append((ox * r, oy * r, False))
        for dx, dy, inside in candidates:
            cx, cy = px + dx, py + dy
            rect = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if not (box_frame.x0 <= rect[0] and rect[2] <= box_frame.x1):
                continue
            if not (box_frame.y0 <= rect[1] and rect[3] <= box_frame.y1):
                continue
            if any(_overlap(rect, other) for other in placed):
                continue
            if not inside and shapely.LineString([(px, py), (cx, cy)]).intersects(
                shapely.MultiPolygon([shapely.box(*b) for b in placed])
            ):
                continue  # the leader line would cross a name placed before
            if inside:
                corners = to_data.transform(
                    [(rect[0], rect[1]), (rect[2], rect[1]), (rect[2], rect[3]), (rect[0], rect[3])]
                )
                if not part.contains(shapely.Polygon(corners)):
                    continue
                ax.annotate(
                    text, (spot.x, spot.y), ha="center", va="center", fontsize=fontsize,
                    color=colour, zorder=6, linespacing=1.0,
                )  # fmt: skip
            else:
                ax.annotate(
                    text,
                    (spot.x, spot.y),
                    xytext=(dx / k, dy / k),
                    textcoords="offset points",
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color="#222",
                    zorder=7,
                    linespacing=1.0,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
                    arrowprops={"arrowstyle": "-", "color": "#444", "lw": 0.5, "shrinkA": 0},
                )
                # the leader line's own path is no obstacle worth a search; its dot is
                dot = (px - 2, py - 2, px + 2, py + 2)
                placed.append(dot)
            placed.append(rect)
            named += 1
            break
    return named


# ---------------------------------------------------------------- monocity map


def marker_area(population: np.ndarray, ref: float = 100_000, ref_area: float = 80.0):
    """Marker area (points²) proportional to population, i.e. radius ∝ √population."""
    return ref_area * np.asarray(population, dtype=float) / ref


def town_population(scores: pd.DataFrame) -> np.ndarray:
    """Population per town: the frame's ``population`` column, else the gazetteer's by id."""
    if "population" in scores.columns:
        return pd.to_numeric(scores["population"], errors="coerce").to_numpy(dtype=float)
    from ..gazetteer import load_cities

    if "id" in scores.columns:
        pop = load_cities().set_index("city_id")["population"]
        mapped = scores["id"].map(pop)
        return pd.to_numeric(mapped, errors="coerce").to_numpy(dtype=float)
    return np.full(len(scores), np.nan)


MAX_LABELS = 60  # more names than this make a black mass: only the first 60 are tried
MANY_MARKERS = 300  # above this many towns the circles shrink (see marker_shrink)
_GLYPH_WARNING = r"Glyph .* missing from font"
# label positions around a circle (unit steps) and their distances (× the circle's pad);
# the farther rings get a leader line back to the circle
_SPOTS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
_RINGS = (1.0, 2.2, 3.6, 6.0)


@functools.lru_cache(maxsize=4)
def _font_chars(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


def drawable(text: str) -> bool:
    """Whether matplotlib's default font has a glyph for every character of ``text``."""
    from matplotlib import font_manager

    chars = _font_chars(font_manager.findfont(font_manager.FontProperties()))
    return all(ch.isspace() or ord(ch) in chars for ch in text)


def label_texts(frame: pd.DataFrame, lang: str) -> np.ndarray:
    """Each town's label: its ``name_<lang>`` (in kk/ru also the gazetteer's name for towns it
    knows by ``id``), else ``name_ru``, ``name_en`` or ``name`` — the first that is a real
    name (not a bare number such as an OSM id) the font can draw; ``None`` where there is
    none (a town's id is never used as its label)."""
    index = frame.index
    candidates = []
    if f"name_{lang}" in frame.columns:
        candidates.append(frame[f"name_{lang}"])
    if lang != "en" and "id" in frame.columns:
        from ..gazetteer import load_cities

        local = load_cities().set_index("city_id")[f"name_{lang}"]
        candidates.append(frame["id"].astype(str).map(local))
    candidates += [frame[c] for c in ("name_ru", "name_en", "name") if c in frame.columns]
    columns = [pd.Series(c, index=index).to_numpy(dtype=object) for c in candidates]
    out = np.full(len(frame), None, dtype=object)
    for i in range(len(frame)):
        for col in columns:
            value = col[i]
            if isinstance(value, str):
                value = value.strip()
                if value and not value.isdigit() and drawable(value):
                    out[i] = value
                    break
    return out


def label_priority(scores: pd.DataFrame, pop: np.ndarray) -> tuple[np.ndarray, str]:
    """Town indices in labelling order and the basis: by population (largest first) when
    any is known, ties and unknowns by TDaa then gravity potential (highest first)."""
    tdaa = pd.to_numeric(scores.get("tdaa"), errors="coerce")
    tdaa = np.nan_to_num(np.asarray(tdaa, dtype=float), nan=-1.0)
    grav = scores["gravity"] if "gravity" in scores.columns else pd.Series(np.nan, scores.index)
    grav = np.nan_to_num(pd.to_numeric(grav, errors="coerce").to_numpy(dtype=float), nan=-1.0)
    has_pop = bool(np.isfinite(pop).any())
    popk = np.nan_to_num(pop, nan=-1.0)
    return np.lexsort((-grav, -tdaa, -popk)), "population" if has_pop else "tdaa"


def marker_shrink(n_towns: int) -> float:
    """Factor on circle areas: 1 up to :data:`MANY_MARKERS` towns, then ∝ 1/n (at least
    1/20), so thousands of towns stay dots rather than one blot."""
    return 1.0 if n_towns <= MANY_MARKERS else max(0.05, MANY_MARKERS / n_towns)


def shared_sections(corridors: gpd.GeoDataFrame, tolerance_m: float = 2_000) -> float:
    """Length (km) of rail that runs within ``tolerance_m`` of a road (``corridors`` in
    metres): where road and rail share a route."""
    road = corridors[corridors["mode"] == "road"]
    rail = corridors[corridors["mode"] == "rail"]
    if not len(road) or not len(rail):
        return 0.0
    near = road.geometry.union_all().buffer(tolerance_m)
    return float(rail.geometry.union_all().intersection(near).length / 1000.0)


def _draw_corridors(ax, corridors: gpd.GeoDataFrame, lang: str) -> list:
    """Roads as wide grey lines, rails as narrow blue dashes on top, so a shared route shows
    both; returns legend handles (with a "road and rail" entry when routes are shared)."""
    from matplotlib.legend_handler import HandlerTuple

    c = corridors.to_crs(PROJECTION)
    styles = {
        "road": {"color": "#8a8a8a", "linewidth": 2.2, "linestyle": "-", "zorder": 3},
        "rail": {"color": "#1f4e9c", "linewidth": 1.0, "linestyle": (0, (4, 2)), "zorder": 3.5},
    }
    handles: dict[str, Line2D] = {}
    for mode, style in styles.items():
        part = c[c["mode"] == mode]
        if len(part):
            part.plot(ax=ax, **style)
            lw = style["linewidth"] + 0.2
            handles[mode] = Line2D(
                [], [], color=style["color"], linestyle=style["linestyle"], lw=lw
            )
            handles[mode].set_label(t(mode, lang))
    out: list = list(handles.values())
    if len(handles) == 2 and shared_sections(c) > 1.0:
        both = (handles["road"], handles["rail"])
        out.append(_Shared(both, t("road_and_rail", lang), HandlerTuple(ndivide=1)))
    return out


class _Shared(tuple):
    """A legend entry drawn as several overlaid line styles (see :func:`_legend`)."""

    def __new__(cls, lines: tuple, label: str, handler: object) -> _Shared:
        self = super().__new__(cls, lines)
        self.label, self.handler = label, handler
        return self


def _legend(ax, entries: list, **kwargs: object):
    """``ax.legend`` where an entry may be a :class:`_Shared` (overlaid line styles)."""
    handles = list(entries)
    labels = [e.label if isinstance(e, _Shared) else e.get_label() for e in entries]
    handler_map = {e: e.handler for e in entries if isinstance(e, _Shared)}
    return ax.legend(handles, labels, handler_map=handler_map, **kwargs)


def _large_cities(scores: pd.DataFrame, lang: str) -> list[tuple[str, float, float]]:
    """(name in ``lang``, x, y projected) of the large cities the towns link to, except those
    that are mapped towns themselves (named as towns)."""
    if "large_city" not in scores.columns:
        return []
    from ..gazetteer import load_cities
    from .web import label

    cities = load_cities()
    mapped = set(scores["id"].astype(str)) if "id" in scores.columns else set()
    if "name" in scores.columns:
        mapped |= set(scores["name"].dropna().astype(str))
    forward = Transformer.from_crs("EPSG:4326", PROJECTION, always_xy=True)
    wanted = set(scores["large_city"].dropna().astype(str))
    out = []
    for row in cities.to_dict("records"):
        keys = {str(row["city_id"]), str(row["name_en"])}
        if keys & wanted and not keys & mapped:
            x, y = forward.transform(float(row["lon"]), float(row["lat"]))
            out.append((label(row, lang), x, y))
    return out


def static_monocity_map(
    scores: gpd.GeoDataFrame,
    *,
    corridors: gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    lang: str = "en",
    sources: Sequence[Source] = (GEOKZ,),
    size_mm: tuple[float, float] | None = None,
    subtitle: str | None = None,
    credit: str | None = None,
) -> Figure:
    """Monocities coloured by TDaa level, sized by population, over oblasts and corridors, as
    a matplotlib Figure (save it with :func:`save_figure` or ``fig.savefig``).

    Large-city names (zorder 7.5) and town names (zorder 8) are placed first, clear of every
    circle, marker and other name; oblast names (zorder 5, lighter) only where they cover no
    town name or circle. Of more than :data:`MAX_LABELS` towns only the largest (or
    highest-TDaa) are named, as a note says."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING)
        return _monocity_figure(
            scores,
            corridors=corridors,
            boundaries=boundaries,
            title=title,
            lang=lang,
            sources=sources,
            size_mm=size_mm,
            subtitle=subtitle,
            credit=credit,
        )


def _monocity_figure(
    scores: gpd.GeoDataFrame,
    *,
    corridors: gpd.GeoDataFrame | None,
    boundaries: gpd.GeoDataFrame | None,
    title: str | None,
    lang: str,
    sources: Sequence[Source],
    size_mm: tuple[float, float] | None,
    subtitle: str | None,
    credit: str | None,
) -> Figure:
    """The monocity map as a matplotlib figure, ``size_mm`` (width, height in mm) as
    printed; ``subtitle`` is shown above the map (default: the labelling note, if any),
    ``credit`` leads the credit line. Where circles are sized by population and no towns
    file of the user's is among ``sources``, the populations' source is credited
    (:data:`agglomap.provenance.POPULATIONS`); ``fig.agglomap_sources`` lists what the
    credit line names. Large-city names (zorder 7.5) and town names
    (zorder 8) are placed first, clear of every circle, marker and other name; oblast names
    (zorder 5, lighter) only where they cover no town name or circle. Of more than
    :data:`MAX_LABELS` towns only the largest (or highest-TDaa) are named, as a note says."""
    lang = check_lang(lang)
    if "tdaa_level" not in scores.columns:
        raise InputError(
            "scores need a 'tdaa_level' column (from score_towns)", column="tdaa_level"
        )
    fig, ax = _figure(size_mm)
    if boundaries is not None:
        b = boundaries.to_crs(PROJECTION)
        b.plot(ax=ax, color="#f2f0eb", edgecolor="#a9a59b", linewidth=0.6)
    handles: list = []
    if corridors is not None and len(corridors):
        handles = _draw_corridors(ax, corridors, lang)
    towns = scores.to_crs(PROJECTION)
    n_towns = len(towns)
    levels = towns["tdaa_level"].map(tdaa_level_key)
    pop = town_population(scores)
    fill = np.where(np.isnan(pop), np.nanmedian(pop) if np.isfinite(pop).any() else 50_000, pop)
    colors = [TDAA_COLORS[lv] if lv else NO_DATA for lv in levels]
    xs, ys = towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy()
    shrink = marker_shrink(n_towns)
    areas = marker_area(fill) * shrink
    order = np.argsort(-fill)  # big circles below small ones
    ax.scatter(
        xs[order],
        ys[order],
        s=areas[order],
        c=np.array(colors)[order],
        edgecolors="black",
        linewidths=0.6 if shrink == 1.0 else 0.15,
        zorder=6,
    )
    cities = _large_cities(scores, lang)
    if cities:
        cx = np.array([c[1] for c in cities])
        cy = np.array([c[2] for c in cities])
        ax.scatter(cx, cy, s=14, c="black", marker="s", zorder=7, gid="large-city")

    level_handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=8,
            markerfacecolor=TDAA_COLORS[lv],
            markeredgecolor="black",
            label=t(f"level.{lv}", lang),
        )
        for lv in TDAA_LEVELS
    ]
    if any(lv is None for lv in levels):
        level_handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=8,
                markerfacecolor=NO_DATA,
                markeredgecolor="black",
                label=t("no_data", lang).lower(),
            )
        )
    if cities:
        level_handles.append(
            Line2D(
                [],
                [],
                marker="s",
                linestyle="",
                markersize=3.7,
                markerfacecolor="black",
                markeredgecolor="black",
                label=t("large_cities", lang).lower(),
            )
        )
    size_handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="black",
            markersize=math.sqrt(marker_area(ref) * shrink),
            label=f"{_fmt(ref)}",
        )
        for ref in (25_000, 100_000, 250_000)
    ]
    first = _legend(
        ax,
        level_handles + handles,
        title=textwrap.fill(t("tdaa_potential", lang).replace(" (", "\n("), 24),
        loc="upper right",
        fontsize=LEGEND_PT,
        title_fontsize=LEGEND_TITLE_PT,
        framealpha=0.9,
    )
    ax.add_artist(first)
    second = ax.legend(
        handles=size_handles,
        title=t("population", lang),
        loc="upper right",
        fontsize=LEGEND_PT,
        title_fontsize=LEGEND_TITLE_PT,
        framealpha=0.9,
        labelspacing=1.3,
        borderpad=0.9,
    )
    sources = list(sources)
    if np.isfinite(pop).any() and not {"user_towns", "osm"} & {s.key for s in sources}:
        sources.append(POPULATIONS)  # the circles are sized by the gazetteer's populations
    texts = label_texts(scores, lang)
    priority, basis = label_priority(scores, pop)
    by = {"population": "labels_note_population", "tdaa": "labels_note_tdaa"}[basis]
    note_key = "labels_note_room" if n_towns <= MAX_LABELS else by
    widest = _fmt(n_towns, lang)
    sub = _layout(
        fig,
        ax,
        title=title or t("monocity_title", lang),
        subtitle=subtitle,
        credit=_credit_line(sources, credit, lang),
        note=t("projection_note", lang),
        legends=[first, second],
        reserve_subtitle=t(note_key, lang).format(n=widest, total=widest),
    )
    wanted = [i for i in priority if texts[i] is not None]
    taken, named = _label_towns(fig, ax, xs, ys, texts, areas, wanted, cities)
    if boundaries is not None:  # after the towns: a region name never covers a town's
        _label_regions(ax, b, lang, color="#9a958a", avoid=taken, fontsize=page.MIN_FONT_PT)
    if named < n_towns and not subtitle:
        note = t(note_key, lang).format(n=_fmt(named, lang), total=_fmt(n_towns, lang))
        width = fig.get_size_inches()[0] - 2 * _MARGIN_IN
        sub.set_text(wrap_to(note, SUBTITLE_PT, width))
    _finish(fig, ax, lang)
    fig.agglomap_sources = sources  # what the credit line names: save_figure's default
    fig.agglomap_dpi = page.default_dpi(size_mm)  # 300 for a print size
    return fig


def _label_towns(
    fig: Figure,
    ax,
    xs: np.ndarray,
    ys: np.ndarray,
    names: np.ndarray,
    areas: np.ndarray,
    wanted: Sequence[int],
    cities: Sequence[tuple[str, float, float]] = (),
) -> tuple[list[tuple[float, float, float, float]], int]:
    """Name the large cities, then the ``wanted`` towns in that order until
    :data:`MAX_LABELS` are named, each at the first spot around its marker — beside it, or
    farther out with a leader line — whose box overlaps no large-city marker, no name placed
    before, no town circle (up to :data:`MAX_LABELS` towns: every circle; beyond: the named
    towns' circles) and does not leave the map; a name that fits nowhere is left out.
    Returns the boxes (display pixels) of the markers and names, and how many towns were
    named."""
    renderer = fig.canvas.get_renderer()
    ax.autoscale_view()
    ax.apply_aspect()
    k = fig.dpi / 72  # display pixels per point
    wanted = list(wanted)
    every = len(xs) <= MAX_LABELS  # few towns: no name may cover any circle
    pts = ax.transData.transform(np.column_stack([xs, ys])) if len(xs) else np.empty((0, 2))
    radius = np.sqrt(areas) / 2 * k  # pixels
    frame = ax.bbox

    def circle(i: int) -> tuple[float, float, float, float]:
        r = radius[i]
        return (pts[i, 0] - r, pts[i, 1] - r, pts[i, 0] + r, pts[i, 1] + r)

    owner = list(range(len(xs))) if every else []  # town of each box (-1: not a town)
    boxes = [circle(i) for i in owner]
    city_r = math.sqrt(14) / 2 * k
    city_pts = ax.transData.transform([(x, y) for _, x, y in cities]) if cities else []
    for px, py in city_pts:
        boxes.append((px - city_r, py - city_r, px + city_r, py + city_r))
        owner.append(-1)
    arr = np.array(boxes, dtype=float).reshape(-1, 4)
    align = {-1: "right", 0: "center", 1: "left"}
    valign = {-1: "top", 0: "center", 1: "bottom"}

    def place(text: str, px: float, py: float, r_px: float, me: int, **style) -> bool:
        nonlocal arr
        probe = ax.text(0, 0, text, fontsize=style["fontsize"], transform=None)
        ext = probe.get_window_extent(renderer)
        probe.remove()
        w, h = ext.width, ext.height
        pad = r_px + 2 * k
        mine = [o != me for o in owner]
        others = np.array(mine + [True] * (len(arr) - len(owner)), dtype=bool)
        for dist in _RINGS:
            for ox, oy in _SPOTS:
                d = pad * dist * (0.75 if ox and oy else 1.0)
                ax_, ay_ = px + ox * d, py + oy * d
                x0 = ax_ - (w if ox < 0 else w / 2 if ox == 0 else 0)
                y0 = ay_ - (h if oy < 0 else h / 2 if oy == 0 else 0)
                rect = (x0 - 1.5, y0 - 1.5, x0 + w + 1.5, y0 + h + 1.5)
                if not (frame.x0 <= rect[0] and rect[2] <= frame.x1):
                    continue
                if not (frame.y0 <= rect[1] and rect[3] <= frame.y1):
                    continue
                hit = (rect[0] < arr[:, 2]) & (arr[:, 0] < rect[2])
                hit &= (rect[1] < arr[:, 3]) & (arr[:, 1] < rect[3]) & others[: len(arr)]
                if hit.any():
                    continue
                leader = None
                if dist > 1.0:
                    leader = {
                        "arrowstyle": "-",
                        "color": "#555",
                        "lw": 0.5,
                        "shrinkA": 0,
                        "shrinkB": r_px / k + 0.5,
                    }
                ax.annotate(
                    text,
                    ax.transData.inverted().transform((px, py)),
                    xytext=(ox * d / k, oy * d / k),
                    textcoords="offset points",
                    ha=align[ox],
                    va=valign[oy],
                    arrowprops=leader,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
                    **style,
                )
                arr = np.vstack([arr, rect])
                others = np.append(others, True)
                return True
        return False

    for name, (px, py) in zip([c[0] for c in cities], city_pts, strict=True):
        place(name, px, py, city_r, -2, fontsize=page.MIN_FONT_PT, fontstyle="italic", zorder=7.5)
    named = 0
    for tries, i in enumerate(wanted):
        if named >= MAX_LABELS or tries >= 20 * MAX_LABELS:
            break
        if not every:  # this town's circle: an obstacle to the names that follow
            hit = (arr[:, 0] < pts[i, 0] + radius[i]) & (pts[i, 0] - radius[i] < arr[:, 2])
            hit &= (arr[:, 1] < pts[i, 1] + radius[i]) & (pts[i, 1] - radius[i] < arr[:, 3])
            if hit.any():  # its circle is under a name already placed: leave it unnamed
                continue
        if place(str(names[i]), pts[i, 0], pts[i, 1], radius[i], i, fontsize=7, zorder=8):
            named += 1
            if not every:
                arr = np.vstack([arr, circle(i)])
    return [tuple(row) for row in arr], named


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# ---------------------------------------------------------------- agglomeration zones


def static_zones_map(z, *, lang: str = "en", sources: Sequence[Source] = (GEOKZ,)) -> Figure:
    """The four agglomeration zones (:func:`agglomap.zones.delineate`) in four panels as a
    Figure (save it with :func:`save_figure`): core units dark, ring units light, the
    official composition outlined in red dashes, each unit named without overlap, a scale
    bar per panel."""
    lang = check_lang(lang)
    units = z.units.to_crs(PROJECTION)
    listed = set(z.official["district_id"])
    fig = Figure(figsize=(12, 9))
    FigureCanvasAgg(fig)
    colours = {"core": "#2c7fb8", "ring": "#a1dab4"}
    for k, row in enumerate(z.zones.itertuples()):
        ax = fig.add_axes((0.02 + (k % 2) * 0.49, 0.52 - (k // 2) * 0.45, 0.46, 0.38))
        ax.set_axis_off()
        ax.set_aspect("equal")
        mine = units[(units["zone"] == row.zone_id)]
        official = units[
            units["district_id"].isin(listed)
            & units["district_id"].isin(
                z.official.loc[z.official["agglomeration"] == row.zone_id, "district_id"]
            )
        ]
        x0, y0, x1, y1 = gpd.GeoSeries(
            list(mine.geometry) + list(official.geometry), crs=PROJECTION
        ).total_bounds
        pad = 0.08 * max(x1 - x0, y1 - y0)
        near = units.cx[x0 - pad : x1 + pad, y0 - pad : y1 + pad]
        near.plot(ax=ax, color="#f2f2ef", edgecolor="#999", linewidth=0.4)
        for role, colour in colours.items():
            part = mine[mine["role"] == role]
            if len(part):
                part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.6)
        if len(official):
            official.boundary.plot(ax=ax, color="#d7301f", linewidth=1.3, linestyle="--")
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        shown = near[
            near["district_id"].isin(set(mine["district_id"]) | set(official["district_id"]))
        ]
        _label_units(
            ax, shown, lang, fills=["#ffffff"] * len(shown), values=None, decimals=0, fontsize=6
        )
        name = getattr(row, f"name_{lang}")
        ax.set_title(
            f"{name}: {t('zone_units', lang).format(n=row.n_units)}, "
            f"{row.area_km2:,.0f} km²".replace(",", "\u202f"),
            fontsize=10,
        )
        draw_scale_bar(ax, lang, fraction=0.25)
    handles = [
        Patch(facecolor=colours["core"], label=t("zone_core", lang)),
        Patch(facecolor=colours["ring"], label=t("zone_ring", lang).format(km=f"{z.fua_max_km:g}")),
        Line2D([], [], color="#d7301f", linestyle="--", label=t("zone_official", lang)),
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=3,
        fontsize=8.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.035),
    )
    fig.text(
        0.5, 0.975, t("zones_title", lang), ha="center", va="center", fontsize=14, fontweight="bold"
    )
    fig.text(
        0.01,
        0.012,
        attribution(*sources, lang=lang),
        ha="left",
        va="center",
        fontsize=7,
        color="#333",
    )
    fig.agglomap_sources = list(sources)  # what the credit line names: save_figure's default
    return fig
