"""Reading user tables: CSV (any encoding and delimiter planners' tools write) and XLSX.

Every reader of a user table (indicator tables, the monocity input template, towns with
coordinates, scores and assessments for the monocity map) goes through
:func:`read_table`, so all of them accept the same files and report the same errors:

* binary files (a PNG renamed ``.csv``) are refused as "not a text table";
* text is UTF-8 (with or without BOM), else cp1251 (Windows Cyrillic);
* the delimiter is whichever of ``;`` ``,`` tab ``|`` splits the first lines into the
  most columns consistently;
* XLSX is read with openpyxl (``sheet`` by name or number), cell values as Excel last
  saved them; old ``.xls`` is refused with a hint;
* title lines above the header are skipped, and a two-row header (merged cells in Excel,
  or a CSV export of them) is joined into one (``"ЖӨӨ, млн. теңге"``);
* every cell is text (``""`` when empty), and each row keeps its number in the file as
  a spreadsheet shows it (first line = 1).

Rules and examples: ``docs/indicators.md``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, bounded, did_you_mean, grouped, suggest
from .numbers import is_number_text, parse_number

DELIMITERS = (";", ",", "\t", "|")
XLSX = (".xlsx", ".xlsm")
# A table of regions or towns has one column per indicator: a few hundred at most. Wider
# files are refused before any work (a transposed table, a file that is not a table).
MAX_COLUMNS = 2_000
_SPACE = re.compile(r"[\s\u00a0\u202f\u2007\u2009]+")
# Magic numbers of files people rename to .csv by mistake.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive or an Excel .xlsx workbook",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls or Word document",
}


@dataclass
class RawTable:
    """A table as read: cells as text, with where each row came from.

    ``frame`` has the header as columns (blank headers named ``column N``, repeats
    ``name (2)``) and ``""`` for empty cells; ``rows[i]`` is the file row number of
    ``frame.iloc[i]``; ``header_row`` the file row number of the header (its first row
    when two header rows were joined).
    """

    frame: pd.DataFrame
    rows: list[int]
    header_row: int
    path: Path

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def with_row_column(self, name: str = "row") -> pd.DataFrame:
        """The frame with the file row numbers as a first column ``name``."""
        out = self.frame.copy()
        out.insert(0, name, self.rows)
        return out


# ---------------------------------------------------------------- cells


def cell_text(cell: object) -> str:
    """One cell as text: ``""`` when empty; whole floats without ``.0`` (Excel's numbers)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if math.isnan(cell):
            return ""
        if cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell))
        return repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return _SPACE.sub(" ", str(cell)).strip() if isinstance(cell, str) else str(cell)


# ---------------------------------------------------------------- text files


