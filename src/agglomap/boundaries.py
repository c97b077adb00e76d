"""Boundary layers: oblasts and districts of Kazakhstan in the 2018 and 2022 layouts.

Geometry comes from geokz (CC BY 4.0, fetched and verified by :mod:`agglomap.sources`);
names, kinds and administrative centres of oblasts come from the region table
(:mod:`agglomap.regions`), joined on the KATO code. Vintage ``"2018"`` is geokz's
``adm*_2018`` (June 2018 - June 2022: 17 units), ``"2022"`` its ``adm*_2024`` edition of
the layout since June 2022 (20 units).

Areas (``area_km2``) are planar areas on an Albers equal-area conic projection fitted to
Kazakhstan (:data:`EQUAL_AREA`); an equal-area projection preserves area exactly, and the
tests check the result against pyproj's geodesic polygon area.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from contextlib import suppress
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import AgglomapError, InputError, SourceError, suggest
from .names import match_region, match_regions
from .regions import check_vintage, regions_for
from .sources import SHAPEFILE_PARTS, entry, fetch_layer, local_dir, local_path

EQUAL_AREA = "+proj=aea +lat_1=42 +lat_2=54 +lat_0=48 +lon_0=67 +datum=WGS84 +units=m +no_defs"
LEVELS = ("oblast", "district")
LAYERS = {
    ("2018", "oblast"): "kaz_admbnda_adm1_2018",
    ("2022", "oblast"): "kaz_admbnda_adm1_2024",
    ("2018", "district"): "kaz_admbnda_adm2_2018",
    ("2022", "district"): "kaz_admbnda_adm2_2024",
}
COUNTRY_LAYER = "kaz_admbnda_adm0_2018"
OBLAST_COLUMNS = [
    "region_id",
    "iso_3166_2",
    "kato",
    "kind",
    "name_kk",
    "name_ru",
    "name_en",
    "centre",
    "area_km2",
    "vintage",
    "geometry",
]
DISTRICT_COLUMNS = [
    "district_id",
    "kato",
    "name_kk",
    "name_ru",
    "name_en",
    "region_id",
    "area_km2",
    "vintage",
    "geometry",
]


# Latin letters drawn like Cyrillic ones. geokz writes the Russian name of Arshaly
# District "Aршалинский" with a Latin A and the Kazakh "Солтүстiк" with a Latin i.
_LOOKALIKES = str.maketrans("AaBCcEeHKkMOoPpTXxyY", "АаВСсЕеНКкМОоРрТХхуУ")
_LOOKALIKES_KK = str.maketrans("Ii", "Іі")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")


class BoundaryWarning(UserWarning):
    """A user's boundary file was read, but something in it deserves a look (one line)."""


def cyrillic_name(name: object, kazakh: bool = False) -> object:
    """Latin look-alike letters in an otherwise Cyrillic word made Cyrillic:
    ``"Aршалинский"`` → ``"Аршалинский"``; with ``kazakh``, ``i`` → ``і`` too.

    Words without Cyrillic letters are left alone, and so is anything but a str.
    """
    if not isinstance(name, str) or not _LATIN_LETTER.search(name):
        return name
    table = [_LOOKALIKES, _LOOKALIKES_KK] if kazakh else [_LOOKALIKES]

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if not _CYRILLIC_LETTER.search(word):
            return word
        for t in table:
            word = word.translate(t)
        return word

    return re.sub(r"\w+", fix, name)


def area_km2(geometry: gpd.GeoSeries) -> np.ndarray:
    """Area of each geometry in km² on the equal-area projection :data:`EQUAL_AREA`."""
    return geometry.to_crs(EQUAL_AREA).area.to_numpy() / 1e6


