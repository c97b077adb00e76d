"""Indicator tables by region: read published statistics, match their regions, join to maps.

A table is one row per region (plus, often, a national total row) and one column per
indicator, as the Bureau of National Statistics publishes them: CSV (any of ``;`` ``,``
tab ``|``, UTF-8 with or without BOM, or cp1251) or XLSX, numbers in the published format
(``28 414``, ``1 927 439,20``, ``11,3``). See ``docs/indicators.md`` for the rules.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import provenance, tables
from .data import data_path
from .errors import AgglomapError, InputError, bounded
from .numbers import parse_number

SUMMABLE = ("count", "amount")
# A region cell made only of these words is a national total row.
_TOTAL_TEXT = (
    "республика республике республики рк казахстан казахстана всего итого по в целом "
    "қазақстан республикасы бойынша барлығы жалпы қр "
    "republic of the kazakhstan rk total grand all country"
)
TOTAL_WORDS = frozenset(_TOTAL_TEXT.split())
DEFAULT_DATASET = "innovation_2021.csv"
DEFAULT_META = "innovation_2021.meta.json"

_CODE_HEADER = re.compile(r"\b(kato|като|код|code|id|iso)\b", re.IGNORECASE)


def is_total_label(text: object) -> bool:
    """Whether a region cell names the national total ("Республика Казахстан", "Total"…)."""
    if not isinstance(text, str):
        return False
    words = re.sub(r"[^\w]+", " ", text.lower().replace("ё", "е")).split()
    return bool(words) and all(w in TOTAL_WORDS for w in words)


@dataclass
class IndicatorTable:
    """Indicator values by region.

    ``data`` is indexed by ``region_id``; ``region_label`` keeps the region as the file
    wrote it, then one float column per indicator. ``total`` is the national row, if any.
    ``kinds`` says how a column aggregates: ``count``/``amount`` sum, ``rate``/``share``
    do not. ``rows`` maps region_id → row number in the file (header = row 1).
    """

    data: pd.DataFrame
    total: pd.Series | None = None
    source_path: Path | None = None
    units: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    source: provenance.Source | None = None
    labels: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    vintage: str | None = None
    no_data: dict[str, int] = field(default_factory=dict)
    no_data_marks: list[str] = field(default_factory=list)
    empty_columns: list[str] = field(default_factory=list)

    @property
    def value_columns(self) -> list[str]:
        return [c for c in self.data.columns if c in self.kinds]

    def value_column(self, name: str, *, path: str | Path | None = None) -> str:
        """The numeric column ``name`` (case and spacing ignored); InputError when it is
        empty, holds text, or is not there (with suggestions)."""
        where = path if path is not None else self.source_path
        found = tables.find_column(name, self.value_columns)
        if found is not None:
            return found
        other = tables.find_column(name, [str(c) for c in self.data.columns])
        if other is not None and other in self.empty_columns:
            raise InputError(f"column {other!r} is empty: no numbers to map", path=where)
        if other is not None and other != "region_label":
            sample = next((v for v in self.data[other] if v), "")
            raise InputError(
                f"column {other!r} holds text, not numbers (e.g. {sample!r}); numeric "
                f"columns: {tables.quoted(self.value_columns)}",
                path=where,
            )
        raise tables.column_error(name, self.value_columns, path=where, what="numeric column")

    def no_data_note(self) -> str | None:
        """``"3 cells read as no data ('-', 'х', '…'): 3 in 'v'"``, or None if no cell had
        a mark."""
        return no_data_note(self.no_data, self.no_data_marks)


def no_data_note(counts: dict[str, int], marks: list[str]) -> str | None:
    """One line saying how many cells held a "no data" mark, and which marks."""
    n = sum(counts.values())
    if not n:
        return None
    cells = "1 cell" if n == 1 else f"{n} cells"
    per = ", ".join(f"{k} in {c!r}" for c, k in counts.items() if k)
    return f"{cells} read as no data ({', '.join(map(repr, marks))}): {per}"


# ---------------------------------------------------------------- reading files


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# ---------------------------------------------------------------- regions


def _label(cell: object) -> str:
    """A region cell as text; whole numbers (KATO codes read by Excel) without ``.0``."""
    if isinstance(cell, float | np.floating) and float(cell).is_integer():
        return str(int(cell))
    return str(cell).strip()


def _match(label: object, vintage: str | None) -> str | None:
    """region_id for one cell via :mod:`agglomap.names`, or None."""
    from . import names

    if _blank(label):
        return None
    try:
        return names.match_region(_label(label), vintage=vintage)
    except (AgglomapError, LookupError, ValueError):
        return None


def _region_column(frame: pd.DataFrame, given: str | None, path: Path) -> str:
    cols = list(frame.columns)
    if given is not None:
        found = tables.find_column(given, cols)
        if found is None:
            raise tables.column_error(given, cols, path=path, what="region column")
        return found
    if frame.empty:
        raise InputError(
            f"no data rows: the header ({tables.quoted(cols)}) has no rows of regions under it",
            path=path,
        )
    sample = frame.head(40)
    scores = {c: sum(_looks_like_region(v) for v in sample[c]) for c in cols}
    districts = {c: [v for v in sample[c] if _looks_like_district(v)] for c in cols}
    best = max(cols, key=lambda c: scores[c])
    most = max(cols, key=lambda c: len(districts[c]))
    if len(districts[most]) > scores[best]:
        from .names import DISTRICT_JOIN_HINT

        found = districts[most]
        raise InputError(
            f"these look like district names ({len(found)} of the first {len(sample)} rows, "
            f"e.g. {_label(found[0])!r}), not oblast-level regions; {DISTRICT_JOIN_HINT}",
            path=path,
            column=most,
        )
    if scores[best] == 0:
        raise InputError(
            f"no column holds region names or KATO codes (columns: {tables.quoted(cols)}). "
            "Name the region column with region_column=NAME",
            path=path,
            param="region_column",
        )
    return best


def _looks_like_region(cell: object) -> bool:
    """A total label, or a cell :mod:`agglomap.names` matches (numbers other than KATO codes
    are skipped: matching them is slow and never succeeds)."""
    if _blank(cell):
        return False
    text = _label(cell)
    if not re.fullmatch(r"\d{9}", text):
        try:
            parse_number(cell)
            return False
        except ValueError:
            pass
    return is_total_label(text) or _match(text, None) is not None


def _looks_like_district(cell: object) -> bool:
    """A text cell that names no region but a district (:class:`names.DistrictNameError`)."""
    from . import names

    if _blank(cell) or not isinstance(cell, str) or re.fullmatch(r"[\d\s.,%+-]+", cell):
        return False
    try:
        names.match_region(_label(cell))
    except names.DistrictNameError:
        return True
    except (AgglomapError, LookupError, ValueError):
        return False
    return False


def _disambiguate(label: str, rid: str, vintage: str | None) -> str | None:
    """A bare city name beside the same city marked as one ("Алматы" / "Алматы қ") is the oblast."""
    for suffix in (" облысы", " область", " Region"):
        other = _match(label + suffix, vintage)
        if other is not None and other != rid:
            return other
    return None


def _unknown_error(
    path: Path, column: str, labels: list[str], rows: list[int], vintage: str | None
) -> InputError:
    """An error listing every unknown region name, with suggestions from :mod:`agglomap.names`
    (which also says when the names look like districts)."""
    from . import names

    try:
        names.match_regions(labels, path=path, column=column, vintage=vintage, rows=rows)
    except InputError as exc:
        return exc
    return InputError(f"region names {labels!r} could not be matched", path=path, column=column)


# ---------------------------------------------------------------- kinds and units

_MONEY = re.compile(r"тенге|теңге|tenge|kzt|₸|тг\b", re.IGNORECASE)
_RATE = re.compile(
    r"на душу|жан басына|per capita|на 1000|на 100 |per 1000|per 100 |средн|орташа|average|"
    r"mean|плотност|тығыздығы|density|индекс|index|коэффициент|ratio",
    re.IGNORECASE,
)
_SHARE = re.compile(r"дол[яи]|үлес|share", re.IGNORECASE)


def _kind_and_unit(header: str, values: pd.Series) -> tuple[str, str]:
    """Guess how a column aggregates from its header (documented in docs/indicators.md)."""
    if "%" in header or re.search(r"\bpct\b|процент|пайыз", header, re.IGNORECASE):
        return ("share" if _SHARE.search(header) else "rate"), "%"
    if _RATE.search(header):
        return "rate", ""
    if _MONEY.search(header):
        scale = re.search(r"(млрд|млн|тыс|мың|bn|mln|million|thousand)\.?", header, re.IGNORECASE)
        return "amount", f"{scale.group(1)} tenge" if scale else "tenge"
    finite = values.dropna()
    if len(finite) and np.all(np.equal(np.mod(finite.to_numpy(float), 1), 0)):
        return "count", "count"
    return "rate", ""


# ---------------------------------------------------------------- the reader


def _numeric_columns(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Columns where at least half the filled cells are numbers (code columns excepted)."""
    numeric = []
    for c in columns:
        cells = [v for v in frame[c] if not _blank(v)]
        ok = 0
        for v in cells:
            try:
                parse_number(v)
                ok += 1
            except ValueError:
                pass
        if cells and ok * 2 >= len(cells) and not _CODE_HEADER.search(c):
            numeric.append(c)
    return numeric


