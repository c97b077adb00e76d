"""The monocity web map: agglomeration potential (TDaa) of single-industry towns and its evidence.

Each town is a circle (area ∝ population) coloured by its TDaa level; a second layer colours
the towns by the development scenario the monocity assessment recommends. A click opens the
indicator breakdown and the evidence behind it: the nearest core and large city (km,
geodesic and along the corridor network), the corridors within reach, and the assessment.
Corridors are drawn by mode, lines join each town to its nearest large city, and distance
rings around each town are geodesic circles on the WGS84 ellipsoid (72 vertices from
``pyproj.Geod.fwd``) rather than Leaflet's ``L.Circle``, which approximates a circle on a
sphere by an ellipse in Web Mercator.

The towns travel to the page as one compact data object (:mod:`agglomap.maps.town_layer`):
circles, links and popups are built in the browser from it (popups when clicked, names
written with ``textContent``, so no name can break out into the page), and the names are
placed without overlaps by :mod:`agglomap.maps.labels`.
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
from .labels import PlacedLabels
from .static import marker_shrink, shared_sections, town_names, town_population
from .style import NO_DATA, SCENARIO_COLORS, TDAA_COLORS, TDAA_LEVELS, tdaa_level_key
from .town_layer import CANVAS_FROM, TownLayer


class MapWarning(UserWarning):
    """A map was drawn, but will not serve its reader well (too many towns, …)."""


COLOR_BY = ("tdaa_level", "scenario")
REQUIRED = ("id", "tdaa", "tdaa_level")
TOWN_CLASS = "agglomap-town"
SCENARIO_CLASS = "agglomap-town-scenario"
NOT_ASSESSED = "#ffffff"
RING_COLOR = "#6a51a3"
LINK_COLOR = "#3f3f3f"
CORRIDOR_STYLE = {"road": ("#8a8a8a", None), "rail": ("#1f4e9c", "6 5")}
# roads wide, rails narrow on top: where both share a route, both styles show
CORRIDOR_WEIGHT = {"road": 4.0, "rail": 2.0}
REF_POPULATION = 100_000
REF_RADIUS_PX = 9.0
DIGITS = 5  # coordinates written to the page: 1e-5° ≈ 1 m
LINK_DIGITS = 4  # link lines: 1e-4° ≈ 11 m
CITY_RADIUS_PX = 4.0
# above this the page gets heavy (9 899 towns: about 6 MB, placed in about a second; see
# benchmarks/RESULTS.md): suggest a PNG
MANY_TOWNS = 20_000
MAX_RING_TOWNS = 300  # distance rings for more towns than this are a blur and megabytes

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


def geodesic_line(
    lon1: float, lat1: float, lon2: float, lat2: float, n: int = 16, digits: int = DIGITS
):
    """``[[lat, lon], …]`` along the geodesic between two points (for Leaflet), with ``n``
    points between them, rounded to ``digits`` decimals."""
    inner = GEOD.npts(lon1, lat1, lon2, lat2, n)
    pts = [(lon1, lat1), *inner, (lon2, lat2)]
    return [[round(la, digits), round(lo, digits)] for lo, la in pts]


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
    """City id → (name in ``lang``), (lon, lat), from the gazetteer."""
    from ..gazetteer import load_cities

    names, where = {}, {}
    for row in load_cities().to_dict("records"):
        names[str(row["city_id"])] = web.label(row, lang)
        where[str(row["city_id"])] = (float(row["lon"]), float(row["lat"]))
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


@lru_cache(maxsize=3)
def _shipped_corridor_names(lang: str) -> dict[str, tuple[str, str]]:
    from ..corridors import load_corridors

    return corridor_names(load_corridors(), lang)


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
    row: Mapping[str, object],
    lang: str,
    corridors: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """The nearest corridor of a town and its distance, as the popup shows it (plain text;
    ``""`` when the scores name none).

    In Russian and Kazakh it is "name (mode) — km" in that language, the corridor found by
    the scores' ``nearest_corridor_id`` in ``corridors`` (id → (name, mode); default the
    shipped corridors). English, scores without the id, or an id the lookup does not know
    show ``nearest_corridor`` as ``score_towns`` wrote it.
    """
    written = row.get("nearest_corridor")
    if not isinstance(written, str) or not written:
        return ""
    km = format_km(row.get("nearest_corridor_km"), lang)
    cid = row.get("nearest_corridor_id")
    if lang != "en" and isinstance(cid, str):
        known = _shipped_corridor_names(lang) if corridors is None else corridors
        if cid in known:
            name, mode = known[cid]
            return f"{name} ({t(mode, lang)}) — {km}"
    return f"{written} — {km}"


POPUP_WORDS = (
    "tdaa1",
    "tdaa2",
    "tdaa3",
    "tdaa_formula",
    "gravity",
    "evidence",
    "core_city",
    "large_city",
    "geodesic",
    "network",
    "within",
    "nearest_corridor",
    "assessment",
)


def popup_words(lang: str) -> dict[str, str]:
    """The words every town's popup uses, in ``lang`` (sent to the page once)."""
    return {key: t(key, lang) for key in POPUP_WORDS}