def polygonal(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Repair invalid geometries with ``shapely.make_valid``, keeping only polygonal parts."""
    geoms = geometry.to_numpy().copy()
    bad = np.flatnonzero(~shapely.is_valid(geoms))
    for i in bad:  # a handful at most; valid ones are untouched
        fixed = shapely.make_valid(geoms[i])
        parts = shapely.get_parts(fixed)
        kinds = shapely.get_type_id(parts)
        polys = parts[(kinds == 3) | (kinds == 6)]  # Polygon, MultiPolygon
        geoms[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    return gpd.GeoSeries(geoms, index=geometry.index, crs=geometry.crs)


def _read_layer(stem: str, sources_dir: str | Path | None) -> gpd.GeoDataFrame:
    path = fetch_layer(stem, sources_dir)
    return gpd.read_file(path, engine="pyogrio").to_crs(4326)


def check_level(level: str) -> str:
    text = str(level).strip().lower()
    if text not in LEVELS:
        hint = suggest(text, LEVELS)
        raise InputError(
            f"unknown level {level!r}; choose one of {', '.join(LEVELS)}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
        )
    return text


def load_boundaries(
    vintage: str | int = "2022",
    level: str = "oblast",
    sources_dir: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Oblasts (17 in 2018, 20 in 2022) or districts (216 / 224) as a GeoDataFrame, EPSG:4326."""
    v, lv = check_vintage(vintage), check_level(level)
    folder = local_dir(sources_dir)
    return _build(v, lv, None if folder is None else str(folder.resolve())).copy()


@lru_cache(maxsize=8)
def _build(vintage: str, level: str, folder: str | None) -> gpd.GeoDataFrame:
    raw = _read_layer(LAYERS[vintage, level], folder)
    build = _oblasts if level == "oblast" else _districts
    frame = gpd.GeoDataFrame(build(raw, vintage), geometry="geometry", crs=4326)
    frame["geometry"] = polygonal(frame.geometry)
    frame["area_km2"] = area_km2(frame.geometry)
    frame["vintage"] = vintage
    columns = OBLAST_COLUMNS if level == "oblast" else DISTRICT_COLUMNS
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=4326)


def _oblasts(raw: gpd.GeoDataFrame, vintage: str) -> pd.DataFrame:
    table = regions_for(vintage).set_index("kato")
    unknown = sorted(set(raw["KATO"]) - set(table.index))
    missing = sorted(set(table.index) - set(raw["KATO"]))
    if unknown or missing or len(raw) != len(table):
        raise SourceError(
            f"geokz {LAYERS[vintage, 'oblast']} does not match the region table for "
            f"{vintage}: KATO codes not in the table {unknown}, table units missing {missing}"
        )
    rows = table.loc[raw["KATO"]].reset_index()
    pcode = "KZ-" + raw["ADM1_PCODE"].str[2:].to_numpy()
    if not (rows["region_id"].to_numpy() == pcode).all():
        raise SourceError(f"geokz {LAYERS[vintage, 'oblast']}: ADM1_PCODE disagrees with KATO")
    rows["iso_3166_2"] = rows["region_id"]
    rows["centre"] = rows[f"centre_{vintage}"]
    rows["geometry"] = raw.geometry.to_numpy()
    return rows.sort_values("region_id").reset_index(drop=True)


def _districts(raw: gpd.GeoDataFrame, vintage: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "district_id": raw["ADM2_PCODE"],
            "kato": raw["KATO"],
            "name_kk": raw["ADM2_KK"].map(lambda n: cyrillic_name(n, kazakh=True)),
            "name_ru": raw["ADM2_RU"].map(cyrillic_name),
            "name_en": raw["ADM2_EN"],
            "region_id": "KZ-" + raw["ADM1_PCODE"].str[2:],
            "geometry": raw.geometry.to_numpy(),
        }
    )
    unknown = sorted(set(frame["region_id"]) - set(regions_for(vintage)["region_id"]))
    if unknown:
        raise SourceError(f"geokz {LAYERS[vintage, 'district']}: unknown regions {unknown}")
    return frame.sort_values("district_id").reset_index(drop=True)


def country_outline(sources_dir: str | Path | None = None) -> gpd.GeoDataFrame:
    """Kazakhstan's outline (geokz adm0): one row with ``name_kk/ru/en``, ``area_km2``."""
    folder = local_dir(sources_dir)
    return _outline(None if folder is None else str(folder.resolve())).copy()


