"""District-level indicator tables: match rows to the 216 (2018) / 224 (2022) units.

A district-level unit is a district (аудан, район), a city administration of a city of
oblast significance (қ.ә., г.а.: the city with the villages it administers), or a district
of Astana, Almaty or Shymkent. The units are geokz's adm2 layer
(:func:`agglomap.boundaries.load_boundaries` with ``level="district"``); their kind is read
from the KATO code (:func:`unit_kind`).

A row is matched

* by a KATO code (9 digits, or a shorter prefix naming one unit, ``351000`` → ``351000000``)
  in a code column or in the name column, else
* by its name in Kazakh, Russian or English, with or without the decorations tables write
  ("район", "ауданы", "р-н", "district", "г.", "г.а.", "қ.ә.", "city administration"),
  narrowed to one oblast by an oblast column, or by the oblast header row above it (the
  Bureau of National Statistics' layout: an oblast row, then its districts).

Oblast rows (headers) and the national row are set aside; their count and amount columns
are checked against the sum of their units (reported, never fatal). A name shared by
units of several oblasts with nothing to tell them apart is an :class:`InputError` naming
every candidate and the three ways to resolve it. Rules: ``docs/indicators.md``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import names, tables
from .errors import AgglomapError, InputError, suggest
from .indicators import (
    SUMMABLE,
    IndicatorTable,
    TotalCheck,
    _fmt,
    _kind_and_unit,
    _numeric_columns,
    _parse_values,
    is_total_label,
    no_data_note,
)
from .numbers import is_number_text
from .regions import check_vintage, regions_for

DISTRICT = "district"  # a district (аудан / район)
CITY = "city"  # a city administration (қ.ә. / г.а.)
CITY_DISTRICT = "city_district"  # a district of Astana, Almaty or Shymkent
KINDS = (DISTRICT, CITY, CITY_DISTRICT)
CITY_REGIONS = frozenset({"KZ-71", "KZ-75", "KZ-79"})  # cities of republican significance
VINTAGES = ("2022", "2018")  # the order tried when a table names no layout
RESOLVE_HINT = (
    "add an oblast column, a KATO code column, or the oblast's header row above its districts"
)
_CODE = re.compile(r"\d{2,9}")
_ADJECTIVE = re.compile(r"(ский|цкий|ской)$", re.IGNORECASE)


def unit_kind(kato: str, region_id: str, name_ru: str) -> str:
    """``"city_district"`` in Astana, Almaty and Shymkent; ``"city"`` for a city
    administration (KATO district digits 10-31, the range of cities of oblast significance,
    and a noun name: Жанасемейский, carved from Semey in 2022, keeps a city code but is a
    district); else ``"district"``."""
    if region_id in CITY_REGIONS:
        return CITY_DISTRICT
    if int(str(kato)[2:4]) < 32 and not _ADJECTIVE.search(str(name_ru).strip()):
        return CITY
    return DISTRICT


def _variants(name: str) -> list[str]:
    """A geokz name and its repaired spelling ("Енбекшинскийский" → "Енбекшинский")."""
    out = [name]
    fixed = re.sub(r"(ский)ский$|(ский)йский$|скийский$", "ский", name)
    if fixed != name:
        out.append(fixed)
    return out


@dataclass(frozen=True)
class Unit:
    district_id: str
    kato: str
    region_id: str
    kind: str
    name_en: str


@dataclass(frozen=True)
class UnitIndex:
    """The units of one layout and their name keys (exact and Latin)."""

    vintage: str
    units: dict[str, Unit]
    exact: dict[str, tuple[str, ...]]
    latin: dict[str, tuple[str, ...]]
    by_kato: dict[str, str]
    spellings: dict[str, str]  # a spelling → district_id, for suggestions

    def by_name(self, text: str) -> tuple[list[str], str | None]:
        """Candidate district_ids for a name, narrowed by its decoration, and that kind."""
        key, kind = names.parse_unit_name(text)
        if not key or kind == names.OBLAST:
            return [], kind
        ids = self.exact.get(key) or self.latin.get(names.unit_latin_key(key)) or ()
        found = list(ids)
        if kind == CITY:
            found = [d for d in found if self.units[d].kind == CITY] or found
        elif kind == DISTRICT:
            found = [d for d in found if self.units[d].kind != CITY] or found
        return found, kind

    def by_code(self, digits: str) -> str | None:
        """The unit of a KATO code: 9 digits, or fewer read as a prefix (zero-padded first,
        then any unit whose code starts with them, if only one does)."""
        if digits in self.by_kato:
            return self.by_kato[digits]
        padded = digits.ljust(9, "0")
        if padded in self.by_kato:
            return self.by_kato[padded]
        starts = [d for k, d in self.by_kato.items() if k.startswith(digits)]
        return starts[0] if len(starts) == 1 else None

    def suggestions(self, text: str, n: int = 3) -> list[str]:
        key = names.parse_unit_name(text)[0]
        keyed: dict[str, str] = {}
        for spelling in self.spellings:
            keyed.setdefault(names.parse_unit_name(spelling)[0], spelling)
        return [keyed[k] for k in suggest(key, list(keyed), n=n)]

    def label(self, district_id: str) -> str:
        u = self.units[district_id]
        return f"{u.name_en} ({_region_name(u.region_id)}, KATO {u.kato})"


def load_units(vintage: str | int = "2022") -> pd.DataFrame:
    """The district-level units of a layout without geometry: ``district_id, kato, name_kk,
    name_ru, name_en, region_id, kind, area_km2``."""
    from .boundaries import load_boundaries

    layer = load_boundaries(vintage, "district")
    frame = pd.DataFrame(layer.drop(columns="geometry"))
    frame["kind"] = [
        unit_kind(k, r, n)
        for k, r, n in zip(frame["kato"], frame["region_id"], frame["name_ru"], strict=True)
    ]
    return frame


def unit_index(vintage: str | int = "2022") -> UnitIndex:
    """The name and code index of one layout's units (cached per sources folder)."""
    from .sources import local_dir

    folder = local_dir()
    return _unit_index(check_vintage(vintage), None if folder is None else str(folder.resolve()))


