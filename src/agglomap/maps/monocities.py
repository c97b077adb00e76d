"""The monocity web map: agglomeration potential (TDaa) of single-industry towns and its evidence.

Each town is a circle (area ∝ population) coloured by its TDaa level; a second layer colours
the towns by the development scenario the monocity assessment recommends. A click opens the
indicator breakdown and the evidence behind it: the nearest core and large city (km,
geodesic and along the corridor network), the corridors within reach, and the assessment.
Corridors are drawn by mode, lines join each town to its nearest large city, and distance
rings around each town are geodesic circles on the WGS84 ellipsoid (72 vertices from
``pyproj.Geod.fwd``) rather than Leaflet's ``L.Circle``, which approximates a circle on a
sphere by an ellipse in Web Mercator.

Built only from plain Leaflet pieces (see :mod:`agglomap.maps.web`); popups and tooltips are
bound with JSON-encoded, escaped HTML, so no name can break out into the page.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from .. import provenance
from ..boundaries import EQUAL_AREA
from ..distances import GEOD
from ..errors import InputError, suggest
from ..i18n import level_word, scenario_text, t
from ..regions import KZ_BBOX
from . import web
from .static import shared_sections, town_names, town_population
from .style import TDAA_COLORS, TDAA_LEVELS, tdaa_color


class MapWarning(UserWarning):
    """A map was drawn, but will not serve its reader well (too many towns, …)."""


COLOR_BY = ("tdaa_level", "scenario")
REQUIRED = ("id", "tdaa", "tdaa_level")
TOWN_CLASS = "agglomap-town"
SCENARIO_CLASS = "agglomap-town-scenario"
SCENARIO_COLORS = {
    "inertial": "#969696",
    "balanced": "#1b9e77",
    "innovative": "#7570b3",
    "diversification": "#d95f02",
}
NOT_ASSESSED = "#ffffff"
RING_COLOR = "#6a51a3"
LINK_COLOR = "#3f3f3f"
CORRIDOR_STYLE = {"road": ("#8a8a8a", None), "rail": ("#1f4e9c", "6 5")}
# roads wide, rails narrow on top: where both share a route, both styles show
CORRIDOR_WEIGHT = {"road": 4.0, "rail": 2.0}
REF_POPULATION = 100_000
REF_RADIUS_PX = 9.0
DIGITS = 5  # coordinates written to the page: 1e-5° ≈ 1 m
MANY_TOWNS = 1_000  # above this the page gets heavy (9 899 towns: 92 MB): suggest a PNG

_ASSESSED = ("tdm", "tdea", "tdda", "tdzhia", "tdaa", "tdsp")

_POPUP_CSS = """
.agglomap-popup { font: 12.5px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.agglomap-popup h3 { margin: 0 0 2px; font-size: 15px; }
.agglomap-popup h4 { margin: 8px 0 2px; font-size: 12.5px; }
.agglomap-popup table { border-collapse: collapse; }
.agglomap-popup th { text-align: left; font-weight: 400; color: #444; padding: 1px 8px 1px 0; }
.agglomap-popup td { text-align: right; font-weight: 600; white-space: nowrap; }
.agglomap-popup td.wrap { white-space: normal; text-align: left; }
.agglomap-popup ul { margin: 2px 0; padding-left: 16px; }
.agglomap-popup .muted { color: #666; }
.agglomap-km { background: rgba(255,255,255,.85); border: none; box-shadow: none;
  padding: 0 3px; font-size: 11px; color: #333; }
.agglomap-km::before { display: none; }
.agglomap-town-label { position: absolute; left: 0; top: 0; white-space: nowrap;
  pointer-events: none; color: #111; font: 500 11px/1.1 system-ui, -apple-system, "Segoe UI",
  Roboto, Arial, sans-serif; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
"""


class _PlaceTownLabels(MacroElement):
    """Put each town's name beside its circle where it covers no other name, circle or
    large-city label (largest towns first; eight positions), again after every zoom."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map, group) {
    var near = [[1, 0], [-1, 0], [0, -1], [0, 1], [1, -1], [-1, -1], [1, 1], [-1, 1]];
    var spots = near.concat(near.map(function (o) { return [o[0] * 2.2, o[1] * 2.2]; }));
    function put(el, o) {
        var r = +el.dataset.r + 2, d = (o[0] && o[1]) ? 0.75 : 1;
        el.style.left = (o[0] * r * d) + 'px';
        el.style.top = (o[1] * r * d) + 'px';
        el.style.transform = 'translate(' + (o[0] > 0 ? '0' : o[0] < 0 ? '-100%' : '-50%') +
            ',' + (o[1] > 0 ? '0' : o[1] < 0 ? '-100%' : '-50%') + ')';
        return el.getBoundingClientRect();
    }
    function hits(b, q) {
        return b.left < q.right && q.left < b.right && b.top < q.bottom && q.top < b.bottom;
    }
    function place() {
        if (!map.hasLayer(group)) { return; }
        var taken = [];
        var hard = [];  // large-city markers: never covered, even by a crowded name
        document.querySelectorAll('path.{{ this.town_class }}, .leaflet-tooltip.agglomap-km')
            .forEach(function (el) { taken.push(el.getBoundingClientRect()); });
        document.querySelectorAll('path.agglomap-large-city')
            .forEach(function (el) { hard.push(el.getBoundingClientRect()); });
        document.querySelectorAll('.agglomap-town-label').forEach(function (el) {
            var best = 0, fewest = Infinity;
            for (var j = 0; j < spots.length; j++) {
                var b = put(el, spots[j]);
                var n = taken.filter(function (q) { return hits(b, q); }).length +
                    100 * hard.filter(function (q) { return hits(b, q); }).length;
                if (n === 0) { taken.push(b); return; }
                if (n < fewest) { best = j; fewest = n; }
            }
            taken.push(put(el, spots[best]));  // no free spot: the least crowded one
        });
        // how many placements ran: lets a reader (or a test) wait until names are placed
        var root = document.documentElement.dataset;
        root.agglomapLabelsPlaced = String(+(root.agglomapLabelsPlaced || 0) + 1);
    }
    function later() { window.requestAnimationFrame(place); }
    map.on('zoomend moveend overlayadd resize', later);
    map.whenReady(later);
    window.addEventListener('load', later);
})({{ this._parent.get_name() }}, {{ this.group }});
{% endmacro %}
"""
    )

    def __init__(self, group: str, town_class: str) -> None:
        super().__init__()
        self._name = "PlaceTownLabels"
        self.group = group
        self.town_class = town_class


class Bind(MacroElement):
    """``layer.bindPopup(html)`` / ``bindTooltip(html)`` with the HTML passed as a JSON string
    (so it is data, never code). ``html_text`` must already be escaped."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.{{ this.method }}({{ this.html|tojson }}, {{ this.options|tojson }});
{% endmacro %}
"""
    )

    def __init__(self, html_text: str, method: str = "bindPopup", **options: object) -> None:
        super().__init__()
        if method not in ("bindPopup", "bindTooltip"):
            raise ValueError(f"unknown binding {method!r}")
        self._name = "Bind"
        self.html = html_text
        self.method = method
        self.options = options


class _Css(MacroElement):
    _template = Template(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
    )

    def __init__(self, css: str) -> None:
        super().__init__()
        self.css = css


# --------------------------------------------------------------------------- geometry helpers


def geodesic_rings(lon, lat, km: float, n: int = 72) -> np.ndarray:
    """Polygons of the points ``km`` from each (lon, lat) on the WGS84 ellipsoid (``n`` vertices,
    one vectorised ``Geod.fwd`` call)."""
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons = np.repeat(lon[:, None], n, axis=1)
    lats = np.repeat(lat[:, None], n, axis=1)
    azs = np.broadcast_to(az, lons.shape)
    x, y, _ = GEOD.fwd(lons.ravel(), lats.ravel(), azs.ravel(), np.full(lons.size, km * 1000.0))
    ring = np.stack([np.reshape(x, lons.shape), np.reshape(y, lons.shape)], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)  # close each ring
    return shapely.polygons(ring)


def geodesic_line(lon1: float, lat1: float, lon2: float, lat2: float, n: int = 16):
    """``[[lat, lon], …]`` along the geodesic between two points (for Leaflet)."""
    inner = GEOD.npts(lon1, lat1, lon2, lat2, n)
    pts = [(lon1, lat1), *inner, (lon2, lat2)]
    return [[round(la, DIGITS), round(lo, DIGITS)] for lo, la in pts]


def marker_radius(population) -> np.ndarray:
    """Circle radius in pixels, ∝ √population (``REF_RADIUS_PX`` at 100 000), at least 3."""
    pop = np.asarray(population, dtype=float)
    return np.maximum(3.0, REF_RADIUS_PX * np.sqrt(pop / REF_POPULATION))


def slug(value: object) -> str:
    """A CSS-class-safe form of a town id."""
    return re.sub(r"[^a-z0-9_-]+", "-", str(value).lower()).strip("-") or "town"


def format_km(value: object, lang: str = "en") -> str:
    """``27.44`` → ``"27.4 km"`` (``"27,4 км"`` in ru/kk); missing → ``"—"``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(number):
        return "—"
    return f"{web.format_number(number, lang, 1)}\u00a0{web.unit_label('km', lang)}"


# --------------------------------------------------------------------------- inputs


def check_scores(scores: pd.DataFrame, path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Scores as points in EPSG:4326; missing columns are an InputError with suggestions."""
    missing = [c for c in REQUIRED if c not in scores.columns]
    if missing:
        hints = []
        for col in missing:
            close = suggest(col, [str(c) for c in scores.columns])
            hints.append(f"{col!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise InputError(
            f"scores lack column(s) {', '.join(hints)}; expected the output of score_towns",
            path=path,
            column=missing[0],
        )
    if isinstance(scores, gpd.GeoDataFrame) and scores.geometry.name in scores.columns:
        frame = scores.to_crs(4326) if scores.crs is not None else scores.set_crs(4326)
    elif {"lat", "lon"} <= set(scores.columns):
        frame = gpd.GeoDataFrame(
            scores, geometry=gpd.points_from_xy(scores["lon"], scores["lat"]), crs=4326
        )
    else:
        raise InputError("scores need point geometry or 'lat' and 'lon' columns", path=path)
    return frame.reset_index(drop=True)


def _city_lookup(lang: str) -> tuple[dict[str, str], dict[str, tuple[float, float]]]:
    """City id *and* English name → (name in ``lang``), (lon, lat), from the gazetteer."""
    from ..gazetteer import load_cities

    cities = load_cities()
    names, where = {}, {}
    for row in cities.itertuples(index=False):
        shown = web.label(row._asdict(), lang)
        for key in (row.city_id, row.name_en):
            names[str(key)] = shown
            where[str(key)] = (float(row.lon), float(row.lat))
    return names, where


def _region_names(lang: str) -> dict[str, str]:
    from ..regions import load_regions

    regions = load_regions()
    return {r["region_id"]: web.label(r, lang) for r in regions.to_dict("records")}


# --------------------------------------------------------------------------- popups


def _number(value: object, lang: str, decimals: int = 1) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return web.esc(value)
    return web.format_number(number, lang, decimals) if math.isfinite(number) else "—"


def _corridor_list(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(str(v) for v in value)
    return str(value)


def corridor_names(corridors: pd.DataFrame | None, lang: str) -> dict[str, tuple[str, str]]:
    """Corridor id → (its name in ``lang``, its mode), from a corridor layer.

    The name is ``name_ru``/``name_kk`` for Russian/Kazakh where the layer has it, else
    ``name``; rows without an id or a road/rail mode are left out.
    """
    lang = web.check_lang(lang)
    if corridors is None or "corridor_id" not in corridors.columns:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for row in corridors.to_dict("records"):
        cid, mode = row.get("corridor_id"), row.get("mode")
        if not isinstance(cid, str) or not cid or mode not in CORRIDOR_STYLE:
            continue
        name = _corridor_name(row, lang)
        if name:
            out[cid] = (name, str(mode))
    return out


def _corridor_name(row: Mapping[str, object], lang: str) -> str:
    """A corridor's ``name_ru``/``name_kk`` in Russian/Kazakh where it has one, else ``name``
    (stripped; ``""`` when it has neither)."""
    name = row.get(f"name_{lang}") if lang != "en" else None
    if not isinstance(name, str) or not name.strip():
        name = row.get("name")
    return name.strip() if isinstance(name, str) else ""


def corridor_label_ids(corridors: pd.DataFrame | None) -> dict[str, str]:
    """``score_towns``' label of each corridor (``"name mode"``, as in ``nearest_corridor``)
    → its corridor id."""
    if corridors is None or not {"corridor_id", "name", "mode"} <= set(corridors.columns):
        return {}
    return {
        f"{row['name']} {row['mode']}": row["corridor_id"]
        for row in corridors.to_dict("records")
        if isinstance(row["corridor_id"], str) and row["corridor_id"]
    }


@lru_cache(maxsize=3)
def _shipped_corridor_names(lang: str) -> dict[str, tuple[str, str]]:
    from ..corridors import load_corridors

    return corridor_names(load_corridors(), lang)


@lru_cache(maxsize=1)
def _shipped_corridor_label_ids() -> dict[str, str]:
    from ..corridors import load_corridors

    return corridor_label_ids(load_corridors())


def corridor_items(
    row: pd.Series, lang: str, corridors: Mapping[str, tuple[str, str]] | None = None
) -> list[str]:
    """The corridors within reach of a town as the popup lists them (plain text).

    In Russian and Kazakh each is "name (mode) km" in that language, from the
    ``corridors_within_ids`` column and ``corridors`` (id → (name, mode); default the
    shipped corridors). English, scores without that column, or an id the lookup does
    not know show the ``corridors_within`` text as ``score_towns`` wrote it.
    """
    within = _corridor_list(row.get("corridors_within"))
    written = [c.strip() for c in within.split(";") if c.strip()]
    ids = row.get("corridors_within_ids")
    if lang == "en" or not isinstance(ids, str) or not ids.strip():
        return written
    known = _shipped_corridor_names(lang) if corridors is None else corridors
    items = []
    for part in (p.strip() for p in ids.split(";")):
        if not part:
            continue
        cid, sep, km = part.rpartition("=")
        try:
            number = float(km)
        except ValueError:
            return written
        if not sep or cid not in known or not math.isfinite(number):
            return written
        name, mode = known[cid]
        items.append(f"{name} ({t(mode, lang)}) {format_km(number, lang)}")
    return items


def nearest_corridor_text(
    row: pd.Series,
    lang: str,
    corridors: Mapping[str, tuple[str, str]] | None = None,
    label_ids: Mapping[str, str] | None = None,
) -> str:
    """The nearest corridor of a town and its distance, as the popup shows it (plain text;
    ``""`` when the scores name none).

    In Russian and Kazakh it is "name (mode) — km" in that language: ``nearest_corridor``
    (``score_towns``' English "name mode") is matched to a corridor id through ``label_ids``
    (see :func:`corridor_label_ids`) and named from ``corridors`` (id → (name, mode)); both
    default to the shipped corridors. English, or a corridor neither knows, shows
    ``nearest_corridor`` as written.
    """
    written = row.get("nearest_corridor")
    if not isinstance(written, str) or not written:
        return ""
    km = format_km(row.get("nearest_corridor_km"), lang)
    if lang != "en":
        ids = _shipped_corridor_label_ids() if label_ids is None else label_ids
        known = _shipped_corridor_names(lang) if corridors is None else corridors
        cid = ids.get(written)
        if cid in known:
            name, mode = known[cid]
            return f"{name} ({t(mode, lang)}) — {km}"
    return f"{written} — {km}"


def popup_html(
    row: pd.Series,
    name: str,
    lang: str,
    cities: dict[str, str],
    regions: dict[str, str],
    assessed: pd.Series | None,
    corridors: Mapping[str, tuple[str, str]] | None = None,
    label_ids: Mapping[str, str] | None = None,
) -> str:
    """The escaped popup of one town: indicators, evidence, assessment.

    ``corridors`` (id → (name in ``lang``, mode)) names the corridors within reach and the
    nearest one, found by its label in ``label_ids``; see :func:`corridor_items` and
    :func:`nearest_corridor_text`.
    """
    e = web.esc
    region = regions.get(str(row.get("oblast", "")), row.get("oblast", ""))
    out = [
        f'<div class="agglomap-popup" data-town-id="{e(row["id"])}">',
        f"<h3>{e(name)}</h3>",
        f'<div class="muted">{e(region)}</div>' if region else "",
        "<table>",
    ]
    for col in ("tdaa1", "tdaa2", "tdaa3"):
        if col in row.index:
            out.append(f"<tr><th>{e(t(col, lang))}</th><td>{_number(row[col], lang, 0)}</td></tr>")
    shown_level = level_word(row.get("tdaa_level"), lang)
    out.append(
        f'<tr><th>{e(t("tdaa_formula", lang))}</th><td class="tdaa">{_number(row["tdaa"], lang, 1)}'
        f" ({e(shown_level)})</td></tr>"
    )
    if "gravity" in row.index:
        out.append(
            f"<tr><th>{e(t('gravity', lang))}</th><td>{_number(row['gravity'], lang, 2)}</td></tr>"
        )
    out.append(f"</table><h4>{e(t('evidence', lang))}</h4><ul>")
    for key in ("core_city", "large_city"):
        what = t(key, lang)
        if key in row.index and isinstance(row[key], str) and row[key]:
            city = cities.get(row[key], row[key])
            geo = format_km(row.get(f"{key}_km_geodesic"), lang)
            net = format_km(row.get(f"{key}_km_network"), lang)
            out.append(
                f'<li class="{key.replace("_", "-")}">{e(what)}: <b>{e(city)}</b> — '
                f"{e(geo)} {e(t('geodesic', lang))}, {e(net)} {e(t('network', lang))}</li>"
            )
    within = corridor_items(row, lang, corridors)
    if within:
        items = "".join(f"<li>{e(c)}</li>" for c in within)
        out.append(f'<li>{e(t("within", lang))}:<ul class="corridors">{items}</ul></li>')
    nearest = nearest_corridor_text(row, lang, corridors, label_ids)
    if nearest:
        out.append(f"<li>{e(t('nearest_corridor', lang))}: {e(nearest)}</li>")
    out.append("</ul>")
    if assessed is not None:
        out.append(_assessment_html(assessed, lang))
    out.append("</div>")
    return "".join(out)


def _assessment_html(a: pd.Series, lang: str) -> str:
    e = web.esc
    rows = [
        f"<h4>{e(t('assessment', lang))}</h4><table>",
        f"<tr><th>{e(t('recommended_scenario', lang))}</th>"
        f'<td class="scenario wrap">{e(scenario_text(a.get("top_scenario"), lang))}</td></tr>',
        f"<tr><th>{e(t('ranking', lang))}</th>"
        f'<td class="wrap">{e(scenario_text(a.get("scenario_ranking"), lang))}</td></tr>',
    ]
    paper = a.get("scenario_ranking_paper")
    if isinstance(paper, str) and paper:
        rows.append(
            f"<tr><th>{e(t('ranking_paper', lang))}</th>"
            f'<td class="wrap">{e(scenario_text(paper, lang))}</td></tr>'
        )
    for ind in _ASSESSED:
        if ind in a.index and f"{ind}_level" in a.index:
            shown = level_word(a[f"{ind}_level"], lang)
            rows.append(
                f"<tr><th>{e(ind.upper() if ind != 'tdzhia' else 'TDzhia')}</th>"
                f"<td>{_number(a[ind], lang, 1)} ({e(shown)})</td></tr>"
            )
    rows.append("</table>")
    return "".join(rows)


# --------------------------------------------------------------------------- legend


def _legend_html(
    lang: str,
    assessed: bool,
    corridors: Sequence[str],
    links: bool,
    rings_km: Sequence[float],
    shared: bool = False,
) -> str:
    e = web.esc

    def dot(color: str, r: float = 6, stroke: str = "#222") -> str:
        size = 2 * r + 2
        return (
            f'<svg width="{size:g}" height="{size:g}"><circle cx="{r + 1:g}" cy="{r + 1:g}" '
            f'r="{r:g}" fill="{color}" stroke="{stroke}" stroke-width="1"/></svg>'
        )

    def line(color: str, dash: str | None, width: float = 2.5) -> str:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<svg width="28" height="10"><line x1="1" y1="5" x2="27" y2="5" '
            f'stroke="{color}" stroke-width="{width}"{d}/></svg>'
        )

    parts = [f'<div class="title">{e(t("tdaa_potential", lang))}</div>']
    for lv in TDAA_LEVELS:
        parts.append(
            f'<div class="row">{dot(TDAA_COLORS[lv])}<span>{e(t(f"level.{lv}", lang))}</span></div>'
        )
    if assessed:
        parts.append(
            f'<div class="title" style="margin-top:6px">{e(t("recommended_scenario", lang))}</div>'
        )
        for name, color in SCENARIO_COLORS.items():
            parts.append(
                f'<div class="row">{dot(color)}<span>{e(t(f"scenario.{name}", lang))}</span></div>'
            )
        parts.append(
            f'<div class="row">{dot(NOT_ASSESSED, stroke="#888")}'
            f"<span>{e(t('not_assessed', lang))}</span></div>"
        )
    parts.append(
        f'<div class="title" style="margin-top:6px">{e(t("population", lang))}</div>'
        '<div class="row sizes">'
    )
    for ref in (25_000, 100_000, 250_000):
        r = float(marker_radius(ref))
        parts.append(
            f"{dot('#ffffff', r, '#444')}<span>{e(web.format_number(ref, lang, 0))}</span>"
        )
    parts.append("</div>")
    extra = []
    for mode in corridors:
        color, dash = CORRIDOR_STYLE[mode]
        svg = line(color, dash, CORRIDOR_WEIGHT[mode])
        extra.append(f'<div class="row">{svg}<span>{e(t(mode, lang))}</span></div>')
    if shared:  # a shared route: the wide road line with the rail dashes on it
        (road, _), (rail, dash) = CORRIDOR_STYLE["road"], CORRIDOR_STYLE["rail"]
        both = line(road, None, CORRIDOR_WEIGHT["road"]).replace(
            "</svg>",
            f'<line x1="1" y1="5" x2="27" y2="5" stroke="{rail}" '
            f'stroke-width="{CORRIDOR_WEIGHT["rail"]:g}" stroke-dasharray="{dash}"/></svg>',
        )
        extra.append(
            f'<div class="row shared">{both}<span>{e(t("road_and_rail", lang))}</span></div>'
        )
    if links:
        extra.append(
            f'<div class="row">{line(LINK_COLOR, "2 3", 1.5)}'
            f"<span>{e(t('links', lang))}</span></div>"
        )
    if rings_km:
        kms = ", ".join(f"{k:g}" for k in rings_km)
        extra.append(
            f'<div class="row" style="white-space:normal">{line(RING_COLOR, "4 3", 1.2)}'
            f"<span>{e(t('rings', lang))}: {e(kms)} {e(web.unit_label('km', lang))} "
            f"({e(t('geodesic', lang))})</span></div>"
        )
    if extra:
        parts.append('<div style="margin-top:6px"></div>' + "".join(extra))
    parts.append(f'<div class="note">{e(t("circle_note", lang))}</div>')
    summary = f'<summary class="title">{e(t("legend", lang))}</summary>'
    return f"<details open>{summary}{''.join(parts)}</details>"


# --------------------------------------------------------------------------- the map


def monocity_map(
    scores: pd.DataFrame,
    *,
    assessment: pd.DataFrame | None = None,
    corridors: gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    vintage: str = "2022",
    lang: str = "en",
    color_by: str = "tdaa_level",
    show_links: bool = True,
    rings_km: Sequence[float] = (50, 100),
    self_contained: bool = True,
    tiles: str | None = None,
    title: str | None = None,
    sources: Sequence[provenance.Source] | None = None,
) -> folium.Map:
    """The monocity map (see the module docstring). ``boundaries`` and ``corridors`` default
    to the oblasts of ``vintage`` and agglomap's corridors; pass empty frames to leave them out.
    ``assessment`` is the output of :func:`agglomap.monocity.assess` (joined on ``town_id``)."""
    lang = web.check_lang(lang)
    if color_by not in COLOR_BY:
        raise InputError(
            f"unknown color_by {color_by!r}; expected one of {', '.join(COLOR_BY)}",
            param="color_by",
        )
    towns = check_scores(scores)
    if len(towns) > MANY_TOWNS:
        warnings.warn(
            f"{len(towns):,} towns on one web map make a very large, slow page "
            f"(the map is meant for tens or hundreds of towns); for this many, draw a "
            f"static map (PNG or SVG), or map a selection",
            MapWarning,
            stacklevel=2,
        )
    if boundaries is None:
        from ..boundaries import load_boundaries

        boundaries = load_boundaries(vintage)
    if corridors is None:
        from ..corridors import load_corridors

        corridors = load_corridors()
    assessed = _assessment_by_town(assessment, towns)

    m = web.base_map(tiles=tiles, self_contained=self_contained, lang=lang)
    west, south, east, north = KZ_BBOX
    m.fit_bounds([[south, west], [north, east]], padding_bottom_right=(230, 0))  # legend room
    _Css(_POPUP_CSS).add_to(m)
    names = town_names(towns, lang)
    city_names, city_where = _city_lookup(lang)
    regions = _region_names(lang)
    known = {**_shipped_corridor_names(lang), **corridor_names(corridors, lang)}
    label_ids = {**_shipped_corridor_label_ids(), **corridor_label_ids(corridors)}

    if len(boundaries):
        group = folium.FeatureGroup(name=f"{t('oblast_boundaries', lang)} ({vintage})").add_to(m)
        web.boundary_layer(boundaries, tiles=tiles, weight=0.9).add_to(group)

    modes = _add_corridors(m, corridors, lang)
    shared = len(modes) == 2 and shared_sections(corridors.to_crs(EQUAL_AREA)) > 1.0

    if rings_km:
        group = folium.FeatureGroup(
            name=f"{t('rings', lang)} ({', '.join(f'{k:g}' for k in rings_km)} "
            f"{web.unit_label('km', lang)})"
        )
        for km in rings_km:
            polys = geodesic_rings(towns.geometry.x, towns.geometry.y, km)
            polys = shapely.transform(polys, lambda xy: np.round(xy, DIGITS))
            layer = gpd.GeoDataFrame(geometry=polys, crs=4326)
            folium.GeoJson(
                layer.__geo_interface__,
                style_function=lambda _f: {
                    "color": RING_COLOR,
                    "weight": 1,
                    "dashArray": "4 3",
                    "fill": False,
                    "opacity": 0.55,
                },
                interactive=False,
            ).add_to(group)
        group.add_to(m)

    if show_links:
        _add_links(m, towns, names, city_names, city_where, lang)

    pop = town_population(towns)
    pop = np.where(np.isnan(pop), np.nanmedian(pop) if np.isfinite(pop).any() else 50_000, pop)
    radius = marker_radius(pop)
    order = np.argsort(-pop)  # small circles on top of big ones
    level_group = folium.FeatureGroup(name=t("towns_level", lang), show=color_by == "tdaa_level")
    scen_group = folium.FeatureGroup(name=t("towns_scenario", lang), show=color_by == "scenario")
    for i in order:
        row = towns.iloc[i]
        a = assessed.get(str(row["id"]))
        html_popup = popup_html(row, names.iloc[i], lang, city_names, regions, a, known, label_ids)
        color = tdaa_color(row["tdaa_level"])
        _town_marker(
            row,
            radius[i],
            color,
            f"{TOWN_CLASS} {TOWN_CLASS}-{slug(row['id'])}",
            names.iloc[i],
            html_popup,
        ).add_to(level_group)
        # a tie ("innovative = diversification") takes the first one's colour
        scen = re.split(r"\s*[=,]\s*", str(a.get("top_scenario")))[0] if a is not None else ""
        scolor = SCENARIO_COLORS.get(scen, NOT_ASSESSED)
        _town_marker(
            row,
            radius[i],
            scolor,
            f"{SCENARIO_CLASS} {SCENARIO_CLASS}-{slug(row['id'])}",
            names.iloc[i],
            html_popup,
            stroke="#222" if a is not None else "#888",
        ).add_to(scen_group)
    level_group.add_to(m)
    scen_group.add_to(m)
    label_group = folium.FeatureGroup(name=t("town_names", lang), show=True)
    for i in order:
        row = towns.iloc[i]
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            icon=folium.DivIcon(
                html=f'<div class="agglomap-town-label" data-r="{radius[i]:.1f}">'
                f"{web.esc(names.iloc[i])}</div>",
                icon_size=(0, 0),
                class_name="agglomap-town-label-icon",
            ),
            interactive=False,
        ).add_to(label_group)
    label_group.add_to(m)
    _PlaceTownLabels(label_group.get_name(), TOWN_CLASS).add_to(m)

    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    web.HtmlControl(
        _legend_html(lang, bool(assessed), modes, show_links, tuple(rings_km), shared),
        position="bottomright",
        css_class="agglomap-legend",
    ).add_to(m)
    web.add_title(
        m,
        title or t("monocity_title", lang),
        t("monocity_subtitle_one" if len(towns) == 1 else "monocity_subtitle", lang).format(
            n=len(towns), vintage=vintage
        ),
    )
    m.agglomap_sources = list(sources or map_sources(assessment is not None, tiles))
    web.add_attribution(m, m.agglomap_sources, lang=lang)
    return m


def map_sources(assessed: bool, tiles: str | None) -> list[provenance.Source]:
    """What the monocity map is made from (OSM only when its tiles are shown)."""
    sources = [provenance.GEOKZ, provenance.AGGLOMAP, provenance.GEONAMES]
    if assessed:
        sources.append(provenance.MONOCITY_PAPER)
    if tiles == "osm":
        sources.append(provenance.OSM)
    return sources


def _assessment_by_town(assessment: pd.DataFrame | None, towns: pd.DataFrame) -> dict:
    if assessment is None or len(assessment) == 0:
        return {}
    if "town_id" not in assessment.columns:
        raise InputError(
            "assessment lacks column 'town_id' (the output of monocity.assess)", column="town_id"
        )
    known = set(towns["id"].astype(str))
    ids = assessment["town_id"].astype(str)
    shown = ids
    if "town" in assessment.columns:  # "Karazhal (karazhal)"
        named = assessment["town"].astype(str)
        shown = named.where(named == ids, named + " (" + ids + ")")
    missing = list(dict.fromkeys(shown[~ids.isin(known)]))
    if missing:
        warnings.warn(
            f"{len(missing)} assessed town(s) not on the map (no score row), "
            f"assessment not drawn: {', '.join(missing)}",
            MapWarning,
            stacklevel=3,
        )
    return {str(r["town_id"]): r for _, r in assessment.iterrows() if str(r["town_id"]) in known}


def _town_marker(
    row, radius: float, color: str, css: str, name: str, popup: str, stroke: str = "#222"
) -> folium.CircleMarker:
    marker = folium.CircleMarker(
        location=[row.geometry.y, row.geometry.x],
        radius=float(radius),
        color=stroke,
        weight=1.2,
        fill=True,
        fill_color=color,
        fill_opacity=0.95,
        class_name=css,
    )
    Bind(
        popup,
        "bindPopup",
        maxWidth=400,
        minWidth=300,
        maxHeight=520,
        autoPanPaddingTopLeft=[60, 90],
        autoPanPaddingBottomRight=[60, 20],
    ).add_to(marker)
    Bind(web.esc(name), "bindTooltip", direction="top").add_to(marker)
    return marker


def _add_corridors(m: folium.Map, corridors: gpd.GeoDataFrame, lang: str) -> list[str]:
    modes = []
    if corridors is None or not len(corridors):
        return modes
    for mode, (color, dash) in CORRIDOR_STYLE.items():
        part = corridors[corridors["mode"] == mode]
        if not len(part):
            continue
        modes.append(mode)
        group = folium.FeatureGroup(name=f"{t(mode, lang).capitalize()}").add_to(m)
        for row in part.itertuples(index=False):
            lines = shapely.get_parts(row.geometry)
            coords = [np.round(np.asarray(ln.coords)[:, 1::-1], DIGITS).tolist() for ln in lines]
            pl = folium.PolyLine(
                coords,
                color=color,
                weight=CORRIDOR_WEIGHT[mode],
                opacity=0.85,
                dash_array=dash,
                class_name=f"agglomap-corridor agglomap-corridor-{mode}",
            )
            label = str(getattr(row, "name", "") or getattr(row, "corridor_id", ""))
            length = getattr(row, "length_km", None)
            if lang != "en":  # "name (mode, km)" in Russian/Kazakh
                label = _corridor_name(row._asdict(), lang) or label
                extra = [t(mode, lang)] + ([format_km(length, lang)] if length is not None else [])
                label = f"{label} ({', '.join(extra)})"
            elif length is not None:
                label = f"{label} ({format_km(length, lang)})"
            Bind(web.esc(label), "bindTooltip", sticky=True).add_to(pl)
            pl.add_to(group)
    return modes


def _add_links(m, towns, names, city_names, city_where, lang) -> None:
    if "large_city" not in towns.columns:
        return
    links = folium.FeatureGroup(name=t("links", lang))
    cities = folium.FeatureGroup(name=t("large_cities", lang))
    seen: set[str] = set()
    town_ids = set(towns["id"].astype(str))
    if "name" in towns.columns:
        town_ids |= set(towns["name"].dropna().astype(str))  # large_city holds English names
    for i, row in towns.iterrows():
        key = row["large_city"]
        if not isinstance(key, str) or key not in city_where:
            continue
        lon, lat = city_where[key]
        km = row.get("large_city_km_geodesic")
        path = geodesic_line(row.geometry.x, row.geometry.y, lon, lat)
        pl = folium.PolyLine(
            path,
            color=LINK_COLOR,
            weight=1.5,
            dash_array="2 3",
            opacity=0.9,
            class_name="agglomap-link",
        )
        text = f"{names.iloc[i]} → {city_names.get(key, key)}: {format_km(km, lang)}"
        Bind(web.esc(text), "bindTooltip", sticky=True).add_to(pl)
        pl.add_to(links)
        if key not in seen:
            seen.add(key)
            cm = folium.CircleMarker(
                [lat, lon],
                radius=4,
                color="#000",
                weight=1,
                fill=True,
                fill_color="#000",
                fill_opacity=1,
                class_name="agglomap-large-city",
            )
            # a large city that is itself a mapped town is named by the "Town names" layer
            labelled = key not in town_ids
            Bind(
                web.esc(city_names.get(key, key)),
                "bindTooltip",
                permanent=labelled,
                direction="right",
                className="agglomap-km" if labelled else "",
            ).add_to(cm)
            cm.add_to(cities)
    links.add_to(m)
    cities.add_to(m)