def popup_record(
    row: Mapping[str, object],
    lang: str,
    cities: Mapping[str, str],
    regions: Mapping[str, str],
    assessed: pd.Series | None,
    corridors: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, object]:
    """What one town's popup shows, as plain text (the page builds the popup from it when
    the town is clicked, writing every text with ``textContent``).

    ``scores`` are the values of the score table's rows (see :func:`score_keys`; the TDaa
    value carries its level word); ``core_city`` and ``large_city`` are ``[city, km
    geodesic, km by network]`` (``large_city`` is ``1`` when it repeats ``core_city``);
    ``within`` the corridors within reach and ``nearest`` the nearest corridor (see
    :func:`corridor_items` and :func:`nearest_corridor_text`); ``assessment`` rows
    ``[label, value, CSS class]``. Keys without a value are left out.
    """
    get = row.get
    region = get("oblast")
    region = regions.get(str(region), region) if isinstance(region, str) else ""
    level = level_word(get("tdaa_level"), lang)
    scores = [_number(get(col), lang, 0) for col in ("tdaa1", "tdaa2", "tdaa3") if col in row]
    scores.append(f"{_number(get('tdaa'), lang, 1)} ({level})")
    if "gravity" in row:
        scores.append(_number(get("gravity"), lang, 2))
    record: dict[str, object] = {"region": region or "", "scores": scores}
    for key in ("core_city", "large_city"):
        city = get(key)  # the name score_towns wrote; its id names it in ``lang``
        if isinstance(city, str) and city:
            geo = format_km(get(f"{key}_km_geodesic"), lang)
            net = format_km(get(f"{key}_km_network"), lang)
            record[key] = [cities.get(str(get(f"{key}_id")), city), geo, net]
    if record.get("large_city") is not None and record.get("large_city") == record.get("core_city"):
        record["large_city"] = 1  # the same city at the same distance: said once on the page
    within = corridor_items(row, lang, corridors)
    if within:
        record["within"] = within
    nearest = nearest_corridor_text(row, lang, corridors)
    if nearest:
        record["nearest"] = nearest
    if assessed is not None:
        record["assessment"] = _assessment_rows(assessed, lang)
    return record


def score_keys(columns: Sequence[str]) -> list[str]:
    """The rows of the popup's score table (keys of :func:`popup_words`), in the order of
    :func:`popup_record`'s ``scores``."""
    keys = [col for col in ("tdaa1", "tdaa2", "tdaa3") if col in columns]
    keys.append("tdaa_formula")
    if "gravity" in columns:
        keys.append("gravity")
    return keys


def _assessment_rows(a: pd.Series, lang: str) -> list[list[str]]:
    rows = [
        [
            t("recommended_scenario", lang),
            scenario_text(a.get("top_scenario"), lang),
            "scenario wrap",
        ],
        [t("ranking", lang), scenario_text(a.get("scenario_ranking"), lang), "wrap"],
    ]
    paper = a.get("scenario_ranking_paper")
    if isinstance(paper, str) and paper:
        rows.append([t("ranking_paper", lang), scenario_text(paper, lang), "wrap"])
    for ind in _ASSESSED:
        if ind in a.index and f"{ind}_level" in a.index:
            shown = level_word(a[f"{ind}_level"], lang)
            name = ind.upper() if ind != "tdzhia" else "TDzhia"
            rows.append([name, f"{_number(a[ind], lang, 1)} ({shown})", ""])
    return rows


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
    return web.fold(e(t("legend", lang)), "".join(parts))


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
            f"{len(towns):,} towns on one web map make a large page (the map is made for up "
            f"to {MANY_TOWNS:,}); for this many, draw a static map (PNG or SVG), or map a "
            f"selection",
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
    _Css(_POPUP_CSS).add_to(m)
    if len(boundaries):
        group = folium.FeatureGroup(name=f"{t('oblast_boundaries', lang)} ({vintage})").add_to(m)
        web.boundary_layer(boundaries, tiles=tiles, weight=0.9).add_to(group)
    modes = _add_corridors(m, corridors, lang)
    shared = len(modes) == 2 and shared_sections(corridors.to_crs(EQUAL_AREA)) > 1.0
    rings_km = _add_rings(m, towns, tuple(rings_km), lang)
    _add_towns(m, towns, assessed, corridors, lang, color_by, show_links)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    web.HtmlControl(
        _legend_html(lang, bool(assessed), modes, show_links, rings_km, shared),
        position="bottomright",
        css_class="agglomap-legend",
    ).add_to(m)
    web.add_title(
        m,
        title or t("monocity_title", lang),
        t("monocity_subtitle_one" if len(towns) == 1 else "monocity_subtitle", lang).format(
            n=web.format_number(len(towns), lang, 0), vintage=vintage
        ),
    )
    m.agglomap_sources = list(sources or map_sources(assessment is not None, tiles))
    web.add_attribution(m, m.agglomap_sources, lang=lang)
    web.fit_clear(m, KZ_BBOX)  # clear of the title and the legend
    return m