@lru_cache(maxsize=4)
def _unit_index(vintage: str, folder: str | None) -> UnitIndex:
    from .gazetteer import load_cities

    frame = load_units(vintage)
    units: dict[str, Unit] = {}
    exact: dict[str, list[str]] = {}
    latin: dict[str, list[str]] = {}
    spellings: dict[str, str] = {}

    def add(spelling: str, did: str) -> None:
        key = names.parse_unit_name(spelling)[0]
        if not key:
            return
        for table, k in ((exact, key), (latin, names.unit_latin_key(key))):
            bucket = table.setdefault(k, [])
            if did not in bucket:
                bucket.append(did)
        spellings.setdefault(spelling, did)

    for row in frame.itertuples():
        units[row.district_id] = Unit(
            row.district_id, row.kato, row.region_id, row.kind, row.name_en
        )
        for name in (row.name_kk, row.name_ru, row.name_en):
            for spelling in _variants(str(name)):
                add(spelling, row.district_id)
    # city administrations also answer to the gazetteer's names of their city (Қонаев,
    # Капшагай, Ust-Kamenogorsk …), where the city lies in the same oblast
    region_col = f"region_{vintage}"
    cities = load_cities()
    for city in cities.itertuples():
        spelled = [
            city.name_kk,
            city.name_ru,
            city.name_en,
            *filter(None, city.variants.split(";")),
        ]
        keys = {names.parse_unit_name(s)[0] for s in spelled}
        for did, unit in units.items():
            if unit.kind != CITY or unit.region_id != getattr(city, region_col):
                continue
            own = {names.parse_unit_name(n)[0] for n in _unit_names(frame, did)}
            if own & keys:
                for s in spelled:
                    add(s, did)
    return UnitIndex(
        vintage=vintage,
        units=units,
        exact={k: tuple(v) for k, v in exact.items()},
        latin={k: tuple(v) for k, v in latin.items()},
        by_kato={u.kato: d for d, u in units.items()},
        spellings=spellings,
    )


def _unit_names(frame: pd.DataFrame, did: str) -> list[str]:
    row = frame.loc[frame["district_id"] == did].iloc[0]
    return [str(row["name_kk"]), str(row["name_ru"]), str(row["name_en"])]


@lru_cache(maxsize=4)
def _region_labels() -> dict[str, str]:
    out = {}
    for v in ("2018", "2022"):
        for r in regions_for(v).itertuples():
            out[r.region_id] = f"{r.name_en} ({r.region_id})"
    return out


def _region_name(region_id: str) -> str:
    return _region_labels().get(region_id, region_id)


# ---------------------------------------------------------------- the table


@dataclass
class DistrictTable(IndicatorTable):
    """Indicator values by district-level unit.

    ``data`` is indexed by ``district_id`` with ``unit_label`` (the row as written) and
    ``region_id``; ``region_totals`` holds the oblast rows (headers) by ``region_id``,
    ``total`` the national row. ``rows`` maps district_id → file row.
    """

    region_totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    region_rows: dict[str, int] = field(default_factory=dict)
    level: str = "district"
    how: str = ""  # "KATO codes", "names", "names under oblast header rows", …


@dataclass
class _Row:
    i: int  # frame index
    row: int  # file row
    label: str
    kind: str  # "total" / "region" / "unit" / "note"
    target: str | None = None  # region_id or district_id


def _cell(value: object) -> str:
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _digits(text: str) -> str | None:
    compact = re.sub(r"[\s\u00a0]", "", text)
    return compact if _CODE.fullmatch(compact) else None


