"""Benchmark: the monocity web map of many towns — page size, generation time, first frame.

Run:  python3 benchmarks/bench_webmap.py [--scores SCORES.gpkg] [--sizes 300,1000,9899]

Without ``--scores`` it scores every OSM settlement of Kazakhstan
(``$AGGLOMAP_SOURCES/hotosm_kaz_populated_places.geojson``, 9 899 points, ODbL) with the
default configuration, as ``agglomap score --towns … --out s.gpkg`` does. For each size it
draws a fixed random sample of that many towns (all of them for the full size) with
``monocity_map`` and writes the page, timing the generation (wall and CPU), then opens the
page offline in headless Chromium (``/usr/bin/chromium`` through Playwright) at 1366×768 and
measures: the load event plus two frames (as ``page_load.py`` does), the first frame with
the names placed (the page's ``agglomap:labels-placed`` mark, then two frames), and one
zoom step in the middle of the map until the names are placed again; beside each, the time
the placement script itself took (``data-agglomap-labels-ms``). Appends the figures
to benchmarks/RESULTS.md with the date and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd

from agglomap.maps import web
from agglomap.maps.monocities import map_sources, monocity_map

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("AGGLOMAP_CHROMIUM", "/usr/bin/chromium")
PLACED = "document.documentElement.dataset.agglomapLabelsPlaced"
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _scores(path: str | None) -> gpd.GeoDataFrame:
    if path:
        return gpd.read_file(path)
    from agglomap.agglomeration import score_towns
    from agglomap.readers import read_towns

    towns = read_towns(Path(os.environ["AGGLOMAP_SOURCES"]) / "hotosm_kaz_populated_places.geojson")
    return score_towns(towns)


def _generate(scores: gpd.GeoDataFrame, out: Path) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    m = monocity_map(scores)
    web.save_map(m, out, sources=map_sources(False, None))
    return time.perf_counter() - wall, time.process_time() - cpu


def _browser(page_path: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(offline=True, viewport={"width": 1366, "height": 768})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        start = time.perf_counter()
        page.goto(page_path.as_uri(), wait_until="load", timeout=600_000)
        page.evaluate(TWO_FRAMES)
        load = time.perf_counter() - start
        page.wait_for_function(PLACED, timeout=600_000)
        page.evaluate(TWO_FRAMES)
        first = time.perf_counter() - start
        shown = int(page.evaluate("+document.documentElement.dataset.agglomapLabelsShown"))
        first_ms = float(page.evaluate("+document.documentElement.dataset.agglomapLabelsMs"))
        before = int(page.evaluate(f"+{PLACED}"))
        start = time.perf_counter()
        page.evaluate(
            "() => { const m = Object.values(window).find(v => v instanceof L.Map);"
            " m.setZoom(m.getZoom() + 1, {animate: false}); }"
        )
        page.wait_for_function(f"+{PLACED} > {before}", timeout=600_000)
        page.evaluate(TWO_FRAMES)
        zoom = time.perf_counter() - start
        zoom_ms = float(page.evaluate("+document.documentElement.dataset.agglomapLabelsMs"))
        browser.close()
    if errors:
        raise RuntimeError(f"{page_path.name}: page errors {errors}")
    return {
        "load": load,
        "first": first,
        "zoom": zoom,
        "shown": shown,
        "place_ms": first_ms,
        "zoom_ms": zoom_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", help="an `agglomap score` output (default: score OSM)")
    parser.add_argument("--sizes", default="300,1000,9899")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    scores = _scores(args.scores)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            sample = scores if n >= len(scores) else scores.sample(n, random_state=0)
            out = Path(tmp) / f"towns_{len(sample)}.html"
            wall, cpu = _generate(sample, out)
            timing = _browser(out)
            rows.append((len(sample), out.stat().st_size / 2**20, wall, cpu, timing))
            print(rows[-1])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## Web map of many towns, {stamp} — {platform.node() or 'machine'}, "
        f"{os.cpu_count()} cores, load average {load_start:.2f} at start, "
        f"{os.getloadavg()[0]:.2f} at the end",
        "",
        "`python3 benchmarks/bench_webmap.py"
        + (" --scores SCORES" if args.scores else "")
        + f" --sizes {args.sizes}` (monocity_map of a fixed sample of the scored OSM "
        "settlements; Chromium headless, offline, 1366×768)",
        "",
        "| towns | page | generated (wall / CPU) | load + 2 frames | first frame, names placed "
        "| names shown | placement script | zoom step re-placed (script) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, mb, wall, cpu, tm in rows:
        lines.append(
            f"| {n:,} | {mb:.1f} MB | {wall:.1f} s / {cpu:.1f} s | {tm['load']:.1f} s "
            f"| {tm['first']:.1f} s | {tm['shown']} | {tm['place_ms']:.0f} ms "
            f"| {tm['zoom']:.2f} s ({tm['zoom_ms']:.0f} ms) |"
        )
    with open(HERE / "RESULTS.md", "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
