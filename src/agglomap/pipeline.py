"""``agglomap run``: the main job on the embedded defaults, written to one output folder.

Sources → layers (boundaries, cities, corridors, the 2021 indicators) → metrics
(agglomeration scores, monocity assessment) → maps, static images and an index page.
Each step writes atomically and names its sources into a staging folder inside the output
folder (``.agglomap-tmp-<pid>-…``); only when every step has succeeded are the files moved
into place and the index written last, describing each file in ``lang``. A run that fails
leaves the previous run's outputs and ``index.html`` as they were (a staging folder left
by a killed run is removed by the next one). A run without ``--screenshots`` removes the
previous run's screenshots, which its index would no longer list.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import provenance
from .errors import OutputError
from .export import sidecar_path, temporary_folder, write_table, write_text
from .i18n import t

LEVEL_KEYS = {"oblast": "run.oblasts", "district": "run.districts"}
SCREENSHOT_PAGES = ("choropleth_innovation_2021.html", "monocities.html")


@dataclass
class RunLog:
    """What a run wrote, with one line of description each, and how long each step took."""

    out_dir: Path
    entries: list[tuple[Path, str]] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)
    say: Callable[[str], None] = print

    def add(self, path: Path, description: str) -> Path:
        self.entries.append((Path(path).resolve(), description))
        return Path(path)

    def step(self, name: str):
        log = self

        class _Timer:
            def __enter__(self):
                self.t0 = time.perf_counter()
                log.say(f"· {name} …")

            def __exit__(self, *exc):
                dt = time.perf_counter() - self.t0
                log.timings.append((name, dt))
                if exc[0] is None:
                    log.say(f"  {name}: {dt:.1f} s")

        return _Timer()


def screenshot_path(out: Path, page: str) -> Path:
    """Where ``run --screenshots`` puts the PNG of ``page``."""
    return out / "screenshots" / page.replace(".html", ".png")


def prepare_out_dir(out: Path) -> Path:
    """Create ``out`` and a new staging folder inside it (returned); OutputError if
    impossible. Staging folders of killed runs are removed."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.from_os(out, exc) from None
    return temporary_folder(out / "index.html")


def remove_previous_screenshots(out: Path) -> None:
    """Remove a previous run's screenshots from ``out`` (with their sidecars, then the
    ``screenshots/`` folder if that leaves it empty; files of other names are the user's
    and stay). OutputError if impossible."""
    folder = out / "screenshots"
    try:
        if folder.is_dir():
            for page in SCREENSHOT_PAGES:
                png = screenshot_path(out, page)
                png.unlink(missing_ok=True)
                sidecar_path(png).unlink(missing_ok=True)
            if not any(folder.iterdir()):
                folder.rmdir()
    except OSError as exc:
        raise OutputError.from_os(folder, exc) from None


def _commit(
    stage: Path, out: Path, entries: list[tuple[Path, str]], screenshots: bool
) -> list[tuple[Path, str]]:
    """Move every file of ``stage`` to the same place under ``out``; return ``entries``
    with their final paths. Folders are made (and checked) before any file is moved."""
    stage_root = stage.resolve()
    files = sorted(p for p in stage.rglob("*") if p.is_file())
    targets = [out / path.relative_to(stage) for path in files]
    for target in targets:  # check everything before changing anything
        for folder in target.relative_to(out).parents:
            if (out / folder).exists() and not (out / folder).is_dir():
                raise OutputError(target, f"{str(out / folder)!r} is a file, not a folder")
        if target.is_dir():
            raise OutputError(target, "a folder of that name is in the way")
    for target in targets:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError.from_os(target, exc) from None
    if not screenshots:
        remove_previous_screenshots(out)
    for path, target in zip(files, targets, strict=True):
        try:
            os.replace(path, target)
        except OSError as exc:
            raise OutputError.from_os(target, exc) from None
    return [(out / Path(p).relative_to(stage_root), d) for p, d in entries]


def default_scores():
    """The 27 monocities scored with the default configuration (a GeoDataFrame)."""
    from .agglomeration import score_towns
    from .gazetteer import monocities

    return score_towns(monocities())


def default_assessment():
    """The monocity assessment of the paper's three towns from their published inputs."""
    from .monocity import assess, paper_inputs

    return assess(paper_inputs())


def run(
    out_dir: str | Path = "outputs",
    *,
    lang: str = "en",
    screenshots: bool = False,
    say: Callable[[str], None] = print,
    network: Any = None,
    network_sources: Sequence[provenance.Source] = (),
) -> RunLog:
    """Write every default layer, table and map into ``out_dir``; return the run log.

    ``network`` (a :class:`agglomap.network.CorridorNetwork`, e.g. from
    :func:`agglomap.network_file.read_network`) replaces the corridor network for the
    network distances of the scores; ``network_sources`` credits it.

    Nothing in ``out_dir`` changes unless every step succeeds (see the module docstring).
    """
    from .maps.index import write_index

    final = Path(out_dir)
    if screenshots:
        from .screenshot import find_chromium

        find_chromium()  # fail before the work, not after it
    stage = prepare_out_dir(final)  # everything is written here, then moved into place
    try:
        log = _run_steps(stage, lang, screenshots, say, network, network_sources)
        log.entries = _commit(stage, final, log.entries, screenshots)
        log.out_dir = final
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    write_index(final, log.entries, lang=lang)
    return log


