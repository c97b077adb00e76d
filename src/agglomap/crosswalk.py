"""Move indicator values between the 2018 and 2022 regional layouts.

In June 2022 three regions were carved out of three oblasts: Abai (KZ-10) out of East
Kazakhstan (KZ-63), Jetisu (KZ-33) out of Almaty Region (KZ-19) and Ulytau (KZ-62) out of
Karaganda (KZ-35); every other unit kept its extent. ``unit_2018`` in the region table maps
each 2022 unit to the 2018 unit it lies in; ``crosswalk_districts.csv`` lists the districts
and cities of oblast significance that moved (see ``docs/indicators.md``).

Counts and money amounts add up over the map, rates and shares do not: a rate of a merged
region must be recomputed from its numerator and denominator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .data import read_csv
from .errors import InputError, suggest
from .regions import check_vintage, load_regions
from .tables import column_error

SUMMABLE = ("count", "amount")
RATIOS = ("rate", "share")
DISTRICT_COLUMNS = (
    "district_id",
    "kind",
    "name_kk",
    "name_ru",
    "name_en",
    "aliases",
    "region_2018",
    "region_2022",
    "note",
)
Ratio = tuple[str, str, float]


def load_districts() -> pd.DataFrame:
    """The districts and cities that moved to Abai, Jetisu and Ulytau regions in June 2022."""
    return read_csv("crosswalk_districts.csv", DISTRICT_COLUMNS)


def unit_2018() -> dict[str, str]:
    """Each 2022 region_id → the 2018 region_id it lies in (identity for unchanged units)."""
    table = load_regions()
    in_2022 = table[table["vintages"].str.contains("2022")]
    return dict(zip(in_2022["region_id"], in_2022["unit_2018"], strict=True))


def _normal(text: str) -> str:
    """Lower case, ё → е, without the words district/city/region in kk, ru and en."""
    text = text.lower().replace("ё", "е")
    text = re.sub(r"\b(district|city|region|ауданы|қаласы|район|город|г)\b\.?", " ", text)
    return re.sub(r"[^\w]+", " ", text).strip()


def district_names(row: Mapping[str, str]) -> set[str]:
    """Every normalised spelling of one crosswalk row (kk, ru, en and aliases)."""
    spellings = [row["name_kk"], row["name_ru"], row["name_en"], *row["aliases"].split(";")]
    return {_normal(s) for s in spellings if s.strip()}


def match_district(name: str) -> str:
    """``district_id`` of a moved district or city by any of its names; InputError if none."""
    key = _normal(name)
    districts = load_districts()
    for _, row in districts.iterrows():
        if key in district_names(row):
            return row["district_id"]
    everything = [n for _, row in districts.iterrows() for n in (row["name_en"], row["name_ru"])]
    hint = suggest(name, everything)
    raise InputError(
        f"{name!r} is not one of the districts that moved in 2022"
        + (f"; did you mean {', '.join(map(repr, hint))}?" if hint else "")
    )


def _kinds_for(value_columns: list[str], kinds: Mapping[str, str] | str) -> dict[str, str]:
    if isinstance(kinds, str):
        return dict.fromkeys(value_columns, kinds)
    missing = [c for c in value_columns if c not in kinds]
    if missing:
        raise InputError(
            f"no kind given for {missing}; say for each column whether it is a count, "
            "amount, rate or share"
        )
    return {c: kinds[c] for c in value_columns}


def _keyed(df: pd.DataFrame, vintage: str) -> pd.DataFrame:
    """``df`` indexed by region_id (from its index or a ``region_id`` column), checked."""
    frame = df.set_index("region_id") if "region_id" in df.columns else df
    ids = load_regions()
    valid = set(ids[ids["vintages"].str.contains(vintage)]["region_id"])
    unknown = [r for r in frame.index if r not in valid]
    if unknown:
        raise InputError(
            f"region ids {unknown} are not units of the {vintage} layout "
            f"({len(valid)} units: {', '.join(sorted(valid))})"
        )
    if frame.index.has_duplicates:
        dup = sorted(set(frame.index[frame.index.duplicated()]))
        raise InputError(f"region ids {dup} appear more than once")
    return frame


def _check_columns(frame: pd.DataFrame, cols: list[str]) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        more = f" (nor {', '.join(map(repr, missing[1:]))})" if missing[1:] else ""
        err = column_error(missing[0], [str(c) for c in frame.columns])
        raise InputError(err.message + more, column=missing[0])


def _split_columns(
    value_columns: list[str], kinds: dict[str, str], ratios: Mapping[str, Ratio]
) -> tuple[list[str], dict[str, Ratio]]:
    """Summable columns, and rate columns to recompute; refuse any other rate/share."""
    refused = [c for c in value_columns if kinds[c] in RATIOS and c not in ratios]
    if refused:
        raise InputError(
            f"cannot re-aggregate {', '.join(map(repr, refused))}: "
            f"{'they are rates or shares' if len(refused) > 1 else 'it is a rate or share'}, "
            "and a rate of merged regions is not the sum (nor the mean) of their rates. "
            "Recompute it from its numerator and denominator: pass ratios="
            "{column: (numerator, denominator, scale)}, e.g. "
            "{'innovative_share_grp_pct': ('innovative_product_mln_kzt', 'grp_mln_kzt', 100)}"
        )
    unknown = [c for c in value_columns if kinds[c] not in SUMMABLE + RATIOS]
    if unknown:
        raise InputError(
            f"unknown kind for {unknown}: {[kinds[c] for c in unknown]}; "
            "use count, amount, rate or share"
        )
    sums = [c for c in value_columns if kinds[c] in SUMMABLE]
    recompute = {c: ratios[c] for c in value_columns if kinds[c] in RATIOS}
    for col, (num, den, _) in recompute.items():
        for part in (num, den):
            if part not in sums:
                raise InputError(
                    f"{col!r} is recomputed from {num!r} / {den!r}, so {part!r} must be among "
                    "the value columns, as a count or amount"
                )
    return sums, recompute


def _with_ratios(out: pd.DataFrame, recompute: Mapping[str, Ratio]) -> pd.DataFrame:
    for col, (num, den, scale) in recompute.items():
        denominator = out[den].where(out[den] != 0)
        out[col] = out[num] / denominator * scale
    return out


def reaggregate(
    df: pd.DataFrame,
    value_columns: list[str],
    kinds: Mapping[str, str] | str,
    *,
    from_vintage: str = "2022",
    to_vintage: str = "2018",
    ratios: Mapping[str, Ratio] | None = None,
    districts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Values by region in ``from_vintage``'s layout → the same values in ``to_vintage``'s.

    ``df`` is keyed by ``region_id`` (index or column). 2022 → 2018 sums count and amount
    columns over the units each 2018 region comprises; a 2018 region with any constituent
    missing (or NaN) is NaN, never a partial sum. Rate/share columns are refused unless
    ``ratios`` names how to recompute them: ``{column: (numerator, denominator, scale)}``.

    2018 → 2022 needs the moved part of each split oblast: ``districts`` holds one row per
    moved district or city (column ``district``, any of its names in
    ``crosswalk_districts.csv``) with the same value columns. A new region is the sum of its
    districts; its parent oblast keeps the rest.
    """
    source, target = check_vintage(from_vintage), check_vintage(to_vintage)
    value_columns = list(value_columns)
    kinds = _kinds_for(value_columns, kinds)
    sums, recompute = _split_columns(value_columns, kinds, ratios or {})
    frame = _keyed(df, source)
    _check_columns(frame, value_columns)
    values = frame[sums].astype(float)
    if source == target:
        return _with_ratios(values.copy(), recompute)[value_columns]
    if source == "2022":
        out = _to_2018(values)
    else:
        if districts is None:
            raise InputError(
                "cannot split 2018 regions into the 2022 layout without district data: "
                "East Kazakhstan, Almaty Region and Karaganda each lost part of their "
                "territory to Abai, Jetisu and Ulytau in June 2022. Pass the values of the "
                "moved districts (districts=..., see crosswalk_districts.csv) or use the "
                "2018 boundaries"
            )
        out = _to_2022(values, districts, sums)
    return _with_ratios(out, recompute)[value_columns]


