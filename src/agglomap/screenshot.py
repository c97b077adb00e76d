"""Screenshots of generated HTML maps with headless Chromium (Debian package ``chromium``)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from contextlib import suppress
from dataclasses import fields
from pathlib import Path

from .errors import AgglomapError, InputError
from .export import atomic_path, sidecar_path, write_sidecar
from .provenance import Source

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def find_chromium() -> str:
    """Path of a Chromium/Chrome executable (AgglomapError if none is installed)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise AgglomapError(
        "headless Chromium not found; install it (Debian: apt-get install chromium)"
    )


HTML_SUFFIXES = (".html", ".htm")
TIMEOUT_S = 120.0


def screenshot(
    html: str | Path,
    out: str | Path,
    *,
    size: tuple[int, int] = (1400, 900),
    timeout: float | None = None,
) -> Path:
    """Render ``html`` in headless Chromium and write a PNG of the viewport to ``out``.

    Refuses a non-HTML input and a non-PNG output before starting Chromium; a render
    taking longer than ``timeout`` seconds (default ``TIMEOUT_S``) is stopped, helpers too.
    The PNG's sidecar names the sources of the page (from the page's own sidecar).
    """
    html, out = Path(html), Path(out)
    if html.suffix.lower() not in HTML_SUFFIXES:
        raise InputError(
            f"expected an HTML map (.html) to render, got a {html.suffix or 'suffix-less'} "
            "file; make one with `agglomap choropleth` or `agglomap monocity-map`",
            path=html,
        )
    if not html.is_file():
        raise InputError("no such HTML file", path=html)
    if out.suffix.lower() != ".png":
        raise InputError(
            f"screenshots are PNG images: name the output *.png, not {out.suffix or 'suffix-less'}",
            path=out,
        )
    chromium = find_chromium()
    timeout = TIMEOUT_S if timeout is None else timeout
    with (
        tempfile.TemporaryDirectory(prefix="agglomap-chromium-") as profile,
        atomic_path(out, sidecar=True) as tmp,
    ):
        cmd = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={size[0]},{size[1]}",
            "--virtual-time-budget=5000",
            f"--screenshot={tmp}",
            html.resolve().as_uri(),
        ]
        code, log = _run(cmd, timeout)
        if code is None:
            raise AgglomapError(
                f"Chromium did not finish rendering {html} within {timeout:g} s; "
                "it was stopped and nothing was written"
            )
        if code != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            last = next((ln for ln in reversed(log.splitlines()) if ln.strip()), "no message")
            raise AgglomapError(
                f"Chromium could not screenshot {html} (exit {code}): {last.strip()[:300]}"
            )
    write_sidecar(out, page_sources(html), screenshot_of=html.name)
    return out


def page_sources(html: Path) -> list[Source]:
    """The sources named in ``html``'s sidecar (none if it has no readable sidecar)."""
    try:
        meta = json.loads(sidecar_path(html).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names = {f.name for f in fields(Source)}
    records = meta.get("sources") if isinstance(meta, dict) else None
    return [
        Source(**{k: str(v) for k, v in record.items() if k in names})
        for record in records or []
        if isinstance(record, dict) and {"key", "title", "licence", "attribution"} <= set(record)
    ]


def _run(cmd: list[str], timeout: float) -> tuple[int | None, str]:
    """Run ``cmd`` in its own process group; (exit code, stderr), or (None, "") on timeout,
    after killing the group so no Chromium helper outlives it."""
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, ""
    return proc.returncode, err