def _region_of(text: str, vintage: str) -> str | None:
    """region_id of an oblast-level name or code in the layout, or None."""
    if not text:
        return None
    digits = _digits(text)
    if digits is not None:
        if len(digits) == 9 and digits.endswith("0000000"):
            digits = digits[:2]
        if len(digits) != 2:
            return None
    try:
        rid = names.match_region(text, vintage=vintage)
    except (AgglomapError, LookupError, ValueError):
        return None
    return rid


def _code_column(frame: pd.DataFrame, given: str | None, path: Path) -> str | None:
    cols = [str(c) for c in frame.columns]
    if given is not None:
        found = tables.find_column(given, cols)
        if found is None:
            raise tables.column_error(given, cols, path=path, what="KATO column")
        return found
    best, best_n = None, 0
    for c in cols:
        cells = [_cell(v) for v in frame[c] if _cell(v)]
        codes = [v for v in cells if (d := _digits(v)) and len(d) >= 4]
        named = re.search(r"kato|като|code|код", c, re.IGNORECASE)
        nine = all(len(_digits(v) or "") == 9 for v in codes)
        if cells and len(codes) * 5 >= 4 * len(cells) and len(codes) > best_n and (named or nine):
            best, best_n = c, len(codes)
    return best


def _name_score(frame: pd.DataFrame, column: str, index: UnitIndex, vintage: str) -> float:
    """How many of the first cells name a unit (a region name or total row counts a little:
    a column of oblast names beside the unit names is not the unit column)."""
    n = 0.0
    for v in frame[column].head(80):
        text = _cell(v)
        if not text or _digits(text) or is_number_text(text):
            continue
        if index.by_name(text)[0]:
            n += 1
        elif _region_of(text, vintage) or is_total_label(text):
            n += 0.1
    return n


def _label_column(
    frame: pd.DataFrame, given: str | None, path: Path, index: UnitIndex, vintage: str
) -> str | None:
    cols = [str(c) for c in frame.columns]
    if given is not None:
        found = tables.find_column(given, cols)
        if found is None:
            raise tables.column_error(given, cols, path=path, what="district column")
        return found
    scores = {c: _name_score(frame, c, index, vintage) for c in cols}
    best = max(cols, key=lambda c: scores[c]) if cols else None
    return best if best is not None and scores[best] > 0 else None


def _oblast_column(
    frame: pd.DataFrame, skip: set[str], vintage: str, label_col: str | None
) -> str | None:
    """A column where most filled cells name an oblast-level region (not the name column)."""
    for c in frame.columns:
        c = str(c)
        if c in skip:
            continue
        cells = [_cell(v) for v in frame[c] if _cell(v)]
        if not cells or is_number_text(cells[0]):
            continue
        hits = sum(_region_of(v, vintage) is not None for v in cells[:80])
        if hits * 5 >= 4 * min(len(cells), 80) and len(set(cells)) > 1:
            return c
    return None


class _Matcher:
    """Rows → units for one layout; problems collected rather than raised."""

    def __init__(self, index: UnitIndex, vintage: str) -> None:
        self.index = index
        self.vintage = vintage
        self.unknown: list[tuple[int, str]] = []
        self.ambiguous: list[tuple[int, str, list[str]]] = []
        self.elsewhere: list[tuple[int, str, str, list[str]]] = []
        self.used_headers = False

    def problems(self) -> int:
        return len(self.unknown) + len(self.ambiguous) + len(self.elsewhere)

    def code(self, digits: str, row: int, label: str) -> tuple[str, str | None]:
        if len(digits) == 2 or (len(digits) == 9 and digits.endswith("0000000")):
            rid = _region_of(digits, self.vintage)
            if rid is not None:
                return "region", rid
        did = self.index.by_code(digits)
        if did is None:
            self.unknown.append((row, label or digits))
            return "unit", None
        return "unit", did

    def name(
        self, text: str, row: int, header: str | None, given_region: str | None
    ) -> tuple[str, str | None]:
        cands, kind = self.index.by_name(text)
        rid = None if kind == DISTRICT else _region_of(text, self.vintage)
        context = given_region or header
        local = [d for d in cands if self.index.units[d].region_id == context] if context else []
        if rid is not None:
            if kind == names.OBLAST or not cands:
                return "region", rid
            if rid in CITY_REGIONS and (kind == CITY or not local):
                return "region", rid
        if not cands:
            self.unknown.append((row, text))
            return "unit", None
        if context:
            if not local:
                self.elsewhere.append((row, text, context, cands))
                return "unit", None
            if given_region is None:
                self.used_headers = True
            cands = local
        if len(cands) > 1:
            cities = [d for d in cands if self.index.units[d].kind == CITY]
            if (
                kind is None
                and len(cities) == 1
                and len({self.index.units[d].region_id for d in cands}) == 1
            ):
                return "unit", cities[0]
            self.ambiguous.append((row, text, cands))
            return "unit", None
        return "unit", cands[0]


