"""Errors that reach users: each names the file, the row/column and what was expected."""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable
from pathlib import Path


class AgglomapError(Exception):
    """Base class for every error agglomap reports to a user (the CLI prints it, no traceback).

    ``param`` names the function parameter (or setting) at fault, as the library's
    message does; the command line shows the matching flag instead (``fua_max_km`` →
    ``--fua-max-km``).
    """

    def __init__(self, *args: object, param: str | tuple[str, ...] | None = None) -> None:
        super().__init__(*args)
        self.param = param


class InputError(AgglomapError, ValueError):
    """Bad user input: a file, a row and/or a column (or a config key), and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        key: str | None = None,
        param: str | tuple[str, ...] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.row = row
        self.column = column
        self.key = key  # a setting in a YAML/config file, where tables have columns
        self.message = message
        where = []
        if path is not None:
            where.append(str(path))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        if key is not None:
            where.append(f"key {key!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message, param=param)


class SourceError(AgglomapError):
    """An upstream data source could not be fetched or failed verification."""


class OutputError(AgglomapError):
    """An output could not be written: names the target and the reason."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"cannot write {path}: {reason}")

    @classmethod
    def from_os(cls, path: str | Path, exc: OSError) -> OutputError:
        """``exc`` (raised while creating, writing or renaming ``path``) as an OutputError."""
        if isinstance(exc, OutputError):
            return exc
        return cls(path, os_reason(exc, path))


def os_reason(exc: OSError, path: str | Path | None = None) -> str:
    """A short reason for ``exc``: "permission denied", "'a.csv' is a file, not a folder"…"""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if code == errno.EROFS:
        return "read-only file system"
    if code == errno.ENOSPC:
        return "no space left on device"
    if code == errno.EISDIR:
        return "a folder of that name is in the way"
    if code in (errno.ENOTDIR, errno.EEXIST) and path is not None:
        folders = list(Path(path).parents)[::-1] + ([Path(path)] if code == errno.EEXIST else [])
        for folder in folders:
            if folder.exists() and not folder.is_dir():
                return f"{str(folder)!r} is a file, not a folder"
        if code == errno.ENOTDIR:
            return "a part of the path is a file, not a folder"
    return (exc.strerror or str(exc) or type(exc).__name__).lower()


def grouped(n: int) -> str:
    """``1052390`` → ``"1 052 390"`` (thin groups, as the statistics bureau prints them)."""
    return f"{n:,}".replace(",", " ")


def bounded(items: Iterable[object], limit: int = 10, sep: str = ", ", what: str = "") -> str:
    """The first ``limit`` items joined by ``sep``, then ``" … and 1 052 390 more"`` (with
    ``what``, e.g. ``"rows"``): error messages stay short whatever the input's size."""
    shown: list[str] = []
    rest = 0
    for item in items:
        if len(shown) < limit:
            shown.append(str(item))
        else:
            rest += 1
    text = sep.join(shown)
    if rest:
        text += f" … and {grouped(rest)} more" + (f" {what}" if what else "")
    return text


def suggest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Closest candidates to ``name`` (case-insensitive), best first."""
    cands = list(dict.fromkeys(candidates))
    lower = {c.lower(): c for c in cands}
    hits = difflib.get_close_matches(name.lower(), list(lower), n=n, cutoff=0.5)
    return [lower[h] for h in hits]


def did_you_mean(name: object, candidates: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` naming the closest of ``candidates``, else ``""``."""
    close = suggest(str(name), candidates)
    return f"; did you mean {close[0]!r}?" if close else ""
