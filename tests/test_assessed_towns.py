"""monocity-map --assessment with an assessed town that no score row holds: drawn from the
assessment's lat/lon (HTML and PNG alike), else refused in one line with exit 2."""

from __future__ import annotations

import pandas as pd
import pytest

from agglomap.cli import main
from agglomap.cli.monocity_map import place_assessed_towns
from agglomap.errors import InputError


@pytest.fixture(scope="module")
def scored(sources_dir, tmp_path_factory):
    from agglomap.agglomeration import score_towns
    from agglomap.gazetteer import monocities

    scores = score_towns(monocities().head(4))
    path = tmp_path_factory.mktemp("s") / "scores.csv"
    scores.drop(columns="geometry").to_csv(path, index=False)
    return scores, path


def _assessment(scores, lat=None, lon=None) -> pd.DataFrame:
    rows = [
        {"town": r["name"], "town_id": r["id"], "top_scenario": "inertial"}
        for _, r in scores.head(2).iterrows()
    ]
    rows.append({"town": "Novytown", "town_id": "novytown", "top_scenario": "innovative"})
    frame = pd.DataFrame(rows)
    if lat is not None:
        frame["lat"] = [None, None, lat]
        frame["lon"] = [None, None, lon]
    return frame


def test_a_town_with_coordinates_is_scored_and_drawn(scored):
    scores, _ = scored
    placed = place_assessed_towns(scores, _assessment(scores, 47.1, 70.2), None)
    assert len(placed) == len(scores) + 1
    new = placed[placed["id"] == "novytown"].iloc[0]
    assert new["name"] == "Novytown"
    assert (new.geometry.x, new.geometry.y) == pytest.approx((70.2, 47.1))
    assert new["tdaa_level"] in ("low", "medium", "above medium", "high")


def test_a_gazetteer_town_is_placed_at_its_gazetteer_coordinates(scored):
    scores, _ = scored
    frame = pd.DataFrame([{"town": "Karaganda", "town_id": "karaganda"}])
    placed = place_assessed_towns(scores, frame, None)
    assert "karaganda" in set(placed["id"])


def test_a_town_without_coordinates_is_refused_in_one_line(scored):
    scores, _ = scored
    with pytest.raises(InputError, match="Novytown .row 4.*add lat and lon"):
        place_assessed_towns(scores, _assessment(scores), "a.csv")


@pytest.mark.parametrize("ext", [".png", ".html"])
def test_cli_draws_or_refuses_never_an_internal_error(scored, tmp_path, capsys, ext):
    scores, scores_csv = scored
    bare = tmp_path / "bare.csv"
    _assessment(scores).to_csv(bare, index=False)
    out = tmp_path / f"map{ext}"
    args = ["monocity-map", "--scores", str(scores_csv), "--out", str(out)]
    assert main([*args, "--assessment", str(bare)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Novytown" in err and "internal error" not in err
    assert not out.exists()
    located = tmp_path / "located.csv"
    _assessment(scores, 47.1, 70.2).to_csv(located, index=False)
    assert main([*args, "--assessment", str(located)]) == 0
    err = capsys.readouterr().err
    assert "scoring 1 assessed town(s) that had no score row: Novytown" in err
    assert out.stat().st_size > 10_000
    if ext == ".html":
        assert "Novytown" in out.read_text(encoding="utf-8")
