"""Screenshots of generated HTML maps with headless Chromium (Debian package ``chromium``)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import AgglomapError
from .export import atomic_path

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
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise AgglomapError(
        "headless Chromium not found; install it (Debian: apt-get install chromium)"
    )


def screenshot(html: str | Path, out: str | Path, *, size: tuple[int, int] = (1400, 900)) -> Path:
    """Render ``html`` in headless Chromium and write a PNG of the viewport to ``out``."""
    html = Path(html).resolve()
    if not html.is_file():
        raise AgglomapError(f"{html}: no such HTML file")
    out = Path(out)
    with (
        tempfile.TemporaryDirectory(prefix="agglomap-chromium-") as profile,
        atomic_path(out) as tmp,
    ):
        cmd = [
            find_chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={size[0]},{size[1]}",
            "--virtual-time-budget=5000",
            f"--screenshot={tmp}",
            html.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise AgglomapError(
                f"Chromium could not screenshot {html} (exit {proc.returncode}): "
                f"{proc.stderr.strip()[-500:]}"
            )
    return out
