"""The corridor network as a graph, for distances along roads and railways.

Vertices are the points of the corridor lines, densified so that no edge is longer than
``spacing_km``; edges join consecutive points of a line and weigh their geodesic length
(km, WGS84). Corridors are connected where they share a named waypoint (the same
coordinates in ``geo/corridors.yaml``), which is how the corridor file encodes junctions.

A network distance between two places is::

    access (place → its nearest vertex, geodesic)
    + along (shortest path in the graph, scipy.sparse.csgraph.dijkstra)
    + egress (nearest vertex of the destination → destination, geodesic)

Every edge is a geodesic between its ends and the geodesic distance satisfies the
triangle inequality, so a network distance is never shorter than the geodesic distance
between the same two places. Places whose nearest vertices lie in different connected
components (e.g. a road-only and a rail-only piece) are ``inf`` apart.

The same class carries a user's own road or rail network (an OpenStreetMap extract or any
line layer, see :mod:`agglomap.network_file`). Shortest paths run in batches of sources
(bounded memory), optionally capped at a search radius (``max_km``) and optionally on a
Dask cluster (``scheduler``); every way gives the same kilometres.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from .corridors import densify
from .distances import GEOD

#: Spherical radius (km) used only to find candidate vertices; distances are ellipsoidal.
_R_KM = 6371.0088
#: Ellipsoidal geodesic / spherical great-circle distance stays within ±0.6 % on WGS84.
_SPHERE_SLACK = 0.006
#: Distance-matrix cells per Dijkstra batch (float64: 8 bytes each → ~40 MB).
_CHUNK_CELLS = 5_000_000
#: Rounding (degrees) under which two line points are the same vertex (~1 cm).
_SAME_POINT_DEG = 1e-7


def _unit(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _geodesic_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    _, _, d = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(d, dtype=float) / 1000.0


@dataclass
class CorridorNetwork:
    """Graph of the corridor lines; build it with :meth:`from_corridors`."""

    vertices_lonlat: np.ndarray  # (n, 2) lon, lat
    graph: csr_matrix  # symmetric, km
    corridor_ids: tuple[str, ...]
    spacing_km: float
    junction_km: float
    _edge_corridor: csr_matrix = field(repr=False)  # corridor index + 2 per edge; 1 = junction
    #: What the network is, for evidence and sidecars (file name, licence, build settings).
    name: str = "agglomap corridors"
    info: dict[str, Any] = field(default_factory=dict)
    #: Search cap (km) of every shortest-path search: farther places count as unreachable
    #: (``inf``). ``None`` searches the whole graph.
    max_km: float | None = None
    #: Where the batches of shortest-path searches run: ``None`` in this process, else a
    #: Dask scheduler address (``"tcp://host:8786"``) or a ``distributed.Client``.
    scheduler: Any = None
    _tree: cKDTree = field(init=False, repr=False)
    _labels: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._tree = cKDTree(_unit(self.vertices_lonlat[:, 0], self.vertices_lonlat[:, 1]))
        self.n_components, self._labels = connected_components(self.graph, directed=False)
        self._sizes = np.bincount(self._labels, minlength=self.n_components)
        if self.max_km is not None and not self.max_km > 0:
            raise ValueError(f"max_km must be positive, got {self.max_km}")

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_corridors(
        cls, corridors: gpd.GeoDataFrame, *, spacing_km: float = 1.0, junction_km: float = 0.0
    ) -> CorridorNetwork:
        """Build the graph from corridor lines (``load_corridors()`` or any lon/lat lines).

        ``spacing_km``: longest edge; lines are densified along the geodesic to it.
        ``junction_km``: also join vertices of *different* corridors lying within this
        distance. The default 0 connects corridors only where they share a point (the
        named waypoints of the corridor file), because a road crossing a railway, or two
        schematic lines passing close by, is not an interchange. Use a positive value for
        lines from elsewhere whose meeting points do not coincide exactly.
        """
        if not spacing_km > 0:
            raise ValueError(f"spacing_km must be positive, got {spacing_km}")
        if junction_km < 0:
            raise ValueError(f"junction_km must be >= 0, got {junction_km}")
        if len(corridors) == 0:
            raise ValueError("no corridors given")
        if corridors.crs is not None and not corridors.crs.equals("EPSG:4326"):
            corridors = corridors.to_crs("EPSG:4326")
        ids = (
            corridors["corridor_id"].astype(str).tolist()
            if "corridor_id" in corridors
            else [str(i) for i in range(len(corridors))]
        )
        parts, owner = shapely.get_parts(np.asarray(corridors.geometry), return_index=True)
        lons, lats, line_of = [], [], []
        for part, k in zip(parts, owner, strict=True):
            xy = shapely.get_coordinates(part)
            lon, lat = densify(xy[:, 0], xy[:, 1], spacing_km)
            lons.append(lon)
            lats.append(lat)
            line_of.append(np.full(lon.size, k))
        lon, lat, line = np.concatenate(lons), np.concatenate(lats), np.concatenate(line_of)
        key = np.round(np.column_stack([lon, lat]) / _SAME_POINT_DEG).astype(np.int64)
        _, first, vertex = np.unique(key, axis=0, return_index=True, return_inverse=True)
        vertex = vertex.ravel()
        vertices = np.column_stack([lon[first], lat[first]])
        same_line = line[1:] == line[:-1]
        i, j = vertex[:-1][same_line], vertex[1:][same_line]
        w = _geodesic_km(
            lon[:-1][same_line], lat[:-1][same_line], lon[1:][same_line], lat[1:][same_line]
        )
        tag = line[:-1][same_line] + 2
        if junction_km > 0:
            ji, jj, jw = _junctions(vertices, line[first], junction_km)
            i, j, w = np.r_[i, ji], np.r_[j, jj], np.r_[w, jw]
            tag = np.r_[tag, np.ones(ji.size, dtype=tag.dtype)]
        keep = i != j
        graph, tags = _symmetric(i[keep], j[keep], w[keep], tag[keep], len(vertices))
        return cls(vertices, graph, tuple(ids), float(spacing_km), float(junction_km), tags)

    # ------------------------------------------------------------------ queries

    def nearest_vertex(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """Index of the geodesically nearest vertex of each point, and its distance (km).

        Candidates come from a k-d tree on the unit sphere; the exact WGS84 distance
        picks among them, and ``k`` grows until no vertex outside the candidates could
        be nearer (sphere and ellipsoid disagree by < 0.6 %).
        """
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        if lon.shape != lat.shape or lon.ndim != 1:
            raise ValueError("lon and lat must be 1-D arrays of the same length")
        if not np.all(np.abs(lat) <= 90) or not np.all(np.isfinite(lon)):
            raise ValueError("lat must lie in [-90, 90] and lon be finite (degrees)")
        n = len(self.vertices_lonlat)
        best = np.zeros(lon.size, dtype=np.int64)
        km = np.full(lon.size, np.inf)
        todo = np.arange(lon.size)
        k = min(16, n)
        query = _unit(lon, lat)
        while todo.size:
            chord, idx = self._tree.query(query[todo], k=k)
            chord, idx = chord.reshape(todo.size, k), idx.reshape(todo.size, k)
            vx = self.vertices_lonlat[idx]
            d = _geodesic_km(
                np.repeat(lon[todo], k),
                np.repeat(lat[todo], k),
                vx[..., 0].ravel(),
                vx[..., 1].ravel(),
            ).reshape(todo.size, k)
            pick = np.argmin(d, axis=1)
            rows = np.arange(todo.size)
            best[todo], km[todo] = idx[rows, pick], d[rows, pick]
            if k == n:
                break
            outside = 2 * _R_KM * np.arcsin(np.minimum(chord[:, -1] / 2, 1.0))
            unsure = outside * (1 - _SPHERE_SLACK) <= km[todo]
            todo = todo[unsure]
            k = min(4 * k, n)
        return best, km

    def along(self, src_vertices: Any, dst_vertices: Any) -> np.ndarray:
        """Shortest-path km along the graph, ``(len(src), len(dst))``; ``inf`` if disconnected
        or farther than :attr:`max_km`.

        Dijkstra (``scipy.sparse.csgraph``) runs from the smaller side (the graph is
        undirected) in batches of at most ``_CHUNK_CELLS / n_vertices`` sources, so memory
        stays bounded whatever the number of places; the batches run in this process, or
        on the Dask cluster of :attr:`scheduler` with the same result.
        """
        src = np.atleast_1d(np.asarray(src_vertices, dtype=np.int64))
        dst = np.atleast_1d(np.asarray(dst_vertices, dtype=np.int64))
        if src.size == 0 or dst.size == 0:
            return np.empty((src.size, dst.size))
        u_src, inv_src = np.unique(src, return_inverse=True)
        u_dst, inv_dst = np.unique(dst, return_inverse=True)
        # the graph is symmetric: run Dijkstra from the smaller side
        flip = u_dst.size < u_src.size
        rows, cols = (u_dst, u_src) if flip else (u_src, u_dst)
        out = np.empty((rows.size, cols.size))
        limit = np.inf if self.max_km is None else float(self.max_km)
        batches = list(self._batches(rows))
        if self.scheduler is None:
            for start, part in batches:
                out[start : start + part.size] = shortest_rows(self.graph, part, cols, limit)
        else:
            for (start, part), block in zip(
                batches, _run_on_dask(self.scheduler, self.graph, batches, cols, limit), strict=True
            ):
                out[start : start + part.size] = block
        if flip:
            out = out.T
        return out[np.ix_(inv_src.ravel(), inv_dst.ravel())]

    def _batches(self, rows: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
        """Consecutive batches of source vertices, each Dijkstra output ≤ ``_CHUNK_CELLS``."""
        batch = max(1, _CHUNK_CELLS // len(self.vertices_lonlat))
        for start in range(0, rows.size, batch):
            yield start, rows[start : start + batch]

    def network_distance(
        self, o_lon: Any, o_lat: Any, d_lon: Any, d_lat: Any
    ) -> dict[str, np.ndarray]:
        """Access + along + egress km from every origin to every destination.

        Returns ``(n_origins, n_destinations)`` matrices ``total_km, access_km, along_km,
        egress_km`` (access/egress broadcast across the matrix). ``total_km`` ≥ the geodesic
        distance by the triangle inequality; ``inf`` where the origin's and destination's
        nearest vertices are not connected.
        """
        ov, access = self.nearest_vertex(o_lon, o_lat)
        dv, egress = self.nearest_vertex(d_lon, d_lat)
        along = self.along(ov, dv)
        shape = along.shape
        access_m = np.broadcast_to(access[:, None], shape).copy()
        egress_m = np.broadcast_to(egress[None, :], shape).copy()
        return {
            "total_km": access_m + along + egress_m,
            "access_km": access_m,
            "along_km": along,
            "egress_km": egress_m,
        }

    def component(self, vertices: Any) -> np.ndarray:
        """Connected-component label of each vertex."""
        return self._labels[np.asarray(vertices, dtype=np.int64)]

    def components(self) -> dict[str, Any]:
        """How the graph falls apart: number of connected components, the vertices and km
        of the largest, and the share of all vertices it holds."""
        big = int(np.argmax(self._sizes)) if self.n_components else 0
        coo = self.graph.tocoo()
        in_big = self._labels[coo.row] == big
        return {
            "n_components": int(self.n_components),
            "largest_vertices": int(self._sizes[big]) if self.n_components else 0,
            "largest_share": float(self._sizes[big] / max(1, self._sizes.sum())),
            "largest_km": float(coo.data[in_big].sum() / 2),
            "total_km": float(coo.data.sum() / 2),
            "n_vertices": int(len(self.vertices_lonlat)),
            "n_edges": int(self.graph.nnz // 2),
        }

    def access_notes(self, lon: Any, lat: Any) -> np.ndarray:
        """A note for each place whose nearest vertex is off the largest connected component
        ("" for the others): distances from it reach only its own piece of network."""
        vertex, km = self.nearest_vertex(lon, lat)
        labels = self._labels[vertex]
        big = int(np.argmax(self._sizes))
        notes = np.full(vertex.size, "", dtype=object)
        for i in np.flatnonzero(labels != big):
            size = int(self._sizes[labels[i]])
            notes[i] = (
                f"not connected to the main network of {self.name}: its nearest network "
                f"point ({km[i]:.1f} km away) lies on a separate piece of {size} "
                f"vertex{'es' if size != 1 else ''} (the main one has "
                f"{int(self._sizes[big])}); network distances reach only that piece"
            )
        return notes

    def path(self, o_lon: float, o_lat: float, d_lon: float, d_lat: float) -> list[str]:
        """Corridor ids used, in order, on the shortest path between two places (evidence).

        Empty if both places snap to the same vertex or are not connected; a hop
        between corridors joined by ``junction_km`` appears as ``"(junction)"``.
        """
        (ov,), _ = self.nearest_vertex(o_lon, o_lat)
        (dv,), _ = self.nearest_vertex(d_lon, d_lat)
        dist, pred = dijkstra(self.graph, directed=False, indices=ov, return_predecessors=True)
        if ov == dv or not np.isfinite(dist[dv]):
            return []
        nodes = [dv]
        while nodes[-1] != ov:
            nodes.append(pred[nodes[-1]])
        nodes = np.asarray(nodes[::-1])
        tags = np.asarray(self._edge_corridor[nodes[:-1], nodes[1:]]).ravel().astype(int)
        names = [self.corridor_ids[t - 2] if t >= 2 else "(junction)" for t in tags]
        return [c for k, c in enumerate(names) if k == 0 or c != names[k - 1]]


def shortest_rows(
    graph: csr_matrix, rows: np.ndarray, cols: np.ndarray, limit: float
) -> np.ndarray:
    """Dijkstra from the vertices ``rows`` to the vertices ``cols`` (km), capped at ``limit``.

    A module-level function so that Dask workers can run it on their copy of the graph.
    """
    dist = dijkstra(graph, directed=False, indices=rows, limit=limit)
    return np.atleast_2d(dist)[:, cols]


def _run_on_dask(
    scheduler: Any,
    graph: csr_matrix,
    batches: list[tuple[int, np.ndarray]],
    cols: np.ndarray,
    limit: float,
) -> list[np.ndarray]:
    """Run :func:`shortest_rows` for every batch on a Dask cluster, results in batch order.

    ``scheduler`` is a ``distributed.Client`` or a scheduler address; the graph is sent to
    every worker once.
    """
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError(
            "running on a Dask cluster needs the optional extra: pip install 'agglomap[dask]'"
        ) from exc
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        shared = client.scatter(graph, broadcast=True)
        cols_f = client.scatter(cols, broadcast=True)
        futures = [
            client.submit(shortest_rows, shared, part, cols_f, limit, pure=False)
            for _, part in batches
        ]
        return client.gather(futures)
    finally:
        if client is not scheduler:
            client.close()


def _junctions(
    vertices: np.ndarray, owner: np.ndarray, junction_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of vertices of different corridors within ``junction_km`` (geodesic)."""
    unit = _unit(vertices[:, 0], vertices[:, 1])
    radius = 2 * np.sin(junction_km * (1 + _SPHERE_SLACK) / (2 * _R_KM))
    pairs = cKDTree(unit).query_pairs(radius, output_type="ndarray")
    if pairs.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    pairs = pairs[owner[pairs[:, 0]] != owner[pairs[:, 1]]]
    a, b = vertices[pairs[:, 0]], vertices[pairs[:, 1]]
    d = _geodesic_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    near = d <= junction_km
    return pairs[near, 0], pairs[near, 1], d[near]


def _symmetric(
    i: np.ndarray, j: np.ndarray, w: np.ndarray, tag: np.ndarray, n: int
) -> tuple[csr_matrix, csr_matrix]:
    """Undirected weighted graph: both directions, the shortest of any duplicate edges."""
    # one weight per undirected pair (a corridor may run a leg both ways: a → b and b → a
    # give geodesic lengths that differ in the last bits), then both directions
    i, j = np.minimum(i, j), np.maximum(i, j)
    order = np.lexsort((tag, np.round(w, 9), j, i))  # ties: the earlier corridor
    i, j, w, tag = i[order], j[order], w[order], tag[order]
    first = np.r_[True, (i[1:] != i[:-1]) | (j[1:] != j[:-1])]
    i, j, w, tag = i[first], j[first], np.maximum(w[first], 1e-12), tag[first]
    i, j = np.r_[i, j], np.r_[j, i]
    w, tag = np.r_[w, w], np.r_[tag, tag]
    graph = coo_matrix((w, (i, j)), shape=(n, n)).tocsr()
    tags = coo_matrix((tag, (i, j)), shape=(n, n)).tocsr()
    return graph, tags
