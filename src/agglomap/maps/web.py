"""Shared machinery for web maps: self-contained Leaflet pages built with folium.

Self-contained mode (the default) needs no network: Leaflet 1.9.4 (BSD-2-Clause) is read
from the installed ``django-js-lib-leaflet`` package and inlined, its images as ``data:``
URIs, and none of folium's CDN extras (jQuery, Bootstrap, awesome-markers, Font Awesome)
are used. Build maps from plain Leaflet pieces (GeoJson, CircleMarker, Tooltip, Popup,
LayerControl) plus the HTML legend, title and attribution made here.
:func:`render_html` refuses a page that still links an external script, stylesheet or font.

Every user-supplied string that enters HTML goes through :func:`esc`.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from .. import provenance
from ..errors import AgglomapError, InputError
from ..export import write_text
from ..i18n import check_lang, t, unit_label
from ..regions import KZ_BBOX

_LEAFLET_PKG = "js_lib_leaflet"
_LEAFLET_DIR = "static/js_lib_leaflet"
_NBSP = "\u00a0"
NARROW_PX = 900  # below this width a map is embedded: overlays fold (see EmbedMode)

CSS = """
.leaflet-container { background: #eef2f5; font: 13px/1.35 system-ui, -apple-system,
  "Segoe UI", Roboto, Arial, sans-serif; }
.agglomap-title { position: absolute; z-index: 1000; top: 10px; left: 50%;
  transform: translateX(-50%); max-width: 60%; padding: 6px 14px; text-align: center;
  background: rgba(255,255,255,0.92); border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  font: 600 16px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  pointer-events: none; }
