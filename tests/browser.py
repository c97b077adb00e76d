"""Open generated HTML in headless Chromium, offline, and watch what it does.

Import from tests as ``from browser import open_html, screenshot``. The browser is
Debian's ``/usr/bin/chromium`` driven by Playwright; every request that is not a
``file:``/``data:``/``blob:`` URL is aborted and counted, so a self-contained map must
report zero ``blocked`` requests. Console errors and uncaught page errors are collected.
A missing Chromium is a test failure, not a skip: CI installs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from agglomap.screenshot import CHROMIUM_FLAGS

CHROMIUM = Path(os.environ.get("AGGLOMAP_CHROMIUM", "/usr/bin/chromium"))
ARGS = list(CHROMIUM_FLAGS)  # the same flags as `agglomap screenshot`
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


class PageLog(list):
    """The console errors and uncaught page errors (a list, so ``assert not log`` works),
    plus ``blocked`` (non-local requests that were aborted) and ``dialogs`` (alert texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.dialogs: list[str] = []


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"headless browser tests need Chromium at {CHROMIUM}: "
            "apt-get install chromium (and pip install playwright)",
            pytrace=False,
        )


@contextmanager
def open_html(
    path: str | Path, size: tuple[int, int] = (1400, 900), wait_ms: int = 300
) -> Iterator[tuple[object, PageLog]]:
    """Open ``path`` offline; yield ``(page, log)``: a Playwright page and its :class:`PageLog`.

    Any dialog (``alert``…) is recorded in ``log.dialogs`` and dismissed.
    """
    _require_chromium()
    from playwright.sync_api import sync_playwright

    log = PageLog()
    url = Path(path).resolve().as_uri()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(
                offline=True, viewport={"width": size[0], "height": size[1]}
            )

            def route(r) -> None:
                if r.request.url.startswith(LOCAL_SCHEMES):
                    r.continue_()
                else:
                    log.blocked.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console", lambda msg: msg.type == "error" and log.append(f"console: {msg.text}")
            )
            page.on("pageerror", lambda exc: log.append(f"pageerror: {exc}"))

            def dialog(d) -> None:
                log.dialogs.append(d.message)
                d.dismiss()

            page.on("dialog", dialog)
            page.goto(url, wait_until="load")
            page.wait_for_timeout(wait_ms)
            yield page, log
        finally:
            browser.close()


def screenshot(
    path_html: str | Path, png_out: str | Path, size: tuple[int, int] = (1400, 900)
) -> Path:
    """Save a PNG of ``path_html`` as it renders offline at ``size`` pixels."""
    png_out = Path(png_out)
    png_out.parent.mkdir(parents=True, exist_ok=True)
    with open_html(path_html, size=size) as (page, _log):
        page.screenshot(path=str(png_out), full_page=False)
    return png_out
