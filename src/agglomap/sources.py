"""Upstream data files: find them locally or download them, and verify each by sha256.

Every file agglomap reads from upstream is pinned in ``agglomap/data/sources.json``
(path, URL, sha256, licence). :func:`fetch` resolves a file in this order:

1. ``sources_dir`` if given, else :data:`agglomap.settings.sources_dir` (the CLI's
   ``--sources DIR``), else ``$AGGLOMAP_SOURCES`` (:func:`agglomap.settings.sources_folder`);
2. a download with pooch into the user cache (:func:`agglomap.settings.cache_folder`:
   ``settings.cache_dir``, ``$AGGLOMAP_CACHE``, else ``platformdirs.user_cache_dir("agglomap")``).

A local folder mirrors upstream's layout relative to the manifest (``geokz/<file>``).
``base_url`` (or ``$AGGLOMAP_BASE_URL``) replaces scheme and host of each upstream URL,
so a mirror serves the same paths: ``<base_url>/arodionoff/geokz/<commit>/inst/shape/<file>``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from . import settings
from .data import data_path
from .errors import SourceError, suggest
from .settings import BASE_URL_ENV, SOURCES_ENV

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class Entry:
    """One upstream file as the manifest pins it."""

    name: str
    path: str  # relative to a sources folder or the cache
    sha256: str
    licence: str
    url: str = ""
    page: str = ""
    manual: bool = False  # no stable direct URL: the user fetches it by hand
    note: str = ""


@cache
def manifest() -> dict[str, Entry]:
    """Every pinned upstream file, by file name."""
    raw = json.loads(data_path("sources.json").read_text(encoding="utf-8"))
    return {
        name: Entry(
            name=name,
            path=rec["path"],
            sha256=rec["sha256"],
            licence=rec["licence"],
            url=rec.get("url", ""),
            page=rec.get("page", ""),
            manual=bool(rec.get("manual", False)),
            note=rec.get("note", ""),
        )
        for name, rec in raw["files"].items()
    }


def entry(name: str) -> Entry:
    """The manifest entry for ``name`` (a file name, or its path such as ``geokz/<file>``)."""
    files = manifest()
    key = Path(name).name
    if key not in files:
        hint = suggest(key, files)
        raise SourceError(
            f"no upstream file {name!r} in the manifest"
            + (f"; did you mean {', '.join(hint)}?" if hint else "")
        )
    return files[key]


def sha256sum(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_verified: dict[tuple[str, int, int], str] = {}


def _hash_cached(path: Path) -> str:
    """sha256 of ``path``, remembered per (path, mtime, size) so reloads are cheap."""
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _verified:
        _verified[key] = sha256sum(path)
    return _verified[key]


def verify(path: Path, ent: Entry) -> Path:
    """Return ``path`` if its sha256 is the pinned one, else raise :class:`SourceError`."""
    actual = _hash_cached(path)
    if actual != ent.sha256:
        raise SourceError(
            f"{path}: checksum mismatch for {ent.name}: expected sha256 {ent.sha256}, "
            f"got {actual}. The file is corrupt or a different version; replace it with "
            f"the pinned upstream file ({ent.url or ent.page})."
        )
    return path


def local_dir(sources_dir: str | Path | None = None) -> Path | None:
    """The local sources folder in force: ``sources_dir``, else the settings'
    (:func:`agglomap.settings.sources_folder`), else None."""
    if sources_dir is None:
        return settings.sources_folder()
    folder = Path(sources_dir).expanduser()
    if not folder.is_dir():
        raise SourceError(
            f"{folder}: sources folder (sources_dir) does not exist", param="sources_dir"
        )
    return folder


def local_path(ent: Entry, folder: Path | None) -> Path:
    """Where ``ent`` is read from without downloading: in ``folder`` at its manifest path or
    by its bare name (the first that exists, else the manifest path), or, without a
    folder, in the download cache."""
    if folder is None:
        return settings.cache_folder() / ent.path
    places = (folder / ent.path, folder / ent.name)
    return next((p for p in places if p.is_file()), places[0])


def fetch(
    name: str,
    sources_dir: str | Path | None = None,
    *,
    base_url: str | None = None,
    progress: bool = True,
) -> Path:
    """Path of the verified upstream file ``name``, from a local folder or downloaded."""
    ent = entry(name)
    folder = local_dir(sources_dir)
    if folder is not None:
        path = local_path(ent, folder)
        if path.is_file():
            return verify(path, ent)
        raise SourceError(
            f"{path}: not found in the sources folder; get it from {ent.url or ent.page}"
        )
    if ent.manual:
        raise SourceError(
            f"{ent.name} cannot be downloaded automatically. Get it from {ent.page}, "
            f"put it in a folder and set settings.sources_dir (or ${SOURCES_ENV}) to that "
            f"folder. {ent.note}",
            param="sources_dir",
        )
    return _download(ent, base_url or os.environ.get(BASE_URL_ENV) or None, progress)


def status(sources_dir: str | Path | None = None) -> list[tuple[Entry, Path, str]]:
    """Each pinned file with where it would be read from and its state, without downloading:
    ``"ok"``, ``"missing"`` or ``"checksum mismatch"``."""
    folder = local_dir(sources_dir)
    rows = []
    for ent in manifest().values():
        where = local_path(ent, folder)
        if not where.is_file():
            state = "missing"
        else:
            state = "ok" if _hash_cached(where) == ent.sha256 else "checksum mismatch"
        rows.append((ent, where, state))
    return rows


def fetch_layer(
    layer_stem: str,
    sources_dir: str | Path | None = None,
    *,
    base_url: str | None = None,
    progress: bool = True,
) -> Path:
    """Fetch every part of a shapefile (``.shp .shx .dbf .prj .cpg``); return the ``.shp``."""
    stem = Path(layer_stem).name.removesuffix(".shp")
    paths = [
        fetch(stem + ext, sources_dir, base_url=base_url, progress=progress)
        for ext in SHAPEFILE_PARTS
    ]
    return paths[0]


def mirror_url(url: str, base_url: str | None) -> str:
    """``url`` with scheme and host replaced by ``base_url`` (path kept), or ``url`` itself."""
    if not base_url:
        return url
    return base_url.rstrip("/") + urlsplit(url).path


def _download(ent: Entry, base_url: str | None, progress: bool) -> Path:
    import pooch
    import requests

    target = settings.cache_folder() / ent.path
    if target.is_file() and _hash_cached(target) == ent.sha256:
        return target
    url = mirror_url(ent.url, base_url)
    logger = pooch.get_logger()
    level = logger.level
    if not progress:
        logger.setLevel("WARNING")  # pooch's "Downloading data from …" line
    try:
        got = pooch.retrieve(
            url,
            known_hash=f"sha256:{ent.sha256}",
            fname=target.name,
            path=target.parent,
            progressbar=progress,
        )
    except ValueError as exc:  # pooch's checksum refusal; it deletes the download itself
        hashes = re.findall(r"\b[0-9a-f]{64}\b", str(exc))
        actual = hashes[-1] if len(hashes) > 1 else "unknown"
        raise SourceError(
            f"{url}: checksum mismatch for {ent.name}: expected sha256 {ent.sha256}, "
            f"got {actual}; the download was discarded"
        ) from exc
    except (requests.RequestException, OSError) as exc:
        raise SourceError(
            f"could not download {ent.name} from {url}: {exc}. Without internet, set "
            f"settings.sources_dir (or ${SOURCES_ENV}) to a folder holding {ent.path}",
            param="sources_dir",
        ) from exc
    finally:
        logger.setLevel(level)
    return Path(got)