def read_district_indicators(
    path: str | Path,
    *,
    region_column: str | None = None,
    code_column: str | None = None,
    sheet: str | int | None = None,
    vintage: str | None = None,
) -> DistrictTable:
    """Read a CSV or XLSX table of indicators by district-level unit.

    ``region_column`` names the column with the unit names and ``code_column`` the KATO
    codes (both detected when not given). ``vintage`` is the layout of the table's units;
    by default the one (2022 tried first) in which every row matches. Raises
    :class:`InputError` for unknown names (with suggestions), ambiguous names (naming the
    candidate oblasts and how to resolve them) and two rows naming one unit.
    """
    path = Path(path)
    raw = tables.read_table(path, sheet=sheet)
    frame, row_numbers = raw.frame, raw.rows
    if frame.empty:
        raise InputError("no data rows under the header", path=path)
    tries = [check_vintage(vintage)] if vintage is not None else list(VINTAGES)
    best: tuple[int, DistrictTable | InputError] | None = None
    for v in tries:
        try:
            table = _read(frame, row_numbers, path, v, region_column, code_column)
        except InputError as exc:
            score = getattr(exc, "n_problems", 10**6)
            if best is None or score < best[0]:
                best = (score, exc)
            continue
        return table
    assert best is not None
    raise best[1]


def _read(
    frame: pd.DataFrame,
    row_numbers: list[int],
    path: Path,
    vintage: str,
    region_column: str | None,
    code_column: str | None,
) -> DistrictTable:
    index = unit_index(vintage)
    code_col = _code_column(frame, code_column, path)
    label_col = _label_column(
        frame.drop(columns=[code_col]) if code_col else frame, region_column, path, index, vintage
    )
    if code_col is None and label_col is None:
        raise InputError(
            "no column holds district names or KATO codes (columns: "
            f"{tables.quoted([str(c) for c in frame.columns])}); name them with "
            "--region-column (names) or --code-column (KATO)",
            path=path,
        )
    skip = {c for c in (code_col, label_col) if c}
    oblast_col = _oblast_column(frame, skip, vintage, label_col)
    if oblast_col:
        skip.add(oblast_col)
    others = [str(c) for c in frame.columns if str(c) not in skip]
    numeric = _numeric_columns(frame, others)
    values, no_data, marks = _parse_values(frame, numeric, path, row_numbers)

    m = _Matcher(index, vintage)
    parsed: list[_Row] = []
    header: str | None = None
    for i in frame.index:
        row = row_numbers[i]
        label = _cell(frame.at[i, label_col]) if label_col else ""
        code = _cell(frame.at[i, code_col]) if code_col else ""
        has_values = bool(numeric) and values.loc[i].notna().any()
        if is_total_label(label) and not code:
            parsed.append(_Row(i, row, label, "total"))
            header = None
            continue
        given = _region_of(_cell(frame.at[i, oblast_col]), vintage) if oblast_col else None
        digits = _digits(code) if code else (_digits(label) if label else None)
        if digits is not None:
            what, target = m.code(digits, row, label)
        elif label:
            what, target = m.name(label, row, header, given)
        else:
            if has_values:
                m.unknown.append((row, "(no name or code)"))
            continue
        if what == "unit" and target is None and not has_values and not code:
            m.unknown = [u for u in m.unknown if u[0] != row]  # a note below the table
            m.ambiguous = [a for a in m.ambiguous if a[0] != row]
            m.elsewhere = [e for e in m.elsewhere if e[0] != row]
            continue
        if what == "region":
            header = target
            parsed.append(_Row(i, row, label or code, "region", target))
        else:
            parsed.append(_Row(i, row, label or code, "unit", target))
    where = {"path": path, "column": code_col or label_col}
    if m.problems():
        exc = _problem_error(m, index, where)
        exc.n_problems = m.problems()  # type: ignore[attr-defined]
        raise exc

    units = [r for r in parsed if r.kind == "unit"]
    seen: dict[str, _Row] = {}
    for r in units:
        assert r.target is not None
        if r.target in seen:
            first = seen[r.target]
            raise InputError(
                f"rows {first.row} ({first.label!r}) and {r.row} ({r.label!r}) both name "
                f"{index.label(r.target)}",
                **where,
            )
        seen[r.target] = r
    if not units:
        raise InputError("no row names a district or city administration", **where)

    keep = [r.i for r in units]
    ids = [r.target for r in units]
    data = pd.DataFrame(
        {
            "unit_label": [r.label for r in units],
            "region_id": [index.units[d].region_id for d in ids],
        },
        index=pd.Index(ids, name="district_id"),
    )
    for c in others:
        if c in numeric:
            data[c] = values.loc[keep, c].to_numpy(float)
        else:
            data[c] = [_cell(v) or None for v in frame.loc[keep, c]]
    regions = [r for r in parsed if r.kind == "region"]
    region_totals = pd.DataFrame(
        {c: [values.at[r.i, c] for r in regions] for c in numeric},
        index=pd.Index([r.target for r in regions], name="region_id"),
    )
    region_totals = region_totals[~region_totals.index.duplicated()]
    totals = [r for r in parsed if r.kind == "total"]
    total = values.loc[totals[0].i].rename(totals[0].label) if totals else None
    kinds, units_of = {}, {}
    for c in numeric:
        kinds[c], units_of[c] = _kind_and_unit(c, data[c])
    how = "KATO codes" if code_col else "names"
    if m.used_headers:
        how += " under oblast header rows"
    elif oblast_col:
        how += f" with the oblast column {oblast_col!r}"
    return DistrictTable(
        data=data,
        total=total,
        source_path=path,
        units=units_of,
        kinds=kinds,
        labels={c: c for c in numeric},
        rows={r.target: r.row for r in units if r.target},
        vintage=vintage,
        no_data=no_data,
        no_data_marks=marks,
        empty_columns=[c for c in others if c not in numeric and not frame[c].map(_cell).any()],
        region_totals=region_totals,
        region_rows={r.target: r.row for r in regions if r.target},
        how=how,
    )


