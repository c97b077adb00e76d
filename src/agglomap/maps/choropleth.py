"""Choropleth web maps of indicators by region, classified with mapclassify.

One HTML page holds one or several indicators; with several, a layer switcher (radio
buttons: one indicator visible at a time) swaps the map and its legend together.
Classes are mapclassify's (``mapclassify.classify``); colours are ColorBrewer ramps from
matplotlib (sequential ``YlGnBu`` by default, ``RdBu`` when ``diverging``). Regions
without a value get a hatched "No data" fill, listed in the legend.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import mapclassify
import matplotlib
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from branca.element import Element, MacroElement
from folium.utilities import JsCode
from jinja2 import Template

from .. import provenance, tables
from ..boundaries import EQUAL_AREA
from ..choices import SCHEMES
from ..errors import InputError, suggest
from ..i18n import WORDS, scheme_name, t
from . import web
from .style import luminance

SEQUENTIAL = "YlGnBu"
DIVERGING = "RdBu"
NO_DATA_FILL = "url(#agglomap-nodata-hatch)"
SMALL_REGION_KM2 = 5_000  # city-regions (Astana, Almaty, Shymkent): labelled beside them
# Where the label of a city-region goes, in screen pixels from the city (x right, y down):
# away from the neighbouring oblast's own label.
LEADER_OFFSETS: dict[str, tuple[int, int]] = {
    "KZ-71": (34, 16),  # Astana: south-east, inside Akmola, clear of Akmola's label
    "KZ-75": (26, 34),  # Almaty: south-east, over the border zone
    "KZ-79": (-30, 34),  # Shymkent: south-west, below Turkistan's label
}
DEFAULT_LEADER = (30, -26)
DEFAULT_OUTPUT = "choropleth_innovation_2021.html"

# Titles of the shipped 2021 table's mapped columns (table 1 headers of the innovation paper,
# agglomap.references),
# column -> {lang: title}, from agglomap.i18n.
DEFAULT_LAYERS: dict[str, dict[str, str]] = {
    column: WORDS[f"layer.{column}"]
    for column in ("innovative_share_grp_pct", "innovation_activity_pct")
}

_HATCH = """<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
<pattern id="agglomap-nodata-hatch" patternUnits="userSpaceOnUse" width="6" height="6"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>
<rect width="3" height="6" fill="#d0d0d0"/></pattern></defs></svg>
<style>.agglomap-value-icon { pointer-events: none; }
.agglomap-label { position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
  text-align: center; color: #111;
  font: 600 12px/1.15 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.agglomap-label .agglomap-name { display: block; font-weight: 400; font-size: 10.5px; }
.agglomap-label .agglomap-value { display: block; }
.agglomap-label.dark { color: #fff; text-shadow: 0 0 3px #000, 0 0 3px #000, 0 0 2px #000; }
.agglomap-label.beside { transform: translate(0, -50%); text-align: left; }
.agglomap-label.beside.left { transform: translate(-100%, -50%); text-align: right; }
.agglomap-label.beside .agglomap-name, .agglomap-label.beside .agglomap-value {
  display: inline; font-size: 11px; }
.agglomap-leader { position: absolute; left: 0; top: 0; overflow: visible; }</style>"""

_ON_EACH_FEATURE = JsCode(
    """function (feature, layer) {
    layer.bindTooltip(feature.properties.tip, {sticky: true, className: 'agglomap-tooltip'});
    layer.on('add', function () {
        var el = layer.getElement();
        if (el) { el.setAttribute('data-region-id', feature.properties.region_id); }
    });
}"""
)


@dataclass(frozen=True)
class Classification:
    """Classes of one indicator: ``bins`` are mapclassify's upper bounds, ``yb`` each
    region's class (-1 = no data), ``colours`` one hex colour per class."""

    scheme: str
    bins: np.ndarray
    lows: np.ndarray
    yb: np.ndarray
    colours: list[str]
    counts: np.ndarray
    values: np.ndarray | None = None  # the classified values (NaN = no data)

    @property
    def k(self) -> int:
        return len(self.bins)


def classify(
    values: Sequence[float] | pd.Series | np.ndarray,
    scheme: str = "quantiles",
    k: int = 5,
    *,
    bins: Sequence[float] | None = None,
    cmap: str | None = None,
    diverging: bool = False,
    center: float = 0.0,
) -> Classification:
    """Classify ``values`` (NaN = no data) with mapclassify and colour the classes."""
    if scheme not in SCHEMES:
        hint = suggest(scheme, SCHEMES)
        raise InputError(
            f"unknown classification scheme {scheme!r}; expected one of {', '.join(SCHEMES)}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
        )
    if cmap is not None and cmap not in matplotlib.colormaps:
        hint = suggest(cmap, list(matplotlib.colormaps))
        raise InputError(
            f"unknown colour map {cmap!r}"
            + (f"; did you mean {', '.join(map(repr, hint))}?" if hint else "")
        )
    if int(k) < 1:
        raise InputError(f"the number of classes must be at least 1, got {k}")
    y = pd.to_numeric(pd.Series(np.asarray(values)), errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(y)
    if not known.any():
        raise InputError("no numeric values to classify")
    kwargs: dict[str, object] = {}
    if scheme == "user_defined":
        if not bins:
            raise InputError("scheme 'user_defined' needs bins (upper class bounds)")
        kwargs["bins"] = sorted(float(b) for b in bins)
    elif scheme != "percentiles":
        kwargs["k"] = max(1, min(int(k), int(np.unique(y[known]).size)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba missing, fewer distinct values than k
        result = mapclassify.classify(y[known], scheme, **kwargs)
    upper = np.asarray(result.bins, dtype=float)
    if scheme != "user_defined" and _data_decimals(y[known]) == 0:
        # whole numbers (counts): no value lies between floor(break) and a fractional break,
        # so the integer limit holds exactly the same values (1 118, not 1 118.4)
        upper = np.floor(upper)
    lows = np.concatenate([[np.nanmin(y[known])], upper[:-1]])
    yb = np.full(len(y), -1, dtype=int)
    yb[known] = np.asarray(result.yb, dtype=int)
    colours = _colours(lows, upper, cmap, diverging, center)
    return Classification(scheme, upper, lows, yb, colours, np.asarray(result.counts), y)


def _colours(
    lows: np.ndarray, upper: np.ndarray, cmap: str | None, diverging: bool, center: float
) -> list[str]:
    n = len(upper)
    ramp = matplotlib.colormaps[cmap or (DIVERGING if diverging else SEQUENTIAL)]
    if diverging:
        mids = (lows + upper) / 2
        half = max(np.max(np.abs(np.concatenate([lows, upper]) - center)), 1e-12)
        positions = 0.5 + (mids - center) / (2 * half) * 0.9
    else:
        positions = np.linspace(0.12, 0.92, n) if n > 1 else np.array([0.6])
    return [matplotlib.colors.to_hex(ramp(p)) for p in positions]


def _data_decimals(values: np.ndarray, cap: int = 6) -> int:
    """Decimals the values are given to: 1 for 0.1, 0.2, 8.7; 0 for whole numbers."""
    v = values[np.isfinite(values)]
    for d in range(cap + 1):
        if np.allclose(v, np.round(v, d), rtol=0, atol=1e-9 * max(1.0, np.abs(v).max())):
            return d
    return cap


def _states_classes(c: Classification, d: int) -> bool:
    """Whether limits rounded to ``d`` decimals keep every value inside its own class as
    printed (class i holds ``lower < v ≤ upper``, the first ``lower ≤ v``) and apart."""
    hi = np.round(c.bins, d)
    nonempty = c.counts > 0
    if np.any(np.diff(hi[nonempty]) <= 0):
        return False
    if c.values is None:
        return True
    lo = np.round(c.lows, d)
    for v, cls in zip(c.values, c.yb, strict=True):
        if cls < 0:
            continue
        eps = 1e-9 * max(1.0, abs(v))
        if v > hi[cls] + eps or v < lo[cls] - eps:
            return False
        if cls > 0 and v <= hi[cls - 1] + eps and c.counts[cls - 1] > 0:
            return False
    return True


def legend_decimals(c: Classification, unit: str | None = None) -> int:
    """Decimals of the legend's class limits: at least the data's own (or the unit's usual
    ones), one more when that shows every limit exactly (0.36 rather than 0.4), and as
    many as it takes for no printed limit to put a value in the wrong class."""
    known = c.values[np.isfinite(c.values)] if c.values is not None else c.bins
    d0 = max(_data_decimals(known), web.default_decimals(known, unit) if unit == "%" else 0)
    limits = np.concatenate([c.lows, c.bins])
    for d in (d0, d0 + 1):
        if np.allclose(limits, np.round(limits, d), rtol=0, atol=1e-9) and _states_classes(c, d):
            return d
    for d in range(d0, d0 + 5):
        if _states_classes(c, d):
            return d
    return d0 + 4


def class_labels(
    c: Classification, unit: str | None = None, lang: str = "en", decimals: int | None = None
) -> list[str]:
    """Legend text per class: ``"0.10 – 0.36 %"`` (lower bound, upper bound, unit), with
    :func:`legend_decimals` unless ``decimals`` is given."""
    d = legend_decimals(c, unit) if decimals is None else decimals
    shown = web.unit_label(unit, lang)
    out = []
    for lo, hi in zip(c.lows, c.bins, strict=True):
        if lo > hi:  # a class below the lowest value (std_mean, user_defined): empty
            text = f"≤ {web.format_number(hi, lang, d)}"
        else:
            text = f"{web.format_number(lo, lang, d)} – {web.format_number(hi, lang, d)}"
        out.append(f"{text}\u00a0{shown}" if shown else text)
    return out


def classification_note(scheme: str, k: int, lang: str) -> str:
    """``"Classification: quantiles, 5 classes"`` in ``lang`` (scheme names translated)."""
    key = "classification_one" if k == 1 else "classification"
    return t(key, lang).format(scheme=scheme_name(scheme, lang), k=k)


def _check_column(gdf: gpd.GeoDataFrame, column: str) -> None:
    if column not in gdf.columns:
        columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
        raise tables.column_error(str(column), columns, what="column to map")


def _names(gdf: gpd.GeoDataFrame, lang: str, label_column: str | None) -> list[str]:
    if label_column is not None:
        _check_column(gdf, label_column)
        return [web.esc(v) for v in gdf[label_column]]
    return [web.esc(web.label(row, lang)) for _, row in gdf.iterrows()]


def _layer(
    shapes: gpd.GeoDataFrame,
    names: list[str],
    values: np.ndarray,
    c: Classification,
    *,
    title: str,
    unit: str | None,
    lang: str,
    decimals: int | None,
    show: bool = True,
    value_labels: bool = True,
    short_names: list[str] | None = None,
    id_column: str = "region_id",
) -> folium.FeatureGroup:
    """One switchable layer: a path per region with its class colour, id and tooltip, and
    (``value_labels``) each region's short name and value printed inside it (beside it, with
    a leader line, for the small city-regions)."""
    d = web.default_decimals(values, unit) if decimals is None else decimals
    fills = [NO_DATA_FILL if cls < 0 else c.colours[cls] for cls in c.yb]
    tips = [
        f"<b>{name}</b><br>{web.esc(title)}: <b>{web.esc(web.format_value(v, unit, lang, d))}</b>"
        for name, v in zip(names, values, strict=True)
    ]
    features = []
    for rid, geom, tip, fill in zip(shapes[id_column], shapes.geometry, tips, fills, strict=True):
        features.append(
            {
                "type": "Feature",
                "id": str(rid),
                "properties": {"region_id": str(rid), "tip": tip, "fill": fill},
                "geometry": geom.__geo_interface__,
            }
        )
    group = folium.FeatureGroup(name=web.esc(title), overlay=False, show=show)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        control=False,
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.9,
            "color": "#ffffff",
            "weight": 1.0,
            "className": f"agglomap-region region-{f['properties']['region_id']}",
        },
        highlight_function=lambda _f: {"color": "#222222", "weight": 2.5},
        on_each_feature=_ON_EACH_FEATURE,
        smooth_factor=0.5,
    ).add_to(group)
    if value_labels and id_column in ("district_id", "city_id"):
        _add_unit_labels(group, shapes, short_names, values, fills, lang, d)
    elif value_labels:
        _add_labels(group, shapes, short_names, values, fills, lang, d)
    return group


def label_points(shapes: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Where each region's label goes (the pole of inaccessibility of its largest part,
    well inside it) and whether the region is a small city-region labelled beside it."""
    geoms = np.asarray(shapes.geometry.values, dtype=object)
    area = gpd.GeoSeries(geoms, crs=shapes.crs or 4326).to_crs(EQUAL_AREA).area.to_numpy()
    small = area < SMALL_REGION_KM2 * 1e6
    # keep the oblasts' labels clear of the city-regions' dots and leaders (~0.8° around)
    avoid = shapely.union_all(shapely.buffer(geoms[small], 0.8)) if small.any() else None
    points = []
    for geom, is_small in zip(geoms, small, strict=True):
        if geom is None or geom.is_empty:
            points.append(None)
            continue
        part = max(shapely.get_parts(geom), key=lambda g: g.area)
        if is_small:
            points.append(part.centroid)
            continue
        if avoid is not None:
            rest = part.difference(avoid)
            if not rest.is_empty and rest.area > 0.3 * part.area:
                part = max(shapely.get_parts(rest), key=lambda g: g.area)
        points.append(shapely.ops.polylabel(part, tolerance=0.02))
    return np.asarray(points, dtype=object), small


def _add_labels(
    group: folium.FeatureGroup,
    shapes: gpd.GeoDataFrame,
    names: list[str] | None,
    values: np.ndarray,
    fills: list[str],
    lang: str,
    d: int,
) -> None:
    """Name (already escaped) and value of each region with a value: inside the region, or
    beside a small city-region with a leader line (offsets in :data:`LEADER_OFFSETS`)."""
    points, small = label_points(shapes)
    ids = [str(r) for r in shapes["region_id"]]
    for i, (spot, v, fill) in enumerate(zip(points, values, fills, strict=True)):
        if spot is None or not np.isfinite(v):
            continue
        text = web.esc(web.format_number(float(v), lang, d))
        name = f'<span class="agglomap-name">{names[i]}</span>' if names else ""
        if small[i]:
            dx, dy = LEADER_OFFSETS.get(ids[i], DEFAULT_LEADER)
            side = " left" if dx < 0 else ""
            x = dx + (-3 if dx < 0 else 3)
            gap = " " if name else ""
            html = (
                f'<svg class="agglomap-leader" width="1" height="1"><line x1="0" y1="0" '
                f'x2="{dx}" y2="{dy}" stroke="#333" stroke-width="1"/>'
                f'<circle cx="0" cy="0" r="2" fill="#333"/></svg>'
                f'<div class="agglomap-label beside{side}" style="left:{x}px;'
                f'top:{dy}px">{name}{gap}<span class="agglomap-value">{text}</span></div>'
            )
        else:
            dark = " dark" if luminance(fill) < 0.3 else ""
            html = (
                f'<div class="agglomap-label{dark}">{name}'
                f'<span class="agglomap-value">{text}</span></div>'
            )
        folium.Marker(
            [spot.y, spot.x],
            icon=folium.DivIcon(html=html, icon_size=(0, 0), class_name="agglomap-value-icon"),
            interactive=False,
        ).add_to(group)


def _add_unit_labels(
    group: folium.FeatureGroup,
    shapes: gpd.GeoDataFrame,
    names: list[str] | None,
    values: np.ndarray,
    fills: list[str],
    lang: str,
    d: int,
) -> None:
    """Name and value of each district-level unit inside it (its pole of inaccessibility),
    ranked by area: :class:`_Declutter` shows a label only where it overlaps no label of a
    larger unit at the current zoom; the others are read in the tooltip (on demand)."""
    geoms = np.asarray(shapes.geometry.values, dtype=object)
    area = gpd.GeoSeries(geoms, crs=4326).to_crs(EQUAL_AREA).area.to_numpy()
    rank = np.empty(len(geoms), dtype=int)
    rank[np.argsort(-area, kind="stable")] = np.arange(len(geoms))
    for i, (geom, v, fill) in enumerate(zip(geoms, values, fills, strict=True)):
        if geom is None or geom.is_empty:
            continue
        part = max(shapely.get_parts(geom), key=lambda g: g.area)
        spot = shapely.ops.polylabel(part, tolerance=0.01)
        text = web.esc(web.format_number(float(v), lang, d)) if np.isfinite(v) else ""
        name = f'<span class="agglomap-name">{names[i]}</span>' if names else ""
        dark = " dark" if fill != NO_DATA_FILL and luminance(fill) < 0.3 else ""
        html = (
            f'<div class="agglomap-label agglomap-unit-label{dark}" data-rank="{rank[i]}">'
            f'{name}<span class="agglomap-value">{text}</span></div>'
        )
        folium.Marker(
            [spot.y, spot.x],
            icon=folium.DivIcon(html=html, icon_size=(0, 0), class_name="agglomap-value-icon"),
            interactive=False,
        ).add_to(group)


class _Declutter(MacroElement):
    """Hide unit labels that would overlap a label of a larger unit (after every zoom or
    pan, and when the layer changes); sets ``data-labels-placed`` on the map element."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    function place() {
        var labels = Array.prototype.slice.call(
            map.getContainer().querySelectorAll('.agglomap-unit-label'));
        labels.sort(function (a, b) { return a.dataset.rank - b.dataset.rank; });
        var kept = [], shown = 0;
        labels.forEach(function (el) { el.style.visibility = 'hidden'; });
        labels.forEach(function (el) {
            var r = el.getBoundingClientRect();
            if (r.width === 0) { return; }
            var clash = kept.some(function (k) {
                return r.left < k.right + 2 && k.left < r.right + 2 &&
                       r.top < k.bottom + 1 && k.top < r.bottom + 1;
            });
            if (!clash) { el.style.visibility = 'visible'; kept.push(r); shown += 1; }
        });
        var box = map.getContainer();
        box.setAttribute('data-labels-shown', String(shown));
        box.setAttribute('data-labels-placed', 'true');
    }
    map.on('zoomend moveend baselayerchange overlayadd', function () { setTimeout(place, 0); });
    map.whenReady(function () { setTimeout(place, 0); });
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Declutter"


class _LegendSwitch(MacroElement):
    """Show the legend that belongs to the visible indicator layer."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    var pairs = [{% for layer, legend in this.pairs %}[{{ layer }}, {{ legend }}],{% endfor %}];
    map.on('baselayerchange', function (e) {
        pairs.forEach(function (p) {
            if (p[0] === e.layer) { p[1].addTo(map); } else { map.removeControl(p[1]); }
        });
    });
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "LegendSwitch"
        self.pairs = pairs


@dataclass(frozen=True)
class ClassStyle:
    """How an indicator's values become classes and colours on a map.

    ``scheme``/``k``/``bins`` go to :func:`classify` (mapclassify); ``cmap`` names a
    matplotlib colour map (default ``YlGnBu``, ``RdBu`` when ``diverging`` around
    ``center``); ``decimals`` fixes the decimals of legend limits and value labels
    (default: as many as the data need, see :func:`legend_decimals`).
    """

    scheme: str = "quantiles"
    k: int = 5
    bins: Sequence[float] | None = None
    cmap: str | None = None
    diverging: bool = False
    center: float = 0.0
    decimals: int | None = None

    def classify(self, values: np.ndarray) -> Classification:
        """The classes of ``values`` in this style."""
        return classify(
            values,
            self.scheme,
            self.k,
            bins=self.bins,
            cmap=self.cmap,
            diverging=self.diverging,
            center=self.center,
        )


def choropleth_layers(
    gdf: gpd.GeoDataFrame,
    columns: Sequence[str],
    *,
    titles: Mapping[str, str] | None = None,
    units: Mapping[str, str | None] | None = None,
    style: ClassStyle = ClassStyle(),
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    label_column: str | None = None,
    value_labels: bool = True,
    legend_position: str = "topleft",
    self_contained: bool = True,
    tiles: str | None = None,
    sources: Sequence[provenance.Source] = (),
    tolerance_deg: float = 0.01,
    outline: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """A web map with one switchable layer (and legend) per column of ``gdf``.

    ``gdf`` is a joined boundary layer (``region_id``, ``name_kk|ru|en``, geometry, and the
    value columns), or a district layer (``district_id``; its labels are placed without
    overlap, the rest shown on hover; ``outline``, e.g. the oblasts, is drawn over it).
    ``titles``/``units`` name each column's indicator and unit; ``style`` says how values
    become classes and colours. ``sources`` are credited on the map (default: geokz
    boundaries). The map keeps its sources in ``m.agglomap_sources`` for
    :func:`agglomap.maps.web.save_map`.
    """
    lang = web.check_lang(lang)
    id_column = _check_columns(gdf, columns)
    titles = dict(titles or {})
    units = dict(units or {})
    if id_column != "region_id":
        tolerance_deg = min(tolerance_deg, 0.005)
    shapes = web.simplify_for_web(gdf[[id_column, gdf.geometry.name]], tolerance_deg)
    names = _names(gdf, lang, label_column)
    short_names = (
        [web.esc(n) for n in web.short_labels(gdf.to_dict("records"), lang)]
        if label_column is None
        else names
    )
    background = outline if id_column == "city_id" else None
    m = web.base_map(
        tuple((outline if background is not None else shapes).total_bounds),
        tiles=tiles,
        self_contained=self_contained,
        lang=lang,
        background=background,
    )
    m.get_root().html.add_child(Element(_HATCH), name="agglomap_hatch")
    pairs = []
    for i, column in enumerate(columns):
        layer, box = _indicator(
            gdf[column],
            shapes,
            names,
            short_names,
            style,
            title=titles.get(column, str(column)),
            unit=units.get(column),
            lang=lang,
            first=i == 0,
            value_labels=value_labels,
            legend_position=legend_position,
            id_column=id_column,
        )
        layer.add_to(m)
        box.add_to(m)
        pairs.append((layer.get_name(), box.get_name()))
    if outline is not None and len(outline) and background is None:
        lines = web.simplify_for_web(outline[[outline.geometry.name]], 0.005)
        folium.GeoJson(
            lines.__geo_interface__,
            style_function=lambda _f: {"color": "#333333", "weight": 1.6, "fill": False},
            interactive=False,
            control=False,
        ).add_to(m)
    if len(columns) > 1:
        folium.LayerControl(position="bottomright", collapsed=False).add_to(m)
        _LegendSwitch(pairs).add_to(m)
    if id_column != "region_id" and value_labels:
        _Declutter().add_to(m)
    if title:
        web.add_title(m, title, subtitle)
    _credit(m, sources, tiles, lang)
    return m


def _check_columns(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> str:
    """Check the columns to map; return the id column (``district_id`` for a district
    layer, ``city_id`` for city polygons, else ``region_id``)."""
    if not columns:
        raise InputError("no columns to map")
    id_column = next((c for c in ("district_id", "city_id") if c in gdf.columns), "region_id")
    if id_column not in gdf.columns:
        raise InputError("the boundary layer has no 'region_id' column", column="region_id")
    for column in columns:
        _check_column(gdf, column)
    return id_column


def _indicator(
    column: pd.Series,
    shapes: gpd.GeoDataFrame,
    names: list[str],
    short_names: list[str],
    style: ClassStyle,
    *,
    title: str,
    unit: str | None,
    lang: str,
    first: bool,
    value_labels: bool,
    legend_position: str,
    id_column: str = "region_id",
) -> tuple[folium.FeatureGroup, web.HtmlControl]:
    """One indicator's switchable layer and its legend (shown when ``first``)."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).any():
        raise InputError(f"column {column.name!r} has no numeric values to map", column=column.name)
    c = style.classify(values)
    layer = _layer(
        shapes,
        names,
        values,
        c,
        title=title,
        unit=unit,
        lang=lang,
        decimals=style.decimals,
        show=first,
        value_labels=value_labels,
        short_names=short_names,
        id_column=id_column,
    )
    items = list(zip(c.colours, class_labels(c, unit, lang, style.decimals), strict=True))
    if (c.yb < 0).any():
        items.append(("nodata", t("no_data", lang)))
    note = classification_note(style.scheme, c.k, lang)
    box = web.legend(title, items, note=note, position=legend_position, show=first)
    return layer, box


def _credit(
    m: folium.Map, sources: Sequence[provenance.Source], tiles: str | None, lang: str
) -> None:
    """Credit ``sources`` (default geokz; OSM with its tiles) on the map and keep them in
    ``m.agglomap_sources``."""
    shown = list(sources) or [provenance.GEOKZ]
    if tiles == "osm" and provenance.OSM not in shown:
        shown.append(provenance.OSM)
    web.add_attribution(m, shown, lang=lang)
    m.agglomap_sources = shown


def choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    lang: str = "en",
    title: str | None = None,
    unit: str | None = None,
    cmap: str | None = None,
    diverging: bool = False,
    center: float = 0.0,
    label_column: str | None = None,
    self_contained: bool = True,
    tiles: str | None = None,
    sources: Sequence[provenance.Source] = (),
    value_labels: bool = True,
    outline: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """A web map of one indicator column; see :func:`choropleth_layers` and
    :class:`ClassStyle` (``scheme``, ``k``, ``bins``, ``cmap``, ``diverging``, ``center``)."""
    return choropleth_layers(
        gdf,
        [column],
        titles={column: title or str(column)},
        units={column: unit},
        style=ClassStyle(scheme, k, bins, cmap, diverging, center),
        lang=lang,
        title=title or str(column),
        label_column=label_column,
        self_contained=self_contained,
        tiles=tiles,
        sources=sources,
        value_labels=value_labels,
        outline=outline,
    )


def layout_notice(
    table_vintage: str | None,
    map_vintage: str | None,
    changed_extent: Sequence[str] = (),
    lang: str = "en",
) -> str | None:
    """The notice a map shows on itself when a table of one boundary layout is drawn on
    the other (``None`` when the layouts agree or either is unknown): the layouts, and the
    regions whose values describe a different extent (``JoinReport.changed_extent``)."""
    lang = web.check_lang(lang)
    if not table_vintage or not map_vintage or str(table_vintage) == str(map_vintage):
        return None
    text = t("layout_notice", lang).format(table=table_vintage, map=map_vintage)
    if changed_extent:
        from ..regions import load_regions

        names = {r["region_id"]: web.label(r, lang) for r in load_regions().to_dict("records")}
        regions = ", ".join(names.get(r, r) for r in changed_extent)
        text += " " + t("layout_notice_changed", lang).format(regions=regions, table=table_vintage)
    return text


def default_choropleth(out_dir: str | Path, *, lang: str = "ru") -> list[Path]:
    """The paper's figure 1 (share of innovative products in GRP, 2021) plus the innovation
    activity level, on the 2018 layout, as ``<out_dir>/choropleth_innovation_2021.html``."""
    from ..boundaries import load_boundaries
    from ..indicators import default_indicators, join

    lang = web.check_lang(lang)
    table = default_indicators()
    joined, _report = join(table, load_boundaries("2018"))
    columns = list(DEFAULT_LAYERS)
    m = choropleth_layers(
        joined,
        columns,
        titles={c: DEFAULT_LAYERS[c][lang] for c in columns},
        units={c: table.units.get(c) for c in columns},
        lang=lang,
        title=t("innovation_title", lang),
        subtitle=t("innovation_subtitle", lang),
        sources=[provenance.GEOKZ, table.source or provenance.INNOVATION_2021],
    )
    out = Path(out_dir) / DEFAULT_OUTPUT
    return [web.save_map(m, out, sources=m.agglomap_sources)]