@lru_cache(maxsize=2)
def _outline(folder: str | None) -> gpd.GeoDataFrame:
    raw = _read_layer(COUNTRY_LAYER, folder)
    frame = gpd.GeoDataFrame(
        {
            "name_kk": raw["ADM0_KK"].map(lambda n: cyrillic_name(n, kazakh=True)),
            "name_ru": raw["ADM0_RU"].map(cyrillic_name),
            "name_en": raw["ADM0_EN"],
        },
        geometry=polygonal(raw.geometry),
        crs=4326,
    )
    frame["area_km2"] = area_km2(frame.geometry)
    return frame


def _layer_at_hand(stem: str, sources_dir: str | Path | None) -> bool:
    """Whether every part of a geokz layer is in the sources folder or the cache already."""
    try:
        folder = local_dir(sources_dir)
    except SourceError:
        return False
    return all(local_path(entry(stem + ext), folder).is_file() for ext in SHAPEFILE_PARTS)


def district_names(
    vintage: str | int | None = None, sources_dir: str | Path | None = None
) -> pd.DataFrame:
    """``name_kk, name_ru, name_en, region_id`` of the districts of one layout (both if None).

    geokz districts when the layer is in the sources folder or the cache (never
    downloaded for this), and always the districts that moved in 2022
    (:func:`agglomap.crosswalk.load_districts`). For recognising district names only.
    """
    from .crosswalk import load_districts

    vintages = [check_vintage(vintage)] if vintage is not None else ["2018", "2022"]
    columns = ["name_kk", "name_ru", "name_en", "region_id"]
    parts = []
    for v in vintages:
        if _layer_at_hand(LAYERS[v, "district"], sources_dir):
            with suppress(AgglomapError):  # a checksum mismatch: refused where it matters
                parts.append(load_boundaries(v, "district", sources_dir)[columns])
        moved = load_districts().rename(columns={f"region_{v}": "region_id"})
        parts.append(moved[columns])
    return pd.concat(parts, ignore_index=True)


# --- a user's own boundary file -------------------------------------------------------