def decode(raw: bytes, path: Path) -> str:
    """Bytes of a text table as text (UTF-8 with or without BOM, else cp1251).

    A binary file (NUL bytes, control characters, a known magic number) is an
    InputError "not a text table (binary file?)".
    """
    utf16 = _utf16(raw)
    if utf16 is not None:
        try:
            return raw.decode(utf16).lstrip("\ufeff")
        except UnicodeDecodeError:
            raise InputError(
                f'cannot read as {utf16.upper()} text (Excel\'s "Unicode text"): '
                "it is damaged; save the table again as CSV UTF-8",
                path=path,
            ) from None
    what = next((kind for magic, kind in _MAGIC.items() if raw.startswith(magic)), None)
    if what is not None or b"\x00" in raw[:65536]:
        hint = f"; it looks like {what}" if what else ""
        if what and "xlsx" in what:
            hint += " (name an Excel workbook .xlsx)"
        raise InputError(f"not a text table (binary file?){hint}", path=path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1251")
        except UnicodeDecodeError:
            raise InputError(
                "not a text table (binary file?): neither UTF-8 nor cp1251 text", path=path
            ) from None
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(2, len(sample) // 100):
        raise InputError("not a text table (binary file?)", path=path)
    return text


def _utf16(raw: bytes) -> str | None:
    """``"utf-16"`` for UTF-16 text (Excel's "Unicode text": a byte-order mark, or a NUL
    byte beside every ASCII character), else None."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = raw[:4096]
    head = head[: len(head) - len(head) % 2]
    if b"\x00" not in head or len(head) < 8:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        plain = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
        if plain >= 0.98 * len(text) and "\x00" not in text:
            return encoding
    return None


def sniff(text: str) -> str:
    """The delimiter giving the most columns, consistently, over the first lines."""
    sample = [ln for ln in text.splitlines()[:30] if ln.strip()]
    best, best_score = ";", (-1, -1)
    for delim in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=delim)]
        except csv.Error:
            continue
        if not widths:
            continue
        common = max(sorted(set(widths)), key=widths.count)
        score = (widths.count(common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(path: Path) -> list[list[object]]:
    text = decode(path.read_bytes(), path)
    head = text.split("\n", 30)[:30]  # cheap: before parsing a million cells
    _check_width(max((line.count(d) + 1 for line in head for d in DELIMITERS), default=0), path)
    delimiter = sniff(text)
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError(f"cannot read as a delimited text table ({exc})", path=path) from None
    _check_width(max((len(r) for r in rows), default=0), path)
    _check_one_delimiter(rows, delimiter, path)
    return rows


def _check_width(width: int, path: Path) -> None:
    """Refuse a table wider than :data:`MAX_COLUMNS`, before any work on it."""
    if width > MAX_COLUMNS:
        raise InputError(
            f"{grouped(width)} columns; agglomap reads tables of at most "
            f"{grouped(MAX_COLUMNS)} columns (one row per region or town, one column per "
            "indicator): is the table transposed?",
            path=path,
        )


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ";": "';'", ",": "','", "|": "'|'"}[delimiter]


def _check_one_delimiter(rows: list[list[str]], delimiter: str, path: Path) -> None:
    """Refuse a file whose rows mix delimiters (``;`` in some, ``,`` in others), naming
    the rows: read with one delimiter, the others would be one cell each and be lost.

    A row is counted as using another delimiter when it is a single cell under
    ``delimiter``, but splits under another one into as many cells as the table's usual
    width, with a number among them (a footnote with a comma does not qualify)."""
    widths = [len(r) for r in rows if len(r) > 1]
    if not widths:
        return
    usual = max(sorted(set(widths)), key=widths.count)
    mixed: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if len(row) != 1 or not row[0].strip():
            continue
        for other in DELIMITERS:
            if other == delimiter or other not in row[0]:
                continue
            cells = next(csv.reader([row[0]], delimiter=other))
            if len(cells) >= usual and any(
                is_number_text(_SPACE.sub(" ", c).strip()) for c in cells[1:]
            ):
                mixed.setdefault(other, []).append(i + 1)
                break
    if mixed:
        other, lines = max(mixed.items(), key=lambda kv: len(kv[1]))
        raise InputError(
            f"mixed delimiters: rows {bounded(lines, what='rows')} are separated by "
            f"{_delimiter_name(other)} while the rest of the file uses "
            f"{_delimiter_name(delimiter)}; read with one, the others would be lost — "
            "save the file with one delimiter",
            path=path,
        )


# ---------------------------------------------------------------- workbooks


def _read_xlsx(path: Path, sheet: str | int | None) -> list[list[object]]:
    """Cells of one sheet; a merged range's value is repeated over its cells."""
    import openpyxl

    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:4096]
        if not head:
            raise InputError("empty file: expected a header row and rows of data", path=path)
        try:
            decode(head, path)
        except InputError:
            raise InputError("not an Excel .xlsx file", path=path) from None
        raise InputError("not an Excel .xlsx file (is it a CSV renamed?)", path=path)
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"cannot read as an Excel workbook ({exc})", path=path) from None
    try:
        names = book.sheetnames
        if sheet is None:
            ws = book[names[0]]
        elif str(sheet) in names:  # a sheet named "2021" wins over sheet number 2021
            ws = book[str(sheet)]
        elif (isinstance(sheet, int) or str(sheet).isdigit()) and 0 <= int(sheet) < len(names):
            ws = book[names[int(sheet)]]
        else:
            raise InputError(
                f"no sheet {sheet!r}; sheets are {names} (or their numbers, from 0)"
                + did_you_mean(sheet, names),
                path=path,
            )
        _check_width(ws.max_column or 0, path)
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        _check_sheet_has_data(book, ws, rows, sheet, path)
        _check_formulas_saved(path, ws.title, rows)
        for rng in ws.merged_cells.ranges:
            value = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(rows) else None
            for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
                for c in range(rng.min_col - 1, rng.max_col):
                    if c < len(rows[r]):
                        rows[r][c] = value
        return rows
    finally:
        book.close()