def _problem_error(m: _Matcher, index: UnitIndex, where: dict) -> InputError:
    lines: list[str] = []
    if m.ambiguous:
        groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        for row, text, cands in m.ambiguous:
            groups.setdefault((text, tuple(cands)), []).append(row)
        for (text, cands), rows in groups.items():
            oblasts = sorted({index.units[d].region_id for d in cands})
            listed = "; ".join(index.label(d) for d in cands)
            what = (
                f"is a unit of {len(oblasts)} oblasts: {listed}"
                if len(oblasts) > 1
                else f"names {len(cands)} units: {listed}"
            )
            at = f"row {rows[0]}" if len(rows) == 1 else f"rows {', '.join(map(str, rows))}"
            lines.append(f"{at}: {text!r} {what}")
        lines.append(f"to tell them apart, {RESOLVE_HINT}")
    for row, text, region, cands in m.elsewhere:
        found = "; ".join(index.label(d) for d in cands)
        lines.append(
            f"row {row}: {text!r} is no unit of {_region_name(region)} (the oblast above it "
            f"or in its oblast column) but of {found}"
        )
    for row, text in m.unknown:
        close = index.suggestions(text)
        hints = [f"{c!r} ({index.label(index.spellings[c])})" for c in close]
        hint = f"; did you mean {', '.join(hints)}?" if hints else ""
        lines.append(
            f"row {row}: unknown district or city {text!r} in the {index.vintage} layout{hint}"
        )
    if len(lines) == 1 or (m.ambiguous and len(lines) == 2 and m.problems() == 1):
        return InputError("; ".join(lines), **where)
    n = m.problems()
    head = (
        f"{n} row{'s' if n > 1 else ''} not matched to one district-level unit of the "
        f"{index.vintage} layout"
    )
    return InputError(head + ":\n  " + "\n  ".join(lines), **where)


# ---------------------------------------------------------------- join


@dataclass
class DistrictJoinReport:
    """What a district join matched, and how districts add up to their oblast rows."""

    vintage: str
    n_units: int
    n_rows: int
    how: str = ""
    units_without_data: list[str] = field(default_factory=list)
    empty_values: dict[str, list[str]] = field(default_factory=dict)
    region_checks: dict[str, list[TotalCheck]] = field(default_factory=dict)
    total_checks: list[TotalCheck] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    no_data: dict[str, int] = field(default_factory=dict)
    no_data_marks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.units_without_data

    def _name(self, did: str) -> str:
        return f"{self.names.get(did, did)} ({did})"

    def __str__(self) -> str:
        out = [
            f"Joined {self.n_rows} table rows onto {self.n_units - len(self.units_without_data)}"
            f" of the {self.n_units} district-level units ({self.vintage} layout) by {self.how}."
        ]
        if self.units_without_data:
            out.append(
                f"Units without data ({len(self.units_without_data)}): "
                + ", ".join(self._name(d) for d in self.units_without_data)
            )
        for column, ids in self.empty_values.items():
            out.append(
                f"No value in {column!r} for {len(ids)} unit(s) with a row: "
                + ", ".join(self._name(d) for d in ids)
            )
        if note := no_data_note(self.no_data, self.no_data_marks):
            out.append(note[0].upper() + note[1:] + ".")
        equal = [c for checks in self.region_checks.values() for c in checks if not c.difference]
        if equal:
            columns = sorted({c.column for c in equal})
            n = len(
                {r for r, cs in self.region_checks.items() if any(not c.difference for c in cs)}
            )
            out.append(f"{n} oblast rows equal the sum of their units in {tables.quoted(columns)}.")
        for rid, checks in self.region_checks.items():
            for chk in checks:
                if chk.difference:
                    out.append(_check_line(f"{_region_name(rid)} row", "its units", chk))
        for chk in self.total_checks:
            out.append(_check_line("national total", "units", chk))
        return "\n".join(out)


