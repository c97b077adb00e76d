"""Write tables, layers and files atomically, each with a sidecar naming its sources.

Nothing half-written is left behind: every writer renders into a temporary file (or
folder, for shapefiles) beside the target and renames it into place on success.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import __version__
from .errors import InputError
from .provenance import Source, as_records

TABLE_FORMATS = {".csv", ".xlsx"}
LAYER_FORMATS = {".gpkg", ".geojson", ".shp"}


@contextmanager
def atomic_path(out: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``out``; move it onto ``out`` only if the block succeeds."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    os.unlink(tmp)  # writers such as GDAL want to create the file themselves
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, out)
    finally:
        if tmp_path.exists():
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
) -> Path:
    """Write ``data`` to ``out`` in the format its extension names.

    ``.csv`` and ``.xlsx`` take any frame (geometry dropped, lon/lat kept if present);
    ``.gpkg``, ``.geojson`` and ``.shp`` need a GeoDataFrame.
    """
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
            _write_shapefile(data, out)
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
                frame.to_excel(tmp, index=False, sheet_name=(layer or "data")[:31])
    if sources:
        write_sidecar(out, sources)
    return out


def _write_shapefile(data: gpd.GeoDataFrame, out: Path) -> None:
    """Shapefiles are several files: write them in a temporary folder, then move each."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{out.stem}.", dir=out.parent))
    try:
        data.to_file(tmpdir / out.name, engine="pyogrio", encoding="UTF-8")
        for part in sorted(tmpdir.iterdir()):
            os.replace(part, out.with_suffix(part.suffix))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def sidecar_path(out: str | Path) -> Path:
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
