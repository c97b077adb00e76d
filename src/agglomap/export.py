"""Write tables, layers and files atomically, each with a sidecar naming its sources.

Nothing half-written is left behind: every writer renders into a temporary file (or
folder, for shapefiles) beside the target and renames it into place on success. A target
that cannot be written (no permission, a file where a folder should be…) raises
:class:`~agglomap.errors.OutputError` naming the target and the reason.

Temporary names are short and recognisable (``.agglomap-tmp-<pid>-<random><ext>``), so
an output name may use the whole file-name limit less its sidecar suffix, and a temporary
left behind by a killed process (``kill -9``) is removed by the next write into that folder
once its process is gone (:func:`remove_stale_temporaries`). A name too long for the file
system, with or without its ``.sources.json`` sidecar, is refused before anything is written;
so is an existing target that is not a regular file (``/dev/full``, a pipe).

Shapefile field names hold at most 10 bytes: longer (or clashing) column names are
shortened deterministically (:func:`shapefile_fields`) and the full names are recorded in
the sidecar under ``fields`` (short → original).

CSV cells (and headers) that a spreadsheet would run as a formula — text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, other than a plain number such as
``-5`` or a bare dash — are written with a leading ``'`` (OWASP's rule against CSV
injection); the sidecar says how many and in which columns (``csv_formula_cells``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import unicodedata
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ._version import __version__
from .errors import InputError, OutputError
from .provenance import Source, as_records

TABLE_FORMATS = {".csv", ".xlsx"}
LAYER_FORMATS = {".gpkg", ".geojson", ".shp"}
SHAPEFILE_FIELD_BYTES = 10
SIDECAR_SUFFIX = ".sources.json"
# Every temporary file or folder agglomap creates starts with this (then ``<pid>-``).
TEMP_PREFIX = ".agglomap-tmp-"
# The characters that make a spreadsheet read a CSV cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d\s\u00a0\u202f]*([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?")


class ExportWarning(UserWarning):
    """An output was written, with a change the reader should know of (shortened names …)."""


def _make_parent(out: Path) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.from_os(out, exc) from None


def _own_error(exc: OSError, folder: Path) -> bool:
    """Whether ``exc`` concerns a file in ``folder`` (the temporary output), not an input."""
    if exc.filename is None:
        return True
    try:
        return Path(os.fsdecode(exc.filename)).resolve().parent == folder.resolve()
    except (OSError, TypeError, ValueError):
        return False


def _name_max(folder: Path) -> int:
    """The longest file name (bytes) the file system of ``folder`` takes (255 if unknown)."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def check_target(out: str | Path, *, sidecar: bool = False) -> None:
    """OutputError unless ``out`` can be written as a file: its name (and, with ``sidecar``,
    ``<name>.sources.json``) fits the file system's name limit, and an existing ``out`` is
    a regular file (not a device such as ``/dev/full``, a pipe or a socket)."""
    out = Path(out)
    folder = out.parent if out.parent.is_dir() else Path(".")
    limit = _name_max(folder)
    size = len(os.fsencode(out.name))
    if size > limit:
        raise OutputError(
            out, f"the file name is {size} bytes, over this file system's {limit}-byte limit"
        )
    if sidecar and size + len(SIDECAR_SUFFIX) > limit:
        raise OutputError(
            out,
            f"the file name is {size} bytes; its sidecar (name + {SIDECAR_SUFFIX!r}) would "
            f"exceed this file system's {limit}-byte limit; use a name of at most "
            f"{limit - len(SIDECAR_SUFFIX)} bytes",
        )
    try:
        mode = os.stat(out).st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        kind = "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
        raise OutputError(out, f"it is {kind}, not a file to write into; name an output file")


def _temp_name(suffix: str) -> str:
    """``.agglomap-tmp-<pid>-<random><suffix>``: short whatever the output's name."""
    if len(suffix) > 16:  # not an extension any writer needs
        suffix = ""
    return f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}{suffix}"


