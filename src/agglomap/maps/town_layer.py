"""One compact data layer of towns for a Leaflet map: circles, links, large cities, names.

Everything about the towns travels to the page once, as one JSON object (columns, not
per-town elements): positions, marker radii and colours, names, link paths and the popup
records. The browser builds the circles (SVG for up to :data:`CANVAS_FROM` towns, so each
has a CSS class; one shared canvas above that), their popups (when clicked, from the record,
with ``textContent``: no name is ever parsed as HTML), the links to the nearest large city
and the large-city dots, and hands the names to :class:`agglomap.maps.labels.PlacedLabels`.

Generation is linear in the number of towns and compiles no template per town.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, MacroElement
from jinja2 import Template

CANVAS_FROM = 1_000  # from this many towns the circles share one canvas

_JS = r"""
window.agglomapTowns = window.agglomapTowns || function (map, D, groups) {
    var T = D.towns, C = D.cities, W = D.words;
    // the towns' own pane, above the boundaries, corridors and links (overlayPane, 400)
    var pane = map.getPane('agglomapTowns') || map.createPane('agglomapTowns');
    pane.style.zIndex = 450;
    var many = T.lat.length >= D.canvasFrom;
    var renderer = many ? L.canvas({pane: 'agglomapTowns', padding: 0.3})
                        : L.svg({pane: 'agglomapTowns'});
    var canvas = many ? L.canvas({padding: 0.3}) : null;  // links and city dots
    function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) { e.className = cls; }
        if (text !== undefined && text !== null) { e.textContent = text; }
        return e;
    }
    function put(parent, tag, cls, text) { return parent.appendChild(el(tag, cls, text)); }
    function row(table, th, td, cls) {
        var tr = put(table, 'tr');
        put(tr, 'th', null, th);
        put(tr, 'td', cls || null, td);
    }
    function popup(i) {
        var P = T.popup[i];
        var div = el('div', 'agglomap-popup');
        div.setAttribute('data-town-id', T.id[i]);
        put(div, 'h3', null, T.name[i]);
        if (P.region) { put(div, 'div', 'muted', P.region); }
        var table = put(div, 'table');
        D.scoreKeys.forEach(function (key, k) {
            row(table, W[key], P.scores[k], key === 'tdaa_formula' ? 'tdaa' : null);
        });
        put(div, 'h4', null, W.evidence);
        var ul = put(div, 'ul');
        ['core_city', 'large_city'].forEach(function (key) {
            var c = P[key] === 1 ? P.core_city : P[key];
            if (!c) { return; }
            var li = put(ul, 'li', key.replace('_', '-'));
            li.appendChild(document.createTextNode(W[key] + ': '));
            put(li, 'b', null, c[0]);
            li.appendChild(document.createTextNode(
                ' \u2014 ' + c[1] + ' ' + W.geodesic + ', ' + c[2] + ' ' + W.network));
        });
        if (P.within) {
            var li = put(ul, 'li', null, W.within + ':');
            var inner = put(li, 'ul', 'corridors');
            P.within.forEach(function (c) { put(inner, 'li', null, c); });
        }
        if (P.nearest) { put(ul, 'li', null, W.nearest_corridor + ': ' + P.nearest); }
        if (P.assessment) {
            put(div, 'h4', null, W.assessment);
            var at = put(div, 'table');
            P.assessment.forEach(function (r) { row(at, r[0], r[1], r[2]); });
        }
        return div;
    }
    function text(s) { return function () { return el('span', null, s); }; }
    function markers(fills, cls, strokes) {
        var features = T.order.map(function (i) {
            return {type: 'Feature', properties: {i: i},
                    geometry: {type: 'Point', coordinates: [T.lon[i], T.lat[i]]}};
        });
        var layer = L.geoJSON({type: 'FeatureCollection', features: features}, {
            pointToLayer: function (f, latlng) {
                var i = f.properties.i;
                return L.circleMarker(latlng, {
                    radius: T.r[i], color: strokes ? strokes[T[strokes.key][i]] : '#222',
                    weight: 1.2, fillColor: fills.colors[T[fills.key][i]], fillOpacity: 0.95,
                    className: cls + ' ' + cls + '-' + (T.slug || T.id)[i],
                    pane: 'agglomapTowns', renderer: renderer
                });
            }
        });
        // one popup and one tooltip for the whole layer, filled for the town at hand
        layer.bindPopup(function (m) { return popup(m.feature.properties.i); }, D.popupOptions);
        layer.bindTooltip(function (m) { return el('span', null, T.name[m.feature.properties.i]); },
                          {direction: 'top'});
        return layer;
    }
    function lazily(group, make) {  // build a layer's markers when it is first shown
        var made = false;
        function build() { if (!made) { made = true; make().addTo(group); } }
        if (map.hasLayer(group)) { build(); } else { group.once('add', build); }
    }
    if (groups.links && T.link) {
        lazily(groups.links, function () {
            var links = L.featureGroup();
            T.link.forEach(function (path, i) {
                if (!path) { return; }
                var latlngs = [];
                for (var k = 0; k < path.length; k += 2) { latlngs.push([path[k], path[k + 1]]); }
                L.polyline(latlngs, {color: D.linkColor, weight: 1.5, dashArray: '2 3',
                                     opacity: 0.9, className: 'agglomap-link', town: i,
                                     renderer: canvas || undefined}).addTo(links);
            });
            links.bindTooltip(function (line) {
                var i = line.options.town, P = T.popup[i];
                var large = P.large_city === 1 ? P.core_city : P.large_city;
                return el('span', null,
                          T.name[i] + ' \u2192 ' + (large ? large[0] + ': ' + large[1] : ''));
            }, {sticky: true});
            return links;
        });
    }
    if (groups.cities) {
        C.lat.forEach(function (lat, j) {
            L.circleMarker([lat, C.lon[j]], {radius: D.cityRadius, color: '#000', weight: 1,
                fillColor: '#000', fillOpacity: 1, className: 'agglomap-large-city'})
                .bindTooltip(text(C.name[j]), {direction: 'right'})
                .addTo(groups.cities);
        });
    }
    // towns last: on top of the links and city dots
    if (groups.level) {
        lazily(groups.level, function () {
            return markers({key: 'level', colors: D.levelColors}, D.townClass);
        });
    }
    if (groups.scenario) {
        lazily(groups.scenario, function () {
            return markers({key: 'scenario', colors: D.scenarioColors}, D.scenarioClass,
                           {key: 'assessed', 0: '#888', 1: '#222'});
        });
    }
    // names of towns and large cities, placed together by importance
    var lab = {lat: [], lon: [], text: [], r: [], strong: []}, unlabelled = {};
    T.unlabelled.forEach(function (i) { unlabelled[i] = true; });
    D.labelOrder.forEach(function (k) {
        var city = k < 0, j = city ? -k - 1 : k;
        lab.lat.push(city ? C.lat[j] : T.lat[j]);
        lab.lon.push(city ? C.lon[j] : T.lon[j]);
        lab.text.push(city ? C.name[j] : unlabelled[j] ? '' : T.name[j]);
        lab.r.push(city ? D.cityRadius : T.r[j]);
        lab.strong.push(city ? 1 : 0);
    });
    return lab;
};
"""


class TownLayer(MacroElement):
    """The towns of a map from one data object (see the module docstring).

    ``data`` is the dict built by :func:`agglomap.maps.monocities.town_data`; ``groups``
    maps ``level``, ``scenario``, ``links`` and ``cities`` to the JS names of the
    (folium) layer groups they are drawn into (``None`` to leave one out). The label data
    the layer returns is available to the page as ``<this layer's name>_labels``.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }}_labels = agglomapTowns({{ this._parent.get_name() }},
    {{ this.data|tojson }}, {
    {%- for key, group in this.groups.items() %}
    {{ key }}: {{ group or 'null' }},
    {%- endfor %}
});
{% endmacro %}
"""
    )

    def __init__(self, data: dict[str, Any], groups: dict[str, str | None]) -> None:
        super().__init__()
        self._name = "TownLayer"
        self.data = data
        self.groups = groups

    @property
    def labels_js(self) -> str:
        """The JS expression holding the names to place (for ``PlacedLabels(source=…)``)."""
        return f"{self.get_name()}_labels"

    def render(self, **kwargs) -> None:
        header = self.get_root().header
        header.add_child(Element(f"<script>{_JS}</script>"), name="agglomap_towns_js")
        super().render(**kwargs)
