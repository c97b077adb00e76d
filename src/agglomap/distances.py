"""Real distances in kilometres: geodesic on the WGS84 ellipsoid, and along the corridor network.

Geodesics come from ``pyproj.Geod(ellps="WGS84")`` (Karney's GeographicLib algorithms),
always called on whole arrays. Nothing here projects the country into one planar CRS.

Every distance is reported with its kind: ``"geodesic"`` (shortest path on the
ellipsoid) or ``"network"`` (along the road/rail corridors, see :mod:`agglomap.network`).

For many towns, :class:`PointIndex` (cities) and :class:`LineIndex` (corridors) find the
candidates with a k-d tree of unit vectors and a provable sphere/ellipsoid bound, and
measure only those exactly; :func:`geodesic_matrix` and :func:`distance_to_lines` measure
every pair (the reference the indexes are tested against).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from scipy.spatial import cKDTree

#: The one WGS84 ellipsoid of the package: every module imports it from here.
GEOD = Geod(ellps="WGS84")
GEODESIC = "geodesic"
NETWORK = "network"
KINDS = (GEODESIC, NETWORK)

#: Pairs per vectorised ``Geod.inv`` call in :func:`geodesic_matrix`. 2 M pairs keep the
#: temporaries (four coordinate arrays, azimuths and distances: ~7 × 16 MB) near 110 MB.
CHUNK_PAIRS = 2_000_000
#: Point × segment cells per chunk of the approximate pass in :func:`distance_to_lines`
#: (about a dozen float64 temporaries of this size, i.e. ~200 MB at most).
CHUNK_CELLS = 2_000_000
#: Spherical radius (IUGG mean, km) used only to *choose* candidate segments and to step
#: the iteration; the distances returned are ellipsoidal.
_R_KM = 6371.0088
#: A segment stays a candidate if its spherical distance is within this factor (plus
#: ``_CAND_SLACK_KM``) of the best one: sphere and ellipsoid disagree by < 0.6 %.
_CAND_FACTOR = 1.01
_CAND_SLACK_KM = 0.5

# Provable bounds between the ellipsoid and the sphere used by the spatial indexes.
# Map a point of the WGS84 ellipsoid (geodetic lat, lon) to the same (lat, lon) on the sphere
# of radius _R_KM. In any direction the ellipsoid's line element is between the smallest and
# the largest principal radius of curvature times the sphere's line element divided by R:
# the meridional radius M runs from a(1-e²) (equator) to a/sqrt(1-e²) (pole), the
# prime-vertical radius N from a to a/sqrt(1-e²). So every ellipsoidal length s and the
# spherical length of its image obey _LO <= s / (R·sigma) <= _HI along any curve, and for
# geodesic distances  _LO·R·sigma(p, q) <= s(p, q) <= _HI·R·sigma(p, q)  (sigma the central
# angle): the ellipsoidal geodesic's image is a curve no shorter than the great circle, and
# the great circle's image on the ellipsoid is a curve no shorter than the geodesic.
_A_KM = 6378.137
_E2 = (1 / 298.257223563) * (2 - 1 / 298.257223563)
#: 0.994417 and 1.004487, rounded outward by 1e-6.
_LO = _A_KM * (1 - _E2) / _R_KM - 1e-6
_HI = _A_KM / np.sqrt(1 - _E2) / _R_KM + 1e-6
#: Absolute slack (km) added to every bound, far above float rounding (~1e-9 km).
_EPS_KM = 1e-6
#: Up to this many indexed points, PointIndex.within compares every pair of unit vectors
#: (a numpy pass, exact chord arithmetic) instead of asking the tree.
_DENSE_POINTS = 256
#: Spacing (km) of the index samples along long segments.
_SAMPLE_KM = 10.0


def _as_1d(values: Any, name: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array, got shape {arr.shape}")
    return arr


def _check_lat(lat: np.ndarray, name: str) -> None:
    bad = np.abs(lat) > 90
    if bad.any():
        raise ValueError(f"{name} outside [-90, 90]: {lat[bad][:3].tolist()}")


def geodesic_matrix(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Geodesic distances (km) from every point 1 to every point 2, shape ``(n, m)``.

    One vectorised ``Geod.inv`` call per chunk of rows (``CHUNK_PAIRS`` pairs per call).
    """
    lon1, lat1 = _as_1d(lon1, "lon1"), _as_1d(lat1, "lat1")
    lon2, lat2 = _as_1d(lon2, "lon2"), _as_1d(lat2, "lat2")
    if lon1.shape != lat1.shape or lon2.shape != lat2.shape:
        raise ValueError("lon and lat arrays must have the same length")
    _check_lat(lat1, "lat1")
    _check_lat(lat2, "lat2")
    n, m = lon1.size, lon2.size
    out = np.empty((n, m))
    if n == 0 or m == 0:
        return out
    rows = max(1, CHUNK_PAIRS // m)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        k = stop - start
        _, _, dist = GEOD.inv(
            np.repeat(lon1[start:stop], m),
            np.repeat(lat1[start:stop], m),
            np.tile(lon2, k),
            np.tile(lat2, k),
        )
        out[start:stop] = np.asarray(dist).reshape(k, m) / 1000.0
    return out


def _unit(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Unit vectors on the sphere for (lon, lat) in degrees, shape ``(..., 3)``."""
    lo, la = np.radians(lon), np.radians(lat)
    cl = np.cos(la)
    return np.stack([cl * np.cos(lo), cl * np.sin(lo), np.sin(la)], axis=-1)


def _segments(lines: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Segment endpoints ``(S, 2)`` x2, the line index of each segment, the part index.

    A MultiLineString is one line made of several parts; parts are not joined.
    """
    geoms = np.asarray(list(lines), dtype=object)
    if geoms.size == 0:
        raise ValueError("no lines given")
    types = shapely.get_type_id(geoms)
    if not np.isin(types, (1, 5)).all():  # LineString, MultiLineString
        raise ValueError("distance_to_lines needs LineString or MultiLineString geometries")
    parts, line_of_part = shapely.get_parts(geoms, return_index=True)
    coords, part_of_coord = shapely.get_coordinates(parts, return_index=True)
    same = part_of_coord[1:] == part_of_coord[:-1]
    a = coords[:-1][same]
    b = coords[1:][same]
    part = part_of_coord[:-1][same]
    return a, b, line_of_part[part], part


def _spherical_closeness(
    p: np.ndarray, stacked: np.ndarray, n_seg: int, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of the great-circle distance from points ``p (k,3)`` to each segment.

    ``stacked`` holds per segment the pole ``n``, ``n×a``, ``b×n``, ``a`` and ``b`` as
    columns of a ``(3, 5S)`` matrix, so one matrix product gives every dot product needed.
    Returns the ``(k, S)`` cosines (1 = on the segment, larger = nearer; no arcsin over
    the whole array) and whether the foot of the perpendicular falls inside the segment.
    """
    dots = p @ stacked
    pn, pna, pbn, pa, pb = (dots[:, i * n_seg : (i + 1) * n_seg] for i in range(5))
    inside = (pna >= 0) & (pbn >= 0) & valid
    cos_cross = np.sqrt(np.maximum(1.0 - pn * pn, 0.0))
    return np.where(inside, cos_cross, np.maximum(pa, pb)), inside


def _candidates(
    plon: np.ndarray,
    plat: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    line: np.ndarray,
    part: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Approximate pass: (point, segment) pairs worth refining on the ellipsoid.

    Per point and line, the local minima of the spherical distance along each part (feet
    of perpendiculars inside a segment, or vertices) that come within ``_CAND_FACTOR``
    (+ slack) of the line's best segment. Also returns, per pair, the spherical foot as a
    fraction of the segment, to start the refinement from.
    """
    ua, ub = _unit(a[:, 0], a[:, 1]), _unit(b[:, 0], b[:, 1])
    pole = np.cross(ua, ub)
    norm = np.linalg.norm(pole, axis=1)
    valid = norm > 1e-15
    pole = pole / np.where(valid, norm, 1.0)[:, None]
    na, bn = np.cross(pole, ua), np.cross(ub, pole)
    stacked = np.concatenate([pole, na, bn, ua, ub]).T  # (3, 5S)
    up = _unit(plon, plat)
    n_seg = len(a)
    first = np.r_[True, part[1:] != part[:-1]]
    last = np.r_[part[1:] != part[:-1], True]
    new_line = np.r_[True, line[1:] != line[:-1]]
    line_start = np.flatnonzero(new_line)
    seg_group = np.cumsum(new_line) - 1  # index of each segment's line among non-empty lines
    rows = max(1, CHUNK_CELLS // n_seg)
    pts, segs = [], []
    for start in range(0, len(up), rows):
        c, inside = _spherical_closeness(up[start : start + rows], stacked, n_seg, valid)
        prev = np.concatenate([np.full((len(c), 1), -np.inf), c[:, :-1]], axis=1)
        nxt = np.concatenate([c[:, 1:], np.full((len(c), 1), -np.inf)], axis=1)
        prev[:, first] = -np.inf
        nxt[:, last] = -np.inf
        local_min = (c >= prev) & (c >= nxt)
        best = np.arccos(np.clip(np.maximum.reduceat(c, line_start, axis=1), -1, 1))  # (k, L)
        limit = np.cos(np.minimum(best * _CAND_FACTOR + _CAND_SLACK_KM / _R_KM, np.pi))
        # a local minimum of the distance along the line is either the foot of a
        # perpendicular inside a segment, or a vertex nearer than both its neighbours
        keep = (inside | local_min) & (c >= limit[:, seg_group])
        i, j = np.nonzero(keep)
        pts.append(i + start)
        segs.append(j)
    i, j = np.concatenate(pts), np.concatenate(segs)
    # spherical along-track position of the foot: atan2(p·(n×a), p·a) over the segment angle
    p = up[i]
    along = np.arctan2(np.einsum("ij,ij->i", p, na[j]), np.einsum("ij,ij->i", p, ua[j]))
    span = np.arctan2(norm[j], np.einsum("ij,ij->i", ua[j], ub[j]))
    frac = np.clip(np.divide(along, span, out=np.zeros_like(along), where=span > 0), 0, 1)
    return i, j, frac


def _refine(
    plon: np.ndarray,
    plat: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    start: np.ndarray | None = None,
    iterations: int = 10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact nearest point on geodesic segments ``a→b`` to points ``p`` (all arrays of pairs).

    From ``start`` (fraction of the segment; default its start) walks along the segment
    until the geodesic to ``p`` meets it at a right angle (the condition for the shortest
    distance), stepping by the spherical along-track formula ``atan(tan(d/R)·cos θ)``,
    clamped to the segment. Converges to < 1 mm in a few steps; returns (km, lon, lat) of
    the nearest point and its position as a fraction of the segment (0 start, 1 end).
    """
    az, _, length = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    az, length = np.asarray(az), np.asarray(length)
    s = np.zeros(len(plon)) if start is None else np.asarray(start, float) * length
    active = np.arange(len(plon))
    for _ in range(iterations):
        if active.size == 0:
            break
        xl, xa, back = GEOD.fwd(a[active, 0], a[active, 1], az[active], s[active])
        az_x = np.asarray(back) + 180.0
        az_xp, _, d_xp = GEOD.inv(xl, xa, plon[active], plat[active])
        theta = np.radians(np.asarray(az_xp) - az_x)
        delta = np.minimum(np.asarray(d_xp) / (_R_KM * 1000), 1.5)
        step = _R_KM * 1000 * np.arctan(np.tan(delta) * np.cos(theta))
        new = np.clip(s[active] + step, 0.0, length[active])
        moved = np.abs(new - s[active]) > 1e-3
        s[active] = new
        active = active[moved]
    xl, xa, _ = GEOD.fwd(a[:, 0], a[:, 1], az, s)
    _, _, d = GEOD.inv(xl, xa, plon, plat)
    frac = np.divide(s, length, out=np.zeros_like(s), where=length > 0)
    return np.asarray(d) / 1000.0, np.asarray(xl), np.asarray(xa), frac


def _refine_along_part(
    plon: np.ndarray,
    plat: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    part: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    frac: np.ndarray,
    max_steps: int = 20,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Refine pairs (point ``i``, segment ``j``); where the nearest point ends clamped at a
    segment end, go on into the next segment of the same part in that direction.

    Far from a line the ellipsoidal foot can lie a few km (a segment or two) from the
    spherical one; following the clamp recovers it. Returns (i, j, km, lon, lat) of all
    refined pairs.
    """
    out = []
    step = np.zeros(len(i), dtype=int)  # 0 = first visit, -1 / +1 = walking back / forward
    for _ in range(max_steps):
        if i.size == 0:
            break
        d, xl, xa, f = _refine(plon[i], plat[i], a[j], b[j], frac)
        out.append((i, j, d, xl, xa))
        back = (f <= 0) & (step <= 0) & (j > 0)
        back[back] &= part[j[back] - 1] == part[j[back]]
        fwd = (f >= 1) & (step >= 0) & (j < len(a) - 1)
        fwd[fwd] &= part[j[fwd] + 1] == part[j[fwd]]
        i = np.r_[i[back], i[fwd]]
        j = np.r_[j[back] - 1, j[fwd] + 1]
        frac = np.r_[np.ones(back.sum()), np.zeros(fwd.sum())]
        step = np.r_[-np.ones(back.sum(), dtype=int), np.ones(fwd.sum(), dtype=int)]
    return tuple(np.concatenate(col) for col in zip(*out, strict=True))


def distance_to_lines(
    lon: Any, lat: Any, lines: Sequence[Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geodesic distance (km) from each point to the nearest point of each line.

    ``lines`` is a GeoSeries or list of (Multi)LineStrings in EPSG:4326 (lon, lat), whose
    segments are taken as geodesics. Returns ``(km, nearest_lon, nearest_lat)``, each of
    shape ``(n_points, n_lines)``.

    Two passes: a vectorised great-circle pass over all point × segment pairs picks, per
    point and line, the segments whose spherical distance is a local minimum close to the
    best; each is then solved exactly on the ellipsoid (:func:`_refine`), and the nearest
    kept. Agrees with a brute-force geodesic search over 100 m-densified lines to < 100 m
    (tests/test_distances.py).
    """
    plon, plat = _as_1d(lon, "lon"), _as_1d(lat, "lat")
    _check_lat(plat, "lat")
    a, b, line, part = _segments(lines)
    n_lines = len(np.asarray(list(lines), dtype=object))
    n = plon.size
    km = np.full((n, n_lines), np.inf)
    near_lon = np.full((n, n_lines), np.nan)
    near_lat = np.full((n, n_lines), np.nan)
    if n == 0 or len(a) == 0:
        return km, near_lon, near_lat
    i, j, frac = _candidates(plon, plat, a, b, line, part)
    i, j, d, xl, xa = _refine_along_part(plon, plat, a, b, part, i, j, frac)
    cell = i * n_lines + line[j]
    order = np.lexsort((d, cell))
    cell, d, xl, xa = cell[order], d[order], xl[order], xa[order]
    first = np.r_[True, cell[1:] != cell[:-1]]
    flat = cell[first]
    km.flat[flat] = d[first]
    near_lon.flat[flat] = xl[first]
    near_lat.flat[flat] = xa[first]
    return km, near_lon, near_lat


# --- indexed kernels: candidates from a k-d tree, exact ellipsoidal refinement -------------


def _chord(angle: np.ndarray | float) -> np.ndarray:
    """Chord length between unit vectors ``angle`` radians apart (capped at the diameter)."""
    return 2.0 * np.sin(np.minimum(np.asarray(angle, dtype=float), np.pi) / 2.0)


def _angle(chord: np.ndarray) -> np.ndarray:
    """Central angle (radians) of a chord between unit vectors."""
    return 2.0 * np.arcsin(np.minimum(np.asarray(chord) / 2.0, 1.0))


def _query_until(
    tree: cKDTree, up: np.ndarray, need: np.ndarray, k0: int = 8
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every tree point within chord ``need[i]`` of ``up[i]``: (row, tree index, chord).

    Asks for the ``k`` nearest and quadruples ``k`` for the rows whose ``k``-th neighbour
    is still inside ``need`` (so nothing within ``need`` can be left out).
    """
    n_tree = tree.n
    rows_out, idx_out, d_out = [], [], []
    todo = np.arange(len(up))
    k = min(k0, n_tree)
    while todo.size:
        d, idx = tree.query(up[todo], k=k)
        d, idx = d.reshape(todo.size, k), idx.reshape(todo.size, k)
        done = (d[:, -1] > need[todo]) | (k == n_tree)
        hit = done[:, None] & (d <= need[todo][:, None])
        r, c = np.nonzero(hit)
        rows_out.append(todo[r])
        idx_out.append(idx[r, c])
        d_out.append(d[r, c])
        todo = todo[~done]
        k = min(4 * k, n_tree)
    return np.concatenate(rows_out), np.concatenate(idx_out), np.concatenate(d_out)


@dataclass(frozen=True)
class PointIndex:
    """Exact geodesic searches among fixed points (e.g. cities), through a k-d tree.

    The tree holds the points as unit vectors of the sphere (geodetic lat/lon taken as
    spherical); by the bounds ``_LO·R·σ <= s <= _HI·R·σ`` between the WGS84 geodesic ``s``
    and the central angle ``σ`` (see the module constants), a point whose angle exceeds
    ``s_max / (_LO·R)`` cannot be within ``s_max`` on the ellipsoid, and no point can be
    nearer than the spherically nearest one unless its angle is within ``_HI/_LO``
    (1.0107) of it. Only those candidates are measured with ``Geod.inv``.
    """

    lon: np.ndarray
    lat: np.ndarray
    tree: cKDTree

    @classmethod
    def build(cls, lon: Any, lat: Any) -> PointIndex:
        """Index of the points (degrees)."""
        lon, lat = _as_1d(lon, "lon"), _as_1d(lat, "lat")
        _check_lat(lat, "lat")
        return cls(lon, lat, cKDTree(_unit(lon, lat)))

    def _exact(self, plon: np.ndarray, plat: np.ndarray, i: np.ndarray, j: np.ndarray):
        _, _, d = GEOD.inv(plon[i], plat[i], self.lon[j], self.lat[j])
        return np.asarray(d, dtype=float) / 1000.0

    def within(
        self, lon: Any, lat: Any, max_km: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (query point ``i``, indexed point ``j``) pair at most ``max_km`` apart on the
        ellipsoid, with the exact km; sorted by ``i`` then ``j``."""
        plon, plat = _as_1d(lon, "lon"), _as_1d(lat, "lat")
        _check_lat(plat, "lat")
        if plon.size == 0 or self.lon.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        need = _chord((max_km + _EPS_KM) / (_LO * _R_KM))
        up = _unit(plon, plat)
        if self.lon.size <= _DENSE_POINTS:  # few points: one matrix product beats the tree
            rows = max(1, CHUNK_PAIRS // self.lon.size)
            found = []
            for start in range(0, plon.size, rows):
                sq = np.sum((up[start : start + rows, None, :] - self.tree.data) ** 2, axis=2)
                r, c = np.nonzero(sq <= need * need * (1 + 1e-9))
                found.append((r + start, c))
            i = np.concatenate([f[0] for f in found])
            j = np.concatenate([f[1] for f in found])
        else:
            i, j, _ = _query_until(self.tree, up, np.full(plon.size, need))
        km = self._exact(plon, plat, i, j)
        keep = km <= max_km
        order = np.lexsort((j[keep], i[keep]))
        return i[keep][order], j[keep][order], km[keep][order]

    def all_within(self, lon: Any, lat: Any, max_km: float) -> bool:
        """Whether every indexed point is surely within ``max_km`` of every query point
        (from the cap around the indexed points' mean direction: no distance measured)."""
        plon, plat = _as_1d(lon, "lon"), _as_1d(lat, "lat")
        if self.lon.size == 0 or plon.size == 0:
            return True
        units = self.tree.data
        centre = units.sum(axis=0)
        if not np.linalg.norm(centre) > 0:
            return False
        centre /= np.linalg.norm(centre)
        radius = _angle(np.linalg.norm(units - centre, axis=1)).max()
        far = _angle(np.linalg.norm(_unit(plon, plat) - centre, axis=1)).max()
        return bool(_HI * _R_KM * (far + radius) + _EPS_KM <= max_km)

    def nearest(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """Index and exact km of the geodesically nearest indexed point of each query point."""
        plon, plat = _as_1d(lon, "lon"), _as_1d(lat, "lat")
        _check_lat(plat, "lat")
        if self.lon.size == 0:
            return np.full(plon.size, -1), np.full(plon.size, np.inf)
        up = _unit(plon, plat)
        first, _ = self.tree.query(up, k=1)
        need = _chord(_angle(np.atleast_1d(first)) * (_HI / _LO) + _EPS_KM / (_LO * _R_KM))
        i, j, _ = _query_until(self.tree, up, need, k0=2)
        km = self._exact(plon, plat, i, j)
        order = np.lexsort((j, km, i))  # per point: nearest first, lowest index on a tie
        i, j, km = i[order], j[order], km[order]
        head = np.r_[True, i[1:] != i[:-1]]
        best_j = np.full(plon.size, -1)
        best_km = np.full(plon.size, np.inf)
        best_j[i[head]], best_km[i[head]] = j[head], km[head]
        return best_j, best_km


@dataclass(frozen=True)
class LinesNear:
    """What :meth:`LineIndex.near` found.

    ``point, line, km, near_lon, near_lat``: every (point, line) pair whose exact distance
    is at most the reach, and each point's nearest line, sorted by point then km.
    ``nearest_line`` / ``nearest_km``: per point, the nearest line (-1, inf if no lines).
    """

    point: np.ndarray
    line: np.ndarray
    km: np.ndarray
    near_lon: np.ndarray
    near_lat: np.ndarray
    nearest_line: np.ndarray
    nearest_km: np.ndarray


@dataclass(frozen=True)
class LineIndex:
    """Exact geodesic distances from points to (Multi)LineStrings, through a k-d tree.

    Segments are geodesics on WGS84 between consecutive vertices. The search is exact, not
    approximate; its bound, in three steps:

    1. *Where a segment can be.* Every point ``x`` of the ellipsoidal geodesic ``a→b``
       satisfies ``s(a,x) + s(x,b) = s_ab``; with ``s >= _LO·R·σ`` its spherical image lies
       in the spherical ellipse ``σ(a,x') + σ(x',b) <= S = s_ab / (_LO·R)``. By spherical
       Pythagoras every point of that ellipse is within ``d = max(acos(cos(S/2) /
       cos(σ_ab/2)), S - σ_ab)`` of the great-circle arc ``ab`` (the first term bounds the
       cross-track offset, the second the overshoot past an end), and the image curve
       crosses the perpendicular through any point of the arc within ``d``.
    2. *Bounds for one segment.* With ``σ_p`` the angle from the point to the arc,
       ``_LO·R·(σ_p - d) <= s(p, segment) <= _HI·R·(σ_p + d)``.
    3. *Index.* Each segment is covered by caps (centres every <= ``_SAMPLE_KM`` along the
       arc, radius half the spacing + ``d``) held in a k-d tree of unit vectors. For a
       point, the upper bound ``U`` of its nearest segment among the first neighbours
       fixes the search radius ``max(reach, U) / (_LO·R) + largest cap``; every segment
       that could be within the reach, or nearer than ``U``, has a cap centre inside it.

    Then per (point, line) only the segments whose lower bound does not exceed the line's
    best upper bound are solved exactly (:func:`_refine`, the ellipsoidal foot of the
    perpendicular, < 1 mm); the lines kept are those whose lower bound is within the reach
    or below the point's best upper bound. Sphere and ellipsoid differ by at most 0.56 %,
    so a line's bounds are ~1 % apart and a handful of segments per point is refined.
    """

    a: np.ndarray
    b: np.ndarray
    line: np.ndarray
    n_lines: int
    ua: np.ndarray
    ub: np.ndarray
    pole: np.ndarray
    span: np.ndarray
    dev: np.ndarray
    cap_max: float
    sample_segment: np.ndarray
    tree: cKDTree

    @classmethod
    def build(cls, lines: Sequence[Any]) -> LineIndex:
        """Index of the segments of ``lines`` ((Multi)LineStrings in lon/lat degrees)."""
        a, b, line, _ = _segments(lines)
        n_lines = len(np.asarray(list(lines), dtype=object))
        ua, ub = _unit(a[:, 0], a[:, 1]), _unit(b[:, 0], b[:, 1])
        cross = np.cross(ua, ub)
        norm = np.linalg.norm(cross, axis=1)
        span = np.arctan2(norm, np.einsum("ij,ij->i", ua, ub))  # σ_ab
        pole = cross / np.where(norm > 0, norm, 1.0)[:, None]
        _, _, s_ab = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        big_s = (np.asarray(s_ab) / 1000.0 + _EPS_KM) / (_LO * _R_KM)
        ratio = np.clip(np.cos(big_s / 2) / np.cos(span / 2), -1.0, 1.0)
        dev = np.maximum(np.arccos(ratio), big_s - span) + _EPS_KM / _R_KM
        n_samples = np.maximum(1, np.ceil(span * _R_KM / _SAMPLE_KM)).astype(int)
        seg = np.repeat(np.arange(len(a)), n_samples)
        offset = np.arange(seg.size) - np.repeat(np.cumsum(n_samples) - n_samples, n_samples)
        t = (offset + 0.5) / n_samples[seg]
        sin_span = np.sin(span[seg])
        flat = sin_span < 1e-12
        wa = np.where(flat, 1.0, np.sin((1 - t) * span[seg]) / np.where(flat, 1.0, sin_span))
        wb = np.where(flat, 0.0, np.sin(t * span[seg]) / np.where(flat, 1.0, sin_span))
        centres = wa[:, None] * ua[seg] + wb[:, None] * ub[seg]
        centres /= np.linalg.norm(centres, axis=1)[:, None]
        cap = span / (2 * n_samples) + dev
        return cls(
            a, b, line, n_lines, ua, ub, pole, span, dev, float(cap.max()), seg, cKDTree(centres)
        )

    def _arc_angle(self, up: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Angle from points ``up`` to the great-circle arcs ``j``, and the foot's fraction."""
        ua, ub, pole = self.ua[j], self.ub[j], self.pole[j]
        pn = np.einsum("ij,ij->i", up, pole)
        along_a = np.einsum("ij,ij->i", up, np.cross(pole, ua))
        along_b = np.einsum("ij,ij->i", up, np.cross(ub, pole))
        ahead = np.einsum("ij,ij->i", up, ua + ub) > 0
        inside = (along_a >= 0) & (along_b >= 0) & ahead & (self.span[j] > 0)
        to_a = _angle(np.linalg.norm(up - ua, axis=1))
        to_b = _angle(np.linalg.norm(up - ub, axis=1))
        angle = np.where(inside, np.arcsin(np.minimum(np.abs(pn), 1.0)), np.minimum(to_a, to_b))
        along = np.arctan2(along_a, np.einsum("ij,ij->i", up, ua))
        span = self.span[j]
        frac = np.divide(along, span, out=np.zeros_like(along), where=span > 0)
        frac = np.where(inside, np.clip(frac, 0, 1), np.where(to_a <= to_b, 0.0, 1.0))
        return angle, frac

    def near(self, lon: Any, lat: Any, max_km: float) -> LinesNear:
        """Exact km from each point to every line within ``max_km``, and to its nearest line."""
        plon, plat = _as_1d(lon, "lon"), _as_1d(lat, "lat")
        _check_lat(plat, "lat")
        n = plon.size
        if n == 0 or len(self.a) == 0:
            empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
            return LinesNear(
                empty_i, empty_i, empty_f, empty_f, empty_f,
                np.full(n, -1), np.full(n, np.inf),
            )  # fmt: skip
        up = _unit(plon, plat)
        r_lo, r_hi = _LO * _R_KM, _HI * _R_KM
        # an upper bound of each point's nearest distance, from its nearest cap centres
        k0 = min(4, self.tree.n)
        _, first = self.tree.query(up, k=k0)
        first = first.reshape(n, k0)
        rows = np.repeat(np.arange(n), k0)
        seg0 = self.sample_segment[first.ravel()]
        angle0, _ = self._arc_angle(up[rows], seg0)
        upper = (r_hi * (angle0 + self.dev[seg0]) + _EPS_KM).reshape(n, k0).min(axis=1)
        reach = np.maximum(max_km, upper)
        need = _chord((reach + _EPS_KM) / r_lo + self.cap_max)
        i, sample, _ = _query_until(self.tree, up, need, k0=16)
        pair = np.unique(i * len(self.a) + self.sample_segment[sample])
        i, j = pair // len(self.a), pair % len(self.a)
        angle, frac = self._arc_angle(up[i], j)
        lo = r_lo * (angle - self.dev[j]) - _EPS_KM
        hi = r_hi * (angle + self.dev[j]) + _EPS_KM
        # per (point, line): the best upper bound, and the lines worth solving
        cell = i * self.n_lines + self.line[j]
        ucell, inv = np.unique(cell, return_inverse=True)
        cell_hi = np.full(ucell.size, np.inf)
        np.minimum.at(cell_hi, inv, hi)
        cell_lo = np.full(ucell.size, np.inf)
        np.minimum.at(cell_lo, inv, lo)
        point_hi = np.full(n, np.inf)
        np.minimum.at(point_hi, ucell // self.n_lines, cell_hi)
        cell_keep = cell_lo <= np.maximum(max_km, point_hi[ucell // self.n_lines])
        solve = cell_keep[inv] & (lo <= cell_hi[inv])
        i, j, frac, cell = i[solve], j[solve], frac[solve], cell[solve]
        km, xl, xa, _ = _refine(plon[i], plat[i], self.a[j], self.b[j], frac)
        order = np.lexsort((km, cell))
        cell, km, xl, xa = cell[order], km[order], xl[order], xa[order]
        head = np.r_[True, cell[1:] != cell[:-1]]
        cell, km, xl, xa = cell[head], km[head], xl[head], xa[head]
        point, line = cell // self.n_lines, cell % self.n_lines
        nearest_line = np.full(n, -1)
        nearest_km = np.full(n, np.inf)
        # by point, then km to the millimetre, then line: lines drawn along the same track
        # (equal to float noise) come in layer order
        order = np.lexsort((line, np.round(km, 6), point))
        first_of = order[np.r_[True, point[order][1:] != point[order][:-1]]]
        nearest_line[point[first_of]] = line[first_of]
        nearest_km[point[first_of]] = km[first_of]
        keep = km <= max_km
        keep[first_of] = True
        order = order[keep[order]]
        return LinesNear(
            point[order], line[order], km[order], xl[order], xa[order], nearest_line, nearest_km
        )


def network_km(network: Any, o_lon: Any, o_lat: Any, d_lon: Any, d_lat: Any) -> np.ndarray:
    """Network distance (km) matrix along the corridors, ``inf`` where disconnected.

    A thin wrapper over ``CorridorNetwork.network_distance`` (access + along + egress).
    """
    result = network.network_distance(
        _as_1d(o_lon, "o_lon"),
        _as_1d(o_lat, "o_lat"),
        _as_1d(d_lon, "d_lon"),
        _as_1d(d_lat, "d_lat"),
    )
    return np.asarray(result["total_km"], dtype=float)
