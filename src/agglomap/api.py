"""The public Python API: one flat namespace for notebooks, in the style of geopandas/osmnx.

Everything here is re-exported by :mod:`agglomap` (``import agglomap as am``), which loads
this module, and the libraries each function needs, only when a name is first used::

    import agglomap as am

    b = am.boundaries("2022")
    t = am.default_indicators()
    j, report = am.join(t, am.boundaries("2018"))
    m = am.choropleth(j, column="innovative_share_grp_pct")  # a folium.Map

Web maps are :class:`folium.Map` objects (they display inline in Jupyter; save them with
``m.save(path)`` or :func:`save_map` for a self-contained page); static maps are
matplotlib :class:`~matplotlib.figure.Figure` objects (``fig.savefig(path)`` or
:func:`save_figure` with a sources sidecar). Settings (the upstream data folder, the cache,
the default language) are :mod:`agglomap.settings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import settings
from .errors import InputError, suggest

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import pandas as pd
    from matplotlib.figure import Figure

    from .indicators import IndicatorTable, JoinReport
    from .provenance import Source
    from .zones import Zones

__all__ = [
    "assess",
    "boundaries",
    "choropleth",
    "cities",
    "corridors",
    "default_indicators",
    "join",
    "monocity_map",
    "read_boundaries",
    "read_indicators",
    "read_towns",
    "save_figure",
    "save_map",
    "score_towns",
    "static_choropleth",
    "static_monocity_map",
    "zones",
]

#: ``role`` values of :func:`cities`: a gazetteer group, or a status.
CITY_ROLES = ("all", "monocity", "agglomeration", "smart", "republican", "oblast_centre")


def boundaries(vintage: str | int = "2022", level: str = "oblast") -> gpd.GeoDataFrame:
    """Oblasts or districts of Kazakhstan (geokz, CC BY 4.0) as a GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    vintage : {"2022", "2018"}
        The administrative layout: 20 oblast-level units since June 2022, 17 before.
    level : {"oblast", "district"}
        Oblast-level units (oblasts and cities of republican significance) or districts.

    Returns
    -------
    geopandas.GeoDataFrame
        Oblasts: ``region_id`` (ISO 3166-2, ``KZ-11``), ``kato``, ``name_kk/ru/en``,
        ``centre``, ``area_km2``, ``vintage``, geometry. Districts: ``district_id``,
        ``region_id`` and names.

    Notes
    -----
    The geokz files are read from ``settings.sources_dir`` (or ``$AGGLOMAP_SOURCES``),
    else downloaded once into the cache and verified by sha256.

    Examples
    --------
    >>> import agglomap as am
    >>> oblasts = am.boundaries("2022")
    >>> len(oblasts)
    20
    """
    from .boundaries import load_boundaries

    return load_boundaries(vintage, level)


def cities(role: str | None = None) -> gpd.GeoDataFrame:
    """The gazetteer's cities (points, EPSG:4326), all or those of one role.

    Parameters
    ----------
    role : str, optional
        ``"monocity"`` (the 27 single-industry towns), ``"agglomeration"``, ``"smart"``
        (smart-city programme), ``"republican"`` (cities of republican significance),
        ``"oblast_centre"``; None or ``"all"`` for every city.

    Returns
    -------
    geopandas.GeoDataFrame
        ``city_id``, ``name_kk/ru/en``, ``lat``, ``lon``, ``population`` (with year and
        source), ``region_2018``, ``region_2022``, ``status``, ``is_monocity`` … geometry.

    Examples
    --------
    >>> import agglomap as am
    >>> len(am.cities(role="monocity"))
    27
    """
    from .choices import ROLES
    from .gazetteer import load_cities, with_role

    if role is None or role == "all":
        return load_cities()
    if role in ROLES:
        return with_role(role)
    table = load_cities()
    if role in set(table["status"]):
        return table[table["status"] == role].reset_index(drop=True)
    close = suggest(str(role), CITY_ROLES)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InputError(
        f"unknown role {role!r}{hint} (role is one of {', '.join(CITY_ROLES)})", param="role"
    )


def corridors(extra: str | Path | None = None) -> gpd.GeoDataFrame:
    """Transport corridors (main roads and railways) as geodesically densified lines.

    Parameters
    ----------
    extra : path, optional
        A corridor YAML file of your own, added to agglomap's (see ``docs/corridors.md``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``corridor_id``, ``name``, ``mode`` (road/rail), ``class``, ``length_km``, names in
        Russian and Kazakh, LineString geometry in EPSG:4326.

    Examples
    --------
    >>> import agglomap as am
    >>> lines = am.corridors()
    >>> sorted(set(lines["mode"]))
    ['rail', 'road']
    """
    from .corridors import load_corridors

    return load_corridors(extra)


def read_indicators(
    path: str | Path,
    *,
    region_column: str | None = None,
    sheet: str | int | None = None,
    vintage: str | None = None,
) -> IndicatorTable:
    """Read a table of indicators by region (CSV in any encoding/delimiter, or XLSX).

    Parameters
    ----------
    path : path
        The table: one row per region (names in kk/ru/en, KATO or ISO codes), a column
        per indicator, numbers as statistics publish them (``1 927 439,20``).
    region_column : str, optional
        The column naming the regions; detected when not given.
    sheet : str or int, optional
        Worksheet of an XLSX workbook (name, or number from 0).
    vintage : {"2018", "2022"}, optional
        The layout the regions belong to; detected from the names when not given.

    Returns
    -------
    IndicatorTable
        ``.data`` (indexed by ``region_id``), ``.total`` (the national row, if any),
        ``.units``, ``.value_columns``.

    Examples
    --------
    >>> import agglomap as am
    >>> am.default_indicators().data.to_csv("table.csv")
    >>> table = am.read_indicators("table.csv")
    >>> len(table.data)
    17
    """
    from .indicators import read_indicators as _read

    return _read(path, region_column=region_column, sheet=sheet, vintage=vintage)


def default_indicators() -> IndicatorTable:
    """The shipped 2021 innovation indicators of the 17 regions (2018 layout).

    Returns
    -------
    IndicatorTable
        Innovation activity of enterprises and the share of innovative products in GRP, by
        region, as published by the Bureau of National Statistics.

    Examples
    --------
    >>> import agglomap as am
    >>> "innovative_share_grp_pct" in am.default_indicators().value_columns
    True
    """
    from .indicators import default_indicators as _default

    return _default()


def join(
    table: IndicatorTable, boundaries: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, JoinReport]:
    """Join an indicator table to boundaries by ``region_id``.

    Parameters
    ----------
    table : IndicatorTable
        From :func:`read_indicators` or :func:`default_indicators`.
    boundaries : geopandas.GeoDataFrame
        From :func:`boundaries` or :func:`read_boundaries`, of the table's layout.

    Returns
    -------
    (geopandas.GeoDataFrame, JoinReport)
        Every boundary with the table's columns (regions without a row keep NaN), and a
        report: regions matched, missing on either side, national totals checked.

    Examples
    --------
    >>> import agglomap as am
    >>> joined, report = am.join(am.default_indicators(), am.boundaries("2018"))
    >>> report.ok
    True
    """
    from .indicators import join as _join

    return _join(table, boundaries)


def read_towns(path: str | Path) -> gpd.GeoDataFrame:
    """Read towns to score: a point layer, or a CSV/XLSX table with latitude and longitude.

    Parameters
    ----------
    path : path
        GeoJSON/GPKG/Shapefile of points, or a table with ``lat``/``lon`` (or ``широта``,
        ``долгота``, ``ендік``, ``бойлық`` …) columns; a population column is kept.

    Returns
    -------
    geopandas.GeoDataFrame
        The towns as points in EPSG:4326, ready for :func:`score_towns`.

    Examples
    --------
    >>> import agglomap as am
    >>> _ = open("towns.csv", "w").write("name,lat,lon\\nTemirtau,50.05,72.96\\n")
    >>> am.read_towns("towns.csv").geometry.iloc[0].x
    72.96
    """
    from .readers import read_towns as _read

    return _read(path)


def read_boundaries(
    path: str | Path,
    *,
    name_field: str | None = None,
    code_field: str | None = None,
    vintage: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read your own oblast-level boundary file and match its features to regions.

    Parameters
    ----------
    path : path
        Any vector format GDAL reads (.gpkg, .geojson, .shp …), one feature per region.
    name_field, code_field : str, optional
        The column with region names (kk/ru/en) or codes (KATO, ISO); detected if neither.
    vintage : {"2018", "2022"}, optional
        The layout; detected from the regions present when not given.

    Returns
    -------
    geopandas.GeoDataFrame
        The same columns as :func:`boundaries` (oblast level), your geometry.

    Examples
    --------
    >>> import agglomap as am
    >>> am.boundaries("2018")[["name_ru", "geometry"]].to_file("mine.geojson")
    >>> len(am.read_boundaries("mine.geojson"))
    17
    """
    from .readers import read_boundaries as _read

    return _read(path, name_field=name_field, code_field=code_field, vintage=vintage)