def _parse_values(
    frame: pd.DataFrame, numeric: list[str], path: Path, row_numbers: list[int]
) -> tuple[pd.DataFrame, dict[str, int], list[str]]:
    """Every cell of the numeric columns as a float; InputError at the first that is not.
    Also how many filled cells per column were a "no data" mark, and the marks seen."""
    columns: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    marks: dict[str, None] = {}
    for c in numeric:  # plain lists, one frame at the end: linear in the number of cells
        counts[c] = 0
        parsed = columns[c] = []
        for pos, v in enumerate(frame[c].tolist()):
            try:
                x = parse_number(v)
            except ValueError as exc:
                large = " (too large for a number)" if "finite" in str(exc) else ""
                raise InputError(
                    f"expected a number, found {str(v).strip()!r}{large}",
                    path=path,
                    row=row_numbers[pos],
                    column=c,
                ) from None
            parsed.append(x)
            if math.isnan(x) and not _blank(v):
                counts[c] += 1
                marks.setdefault(str(v).strip(), None)
    values = pd.DataFrame(columns, index=frame.index, columns=numeric, dtype=float)
    return values, {c: n for c, n in counts.items() if n}, list(marks)


def _untangle(
    labels: pd.Series,
    ids: dict[int, str],
    path: Path,
    column: str,
    rows: list[int],
    vintage: str | None,
) -> None:
    """Refuse two rows naming one region, except a bare city name beside the same city
    marked as one ("Алматы" beside "Алматы қ"): the bare one is the oblast (``ids`` fixed)."""
    by_id: dict[str, list[int]] = {}
    for i, rid in ids.items():
        by_id.setdefault(rid, []).append(i)
    for rid, idx in list(by_id.items()):
        if len(idx) == 2:  # try the shorter (bare) label first
            for i in sorted(idx, key=lambda j: len(_label(labels[j]).split())):
                other = _disambiguate(_label(labels[i]), rid, vintage)
                if other is not None and other not in by_id:
                    ids[i], by_id[other] = other, [i]
                    by_id[rid] = [j for j in idx if j != i]
                    break
        if len(by_id[rid]) > 1:
            same = by_id[rid]
            names = dict.fromkeys(repr(_label(labels[i])) for i in same)  # distinct spellings
            raise InputError(
                f"rows {bounded((rows[i] for i in same), what='rows')} all name region "
                f"{rid} ({bounded(names, limit=5)})",
                path=path,
                column=column,
            )


