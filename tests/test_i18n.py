"""The one table of kk/ru/en map words: complete, used, and covering every level and scenario."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from agglomap import agglomeration, i18n, provenance
from agglomap.errors import InputError
from agglomap.monocity import BANDS, SCENARIOS, assess, paper_inputs

MAPS = Path(i18n.__file__).parent / "maps"
LATIN = re.compile(r"[A-Za-z]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(i18n.WORDS))
def test_every_word_has_three_non_empty_languages_with_the_same_fields(key):
    entry = i18n.WORDS[key]
    assert set(entry) == set(i18n.LANGS)
    for lang in i18n.LANGS:
        assert isinstance(entry[lang], str) and entry[lang].strip(), (key, lang)
        assert entry[lang] == entry[lang].strip()
    # a template ("{n} towns …") has the same placeholders in every language
    assert _fields(entry["kk"]) == _fields(entry["ru"]) == _fields(entry["en"])


def test_units_have_three_languages():
    for unit, entry in i18n.UNITS.items():
        assert set(entry) == set(i18n.LANGS), unit
        assert all(isinstance(v, str) for v in entry.values())
        assert bool(entry["en"]) == bool(entry["ru"]) == bool(entry["kk"]), unit


def test_every_band_and_scenario_has_a_translation():
    bands = {name for levels in BANDS.values() for _, name in levels}
    bands |= {name for _, name in agglomeration.LEVELS}
    for name in bands:
        for lang in i18n.LANGS:
            assert i18n.t(f"level.{name}", lang)
        for lang in ("ru", "kk"):
            assert not LATIN.search(i18n.level_word(name, lang)), (name, lang)
    for name in SCENARIOS:
        assert i18n.t(f"scenario.{name}", "en") == name
        for lang in ("ru", "kk"):
            assert not LATIN.search(i18n.t(f"scenario.{name}", lang)), (name, lang)
    assert set(i18n.SCENARIOS) == set(SCENARIOS)


def test_everything_the_assessment_emits_is_translated():
    a = assess(paper_inputs())
    level_columns = [f"{ind}_level" for ind in BANDS]
    assert set(level_columns) <= set(a.columns)
    for value in a[level_columns].to_numpy().ravel():
        assert i18n.level_key(value) is not None, value
        assert not LATIN.search(i18n.level_word(value, "ru")), value
    for column in ("top_scenario", "scenario_ranking", "scenario_ranking_paper"):
        for value in a[column].dropna():
            for lang in ("ru", "kk"):
                shown = i18n.scenario_text(value, lang)
                assert not LATIN.search(shown), (value, lang, shown)
    ranking = "innovative > diversification = balanced > inertial"
    assert (
        i18n.scenario_text(ranking, "ru")
        == "инновационный > диверсификационный = сбалансированный > инерционный"
    )
    assert i18n.scenario_text(ranking, "kk") == (
        "инновациялық > әртараптандыру = теңгерімді > инерциялық"
    )
    assert i18n.level_word("above average", "ru") == "выше среднего"
    assert i18n.level_word("Above_average", "kk") == "орташадан жоғары"


def test_unknown_keys_and_languages_are_errors_not_english():
    with pytest.raises(i18n.UnknownWord, match="'no_dta'.*did you mean 'no_data'"):
        i18n.t("no_dta", "ru")
    with pytest.raises(KeyError):
        i18n.t("level.enormous", "en")
    with pytest.raises(InputError, match="expected one of kk, ru, en.*'kk'"):
        i18n.t("no_data", "kz")
    with pytest.raises(InputError, match="expected one of kk, ru, en"):
        i18n.unit_label("km", "de")
    # values from a user's table that are not level names are shown as given
    assert i18n.level_word("very good", "ru") == "very good"
    assert i18n.level_word(float("nan"), "ru") == "" and i18n.level_word(None, "kk") == ""
    assert i18n.scenario_text(None, "ru") == ""
    assert i18n.unit_label("km", "ru") == "км" and i18n.unit_label("ha", "ru") == "ha"


def test_every_plain_word_is_used_by_a_map_module():
    """No dead entries: each key outside the level/scenario/layer families is written,
    quoted, in agglomap/maps/*.py (or, for the index's descriptions, in pipeline.py; for
    the reader workbooks, in workbooks.py)."""
    files = [*sorted(MAPS.glob("*.py")), MAPS.parent / "pipeline.py", MAPS.parent / "workbooks.py"]
    code = "\n".join(p.read_text(encoding="utf-8") for p in files)
    families = ("level.", "scenario.", "layer.", "scheme.")
    unused = [
        key
        for key in i18n.WORDS
        if not key.startswith(families) and f'"{key}"' not in code and f"'{key}'" not in code
    ]
    assert not unused, unused


def test_every_classification_scheme_has_a_name_in_each_language():
    from agglomap.maps.choropleth import SCHEMES, classification_note

    for scheme in SCHEMES:
        assert i18n.scheme_name(scheme, "en")
        for lang in ("ru", "kk"):
            assert not LATIN.search(i18n.scheme_name(scheme, lang)), (scheme, lang)
    assert i18n.scheme_name("fisher_jenks", "ru") == "естественные границы (Фишер–Дженкс)"
    assert classification_note("quantiles", 5, "kk") == "Жіктеу: квантильдер, 5 класс"
    assert classification_note("equal_interval", 4, "ru") == (
        "Классификация: равные интервалы, классов: 4"
    )
    assert classification_note("quantiles", 1, "en") == "Classification: quantiles, 1 class"


def test_attribution_lines_are_translated_but_licences_stay_verbatim():
    names = {"geokz", "A", "Rodionov", "CC", "BY", "GeoNames", "agglomap", "OpenStreetMap"}
    names |= {"Maimurunova"}  # an author, as printed (like Rodionov)
    for source in provenance.ALL.values():
        for lang in ("ru", "kk"):
            words = set(re.findall(r"[A-Za-z]+", source.credit(lang)))
            assert words <= names | {"contributors"}, (source.key, lang, words)
    for lang in i18n.LANGS:
        assert provenance.OSM.credit(lang) == "© OpenStreetMap contributors"
        assert provenance.GEOKZ.credit(lang).endswith("geokz, A. Rodionov, CC BY 4.0")
    line = provenance.attribution(provenance.GEOKZ, provenance.INNOVATION_2021, lang="kk")
    assert line == (
        "Шекаралар: geokz, A. Rodionov, CC BY 4.0 | Көрсеткіштер: ҚР Ұлттық статистика бюросы, 2021"
    )
    assert provenance.attribution(provenance.GEOKZ) == provenance.GEOKZ.attribution
    # a user's file is credited by name, with the word before it translated
    user = provenance.Source("user_table", "t", "as supplied", "Indicators: stats.xlsx")
    assert user.credit("ru") == "Показатели: stats.xlsx" and user.credit("en") == user.attribution


def test_tenge_units_print_in_the_maps_language():
    assert i18n.unit_label("млн tenge", "kk") == "млн ₸"  # a Russian header read by indicators
    assert i18n.unit_label("mln tenge", "en") == "mln ₸"
    assert i18n.unit_label("тыс tenge", "ru") == "тыс. ₸"
    assert i18n.unit_label("thousand tenge", "kk") == "мың ₸"
    assert i18n.unit_label("tenge", "ru") == "₸"
    for unit in ("млрд tenge", "bn tenge", "млн tenge", "мың tenge"):
        for lang in ("ru", "kk"):
            assert not LATIN.search(i18n.unit_label(unit, lang)), (unit, lang)


def test_a_users_unit_is_printed_verbatim():
    """Only the table reader's "<scale> tenge" is abbreviated; ``--unit 'тыс. тенге'`` is
    the user's own wording and stays as typed."""
    for unit in ("тыс. тенге", "млн тенге", "тг", "KZT", "thousand tenge, 2021 prices"):
        for lang in i18n.LANGS:
            assert i18n.unit_label(unit, lang) == unit, (unit, lang)
    assert i18n.unit_label("тыс tenge", "ru") == "тыс. ₸"  # as indicators.py writes it
