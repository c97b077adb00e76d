"""Workbooks for readers: agglomeration scores as a planner reads them, in kk/ru/en.

The machine tables (CSV, GeoPackage) keep their stable English keys, ISO region codes and
full-precision numbers. A reader workbook (.xlsx) has, in the chosen language, headers,
town, city and region names, values rounded to what they mean (km to 0.1, populations
and TDaa parts as integers, TDaa and gravity to 0.01), the TDaa level word, one "why"
sentence per TDaa indicator (e.g. "nearest core city Karaganda 31 km by road ≤ 60 km"),
and a second sheet that says what each column means and in which unit. The words live
in :mod:`agglomap.i18n`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .agglomeration import ScoreConfig, load_config
from .export import atomic_path, write_sidecar
from .i18n import READER_COLUMNS, READER_UNITS, check_lang, level_word, t, unit_label
from .maps.web import format_number
from .provenance import Source

SCORE_COLUMNS = (
    "town",
    "region",
    "population",
    "tdaa1",
    "tdaa2",
    "tdaa3",
    "tdaa",
    "tdaa_level",
    "tdaa1_why",
    "tdaa2_why",
    "tdaa3_why",
    "core_city",
    "core_city_km",
    "large_city",
    "large_city_km",
    "nearest_corridor",
    "nearest_corridor_km",
    "n_corridors_counted",
    "gravity",
    "distance_kind",
)


def _gazetteer_names(lang: str) -> dict[str, str]:
    from .gazetteer import load_cities

    cities = load_cities()
    return dict(zip(cities["city_id"].astype(str), cities[f"name_{lang}"], strict=True))


def _region_names(lang: str) -> dict[str, str]:
    from .regions import load_regions

    regions = load_regions()
    return dict(zip(regions["region_id"], regions[f"name_{lang}"], strict=True))


def _corridor_names(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    from .corridors import load_corridors

    c = load_corridors()
    return {
        str(i): str(n)
        for i, n in zip(c["corridor_id"], c[f"name_{lang}"], strict=True)
        if isinstance(n, str) and n
    }


def _km(value: object) -> float:
    number = pd.to_numeric(value, errors="coerce")
    return float(round(float(number), 1)) if pd.notna(number) else np.nan


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def readable_scores(
    scores: pd.DataFrame, lang: str = "en", config: ScoreConfig | None = None
) -> pd.DataFrame:
    """``scores`` (from :func:`agglomap.agglomeration.score_towns`) as a reader's table:
    the columns of :data:`SCORE_COLUMNS` under keys (headers are given when written),
    names in ``lang``, values rounded, one "why" sentence per TDaa indicator measured
    against ``config``'s thresholds (default: the shipped configuration)."""
    lang = check_lang(lang)
    config = config or load_config()
    towns = _gazetteer_names(lang)
    regions = _region_names(lang)
    corridors = _corridor_names(lang)

    def city(name: object, city_id: object) -> str:
        local = towns.get(str(city_id)) if isinstance(city_id, str) else None
        return local or ("" if pd.isna(name) else str(name))

    out = pd.DataFrame(index=scores.index)
    ids = _column(scores, "id").astype(object)
    out["town"] = [city(n, i) for n, i in zip(_column(scores, "name"), ids, strict=True)]
    out["region"] = [regions.get(str(r), "" if pd.isna(r) else str(r)) for r in scores["oblast"]]
    pop = pd.to_numeric(_column(scores, "population"), errors="coerce")
    out["population"] = pop.round().astype("Int64")
    for part in ("tdaa1", "tdaa2", "tdaa3"):
        out[part] = pd.to_numeric(scores[part], errors="coerce").round().astype("Int64")
    out["tdaa"] = pd.to_numeric(scores["tdaa"], errors="coerce").round(2)
    out["tdaa_level"] = [level_word(v, lang) for v in scores["tdaa_level"]]
    kind = _column(scores, "distance_kind").fillna("geodesic").astype(str)
    for key, km_limit, prefix in (
        ("core_city", config.fua_max_km, "why.core_city"),
        ("large_city", config.near_max_km, "why.large_city"),
    ):
        names = [
            city(n, i)
            for n, i in zip(_column(scores, key), _column(scores, f"{key}_id"), strict=True)
        ]
        network = pd.to_numeric(_column(scores, f"{key}_km_network"), errors="coerce")
        geodesic = pd.to_numeric(_column(scores, f"{key}_km_geodesic"), errors="coerce")
        km = [
            _km(n if k == "network" and pd.notna(n) else g)
            for n, g, k in zip(network, geodesic, kind, strict=True)
        ]
        out[key] = names
        out[f"{key}_km"] = km
        part = "tdaa1" if key == "core_city" else "tdaa2"
        out[f"{part}_why"] = [
            _why(prefix, name, d, k, km_limit, lang)
            for name, d, k in zip(names, km, kind, strict=True)
        ]
    nearest = _column(scores, "nearest_corridor")
    nearest_ids = _column(scores, "nearest_corridor_id")
    out["nearest_corridor"] = [
        corridors.get(str(i)) or ("" if pd.isna(n) else str(n))
        for n, i in zip(nearest, nearest_ids, strict=True)
    ]
    out["nearest_corridor_km"] = [_km(v) for v in _column(scores, "nearest_corridor_km")]
    counted = pd.to_numeric(_column(scores, "n_corridors_counted"), errors="coerce")
    out["n_corridors_counted"] = counted.round().astype("Int64")
    out["tdaa3_why"] = [
        t("why.corridors", lang).format(
            n="?" if pd.isna(n) else int(n),
            limit=format_number(config.corridor_max_km, lang, 0),
            need=config.min_corridors,
        )
        for n in counted
    ]
    out["gravity"] = pd.to_numeric(_column(scores, "gravity"), errors="coerce").round(2)
    out["distance_kind"] = [
        t("how.network" if k == "network" else "how.geodesic", lang) for k in kind
    ]
    return out[list(SCORE_COLUMNS)].reset_index(drop=True)


