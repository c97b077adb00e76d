"""``assess``: every indicator, level and scenario score for a table of towns."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..agglomeration import PAPER_TOWNS, score_towns
from ..choices import TDAA_MODES
from ..errors import InputError
from ..names import latin_key, match_city
from . import indicators as ind
from .levels import BANDS, classify
from .paper import REPORTED_INDICATORS, reported
from .scenario import SCENARIOS, Rules, load_rules, ranking, score
from .template import validate_frame

TDAA_PARTS = ("tdaa1", "tdaa2", "tdaa3")


def _gazetteer() -> pd.DataFrame:
    from ..gazetteer import load_cities

    return load_cities()


@cache
def _city_keys() -> dict[str, str]:
    """Every gazetteer name and variant, as ``names.latin_key``, → city_id (unambiguous only)."""
    hits: dict[str, set[str]] = {}
    for r in _gazetteer().itertuples():
        for name in [r.city_id, r.name_kk, r.name_ru, r.name_en, *str(r.variants).split(";")]:
            if name and name.strip():
                hits.setdefault(latin_key(name), set()).add(r.city_id)
    return {key: ids.pop() for key, ids in hits.items() if len(ids) == 1}


def _town_ids(towns: pd.Series) -> list[str | None]:
    """Gazetteer ``city_id`` of each town given by id or by any of its names, None if unknown.

    A dictionary lookup per town (``names.match_city`` is only asked to explain a miss).
    """
    keys = _city_keys()
    return [keys.get(latin_key(str(t))) for t in towns]


def _unknown_town(town: str, why: str) -> str:
    """Why ``town`` is needed in the gazetteer, with match_city's suggestions."""
    try:
        match_city(town)
    except InputError as exc:
        return f"{exc} — {why}"
    return why


def town_points(result: pd.DataFrame) -> gpd.GeoDataFrame:
    """The assessment as points at the gazetteer's coordinates (for .gpkg/.geojson output)."""
    cities = _gazetteer().set_index("city_id")
    unknown = result.loc[~result["town_id"].isin(cities.index), "town"].tolist()
    if unknown:
        why = "a map layer needs the town's location: write .csv or .xlsx instead"
        raise InputError(_unknown_town(unknown[0], why), column="town")
    geom = cities.loc[result["town_id"], "geometry"].to_numpy()
    return gpd.GeoDataFrame(result.copy(), geometry=list(geom), crs="EPSG:4326")


def _tdaa_parts(df: pd.DataFrame, town_ids: list[str | None], mode: str) -> pd.DataFrame:
    """TDaa1..3 per town and where each row's values came from (input / paper / computed)."""
    if mode not in TDAA_MODES:
        raise InputError(f"tdaa {mode!r}: expected one of {', '.join(TDAA_MODES)}", param="tdaa")
    parts = pd.DataFrame(np.nan, index=df.index, columns=list(TDAA_PARTS))
    evidence = pd.Series("", index=df.index, dtype=object)
    source = pd.Series("", index=df.index, dtype=object)
    given = [c for c in TDAA_PARTS if c in df.columns]
    if given:
        filled = df[given].notna()
        partial = filled.any(axis=1) & ~(filled.all(axis=1) & (len(given) == 3))
        if partial.any():
            i = partial.idxmax()
            raise InputError(
                "fill all three of tdaa1, tdaa2, tdaa3 (to override the computed values) or none",
                path=df.attrs.get("path"),
                row=int(df.at[i, "row"]),
                column="tdaa1",
            )
        has = filled.all(axis=1) if len(given) == 3 else pd.Series(False, index=df.index)
        parts.loc[has] = df.loc[has, list(TDAA_PARTS)].to_numpy()
        source[has] = "input"
    todo = source == ""
    if todo.any() and mode == "paper":
        paper = reported()
        for i in df.index[todo]:
            tid = town_ids[i]
            if tid not in PAPER_TOWNS:
                raise InputError(
                    f"the paper has no TDaa values for {df.at[i, 'town']!r} (only "
                    f"{', '.join(PAPER_TOWNS)}); fill tdaa1..3 or use tdaa='computed'",
                    param="tdaa",
                    path=df.attrs.get("path"),
                    row=int(df.at[i, "row"]),
                    column="town",
                )
            parts.loc[i] = [paper.at[tid, f"{c}_paper"] for c in TDAA_PARTS]
        source[todo] = "paper"
    elif todo.any():
        computed = _computed_tdaa(df.loc[todo], [town_ids[i] for i in df.index[todo]])
        parts.loc[todo] = computed[list(TDAA_PARTS)].to_numpy()
        evidence[todo] = computed["tdaa_evidence"].to_numpy()
        source[todo] = "computed"
    parts["tdaa_source"] = source
    parts["tdaa_evidence"] = evidence
    return parts


