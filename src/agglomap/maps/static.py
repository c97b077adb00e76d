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

import math
import textwrap
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
from pyproj import Geod, Transformer

from ..boundaries import EQUAL_AREA
from ..errors import InputError, suggest
from ..export import atomic_path, write_sidecar
from ..i18n import LANGS, check_lang, t, unit_label
from ..provenance import GEOKZ, Source, attribution
from .style import NO_DATA, TDAA_COLORS, TDAA_LEVELS, luminance, tdaa_level_key

PROJECTION = EQUAL_AREA
FORMATS = (".png", ".svg")
GEOD = Geod(ellps="WGS84")

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
    bx, by = x0 + 0.72 * width, y0 + 0.05 * (y1 - y0)
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


def _check_out(out: str | Path) -> Path:
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise InputError(f"unsupported image format {out.suffix!r}; use .png or .svg", path=out)
    return out


def _figure(side_legend: bool = False) -> tuple[Figure, object]:
    fig = Figure(figsize=(12, 6.6) if side_legend else (11, 7.2))
    FigureCanvasAgg(fig)  # a canvas of our own: no pyplot, no global backend state
    ax = fig.add_axes((0.01, 0.06, 0.80 if side_legend else 0.98, 0.86))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.margins(0.02)
    return fig, ax


def _finish(
    fig: Figure, ax, title: str, subtitle: str | None, sources: Sequence[Source], lang: str
) -> None:
    fig.text(0.5, 0.965, title, ha="center", va="center", fontsize=15, fontweight="bold")
    if subtitle:
        fig.text(0.5, 0.93, subtitle, ha="center", va="center", fontsize=9.5, color="#444")
    ax.autoscale_view()
    ax.set_xlim(ax.get_xlim())  # freeze: the scale bar and arrow must not move the view
    ax.set_ylim(ax.get_ylim())
    draw_scale_bar(ax, lang)
    draw_north_arrow(ax, lang)
    note = t("projection_note", lang)
    credit = attribution(*sources, lang=lang)
    fig.text(0.01, 0.025, credit, ha="left", va="center", fontsize=7, color="#333")
    fig.text(0.99, 0.025, note, ha="right", va="center", fontsize=6.5, color="#555")


def _save(fig: Figure, out: Path, dpi: int, sources: Sequence[Source]) -> Path:
    """Render into a temporary file beside ``out`` and move it in place; write the sidecar."""
    fmt = out.suffix.lower().lstrip(".")
    with matplotlib.rc_context({"svg.fonttype": "none"}), atomic_path(out) as tmp:
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
    out: str | Path,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    title: str | None = None,
    unit: str = "",
    lang: str = "en",
    sources: Sequence[Source] = (GEOKZ,),
    dpi: int = 200,
    cmap: str | None = None,
    diverging: bool = False,
    center: float = 0.0,
    value_labels: bool = True,
) -> Path:
    """Choropleth of ``gdf[column]`` written to ``out`` (.png or .svg), classed and coloured
    exactly as the web map (:func:`agglomap.maps.choropleth.classify`: ``scheme``, ``k``,
    ``bins`` for user_defined, ``cmap``, ``diverging`` around ``center``) with the same
    legend limits. Each region shows its name and value; regions without one are grey."""
    from .choropleth import (
        DEFAULT_LAYERS,
        class_labels,
        classification_note,
        classify,
        label_points,
    )
    from .web import default_decimals

    out = _check_out(out)
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

    fig, ax = _figure(side_legend=True)
    frame.plot(ax=ax, color=list(face), edgecolor="white", linewidth=0.7)
    points, _small = label_points(gdf.to_crs(4326))
    xy = _project_points(points)
    decimals = default_decimals(values, unit)  # as the web map prints them (1 for %, …)
    shown_values = values if value_labels else None
    _label_regions(ax, frame, lang, fills=face, values=shown_values, decimals=decimals, xy=xy)
    handles = [
        Patch(facecolor=colour, edgecolor="#777", label=text)
        for colour, text in zip(c.colours, class_labels(c, unit, lang), strict=True)
    ]
    if not known.all():  # static legend entries are lower case ("no data", "low", …)
        no_data = t("no_data", lang).lower()
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#777", label=no_data))
    name = title or column
    shown = unit_label(unit, lang)
    if shown and not name.rstrip().endswith((shown, unit)):
        name = f"{name}, {shown}"
    ax.legend(
        handles=handles,
        title=textwrap.fill(name, 26),
        loc="upper left",
        bbox_to_anchor=(1.0, 0.98),
        fontsize=8,
        title_fontsize=8.5,
        frameon=True,
        framealpha=0.9,
    )
    subtitle = classification_note(scheme, c.k, lang)
    _finish(fig, ax, title or column, subtitle, sources, lang)
    return _save(fig, out, dpi, sources)


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
                fontsize=fontsize - 0.5,
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


def static_monocity_map(
    scores: gpd.GeoDataFrame,
    out: str | Path,
    *,
    corridors: gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    lang: str = "en",
    sources: Sequence[Source] = (GEOKZ,),
    dpi: int = 200,
) -> Path:
    """Monocities coloured by TDaa level, sized by population, over oblasts and corridors,
    written to ``out`` (.png or .svg); see :func:`monocity_figure`."""
    out = _check_out(out)
    fig = monocity_figure(
        scores, corridors=corridors, boundaries=boundaries, title=title, lang=lang, sources=sources
    )
    return _save(fig, out, dpi, sources)


