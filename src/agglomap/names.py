"""Match the names people write for regions and cities to agglomap ids.

A name is reduced to a *key* by :func:`normalize`: case folded, punctuation and hyphens to
single spaces, Kazakh letters folded to their Russian neighbours (ә→а, ғ→г, қ→к, ң→н,
ө→о, ұ→у, ү→у, һ→х, і→и; also ё→е and й→и), Latin look-alikes inside Cyrillic words
read as Cyrillic (``Солтүстiк`` with a Latin i), and generic words dropped (облысы,
область, обл., oblast, region, г., қаласы, city, "республиканского значения", …).
Whether an oblast word or a city word was dropped is remembered: "Almaty" alone is the
city (KZ-75), "Almaty oblast" / "Алматы облысы" / "Алматинская обл." the oblast (KZ-19).
The Kazakh Latin alphabets are folded to plain Latin in the key: 2018's acutes (á ǵ ı ń
ó ú ý; ý is у, so "Atyraý" → ``atyrau``), 2021's Turkic letters (ä ğ ı ñ ö ş ü ū ç) and
2017's apostrophes (a' g' n' o' u' y' i' s' c'; "Man'g'ystay'" → ``mangystau``).

When the key finds nothing, a Latin *transliteration key* (:func:`latin_key`) lets
spellings meet across scripts and romanisations: Cyrillic to plain Latin by a small
table, then dzh/zh/j → j, q → k, gh → g, kh → h, ch → sh, ts → c, y → i, w → u, spaces
dropped ("Qaraghandy", "Karagandy", "Қарағанды" → ``karagandi``). Suggestions for an
unknown name compare keys (so "oblysy" against "oblast" decides nothing), first among
spellings in the name's own script, one per region.

A name that is no region's but a district's ("Аршалынский район") is a
:class:`DistrictNameError`; :func:`match_regions` says when most failing names are
district names (join those with ``level="district"``: :mod:`agglomap.districts`).

Codes are read first: KATO (``110000000``), two-digit KATO/ISO numbers (``11``), ISO
3166-2 (``KZ-11``, and the pre-2020 alphabetic ``KZ-AKM``), OCHA PCODE (``KZ11``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from .errors import InputError, SourceError, bounded, suggest
from .sources import local_dir

OBLAST = "oblast"
CITY = "city"

_OBLAST_WORDS = frozenset(
    {"облысы", "облыс", "облысынын", "область", "обл", "аимагы", "аимак"}
    | {"oblast", "oblysy", "oblys", "obl", "region", "province"}
)
_CITY_WORDS = frozenset(
    {"город", "гор", "г", "каласы", "кала", "к", "city", "town", "qalasy", "kalasy", "of"}
    | {"республиканского", "значения", "республикалык", "манызы", "бар"}
    | {"а"}  # "г.а." / "қ.ә.": city administration, as KATO-based tables write it
)
_KAZAKH_FOLD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и"}
    | {"ё": "е", "й": "и"}
)
# Latin letters that look Cyrillic, as they slip into Cyrillic words (Солтүстiк).
_HOMOGLYPHS = str.maketrans("aceiopxyk", "асеиорхук")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Kazakh Latin alphabets to plain Latin (after casefold): 2018 acutes (Mańǵystaý, Abaı),
# 2021 Turkic letters (Qarağandy, Şymkent, Türkistan), and the 2017 apostrophe forms
# (Man'g'ystay'), where y' and ý are у (u) and ы stays y.
_KAZAKH_LATIN = str.maketrans(
    {
        "á": "a", "ä": "a", "ǵ": "g", "ğ": "g", "ı": "i", "ń": "n", "ñ": "n", "ó": "o",
        "ö": "o", "ú": "u", "ü": "u", "ū": "u", "ý": "u", "ş": "sh", "š": "sh", "ç": "ch",
        "č": "ch", "ž": "zh",
    }
)  # fmt: skip
_APOSTROPHE_LETTERS = {"a": "a", "g": "g", "n": "n", "o": "o", "u": "u", "y": "u", "i": "i"}
_APOSTROPHE_LETTERS |= {"s": "sh", "c": "ch"}
_APOSTROPHE = re.compile(r"([agnouyisc])['’ʼ`´]")
_TO_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
        "и": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
        # Kazakh Latin (2017-2021 alphabets) and Turkish-style letters
        "ş": "sh", "š": "sh", "ç": "ch", "č": "ch", "ž": "zh", "ı": "i",
    }
)  # fmt: skip
_LATIN_FOLDS = (
    ("shch", "sh"), ("dzh", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"), ("ch", "sh"),
    ("ts", "c"), ("q", "k"), ("w", "u"), ("y", "i"),
)  # fmt: skip

# Pre-2020 alphabetic ISO 3166-2:KZ codes; ABY, ZHT, ULT are the codes geokz uses for the
# three regions created in 2022 (ISO assigned only numeric codes to them).
ALPHA_CODES = {
    "AKM": "KZ-11", "AKT": "KZ-15", "ALM": "KZ-19", "ATY": "KZ-23", "ZAP": "KZ-27",
    "ZHA": "KZ-31", "KAR": "KZ-35", "KUS": "KZ-39", "KZY": "KZ-43", "MAN": "KZ-47",
    "PAV": "KZ-55", "SEV": "KZ-59", "YUZ": "KZ-61", "VOS": "KZ-63", "AST": "KZ-71",
    "ALA": "KZ-75", "SHY": "KZ-79", "ABY": "KZ-10", "ZHT": "KZ-33", "ULT": "KZ-62",
}  # fmt: skip
_KATO = re.compile(r"^(\d{2})0{7}$")
_NUMERIC = re.compile(r"^(?:kz[-\s_]?)?(\d{2})$", re.IGNORECASE)
_ALPHA = re.compile(r"^kz-([a-z]{3})$", re.IGNORECASE)


def _parse(text: str) -> tuple[str, str | None]:
    """(key, kind): the normalised key and which generic word, if any, was dropped."""
    text = unicodedata.normalize("NFC", str(text)).casefold().replace("\u0307", "")  # İ → i̇
    text = _APOSTROPHE.sub(lambda m: _APOSTROPHE_LETTERS[m.group(1)], text)
    text = re.sub(r"[\W_]+", " ", text)
    words = []
    kind: str | None = None
    for word in text.split():
        if _CYRILLIC.search(word):
            word = word.translate(_HOMOGLYPHS)
        else:
            word = word.translate(_KAZAKH_LATIN)
        word = word.translate(_KAZAKH_FOLD)
        if word in _OBLAST_WORDS:
            kind = OBLAST
        elif word in _CITY_WORDS:
            kind = kind or CITY
        else:
            words.append(word)
    return " ".join(words), kind


def normalize(text: str) -> str:
    """Comparable key of a place name: ``"Алматинская обл."`` → ``"алматинская"``."""
    return _parse(text)[0]


@lru_cache(maxsize=65_536)
def latin_key(text: str) -> str:
    """Romanisation-tolerant key: "Qaraghandy", "Karagandy", "Қарағанды" → ``karagandi``.

    Cached: a name met again (the same gazetteer names in every lookup) is keyed once.
    """
    return _latin(normalize(text))


def _latin(key: str) -> str:
    """:func:`latin_key` of a key :func:`normalize` already made."""
    key = key.translate(_TO_LATIN)
    key = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
    key = re.sub(r"\bye", "e", key)
    for old, new in _LATIN_FOLDS:
        key = key.replace(old, new)
    return re.sub(r"[^a-z0-9]", "", key)


@dataclass(frozen=True)
class _Entry:
    target: str  # region_id or city_id
    target_kind: str  # "oblast" / "city" (regions); "city" for cities
    word_kind: str | None  # generic word present in the variant itself


@dataclass(frozen=True)
class _Index:
    exact: dict[str, tuple[_Entry, ...]]
    latin: dict[str, tuple[_Entry, ...]]
    display: dict[str, str]  # variant as written → target
    label: dict[str, str]  # target → label for messages: "Karaganda Region (KZ-35)"

    def hint(self, variant: str) -> str:
        """A suggested spelling with what it names: ``'Karagandy' (Karaganda Region, KZ-35)``."""
        label = self.label[self.display[variant]]
        if m := re.fullmatch(r"(.*) \((KZ-\d\d)\)", label):
            name, code = m.groups()
            return f"{variant!r} ({code})" if name == variant else f"{variant!r} ({name}, {code})"
        return repr(variant) if label == variant else f"{variant!r} ({label})"


def _index(items: Iterable[tuple[str, str, str, Iterable[str]]]) -> _Index:
    exact: dict[str, list[_Entry]] = {}
    latin: dict[str, list[_Entry]] = {}
    display: dict[str, str] = {}
    label: dict[str, str] = {}
    for target, target_kind, name, variants in items:
        label[target] = name
        for variant in variants:
            variant = variant.strip()
            key, word_kind = _parse(variant)
            if not key:
                continue
            entry = _Entry(target, target_kind, word_kind)
            for table, k in ((exact, key), (latin, latin_key(variant))):
                bucket = table.setdefault(k, [])
                if entry not in bucket:
                    bucket.append(entry)
            display.setdefault(variant, target)
    return _Index(
        {k: tuple(v) for k, v in exact.items()},
        {k: tuple(v) for k, v in latin.items()},
        display,
        label,
    )


@cache
def _regions_index() -> _Index:
    from .regions import load_regions

    table = load_regions()
    return _index(
        (
            r.region_id,
            OBLAST if r.kind == "oblast" else CITY,
            f"{r.name_en} ({r.region_id})",
            [r.name_kk, r.name_ru, r.name_en, *filter(None, r.aliases.split(";"))],
        )
        for r in table.itertuples()
    )


@cache
def _cities_index() -> _Index:
    from .gazetteer import load_cities

    table = load_cities()
    return _index(
        (
            r.city_id,
            CITY,
            r.name_en,
            [r.city_id, r.name_kk, r.name_ru, r.name_en, *filter(None, r.variants.split(";"))],
        )
        for r in table.itertuples()
    )


def _resolve(entries: Sequence[_Entry], kind: str | None) -> set[str]:
    """Targets of the entries, narrowed by the generic word the input carried."""
    if kind is None:
        bare = [e for e in entries if e.word_kind is None]
        pool = bare or [e for e in entries if e.target_kind == CITY] or list(entries)
    else:
        pool = [e for e in entries if e.target_kind == kind] or list(entries)
    return {e.target for e in pool}


def _lookup(index: _Index, name: str) -> set[str]:
    key, kind = _parse(name)
    if not key:
        return set()
    entries = index.exact.get(key) or index.latin.get(latin_key(name)) or ()
    return _resolve(entries, kind)


def _suggestions(index: _Index, name: str, n: int = 3) -> list[str]:
    """Up to ``n`` known spellings closest to ``name``, one per target, best first.

    Keys are compared, not raw text, so generic words ("oblysy" against "oblast") do not
    decide; first among spellings in the input's script, then across scripts by
    :func:`latin_key`.
    """
    key = normalize(name)
    if not key:
        return []
    cyrillic = bool(_CYRILLIC.search(key))
    by_key: dict[str, list[str]] = {}
    by_latin: dict[str, list[str]] = {}
    for variant in index.display:
        vkey = normalize(variant)
        if vkey and bool(_CYRILLIC.search(vkey)) == cyrillic:
            by_key.setdefault(vkey, []).append(variant)
        by_latin.setdefault(_latin(vkey), []).append(variant)
    close = [v for k in suggest(key, by_key, n=2 * n) for v in by_key[k]]
    if not close:
        close = [v for k in suggest(_latin(key), by_latin, n=2 * n) for v in by_latin[k]]
    out: dict[str, str] = {}  # target → its closest spelling
    for variant in close:
        out.setdefault(index.display[variant], variant)
    return list(out.values())[:n]


def _unknown(what: str, name: str, index: _Index) -> str:
    close = _suggestions(index, name)
    hint = f"; did you mean {', '.join(index.hint(c) for c in close)}?" if close else ""
    return f"unknown {what} {name!r}{hint}"


# --- district names, recognised only to say that a table is at the wrong level ----------

_DISTRICT_WORDS = frozenset(
    {"раион", "раиона", "р", "н", "ауданы", "аудан", "ауд"}
    | {"district", "rayon", "raion", "audany", "audan"}
)
DISTRICT_JOIN_HINT = (
    "district-level joins are not supported by the oblast reader; join it with "
    "--level district (districts and city administrations), or aggregate the table to "
    "oblast-level regions first"
)
DISTRICT = "district"
_ADMINISTRATION_WORDS = frozenset({"administration", "akimat", "акимат", "әкімдігі", "акимдиги"})


class DistrictNameError(InputError):
    """A region name that is in fact the name of a district (or a town of district level)."""

    def __init__(self, name: str, regions: Sequence[str]) -> None:
        self.name = name
        self.regions = tuple(regions)
        rows = _region_rows()
        where = ", ".join(f"{rows[r]['name_en']} ({r})" for r in self.regions)
        super().__init__(
            f"{name!r} is a district-level unit of {where}, not an oblast-level region"
        )


def parse_unit_name(text: object) -> tuple[str, str | None]:
    """(key, kind) of a district-level unit's name as tables write it.

    The key is :func:`normalize`'s without the words for "district" (район, ауданы, р-н,
    district, audany) and "administration"; kind is ``"oblast"`` when an oblast word was
    there, ``"district"`` for a district word, ``"city"`` for a city word (г., г.а., қ.ә.,
    қаласы, city), else None: ``"Жамбылский район"`` → ``("жамбылскии", "district")``,
    ``"Семей г.а."`` → ``("семеи", "city")``.
    """
    key, kind = _parse(_as_text(text))
    words = key.split()
    if any(w in _DISTRICT_WORDS for w in words) and kind != OBLAST:
        kind = DISTRICT
    drop = _DISTRICT_WORDS | _ADMINISTRATION_WORDS
    return " ".join(w for w in words if w not in drop), kind


def unit_latin_key(key: str) -> str:
    """:func:`latin_key` of a key :func:`parse_unit_name` made."""
    return _latin(key)


def _district_key(text: str) -> str:
    """:func:`normalize` without the words for "district" (район, ауданы, р-н, district)."""
    return " ".join(w for w in normalize(text).split() if w not in _DISTRICT_WORDS)


@cache
def _district_index(
    vintage: str | None, folder: str | None
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """District keys → region ids, exact and by :func:`latin_key` (``folder``, the sources
    folder in force, keys the cache)."""
    from .boundaries import district_names

    exact: dict[str, set[str]] = {}
    latin: dict[str, set[str]] = {}
    for row in district_names(vintage).itertuples():
        for name in (row.name_kk, row.name_ru, row.name_en):
            key = _district_key(name)
            if key:
                exact.setdefault(key, set()).add(row.region_id)
                latin.setdefault(_latin(key), set()).add(row.region_id)
    return (
        {k: frozenset(v) for k, v in exact.items()},
        {k: frozenset(v) for k, v in latin.items()},
    )


def _sources_key() -> str | None:
    """The sources folder in force, resolved (None if none or missing): a cache key."""
    try:
        folder = local_dir()
    except SourceError:
        return None
    return None if folder is None else str(folder.resolve())


def district_regions(name: str, vintage: str | None = None) -> list[str]:
    """Region ids of the districts called ``name`` ("Аршалынский район" → ``["KZ-11"]``).

    Districts are geokz's (when the layer is at hand, never downloaded for this) and the
    moved districts of :mod:`agglomap.crosswalk`; empty if the name is no district's.
    """
    key, kind = _parse(_as_text(name))
    key = " ".join(w for w in key.split() if w not in _DISTRICT_WORDS)
    if not key or kind == OBLAST:
        return []
    exact, latin = _district_index(vintage, _sources_key())
    return sorted(exact.get(key) or latin.get(_latin(key)) or ())


def _region_by_code(text: str) -> str | None:
    text = text.strip()
    if m := _KATO.match(text):
        return f"KZ-{m.group(1)}"
    if m := _NUMERIC.match(text):
        return f"KZ-{m.group(1)}"
    if m := _ALPHA.match(text):
        return ALPHA_CODES.get(m.group(1).upper())
    return None


@cache
def _region_rows() -> dict[str, dict[str, str]]:
    from .regions import load_regions

    return {r["region_id"]: r for r in load_regions().to_dict("records")}


def _check_in_vintage(region_id: str, vintage: str | None, name: str) -> str:
    from .regions import check_vintage

    rows = _region_rows()
    if region_id not in rows:
        raise InputError(f"{name!r} is code {region_id}, which is no region of Kazakhstan")
    if vintage is None:
        return region_id
    v = check_vintage(vintage)
    row = rows[region_id]
    if v not in row["vintages"].split(";"):
        message = (
            f"{name!r} is {row['name_en']} ({region_id}), which does not exist in the {v} "
            f"layout (only in {row['vintages'].replace(';', ', ')})"
        )
        if v == "2018" and row["unit_2018"] in rows:
            unit = rows[row["unit_2018"]]
            message += (
                f"; in 2018 its territory belonged to {unit['name_en']} ({unit['region_id']})"
            )
        raise InputError(message)
    return region_id


def _as_text(name: object) -> str:
    """A cell as text: NaN/None → "", 110000000.0 (a code read as a float) → "110000000"."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    if isinstance(name, float) and name.is_integer():
        return str(int(name))
    return str(name).strip()


