"""Collision-free, deterministic name labels for Leaflet maps.

:class:`PlacedLabels` puts one name beside each point of a list (towns, cities, or the
label points of districts) so that no name covers another name, a marker or a map control.
Placement runs in the browser but reads nothing from the page's layout except the boxes
of the map controls (one batch of reads): each point's pixel position comes from the map's
projection (``map.latLngToContainerPoint``) and each name's width from
``CanvasRenderingContext2D.measureText`` with the labels' own font, so the same view always
gives the same labels. No name covers the centre of the markers of the first
:data:`KEEP_CLEAR` points.

Points are tried in the order given (most important first). Each name tries eight spots
right beside its marker, then (for the first :data:`LEADER_LABELS` in view) the same eight
directions farther out with a leader line back to the marker; the first spot that is
inside the view and free is taken. A name
with no free spot is not drawn (zooming in makes room: placement runs again after every
zoom and pan). Collisions are found with a uniform grid (spatial hash), so a placement
costs O(n) grid look-ups for n points (after the caller's O(n log n) sort by importance).

When a placement is done the page's root element gets ``data-agglomap-labels-placed``
(how many placements ran) and ``data-agglomap-labels-shown`` (names drawn), and the
document receives an ``agglomap:labels-placed`` event: tests and screenshots wait for it.

Names are passed as JSON data and written with ``textContent``: never parsed as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from branca.element import Element, MacroElement
from jinja2 import Template

FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
FONT_SIZE_PX = 11
LINE_PX = 13  # a label's box height (its CSS line-height)
LABEL_CLASS = "agglomap-town-label"
DONE_EVENT = "agglomap:labels-placed"
DIGITS = 5  # coordinates written to the page: 1e-5° ≈ 1 m
LEADER_LABELS = 500  # in view, only the first this many names try spots with a leader line
# no name covers the markers of the first this many points; past that (thousands of
# villages) a name may cover a minor dot, or a large city could never be named
KEEP_CLEAR = 1_000

CSS = f"""
.agglomap-labels-pane {{ pointer-events: none; }}
.{LABEL_CLASS} {{ position: absolute; left: 0; top: 0; white-space: nowrap; overflow: visible;
  text-align: center; pointer-events: none; color: #111; height: {LINE_PX}px;
  font: 500 {FONT_SIZE_PX}px/{LINE_PX}px {FONT_FAMILY};
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }}
.{LABEL_CLASS}.strong {{ font-weight: 700; }}
.agglomap-leaders {{ position: absolute; left: 0; top: 0; overflow: visible;
  pointer-events: none; }}
