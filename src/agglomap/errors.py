"""Errors that reach users: each names the file, the row/column and what was expected."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class AgglomapError(Exception):
    """Base class for every error agglomap reports to a user (the CLI prints it, no traceback)."""


class InputError(AgglomapError, ValueError):
    """Bad user input: a file, a row and/or a column, and what was expected there."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.row = row
        self.column = column
        self.message = message
        where = []
        if path is not None:
            where.append(str(path))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class SourceError(AgglomapError):
    """An upstream data source could not be fetched or failed verification."""


def suggest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Closest candidates to ``name`` (case-insensitive), best first."""
    cands = list(dict.fromkeys(candidates))
    lower = {c.lower(): c for c in cands}
    hits = difflib.get_close_matches(name.lower(), list(lower), n=n, cutoff=0.5)
    return [lower[h] for h in hits]