def score_towns(
    towns: gpd.GeoDataFrame | str | Path | None = None,
    *,
    distance: str = "network",
    config: Any = None,
    cities: gpd.GeoDataFrame | None = None,
    corridors: gpd.GeoDataFrame | None = None,
    **options: Any,
) -> gpd.GeoDataFrame:
    """Agglomeration potential of towns: TDaa1–3, TDaa and its level, gravity, evidence.

    Parameters
    ----------
    towns : GeoDataFrame or path, optional
        Points to score (a path is read by :func:`read_towns`); default the 27 monocities.
    distance : {"network", "geodesic"}
        Along the corridor network, or geodesic on the WGS84 ellipsoid.
    config : ScoreConfig or path, optional
        Thresholds (``fua_max_km``, ``near_max_km``, ``corridor_max_km`` …); default the
        methodology's (``agglomeration.load_config()``).
    cities, corridors : GeoDataFrame, optional
        The cities towns are scored against and the corridors; default agglomap's.
    **options
        Passed on to :func:`agglomap.agglomeration.score_towns` (``network``, ``regions``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per town: ``tdaa1..3``, ``tdaa``, ``tdaa_level``, ``gravity``, the nearest
        core and large city (name, ``*_id``, km), the corridors within reach.

    Examples
    --------
    >>> import agglomap as am
    >>> s = am.score_towns(am.cities(role="monocity"))
    >>> sorted(s.columns[:3])
    ['id', 'name', 'oblast']
    """
    from .agglomeration import score_towns as _score
    from .config import load_config

    if isinstance(towns, str | Path):
        towns = read_towns(towns)
    if isinstance(config, str | Path):
        config = load_config(config)
    return _score(
        towns, distance=distance, config=config, cities=cities, corridors=corridors, **options
    )


