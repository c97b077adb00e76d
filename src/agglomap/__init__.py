"""agglomap: geospatial analysis and maps for spatial planners in Kazakhstan.

Data flows one way: sources → layers (boundaries, cities, corridors, indicators)
→ metrics (distances, agglomeration scores, monocity assessment) → maps and exports.

The flat Python API (:mod:`agglomap.api`) is loaded on first use, so ``import agglomap``
stays light (PEP 562)::

    import agglomap as am

    oblasts = am.boundaries("2022")
    joined, report = am.join(am.read_indicators("table.csv"), am.boundaries("2018"))
    m = am.choropleth(joined, column="innovative_share_grp_pct")  # folium.Map
    fig = am.static_choropleth(joined, column="innovative_share_grp_pct")  # Figure
    scores = am.score_towns(am.cities(role="monocity"))
    am.monocity_map(scores)
    z = am.zones()  # the commuting zones of the four agglomerations

Runtime settings (upstream data folder, cache, default language): :mod:`agglomap.settings`.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from ._version import __version__

# Public names, defined (lazily importing their modules) in agglomap.api; each is loaded by
# ``__getattr__`` on first use. api itself imports only settings and errors.
from .api import __all__ as _API

__all__ = [*_API, "settings", "__version__"]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(".api", __name__), name)
    if name == "settings":
        return importlib.import_module(".settings", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _CallableModule(types.ModuleType):
    """A submodule that is also the API function of its name: ``am.boundaries("2022")``
    calls :func:`agglomap.api.boundaries`; ``am.boundaries.load_boundaries`` is still the
    module's function."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        api = importlib.import_module(".api", __package__)
        return getattr(api, self.__name__.rpartition(".")[2])(*args, **kwargs)


class _Package(types.ModuleType):
    """``agglomap`` itself. ``boundaries``, ``corridors`` and ``zones`` are both submodules
    and API functions: reading them from the package gives the submodule, made callable."""

    def __getattribute__(self, name: str) -> Any:
        if name in _SHADOWED:
            module = importlib.import_module(f"{__package__}.{name}")
            if type(module) is types.ModuleType:
                module.__class__ = _CallableModule
            return module
        return super().__getattribute__(name)


_SHADOWED = frozenset({"boundaries", "corridors", "zones"})
sys.modules[__name__].__class__ = _Package
