"""Runtime settings of agglomap, in one place (in the style of ``osmnx.settings``).

Set them once, before the work, instead of passing folders to every function::

    import agglomap as am

    am.settings.sources_dir = "/data/agglomap-sources"  # read geokz/OSM files from here
    am.settings.cache_dir = "/tmp/agglomap-cache"  # downloads go here
    am.settings.lang = "ru"  # default language of maps made without ``lang=``

``None`` means the environment decides: ``$AGGLOMAP_SOURCES`` for the sources folder
(else files are downloaded), ``$AGGLOMAP_CACHE`` for the download cache (else the
platform's user cache folder, ``platformdirs.user_cache_dir("agglomap")``). The command
line's ``--sources DIR`` sets :data:`sources_dir`. The environment is read when a file
is needed, not at import.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import SourceError

SOURCES_ENV = "AGGLOMAP_SOURCES"
CACHE_ENV = "AGGLOMAP_CACHE"
BASE_URL_ENV = "AGGLOMAP_BASE_URL"

#: Folder holding the upstream files (``geokz/…``, the OSM export); None: ``$AGGLOMAP_SOURCES``.
sources_dir: str | Path | None = None
#: Folder downloads go to; None: ``$AGGLOMAP_CACHE``, else the platform's user cache.
cache_dir: str | Path | None = None
#: Label language of maps and tables made without an explicit ``lang``.
lang: str = "en"


def sources_folder() -> Path | None:
    """The local sources folder in force: :data:`sources_dir`, else ``$AGGLOMAP_SOURCES``,
    else None (files are then downloaded). SourceError if it names no folder."""
    chosen = sources_dir if sources_dir is not None else os.environ.get(SOURCES_ENV) or None
    if chosen is None:
        return None
    folder = Path(chosen).expanduser()
    if not folder.is_dir():
        how = "settings.sources_dir" if sources_dir is not None else f"${SOURCES_ENV}"
        raise SourceError(
            f"{folder}: sources folder ({how}) does not exist",
            param="sources_dir" if sources_dir is not None else None,
        )
    return folder


def cache_folder() -> Path:
    """Where downloads go: :data:`cache_dir`, else ``$AGGLOMAP_CACHE``, else the platform's
    user cache folder."""
    chosen = cache_dir if cache_dir is not None else os.environ.get(CACHE_ENV) or None
    if chosen is not None:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("agglomap"))


def default_lang(lang: str | None) -> str:
    """``lang`` if given, else :data:`lang`."""
    return lang if lang is not None else globals()["lang"]


@contextmanager
def override(**values: object) -> Iterator[None]:
    """Change settings for a ``with`` block (``override(sources_dir=folder)``), then restore."""
    names = ("sources_dir", "cache_dir", "lang")
    unknown = [k for k in values if k not in names]
    if unknown:
        raise TypeError(f"unknown setting(s) {unknown}; settings are {', '.join(names)}")
    old = {k: globals()[k] for k in values}
    globals().update(values)
    try:
        yield
    finally:
        globals().update(old)
