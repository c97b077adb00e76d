"""The papers agglomap's methods and shipped tables come from: one home for their
bibliographic references, in Kazakh, Russian and English.

Every output, help text, map credit and document cites a paper through
:func:`cite` (full reference) or :func:`short` (a map credit line), never by a file
number. Where the copy we hold does not state a journal or year, the reference says so
only in the documentation (``NOT_STATED``); the citation itself gives what is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import InputError

LANGS = ("kk", "ru", "en")


@dataclass(frozen=True)
class Reference:
    """A paper: authors (as printed), its title in each language, where it appeared."""

    key: str
    authors: str  # "" when the copy we hold does not name them
    title: dict[str, str]
    venue: dict[str, str] = field(default_factory=dict)  # journal in each language
    year: str = ""
    issue: str = ""  # as printed, e.g. "No. 1 (58)"
    short_author: str = ""  # "Maimurunova et al."

    def cite(self, lang: str = "en") -> str:
        """The full reference in ``lang``: authors, «title», journal, year, issue."""
        lang = _check(lang)
        title = _pick(self.title, lang)
        quoted = f"«{title}»" if lang != "en" else f'"{title}"'
        parts = [f"{self.authors} {quoted}" if self.authors else quoted]
        venue = _pick(self.venue, lang)
        if venue:
            parts.append(venue)
        if self.year:
            parts.append(self.year)
        if self.issue:
            parts.append(_issue(self.issue, lang))
        return ", ".join(parts)

    def short(self, lang: str = "en") -> str:
        """A short reference for a map's credit line: first author et al. and year, or the
        title when the authors are not known."""
        lang = _check(lang)
        if self.short_author:
            who = self.short_author
            if lang != "en":
                who = who.replace("et al.", {"ru": "и др.", "kk": "т.б."}[lang])
            return f"{who}, {self.year}" if self.year else who
        title = _pick(self.title, lang)
        return f"«{title}»" if lang != "en" else f'"{title}"'


def _pick(texts: dict[str, str], lang: str) -> str:
    """``texts`` in ``lang``; Kazakh falls back to Russian, then English ("" if none)."""
    for key in (lang, "ru" if lang == "kk" else "en", "en"):
        if texts.get(key):
            return texts[key]
    return ""


def _check(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def _issue(issue: str, lang: str) -> str:
    return issue.replace("No.", {"en": "No.", "ru": "№", "kk": "№"}[lang])


MONOCITY_PAPER = Reference(
    key="monocity_paper",
    authors="Maimurunova A., Auezova Z., Daniyarova M., Imramziyeva M.",
    title={
        "en": "Methodology for determining the innovative scenario for the development of "
        "single-industry towns of the Republic of Kazakhstan",
        "ru": "Методика определения инновационного сценария развития моногородов Республики "
        "Казахстан",
        "kk": "Қазақстан Республикасы моноқалаларының инновациялық даму сценарийін анықтау "
        "әдістемесі",
    },
    venue={
        "en": "Bulletin of the Kazakh University of Economics, Finance and International Trade",
        "ru": "Вестник Казахского университета экономики, финансов и международной торговли",
        "kk": "Қазақ экономика, қаржы және халықаралық сауда университетінің Жаршысы",
    },
    year="2025",
    issue="No. 1 (58)",
    short_author="Maimurunova et al.",
)
INNOVATION_PAPER = Reference(
    key="innovation_paper",
    authors="",
    title={
        "en": "Analysis of the interdependence of the urbanization process and the innovative "
        "development of urbanized territories of the Republic of Kazakhstan",
        "ru": "Анализ взаимозависимости процесса урбанизации и инновационного развития "
        "урбанизированных территорий Республики Казахстан",
    },
)
CITY_GROUPS_PAPER = Reference(
    key="city_groups_paper",
    authors="",
    title={
        "en": "Article on the grouping of the cities of the Republic of Kazakhstan (Kazakh; "
        "figure 1 “Grouping of the cities of the Republic of Kazakhstan”)",
        "ru": "Статья о группировке городов Республики Казахстан (на казахском языке; рис. 1 "
        "«Группировка городов Республики Казахстан»)",
        "kk": "Қазақстан Республикасының қалаларын топтастыру туралы мақала (1-сурет "
        "«Қазақстан Республикасының қалаларын топтастыру»)",
    },
)
ALL = {r.key: r for r in (MONOCITY_PAPER, INNOVATION_PAPER, CITY_GROUPS_PAPER)}
#: What the documentation says of a reference whose journal (or title) the copy lacks.
NOT_STATED = "journal not stated in the copy we hold"


def cite(key: str, lang: str = "en") -> str:
    """Full reference of paper ``key`` (see :data:`ALL`) in ``lang``."""
    return ALL[key].cite(lang)


def short(key: str, lang: str = "en") -> str:
    """Short reference of paper ``key`` in ``lang`` (map credit lines)."""
    return ALL[key].short(lang)
