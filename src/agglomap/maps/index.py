"""``outputs/index.html``: one page listing every generated map and table.

Self-contained (inline CSS, no scripts, no external assets); every name and description
is HTML-escaped and every link is a relative, URL-quoted path, so the folder can be
moved or zipped as a whole.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from .._version import __version__
from ..errors import InputError
from ..export import sidecar_path, write_text
from ..i18n import check_lang, t

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem;margin-bottom:.2rem}
p.meta{color:#666;margin-top:0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
td.size{text-align:right;white-space:nowrap;color:#555}
a{color:#0b5cad}
"""


_SIZE_UNITS = ("size.B", "size.KB", "size.MB", "size.GB")


def human_size(n_bytes: int, lang: str = "en") -> str:
    """``1536`` → ``"1.5 KB"`` (powers of 1024); ``"1,5 КБ"`` in ru/kk."""
    size = float(n_bytes)
    for key in _SIZE_UNITS:
        if size < 1024 or key == _SIZE_UNITS[-1]:
            number = f"{size:.0f}" if key == "size.B" else f"{size:.1f}"
            if lang in ("kk", "ru"):
                number = number.replace(".", ",")
            return f"{number} {t(key, lang)}"
        size /= 1024
    raise AssertionError("unreachable")


def write_index(
    out_dir: str | Path,
    entries: Sequence[tuple[str | Path, str]],
    *,
    title: str | None = None,
    lang: str = "en",
) -> Path:
    """Write ``out_dir/index.html`` listing ``entries`` (path, one-line description).

    Paths may be absolute or relative to ``out_dir`` but must exist inside it; a file's
    ``.sources.json`` sidecar, if present, is linked beside it. Headings are in ``lang``;
    ``title`` defaults to "agglomap outputs" in that language.
    """
    lang = check_lang(lang)
    title = t("index_title", lang) if title is None else title
    out_dir = Path(out_dir)
    rows = []
    for i, (path, description) in enumerate(entries, start=1):
        target = Path(path) if Path(path).is_absolute() else out_dir / path
        if not target.is_file():
            raise InputError(f"index entry {i}: no such file {target}", path=target)
        rel = Path(os.path.relpath(target.resolve(), out_dir.resolve()))
        if rel.parts and rel.parts[0] == "..":
            raise InputError(f"index entry {i}: {target} is outside {out_dir}", path=target)
        href = quote(rel.as_posix())
        link = f'<a href="{href}">{html.escape(rel.as_posix())}</a>'
        sidecar = sidecar_path(target)
        if sidecar.is_file():
            side_href = quote(
                Path(os.path.relpath(sidecar.resolve(), out_dir.resolve())).as_posix()
            )
            link += f' <small>(<a href="{side_href}">{t("index_sources", lang)}</a>)</small>'
        rows.append(
            f"<tr><td>{link}</td><td>{html.escape(str(description))}</td>"
            f'<td class="size">{human_size(target.stat().st_size, lang)}</td></tr>'
        )
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = t("index_meta", lang).format(n=len(rows), created=created, version=__version__)
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f'<p class="meta">{html.escape(meta)}</p>\n'
        f"<table><thead><tr><th>{t('index_file', lang)}</th><th>{t('index_what', lang)}</th>"
        f"<th>{t('index_size', lang)}</th></tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>\n</body></html>\n"
    )
    return write_text(page, out_dir / "index.html")