def _match_region(name: str, vintage: str | None) -> str:
    """Region id for one name, or InputError (message without file/row); a district's name
    is a :class:`DistrictNameError`."""
    name = _as_text(name)
    if not name:
        raise InputError("empty region name")
    index = _regions_index()
    code = _region_by_code(name)
    if code is not None:
        return _check_in_vintage(code, vintage, name)
    hits = _lookup(index, name)
    if not hits:
        if regions := district_regions(name, vintage):
            raise DistrictNameError(name, regions)
        raise InputError(_unknown("region", name, index))
    if len(hits) > 1:
        options = ", ".join(index.label[h] for h in sorted(hits))
        raise InputError(f"region name {name!r} is ambiguous: {options}; add 'oblast' or 'city'")
    return _check_in_vintage(hits.pop(), vintage, name)


def match_region(name: str, vintage: str | None = None) -> str:
    """Region id (``"KZ-35"``) for a name in kk/ru/en, an old name, or a code.

    With ``vintage`` ("2018"/"2022"), a region that does not exist in that layout is an
    InputError (Abai Region in 2018); a district's name is a :class:`DistrictNameError`.
    """
    return _match_region(name, vintage)


def match_regions(
    names: Sequence[str],
    *,
    path: str | Path | None = None,
    column: str | None = None,
    vintage: str | None = None,
    first_row: int = 2,
    rows: Sequence[int] | None = None,
) -> list[str]:
    """Region ids for a column of names; one InputError lists every name that fails.

    ``first_row`` is the file row of ``names[0]`` (2 for a CSV with a header line);
    ``rows`` gives each name's file row instead. When most failing names are district
    names, the error says so (district-level joins are not supported).
    """
    row_of = list(rows) if rows is not None else [first_row + i for i in range(len(names))]
    ids: list[str] = []
    problems: list[tuple[int, str]] = []
    districts: list[str] = []
    for row, name in zip(row_of, names, strict=True):
        try:
            ids.append(_match_region(name, vintage))
        except InputError as exc:
            problems.append((row, exc.message))
            if isinstance(exc, DistrictNameError):
                districts.append(exc.name)
    if not problems:
        return ids
    at_district_level = len(districts) * 2 >= len(problems)
    if len(problems) == 1:
        row, message = problems[0]
        if at_district_level:
            message += f"; {DISTRICT_JOIN_HINT}"
        raise InputError(message, path=path, row=row, column=column)
    lines = bounded(
        (f"  row {row}: {message}" for row, message in problems), limit=20, sep="\n", what="rows"
    )
    if at_district_level:
        lines += (
            f"\n{len(districts)} of these look like district names (e.g. {districts[0]!r}); "
            + DISTRICT_JOIN_HINT
        )
    raise InputError(
        f"{len(problems)} region names not recognised:\n{lines}", path=path, column=column
    )


def match_city(name: str) -> str:
    """City id (``"oskemen"``) for a city name in kk/ru/en or an old name (Ust-Kamenogorsk)."""
    name = _as_text(name)
    if not name:
        raise InputError("empty city name")
    index = _cities_index()
    hits = _lookup(index, name)
    if not hits:
        raise InputError(_unknown("city", name, index))
    if len(hits) > 1:
        options = ", ".join(sorted(hits))
        raise InputError(f"city name {name!r} is ambiguous: {options}")
    return hits.pop()
