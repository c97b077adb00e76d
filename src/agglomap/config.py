"""Configuration files: one reader for agglomap's YAML files, and the score thresholds.

:func:`read_yaml` reads every YAML file a user hands agglomap (score thresholds, scenario
rules, corridor files) with the same one-line errors. :class:`ScoreConfig` holds the
thresholds of TDaa1..3 and the gravity potential; :func:`load_config` reads them from the
shipped ``score_config.yaml`` and a user's file. Light to import (no pandas), so the
command line can show the defaults in ``agglomap score --help``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .data import data_path
from .errors import InputError, did_you_mean

DECAYS = ("exp", "power")
CENTRE_VINTAGES = ("2018", "2022", "any")
CORRIDOR_COUNTS = ("routes", "per_mode", "all")
# ScoreConfig fields that take one of a few words (the others are numbers >= 0).
CONFIG_CHOICES = {
    "centre_vintage": CENTRE_VINTAGES,
    "corridor_count": CORRIDOR_COUNTS,
    "gravity_decay": DECAYS,
}


# Allowed range of each numeric ScoreConfig field: (lowest, highest, lowest allowed itself).
# Distances stop at half the Earth's circumference; 0 km disables a distance test, but the
# gravity scale d0 and the power-decay floor must be > 0 (else every weight is 0 or inf).
EARTH_HALF_KM = 20_000
SETTING_RANGES: dict[str, tuple[float, float, bool]] = {
    "core_min_population": (0, 100_000_000, True),
    "large_min_population": (0, 100_000_000, True),
    "fua_max_km": (0, EARTH_HALF_KM, True),
    "near_max_km": (0, EARTH_HALF_KM, True),
    "corridor_max_km": (0, EARTH_HALF_KM, True),
    "min_corridors": (0, 1_000, True),
    "same_route_max_deg": (0, 90, True),
    "gravity_d0_km": (0, EARTH_HALF_KM, False),
    "gravity_gamma": (0, 10, True),
    "gravity_min_km": (0, EARTH_HALF_KM, False),
    "self_radius_km": (0, 100, True),
}


def setting_range(key: str, whole: bool = False) -> str:
    """The allowed values of setting ``key`` in words: ``a number > 0 and <= 20000``."""
    low, high, closed = SETTING_RANGES[key]
    what = "a whole number" if whole else "a number"
    return f"{what} {'>=' if closed else '>'} {low:g} and <= {high:g}"


def check_setting(key: str, value: object, whole: bool = False) -> str | None:
    """Why ``value`` is not allowed for the numeric setting ``key`` (None if it is): its
    type (a YAML boolean is not a number; a whole-number setting takes no fraction) and
    its range (:data:`SETTING_RANGES`). Works for Python ints of any size."""
    expected = setting_range(key, whole)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = " (yes/no/true/false/on/off are booleans in YAML)" if isinstance(value, bool) else ""
        return f"expected {expected}, got {value!r}{hint}"
    if whole and not isinstance(value, numbers.Integral):
        return f"expected {expected}, got {value!r}"
    low, high, closed = SETTING_RANGES[key]
    if not isinstance(value, numbers.Integral) and not math.isfinite(value):
        return f"expected {expected}, got {value!r}"
    if value < low or (value == low and not closed) or value > high:
        shown = str(value) if isinstance(value, numbers.Integral) else f"{value:g}"
        return f"expected {expected}, got {shown}"
    return None


class SettingError(InputError):
    """A bad score setting: ``config.yaml: key 'fua_max_km': expected a number, got 'abc'``.

    ``key`` names the setting (also as ``column``, for callers that name the matching
    command-line option); ``message`` is the problem without the location.
    """

    def __init__(self, message: str, *, key: str, path: str | Path | None = None) -> None:
        super().__init__(f"key {key!r}: {message}", path=path)
        self.message = message
        self.key = self.column = key


@dataclass(frozen=True)
class ScoreConfig:
    """Thresholds of TDaa1..3 and the gravity potential (km, inhabitants)."""

    core_min_population: int = 250_000
    fua_max_km: float = 60.0
    large_min_population: int = 250_000
    centre_vintage: str = "2022"
    near_max_km: float = 100.0
    corridor_max_km: float = 25.0
    min_corridors: int = 2
    corridor_count: str = "routes"
    same_route_max_deg: float = 30.0
    gravity_decay: str = "exp"
    gravity_d0_km: float = 100.0
    gravity_gamma: float = 2.0
    gravity_min_km: float = 10.0
    self_radius_km: float = 2.0

    def __post_init__(self) -> None:
        for key, allowed in CONFIG_CHOICES.items():
            if getattr(self, key) not in allowed:
                raise SettingError(
                    f"{getattr(self, key)!r} is not one of {', '.join(allowed)}", key=key
                )
        for f in dataclasses.fields(self):
            if f.name not in CONFIG_CHOICES:
                problem = check_setting(f.name, getattr(self, f.name), whole=f.type == "int")
                if problem:
                    raise SettingError(problem, key=f.name)


def load_config(path: str | Path | None = None) -> ScoreConfig:
    """Defaults from ``score_config.yaml``, overridden by the keys found in ``path``."""
    values = _read_yaml(data_path("score_config.yaml"))
    if path is not None:
        values.update(_read_yaml(Path(path)))
    fields = {f.name: f.type for f in dataclasses.fields(ScoreConfig)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            hint = did_you_mean(key, fields) or f" (keys: {', '.join(fields)})"
            raise InputError(f"unknown key {key!r}{hint}", path=path)
        kind = fields[key]
        if kind not in ("int", "float"):
            kwargs[key] = str(value)
            continue
        if isinstance(value, str):  # "60" in quotes is still 60
            with suppress(ValueError):
                value = float(value)
        if isinstance(value, float) and kind == "int" and value.is_integer():
            value = int(value)
        problem = check_setting(key, value, whole=kind == "int")
        if problem:
            raise SettingError(problem, key=key, path=path)
        kwargs[key] = value if kind == "int" else float(value)
    try:
        return ScoreConfig(**kwargs)
    except SettingError as exc:
        raise SettingError(exc.message, key=exc.key, path=path) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path, "config file")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of setting: value", path=path)
    return dict(data)


def read_yaml(path: str | Path, what: str = "YAML file") -> object:
    """A user's YAML file parsed; one-line InputErrors for a missing, non-UTF-8 or invalid
    file (the line number of a syntax error as ``row``). ``what`` names the file's role."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} not found", path=path) from None
    except UnicodeDecodeError:
        raise InputError(
            f"{what} is not UTF-8 text (is it a table or a binary?)", path=path
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", path=path) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"not valid YAML ({problem})", path=path, row=row) from None
