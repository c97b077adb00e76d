"""Helpers shared by test modules (imported as ``from helpers import …``)."""

from __future__ import annotations

from pathlib import Path


def error_line(capsys, command: str) -> str:
    """The single stderr line of a failed command (and no traceback)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith(f"agglomap {command}: error:")]
    assert len(lines) == 1, err
    return lines[0]


def hidden_files(folder: Path) -> list[str]:
    """Temporary files/folders (``.name.xyz``) left anywhere under ``folder``."""
    return [p.name for p in folder.rglob(".*")]