def _why(prefix: str, city: str, km: float, kind: str, limit: float, lang: str) -> str:
    """ "nearest core city Karaganda 31 km by road ≤ 60 km" (the comparison decides)."""
    if not city or not np.isfinite(km):
        return t("why.none", lang)
    how = t("how.network" if kind == "network" else "how.geodesic", lang)
    return t(prefix, lang).format(
        city=city,
        km=format_number(km, lang, 1),
        how=how,
        op="≤" if km <= limit else ">",
        limit=format_number(limit, lang, 0),
    )


def column_dictionary(keys: Sequence[str], lang: str) -> pd.DataFrame:
    """Column → meaning → unit, in ``lang``, for the reader columns ``keys``."""
    rows = []
    for key in keys:
        header, meaning = READER_COLUMNS[key][lang]
        unit = unit_label(READER_UNITS.get(key, ""), lang)
        rows.append({"column": header, "meaning": meaning, "unit": unit})
    frame = pd.DataFrame(rows)
    frame.columns = [t("column.column", lang), t("column.meaning", lang), t("column.unit", lang)]
    return frame


INDICATORS = ("tdm", "tdea", "tdda", "tdzhia", "tdaa", "tdsp")
SCENARIO_KEYS = ("inertial", "balanced", "innovative", "diversification")
ASSESSMENT_COLUMNS = (
    "town",
    *(k for i in INDICATORS for k in (i, f"{i}_level")),
    *(f"plus_{s}" for s in SCENARIO_KEYS),
    "scenario_ranking",
    "top_scenario",
)


def readable_assessment(assessment: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A monocity assessment (:func:`agglomap.monocity.assess`) as a reader's table: the
    town in ``lang``, the six indicators (to 0.01) with their level words, the
    plus-points per scenario (integers), the ranking and the recommended scenario in
    ``lang`` — the 69 working columns reduced to :data:`ASSESSMENT_COLUMNS`."""
    from .i18n import scenario_text

    lang = check_lang(lang)
    towns = _gazetteer_names(lang)
    out = pd.DataFrame(index=assessment.index)
    ids = _column(assessment, "town_id")
    names = _column(assessment, "town")
    out["town"] = [
        towns.get(str(i)) or ("" if pd.isna(n) else str(n)) for n, i in zip(names, ids, strict=True)
    ]
    for key in INDICATORS:
        out[key] = pd.to_numeric(_column(assessment, key), errors="coerce").round(2)
        out[f"{key}_level"] = [level_word(v, lang) for v in _column(assessment, f"{key}_level")]
    for key in SCENARIO_KEYS:
        plus = pd.to_numeric(_column(assessment, f"plus_{key}"), errors="coerce")
        out[f"plus_{key}"] = plus.round().astype("Int64")
    for key in ("scenario_ranking", "top_scenario"):
        out[key] = [scenario_text(v, lang) for v in _column(assessment, key)]
    return out[list(ASSESSMENT_COLUMNS)].reset_index(drop=True)


def write_assessment_workbook(
    assessment: pd.DataFrame, out: str | Path, lang: str = "en", sources: Sequence[Source] = ()
) -> Path:
    """Write the reader's assessment workbook (.xlsx): :func:`readable_assessment` and the
    column dictionary."""
    return _write(readable_assessment(assessment, lang), out, lang, "sheet.assessment", sources)


def write_score_workbook(
    scores: pd.DataFrame,
    out: str | Path,
    lang: str = "en",
    sources: Sequence[Source] = (),
    config: ScoreConfig | None = None,
) -> Path:
    """Write the reader's score workbook (.xlsx) atomically, with its sources sidecar:
    sheet 1 the scores (:func:`readable_scores`), sheet 2 the column dictionary."""
    return _write(readable_scores(scores, lang, config), out, lang, "sheet.scores", sources)


def _write(
    table: pd.DataFrame, out: str | Path, lang: str, sheet_key: str, sources: Sequence[Source]
) -> Path:
    out = Path(out)
    table = table.copy()
    keys = list(table.columns)
    table.columns = [READER_COLUMNS[k][lang][0] for k in keys]
    with atomic_path(out) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name=t(sheet_key, lang), index=False)
        column_dictionary(keys, lang).to_excel(
            writer, sheet_name=t("sheet.columns", lang), index=False
        )
        for sheet in writer.book.worksheets:
            sheet.freeze_panes = "B2"
            for cells in sheet.columns:
                width = max(len(str(c.value or "")) for c in cells[:200])
                sheet.column_dimensions[cells[0].column_letter].width = min(60, width + 2)
    write_sidecar(out, list(sources))
    return out