def _process_start(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds), if the system says (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22: start time in clock ticks after boot
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _is_stale(entry: os.DirEntry) -> bool:
    """Whether ``entry`` is an agglomap temporary whose writer is gone: its process no
    longer runs, or the pid now belongs to a process started after the entry was made."""
    match = re.match(re.escape(TEMP_PREFIX) + r"(\d+)-", entry.name)
    if not match:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, owned by someone else
        pass
    started = _process_start(pid)
    try:
        made = entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    return started is not None and made < started - 1.0


_CLEANED: set[Path] = set()


def remove_stale_temporaries(folder: str | Path) -> list[str]:
    """Remove temporaries left in ``folder`` by agglomap processes that were killed (once
    per folder per process); return their names. Other files are never touched."""
    folder = Path(folder)
    try:
        key = folder.resolve()
    except OSError:
        return []
    if key in _CLEANED:
        return []
    _CLEANED.add(key)
    removed = []
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(TEMP_PREFIX)]
    except OSError:
        return []
    for entry in entries:
        if not _is_stale(entry):
            continue
        with suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(entry.name)
    return removed


def temporary_folder(near: str | Path) -> Path:
    """A new recognisable temporary folder beside ``near`` (for multi-file outputs)."""
    near = Path(near)
    _make_parent(near)
    remove_stale_temporaries(near.parent)
    tmp = near.parent / _temp_name("")
    try:
        tmp.mkdir()
    except OSError as exc:
        raise OutputError.from_os(near, exc) from None
    return tmp


@contextmanager
def atomic_path(out: str | Path, *, sidecar: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``out``; move it onto ``out`` only if the block succeeds.

    ``sidecar``: a ``.sources.json`` sidecar will follow, so its name must fit as well
    (:func:`check_target`, before anything is written).

    An OSError creating the folder or the temporary file, writing it (inside the block) or
    renaming it onto ``out`` becomes an :class:`OutputError` naming ``out``, and so does a
    GDAL error writing the temporary (a full disk among them).
    """
    out = Path(out)
    check_target(out, sidecar=sidecar)
    _make_parent(out)
    remove_stale_temporaries(out.parent)
    tmp_path = out.parent / _temp_name(out.suffix)
    try:
        with open(tmp_path, "xb"):  # the folder is writable and the name is ours
            pass
        os.unlink(tmp_path)  # writers such as GDAL want to create the file themselves
    except OSError as exc:
        raise OutputError.from_os(out, exc) from None
    try:
        try:
            yield tmp_path
        except OSError as exc:
            if _own_error(exc, out.parent):
                raise OutputError.from_os(out, exc) from None
            raise
        except Exception as exc:
            if _is_gdal_error(exc):
                raise OutputError(out, write_failure_reason(exc, out.parent)) from None
            raise
        try:
            os.replace(tmp_path, out)
        except OSError as exc:
            raise OutputError.from_os(out, exc) from None
    finally:
        with suppress(OSError):
            if tmp_path.is_dir():
                shutil.rmtree(tmp_path)
            elif tmp_path.exists():
                tmp_path.unlink()


def _is_gdal_error(exc: BaseException) -> bool:
    """Whether ``exc`` comes from GDAL (pyogrio's or fiona's error classes)."""
    module = type(exc).__module__ or ""
    return module.startswith(("pyogrio", "fiona"))


def write_failure_reason(exc: BaseException, folder: Path) -> str:
    """Why a writer failed, in a few words: a full disk is said so, else GDAL's message."""
    text = str(exc).strip() or type(exc).__name__
    full = "no space left" in text.lower()
    if not full:
        with suppress(OSError):
            usage = shutil.disk_usage(folder)
            full = usage.free < 1024 * 1024
    if full:
        return f"no space left on device (GDAL: {text.splitlines()[0]})"
    return f"GDAL could not write it: {text.splitlines()[0]}"


def write_text(text: str, out: str | Path, sources: Sequence[Source] = ()) -> Path:
    """Write a text file (HTML, Markdown…) atomically; a sidecar names ``sources`` if given."""
    out = Path(out)
    check_target(out, sidecar=bool(sources))
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    if sources:
        write_sidecar(out, sources)
    return out


def write_table(
    data: pd.DataFrame | gpd.GeoDataFrame,
    out: str | Path,
    sources: Sequence[Source] = (),
    *,
    layer: str | None = None,
    sidecar: Mapping[str, object] | None = None,
) -> Path:
    """Write ``data`` to ``out`` in the format its extension names.

    ``.csv`` and ``.xlsx`` take any frame (geometry dropped, lon/lat kept if present);
    ``.gpkg``, ``.geojson`` and ``.shp`` need a GeoDataFrame. The sidecar names
    ``sources`` and holds the ``sidecar`` entries; a shapefile whose field names had to
    be shortened always gets one, with the full names under ``fields``.
    """
    extra = dict(sidecar or {})
    out = Path(out)
    ext = out.suffix.lower()
    if ext not in TABLE_FORMATS | LAYER_FORMATS:
        check_target(out)  # "/dev/full is a device" says more than "format ''"
        raise InputError(
            f"unsupported output format {ext!r}; use one of "
            f"{', '.join(sorted(TABLE_FORMATS | LAYER_FORMATS))}",
            path=out,
        )
    if ext in LAYER_FORMATS and not isinstance(data, gpd.GeoDataFrame):
        raise InputError(f"{ext} needs a layer with geometry; write .csv or .xlsx", path=out)
    frame = data
    if ext in TABLE_FORMATS and isinstance(data, gpd.GeoDataFrame):
        frame = pd.DataFrame(data.drop(columns=data.geometry.name))
    if ext == ".csv":
        frame, neutralised = neutralise_formulas(frame)
        if neutralised:
            extra["csv_formula_cells"] = neutralised
    if ext == ".shp":
        columns = [c for c in data.columns if c != data.geometry.name]
        if any(short != orig for orig, short in shapefile_fields(columns).items()):
            extra.setdefault("fields", {})
    check_target(out, sidecar=bool(sources or extra))  # before anything is written
    if ext == ".shp":
        fields = _write_shapefile(data, out)
        if fields:
            extra["fields"] = fields
    elif ext in LAYER_FORMATS:
        with atomic_path(out) as tmp:
            kwargs = {"layer": layer or out.stem} if ext == ".gpkg" else {}
            data.to_file(tmp, engine="pyogrio", **kwargs)
    else:
        with atomic_path(out) as tmp:
            if ext == ".csv":
                frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator=_eol(frame))
            else:
                _write_xlsx(frame, tmp, (layer or "data")[:31])
    if sources or extra:
        write_sidecar(out, sources, **extra)
    if extra.get("fields"):
        warnings.warn(
            f"{out}: {len(extra['fields'])} column name(s) shortened to the shapefile's "
            f"{SHAPEFILE_FIELD_BYTES}-byte limit; full names in {sidecar_path(out).name}",
            ExportWarning,
            stacklevel=2,
        )
    return out