def read_indicators(
    path: str | Path,
    *,
    region_column: str | None = None,
    sheet: str | int | None = None,
    vintage: str | None = None,
) -> IndicatorTable:
    """Read a CSV or XLSX table of indicators by region (rules in ``docs/indicators.md``)."""
    from .regions import check_vintage, load_regions

    path = Path(path)
    vintage = check_vintage(vintage) if vintage is not None else None
    raw = tables.read_table(path, sheet=sheet)
    frame, row_numbers = raw.frame, raw.rows
    col = _region_column(frame, region_column, path)
    others = [c for c in frame.columns if c != col]
    numeric = _numeric_columns(frame, others)
    values, no_data, marks = _parse_values(frame, numeric, path, row_numbers)
    empty = [c for c in others if c not in numeric and all(_blank(v) for v in frame[c])]

    total, ids, unknown = None, {}, []
    known: dict[object, tuple[bool, str | None]] = {}  # each distinct label matched once
    filled = values.notna().any(axis=1).to_numpy() if len(values.columns) else None
    for i, label in frame[col].items():
        if label not in known:
            known[label] = (is_total_label(label), None)
            if not known[label][0]:
                known[label] = (False, _match(label, vintage))
        is_total, rid = known[label]
        if is_total:
            if total is None:
                total = values.loc[i].rename(_label(label))
            continue
        if rid is not None:
            ids[i] = rid
        elif filled is not None and filled[i]:
            unknown.append(i)
        # else: a note or a blank line below the table
    if unknown:
        raise _unknown_error(
            path,
            col,
            [_label(frame.at[i, col]) for i in unknown],
            [row_numbers[i] for i in unknown],
            vintage,
        )
    _untangle(frame[col], ids, path, col, row_numbers, vintage)

    keep = list(ids)
    kept_values, kept_cells = values.loc[keep], frame.loc[keep]
    cells: dict[str, Any] = {"region_label": [_label(frame.at[i, col]) for i in keep]}
    for c in others:  # built as one frame: inserting column by column is quadratic
        if c in numeric:
            cells[c] = kept_values[c].to_numpy(float)
        else:
            cells[c] = [None if _blank(v) else str(v).strip() for v in kept_cells[c]]
    data = pd.DataFrame(cells, index=pd.Index([ids[i] for i in keep], name="region_id"))
    kinds, units = {}, {}
    for c in numeric:  # the total row counts too: the regions may all be "no data"
        seen = data[c] if total is None else pd.concat([data[c], total[[c]]])
        kinds[c], units[c] = _kind_and_unit(c, seen)
    if vintage is None:
        only_2022 = set(load_regions().query("vintages == '2022'")["region_id"])
        vintage = "2022" if only_2022 & set(data.index) else "2018"
    return IndicatorTable(
        data=data,
        total=total,
        source_path=path,
        units=units,
        kinds=kinds,
        labels={c: c for c in numeric},
        rows={ids[i]: row_numbers[i] for i in keep},
        vintage=vintage,
        no_data=no_data,
        no_data_marks=marks,
        empty_columns=empty,
    )