def assess(
    inputs: pd.DataFrame | str | Path | None = None,
    *,
    tdaa: str = "computed",
    tdm_formula: str = "geometric",
    rules: Any = None,
    boundary: str = "upper",
) -> pd.DataFrame:
    """Monocity assessment: seven indicators, their levels and a development scenario.

    Parameters
    ----------
    inputs : DataFrame or path, optional
        One row per town in the input template's columns (``agglomap monocity
        --template``), or a CSV/XLSX of it; default the paper's three towns.
    tdaa : {"computed", "paper"}
        TDaa1–3 computed from real distances, or as the paper reports them.
    tdm_formula : {"geometric", "complement", "text"}
        How the economy indicator TDm combines its parts (``docs/monocity.md``).
    rules : path, optional
        Scenario rules YAML; default the shipped ones.
    boundary : {"upper", "lower"}
        Which band a value exactly on a band boundary goes to.

    Returns
    -------
    pandas.DataFrame
        ``town, town_id``, each indicator and its ``_level``, the parts, the plus-scores
        of each scenario and ``top_scenario``.

    Examples
    --------
    >>> import agglomap as am
    >>> a = am.assess()
    >>> list(a["town_id"])
    ['balkhash', 'karazhal', 'temirtau']
    """
    from .monocity import assess as _assess
    from .monocity import paper_inputs, read_inputs

    if inputs is None:
        inputs = paper_inputs()
    elif isinstance(inputs, str | Path):
        inputs = read_inputs(inputs)
    return _assess(inputs, tdm_formula=tdm_formula, tdaa=tdaa, rules=rules, boundary=boundary)


def zones(fua_max_km: float | None = None, *, population: pd.Series | None = None) -> Zones:
    """The commuting zones of the four agglomerations (Astana, Almaty, Shymkent, Aktobe):
    the 2022 district-level units whose population-weighted centre lies within
    ``fua_max_km`` of the core city along the corridor network (see ``docs/zones.md``).

    Parameters
    ----------
    fua_max_km : float, optional
        The commuting threshold in km; default the methodology's (``ScoreConfig``,
        the same setting as TDaa1).
    population : pandas.Series, optional
        Population by ``district_id`` (e.g. a district table's population column); without
        it a zone's population is the sum of the OpenStreetMap population tags of its
        settlements (``population_source`` says which).

    Returns
    -------
    agglomap.zones.Zones
        ``.zones`` one polygon per agglomeration (``zone_id``, ``n_units``, ``population``,
        ``area_km2``), ``.units`` every unit with its centre, ``centre_method`` and the
        network km to each core, ``.official`` the official compositions matched to units.

    Examples
    --------
    >>> import agglomap as am
    >>> z = am.zones()
    >>> list(z.zones["zone_id"])
    ['astana', 'almaty', 'shymkent', 'aktobe']
    """
    from .zones import delineate

    return delineate(fua_max_km, population=population)


