"""The flat Python API (``import agglomap as am``) and the README's Python example."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import folium
import geopandas as gpd
import pytest
from matplotlib.figure import Figure

import agglomap as am
from agglomap import api
from agglomap.errors import InputError

REPO = Path(__file__).resolve().parents[1]


def _readme_python_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the README's Python section has one example"
    return blocks[0]


def test_readme_python_example_runs(tmp_path, monkeypatch, sources_dir):
    """The example runs as written in a fresh folder and gives what the README says."""
    code = _readme_python_example()
    for call in ("am.boundaries(", "am.read_indicators(", "am.join(", "am.choropleth("):
        assert call in code
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert isinstance(namespace["m"], folium.Map)
    assert isinstance(namespace["fig"], Figure)
    joined, report = namespace["j"], namespace["report"]
    assert len(joined) == 20 and joined["innovative_share_grp_pct"].notna().sum() == 17
    assert "Abai Region (KZ-10)" in str(report)  # the 2018 table leaves the new regions empty
    assert len(namespace["s"]) == 27 and {"tdaa", "core_city_id"} <= set(namespace["s"].columns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]  # nothing else written


def test_every_public_name_is_documented_with_an_example():
    for name in am.__all__:
        if name in ("settings", "__version__"):
            continue
        func = getattr(api, name)
        doc = inspect.getdoc(func) or ""
        assert "Examples" in doc and ">>> import agglomap as am" in doc, name
        assert name in dir(am)


def test_boundaries_and_corridors_are_functions_and_modules(sources_dir):
    """``am.boundaries`` calls the API even after ``agglomap.boundaries`` (the module) has
    been imported, and the module keeps working as a module."""
    import agglomap.boundaries as module
    from agglomap import boundaries

    assert boundaries is module and hasattr(module, "load_boundaries")
    oblasts = am.boundaries("2018")
    assert isinstance(oblasts, gpd.GeoDataFrame) and len(oblasts) == 17
    assert len(am.boundaries()) == 20
    assert set(am.corridors()["mode"]) == {"road", "rail"}


def test_zones_is_a_function_and_a_module():
    """``am.zones(...)`` delineates; ``agglomap.zones`` stays the module with its helpers."""
    import agglomap.zones as module

    assert am.zones is module and callable(am.zones)
    assert hasattr(am.zones, "delineate") and am.zones.CORES == (
        "astana",
        "almaty",
        "shymkent",
        "aktobe",
    )
    with pytest.raises(InputError, match="positive number of km"):
        am.zones(-5)


def test_cities_by_role():
    assert len(am.cities(role="monocity")) == 27
    assert len(am.cities()) == len(am.cities(role="all")) > 27
    republican = am.cities(role="republican")
    assert set(republican["status"]) == {"republican"}
    assert {"astana", "almaty", "shymkent"} <= set(republican["city_id"])
    with pytest.raises(InputError, match="did you mean 'monocity'") as err:
        am.cities(role="monocty")
    assert err.value.param == "role"


def test_score_towns_reads_a_file_and_settings_lang(tmp_path, monkeypatch, sources_dir):
    towns = tmp_path / "towns.csv"
    towns.write_text("name,lat,lon\nTemirtau,50.054,72.964\n", encoding="utf-8")
    scores = am.score_towns(towns, distance="geodesic")
    assert list(scores["name"]) == ["Temirtau"] and scores["core_city_id"].iloc[0] == "karaganda"
    monkeypatch.setattr(am.settings, "lang", "ru")
    fig = am.static_monocity_map(scores)
    assert isinstance(fig, Figure)
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Агломерационный потенциал" in texts
    out = am.save_figure(fig, tmp_path / "one.png")
    assert out.is_file() and Path(f"{out}.sources.json").is_file()
