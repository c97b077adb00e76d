"""City polygons and city indicator tables.

The ``cities`` layer has one polygon per city of republican significance (Astana, Almaty,
Shymkent: their districts dissolved) and per city administration of a city of oblast
significance (the district-level units of kind ``city``, :mod:`agglomap.districts`), each
joined to the gazetteer's ``city_id`` by name within its oblast. A city administration
holds the city and the settlements it administers, so its polygon is larger than the
built-up town.

A city table has one row per city, named in kk/ru/en (:func:`agglomap.names.match_city`)
or coded by the KATO code of its city administration (or, for the three big cities, of
the city itself); it joins to these polygons or to the gazetteer's points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import names, tables
from .districts import CITY, CITY_REGIONS, _cell, _digits, load_units, unit_index
from .errors import AgglomapError, InputError
from .indicators import (
    IndicatorTable,
    _kind_and_unit,
    _numeric_columns,
    _parse_values,
    is_total_label,
)
from .numbers import is_number_text

CITY_COLUMNS = [
    "city_id",
    "kato",
    "name_kk",
    "name_ru",
    "name_en",
    "region_id",
    "status",
    "unit",
    "district_ids",
    "area_km2",
    "vintage",
    "geometry",
]


def load_city_polygons(vintage: str | int = "2022") -> gpd.GeoDataFrame:
    """The cities of republican and oblast significance as polygons (EPSG:4326), with the
    gazetteer's ``city_id`` and names; ``unit`` is ``city`` (republican significance) or
    ``city_administration``. City administrations no gazetteer city matches are kept with
    an empty ``city_id`` (none in the 2022 layout)."""
    from .boundaries import area_km2, load_boundaries
    from .gazetteer import load_cities
    from .regions import regions_for

    v = str(vintage)
    layer = load_boundaries(v, "district")
    units = load_units(v).set_index("district_id")
    index = unit_index(v)
    cities = load_cities()
    region_col = f"region_{v}"
    rows = []
    matched: dict[str, str] = {}
    for city in cities.itertuples():
        spelled = [
            city.name_kk,
            city.name_ru,
            city.name_en,
            *filter(None, city.variants.split(";")),
        ]
        for s in spelled:
            hits = [
                d
                for d in index.by_name(s)[0]
                if index.units[d].kind == CITY
                and index.units[d].region_id == getattr(city, region_col)
            ]
            if len(hits) == 1 and hits[0] not in matched:
                matched[hits[0]] = city.city_id
                break
    by_id = cities.set_index("city_id")
    for did, cid in matched.items():
        geom = layer.loc[layer["district_id"] == did, "geometry"].iloc[0]
        c = by_id.loc[cid]
        rows.append(
            {
                "city_id": cid,
                "kato": units.at[did, "kato"],
                "name_kk": c["name_kk"],
                "name_ru": c["name_ru"],
                "name_en": c["name_en"],
                "region_id": units.at[did, "region_id"],
                "status": c["status"],
                "unit": "city_administration",
                "district_ids": did,
                "geometry": geom,
            }
        )
    for did in units.index[(units["kind"] == CITY) & ~units.index.isin(list(matched))]:
        u = units.loc[did]
        rows.append(
            {
                "city_id": "",
                "kato": u["kato"],
                "name_kk": u["name_kk"],
                "name_ru": u["name_ru"],
                "name_en": u["name_en"],
                "region_id": u["region_id"],
                "status": "",
                "unit": "city_administration",
                "district_ids": did,
                "geometry": layer.loc[layer["district_id"] == did, "geometry"].iloc[0],
            }
        )
    regions = regions_for(v).set_index("region_id")
    for rid in sorted(CITY_REGIONS):
        part = layer[layer["region_id"] == rid]
        cid = regions.at[rid, f"centre_{v}"]
        c = by_id.loc[cid]
        rows.append(
            {
                "city_id": cid,
                "kato": regions.at[rid, "kato"],
                "name_kk": c["name_kk"],
                "name_ru": c["name_ru"],
                "name_en": c["name_en"],
                "region_id": rid,
                "status": c["status"],
                "unit": "city",
                "district_ids": ";".join(part["district_id"]),
                "geometry": part.geometry.union_all(),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    frame["area_km2"] = area_km2(frame.geometry)
    frame["vintage"] = v
    frame = frame.sort_values(["region_id", "name_en"]).reset_index(drop=True)
    return gpd.GeoDataFrame(frame[CITY_COLUMNS], geometry="geometry", crs=4326)


@dataclass
class CityTable(IndicatorTable):
    """Indicator values by city: ``data`` indexed by ``city_id`` with ``city_label``."""

    level: str = "cities"
    unmatched: list[str] = field(default_factory=list)


def read_city_indicators(
    path: str | Path,
    *,
    region_column: str | None = None,
    sheet: str | int | None = None,
    vintage: str = "2022",
) -> CityTable:
    """A table with one row per city: by name (kk/ru/en, old names) or by the KATO code of
    its city administration. Unknown names are one InputError with suggestions; two rows
    naming one city are refused."""
    path = Path(path)
    raw = tables.read_table(path, sheet=sheet)
    frame, row_numbers = raw.frame, raw.rows
    cols = [str(c) for c in frame.columns]
    if region_column is not None:
        label_col = tables.find_column(region_column, cols)
        if label_col is None:
            raise tables.column_error(region_column, cols, path=path, what="city column")
    else:
        label_col = max(
            cols,
            key=lambda c: sum(_city_of(_cell(v), vintage) is not None for v in frame[c].head(60)),
        )
    polygons = load_city_polygons(vintage)
    by_kato = dict(zip(polygons["kato"], polygons["city_id"], strict=True))
    others = [c for c in cols if c != label_col]
    numeric = _numeric_columns(frame, others)
    values, no_data, marks = _parse_values(frame, numeric, path, row_numbers)
    ids: dict[int, str] = {}
    problems = []
    for i in frame.index:
        text = _cell(frame.at[i, label_col])
        if not text or is_total_label(text):
            continue
        digits = _digits(text)
        cid = by_kato.get(digits.ljust(9, "0")) if digits else _city_of(text, vintage)
        if cid:
            ids[i] = cid
        elif numeric and values.loc[i].notna().any():
            problems.append((row_numbers[i], text))
    if problems:
        lines = []
        for row, text in problems:
            try:
                names.match_city(text)
                lines.append(f"row {row}: {text!r} is no city with a city administration")
            except InputError as exc:
                lines.append(f"row {row}: {exc.message}")
        raise InputError("; ".join(lines), path=path, column=label_col)
    seen: dict[str, int] = {}
    for i, cid in ids.items():
        if cid in seen:
            raise InputError(
                f"rows {row_numbers[seen[cid]]} and {row_numbers[i]} both name city {cid!r}",
                path=path,
                column=label_col,
            )
        seen[cid] = i
    keep = list(ids)
    data = pd.DataFrame(
        {"city_label": [_cell(frame.at[i, label_col]) for i in keep]},
        index=pd.Index([ids[i] for i in keep], name="city_id"),
    )
    for c in others:
        data[c] = (
            values.loc[keep, c].to_numpy(float)
            if c in numeric
            else [_cell(v) or None for v in frame.loc[keep, c]]
        )
    kinds, units = {}, {}
    for c in numeric:
        kinds[c], units[c] = _kind_and_unit(c, data[c])
    return CityTable(
        data=data,
        source_path=path,
        units=units,
        kinds=kinds,
        labels={c: c for c in numeric},
        rows={ids[i]: row_numbers[i] for i in keep},
        vintage=vintage,
        no_data=no_data,
        no_data_marks=marks,
    )


def _city_of(text: str, vintage: str) -> str | None:
    if not text or _digits(text) or is_number_text(text):
        return None
    try:
        return names.match_city(text)
    except (AgglomapError, LookupError, ValueError):
        return None


def join_cities(table: CityTable, layer: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Left-join ``table`` onto city polygons (:func:`load_city_polygons`) or the
    gazetteer's points (``city_id`` column either way); also the table's cities missing
    from the layer."""
    data = table.data.reset_index()
    joined = layer.merge(data, on="city_id", how="left")
    joined = gpd.GeoDataFrame(joined, geometry=layer.geometry.name, crs=layer.crs)
    joined.attrs.update(units=dict(table.units), kinds=dict(table.kinds), labels=dict(table.labels))
    missing = [c for c in data["city_id"] if c not in set(layer["city_id"])]
    return joined, missing