def _as_text(value: object) -> str | None:
    """A cell as the name matcher reads it (integral floats as integers: KATO codes)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _lookup(value: object) -> str | None:
    text = _as_text(value)
    if text is None:
        return None
    try:
        return match_region(text)
    except InputError:
        return None


def _detect(frame: pd.DataFrame, path: Path) -> str:
    """The column whose values name the most distinct regions (by name or code)."""
    best: tuple[int, str] | None = None
    for column in frame.columns:
        values = pd.unique(frame[column].to_numpy(dtype=object))
        score = len({rid for rid in map(_lookup, values) if rid})
        if score and (best is None or score > best[0]):
            best = (score, column)
    if best is None or best[0] < math.ceil(len(frame) / 2):
        repeats = (
            f" (column {best[1]!r} names {best[0]} regions over {len(frame)} features: "
            "one feature per oblast-level unit is expected)"
            if best
            else ""
        )
        raise InputError(
            "no column holds region names or codes (KATO like 110000000, ISO 3166-2 like "
            f"KZ-11, or kk/ru/en names){repeats}; columns are "
            f"{', '.join(map(str, frame.columns))}. Name the column with --name-field / "
            "--code-field",
            path=path,
        )
    return best[1]


def _field(frame: pd.DataFrame, field: str, path: Path) -> str:
    if field in frame.columns:
        return field
    cols = [str(c) for c in frame.columns]
    hint = suggest(field, cols)
    raise InputError(
        f"no such column; columns are {', '.join(cols)}"
        + (f". Did you mean {', '.join(repr(h) for h in hint)}?" if hint else ""),
        path=path,
        column=field,
    )


TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods")
NOT_A_LAYER = "not a boundary layer GDAL can read"


def _read_user_layer(path: Path) -> gpd.GeoDataFrame:
    """A user's vector file as read by GDAL; one-line InputError when it is none (a table,
    a file GDAL does not recognise, a layer without geometry)."""
    reason = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - GDAL and the codecs raise many kinds
        raw, reason = None, str(exc).split(";")[0].strip().rstrip(".")
    table = path.suffix.lower() in TABLE_SUFFIXES
    layer = isinstance(raw, gpd.GeoDataFrame) and (len(raw) == 0 or raw.geometry.notna().any())
    if layer and not table:
        return raw
    if table or reason is None:
        raise InputError(f"{NOT_A_LAYER} (a table? use join --indicators)", path=path)
    if "not recognized as" in reason or "codec can't decode" in reason:
        reason = "not a format GDAL recognises"
    raise InputError(f"{NOT_A_LAYER} ({reason})", path=path)


def read_boundaries(
    path: str | Path,
    name_field: str | None = None,
    code_field: str | None = None,
    vintage: str | int | None = None,
) -> gpd.GeoDataFrame:
    """A user's own oblast-level boundary file (any format GDAL reads) in the oblast schema.

    Each feature is matched to a region (:func:`agglomap.names.match_region`) by the
    ``code_field`` (KATO, ``KZ-11``, ``KZ11``, ``KZ-AKM``) or ``name_field`` column (kk/ru/en
    names, old names); with neither, the column naming the most regions is used.
    ``vintage`` defaults to ``"2022"`` if a region that only exists since 2022 appears,
    else ``"2018"``; a file of the other layout is refused. Regions of the layout with no
    feature are a :class:`BoundaryWarning`; ``attrs["missing_regions"]`` lists them and
    ``attrs["source_path"]`` names the file. Geometry is reprojected to EPSG:4326 and
    repaired if invalid.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    raw = _read_user_layer(path)
    if len(raw) == 0:
        raise InputError("the layer has no features", path=path)
    attrs = pd.DataFrame(raw.drop(columns=raw.geometry.name))
    field = code_field if code_field is not None else name_field
    column = _field(attrs, field, path) if field is not None else _detect(attrs, path)
    values = [_as_text(v) for v in attrs[column].to_numpy(dtype=object)]
    where = {"path": path, "column": column, "first_row": 1}  # rows = feature numbers
    matched = _bare_oblast_names(values, match_regions(values, **where))
    new_in_file = [(i, rid) for i, rid in enumerate(matched) if rid in _new_in_2022()]
    if vintage is None:
        vintage = "2022" if new_in_file else "2018"
    v = check_vintage(vintage)
    if v == "2018" and new_in_file:
        found = ", ".join(f"{_region_name(rid)} as feature {i + 1}" for i, rid in new_in_file)
        raise InputError(
            f"has {found}, created in 2022, which do not exist in the 2018 layout: it looks "
            "like the 2022 layout; use --vintage 2022",
            path=path,
            column=column,
        )
    matched = _bare_oblast_names(values, match_regions(values, vintage=v, **where))
    _check_unique(values, matched, path, column)

    geometry = _user_geometry(raw, path)
    if v == "2022":
        _check_not_2018_layout(matched, geometry, path)
    rows = regions_for(v).set_index("region_id").loc[matched].reset_index()
    frame = gpd.GeoDataFrame(
        {
            "region_id": rows["region_id"],
            "iso_3166_2": rows["region_id"],
            "kato": rows["kato"],
            "kind": rows["kind"],
            "name_kk": rows["name_kk"],
            "name_ru": rows["name_ru"],
            "name_en": rows["name_en"],
            "centre": rows[f"centre_{v}"],
        },
        geometry=geometry.to_numpy(),
        crs=4326,
    )
    frame["area_km2"] = area_km2(frame.geometry)
    frame["vintage"] = v
    frame = frame[OBLAST_COLUMNS]
    missing = [rid for rid in regions_for(v)["region_id"] if rid not in set(matched)]
    if missing:
        warnings.warn(
            f"{path}: no feature for {len(missing)} of the {len(missing) + len(matched)} "
            f"regions of the {v} layout: {', '.join(map(_region_name, missing))}",
            BoundaryWarning,
            stacklevel=2,
        )
    frame.attrs.update(source_path=str(path), missing_regions=missing)
    return frame