def _eol(frame: pd.DataFrame) -> str:
    """``\\n``, or ``\\r\\n`` when a text cell holds a carriage return: the csv writer quotes
    a cell holding a character of the line ending, so a lone CR cannot split a row."""
    for col in frame.columns:
        if (
            _is_text(frame[col])
            and frame[col].map(lambda v: isinstance(v, str) and "\r" in v).any()
        ):
            return "\r\n"
    return "\n"


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read the text cell ``text`` as a formula: it starts with
    one of :data:`FORMULA_STARTS` and is neither a plain number (``-5``, ``+7,5``,
    ``-1 234``) nor only dashes (the no-data mark ``-``)."""
    if not text or not text.startswith(FORMULA_STARTS):
        return False
    return not (_PLAIN_NUMBER.fullmatch(text) or set(text) <= {"-"})


def neutralise_formulas(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, object]]:
    """``frame`` with every formula-like text cell and header (:func:`formula_like`)
    prefixed with ``'``, and a note for the sidecar (``{}`` when nothing was changed)."""
    counts: dict[str, int] = {}
    out = frame
    renames = {c: f"'{c}" for c in frame.columns if isinstance(c, str) and formula_like(c)}
    for col in frame.columns:
        values = frame[col]
        if not _is_text(values):
            continue
        hit = values.map(lambda v: isinstance(v, str) and formula_like(v))
        n = int(hit.sum())
        if n:
            if out is frame:
                out = frame.copy()
            out[col] = values.where(~hit, "'" + values.astype(str))
            counts[str(col)] = n
    if renames:
        out = out.rename(columns=renames)
    if not counts and not renames:
        return frame, {}
    note: dict[str, object] = {
        "rule": "text starting with = + - @ tab or carriage return (other than a plain number) "
        "is written with a leading ' so that a spreadsheet shows it as text, not a formula "
        "(OWASP CSV injection); remove the ' to get the original text",
        "cells": sum(counts.values()),
        "columns": counts,
    }
    if renames:
        note["headers"] = [str(c) for c in renames]
    return out, note


def _write_xlsx(frame: pd.DataFrame, out: Path, sheet: str) -> None:
    """Write ``frame`` to one sheet; every text cell stays text (data type ``s``), so a
    value such as ``=HYPERLINK(…)`` or ``=1+1`` is shown as typed, never run as a formula."""
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet)
        for row in writer.sheets[sheet].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type != "s":
                    cell.data_type = "s"


