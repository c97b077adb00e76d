"""Property-based tests (hypothesis): the number parser, the name matcher and the table
reader hold their promises on inputs nobody wrote by hand, so new bad inputs are found by
the suite rather than by users. Runs are bounded (``max_examples``) and have no deadline,
so a loaded machine does not fail them."""

from __future__ import annotations

import csv
import io
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agglomap import tables
from agglomap.errors import InputError
from agglomap.names import match_region, normalize
from agglomap.numbers import parse_number
from agglomap.regions import load_regions

BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GROUP_SPACES = (" ", "\u00a0", "\u202f")  # space, no-break space, narrow no-break space


def _grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


# --- the number parser -----------------------------------------------------------------


@BOUNDED
@given(
    whole=st.integers(0, 10**12),
    frac=st.one_of(st.none(), st.from_regex(r"\A[0-9]{1,2}\Z")),
    sep=st.sampled_from(GROUP_SPACES),
    negative=st.booleans(),
    percent=st.booleans(),
)
def test_bureau_formats_round_trip(whole, frac, sep, negative, percent):
    """``28 414``, ``1 927 439,20``, ``11,3``, ``-5``, ``8,7 %`` (any no-break space)."""
    text = _grouped(whole, sep) + (f",{frac}" if frac is not None else "")
    text = ("-" if negative else "") + text + (" %" if percent else "")
    expected = float(f"{whole}.{frac}" if frac is not None else whole)
    expected = -expected if negative else expected
    assert parse_number(text) == pytest.approx(expected, rel=1e-12)


@BOUNDED
@given(whole=st.integers(1000, 10**12), frac=st.from_regex(r"\A[0-9]{1,3}\Z"))
def test_english_and_continental_grouping_round_trip(whole, frac):
    expected = float(f"{whole}.{frac}")
    assert parse_number(f"{whole:,}.{frac}") == pytest.approx(expected, rel=1e-12)
    continental = f"{whole:,}".replace(",", ".") + f",{frac}"
    assert parse_number(continental) == pytest.approx(expected, rel=1e-12)


def _finite_or_refused(value: object) -> None:
    try:
        x = parse_number(value)
    except ValueError:
        return  # the parser's own refusal, which readers turn into file/row/column
    assert isinstance(x, float) and not math.isinf(x)


@BOUNDED
@given(st.text(max_size=30))
def test_arbitrary_text_is_a_float_or_the_parsers_error(text):
    _finite_or_refused(text)


@BOUNDED
@given(st.from_regex(r"\A[-+−]?[0-9 ,.]{1,12}([eE][-+]?[0-9]{1,4})?\s?%?\Z"))
def test_number_like_text_never_gives_infinity(text):
    _finite_or_refused(text)


@BOUNDED
@given(st.one_of(st.floats(), st.integers(min_value=-(10**400), max_value=10**400)))
def test_numeric_cells_are_finite_or_refused(value):
    _finite_or_refused(value)


# --- the name matcher ------------------------------------------------------------------


@BOUNDED
@given(st.text(max_size=40))
def test_normalisation_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


REGIONS = load_regions()
NAMES = [
    (row.region_id, name)
    for row in REGIONS.itertuples()
    for name in (row.name_kk, row.name_ru, row.name_en)
]


@BOUNDED
@given(
    pick=st.sampled_from(NAMES),
    case=st.sampled_from([str.upper, str.lower, str.title, str.swapcase, lambda s: s]),
    before=st.sampled_from(["", " ", "  ", "\u00a0", "\t", '"', "«"]),
    after=st.sampled_from(["", " ", ".", "  ", "\u00a0", '"', "»", ",", " *"]),
)
def test_known_names_match_whatever_their_case_and_decoration(pick, case, before, after):
    region_id, name = pick
    assert match_region(before + case(name) + after) == region_id


# --- the table reader ------------------------------------------------------------------

WORD = st.text(
    alphabet="абвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕКЛМНabcdefghijklmnopqrstuvwxyzABCXYZ",
    min_size=2,
    max_size=10,
)


@st.composite
def small_tables(draw):
    """A header of distinct words over rows that each hold a name and numbers."""
    width = draw(st.integers(2, 5))
    header = draw(st.lists(WORD, min_size=width, max_size=width, unique_by=str.casefold))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    decimal = "." if delimiter == "," else ","
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        name = draw(WORD)
        numbers = [
            draw(st.integers(0, 10**7)).__str__()
            + (f"{decimal}{draw(st.integers(0, 99))}" if draw(st.booleans()) else "")
            for _ in range(width - 1)
        ]
        rows.append([name, *numbers])
    return header, rows, delimiter


@BOUNDED
@given(table=small_tables(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]))
def test_small_tables_round_trip(tmp_path_factory, table, encoding):
    header, rows, delimiter = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("t") / "table.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    raw = tables.read_table(path)
    assert raw.columns == header
    assert raw.frame.values.tolist() == rows
    assert raw.rows == list(range(2, len(rows) + 2)) and raw.header_row == 1


@BOUNDED
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_a_table_or_one_input_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("b") / "junk.csv"
    path.write_bytes(data)
    try:
        tables.read_table(path)
    except InputError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