def default_indicators() -> IndicatorTable:
    """The shipped 2021 innovation table (table 1 of the innovation paper,
    :data:`agglomap.references.INNOVATION_PAPER`), columns under English keys."""
    meta = json.loads(data_path(DEFAULT_META).read_text(encoding="utf-8"))
    table = read_indicators(
        data_path(DEFAULT_DATASET), region_column=meta["region_column"], vintage=meta["vintage"]
    )
    spec = meta["columns"]
    rename = {header: s["key"] for header, s in spec.items()}
    table.data = table.data.rename(columns=rename)
    if table.total is not None:
        table.total = table.total.rename(rename)
    table.units = {s["key"]: s["unit"] for s in spec.values()}
    table.kinds = {s["key"]: s["kind"] for s in spec.values()}
    table.labels = {s["key"]: header for header, s in spec.items()}
    table.source = provenance.INNOVATION_2021
    return table


# ---------------------------------------------------------------- join


@dataclass
class TotalCheck:
    """A count/amount column's national total against the sum of its regions; ``n_no_data``
    regions of the table had no value (their share is missing from the sum)."""

    column: str
    total: float
    regions_sum: float
    n_no_data: int = 0

    @property
    def difference(self) -> float:
        return self.regions_sum - self.total

    @property
    def relative(self) -> float:
        return self.difference / self.total if self.total else math.nan