def _write_shapefile(data: gpd.GeoDataFrame, out: Path) -> dict[str, str]:
    """Shapefiles are several files: write them in a temporary folder, then move each.

    Returns the renamed fields, short name → original. The parts of a previous shapefile
    of that name are set aside first and put back if moving the new parts fails.
    """
    renames = shapefile_fields(c for c in data.columns if c != data.geometry.name)
    fields = {short: str(orig) for orig, short in renames.items() if short != orig}
    tmpdir = temporary_folder(out)
    moved: list[Path] = []
    backups: list[tuple[Path, Path]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL's laundering notes; names are made safe
            data.rename(columns=renames).to_file(
                tmpdir / out.name, engine="pyogrio", encoding="UTF-8"
            )
        (tmpdir / "old").mkdir()
        for old in sorted(out.parent.iterdir()):
            if old.stem == out.stem and old.suffix.lower() in _SHAPEFILE_PARTS:
                backups.append((old, tmpdir / "old" / old.name))
                os.replace(old, backups[-1][1])
        for part in sorted(p for p in tmpdir.iterdir() if p.is_file()):
            target = out.with_suffix(part.suffix)
            os.replace(part, target)
            moved.append(target)
    except Exception as exc:
        for target in moved:
            with suppress(OSError):
                target.unlink()
        for old, backup in backups:
            with suppress(OSError):
                os.replace(backup, old)
        if isinstance(exc, OSError):
            raise OutputError.from_os(out, exc) from None
        if _is_gdal_error(exc):
            raise OutputError(out, write_failure_reason(exc, out.parent)) from None
        raise
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return fields


_SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj"}


# Cyrillic (Russian and Kazakh letters) → Latin, for shapefile field names.
_LATIN = (
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya a g q n o u u h i"
)
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі", _LATIN.split(" "), strict=True))


def _ascii(name: str) -> str:
    """``name`` in plain ASCII letters, digits and underscores (Cyrillic transliterated)."""
    out = []
    for ch in name:
        low = ch.lower()
        if low in _CYRILLIC:
            latin = _CYRILLIC[low].strip("-")
            out.append(latin.capitalize() if ch != low else latin)
        else:
            out.append(ch)
    text = unicodedata.normalize("NFKD", "".join(out))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def _shorten(name: str, limit: int = SHAPEFILE_FIELD_BYTES) -> str:
    """At most ``limit`` characters, keeping a trailing number (``Naselenie_2020`` →
    ``Nasel_2020``)."""
    if len(name) <= limit:
        return name
    head, _, tail = name.rpartition("_")
    if head and tail.isdigit() and len(tail) <= limit - 2:
        return f"{head[: limit - len(tail) - 1].rstrip('_')}_{tail}"
    return name[:limit].rstrip("_")


def shapefile_fields(columns: Iterator[object] | Sequence[object]) -> dict[object, str]:
    """Each column → a unique shapefile field name of at most 10 bytes (UTF-8).

    A name that fits (and does not clash, ignoring case) is kept; else it is
    transliterated to ASCII and shortened, keeping a trailing number; a clash gets a
    ``_1``, ``_2``… suffix; a name with nothing left becomes ``f1``, ``f2``… (by position).
    """
    limit = SHAPEFILE_FIELD_BYTES
    cols = list(columns)
    taken: set[str] = set()
    result: dict[object, str] = {}
    keep = {c for c in cols if len(str(c).encode("utf-8")) <= limit and str(c).strip()}
    for col in cols:  # names that fit win over shortened ones
        if col in keep and str(col).casefold() not in taken:
            result[col] = str(col)
            taken.add(str(col).casefold())
    for pos, col in enumerate(cols, start=1):
        if col in result:
            continue
        base = _shorten(_ascii(str(col)), limit) or f"f{pos}"
        name, n = base, 0
        while name.casefold() in taken:
            n += 1
            suffix = f"_{n}"
            name = base[: limit - len(suffix)].rstrip("_") + suffix
        result[col] = name
        taken.add(name.casefold())
    return result


def sidecar_path(out: str | Path) -> Path:
    """``<out>.sources.json``."""
    out = Path(out)
    return out.with_name(out.name + SIDECAR_SUFFIX)


def write_sidecar(out: str | Path, sources: Sequence[Source], **extra: object) -> Path:
    """``<out>.sources.json``: what the file was made from, under which licences, by what."""
    meta = {
        "file": Path(out).name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "generator": f"agglomap {__version__}",
        "sources": as_records(*sources),
        **extra,
    }
    target = sidecar_path(out)
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return target