.agglomap-title small { display: block; font-weight: 400; font-size: 12.5px; color: #444; }
.agglomap-legend { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 300px; line-height: 1.4; }
.agglomap-legend .title { font-weight: 600; margin-bottom: 4px; }
.agglomap-legend .row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.agglomap-legend .swatch { width: 18px; height: 12px; flex: none;
  border: 1px solid rgba(0,0,0,.35); }
.agglomap-legend .note { margin-top: 4px; font-size: 11.5px; color: #444; white-space: normal; }
.agglomap-nodata { background: repeating-linear-gradient(45deg, #d9d9d9 0 3px, #ffffff 3px 6px); }
.agglomap-legend summary { cursor: pointer; }
.agglomap-legend details:not([open]) summary.title { margin-bottom: 0; }
.agglomap-notice { background: #fff4ce; border: 1px solid #c9a227; border-radius: 4px;
  padding: 5px 8px; max-width: 340px; font-size: 12px; line-height: 1.35;
  box-shadow: 0 1px 4px rgba(0,0,0,.25); }
.leaflet-container:focus, .leaflet-interactive:focus { outline: none; }
.leaflet-container:focus-visible { outline: 2px solid #1f4e9c; outline-offset: -2px; }
.leaflet-interactive:focus-visible { outline: 2px solid #1f4e9c; }
.agglomap-popup-open .agglomap-title { visibility: hidden; }
/* embedded in a report (an iframe under ~900 px wide): small title, legend and layer
   list folded into buttons (see EmbedMode) */
.agglomap-narrow .agglomap-title { top: 6px; max-width: 42%; padding: 3px 8px;
  font-size: 12px; line-height: 1.25; }
.agglomap-narrow .agglomap-title small { display: none; }
.agglomap-narrow .agglomap-legend { max-width: 220px; padding: 4px 7px; font-size: 12px; }
.agglomap-narrow .agglomap-notice { max-width: 220px; font-size: 11px; padding: 3px 6px; }
.agglomap-narrow .leaflet-control-attribution { font-size: 9px; line-height: 1.2;
  max-width: 60%; white-space: normal; }
"""

# A legend swatch is a colour or one of the fills defined in CSS above; nothing else.
_SAFE_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-z]+|rgba?\([0-9., ]+\))$")
_EXTERNAL = [
    re.compile(r"<(?:script|img|iframe)\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//", re.I),
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//", re.I),
    re.compile(r"url\(\s*[\"']?(?:https?:)?//", re.I),
    re.compile(r"@import|@font-face|fonts\.googleapis|fonts\.gstatic", re.I),
]


def esc(text: object) -> str:
    """HTML-escape ``text`` (quotes too); ``None`` and NaN become ``""``."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(str(text), quote=True)


def label(row: Mapping[str, Any], lang: str) -> str:
    """The name of a region/city in ``lang`` (``name_kk|name_ru|name_en``), falling back
    to the other languages when that one is missing."""
    order = [check_lang(lang)] + [x for x in ("en", "ru", "kk") if x != lang]
    for code in order:
        value = row.get(f"name_{code}") if hasattr(row, "get") else None
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            text = str(value).strip()
            if text:
                return text
    return ""


_SHORT = {
    "en": (re.compile(r"\s+Region$"), ""),
    "ru": (re.compile(r"^Область\s+|\s+область$"), ""),
    "kk": (re.compile(r"\s+облысы$"), ""),
}


def short_label(row: Mapping[str, Any], lang: str) -> str:
    """A region's name without "Region"/"область"/"облысы" (``"Kostanay"``,
    ``"Костанайская"``, ``"Абай"``) for labels on the map."""
    text = label(row, lang)
    pattern, repl = _SHORT[lang]
    return pattern.sub(repl, text) or text


def short_labels(rows: Sequence[Mapping[str, Any]], lang: str) -> list[str]:
    """:func:`short_label` of each row, except where it would read like another row's name
    ("Almaty" for Almaty Region beside the city of Almaty): then the full name."""
    shorts = [short_label(r, lang) for r in rows]
    fulls = [label(r, lang) for r in rows]
    taken = set(fulls)
    return [
        f if (s != f and (s in taken or shorts.count(s) > 1)) else s
        for s, f in zip(shorts, fulls, strict=True)
    ]


# From this magnitude on a number is printed as ``1.23×10¹⁵``: a float has ~16 significant
# digits, so more digits than that (up to 309 for 1e308) are noise, not information.
SCIENTIFIC_FROM = 1e15
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_number(value: float, lang: str = "en", decimals: int = 1) -> str:
    """``1927439.2`` → ``"1,927,439.2"`` (en) or ``"1 927 439,2"`` (ru, kk; no-break spaces).

    Magnitudes of :data:`SCIENTIFIC_FROM` and more read ``1.00×10³⁰⁸`` (``1,00×10³⁰⁸``).
    """
    check_lang(lang)
    if value is None or not np.isfinite(value):
        return ""
    if abs(value) >= SCIENTIFIC_FROM:
        mantissa, exponent = f"{value:.2e}".split("e")
        text = f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
        return text if lang == "en" else text.replace(".", ",")
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", _NBSP).replace(".", ",")


def default_decimals(values: Sequence[float] | np.ndarray, unit: str | None = None) -> int:
    """Decimals to print: 1 for percentages, 0 for whole numbers, else 1 (2 below 10)."""
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if unit == "%":
        return 1
    if arr.size == 0 or np.all(arr == np.round(arr)):
        return 0
    return 2 if np.nanmax(np.abs(arr)) < 10 else 1


def format_value(
    value: float, unit: str | None = None, lang: str = "en", decimals: int | None = None
) -> str:
    """A value with its unit as a reader expects it: ``"8.7 %"``, ``"8,7 %"``, ``"1,148"``."""
    if value is None or not np.isfinite(value):
        return t("no_data", lang)
    d = default_decimals([value], unit) if decimals is None else decimals
    shown = unit_label(unit, lang)
    number = format_number(float(value), lang, d)
    return f"{number}{_NBSP}{shown}" if shown else number


# --------------------------------------------------------------------------- leaflet assets


def _asset(name: str) -> bytes:
    return (files(_LEAFLET_PKG) / _LEAFLET_DIR / name).read_bytes()


def _data_uri(name: str) -> str:
    return "data:image/png;base64," + base64.b64encode(_asset(f"images/{name}")).decode("ascii")


@lru_cache(maxsize=1)
def leaflet_inline() -> str:
    """``<style>`` + ``<script>`` holding Leaflet's CSS (images as data: URIs) and JS."""
    try:
        js = _asset("leaflet.js").decode("utf-8")
        css = _asset("leaflet.css").decode("utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise AgglomapError(
            "self-contained maps need Leaflet from the 'django-js-lib-leaflet' package: "
            "pip install django-js-lib-leaflet (or pass self_contained=False)",
            param="self_contained",
        ) from exc
    css = re.sub(r"url\(images/([\w-]+\.png)\)", lambda m: f"url({_data_uri(m.group(1))})", css)
    if "</script" in js.lower() or "</style" in css.lower():
        raise AgglomapError("Leaflet assets contain a closing tag; cannot inline them")
    icons = (
        "L.Icon.Default.imagePath = '';"
        "L.Icon.Default.mergeOptions({"
        f"iconUrl: '{_data_uri('marker-icon.png')}',"
        f"iconRetinaUrl: '{_data_uri('marker-icon-2x.png')}',"
        f"shadowUrl: '{_data_uri('marker-shadow.png')}'}});"
    )
    return f"<style>{css}</style>\n<script>{js}</script>\n<script>{icons}</script>"


# --------------------------------------------------------------------------- elements


class _Styled(MacroElement):
    """An element that needs agglomap's CSS in the page header (added once per page)."""

    def render(self, **kwargs: Any) -> None:
        self.get_root().header.add_child(Element(f"<style>{CSS}</style>"), name="agglomap_css")
        super().render(**kwargs)


class HtmlControl(_Styled):
    """A Leaflet control (stacked with the others in its corner) showing fixed HTML.

    ``html`` must already be escaped; it is passed to the page as a JSON string.
    ``show=False`` creates the control without adding it (a layer can add it later).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
};
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""
    )

    def __init__(
        self, html_text: str, *, position: str = "bottomright", css_class: str = "", show=True
    ) -> None:
        super().__init__()
        self._name = "HtmlControl"
        if position not in ("topleft", "topright", "bottomleft", "bottomright"):
            raise ValueError(f"unknown Leaflet control position {position!r}")
        self.html = html_text
        self.position = position
        self.css_class = css_class
        self.show = show


def legend(
    title: str,
    items: list[tuple[str, str]],
    *,
    note: str | None = None,
    position: str = "bottomright",
    show: bool = True,
) -> HtmlControl:
    """An HTML/CSS legend control: ``items`` are ``(colour, label)`` pairs, shown in order.

    A colour is a CSS colour (``#1d91c0``) or ``"nodata"`` for the hatched no-data fill.
    Title, labels and note are escaped here. Add it with ``legend(...).add_to(m)``.
    """
    rows = []
    for colour, text in items:
        if colour == "nodata":
            swatch = '<span class="swatch agglomap-nodata"></span>'
        elif _SAFE_COLOUR.match(colour):
            swatch = f'<span class="swatch" style="background:{esc(colour)}"></span>'
        else:
            raise ValueError(f"not a CSS colour: {colour!r}")
        rows.append(f'<div class="row">{swatch}<span class="label">{esc(text)}</span></div>')
    parts = rows
    if note:
        parts.append(f'<div class="note">{esc(note)}</div>')
    return HtmlControl(
        fold(esc(title), "".join(parts)), position=position, css_class="agglomap-legend", show=show
    )


def fold(summary_html: str, body_html: str) -> str:
    """A legend body under its title that folds into a button in embed mode
    (``<details open>``; both arguments already escaped)."""
    return (
        f'<details class="agglomap-fold" open><summary class="title">{summary_html}</summary>'
        f"{body_html}</details>"
    )


class _Title(_Styled):
    _template = Template(
        """
{% macro html(this, kwargs) %}<div class="agglomap-title">{{ this.text }}</div>{% endmacro %}
"""
    )

    def __init__(self, text_html: str) -> None:
        super().__init__()
        self._name = "Title"
        self.text = text_html


def add_title(m: folium.Map, title: str, subtitle: str | None = None) -> folium.Map:
    """A title box at the top centre of the map (escaped); hidden while a popup is open,
    so it never covers one."""
    text = esc(title) + (f"<small>{esc(subtitle)}</small>" if subtitle else "")
    _Title(text).add_to(m)
    return m


class _Notice(_Styled):
    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    var box = L.control({position: 'bottomleft'});
    box.onAdd = function () {
        var div = L.DomUtil.create('div', 'agglomap-notice');
        div.setAttribute('role', 'note');
        div.textContent = {{ this.text|tojson }};
        L.DomEvent.disableClickPropagation(div);
        return div;
    };
    box.addTo(map);
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Notice"
        self.text = text


class _FitClear(MacroElement):
    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map, bounds) {
    map.agglomapFitPending = true;  // name labels wait for the final view
    function fit() {
        if (map._animatingZoom) { map.once('zoomend', fit); return; }  // it would be ignored
        var box = map.getContainer(), frame = box.getBoundingClientRect();
        var size = map.getSize(), top = 0, right = 0;
        var title = document.querySelector('.agglomap-title');
        if (title) { top = title.getBoundingClientRect().bottom - frame.top; }
        box.querySelectorAll('.leaflet-right .leaflet-control').forEach(function (el) {
            var r = el.getBoundingClientRect();
            if (r.height > size.y / 3) { right = Math.max(right, frame.right - r.left); }
        });
        map.agglomapFitPending = false;
        map.fitBounds(bounds, {paddingTopLeft: [0, top], paddingBottomRight: [right, 0],
                               animate: false});
    }
    if (document.readyState === 'complete') { fit(); }
    else { window.addEventListener('load', fit); }
})({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
{% endmacro %}
"""
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitClear"
        self.bounds = bounds


class _FitNow(MacroElement):
    """``map.fitBounds`` without animation: an animated first fit could still be running
    (or not yet started) when the page loads and would undo a later fit."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }}, {animate: false});
{% endmacro %}
"""
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitNow"
        self.bounds = bounds


def fit_clear(m: folium.Map, bounds: Sequence[float]) -> folium.Map:
    """Once the page has loaded, fit the map to ``bounds`` (west, south, east, north) in the
    space the title and any tall control on the right (a legend) leave free. Add it after
    the controls."""
    west, south, east, north = bounds
    _FitClear([[south, west], [north, east]]).add_to(m)
    return m


def add_notice(m: folium.Map, text: str) -> folium.Map:
    """A notice on the map itself (bottom left, above the scale bar), e.g. that the data
    describe regions of another boundary layout. Plain text, written with ``textContent``."""
    _Notice(text).add_to(m)
    return m


class EmbedMode(_Styled):
    """Responsive behaviour every agglomap web map has.

    Below :data:`NARROW_PX` wide (a map embedded in a report) the map container gets the
    class ``agglomap-narrow``: the title shrinks to one small line, the legends fold to their
    title (a button: click to open) and the layer list folds to Leaflet's layers button; a
    click on the map folds them again. While a popup is open the title is hidden.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    var narrow = null, box = map.getContainer();
    function layerLists(open) {
        box.querySelectorAll('.leaflet-control-layers').forEach(function (el) {
            el.classList.toggle('leaflet-control-layers-expanded', open);
        });
    }
    function apply() {
        var now = map.getSize().x < {{ this.narrow }};
        if (now === narrow) { return; }
        narrow = now;
        box.classList.toggle('agglomap-narrow', now);
        document.body.classList.toggle('agglomap-narrow', now);  // the title is outside
        layerLists(!now);
        box.querySelectorAll('details.agglomap-fold').forEach(function (d) { d.open = !now; });
    }
    map.on('click', function () {
        if (!narrow) { return; }
        layerLists(false);
        box.querySelectorAll('details.agglomap-fold').forEach(function (d) { d.open = false; });
    });
    map.on('resize', apply);
    map.on('popupopen', function () { document.body.classList.add('agglomap-popup-open'); });
    map.on('popupclose', function () {
        document.body.classList.remove('agglomap-popup-open');
    });
    if (document.readyState === 'complete') { apply(); }
    else { window.addEventListener('load', apply); }
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "EmbedMode"
        self.narrow = NARROW_PX


class _MetricScale(MacroElement):
    """Leaflet's scale bar, metric only, with the unit words of the map's language."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    var scale = L.control.scale({metric: true, imperial: false, position: 'bottomleft'});
    scale._updateMetric = function (maxMeters) {
        var meters = this._getRoundNum(maxMeters);
        var text = meters < 1000 ? meters + ' ' + {{ this.m|tojson }}
                                 : (meters / 1000) + ' ' + {{ this.km|tojson }};
        this._updateScale(this._mScale, text, meters / maxMeters);
    };
    scale.addTo(map);
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._name = "MetricScale"
        self.km = unit_label("km", lang)
        self.m = {"en": "m", "ru": "м", "kk": "м"}[lang]


class _Attribution(MacroElement):
    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
{% endmacro %}
"""
    )

    def __init__(self, text_html: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text_html


def add_attribution(
    m: folium.Map,
    sources: Sequence[provenance.Source],
    extra: str | None = None,
    lang: str = "en",
) -> folium.Map:
    """Show the sources' attribution line in ``lang`` (and ``extra``) in the map's
    attribution control. OpenStreetMap is left out when the map's OSM tiles already credit it.
    """
    shown = [s for s in sources if not (s.key == "osm" and getattr(m, "_agglomap_tiles", None))]
    text = provenance.attribution(*shown, lang=check_lang(lang))
    if extra:
        text = f"{text} | {extra}" if text else extra
    if text:
        _Attribution(esc(text)).add_to(m)
    return m


# --------------------------------------------------------------------------- map


def boundary_layer(
    boundaries: gpd.GeoDataFrame,
    *,
    tiles: str | None = None,
    weight: float = 0.8,
    **geojson_kwargs: Any,
) -> folium.GeoJson:
    """Boundaries simplified for the web as a plain, non-interactive grey basemap layer
    (filled when there are no tiles under it, outlines only over tiles)."""
    shapes = simplify_for_web(boundaries[[boundaries.geometry.name]])
    return folium.GeoJson(
        shapes.__geo_interface__,
        style_function=lambda _f: {
            "color": "#8a8a8a",
            "weight": weight,
            "fillColor": "#f7f7f4",
            "fillOpacity": 1.0 if tiles is None else 0.0,
        },
        interactive=False,
        **geojson_kwargs,
    )


def base_map(
    bounds: Sequence[float] | None = None,
    *,
    tiles: str | None = None,
    self_contained: bool = True,
    background: gpd.GeoDataFrame | None = None,
    lang: str = "en",
) -> folium.Map:
    """An empty Leaflet map fitted to Kazakhstan, or to ``bounds`` (west, south, east, north),
    with a metric scale bar labelled in ``lang``.

    No tiles by default (works offline); ``tiles="osm"`` adds OpenStreetMap tiles credited
    "© OpenStreetMap contributors" (they are fetched from the network when viewed).
    ``background`` (e.g. the country outline or oblasts) is drawn as a plain, non-interactive
    grey layer under everything else.
    """
    if tiles not in (None, "osm"):
        raise InputError(f"unknown tiles {tiles!r}; expected 'osm' or none (offline)")
    west, south, east, north = KZ_BBOX if bounds is None else bounds
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=5,
        tiles=None,
        control_scale=False,  # Leaflet's default also shows miles; ours is metric, in lang
        zoom_snap=0.25,
    )
    _MetricScale(check_lang(lang)).add_to(m)
    EmbedMode().add_to(m)
    m._agglomap_self_contained = self_contained
    m._agglomap_tiles = tiles
    if self_contained:
        # Instance attributes shadow folium's CDN lists (class attributes stay untouched).
        m.default_js = []
        m.default_css = []
        m.get_root().header.add_child(Element(leaflet_inline()), name="leaflet_inline")
    if tiles == "osm":
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr=provenance.OSM.attribution,
            name="OpenStreetMap",
            max_zoom=19,
            control=False,
        ).add_to(m)
    if background is not None and len(background):
        boundary_layer(background, tiles=tiles, name=t("boundaries", "en"), control=False).add_to(m)
    _FitNow([[south, west], [north, east]]).add_to(m)
    return m


def render_html(m: folium.Map, *, self_contained: bool = True) -> str:
    """The page as HTML; in self-contained mode, raise if anything external is linked."""
    text = m.get_root().render()
    if self_contained:
        for pattern in _EXTERNAL:
            hit = pattern.search(text)
            if hit:
                raise AgglomapError(
                    "map is not self-contained: it links an external resource "
                    f"({hit.group(0)[:80]!r}); build it with base_map(self_contained=True)"
                )
    return text


def save_map(
    m: folium.Map,
    out: str | Path,
    *,
    sources: Sequence[provenance.Source],
    self_contained: bool = True,
) -> Path:
    """Render ``m`` and write it atomically to ``out`` with a ``.sources.json`` sidecar."""
    return write_text(render_html(m, self_contained=self_contained), out, sources)


# --------------------------------------------------------------------------- geometry


def _simplify_coverage(polys: np.ndarray, tolerance_deg: float) -> np.ndarray:
    """Simplify polygons that tile an area, each shared edge once for both neighbours.

    Needs shapely ≥ 2.1 (GEOS ≥ 3.12); older versions fall back to simplifying each
    polygon alone, which can open hairline gaps between neighbours.
    """
    if not hasattr(shapely, "coverage_simplify"):
        return shapely.simplify(polys, tolerance_deg, preserve_topology=True)
    if hasattr(shapely, "coverage_clean") and not shapely.coverage_is_valid(polys):
        polys = shapely.coverage_clean(polys)  # e.g. geokz 2024: slivers between oblasts
    return shapely.coverage_simplify(polys, tolerance_deg)


def simplify_for_web(
    gdf: gpd.GeoDataFrame, tolerance_deg: float = 0.01, precision: float = 1e-4
) -> gpd.GeoDataFrame:
    """Lighter polygons for a web page, in EPSG:4326.

    Neighbouring polygons stay edge-matched: ``shapely.coverage_simplify`` simplifies each
    shared edge once for both sides (no gaps or slivers); a layer whose polygons overlap
    or leave slivers is first repaired with ``shapely.coverage_clean`` (GEOS ≥ 3.14).
    Lines and points are simplified one by one. Coordinates are then snapped to a
    ``precision``-degree grid (``shapely.set_precision``; 1e-4° ≈ 11 m) and printed with no
    more digits than that.
    Every geometry in the result is valid.
    """
    out = gdf.to_crs(4326) if gdf.crs is not None and not gdf.crs.equals("EPSG:4326") else gdf
    out = out.copy()
    geoms = np.asarray(out.geometry.values, dtype=object)
    if len(geoms) == 0:
        return out
    kinds = shapely.get_type_id(geoms)
    polygonal = np.isin(kinds, (3, 6))  # Polygon, MultiPolygon
    simplified = geoms.copy()
    if polygonal.any() and tolerance_deg > 0:
        simplified[polygonal] = _simplify_coverage(geoms[polygonal], tolerance_deg)
    if (~polygonal).any() and tolerance_deg > 0:
        simplified[~polygonal] = shapely.simplify(
            geoms[~polygonal], tolerance_deg, preserve_topology=True
        )
    if precision > 0:
        simplified = shapely.set_precision(simplified, precision)
        digits = max(0, math.ceil(-math.log10(precision)))
        simplified = shapely.transform(simplified, lambda xy: np.round(xy, digits))
    invalid = ~shapely.is_valid(simplified)
    if invalid.any():
        simplified[invalid] = shapely.make_valid(simplified[invalid])
    out[out.geometry.name] = simplified
    return out