@lru_cache(maxsize=1)
def _new_in_2022() -> frozenset[str]:
    """Region ids of the units created in June 2022 (Abai, Jetisu, Ulytau)."""
    return frozenset(set(regions_for("2022")["region_id"]) - set(regions_for("2018")["region_id"]))


def _region_name(region_id: str) -> str:
    """``"Abai Region (KZ-10)"``."""
    table = regions_for("2022").set_index("region_id")
    return f"{table.at[region_id, 'name_en']} ({region_id})"


def _check_not_2018_layout(matched: list[str], geometry: gpd.GeoSeries, path: Path) -> None:
    """Refuse a file read as the 2022 layout that has none of the regions created in 2022
    while its old regions still cover their centres (Semey in East Kazakhstan …); warn if
    only some are so."""
    from .gazetteer import load_cities

    table = regions_for("2022").set_index("region_id")
    cities = load_cities().set_index("city_id")
    polygon = dict(zip(matched, geometry.to_numpy(), strict=True))
    missing = sorted(_new_in_2022() - set(matched))
    evidence = []
    for rid in missing:
        parent, centre = table.at[rid, "unit_2018"], table.at[rid, "centre_2022"]
        point = shapely.Point(cities.at[centre, "lon"], cities.at[centre, "lat"])
        if parent in polygon and polygon[parent].covers(point):
            evidence.append(f"{cities.at[centre, 'name_en']} lies in its {_region_name(parent)}")
    if not evidence:
        return
    lacking = ", ".join(map(_region_name, missing))
    if len(evidence) == len(_new_in_2022()):
        raise InputError(
            f"has no {lacking}: it looks like the 2018 layout ({'; '.join(evidence)}); "
            "use --vintage 2018",
            path=path,
        )
    warnings.warn(
        f"{path}: read as the 2022 layout, but it has no {lacking} and "
        f"{'; '.join(evidence)}, as in the 2018 layout",
        BoundaryWarning,
        stacklevel=3,
    )


def _bare_oblast_names(values: list[str | None], matched: list[str]) -> list[str]:
    """Read a bare "Almaty" as the oblast when the same file also has "Almaty (city)".

    geokz and many other files name Almaty Region just "Almaty" / "Алматы" and mark the
    city; the name matcher reads a bare "Almaty" as the city. Where two features match
    the same region, the shorter name is re-read with "oblast" added, if that names a
    region not otherwise in the file.
    """
    out = list(matched)
    for rid, count in Counter(matched).items():
        if count < 2:
            continue
        rows = [i for i, m in enumerate(out) if m == rid]
        bare = min(rows, key=lambda i: len(values[i] or ""))
        alt = _lookup(f"{values[bare]} oblast")
        if alt and alt != rid and alt not in out:
            out[bare] = alt
    return out


def _check_unique(values: list[str | None], matched: list[str], path: Path, column: str) -> None:
    seen: dict[str, int] = {}
    for i, rid in enumerate(matched):
        if rid in seen:
            raise InputError(
                f"{values[i]!r} is {rid} again (already feature {seen[rid] + 1}); "
                "one feature per region expected",
                path=path,
                row=i + 1,
                column=column,
            )
        seen[rid] = i


def _user_geometry(raw: gpd.GeoDataFrame, path: Path) -> gpd.GeoSeries:
    geometry = raw.geometry
    kinds = set(geometry.geom_type.dropna())
    if geometry.isna().any() or not kinds <= {"Polygon", "MultiPolygon"}:
        raise InputError(
            f"expected polygons for every feature, found {sorted(kinds) or 'none'}"
            + (" and empty geometries" if geometry.isna().any() else ""),
            path=path,
        )
    if geometry.crs is None:
        minx, miny, maxx, maxy = geometry.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InputError("the layer has no coordinate reference system (CRS)", path=path)
        geometry = geometry.set_crs(4326)
    return polygonal(geometry.to_crs(4326))