def _add_rings(
    m: folium.Map, towns: gpd.GeoDataFrame, rings_km: tuple[float, ...], lang: str
) -> tuple[float, ...]:
    """Geodesic distance rings around every town (up to :data:`MAX_RING_TOWNS` towns); returns
    the radii drawn."""
    if not rings_km:
        return ()
    if len(towns) > MAX_RING_TOWNS:
        warnings.warn(
            f"distance rings are drawn for up to {MAX_RING_TOWNS} towns, not for {len(towns):,}",
            MapWarning,
            stacklevel=3,
        )
        return ()
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
    return rings_km


def _add_towns(
    m: folium.Map,
    towns: gpd.GeoDataFrame,
    assessed: dict,
    corridors: gpd.GeoDataFrame | None,
    lang: str,
    color_by: str,
    show_links: bool,
) -> None:
    """The towns' layers (links, large cities, circles by level and by scenario, names) from
    one :class:`TownLayer`, and their names placed by :class:`PlacedLabels`."""
    data = town_data(towns, assessed, corridors, lang, links=show_links)
    groups: dict[str, str | None] = {"links": None, "cities": None}
    if show_links and data["cities"]["lat"]:
        # thousands of links are a tangle at the country's scale: then off until asked for
        links = folium.FeatureGroup(name=t("links", lang), show=len(towns) < CANVAS_FROM)
        links.add_to(m)
        cities = folium.FeatureGroup(name=t("large_cities", lang)).add_to(m)
        groups.update(links=links.get_name(), cities=cities.get_name())
    level = folium.FeatureGroup(name=t("towns_level", lang), show=color_by == "tdaa_level")
    scen = folium.FeatureGroup(name=t("towns_scenario", lang), show=color_by == "scenario")
    names = folium.FeatureGroup(name=t("town_names", lang), show=True)
    for group in (level, scen, names):
        group.add_to(m)
    groups.update(level=level.get_name(), scenario=scen.get_name())
    layer = TownLayer(data, groups)
    layer.add_to(m)
    PlacedLabels(source=layer.labels_js, group=names.get_name()).add_to(m)