def _filled_rows(rows: Iterable[Sequence[object]]) -> int:
    return sum(1 for r in rows if any(c is not None and str(c).strip() for c in r))


def _check_sheet_has_data(
    book: Any, ws: Any, rows: list[list[object]], sheet: str | int | None, path: Path
) -> None:
    """Refuse a sheet without a table (fewer than two filled rows) when other sheets have
    one, naming them and the ``--sheet`` option (``sheet=`` in Python)."""
    if _filled_rows(rows) >= 2:
        return
    others = []
    for name in book.sheetnames:
        other = book[name]
        if other is ws:
            continue
        n = _filled_rows(other.iter_rows(values_only=True))
        if n >= 2:
            others.append(f"{name!r} ({grouped(n)} rows)")
    if not others:
        return
    which = "the first sheet" if sheet is None else "sheet"
    raise InputError(
        f"{which} {ws.title!r} holds no table; the workbook's other sheets "
        f"{bounded(others, limit=5)} do: choose one with --sheet NAME (sheet=NAME in Python; "
        "a number counts from 0)",
        path=path,
    )


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _check_formulas_saved(path: Path, title: str, rows: list[list[object]]) -> None:
    """Refuse formula cells that hold no saved result (a workbook written by a program that
    does not calculate, e.g. openpyxl or a script): read as values, they would be empty."""
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        if not any(_FORMULA_TAG.search(archive.read(n)) for n in sheets):
            return
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.load_workbook(path, data_only=False, read_only=True)
    try:
        missing = []
        for r, row in enumerate(book[title].iter_rows(values_only=True)):
            for c, formula in enumerate(row):
                if not (isinstance(formula, str) and formula.startswith("=")):
                    continue
                saved = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
                if saved is None:
                    missing.append(f"{get_column_letter(c + 1)}{r + 1}")
    finally:
        book.close()
    if missing:
        raise InputError(
            f"sheet {title!r}: cells {bounded(missing, what='cells')} hold formulas without a "
            "saved result (the workbook was written by a program that does not calculate "
            "them); open and save the workbook in Excel or LibreOffice Calc so the results "
            "are stored, or paste the values over the formulas",
            path=path,
        )