def _run_steps(
    out: Path,
    lang: str,
    screenshots: bool,
    say: Callable[[str], None],
    network: Any = None,
    network_sources: Sequence[provenance.Source] = (),
) -> RunLog:
    """Every step of :func:`run`, writing into ``out`` (the staging folder)."""
    from .agglomeration import compare_with_paper, score_towns
    from .boundaries import load_boundaries
    from .corridors import load_corridors
    from .gazetteer import load_cities
    from .indicators import default_indicators, join
    from .maps import static
    from .maps.choropleth import DEFAULT_LAYERS, default_choropleth
    from .maps.monocities import map_sources, monocity_map
    from .maps.web import save_map
    from .monocity import assess, comparison_markdown, comparison_table, paper_inputs

    layers = out / "layers"
    log = RunLog(out, say=say)
    geokz = [provenance.GEOKZ]
    ours = [provenance.AGGLOMAP, provenance.GEONAMES]

    with log.step("reference layers"):
        for vintage in ("2018", "2022"):
            for level in ("oblast", "district"):
                gdf = load_boundaries(vintage, level)
                path = write_table(gdf, layers / f"{level}s_{vintage}.gpkg", geokz)
                log.add(path, t(LEVEL_KEYS[level], lang).format(n=len(gdf), vintage=vintage))
        cities = load_cities()
        log.add(
            write_table(cities, layers / "cities.gpkg", ours),
            t("run.cities", lang).format(n=len(cities)),
        )
        log.add(write_table(cities, layers / "cities.csv", ours), t("run.cities_table", lang))
        corridors = load_corridors()
        log.add(
            write_table(corridors, layers / "corridors.gpkg", [provenance.AGGLOMAP]),
            t("run.corridors", lang).format(n=len(corridors)),
        )

    with log.step("2021 innovation indicators joined to the 2018 oblasts"):
        table = default_indicators()
        oblasts_2018 = load_boundaries("2018")
        joined, report = join(table, oblasts_2018)
        src = [provenance.GEOKZ, provenance.INNOVATION_2021]
        log.add(
            write_table(joined, out / "innovation_2021.gpkg", src),
            t("run.innovation_layer", lang),
        )
        log.add(
            write_table(joined, out / "innovation_2021.csv", src),
            t("run.innovation_table", lang),
        )
        say(f"  join: {report}".replace("\n", "\n  "))

    with log.step("agglomeration scores (TDaa, gravity) from real distances"):
        mono = score_towns(cities[cities["is_monocity"]], network=network)
        allc = score_towns(cities, network=network)
        src = [provenance.AGGLOMAP, provenance.GEONAMES, provenance.GEOKZ, *network_sources]
        for name, frame, key in (
            ("agglomeration_scores", mono, "run.scores_monocities"),
            ("agglomeration_scores_all_cities", allc, "run.scores_all"),
        ):
            for ext in (".csv", ".gpkg"):
                log.add(
                    write_table(frame, out / f"{name}{ext}", src),
                    t(key, lang).format(n=len(frame), fmt=ext[1:]),
                )
        from .workbooks import write_score_workbook

        log.add(
            write_score_workbook(mono, out / f"agglomeration_scores_{lang}.xlsx", lang, src),
            t("run.scores_workbook", lang).format(n=len(mono)),
        )
        cmp = compare_with_paper(mono)
        log.add(
            write_table(cmp, out / "tdaa_vs_paper.csv", src + [provenance.MONOCITY_PAPER]),
            t("run.tdaa_vs_paper", lang),
        )

    with log.step("monocity assessment (Maimurunova et al., 2025)"):
        assessment = assess(paper_inputs())
        src = [provenance.MONOCITY_PAPER, provenance.AGGLOMAP]
        for ext in (".csv", ".xlsx"):
            log.add(
                write_table(assessment, out / f"monocity_assessment{ext}", src),
                t("run.assessment", lang).format(fmt=ext[1:]),
            )
        from .workbooks import write_assessment_workbook

        log.add(
            write_assessment_workbook(
                assessment, out / f"monocity_assessment_{lang}.xlsx", lang, src
            ),
            t("run.assessment_workbook", lang),
        )
        md = comparison_markdown(comparison_table(assessment))
        log.add(
            write_text(md, out / "monocity_vs_paper.md", src),
            t("run.assessment_vs_paper", lang),
        )

    with log.step("maps"):
        for path in default_choropleth(out, lang=lang):
            log.add(path, t("run.choropleth_html", lang))
        m = monocity_map(mono, assessment=assessment, corridors=corridors, lang=lang)
        log.add(
            save_map(m, out / "monocities.html", sources=map_sources(True, None)),
            t("run.monocities_html", lang),
        )
        share = "innovative_share_grp_pct"
        choropleth_fig = static.static_choropleth(
            joined,
            share,
            title=DEFAULT_LAYERS[share][lang],
            unit="%",
            lang=lang,
            sources=[provenance.GEOKZ, provenance.INNOVATION_2021],
        )
        monocity_fig = static.static_monocity_map(
            mono,
            corridors=corridors,
            boundaries=load_boundaries("2022"),
            lang=lang,
            sources=[provenance.GEOKZ, provenance.AGGLOMAP, provenance.GEONAMES],
        )
        for ext in (".png", ".svg"):  # each figure drawn once, saved in both formats
            log.add(
                static.save_figure(choropleth_fig, out / f"choropleth_innovation_2021{ext}"),
                t("run.choropleth_static", lang).format(fmt=ext[1:]),
            )
            log.add(
                static.save_figure(monocity_fig, out / f"monocities{ext}"),
                t("run.monocities_static", lang).format(fmt=ext[1:]),
            )

    if screenshots:
        from .screenshot import screenshot

        with log.step("screenshots (headless Chromium)"):
            for page in SCREENSHOT_PAGES:
                png = screenshot(out / page, screenshot_path(out, page))
                log.add(png, t("run.screenshot", lang).format(page=page))
    return log