"""

# The engine: defined once per page, used by every PlacedLabels element.
ENGINE = r"""
window.agglomapLabels = window.agglomapLabels || function (map, d, opt) {
    var H = opt.lineHeight, PAD = 2, CELL = 48;
    var DIRS = [[1, 0], [-1, 0], [0, -1], [0, 1], [1, -1], [-1, -1], [1, 1], [-1, 1]];
    var LEADS = [18, 32, 48];
    var n = d.lat.length, widths = new Array(n), els = new Array(n);
    var paneName = 'agglomapLabels';
    var pane = map.getPane(paneName) || map.createPane(paneName);
    pane.classList.add('agglomap-labels-pane');
    pane.style.zIndex = 625;  // above markers (600), below tooltips (650) and popups (700)
    var svgNS = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(svgNS, 'svg');
    svg.setAttribute('class', 'agglomap-leaders');
    svg.setAttribute('width', '1');
    svg.setAttribute('height', '1');
    pane.appendChild(svg);
    var ctx = document.createElement('canvas').getContext('2d'), font = null;
    function width(i) {
        if (widths[i] === undefined) {
            var f = (d.strong && d.strong[i] ? '700 ' : '500 ') + opt.font;
            if (f !== font) { ctx.font = font = f; }  // setting a font is costly: only on change
            widths[i] = Math.ceil(ctx.measureText(d.text[i]).width) + 2;
        }
        return widths[i];
    }
    function Grid() { this.cells = new Map(); }
    Grid.prototype.range = function (b, f) {
        var i0 = Math.floor(b[0] / CELL), i1 = Math.floor(b[2] / CELL);
        var j0 = Math.floor(b[1] / CELL), j1 = Math.floor(b[3] / CELL);
        for (var i = i0; i <= i1; i++) {
            for (var j = j0; j <= j1; j++) { if (f(i * 65536 + j)) { return true; } }
        }
        return false;
    };
    Grid.prototype.add = function (b) {
        var cells = this.cells;
        this.range(b, function (k) {
            var c = cells.get(k);
            if (c) { c.push(b); } else { cells.set(k, [b]); }
            return false;
        });
    };
    Grid.prototype.hits = function (b, owner) {
        var cells = this.cells;
        return this.range(b, function (k) {
            var c = cells.get(k);
            if (!c) { return false; }
            for (var m = 0; m < c.length; m++) {
                var q = c[m];
                if (q[4] !== owner && b[0] < q[2] && q[0] < b[2] && b[1] < q[3] && q[1] < b[3]) {
                    return true;
                }
            }
            return false;
        });
    };
    function box(ax, ay, dx, dy, w) {
        var x0 = dx > 0 ? ax : dx < 0 ? ax - w : ax - w / 2;
        var y0 = dy > 0 ? ay : dy < 0 ? ay - H : ay - H / 2;
        return [x0, y0, x0 + w, y0 + H];
    }
    function hide() { pane.style.display = 'none'; }
    function place() {
        // a view still moving (a zoom animation, a fit waiting for the page) is not placed:
        // its moveend places the names again, so every placement mark is of a final view
        if (map._animatingZoom || map.agglomapFitPending) { return; }
        var root = document.documentElement.dataset;
        var shown = 0;
        if (opt.group && !map.hasLayer(opt.group)) {
            hide();
        } else {
            var t0 = performance.now();
            shown = layout();
            root.agglomapLabelsMs = (performance.now() - t0).toFixed(1);  // for benchmarks
            pane.style.display = '';
        }
        root.agglomapLabelsPlaced = String(+(root.agglomapLabelsPlaced || 0) + 1);
        root.agglomapLabelsShown = String(shown);
        document.dispatchEvent(new CustomEvent(opt.event, {detail: {shown: shown}}));
    }
    function layout() {
        var size = map.getSize(), W = size.x, HH = size.y;
        var frame = map.getContainer().getBoundingClientRect();
        var grid = new Grid();
        // one batch of layout reads: the boxes of the map's controls and title
        map.getContainer().querySelectorAll(opt.avoid).forEach(function (el) {
            var r = el.getBoundingClientRect();
            if (r.width > 0 && r.height > 0) {
                grid.add([r.left - frame.left - PAD, r.top - frame.top - PAD,
                          r.right - frame.left + PAD, r.bottom - frame.top + PAD, -1]);
            }
        });
        var xs = new Float64Array(n), ys = new Float64Array(n), inView = new Uint8Array(n);
        var margin = 60;
        for (var i = 0; i < n; i++) {
            var p = map.latLngToContainerPoint([d.lat[i], d.lon[i]]);
            xs[i] = p.x; ys[i] = p.y;
            if (p.x > -margin && p.x < W + margin && p.y > -margin && p.y < HH + margin) {
                inView[i] = 1;
                if (i < opt.keepClear) {  // the marker's centre part stays free
                    var r = Math.max(d.r[i] * 0.75, 2);
                    grid.add([p.x - r, p.y - r, p.x + r, p.y + r, i]);
                }
            }
        }
        var origin = map.containerPointToLayerPoint([0, 0]);
        var placed = [], lines = [], tried = 0;
        for (var k = 0; k < n; k++) {
            if (!inView[k] || !d.text[k]) { continue; }
            var w = width(k), x = xs[k], y = ys[k], rad = d.r[k], found = null;
            tried++;
            var rings = tried <= opt.leaders ? LEADS.length : 0;  // leaders: important ones
            for (var ring = 0; ring <= rings && !found; ring++) {
                for (var s = 0; s < DIRS.length; s++) {
                    var dx = DIRS[s][0], dy = DIRS[s][1];
                    var diag = dx && dy ? Math.SQRT1_2 : 1;
                    var reach = rad + (ring === 0 ? 2 : LEADS[ring - 1]);
                    var ax = x + dx * reach * diag, ay = y + dy * reach * diag;
                    var b = box(ax, ay, dx, dy, w);
                    if (b[0] < 2 || b[1] < 2 || b[2] > W - 2 || b[3] > HH - 2) { continue; }
                    var padded = [b[0] - PAD, b[1] - PAD, b[2] + PAD, b[3] + PAD];
                    if (grid.hits(padded, -2)) { continue; }
                    var dots = [];
                    if (ring > 0) {  // the leader line must cross nothing either
                        var ex = x + dx * (rad + 1) * diag, ey = y + dy * (rad + 1) * diag;
                        var len = Math.hypot(ax - ex, ay - ey), clear = true;
                        for (var t = 3; t < len - 1; t += 3) {
                            var px = ex + (ax - ex) * t / len, py = ey + (ay - ey) * t / len;
                            var dot = [px - 1, py - 1, px + 1, py + 1, k];
                            if (grid.hits(dot, k)) { clear = false; break; }
                            dots.push(dot);
                        }
                        if (!clear) { continue; }
                        lines.push([ex, ey, ax, ay]);
                    }
                    found = b;
                    grid.add([b[0], b[1], b[2], b[3], -3]);
                    dots.forEach(function (q) { q[4] = -3; grid.add(q); });
                    break;
                }
            }
            if (found) { placed.push([k, found]); }
        }
        // writes only from here on
        var seen = new Uint8Array(n);
        placed.forEach(function (pl) {
            var k = pl[0], b = pl[1], el = els[k];
            if (!el) {
                el = els[k] = document.createElement('div');
                el.className = opt.labelClass + (d.cls && d.cls[k] ? ' ' + d.cls[k] : '') +
                    (d.strong && d.strong[k] ? ' strong' : '');
                el.textContent = d.text[k];
                el.style.width = widths[k] + 'px';
                pane.appendChild(el);
            }
            el.style.display = '';
            seen[k] = 1;
            L.DomUtil.setPosition(el, L.point(b[0] + origin.x, b[1] + origin.y));
        });
        els.forEach(function (el, k) { if (el && !seen[k]) { el.style.display = 'none'; } });
        var parts = lines.map(function (q) {
            return 'M' + (q[0] + origin.x).toFixed(1) + ' ' + (q[1] + origin.y).toFixed(1) +
                'L' + (q[2] + origin.x).toFixed(1) + ' ' + (q[3] + origin.y).toFixed(1);
        });
        svg.innerHTML = parts.length ?
            '<path d="' + parts.join('') + '" stroke="#333" stroke-width="0.8" fill="none"/>' : '';
        return placed.length;
    }
    var pending = false;
    function later() {
        if (pending) { return; }
        pending = true;
        window.requestAnimationFrame(function () { pending = false; place(); });
    }
    map.on('zoomstart', hide);
    map.on('moveend resize overlayadd overlayremove', later);
    if (document.readyState === 'complete') { later(); }
    else { window.addEventListener('load', later); }
    return {place: place};
};
"""


class PlacedLabels(MacroElement):
    """Names placed beside points without overlaps (see the module docstring).

    Parameters
    ----------
    lat, lon
        Where each point is (WGS84 degrees), in placement order: most important first.
    text
        The name of each point (plain text; ``""`` or ``None`` for no label).
    radius
        Each point's marker radius in pixels (the label keeps clear of it).
    group
        The JS name of a layer (e.g. a ``folium.FeatureGroup``) whose visibility switches
        the labels on and off; ``None`` for always on.
    strong
        Points whose name is drawn bold (e.g. large cities).
    avoid
        CSS selector of the page elements no label may cover.
    source
        Instead of the lists above: a JS expression (e.g. a variable another element
        defined) giving ``{lat, lon, text, r, strong}`` arrays.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