def _to_2018(values: pd.DataFrame) -> pd.DataFrame:
    parent = unit_2018()
    units = load_regions()
    order = list(units[units["vintages"].str.contains("2018")]["region_id"])
    full = values.reindex([r for r in parent])  # every 2022 unit; absent ones are NaN
    keys = full.index.map(parent)
    summed = full.groupby(keys).sum(min_count=1)
    incomplete = full.isna().groupby(keys).any()
    return summed.mask(incomplete).reindex(order).rename_axis("region_id")


def _to_2022(values: pd.DataFrame, districts: pd.DataFrame, sums: list[str]) -> pd.DataFrame:
    if "district" not in districts.columns:
        raise InputError(
            f"district data needs a 'district' column; columns are {list(districts.columns)}"
        )
    _check_columns(districts, sums)
    moved = load_districts().set_index("district_id")
    ids = [match_district(str(n)) for n in districts["district"]]
    given = districts.assign(district_id=ids).set_index("district_id")[sums].astype(float)
    if given.index.has_duplicates:
        dup = sorted(set(given.index[given.index.duplicated()]))
        raise InputError(f"districts {dup} appear more than once in the district data")
    absent = [d for d in moved.index if d not in given.index]
    if absent:
        raise InputError(
            "district data is incomplete; every moved district or city is needed, missing: "
            + ", ".join(moved.loc[absent, "name_en"])
        )
    given = given.join(moved[["region_2018", "region_2022"]])
    parent = unit_2018()
    order = list(parent)
    out = pd.DataFrame(index=pd.Index(order, name="region_id"), columns=sums, dtype=float)
    full = values.reindex(sorted(set(parent.values())))
    for rid, old in parent.items():
        out.loc[rid] = full.loc[old].to_numpy()
    new = given.groupby("region_2022")[sums].sum(min_count=1)
    lost = given.groupby("region_2018")[sums].sum(min_count=1)
    out.loc[new.index] = new.to_numpy()
    rest = full.loc[lost.index] - lost
    negative = rest.lt(0) & ~np.isclose(rest, 0)
    if negative.to_numpy().any():
        bad = rest[negative.any(axis=1)].index.tolist()
        raise InputError(
            f"the moved districts add up to more than their 2018 oblast for {bad}; "
            "check that district and oblast values are for the same year and indicator"
        )
    out.loc[rest.index] = rest.to_numpy()
    return out