def read_rows(path: str | Path, sheet: str | int | None = None) -> list[list[str]]:
    """Every line of a CSV or sheet of an XLSX, cells as text (see :func:`cell_text`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found" if not path.exists() else "not a file", path=path)
    ext = path.suffix.lower()
    if ext in XLSX:
        rows = _read_xlsx(path, sheet)
    elif ext == ".xls":
        raise InputError("old .xls workbooks are not read; save it as .xlsx or .csv", path=path)
    else:
        if sheet is not None:
            raise InputError("sheet applies to .xlsx workbooks only", path=path, param="sheet")
        rows = _read_csv(path)
    return [[cell_text(c) for c in r] for r in rows]


# ---------------------------------------------------------------- the header


def _filled(row: list[str]) -> int:
    return sum(1 for c in row if c)


def _headerlike(row: list[str]) -> bool:
    """At least two different filled cells (a title merged across is one), not all numbers."""
    cells = [c for c in row if c]
    return len(set(cells)) >= 2 and not all(is_number_text(c) for c in cells)


def _find_header(rows: list[list[str]]) -> int | None:
    """Index of the header: the first header-like row followed by a row of data at least
    half as wide as it (title lines above it are skipped); else the first header-like row;
    else (a one-column table) the first filled row."""
    first = None
    for i, r in enumerate(rows):
        if not _headerlike(r):
            continue
        first = i if first is None else first
        nxt = next((n for n in rows[i + 1 :] if _filled(n)), None)
        if nxt is not None and _filled(nxt) >= 2 and 2 * _filled(r) >= _filled(nxt):
            return i
    if first is None:
        first = next((i for i, r in enumerate(rows) if _filled(r)), None)
    return first


def _subheader(header: list[str], row: list[str], after: list[str] | None) -> bool:
    """Whether ``row`` continues a two-row header: text only, it fills a cell the header
    leaves blank or leaves blank a cell the header fills (merged cells), and numbers follow
    under its own cells (a first data row with values missing has text over text)."""
    cells = [c for c in row if c]
    if not cells or any(is_number_text(c) for c in cells):
        return False
    if after is None or not any(
        r and r not in header and is_number_text(a) for r, a in zip(row, after, strict=False)
    ):
        return False
    pairs = list(zip(header, row, strict=False))
    under_blank = any(h == "" and r for h, r in pairs)
    beside_blank = any(h and r == "" for h, r in pairs)
    repeated = any(h and r == h for h, r in pairs)  # a vertically merged cell, filled down
    return under_blank or beside_blank or repeated


def _join_header(header: list[str], sub: list[str]) -> list[str]:
    """``["ЖӨӨ", "", "Регион"]`` over ``["млн. теңге", "%", ""]`` → ``["ЖӨӨ, млн. теңге",
    "ЖӨӨ, %", "Регион"]``: a blank top cell takes the one on its left (merged across)."""
    out, top = [], ""
    for j, h in enumerate(header):
        s = sub[j] if j < len(sub) else ""
        top = h or (top if s else "")
        if top and s and s != top:
            out.append(f"{top}, {s}")
        else:
            out.append(top or s)
    return out


def _names(header: list[str]) -> list[str]:
    names, seen = [], set()
    for j, h in enumerate(header):
        name = h or f"column {j + 1}"
        base, k = name, 2
        while name in seen:
            name, k = f"{base} ({k})", k + 1
        seen.add(name)
        names.append(name)
    return names


def read_table(path: str | Path, *, sheet: str | int | None = None) -> RawTable:
    """Read a CSV or XLSX table as text cells with file row numbers (module docstring).

    Empty rows and empty unnamed columns are dropped. InputError for a missing, empty,
    binary or unreadable file.
    """
    path = Path(path)
    rows = read_rows(path, sheet)
    at = _find_header(rows)
    if at is None:
        raise InputError("empty file: expected a header row and rows of data", path=path)
    width = max(len(r) for r in rows[at:])
    pad = [r + [""] * (width - len(r)) for r in rows]
    header = pad[at]
    start = at + 1
    body_rows = [i for i in range(start, len(pad)) if _filled(pad[i])]
    if len(body_rows) >= 2 and _subheader(header, pad[body_rows[0]], pad[body_rows[1]]):
        header = _join_header(header, pad[body_rows[0]])
        body_rows = body_rows[1:]
    names = _names(header)
    frame = pd.DataFrame([pad[i] for i in body_rows], columns=names, dtype=object)
    if frame.empty:
        frame = pd.DataFrame({n: pd.Series(dtype=object) for n in names})
    keep = [n for j, n in enumerate(names) if header[j] or frame[n].ne("").any()]
    return RawTable(
        frame=frame[keep].reset_index(drop=True),
        rows=[i + 1 for i in body_rows],
        header_row=at + 1,
        path=path,
    )


# ---------------------------------------------------------------- column names


def _fold(text: str) -> str:
    return _SPACE.sub(" ", str(text)).strip().casefold().replace("ё", "е")


def find_column(
    names: str | Sequence[str], columns: Iterable[object], *, head: bool = False
) -> Any:
    """The column called ``names`` (one name, or candidates in order of preference).

    The one column finder of agglomap: a candidate matches a header exactly, else ignoring
    case, spacing and ё/е; with ``head``, a header that is a candidate followed by a unit,
    a year or a note after a space or punctuation also matches (``Население, чел.``,
    ``Широта, °``, ``lat (WGS84)``; not ``population_year``).
    Returns the column as the frame has it, None if absent; :func:`column_error` is the
    error with suggestions for a name the user gave.
    """
    wanted = [names] if isinstance(names, str) else list(names)
    original = {str(c): c for c in columns}
    folded: dict[str, object] = {}
    for text, c in original.items():
        folded.setdefault(_fold(text), c)
    for name in wanted:
        if name in original:
            return original[name]
        hit = folded.get(_fold(name))
        if hit is not None:
            return hit
    if head:
        for name in wanted:
            pattern = re.compile(rf"{re.escape(_fold(name))}(?:[\s,.(;:/].*)?")
            hit = next((c for f, c in folded.items() if pattern.fullmatch(f)), None)
            if hit is not None:
                return hit
    return None


def suggest_column(name: str, columns: list[str], n: int = 3) -> list[str]:
    """Columns ``name`` may mean, best first: equal ignoring case, then columns that start
    with it or contain it as a word (``ЖӨӨ`` → ``ЖӨӨ, млн. теңге``), then close spellings."""
    key = _fold(name)
    cols = [str(c) for c in columns]
    if not key:
        return []
    found = [c for c in cols if _fold(c) == key]
    found += [c for c in cols if _fold(c).startswith(key) and c not in found]
    word = re.compile(rf"(?<!\w){re.escape(key)}(?!\w)")
    found += [c for c in cols if word.search(_fold(c)) and c not in found]
    found += [c for c in suggest(name, cols, n=n) if c not in found]
    if len(found) < n:  # the part of a long header before its unit: "ВРП" ~ "ВРП, млн тенге"
        heads = {re.split(r"[,(]", c)[0].strip(): c for c in cols}
        found += [heads[h] for h in suggest(name, list(heads), n=n) if heads[h] not in found]
    return found[:n]


def quoted(columns: list[str]) -> str:
    """Column names for a message, each quoted (names may hold commas)."""
    return ", ".join(repr(str(c)) for c in columns)


def column_error(
    name: str,
    columns: list[str],
    *,
    path: str | Path | None = None,
    what: str = "column",
) -> InputError:
    """The error for a column that is not there: suggestions, and every column quoted."""
    close = suggest_column(name, columns)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    return InputError(
        f"no {what} {name!r}{hint} (columns: {quoted(columns)})",
        path=path,
        column=name,
    )


# ---------------------------------------------------------------- typed frames


def typed_frame(raw: RawTable) -> pd.DataFrame:
    """The cells with types, as ``pandas.read_csv`` would give them: a column whose filled
    cells are all numbers (``50.07`` or ``50,07``) becomes numeric, ``True``/``False``
    columns boolean, empty cells NaN; other columns stay text."""
    out = pd.DataFrame(index=raw.frame.index)
    for col in raw.frame.columns:
        cells = raw.frame[col]
        filled = cells[cells != ""]
        series: pd.Series = cells.where(cells != "", None)
        if len(filled) and set(filled.str.lower()) <= {"true", "false"}:
            if len(filled) == len(cells):
                series = filled.str.lower().eq("true")
        elif len(filled):
            try:
                series = pd.to_numeric(cells.replace("", None))
            except (TypeError, ValueError):
                with contextlib.suppress(ValueError):
                    series = pd.Series([parse_number(c) for c in cells], index=cells.index)
        out[col] = series
    return out
