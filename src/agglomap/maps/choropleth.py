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
from branca.element import Element, MacroElement
from folium.utilities import JsCode
from jinja2 import Template

from .. import provenance
from ..errors import InputError, suggest
from ..i18n import WORDS, t
from . import web

SCHEMES = (
    "quantiles",
    "equal_interval",
    "natural_breaks",
    "fisher_jenks",
    "jenks_caspall",
    "maximum_breaks",
    "std_mean",
    "percentiles",
    "user_defined",
)
SEQUENTIAL = "YlGnBu"
DIVERGING = "RdBu"
NO_DATA_FILL = "url(#agglomap-nodata-hatch)"
DEFAULT_OUTPUT = "choropleth_innovation_2021.html"

# Titles of the shipped 2021 table's mapped columns (seed paper 000, table 1 headers),
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
.agglomap-value { position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
  font: 600 12px/1 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #111; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.agglomap-value.dark { color: #fff; text-shadow: 0 0 3px #000, 0 0 2px #000; }</style>"""

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
    lows = np.concatenate([[np.nanmin(y[known])], upper[:-1]])
    yb = np.full(len(y), -1, dtype=int)
    yb[known] = np.asarray(result.yb, dtype=int)
    colours = _colours(lows, upper, cmap, diverging, center)
    return Classification(scheme, upper, lows, yb, colours, np.asarray(result.counts))


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


def class_labels(
    c: Classification, unit: str | None = None, lang: str = "en", decimals: int | None = None
) -> list[str]:
    """Legend text per class: ``"0.1 – 0.6 %"`` (lower bound, upper bound, unit)."""
    d = (
        web.default_decimals(np.concatenate([c.lows, c.bins]), unit)
        if decimals is None
        else decimals
    )
    shown = web.unit_label(unit, lang)
    out = []
    for lo, hi in zip(c.lows, c.bins, strict=True):
        if lo > hi:  # a class below the lowest value (std_mean, user_defined): empty
            text = f"≤ {web.format_number(hi, lang, d)}"
        else:
            text = f"{web.format_number(lo, lang, d)} – {web.format_number(hi, lang, d)}"
        out.append(f"{text}\u00a0{shown}" if shown else text)
    return out


def _check_column(gdf: gpd.GeoDataFrame, column: str) -> None:
    if column not in gdf.columns:
        columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
        close = suggest(str(column), columns)
        hint = f"did you mean {', '.join(map(repr, close))}?" if close else ""
        raise InputError(
            f"no column {column!r} to map; {hint or 'columns: ' + ', '.join(columns)}",
            column=str(column),
        )


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
) -> folium.FeatureGroup:
    """One switchable layer: a path per region with its class colour, id and tooltip, and
    (``value_labels``) each value printed inside its region."""
    d = web.default_decimals(values, unit) if decimals is None else decimals
    fills = [NO_DATA_FILL if cls < 0 else c.colours[cls] for cls in c.yb]
    tips = [
        f"<b>{name}</b><br>{web.esc(title)}: <b>{web.esc(web.format_value(v, unit, lang, d))}</b>"
        for name, v in zip(names, values, strict=True)
    ]
    features = []
    for rid, geom, tip, fill in zip(shapes["region_id"], shapes.geometry, tips, fills, strict=True):
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
    if value_labels:
        spots = shapely.point_on_surface(np.asarray(shapes.geometry.values, dtype=object))
        for spot, v, fill in zip(spots, values, fills, strict=True):
            if not np.isfinite(v):
                continue
            text = web.esc(web.format_number(float(v), lang, d))
            dark = " dark" if _luminance(fill) < 0.3 else ""
            folium.Marker(
                [spot.y, spot.x],
                icon=folium.DivIcon(
                    html=f'<span class="agglomap-value{dark}">{text}</span>',
                    icon_size=(0, 0),
                    class_name="agglomap-value-icon",
                ),
                interactive=False,
            ).add_to(group)
    return group


def _luminance(colour: str) -> float:
    """Relative luminance (0 black … 1 white) of a hex colour; 1 for non-colours."""
    if not colour.startswith("#"):
        return 1.0
    r, g, b = matplotlib.colors.to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


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


