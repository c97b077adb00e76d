"""Write tables, layers and files atomically, each with a sidecar naming its sources.

Nothing half-written is left behind: every writer renders into a temporary file (or
folder, for shapefiles) beside the target and renames it into place on success. A target
that cannot be written (no permission, a file where a folder should be…) raises
:class:`~agglomap.errors.OutputError` naming the target and the reason.

Shapefile field names hold at most 10 bytes: longer (or clashing) column names are
shortened deterministically (:func:`shapefile_fields`) and the full names are recorded in
the sidecar under ``fields`` (short → original).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
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


@contextmanager
def atomic_path(out: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``out``; move it onto ``out`` only if the block succeeds.

    An OSError creating the folder or the temporary file, writing it (inside the block) or
    renaming it onto ``out`` becomes an :class:`OutputError` naming ``out``.
    """
    out = Path(out)
    _make_parent(out)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=out.suffix, dir=out.parent)
        os.close(fd)
        os.unlink(tmp)  # writers such as GDAL want to create the file themselves
    except OSError as exc:
        raise OutputError.from_os(out, exc) from None
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
        except OSError as exc:
            if _own_error(exc, out.parent):
                raise OutputError.from_os(out, exc) from None
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


def write_text(text: str, out: str | Path, sources: Sequence[Source] = ()) -> Path:
    """Write a text file (HTML, Markdown…) atomically; a sidecar names ``sources`` if given."""
    out = Path(out)
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
        raise InputError(
            f"unsupported output format {ext!r}; use one of "
            f"{', '.join(sorted(TABLE_FORMATS | LAYER_FORMATS))}",
            path=out,
        )
    if ext in LAYER_FORMATS:
        if not isinstance(data, gpd.GeoDataFrame):
            raise InputError(f"{ext} needs a layer with geometry; write .csv or .xlsx", path=out)
        if ext == ".shp":
            fields = _write_shapefile(data, out)
            if fields:
                extra["fields"] = fields
        else:
            with atomic_path(out) as tmp:
                kwargs = {"layer": layer or out.stem} if ext == ".gpkg" else {}
                data.to_file(tmp, engine="pyogrio", **kwargs)
    else:
        frame = (
            pd.DataFrame(data.drop(columns=data.geometry.name))
            if isinstance(data, gpd.GeoDataFrame)
            else data
        )
        with atomic_path(out) as tmp:
            if ext == ".csv":
                frame.to_csv(tmp, index=False, encoding="utf-8")
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
    _make_parent(out)
    try:
        tmpdir = Path(tempfile.mkdtemp(prefix=f".{out.stem}.", dir=out.parent))
    except OSError as exc:
        raise OutputError.from_os(out, exc) from None
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
    except OSError as exc:
        for target in moved:
            with suppress(OSError):
                target.unlink()
        for old, backup in backups:
            with suppress(OSError):
                os.replace(backup, old)
        raise OutputError.from_os(out, exc) from None
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
    return out.with_name(out.name + ".sources.json")


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
