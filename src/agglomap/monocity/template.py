"""The monocity input table: its columns, a blank template (CSV/XLSX), and a validating reader.

One row per town. The header row holds the English keys; the template adds a row of
Russian descriptions and one of English ones under it, which the reader skips. Headers
may also be the Russian or English descriptions themselves, or ``"key | description"``;
the town column also ``Город``/``Қала``/``Town``. The file is read by
:func:`agglomap.tables.read_table` (any encoding and delimiter, title rows above the
header skipped). Numbers may be written as published (``11,3``, ``12 300``).
Output volume, fixed-capital investment and budget revenue are volumes in % (an index,
e.g. % of the previous year): ≥ 0, may exceed 100 (docs/indicators.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import tables
from ..errors import InputError, suggest
from ..export import atomic_path, neutralise_formulas
from ..numbers import parse_number


@dataclass(frozen=True)
class Column:
    key: str
    ru: str
    en: str
    kind: str  # name | share | index | rate | count | total | binary | override
    total: str = ""  # for counts: the column holding their total


COLUMNS: tuple[Column, ...] = (
    Column("town", "Город (название или id из справочника)", "Town (name or gazetteer id)", "name"),
    Column(
        "tdm1",
        "Доля градообразующего предприятия в объёме производства, %",
        "Share of the city-forming enterprise in the town's output, %",
        "share",
    ),
    Column(
        "tdm2",
        "Доля занятых на градообразующем предприятии, %",
        "Share of the employed working at the city-forming enterprise, %",
        "share",
    ),
    Column(
        "output_volume",
        "Объём промышленного производства, %",
        "Industrial output volume, %",
        "index",
    ),
    Column(
        "profitable_share",
        "Доля прибыльных предприятий, %",
        "Share of profitable enterprises, %",
        "share",
    ),
    Column(
        "fixed_capital_investment",
        "Инвестиции в основной капитал, %",
        "Fixed-capital investment, %",
        "index",
    ),
    Column("budget_revenue", "Доходы местного бюджета, %", "Local budget revenue, %", "index"),
    Column(
        "wage_level",
        "Уровень средней заработной платы, %",
        "Average wage level, % (may exceed 100)",
        "index",
    ),
    Column(
        "edu_med_institutions",
        "Число организаций образования и здравоохранения, %",
        "Education and medical institutions, %",
        "index",
    ),
    Column(
        "culture_institutions",
        "Число культурно-досуговых организаций, %",
        "Culture and leisure institutions, %",
        "share",
    ),
    Column(
        "unemployment_level",
        "Уровень безработицы, %",
        "Unemployment level, % (may exceed 100)",
        "index",
    ),
    Column(
        "natural_growth",
        "Естественный прирост населения",
        "Natural population growth (may be negative)",
        "rate",
    ),
    Column(
        "econ_active_share",
        "Доля экономически активного населения, %",
        "Share of the economically active population, %",
        "share",
    ),
    Column(
        "projects_realised",
        "Реализованные инвестиционные проекты, ед.",
        "Investment projects realised",
        "count",
        "projects_total_realised",
    ),
    Column(
        "projects_total_realised",
        "Всего реализованных инвестиционных проектов (знаменатель)",
        "Total of realised projects (denominator)",
        "total",
    ),
    Column(
        "projects_planned",
        "Планируемые инвестиционные проекты, ед.",
        "Investment projects planned",
        "count",
        "projects_total_planned",
    ),
    Column(
        "projects_total_planned",
        "Всего планируемых инвестиционных проектов (знаменатель)",
        "Total of planned projects (denominator)",
        "total",
    ),
    Column(
        "jobs_created",
        "Рабочие места, созданные реализованными проектами",
        "Jobs created by realised projects",
        "count",
        "jobs_total_created",
    ),
    Column(
        "jobs_total_created",
        "Всего созданных рабочих мест (знаменатель)",
        "Total of jobs created (denominator)",
        "total",
    ),
    Column(
        "jobs_planned",
        "Рабочие места, создаваемые планируемыми проектами",
        "Jobs to be created by planned projects",
        "count",
        "jobs_total_planned",
    ),
    Column(
        "jobs_total_planned",
        "Всего создаваемых рабочих мест (знаменатель)",
        "Total of jobs to be created (denominator)",
        "total",
    ),
    Column(
        "raw_material",
        "Наличие сырьевой ресурсной базы (0 или 100)",
        "Raw-material resource base (0 or 100)",
        "binary",
    ),
    Column(
        "tourism",
        "Наличие туристских ресурсов (0 или 100)",
        "Tourism resources (0 or 100)",
        "binary",
    ),
    Column(
        "tdaa1",
        "Входит в функциональную городскую зону (0 или 100; все три пустые — рассчитать)",
        "Part of a functional urban area (0 or 100; all three blank: compute)",
        "override",
    ),
    Column(
        "tdaa2",
        "Рядом с крупным городом областного или республиканского значения "
        "(0 или 100; все три пустые — рассчитать)",
        "Next to a large city of oblast or republican significance "
        "(0 or 100; all three blank: compute)",
        "override",
    ),
    Column(
        "tdaa3",
        "На пересечении крупных транспортных коридоров (0 или 100; все три пустые — рассчитать)",
        "At a crossing of major transport corridors (0 or 100; all three blank: compute)",
        "override",
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = [c.key for c in COLUMNS if c.kind != "override"]
NUMERIC = [c.key for c in COLUMNS if c.kind != "name"]
PASSTHROUGH = ("source", "notes", "comment")  # free-text columns the reader keeps


def _norm(text: object) -> str:
    """Header text for matching: lower case, ё→е, punctuation and spaces collapsed."""
    s = str(text).lower().replace("ё", "е")
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


# Plain headers for the town column, as planners write them (ru, kk, en).
TOWN_ALIASES = ("город", "моногород", "населенный пункт", "қала", "моноқала", "city", "name")
_HEADER_ALIASES = (
    {_norm(alias): c.key for c in COLUMNS for alias in (c.key, c.ru, c.en)}
    | {_norm(a): "town" for a in TOWN_ALIASES}
    | {_norm(p): p for p in PASSTHROUGH}
)
# The texts a near-miss header is compared with: key, Russian and English description.
_SPELLINGS = {text: c.key for c in COLUMNS for text in (c.key, c.ru, c.en)}
_DESCRIPTION_CELLS = {_norm(BY_KEY["town"].ru), _norm(BY_KEY["town"].en)}


def _near(header: str, keys: list[str]) -> list[str]:
    """Template columns among ``keys`` a header may mean, as ``key`` or ``key ('description')``."""
    spellings = {t: k for t, k in _SPELLINGS.items() if k in keys}
    by_norm = {_norm(t): t for t in spellings}
    out: list[str] = []
    for hit in suggest(_norm(header), list(by_norm)):
        text = by_norm[hit]
        key = spellings[text]
        shown = key if text == key else f"{key} ({text!r})"
        if not any(o.split(" ")[0] == key for o in out):
            out.append(shown)
    return out


def _read_raw(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The table as text cells with a ``row`` column (file row numbers); title lines above
    the header skipped (:func:`agglomap.tables.read_table`). ``attrs["header_row"]``."""
    if path.suffix.lower() not in (".csv", ".txt", ".tsv", *tables.XLSX, ".xls"):
        raise InputError(f"unsupported input format {path.suffix!r}; use .csv or .xlsx", path=path)
    raw = tables.read_table(path, sheet=sheet)
    frame = raw.with_row_column()
    frame.attrs["header_row"] = raw.header_row
    return frame