def town_data(
    towns: gpd.GeoDataFrame,
    assessed: Mapping[str, pd.Series],
    corridors: gpd.GeoDataFrame | None,
    lang: str,
    *,
    links: bool = True,
) -> dict[str, object]:
    """Everything the page needs about the towns, as one JSON-ready dict for
    :class:`~agglomap.maps.town_layer.TownLayer` (columns, one entry per town)."""
    names = town_names(towns, lang)
    city_names, city_where = _city_lookup(lang)
    regions = _region_names(lang)
    known = {**_shipped_corridor_names(lang), **corridor_names(corridors, lang)}
    pop = town_population(towns)
    pop = np.where(np.isnan(pop), np.nanmedian(pop) if np.isfinite(pop).any() else 50_000, pop)
    radius = np.maximum(2.0, marker_radius(pop) * math.sqrt(marker_shrink(len(towns))))
    ids = towns["id"].astype(str).tolist()
    slugs = [slug(x) for x in ids]
    rows = towns.drop(columns=towns.geometry.name).to_dict("records")
    level = [
        TDAA_LEVELS.index(k) if k else len(TDAA_LEVELS)
        for k in map(tdaa_level_key, towns["tdaa_level"])
    ]
    scen_keys = list(SCENARIO_COLORS)
    scenario, popups = [], []
    for tid, row in zip(ids, rows, strict=True):
        a = assessed.get(tid)
        # a tie ("innovative = diversification") takes the first one's colour
        top = re.split(r"\s*[=,]\s*", str(a.get("top_scenario")))[0] if a is not None else ""
        scenario.append(scen_keys.index(top) if top in SCENARIO_COLORS else len(scen_keys))
        popups.append(popup_record(row, lang, city_names, regions, a, known))
    lon, lat = towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy()
    cities = (
        _large_cities(towns, lang)
        if links
        else pd.DataFrame(columns=["key", "name", "lon", "lat", "population", "labelled"])
    )
    link_paths = []
    if links:
        for i, row in enumerate(rows):
            key = row.get("large_city_id")
            if isinstance(key, str) and key in city_where:
                n = _link_points(row.get("large_city_km_geodesic"))
                path = geodesic_line(lon[i], lat[i], *city_where[key], n=n, digits=LINK_DIGITS)
                link_paths.append([v for pt in path for v in pt])
            else:
                link_paths.append(None)
    # a bare number (an OSM id standing in for a name) is no label
    unlabelled = [i for i, n in enumerate(names) if not n.strip() or n.strip().isdigit()]
    order = np.argsort(-pop, kind="stable")  # big circles first: small ones drawn on top
    # names by importance: towns and large cities together, most populous first
    keys = [(-float(p), 0, i) for i, p in enumerate(pop)]
    keys += [
        (-float(p), 1, -j - 1)
        for j, p in enumerate(cities["population"])
        if cities["labelled"].iloc[j]
    ]
    label_order = [k for _, _, k in sorted(keys)]
    return {
        "towns": {
            "lat": np.round(lat, DIGITS).tolist(),
            "lon": np.round(lon, DIGITS).tolist(),
            "r": np.round(radius, 1).tolist(),
            "id": ids,
            "slug": slugs if slugs != ids else None,
            "name": names.tolist(),
            "unlabelled": unlabelled,
            "level": level,
            "scenario": scenario,
            "assessed": [1 if tid in assessed else 0 for tid in ids],
            "popup": popups,
            "link": link_paths if links else None,
            "order": order.tolist(),
        },
        "cities": {
            "lat": np.round(cities["lat"].to_numpy(float), DIGITS).tolist(),
            "lon": np.round(cities["lon"].to_numpy(float), DIGITS).tolist(),
            "name": cities["name"].tolist(),
        },
        "words": popup_words(lang),
        "scoreKeys": score_keys(list(towns.columns)),
        "levelColors": [TDAA_COLORS[k] for k in TDAA_LEVELS] + [NO_DATA],
        "scenarioColors": list(SCENARIO_COLORS.values()) + [NOT_ASSESSED],
        "townClass": TOWN_CLASS,
        "scenarioClass": SCENARIO_CLASS,
        "linkColor": LINK_COLOR,
        "cityRadius": CITY_RADIUS_PX,
        "canvasFrom": CANVAS_FROM,
        "popupOptions": {
            "maxWidth": 400,
            "minWidth": 300,
            "maxHeight": 520,
            "autoPanPaddingTopLeft": [60, 40],
            "autoPanPaddingBottomRight": [60, 20],
        },
        "labelOrder": label_order,
    }


def _link_points(km: object) -> int:
    """Intermediate points of a link line: one per 50 km (1 to 16; a 50 km piece drawn
    straight in Web Mercator is within ~60 m of the geodesic)."""
    try:
        value = float(km)
    except (TypeError, ValueError):
        return 16
    return int(np.clip(math.ceil(value / 50.0), 1, 16)) if math.isfinite(value) else 16


def _large_cities(towns: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The large cities drawn as black dots: those the towns link to and every city of
    republican significance or oblast centre (Almaty and Shymkent even when no town links
    to them). ``labelled`` is False for a city that is itself a mapped town (its town label
    names it)."""
    from ..gazetteer import load_cities

    cities = load_cities()
    linked = set(_ids(towns, "large_city_id"))
    mapped = set(_ids(towns, "city_id"))  # the gazetteer cities among the mapped towns
    keep = cities["city_id"].astype(str).isin(linked) | cities["status"].isin(
        ("republican", "oblast_centre")
    )
    rows = []
    for row in cities[keep].to_dict("records"):
        rows.append(
            {
                "key": row["city_id"],
                "name": web.label(row, lang),
                "lon": float(row["lon"]),
                "lat": float(row["lat"]),
                "population": float(row["population"]) if pd.notna(row["population"]) else 0.0,
                "labelled": str(row["city_id"]) not in mapped,
            }
        )
    return pd.DataFrame(rows, columns=["key", "name", "lon", "lat", "population", "labelled"])


def _ids(frame: pd.DataFrame, column: str) -> list[str]:
    """The non-empty ids of a column (none when the frame lacks it)."""
    if column not in frame.columns:
        return []
    return [str(v) for v in frame[column] if isinstance(v, str) and v]


def map_sources(assessed: bool, tiles: str | None) -> list[provenance.Source]:
    """What the monocity map is made from (OSM only when its tiles are shown): boundaries,
    the gazetteer and corridors, the rail lines traced from Natural Earth, and the
    populations that size the circles."""
    sources = [
        provenance.GEOKZ,
        provenance.AGGLOMAP,
        provenance.GEONAMES,
        provenance.NATURAL_EARTH,
        provenance.POPULATIONS,
    ]
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