def _computed_tdaa(df: pd.DataFrame, town_ids: list[str | None]) -> pd.DataFrame:
    """TDaa1..3 from distances (``agglomeration.score_towns``) with a line of evidence."""
    for (_, r), tid in zip(df.iterrows(), town_ids, strict=True):
        if tid is None:
            why = "TDaa is computed from the town's location: fill tdaa1..3 or use a known name"
            raise InputError(
                _unknown_town(r["town"], why),
                path=df.attrs.get("path"),
                row=int(r["row"]),
                column="town",
            )
    cities = _gazetteer().set_index("city_id").loc[town_ids].reset_index()
    scored = score_towns(gpd.GeoDataFrame(cities, geometry="geometry", crs="EPSG:4326"))
    scored = pd.DataFrame(scored).reset_index(drop=True)
    parts = scored[list(TDAA_PARTS)].astype(float)
    parts["tdaa_evidence"] = [_evidence(r) for _, r in scored.iterrows()]
    return parts


def _evidence(r: pd.Series) -> str:
    """Which cities and corridors decided TDaa1..3, in km."""
    kind = r.get("distance_kind", "geodesic")
    lines = []
    for key, label in (("core_city", "core city"), ("large_city", "large city")):
        km = r.get(f"{key}_km_{kind}")
        if r.get(key) is None or pd.isna(r.get(key)) or km is None or pd.isna(km):
            lines.append(f"no {label} reachable")
        else:
            lines.append(f"{label} {r[key]} {km:.0f} km ({kind})")
    near = r.get("corridors_within")
    has_near = isinstance(near, str) and bool(near)
    lines.append(f"corridors near: {near}" if has_near else "no corridor near")
    return "; ".join(lines)


def assess(
    inputs: pd.DataFrame,
    *,
    tdm_formula: str = "geometric",
    tdaa: str = "computed",
    rules: Rules | str | Path | None = None,
    boundary: str = "upper",
) -> pd.DataFrame:
    """Assess each town (one row per town, the template's columns; see ``read_inputs``).

    Returns ``town, town_id``; each indicator and its ``_level``; the parts
    ``tdzhia1..4``, ``tde``, ``tda``, ``tdaa1..3``, ``tdaa_source`` (input/paper/computed)
    and ``tdaa_evidence`` (for computed ones: cities and km); ``plus_<scenario>``,
    ``reason_<scenario>``, ``scenario_ranking``, ``top_scenario``; and for the paper's
    towns ``<ind>_paper``, ``<ind>_level_paper``, ``<ind>_level_table5``,
    ``plus_<scenario>_paper``, ``scenario_ranking_paper``. ``rules`` is a loaded rule
    set or the path of a rule YAML (default: the shipped ``scenario_rules.yaml``).
    """
    df = validate_frame(inputs.reset_index(drop=True), inputs.attrs.get("path", "<table>"))
    rules = rules if isinstance(rules, Rules) else load_rules(rules)
    town_ids = _town_ids(df["town"])
    named = df.set_index("town", drop=False)  # errors from the formulas name the town
    out = pd.DataFrame({"town": df["town"], "town_id": town_ids})
    values = {
        "tdm": ind.tdm(named, tdm_formula),
        "tde": ind.tde(named),
        "tda": ind.tda(named),
        "tdea": ind.tdea(named),
        "tdda": ind.tdda(named),
    }
    for name, series in values.items():
        out[name] = series.to_numpy()
    shares = ind.tdzhia_shares(named)
    for col in shares:
        out[col] = shares[col].to_numpy()
    out["tdzhia"] = ind.tdzhia(named).to_numpy()
    parts = _tdaa_parts(df, town_ids, tdaa)
    for col in parts:
        out[col] = parts[col].to_numpy()
    out["tdaa"] = ind.tdaa(parts).to_numpy()
    out["tdsp"] = ind.tdsp(named).to_numpy()
    for name in BANDS:
        levels = classify(out[name], name, boundary)
        out.insert(out.columns.get_loc(name) + 1, f"{name}_level", levels)
    out = pd.concat([out, score(out, rules)], axis=1)
    out = _with_paper(out)
    out.attrs.update(tdm_formula=tdm_formula, tdaa=tdaa, boundary=boundary, rules=str(rules.path))
    return out


def _with_paper(out: pd.DataFrame) -> pd.DataFrame:
    """Beside the paper's towns: its reported values, levels, pluses and ranking."""
    paper = reported()
    cols = [c for c in paper.columns if not c.endswith("_decimals")]
    side = paper.reindex(out["town_id"])[cols].reset_index(drop=True)

    is_paper = out["town_id"].isin(PAPER_TOWNS).to_numpy()
    side["scenario_ranking_paper"] = [
        ranking({s: r[f"plus_{s}_paper"] for s in SCENARIOS}) if ok else None
        for ok, (_, r) in zip(is_paper, side.iterrows(), strict=True)
    ]
    order = [c for n in REPORTED_INDICATORS for c in cols if c.startswith(f"{n}_")]
    rest = [c for c in side.columns if c not in order]
    return pd.concat([out, side[order + rest]], axis=1)