def _header_key(cell: object) -> str | None:
    for part in str(cell).split("|"):
        key = _HEADER_ALIASES.get(_norm(part))
        if key:
            return key
    return None


def read_inputs(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read and validate a monocity input table (CSV or XLSX).

    Returns one row per town: ``town`` as text, every other column as float (blank
    optional overrides as NaN), passthrough text columns kept, and ``row`` — the
    town's row number as a spreadsheet shows it (header = row 1).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    return validate_frame(_read_raw(path, sheet), path)


def validate_frame(raw: pd.DataFrame, path: str | Path = "<table>") -> pd.DataFrame:
    """Map headers (keys, Russian or English descriptions) and validate every cell.

    ``raw`` is the table as read, header as columns, first data row first; a ``row``
    column, if present, gives each row's number in the file (else index + 2).
    """
    path = Path(path)
    header_row = int(raw.attrs.get("header_row", 1))
    rename: dict[str, str] = {}
    unknown: list[str] = []
    for col in raw.columns:
        if col == "row":
            continue
        key = _header_key(col)
        if key is None:
            unknown.append(col)
            continue
        if key in rename.values():
            raise InputError(
                f"two columns mean {key!r}", path=path, row=header_row, column=str(col)
            )
        rename[col] = key
    free = [k for k in BY_KEY if k not in rename.values()]
    for col in unknown:
        close = _near(str(col), free)
        if close:
            raise InputError(
                f"unknown column {str(col)!r}; did you mean {' or '.join(close)}?",
                path=path,
                row=header_row,
                column=str(col),
            )
        # else: an extra column of the planner's own, ignored
    missing = [k for k in REQUIRED if k not in rename.values()]
    if missing:
        hints = []
        for key in missing:
            close = [c for c in unknown if key in " ".join(_near(str(c), [key]))]
            hints.append(f"{key!r}" + (f" (found {close[0]!r})" if close else ""))
        raise InputError(
            f"missing column(s) {', '.join(hints)}; expected the template's columns "
            f"({', '.join(REQUIRED)}; optional tdaa1, tdaa2, tdaa3) in the header row; "
            "monocity.write_template(path) writes a blank template",
            param="template",
            path=path,
            row=header_row,
            column=missing[0],
        )
    df = raw[list(rename)].rename(columns=rename)
    rows = raw["row"].to_numpy() if "row" in raw.columns else np.arange(len(df)) + header_row + 1
    df.insert(0, "row", rows)
    df["town"] = df["town"].astype(str).str.strip()
    df = df[~df["town"].isin(["", "nan", "None", "<NA>"]) | _has_values(df)]
    df = df[~df["town"].map(_norm).isin(_DESCRIPTION_CELLS)]
    if df.empty:
        raise InputError("no towns in the file (one row per town under the header)", path=path)
    out = _validate(df.reset_index(drop=True), path)
    out.attrs["path"] = str(path)
    return out


def _has_values(df: pd.DataFrame) -> pd.Series:
    vals = df.drop(columns=["row", "town"]).astype(str).apply(lambda s: s.str.strip())
    return ~vals.isin(["", "nan", "None"]).all(axis=1)


def _validate(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    out = df.copy()
    for _, r in df.iterrows():
        if r["town"] in ("", "nan", "None", "<NA>"):
            raise InputError("town is empty", path=path, row=int(r["row"]), column="town")
    numeric = [k for k in NUMERIC if k in df.columns]
    for key in numeric:
        col = BY_KEY[key]
        values = []
        for row, cell in zip(df["row"], df[key], strict=True):
            try:
                v = parse_number(cell)
            except ValueError:
                raise InputError(
                    f"expected a number ({col.en}), found {cell!r}"
                    + (
                        "; write the count and its total in separate columns"
                        if "/" in str(cell)
                        else ""
                    ),
                    path=path,
                    row=int(row),
                    column=key,
                ) from None
            values.append(v)
        out[key] = np.array(values, dtype=float)
    for key in numeric:
        col = BY_KEY[key]
        v = out[key]
        msg = None
        if col.kind == "override":
            bad = v.notna() & ~v.isin([0, 100])
            msg = "expected 0 or 100, or blank to compute it"
        else:
            blank = v.isna()
            if blank.any():
                _raise(out, blank, path, key, f"a value is required ({col.en})")
            if col.kind == "share":
                bad, msg = (v < 0) | (v > 100), "a share must be between 0 and 100 %"
            elif col.kind == "index":
                bad, msg = v < 0, "must not be negative"
            elif col.kind == "count":
                bad, msg = v < 0, "a count must not be negative"
            elif col.kind == "total":
                bad, msg = v <= 0, "a total must be greater than 0"
            elif col.kind == "binary":
                bad, msg = ~v.isin([0, 100]), "expected 0 (absent) or 100 (present)"
            else:
                bad = pd.Series(False, index=v.index)
        if bad.any():
            _raise(out, bad, path, key, f"{msg}, found {v[bad].iloc[0]:g}")
    for col in COLUMNS:
        if col.kind == "count":
            bad = out[col.key] > out[col.total]
            if bad.any():
                i = bad.idxmax()
                _raise(
                    out,
                    bad,
                    path,
                    col.key,
                    f"{out.at[i, col.key]:g} is more than its total {col.total} = "
                    f"{out.at[i, col.total]:g}",
                )
    if out["town"].duplicated().any():
        _raise(out, out["town"].duplicated(), path, "town", "the same town appears twice")
    return out


def _raise(df: pd.DataFrame, bad: pd.Series, path: Path, column: str, message: str) -> None:
    row = int(df.loc[bad.idxmax(), "row"])
    raise InputError(message, path=path, row=row, column=column)


def blank_template() -> pd.DataFrame:
    """The template as a frame: header = keys, then a Russian and an English description row."""
    return pd.DataFrame(
        [[c.ru for c in COLUMNS], [c.en for c in COLUMNS]], columns=[c.key for c in COLUMNS]
    )


def write_template(out: str | Path, example: pd.DataFrame | None = None) -> Path:
    """Write the blank input template to ``out`` (.csv or .xlsx), atomically.

    ``example`` (a frame with the template's keys) is appended under the description rows.
    The XLSX has a second sheet explaining every column.
    """
    out = Path(out)
    frame = blank_template()
    if example is not None:
        frame = pd.concat([frame, example.reindex(columns=frame.columns)], ignore_index=True)
    ext = out.suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise InputError(f"template format {ext!r}: use .csv or .xlsx", path=out)
    with atomic_path(out) as tmp:
        if ext == ".csv":
            frame, _ = neutralise_formulas(frame)  # no text runs as a formula in Excel
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")  # BOM: Excel shows Cyrillic
        else:
            _write_xlsx(frame, tmp)
    return out


def _write_xlsx(frame: pd.DataFrame, tmp: Path) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    about = pd.DataFrame(
        {
            "column": [c.key for c in COLUMNS],
            "описание": [c.ru for c in COLUMNS],
            "description": [c.en for c in COLUMNS],
            "allowed": [_ALLOWED[c.kind] for c in COLUMNS],
        }
    )
    with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name="towns", index=False)
        about.to_excel(xl, sheet_name="columns", index=False)
        ws = xl.sheets["towns"]
        ws.freeze_panes = "B4"
        grey = PatternFill("solid", fgColor="EEEEEE")
        for cells in ws.iter_rows(min_row=2, max_row=3):
            for cell in cells:
                cell.fill = grey
                cell.font = Font(italic=True, size=9)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in ws[1]:
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = 18
        ws.row_dimensions[2].height = 75
        ws.row_dimensions[3].height = 60
        for col, width in zip("ABCD", (24, 60, 60, 40), strict=True):
            xl.sheets["columns"].column_dimensions[col].width = width
        _add_validation(ws)


# Excel's own checks while typing (the reader checks again): kind → validation arguments.
_EXCEL_RULES = {
    "share": {"type": "decimal", "operator": "between", "formula1": "0", "formula2": "100"},
    "index": {"type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0"},
    "count": {"type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0"},
    "total": {"type": "decimal", "operator": "greaterThan", "formula1": "0"},
    "binary": {"type": "list", "formula1": '"0,100"'},
    "override": {"type": "list", "formula1": '"0,100"'},
}


def _add_validation(ws: object, last_row: int = 1003) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for i, col in enumerate(COLUMNS, 1):
        if col.kind not in _EXCEL_RULES:
            continue
        dv = DataValidation(
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=col.key,
            error=f"{_ALLOWED[col.kind]} — {col.ru}",
            **_EXCEL_RULES[col.kind],
        )
        letter = get_column_letter(i)
        dv.add(f"{letter}4:{letter}{last_row}")
        ws.add_data_validation(dv)


_ALLOWED = {
    "name": "text: town name (ru/kk/en) or gazetteer id",
    "share": "number 0–100",
    "index": "number ≥ 0 (an index; may exceed 100)",
    "rate": "number (may be negative)",
    "count": "whole number ≥ 0, at most its total",
    "total": "number > 0",
    "binary": "0 or 100",
    "override": "0 or 100 in all three tdaa columns, or all three blank to compute from distances",
}
