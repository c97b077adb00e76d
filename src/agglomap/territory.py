"""Is a point in Kazakhstan? The country's outline from the oblast boundaries, with a margin.

A town file cut from a bounding box (an OSM extract, a list typed by hand) also holds towns
of the neighbours: Bishkek, Tashkent and Novosibirsk lie inside Kazakhstan's bounding box.
Scoring them would rank foreign cities among Kazakhstan's towns (Tashkent took the top
gravity score), so :func:`abroad` tests points against the union of the geokz oblasts of
the 2022 layout, widened by :data:`BORDER_MARGIN_KM` so that a town on the border, or a
point placed a little off it, still counts as inside.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

from .boundaries import EQUAL_AREA, load_boundaries
from .errors import AgglomapError

# A town up to this far beyond the geokz border still counts as in Kazakhstan: border
# towns (Zharkent, Saryagash) and coordinates rounded or placed a little off the boundary.
BORDER_MARGIN_KM = 5.0
# The outline is simplified to this tolerance before widening: far below the margin.
SIMPLIFY_KM = 0.5


@lru_cache(maxsize=4)
def _outline(margin_km: float, folder: str | None) -> Any:
    """The 2022 oblasts' union in :data:`EQUAL_AREA` metres, widened by ``margin_km``,
    prepared for fast point tests (``folder``: the sources folder, as a cache key)."""
    oblasts = load_boundaries("2022", "oblast").to_crs(EQUAL_AREA)
    country = shapely.union_all(shapely.make_valid(oblasts.geometry.to_numpy()))
    country = shapely.simplify(country, SIMPLIFY_KM * 1000)
    country = shapely.buffer(country, margin_km * 1000)
    shapely.prepare(country)
    return country


def outline(margin_km: float = BORDER_MARGIN_KM) -> Any:
    """Kazakhstan (the union of the geokz 2022 oblasts) widened by ``margin_km``, as a
    shapely geometry in :data:`agglomap.boundaries.EQUAL_AREA` metres. SourceError if the
    boundaries cannot be had."""
    from .settings import sources_folder

    folder = sources_folder()
    return _outline(float(margin_km), None if folder is None else str(folder.resolve()))


def abroad(lon: Any, lat: Any, margin_km: float = BORDER_MARGIN_KM) -> np.ndarray | None:
    """For each point (degrees, WGS84): True where it lies more than ``margin_km`` outside
    Kazakhstan. None when the boundaries are unavailable (no sources, offline)."""
    try:
        country = outline(margin_km)
    except AgglomapError:
        return None
    to_metres = Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)
    x, y = to_metres.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return ~shapely.contains_xy(country, np.asarray(x), np.asarray(y))