def _check_line(what: str, parts: str, chk: TotalCheck) -> str:
    line = f"{chk.column}: {what} {_fmt(chk.total)}"
    if math.isnan(chk.regions_sum):
        return f"{line}; none of {parts} has data"
    line += f", sum of {parts} {_fmt(chk.regions_sum)}"
    if chk.difference == 0:
        notes = ["equal"]
    else:
        rel = "rounding" if abs(chk.relative) < 1e-4 else f"{chk.relative:+.2%}"
        notes = [f"difference {_fmt(chk.difference, sign=True)}", rel]
    if chk.n_no_data:
        notes.append(f"{chk.n_no_data} without data")
    return f"{line} ({', '.join(notes)})"


def total_checks(table: DistrictTable) -> tuple[dict[str, list[TotalCheck]], list[TotalCheck]]:
    """Each oblast row and the national row against the sum of their units (count and
    amount columns)."""
    summable = [c for c in table.value_columns if table.kinds.get(c) in SUMMABLE]
    per_region: dict[str, list[TotalCheck]] = {}
    for rid, row in table.region_totals.iterrows():
        part = table.data[table.data["region_id"] == rid]
        checks = []
        for c in summable:
            if c in row.index and not math.isnan(row[c]):
                col = part[c]
                checks.append(
                    TotalCheck(c, float(row[c]), float(col.sum(min_count=1)), int(col.isna().sum()))
                )
        if checks:
            per_region[str(rid)] = checks
    national = []
    if table.total is not None:
        for c in summable:
            tot = float(table.total.get(c, math.nan))
            if not math.isnan(tot):
                col = table.data[c]
                national.append(
                    TotalCheck(c, tot, float(col.sum(min_count=1)), int(col.isna().sum()))
                )
    return per_region, national


def join_districts(
    table: DistrictTable, boundaries: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, DistrictJoinReport]:
    """Left-join ``table`` onto a district layer: every unit kept, NaN where no data."""
    vintage = str(boundaries["vintage"].iloc[0]) if len(boundaries) else str(table.vintage)
    if table.vintage and table.vintage != vintage:
        raise InputError(
            f"the table's units are of the {table.vintage} layout, the boundaries of the "
            f"{vintage} layout; use --vintage {table.vintage} (or move the values with the "
            "crosswalk: agglomap.districts.to_vintage)"
        )
    data = table.data.drop(columns=["region_id"]).reset_index()
    joined = boundaries.merge(data, on="district_id", how="left")
    joined = gpd.GeoDataFrame(joined, geometry=boundaries.geometry.name, crs=boundaries.crs)
    joined.attrs.update(units=dict(table.units), kinds=dict(table.kinds), labels=dict(table.labels))
    ids = list(boundaries["district_id"])
    have = set(data["district_id"])
    present = table.data[table.data.index.isin(ids)]
    empty = {
        c: [str(d) for d in present.index[present[c].isna()]]
        for c in table.value_columns
        if present[c].isna().any()
    }
    per_region, national = total_checks(table)
    report = DistrictJoinReport(
        vintage=vintage,
        n_units=len(ids),
        n_rows=len(data),
        how=table.how,
        units_without_data=[d for d in ids if d not in have],
        empty_values=empty,
        region_checks=per_region,
        total_checks=national,
        names=dict(zip(boundaries["district_id"], boundaries["name_en"], strict=True)),
        no_data=dict(table.no_data),
        no_data_marks=list(table.no_data_marks),
    )
    return joined, report


# ---------------------------------------------------------------- level detection


def looks_like_districts(path: str | Path, sheet: str | int | None = None) -> bool:
    """Whether a table's rows are district-level units rather than oblast-level regions:
    one column has more cells (codes or names) that name a unit but no region than cells
    naming a region, and they are at least half its filled cells."""
    raw = tables.read_table(Path(path), sheet=sheet)
    indexes = [unit_index("2022"), unit_index("2018")]
    for c in raw.frame.columns:
        u = r = filled = 0
        for v in raw.frame[c].head(300):
            text = _cell(v)
            if not text or is_total_label(text):
                continue
            filled += 1
            digits = _digits(text)
            if digits is not None:
                if len(digits) == 9 and not digits.endswith("0000000"):
                    u += any(ix.by_code(digits) is not None for ix in indexes)
                elif len(digits) == 9:
                    r += 1
                continue
            if is_number_text(text):
                continue
            kind = names.parse_unit_name(text)[1]
            region = _region_of(text, "2022") or _region_of(text, "2018")
            unit = any(ix.by_name(text)[0] for ix in indexes)
            if unit and (kind == DISTRICT or region is None):
                u += 1
            elif region is not None and not (unit and kind == CITY and region not in CITY_REGIONS):
                r += 1
            elif unit:
                u += 1
        if u > r and 2 * u >= filled:
            return True
    return False