def choropleth_layers(
    gdf: gpd.GeoDataFrame,
    columns: Sequence[str],
    *,
    titles: Mapping[str, str] | None = None,
    units: Mapping[str, str | None] | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    cmap: str | None = None,
    diverging: bool = False,
    center: float = 0.0,
    label_column: str | None = None,
    decimals: int | None = None,
    self_contained: bool = True,
    tiles: str | None = None,
    sources: Sequence[provenance.Source] = (),
    tolerance_deg: float = 0.01,
    legend_position: str = "topleft",
    value_labels: bool = True,
) -> folium.Map:
    """A web map with one switchable layer (and legend) per column of ``gdf``.

    ``gdf`` is a joined boundary layer (``region_id``, ``name_kk|ru|en``, geometry, and the
    value columns). ``titles``/``units`` name each column's indicator and unit. ``sources``
    are credited on the map (default: geokz boundaries). The map keeps its sources in
    ``m.agglomap_sources`` for :func:`agglomap.maps.web.save_map`.
    """
    lang = web.check_lang(lang)
    if not columns:
        raise InputError("no columns to map")
    if "region_id" not in gdf.columns:
        raise InputError("the boundary layer has no 'region_id' column", column="region_id")
    for column in columns:
        _check_column(gdf, column)
    titles = dict(titles or {})
    units = dict(units or {})
    shapes = web.simplify_for_web(gdf[["region_id", gdf.geometry.name]], tolerance_deg)
    names = _names(gdf, lang, label_column)
    west, south, east, north = shapes.total_bounds
    m = web.base_map((west, south, east, north), tiles=tiles, self_contained=self_contained)
    m.get_root().html.add_child(Element(_HATCH), name="agglomap_hatch")

    pairs = []
    for i, column in enumerate(columns):
        values = pd.to_numeric(gdf[column], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(values).any():
            raise InputError(f"column {column!r} has no numeric values to map", column=column)
        c = classify(values, scheme, k, bins=bins, cmap=cmap, diverging=diverging, center=center)
        name = titles.get(column, str(column))
        unit = units.get(column)
        layer = _layer(
            shapes,
            names,
            values,
            c,
            title=name,
            unit=unit,
            lang=lang,
            decimals=decimals,
            show=i == 0,
            value_labels=value_labels,
        )
        layer.add_to(m)
        items = list(zip(c.colours, class_labels(c, unit, lang, decimals), strict=True))
        if (c.yb < 0).any():
            items.append(("nodata", t("no_data", lang)))
        note = f"{scheme.replace('_', ' ')}, {c.k} {t('classes', lang)}"
        box = web.legend(name, items, note=note, position=legend_position, show=i == 0)
        box.add_to(m)
        pairs.append((layer.get_name(), box.get_name()))
    if len(columns) > 1:
        folium.LayerControl(position="bottomright", collapsed=False).add_to(m)
        _LegendSwitch(pairs).add_to(m)
    if title:
        web.add_title(m, title, subtitle)
    sources = list(sources) or [provenance.GEOKZ]
    if tiles == "osm" and provenance.OSM not in sources:
        sources.append(provenance.OSM)
    web.add_attribution(m, sources)
    m.agglomap_sources = sources
    return m


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
) -> folium.Map:
    """A web map of one indicator column; see :func:`choropleth_layers`."""
    return choropleth_layers(
        gdf,
        [column],
        titles={column: title or str(column)},
        units={column: unit},
        scheme=scheme,
        k=k,
        bins=bins,
        lang=lang,
        title=title or str(column),
        cmap=cmap,
        diverging=diverging,
        center=center,
        label_column=label_column,
        self_contained=self_contained,
        tiles=tiles,
        sources=sources,
        value_labels=value_labels,
    )


def default_choropleth(
    out_dir: str | Path, *, lang: str = "ru", sources_dir: str | Path | None = None
) -> list[Path]:
    """The paper's figure 1 (share of innovative products in GRP, 2021) plus the innovation
    activity level, on the 2018 layout, as ``<out_dir>/choropleth_innovation_2021.html``."""
    from ..boundaries import load_boundaries
    from ..indicators import default_indicators, join

    lang = web.check_lang(lang)
    table = default_indicators()
    joined, _report = join(table, load_boundaries("2018", sources_dir=sources_dir))
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