def monocity_figure(
    scores: gpd.GeoDataFrame,
    *,
    corridors: gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    lang: str = "en",
    sources: Sequence[Source] = (GEOKZ,),
) -> Figure:
    """The monocity map as a matplotlib figure. Town names (zorder 8) are placed first;
    oblast names (zorder 5, lighter) only where they cover no town name or circle."""
    lang = check_lang(lang)
    if "tdaa_level" not in scores.columns:
        raise InputError(
            "scores need a 'tdaa_level' column (from score_towns)", column="tdaa_level"
        )
    fig, ax = _figure(side_legend=True)
    if boundaries is not None:
        b = boundaries.to_crs(PROJECTION)
        b.plot(ax=ax, color="#f2f0eb", edgecolor="#a9a59b", linewidth=0.6)
    handles: list = []
    if corridors is not None and len(corridors):
        c = corridors.to_crs(PROJECTION)
        styles = {"road": ("#555555", "-"), "rail": ("#1f4e9c", (0, (4, 2)))}
        for mode, (color, style) in styles.items():
            part = c[c["mode"] == mode]
            if len(part):
                part.plot(ax=ax, color=color, linewidth=1.0, linestyle=style, zorder=3)
                handles.append(
                    Line2D([], [], color=color, linestyle=style, lw=1.2, label=t(mode, lang))
                )
    towns = scores.to_crs(PROJECTION)
    levels = towns["tdaa_level"].map(tdaa_level_key)
    pop = town_population(scores)
    fill = np.where(np.isnan(pop), np.nanmedian(pop) if np.isfinite(pop).any() else 50_000, pop)
    colors = [TDAA_COLORS[lv] if lv else NO_DATA for lv in levels]
    xs, ys = towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy()
    order = np.argsort(-fill)  # big circles below small ones
    ax.scatter(
        xs[order],
        ys[order],
        s=marker_area(fill[order]),
        c=np.array(colors)[order],
        edgecolors="black",
        linewidths=0.6,
        zorder=6,
    )
    taken = _label_towns(fig, ax, xs, ys, town_names(scores, lang).to_numpy(), fill)
    if boundaries is not None:  # after the towns: a region name never covers a town's
        _label_regions(ax, b, lang, color="#9a958a", avoid=taken, fontsize=6)

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
    size_handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="black",
            markersize=math.sqrt(marker_area(ref)),
            label=f"{_fmt(ref)}",
        )
        for ref in (25_000, 100_000, 250_000)
    ]
    first = ax.legend(
        handles=level_handles + handles,
        title=t("tdaa_potential", lang).replace(" (", "\n("),
        loc="upper left",
        bbox_to_anchor=(1.0, 0.98),
        fontsize=8,
        title_fontsize=8.5,
        framealpha=0.9,
    )
    ax.add_artist(first)
    ax.legend(
        handles=size_handles,
        title=t("population", lang),
        loc="upper left",
        bbox_to_anchor=(1.0, 0.5),
        fontsize=8,
        title_fontsize=8.5,
        framealpha=0.9,
        labelspacing=1.3,
        borderpad=0.9,
    )
    _finish(fig, ax, title or t("monocity_title", lang), None, sources, lang)
    return fig


def _label_towns(fig: Figure, ax, xs, ys, names, pop) -> list[tuple[float, float, float, float]]:
    """Place each town's label at the first of eight offsets that overlaps nothing placed yet
    (largest towns first); a label that fits nowhere goes to its first offset anyway.
    Returns the boxes (display pixels) of the circles and labels placed."""
    renderer = fig.canvas.get_renderer()
    ax.autoscale_view()
    ax.apply_aspect()
    pts = ax.transData.transform(np.column_stack([xs, ys]))
    radius = np.sqrt(marker_area(pop)) / 2 * fig.dpi / 72
    taken = [(px - r, py - r, px + r, py + r) for (px, py), r in zip(pts, radius, strict=True)]
    offsets = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)]
    align = {-1: "right", 0: "center", 1: "left"}
    valign = {-1: "top", 0: "center", 1: "bottom"}
    for i in np.argsort(-pop):
        pad = radius[i] / fig.dpi * 72 + 2
        for j, (ox, oy) in enumerate(offsets):
            text = ax.annotate(
                names[i],
                (xs[i], ys[i]),
                xytext=(ox * pad, oy * pad),
                textcoords="offset points",
                ha=align[ox],
                va=valign[oy],
                fontsize=7,
                zorder=8,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
            )
            box = text.get_window_extent(renderer)
            rect = (box.x0, box.y0, box.x1, box.y1)
            clash = any(_overlap(rect, t) for k, t in enumerate(taken) if k != i)
            if not clash or j == len(offsets) - 1:
                if clash:  # nothing fits: keep the first position
                    text.remove()
                    ox, oy = offsets[0]
                    text = ax.annotate(
                        names[i],
                        (xs[i], ys[i]),
                        xytext=(ox * pad, oy * pad),
                        textcoords="offset points",
                        ha="left",
                        va="center",
                        fontsize=7,
                        zorder=8,
                    )
                    box = text.get_window_extent(renderer)
                    rect = (box.x0, box.y0, box.x1, box.y1)
                taken.append(rect)
                break
            text.remove()
    return taken


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