# ---------------------------------------------------------------- district → oblast


@dataclass
class Aggregation:
    """A district table summed (or weight-averaged) to oblast-level regions: ``table`` is an
    oblast :class:`IndicatorTable`; ``incomplete`` lists, per column, the regions left
    empty because a unit of theirs had no value; ``checks`` compares the sums with the
    table's own oblast rows."""

    table: IndicatorTable
    incomplete: dict[str, list[str]] = field(default_factory=dict)
    checks: dict[str, list[TotalCheck]] = field(default_factory=dict)
    weight: str | None = None

    def __str__(self) -> str:
        out = [
            f"Aggregated {len(self.table.data)} oblast-level regions from district-level units"
            + (f" (rates weighted by {self.weight!r})" if self.weight else "")
            + "."
        ]
        for column, rids in self.incomplete.items():
            out.append(
                f"{column!r}: no value for {len(rids)} region(s) with a unit lacking data: "
                + ", ".join(map(_region_name, rids))
            )
        for rid, checks in self.checks.items():
            for chk in checks:
                if chk.difference:
                    out.append(_check_line(f"{_region_name(rid)} row", "its units", chk))
        return "\n".join(out)


def aggregate_to_oblasts(table: DistrictTable, *, weight: str | None = None) -> Aggregation:
    """Counts and amounts summed over each oblast's units; rates and shares as the mean of
    the units weighted by the count column ``weight`` (e.g. population). A region with a
    unit lacking a value (or its weight) is left empty, never a partial sum."""
    vintage = str(table.vintage or "2022")
    units = load_units(vintage)
    all_units = units.set_index("district_id")["region_id"]
    data = table.data.reindex(all_units.index)
    data["region_id"] = all_units
    rates = [c for c in table.value_columns if table.kinds.get(c) not in SUMMABLE]
    if weight is not None:
        weight = table.value_column(weight)
        if table.kinds.get(weight) not in SUMMABLE:
            raise InputError(
                f"the weight column {weight!r} must be a count or amount (e.g. population), "
                f"not a {table.kinds.get(weight)}",
                param="weight",
            )
    elif rates:
        raise InputError(
            f"{', '.join(map(repr, rates))}: a rate or share of an oblast is not the sum of "
            "its districts' values; name a weight column (a count such as population) to "
            "average them by",
            param="weight",
        )
    regions = regions_for(vintage).set_index("region_id")
    out = pd.DataFrame(index=pd.Index(sorted(set(all_units)), name="region_id"))
    out.insert(0, "region_label", [regions.at[r, "name_en"] for r in out.index])
    incomplete: dict[str, list[str]] = {}
    grouped = data.groupby("region_id")
    for c in table.value_columns:
        if table.kinds.get(c) in SUMMABLE:
            values = grouped[c].sum(min_count=1)
            missing = grouped[c].apply(lambda s: s.isna().any())
        else:
            w = data[weight]
            both = data[c].notna() & w.notna()
            num = (data[c] * w).where(both).groupby(data["region_id"]).sum(min_count=1)
            den = w.where(both).groupby(data["region_id"]).sum(min_count=1)
            values = num / den.where(den != 0)
            missing = (~both).groupby(data["region_id"]).any()
        values = values.mask(missing)
        out[c] = values.reindex(out.index)
        bad = [str(r) for r in missing.index[missing]]
        if bad:
            incomplete[c] = bad
    agg = IndicatorTable(
        data=out,
        total=table.total,
        source_path=table.source_path,
        units=dict(table.units),
        kinds=dict(table.kinds),
        labels=dict(table.labels),
        rows={},
        vintage=vintage,
        no_data=dict(table.no_data),
        no_data_marks=list(table.no_data_marks),
    )
    checks, _national = total_checks(table)
    return Aggregation(agg, incomplete, checks, weight)


# ---------------------------------------------------------------- 2018 ↔ 2022


WHOLE = 0.98  # a unit with this share of its area inside one unit of the other layout moves whole


def unit_overlaps(from_vintage: str, to_vintage: str) -> pd.DataFrame:
    """Area overlaps of the units of two layouts: ``from_id, to_id, share_from, share_to``
    (shares of each unit's area, on the equal-area projection; pieces under 0.5 % of the
    source unit are dropped as digitising slivers)."""
    from .boundaries import EQUAL_AREA, load_boundaries

    a = load_boundaries(from_vintage, "district").to_crs(EQUAL_AREA)
    b = load_boundaries(to_vintage, "district").to_crs(EQUAL_AREA)
    a = a.assign(a_area=a.area)[["district_id", "a_area", "geometry"]]
    b = b.assign(b_area=b.area)[["district_id", "b_area", "geometry"]]
    pieces = gpd.overlay(
        a.rename(columns={"district_id": "from_id"}),
        b.rename(columns={"district_id": "to_id"}),
        how="intersection",
        keep_geom_type=True,
    )
    pieces["share_from"] = pieces.area / pieces["a_area"]
    pieces["share_to"] = pieces.area / pieces["b_area"]
    pieces = pieces[pieces["share_from"] >= 0.005]
    return pd.DataFrame(pieces[["from_id", "to_id", "share_from", "share_to"]]).reset_index(
        drop=True
    )