@dataclass
class JoinReport:
    """What a join matched, what it left out, and how the regions add up to the total."""

    vintage: str
    n_regions: int
    n_rows: int
    unmatched_rows: list[str] = field(default_factory=list)
    regions_without_data: list[str] = field(default_factory=list)
    # regions that have a row but an empty cell, per value column (no-data marks included)
    empty_values: dict[str, list[str]] = field(default_factory=dict)
    changed_extent: list[str] = field(default_factory=list)
    total_checks: list[TotalCheck] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    boundary_file: str | None = None  # a user's boundary file, when one was joined onto
    no_data: dict[str, int] = field(default_factory=dict)  # "no data" marks per column
    no_data_marks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unmatched_rows and not self.regions_without_data

    def _name(self, rid: str) -> str:
        return f"{self.names.get(rid, rid)} ({rid})"

    def __str__(self) -> str:
        matched = self.n_rows - len(self.unmatched_rows)
        out = [
            f"Joined {matched} of {self.n_rows} table rows onto {self.n_regions} regions "
            f"({self.vintage} layout)."
        ]
        if self.regions_without_data:
            out.append(
                f"Regions without data ({len(self.regions_without_data)}): "
                + ", ".join(self._name(r) for r in self.regions_without_data)
            )
        for column, rids in self.empty_values.items():
            out.append(
                f"No value in {column!r} for {len(rids)} region(s) with a row: "
                + ", ".join(self._name(r) for r in rids)
            )
        if self.unmatched_rows:
            where = (
                f"your boundary file {self.boundary_file}"
                if self.boundary_file
                else f"the {self.vintage} layout"
            )
            out.append(
                f"Table rows not in {where} ({len(self.unmatched_rows)}): "
                + "; ".join(self.unmatched_rows)
            )
        if self.changed_extent:
            out.append(
                "Values of "
                + ", ".join(self._name(r) for r in self.changed_extent)
                + " describe the region in the table's layout, whose extent differs from "
                f"the {self.vintage} polygon (see the crosswalk in docs/indicators.md)."
            )
        if note := no_data_note(self.no_data, self.no_data_marks):
            out.append(note[0].upper() + note[1:] + ".")
        for chk in self.total_checks:
            line = f"{chk.column}: national total {_fmt(chk.total)}"
            if math.isnan(chk.regions_sum):
                out.append(f"{line}; no region has data")
                continue
            line += f", sum of regions {_fmt(chk.regions_sum)}"
            if chk.difference == 0:
                notes = ["equal"]
            else:
                rel = "rounding" if abs(chk.relative) < 1e-4 else f"{chk.relative:+.2%}"
                notes = [f"difference {_fmt(chk.difference, sign=True)}", rel]
            if chk.n_no_data:
                n = chk.n_no_data
                notes.append(f"{n} region{'s' if n > 1 else ''} without data")
            out.append(f"{line} ({', '.join(notes)})")
        return "\n".join(out)


def _fmt(x: float, sign: bool = False) -> str:
    """``1234567.8`` → ``1 234 567.8`` (at most two decimals)."""
    text = f"{x:{'+' if sign else ''},.2f}".replace(",", " ")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _layout_of(ids: set[str]) -> str:
    from .regions import load_regions

    only_2022 = set(load_regions().query("vintages == '2022'")["region_id"])
    return "2022" if ids & only_2022 else "2018"


def join(
    table: IndicatorTable, boundaries: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, JoinReport]:
    """Left-join ``table`` onto the boundary layer: every region kept, NaN where no data."""
    from .regions import load_regions

    regions = load_regions().set_index("region_id")
    ids = list(boundaries["region_id"])
    if "vintage" in boundaries.columns and len(boundaries):
        vintage = str(boundaries["vintage"].iloc[0])
    else:
        vintage = _layout_of(set(ids))
    data = table.data.reset_index()
    source_path = boundaries.attrs.get("source_path")  # merge drops attrs: read them first
    joined = boundaries.merge(data, on="region_id", how="left", suffixes=("", "_table"))
    joined = gpd.GeoDataFrame(joined, geometry=boundaries.geometry.name, crs=boundaries.crs)
    joined.attrs.update(units=dict(table.units), kinds=dict(table.kinds), labels=dict(table.labels))

    inside = data["region_id"].isin(ids)
    unmatched = [
        f"{lab!r} ({rid}" + (f", row {table.rows[rid]})" if rid in table.rows else ")")
        for rid, lab in zip(
            data.loc[~inside, "region_id"], data.loc[~inside, "region_label"], strict=True
        )
    ]
    without = [r for r in ids if r not in set(data["region_id"])]
    present = table.data[table.data.index.isin(ids)]
    empty = {
        c: [str(r) for r in present.index[present[c].isna()]]
        for c in table.value_columns
        if present[c].isna().any()
    }
    changed: list[str] = []
    if table.vintage and table.vintage != vintage:
        parents = set(regions.loc[regions["vintages"] == "2022", "unit_2018"])
        changed = [r for r in ids if r in parents and r in set(data["region_id"])]
    checks = []
    if table.total is not None:
        for c in table.value_columns:
            if table.kinds.get(c) in SUMMABLE and c in table.total.index:
                tot = float(table.total[c])
                if not math.isnan(tot):
                    col = table.data[c]
                    checks.append(
                        TotalCheck(c, tot, float(col.sum(min_count=1)), int(col.isna().sum()))
                    )
    report = JoinReport(
        vintage=vintage,
        n_regions=len(ids),
        n_rows=len(data),
        unmatched_rows=unmatched,
        regions_without_data=without,
        empty_values=empty,
        changed_extent=changed,
        total_checks=checks,
        names={r: regions.at[r, "name_en"] for r in regions.index},
        boundary_file=str(source_path) if source_path else None,
        no_data=dict(table.no_data),
        no_data_marks=list(table.no_data_marks),
    )
    return joined, report
