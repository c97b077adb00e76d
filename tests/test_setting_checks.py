"""Every numeric setting is range-checked with its type; rule files refuse unknown keys.

The cases of issue 11 that used to give a silent wrong answer or an internal error:
``fua_max_km: yes`` (read as 1 km), ``gravity_d0_km: 0`` (every gravity 0), a huge integer
threshold (TypeError), unknown keys in the monocity rules (ignored) and
``corridors --spacing-km 1e-9`` (MemoryError).
"""

from __future__ import annotations

import dataclasses

import pytest

from agglomap import config as agg
from agglomap.cli import main
from agglomap.errors import InputError


def _error_line(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = [ln for ln in err.splitlines() if ln.startswith(f"agglomap {command}: error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("fua_max_km: yes", "key 'fua_max_km': expected a number >= 0 and <= 20000, got True"),
        ("fua_max_km: on", "got True (yes/no/true/false/on/off are booleans in YAML)"),
        ("gravity_d0_km: 0", "key 'gravity_d0_km': expected a number > 0 and <= 20000, got 0"),
        ("gravity_min_km: 0", "key 'gravity_min_km': expected a number > 0"),
        (
            "min_corridors: 99999999999999999999999",
            "key 'min_corridors': expected a whole number >= 0 and <= 1000, "
            "got 99999999999999999999999",
        ),
        ("core_min_population: 1e400", "key 'core_min_population': expected a whole number"),
        ("near_max_km: .inf", "key 'near_max_km': expected a number >= 0 and <= 20000, got inf"),
        ("near_max_km: .nan", "got nan"),
        ("corridor_max_km: -1", "got -1"),
        ("min_corridors: 2.5", "key 'min_corridors': expected a whole number >= 0 and <= 1000"),
        ("same_route_max_deg: 120", "expected a number >= 0 and <= 90, got 120"),
        ("self_radius_km: [1, 2]", "key 'self_radius_km': expected a number"),
    ],
)
def test_config_values_are_checked_for_type_and_range(tmp_path, yaml_text, message):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml_text + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        agg.load_config(cfg)
    assert str(err.value).startswith(f"{cfg}: key ")
    assert message in str(err.value)


def test_quoted_numbers_and_whole_floats_are_still_accepted(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text('fua_max_km: "45"\ncore_min_population: 1.0e+5\n', encoding="utf-8")
    config = agg.load_config(cfg)
    assert config.fua_max_km == 45.0 and config.core_min_population == 100_000


def test_every_numeric_setting_has_a_range():
    numeric = {
        f.name for f in dataclasses.fields(agg.ScoreConfig) if f.name not in agg.CONFIG_CHOICES
    }
    assert numeric == set(agg.SETTING_RANGES)
    for key in numeric:  # the defaults themselves are in range
        default = getattr(agg.ScoreConfig(), key)
        assert agg.check_setting(key, default, whole=isinstance(default, int)) is None


@pytest.mark.parametrize("value", [True, 0, -3.0, float("inf"), 10**23, "60"])
def test_library_callers_get_the_same_check(value):
    with pytest.raises(agg.SettingError, match="key 'gravity_d0_km': expected a number > 0"):
        agg.ScoreConfig(gravity_d0_km=value)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--min-corridors", "99999999999999999999999"],
            "--min-corridors: expected a whole number >= 0 and <= 1000, "
            "got 99999999999999999999999",
        ),
        (["--gravity-d0-km", "0"], "--gravity-d0-km: expected a number > 0 and <= 20000, got 0"),
        (["--fua-max-km", "inf"], "--fua-max-km: expected a number >= 0 and <= 20000, got inf"),
        (
            ["--same-route-max-deg", "1e400"],
            "--same-route-max-deg: expected a number >= 0 and <= 90, got inf",
        ),
    ],
)
def test_score_options_out_of_range_are_one_line(tmp_path, capsys, argv, message):
    out = tmp_path / "s.csv"
    assert main(["score", *argv, "--out", str(out)]) == 2
    assert _error_line(capsys, "score") == f"agglomap score: error: {message}"
    assert not out.exists()


def test_yaml_boolean_threshold_refused_by_the_cli(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("fua_max_km: yes\n", encoding="utf-8")
    assert main(["score", "--config", str(cfg), "--out", str(tmp_path / "s.csv")]) == 2
    assert "key 'fua_max_km'" in _error_line(capsys, "score")


# --- monocity rule files --------------------------------------------------------------


def _rules(tmp_path, old: str, new: str):
    from agglomap.data import data_path

    text = data_path("scenario_rules.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "scenarios:",
            "senarios: {}\nscenarios:",
            "key 'senarios': unknown key 'senarios'; expected scenarios; did you mean 'scenarios'?",
        ),
        (
            "    label: Inertial development",
            "    label: Inertial development\n    lable: x",
            "key 'scenarios.inertial.lable': unknown key 'lable'; expected label, rules; "
            "did you mean 'label'?",
        ),
        (
            "  inertial:\n    label: Inertial development\n    rules:",
            "  inertial:\n    label: Inertial development\n    rule:",
            "key 'scenarios.inertial.rule': unknown key 'rule'; expected label, rules; "
            "did you mean 'rules'?",
        ),
        (
            "why: dependent",
            "whyy: dependent",
            "key 'scenarios.inertial.rules[0].whyy': unknown key 'whyy'; expected indicator, "
            "pluses, why; did you mean 'why'?",
        ),
        (
            "pluses: {high: 1}, why: dep",
            "pluses: {high: 1}, weight: 2, why: dep",
            "key 'scenarios.inertial.rules[0].weight': unknown key 'weight'; "
            "expected indicator, pluses, why",
        ),
    ],
)
def test_unknown_keys_in_the_rule_file_are_refused(tmp_path, capsys, old, new, message):
    from agglomap import monocity

    path = _rules(tmp_path, old, new)
    with pytest.raises(InputError, match="unknown key"):
        monocity.load_rules(path)
    assert main(["monocity", "--rules", str(path), "--out", str(tmp_path / "m.csv")]) == 2
    assert _error_line(capsys, "monocity") == f"agglomap monocity: error: {path}: {message}"


# --- corridors --spacing-km ------------------------------------------------------------


@pytest.mark.parametrize("spacing", ["1e-9", "0", "-1", "nan", "0.099"])
def test_corridor_spacing_below_the_minimum_is_refused(tmp_path, capsys, spacing):
    out = tmp_path / "c.gpkg"
    assert main(["corridors", "--spacing-km", spacing, "--out", str(out)]) == 2
    line = _error_line(capsys, "corridors")
    assert line.startswith("agglomap corridors: error: --spacing-km must be at least 0.1 km")
    assert not out.exists()


def test_library_spacing_minimum_is_stated():
    from agglomap.corridors import MIN_SPACING_KM, load_corridors

    assert MIN_SPACING_KM == 0.1
    with pytest.raises(InputError, match="spacing_km must be at least 0.1 km"):
        load_corridors(spacing_km=1e-9)
    assert len(load_corridors(spacing_km=0.1)) > 0