@dataclass
class Moved:
    """A district table moved to the other layout; ``split`` are source units that were
    divided between several units (their values cannot move without more data), ``empty``
    target units left without a value because part of them came from a split unit."""

    table: DistrictTable
    split: list[str]
    empty: list[str]

    def __str__(self) -> str:
        out = [
            f"Moved {len(self.table.data)} units to the {self.table.vintage} layout "
            "(counts move with their districts; rates averaged by the weight column)."
        ]
        if self.split:
            out.append(
                f"Divided between new units, not moved ({len(self.split)}): "
                + ", ".join(self.split)
            )
        if self.empty:
            out.append(f"Left empty ({len(self.empty)}): " + ", ".join(self.empty))
        return "\n".join(out)


def to_vintage(table: DistrictTable, vintage: str, *, weight: str | None = None) -> Moved:
    """The table's values on the units of ``vintage``: a unit that lies whole (98 % of its
    area) in one unit of the other layout moves there; a target unit made only of whole
    units gets their sum (counts, amounts) or their mean weighted by the count column
    ``weight`` (rates, shares: refused without it); a target unit that received part of
    a divided unit is left empty."""
    target = check_vintage(vintage)
    source = str(table.vintage or "2022")
    if target == source:
        return Moved(table, [], [])
    rates = [c for c in table.value_columns if table.kinds.get(c) not in SUMMABLE]
    if weight is not None:
        weight = table.value_column(weight)
    elif rates:
        raise InputError(
            f"{', '.join(map(repr, rates))}: a rate of merged units is not the sum of theirs; "
            "name a weight column (a count such as population) to move them",
            param="weight",
        )
    pieces = unit_overlaps(source, target)
    # whole: nearly all of the unit in one target, and no other piece a real part of any
    # target (Semey's 2018 city administration is 99 % rural land that became Zhanasemey
    # District, but its city is all of Semey's 2022 unit: divided, not whole)
    biggest = pieces.groupby("from_id")["share_from"].transform("max")
    minor = pieces[pieces["share_from"] < biggest]
    divided = set(
        minor.loc[(minor["share_from"] >= 1 - WHOLE) | (minor["share_to"] >= 1 - WHOLE), "from_id"]
    )
    whole = pieces[(pieces["share_from"] >= WHOLE) & ~pieces["from_id"].isin(divided)]
    src_names = dict(
        zip(load_units(source)["district_id"], load_units(source)["name_en"], strict=True)
    )
    targets = load_units(target)
    t_names = dict(zip(targets["district_id"], targets["name_en"], strict=True))
    split = sorted(set(pieces["from_id"]) - set(whole["from_id"]))
    covered = whole.groupby("to_id")["share_to"].sum()
    complete = set(covered.index[covered >= WHOLE])
    data = table.data
    rows = {}
    for tid in targets["district_id"]:
        parts = whole.loc[whole["to_id"] == tid, "from_id"]
        parts = [p for p in parts if p in data.index]
        if tid not in complete or not parts:
            continue
        block = data.loc[parts]
        row = {}
        for c in table.value_columns:
            if table.kinds.get(c) in SUMMABLE:
                row[c] = block[c].sum(min_count=len(parts)) if block[c].notna().all() else math.nan
            else:
                w = block[weight]
                ok = block[c].notna() & w.notna()
                row[c] = (
                    (block[c] * w)[ok].sum() / w[ok].sum() if ok.all() and w.sum() else math.nan
                )
        row["unit_label"] = "; ".join(str(x) for x in block["unit_label"])
        row["region_id"] = targets.set_index("district_id").at[tid, "region_id"]
        rows[tid] = row
    moved = pd.DataFrame.from_dict(rows, orient="index")
    moved.index.name = "district_id"
    moved = moved[["unit_label", "region_id", *table.value_columns]] if len(moved) else moved
    empty = sorted(set(targets["district_id"]) - set(moved.index))
    out = DistrictTable(
        data=moved,
        total=table.total,
        source_path=table.source_path,
        units=dict(table.units),
        kinds=dict(table.kinds),
        labels=dict(table.labels),
        rows={},
        vintage=target,
        no_data=dict(table.no_data),
        no_data_marks=list(table.no_data_marks),
        how=f"{table.how}, moved from the {source} layout",
    )
    return Moved(out, [src_names[s] for s in split], [t_names[t] for t in empty])