agglomapLabels({{ this._parent.get_name() }},
    {% if this.source %}{{ this.source }}{% else %}{{ this.data|tojson }}{% endif %}, {
    group: {{ this.group or 'null' }}, font: {{ this.font|tojson }},
    lineHeight: {{ this.line }}, labelClass: {{ this.label_class|tojson }},
    leaders: {{ this.leaders }}, keepClear: {{ this.keep_clear }},
    avoid: {{ this.avoid|tojson }}, event: {{ this.event|tojson }}});
{% endmacro %}
"""
    )

    def __init__(
        self,
        lat: Sequence[float] = (),
        lon: Sequence[float] = (),
        text: Sequence[str | None] = (),
        radius: Sequence[float] = (),
        *,
        group: str | None = None,
        strong: Sequence[bool] | None = None,
        avoid: str = ".leaflet-control, .agglomap-title",
        source: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "PlacedLabels"
        n = len(lat)
        if not (len(lon) == len(text) == len(radius) == n):
            raise ValueError("lat, lon, text and radius must have the same length")
        self.data = {
            "lat": np.round(np.asarray(lat, dtype=float), DIGITS).tolist(),
            "lon": np.round(np.asarray(lon, dtype=float), DIGITS).tolist(),
            "text": [str(x) if isinstance(x, str) and x.strip() else "" for x in text],
            "r": np.round(np.asarray(radius, dtype=float), 1).tolist(),
        }
        if strong is not None:
            self.data["strong"] = [1 if s else 0 for s in strong]
        self.source = source
        self.group = group
        self.font = f"{FONT_SIZE_PX}px {FONT_FAMILY}"
        self.line = LINE_PX
        self.label_class = LABEL_CLASS
        self.avoid = avoid
        self.leaders = LEADER_LABELS
        self.keep_clear = KEEP_CLEAR
        self.event = DONE_EVENT

    def render(self, **kwargs) -> None:
        header = self.get_root().header
        header.add_child(Element(f"<style>{CSS}</style>"), name="agglomap_labels_css")
        header.add_child(Element(f"<script>{ENGINE}</script>"), name="agglomap_labels_js")
        super().render(**kwargs)
