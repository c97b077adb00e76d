"""From the six indicator levels to plus-scores for the four development scenarios.

The rule is data (``agglomap/data/scenario_rules.yaml`` or a user's YAML): each scenario
lists indicator levels that add pluses. Scores are summed, scenarios ranked (ties
share a rank) and each score is explained by the levels that made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import read_yaml
from ..data import data_path
from ..errors import InputError, did_you_mean
from .levels import BANDS, level_names

SCENARIOS = ("inertial", "balanced", "innovative", "diversification")
INDICATORS = tuple(BANDS)  # tdm, tdea, tdda, tdzhia, tdaa, tdsp
# The keys a rule file may use at each level; any other is refused (likely a typo that
# would otherwise be silently ignored).
FILE_KEYS = ("scenarios",)
SCENARIO_KEYS = ("label", "rules")
RULE_KEYS = ("indicator", "pluses", "why")


@dataclass(frozen=True)
class Rule:
    indicator: str
    pluses: dict[str, int]
    why: str = ""


@dataclass(frozen=True)
class Rules:
    scenarios: dict[str, tuple[Rule, ...]]
    labels: dict[str, str]
    path: Path


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check a scenario rule file (default: the shipped ``scenario_rules.yaml``)."""
    path = Path(path) if path is not None else data_path("scenario_rules.yaml")
    doc = read_yaml(path, "rule file")
    if not isinstance(doc, dict) or not isinstance(doc.get("scenarios"), dict):
        raise InputError("expected a mapping 'scenarios: {name: {rules: [...]}}'", path=path)
    _known_keys(doc, FILE_KEYS, path, "")
    scenarios: dict[str, tuple[Rule, ...]] = {}
    labels: dict[str, str] = {}
    for name, spec in doc["scenarios"].items():
        where = f"scenarios.{name}"
        if name not in SCENARIOS:
            raise _key_error(
                f"unknown scenario {name!r}; expected {', '.join(SCENARIOS)}"
                + did_you_mean(name, SCENARIOS),
                path,
                where,
            )
        if isinstance(spec, dict):
            _known_keys(spec, SCENARIO_KEYS, path, where)
        if not isinstance(spec, dict) or not isinstance(spec.get("rules"), list):
            raise _key_error("expected 'rules:' with a list of rules", path, where)
        labels[name] = str(spec.get("label", name))
        scenarios[name] = tuple(
            _rule(r, path, f"{where}.rules[{i}]") for i, r in enumerate(spec["rules"])
        )
    missing = [s for s in SCENARIOS if s not in scenarios]
    if missing:
        raise InputError(f"scenario(s) {', '.join(missing)} have no rules", path=path)
    return Rules(scenarios, labels, path)


def _known_keys(mapping: dict, allowed: tuple[str, ...], path: Path, where: str) -> None:
    """InputError naming the first key of ``mapping`` not in ``allowed``, with the closest."""
    for key in mapping:
        if key not in allowed:
            at = f"{where}.{key}" if where else str(key)
            raise _key_error(
                f"unknown key {str(key)!r}; expected {', '.join(allowed)}"
                + did_you_mean(key, allowed),
                path,
                at,
            )


def _key_error(message: str, path: Path, where: str) -> InputError:
    """A mistake in the rule file at key ``where`` (``scenarios.inertial.rules[0]``)."""
    return InputError(f"key {where!r}: {message}", path=path)


def _rule(raw: object, path: Path, where: str) -> Rule:
    if not isinstance(raw, dict) or "indicator" not in raw or "pluses" not in raw:
        if isinstance(raw, dict):
            _known_keys(raw, RULE_KEYS, path, where)
        raise _key_error("expected {indicator: ..., pluses: {level: n}}", path, where)
    _known_keys(raw, RULE_KEYS, path, where)
    ind = str(raw["indicator"])
    if ind not in INDICATORS:
        raise _key_error(
            f"unknown indicator {ind!r}; expected {', '.join(INDICATORS)}"
            + did_you_mean(ind, INDICATORS),
            path,
            where,
        )
    pluses = raw["pluses"]
    if not isinstance(pluses, dict):
        raise _key_error("'pluses' must map level names to numbers", path, where)
    names = level_names(ind)
    for level, n in pluses.items():
        if level not in names:
            raise _key_error(
                f"{ind} has no level {level!r}; its levels are {', '.join(names)}"
                + did_you_mean(level, names),
                path,
                where,
            )
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise _key_error(
                f"pluses for {level!r} must be a whole number ≥ 0, found {n!r}",
                path,
                where,
            )
    return Rule(ind, dict(pluses), str(raw.get("why", "")))


def score(levels: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Plus-scores, reasons and ranking per town.

    ``levels`` has a column ``<indicator>_level`` per indicator. Returns ``plus_<s>``
    and ``reason_<s>`` for each scenario, ``scenario_ranking`` (e.g.
    ``"innovative > diversification = balanced > inertial"``) and ``top_scenario``
    (tied tops joined by ``" = "``).
    """
    out = pd.DataFrame(index=levels.index)
    for name in SCENARIOS:
        total = np.zeros(len(levels), dtype=int)
        reasons = [[] for _ in range(len(levels))]
        for rule in rules.scenarios[name]:
            lv = levels[f"{rule.indicator}_level"]
            add = lv.map(rule.pluses).fillna(0).astype(int).to_numpy()
            total += add
            for i in np.flatnonzero(add):
                reasons[i].append(f"{rule.indicator} {lv.iloc[i]} +{add[i]}")
        out[f"plus_{name}"] = total
        out[f"reason_{name}"] = ["; ".join(r) if r else "no plus" for r in reasons]
    out["scenario_ranking"] = [ranking(row) for row in _plus_rows(out)]
    out["top_scenario"] = [ranking(row).split(" > ")[0] for row in _plus_rows(out)]
    return out


def _plus_rows(frame: pd.DataFrame) -> list[dict[str, int]]:
    cols = [f"plus_{s}" for s in SCENARIOS]
    return [dict(zip(SCENARIOS, r, strict=True)) for r in frame[cols].to_numpy().tolist()]


def ranking(pluses: dict[str, float]) -> str:
    """Scenarios from most to fewest pluses; ties joined by '=' (in the paper's order)."""
    groups: dict[float, list[str]] = {}
    for name in SCENARIOS:
        groups.setdefault(pluses[name], []).append(name)
    return " > ".join(" = ".join(groups[k]) for k in sorted(groups, reverse=True))