def choropleth(gdf: gpd.GeoDataFrame, column: str, **options: Any) -> folium.Map:
    """A self-contained web map of one column of a joined layer, classed with mapclassify.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Regions with the column, e.g. the first result of :func:`join`.
    column : str
        The column to map.
    **options
        ``scheme`` ("quantiles", "equal_interval", "natural_breaks", "user_defined" …),
        ``k``, ``bins``, ``title``, ``unit``, ``lang`` (default ``settings.lang``),
        ``cmap``, ``diverging``, ``center``, ``tiles``, ``sources``; see
        :func:`agglomap.maps.choropleth.choropleth`.

    Returns
    -------
    folium.Map
        Displays inline in Jupyter; ``save_map(m, "map.html")`` writes one offline file.

    Examples
    --------
    >>> import agglomap as am
    >>> joined, _ = am.join(am.default_indicators(), am.boundaries("2018"))
    >>> m = am.choropleth(joined, column="innovative_share_grp_pct", unit="%")
    """
    from .maps.choropleth import choropleth as _choropleth

    options.setdefault("lang", settings.lang)
    return _choropleth(gdf, column, **options)


def monocity_map(scores: gpd.GeoDataFrame, **options: Any) -> folium.Map:
    """The monocity web map: towns coloured by TDaa level, sized by population, with evidence.

    Parameters
    ----------
    scores : geopandas.GeoDataFrame
        The result of :func:`score_towns`.
    **options
        ``assessment`` (the result of :func:`assess`, adds the scenario layer),
        ``corridors``, ``boundaries``, ``lang`` (default ``settings.lang``), ``color_by``,
        ``show_links``, ``rings_km``, ``title``; see
        :func:`agglomap.maps.monocities.monocity_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import agglomap as am
    >>> m = am.monocity_map(am.score_towns(), assessment=am.assess())
    """
    from .maps.monocities import monocity_map as _map

    options.setdefault("lang", settings.lang)
    return _map(scores, **options)


def static_choropleth(gdf: gpd.GeoDataFrame, column: str, **options: Any) -> Figure:
    """The choropleth as a print map (scale bar, north arrow, legend, credits).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Regions with the column.
    column : str
        The column to map.
    **options
        ``scheme``, ``k``, ``bins``, ``title``, ``unit``, ``lang``, ``sources``, ``cmap``,
        ``diverging``, ``center``, ``value_labels``; classes as :func:`choropleth`.

    Returns
    -------
    matplotlib.figure.Figure
        Save it with ``fig.savefig("map.png", dpi=200)`` or :func:`save_figure`.

    Examples
    --------
    >>> import agglomap as am
    >>> joined, _ = am.join(am.default_indicators(), am.boundaries("2018"))
    >>> fig = am.static_choropleth(joined, column="innovative_share_grp_pct", unit="%")
    """
    from .maps.static import static_choropleth as _static

    options.setdefault("lang", settings.lang)
    return _static(gdf, column, **options)


def static_monocity_map(scores: gpd.GeoDataFrame, **options: Any) -> Figure:
    """The monocity map as a print map (matplotlib Figure).

    Parameters
    ----------
    scores : geopandas.GeoDataFrame
        The result of :func:`score_towns`.
    **options
        ``corridors``, ``boundaries`` (default: none drawn), ``title``, ``lang``,
        ``sources``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import agglomap as am
    >>> fig = am.static_monocity_map(am.score_towns(), boundaries=am.boundaries("2022"))
    """
    from .maps.static import static_monocity_map as _static

    options.setdefault("lang", settings.lang)
    return _static(scores, **options)


def save_map(m: folium.Map, out: str | Path, *, sources: Sequence[Source] = ()) -> Path:
    """Write a web map as one self-contained, offline HTML file (atomically), with a
    ``<out>.sources.json`` sidecar naming ``sources`` (default: those the map credits).

    Examples
    --------
    >>> import agglomap as am
    >>> path = am.save_map(am.monocity_map(am.score_towns()), "monocities.html")
    """
    from .maps.web import save_map as _save

    return _save(m, out, sources=sources or getattr(m, "agglomap_sources", ()))


def save_figure(
    fig: Figure, out: str | Path, *, dpi: int | None = None, sources: Sequence[Source] = ()
) -> Path:
    """Write a static map as PNG or SVG (by the extension), atomically, with a sources
    sidecar (default: those the figure credits); ``dpi`` defaults to 300 for a figure drawn
    at a print ``size_mm``, else 200.

    Examples
    --------
    >>> import agglomap as am
    >>> fig = am.static_monocity_map(am.score_towns())
    >>> path = am.save_figure(fig, "monocities.png")
    """
    from .maps.static import save_figure as _save

    return _save(fig, out, dpi=dpi, sources=sources or getattr(fig, "agglomap_sources", ()))
