"""The user's own road or rail network: an OpenStreetMap extract or any line layer, as a graph.

``read_network(path)`` reads the lines, keeps the wanted road/rail classes, nodes them,
snaps loose ends and returns a :class:`agglomap.network.CorridorNetwork` whose distances run
along exactly those lines.

* **Reading.** ``.osm.pbf`` and ``.osm`` files go through GDAL's OSM driver (layer
  ``lines``; the class is the way's ``highway`` tag, else its ``railway`` tag). Any other
  file GDAL reads (GeoPackage, GeoJSON, Shapefile, …) is a line layer; its class is the
  first column named ``highway``, ``railway``, ``fclass``, ``class``, ``road_class``,
  ``type`` or ``category``.
* **Classes.** ``classes`` keeps the lines of those classes (``motorway,trunk,primary`` or
  ``rail``). An OSM file defaults to :data:`OSM_ROAD_CLASSES` (the roads a car uses; ask for
  ``rail`` to add railways, which then join the roads at level crossings); a line layer
  keeps every line.
* **Noding.** Lines are joined where they share a vertex (the same coordinates to 1e-7°,
  about 1 cm). A line layer is also noded where lines cross or touch between vertices;
  an OSM file is not, because OpenStreetMap draws every junction as a shared node and a
  crossing without one is a bridge or a tunnel.
* **Snapping.** A loose end (a vertex of degree 1) within ``snap_m`` metres of another
  line is joined to the nearest point of that line by an edge of the gap's geodesic length
  (default 10 m for a line layer, 0 for OSM). Topology (crossings, snapping) is worked out
  in a Lambert azimuthal equal-area projection centred on the layer, whose scale is within
  2 % of true over a country; lengths are not: every edge weighs its exact geodesic length
  on WGS84 (pyproj ``Geod``).
* **Spacing.** Edges longer than ``spacing_km`` are divided along the geodesic, so that
  the access leg from a town to its nearest vertex overstates the distance to the line by
  at most half of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .distances import GEOD
from .errors import InputError, did_you_mean
from .network import _SAME_POINT_DEG, CorridorNetwork, _symmetric

#: OpenStreetMap ``highway`` values kept by default: the public road network.
OSM_ROAD_CLASSES = (
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
    "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
    "residential", "living_street", "road", "service", "track",
)  # fmt: skip
#: Columns that hold a line's class in a line layer, in order of preference.
CLASS_COLUMNS = ("highway", "railway", "fclass", "class", "road_class", "type", "category")
#: Column that labels a line in path evidence, in order of preference.
LABEL_COLUMNS = ("ref", "name", "name_en", "name:en", "osm_id", "id", "corridor_id")
OSM_SUFFIXES = (".osm", ".pbf")
#: Segment pairs tested for crossings per STRtree query (bounds the temporaries).
_QUERY_CHUNK = 200_000


@dataclass(frozen=True)
class NetworkSettings:
    """How a network file becomes a graph (see the module docstring).

    ``classes``: the road/rail classes to keep (None: the default of the file's kind);
    ``snap_m``: join loose ends within this many metres (None: 10 for a line layer, 0 for
    OSM); ``spacing_km``: longest edge; ``node_crossings``: node lines where they cross
    between vertices (None: yes for a line layer, no for OSM).
    """

    classes: tuple[str, ...] | None = None
    snap_m: float | None = None
    spacing_km: float = 1.0
    node_crossings: bool | None = None

    def __post_init__(self) -> None:
        if self.snap_m is not None and not (np.isfinite(self.snap_m) and self.snap_m >= 0):
            raise ValueError(f"snap_m must be a number >= 0, got {self.snap_m}")
        if not (np.isfinite(self.spacing_km) and self.spacing_km > 0):
            raise ValueError(f"spacing_km must be positive, got {self.spacing_km}")


def is_osm_file(path: str | Path) -> bool:
    """Whether ``path`` is an OpenStreetMap file (``.osm`` or ``.osm.pbf``/``.pbf``)."""
    return Path(str(path)).suffix.lower() in OSM_SUFFIXES


def read_network(path: str | Path, settings: NetworkSettings | None = None) -> CorridorNetwork:
    """The routable graph of a network file; ``network.info`` records what was built.

    Raises :class:`agglomap.errors.InputError` naming the file for an unreadable file, a
    layer without lines, a class filter naming no class of the file, or nothing left.
    """
    settings = settings or NetworkSettings()
    path = Path(path)
    if not path.exists():
        raise InputError("network file not found", path=path)
    osm = is_osm_file(path)
    lines = read_lines(path, settings.classes)
    snap_m = settings.snap_m if settings.snap_m is not None else (0.0 if osm else 10.0)
    crossings = settings.node_crossings if settings.node_crossings is not None else not osm
    network = build_network(
        lines, snap_m=snap_m, spacing_km=settings.spacing_km, node_crossings=crossings
    )
    network.name = path.name
    network.info = {
        "file": path.name,
        "kind": "OpenStreetMap extract" if osm else "line layer",
        "licence": "ODbL 1.0, © OpenStreetMap contributors" if osm else "as supplied by the user",
        "classes": sorted(lines["class"].dropna().unique().tolist()),
        "n_lines": int(len(lines)),
        "snap_m": snap_m,
        "node_crossings": crossings,
        "spacing_km": settings.spacing_km,
        **network.info,
        **network.components(),
    }
    return network


def read_lines(path: str | Path, classes: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """The lines of a network file with ``class`` and ``label`` columns, EPSG:4326,
    filtered to ``classes`` (see :data:`OSM_ROAD_CLASSES` for the OSM default)."""
    import pyogrio

    path = Path(path)
    osm = is_osm_file(path)
    try:
        if osm:
            layer = pyogrio.read_dataframe(
                path,
                layer="lines",
                columns=["osm_id", "name", "highway", "railway", "other_tags"],
                where="highway IS NOT NULL OR railway IS NOT NULL",  # not rivers, power lines
            )
            kind = layer["highway"].where(layer["highway"].notna(), layer["railway"])
            # the road number (ref=M-36) names a way best; GDAL keeps it in other_tags
            layer["ref"] = (
                layer["other_tags"].astype(object).str.extract(r'"ref"=>"([^"]*)"', expand=False)
            )
            layer["ref"] = layer["ref"].where(layer["ref"].notna(), layer["name"])
        else:
            layer = pyogrio.read_dataframe(path, layer=_line_layer(path))
            col = next((c for c in CLASS_COLUMNS if c in layer.columns), None)
            kind = layer[col] if col else pd.Series(None, index=layer.index, dtype=object)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds; the user needs the message
        raise InputError(f"cannot read as a line layer: {exc}", path=path) from None
    if layer.crs is not None and not layer.crs.equals("EPSG:4326"):
        layer = layer.to_crs("EPSG:4326")
    geom = layer.geometry
    is_line = geom.notna() & geom.geom_type.isin(["LineString", "MultiLineString"])
    if not is_line.any():
        raise InputError("no lines: expected a layer of (multi)line strings", path=path)
    label_col = next((c for c in LABEL_COLUMNS if c in layer.columns), None)
    label = (
        layer[label_col].astype(str).where(layer[label_col].notna(), None)
        if label_col
        else pd.Series(None, index=layer.index, dtype=object)
    )
    fallback = pd.Series([f"line {k + 1}" for k in range(len(layer))], index=layer.index)
    if osm:
        fallback = "osm way " + layer["osm_id"].astype(str)
    lines = gpd.GeoDataFrame(
        {
            "class": kind.astype(object).where(kind.notna(), None),
            "label": label.where(label.notna(), fallback),
        },
        geometry=geom,
        crs="EPSG:4326",
    )[is_line.to_numpy()]
    wanted = classes if classes is not None else (OSM_ROAD_CLASSES if osm else None)
    if wanted is not None and "all" not in wanted:
        present = sorted(lines["class"].dropna().astype(str).unique())
        if not present:
            raise InputError(
                f"no class column to filter by (expected one of {', '.join(CLASS_COLUMNS)})",
                path=path,
            )
        unknown = [c for c in wanted if c not in present]
        if classes is not None and len(unknown) == len(wanted):
            raise InputError(
                f"no line of class {', '.join(map(repr, unknown))}"
                f"{did_you_mean(unknown[0], present)} (classes in the file: "
                f"{', '.join(present[:30])})",
                path=path,
                column="class",
            )
        lines = lines[lines["class"].isin(wanted)]
        if lines.empty:
            raise InputError(
                f"no line of the default classes ({', '.join(wanted)}); name the classes to "
                f"keep (classes in the file: {', '.join(present[:30])})",
                path=path,
                column="class",
            )
    return lines.reset_index(drop=True)


def _line_layer(path: Path) -> str | int:
    """The first layer with line geometry (the only one in most files)."""
    import pyogrio

    layers = pyogrio.list_layers(path)
    for name, kind in layers:
        if kind and "LINE" in str(kind).upper():
            return str(name)
    found = ", ".join(f"{n} ({k})" for n, k in layers) or "none"
    raise InputError(f"no line layer (layers: {found})", path=path)


# --- building the graph -----------------------------------------------------------------


def build_network(
    lines: gpd.GeoDataFrame,
    *,
    snap_m: float = 10.0,
    spacing_km: float = 1.0,
    node_crossings: bool = True,
) -> CorridorNetwork:
    """Graph of ``lines`` (EPSG:4326, optional ``label`` column) noded at shared vertices
    (and crossings if ``node_crossings``), loose ends snapped within ``snap_m`` metres,
    edges divided to at most ``spacing_km`` and weighted by their geodesic length (km)."""
    if len(lines) == 0:
        raise ValueError("no lines given")
    labels = (
        lines["label"].astype(str).tolist()
        if "label" in lines.columns
        else [f"line {k + 1}" for k in range(len(lines))]
    )
    parts, owner = shapely.get_parts(np.asarray(lines.geometry), return_index=True)
    coords, part_of = shapely.get_coordinates(parts, return_index=True)
    keys = np.round(coords / _SAME_POINT_DEG).astype(np.int64)
    same_part = part_of[1:] == part_of[:-1]
    moved = np.any(keys[1:] != keys[:-1], axis=1)
    seg = np.flatnonzero(same_part & moved)  # segment k runs from coords[k] to coords[k + 1]
    if seg.size == 0:
        raise ValueError("no line has two distinct points")
    n = seg.size
    a, b = coords[seg], coords[seg + 1]
    seg_owner, seg_part = owner[part_of[seg]], part_of[seg]
    uniq, first_at, vid = np.unique(
        np.r_[keys[seg], keys[seg + 1]], axis=0, return_index=True, return_inverse=True
    )
    vid = vid.ravel()
    va, vb = vid[:n], vid[n:]
    vcoord = np.r_[a, b][first_at]  # exact lon/lat of each shared vertex

    centre = coords.mean(axis=0)
    to_m = Transformer.from_crs(
        "EPSG:4326",
        f"+proj=laea +lat_0={centre[1]:.6f} +lon_0={centre[0]:.6f} +datum=WGS84 +units=m",
        always_xy=True,
    )
    vx, vy = to_m.transform(vcoord[:, 0], vcoord[:, 1])
    vxy = np.c_[vx, vy]
    segs = shapely.linestrings(np.stack([vxy[va], vxy[vb]], axis=1))
    tree = shapely.STRtree(segs)

    # split points: segment, fraction along it, projected x/y, or an existing vertex (>= 0)
    chunks = list(_crossings(tree, segs, va, vb)) if node_crossings else []
    n_cross = sum(c[0].size for c in chunks) // 2
    link_from = np.empty(0, dtype=np.int64)
    n_snap = 0
    if snap_m > 0:
        degree = np.bincount(vid, minlength=len(vcoord))
        loose = np.flatnonzero(degree == 1)
        *snap, link_from = _snap(tree, segs, loose, va, vb, seg_part, vxy, snap_m)
        chunks.append(tuple(snap))
        n_snap = int(link_from.size)
    if chunks:
        s, f, x, y, at = (np.concatenate(col) for col in zip(*chunks, strict=True))
    else:
        s, f, x, y, at = (np.empty(0, dtype=np.int64), *(np.empty(0),) * 3, np.empty(0, int))
    lon_s, lat_s = (np.asarray(v) for v in to_m.transform(x, y, direction="INVERSE"))
    exact = at >= 0
    lon_s[exact], lat_s[exact] = vcoord[at[exact], 0], vcoord[at[exact], 1]

    # every point of every segment in order: its start (0), split points, its end (1)
    p_seg = np.r_[np.arange(n), np.arange(n), s]
    p_frac = np.r_[np.zeros(n), np.ones(n), f]
    p_lon = np.r_[a[:, 0], b[:, 0], lon_s]
    p_lat = np.r_[a[:, 1], b[:, 1], lat_s]
    order = np.lexsort((p_frac, p_seg))
    p_seg, p_lon, p_lat = p_seg[order], p_lon[order], p_lat[order]
    # snap links: from the loose end to its point on the other line (the last n_snap splits)
    all_lon = np.r_[p_lon, vcoord[link_from, 0], lon_s[s.size - n_snap :]]
    all_lat = np.r_[p_lat, vcoord[link_from, 1], lat_s[s.size - n_snap :]]
    key = np.round(np.c_[all_lon, all_lat] / _SAME_POINT_DEG).astype(np.int64)
    _, first, vertex = np.unique(key, axis=0, return_index=True, return_inverse=True)
    vertex = vertex.ravel()
    vertices = np.c_[all_lon[first], all_lat[first]]
    m = p_seg.size
    step = p_seg[1:] == p_seg[:-1]
    i = np.r_[vertex[:m][:-1][step], vertex[m : m + n_snap]]
    j = np.r_[vertex[:m][1:][step], vertex[m + n_snap :]]
    tag = np.r_[seg_owner[p_seg[:-1][step]] + 2, np.ones(n_snap, dtype=np.int64)]
    keep = i != j
    vertices, i, j, w, tag = _divide(vertices, i[keep], j[keep], tag[keep], spacing_km)
    graph, tags = _symmetric(i, j, w, tag, len(vertices))
    net = CorridorNetwork(vertices, graph, tuple(labels), float(spacing_km), 0.0, tags)
    net.name = "user network"
    net.info = {"n_crossings_noded": int(n_cross), "n_ends_snapped": n_snap}
    return net


def _first_index(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of the first occurrence of each of ``wanted`` in ``ids``."""
    if wanted.size == 0:
        return np.empty(0, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    return order[np.searchsorted(ids[order], wanted)]


def _crossings(tree: Any, segs: np.ndarray, va: np.ndarray, vb: np.ndarray):
    """Split points where segments cross or touch between their shared vertices.

    Yields chunks ``(segment, fraction, x, y, vertex)``: a point where the *other* segment
    ends is that segment's vertex (``vertex`` >= 0, so both meet at the same coordinates);
    a point at a segment's own end is no split.
    """
    for start in range(0, segs.size, _QUERY_CHUNK):
        stop = min(segs.size, start + _QUERY_CHUNK)
        qi, tj = tree.query(segs[start:stop], predicate="intersects")
        qi = qi + start
        keep = qi < tj
        qi, tj = qi[keep], tj[keep]
        share = (va[qi] == va[tj]) | (va[qi] == vb[tj]) | (vb[qi] == va[tj]) | (vb[qi] == vb[tj])
        qi, tj = qi[~share], tj[~share]
        if qi.size == 0:
            continue
        hits = shapely.intersection(segs[qi], segs[tj])
        pts, pair = shapely.get_coordinates(hits, return_index=True)
        if pts.size == 0:
            continue
        points = shapely.points(pts)
        fracs = [
            shapely.line_locate_point(segs[side[pair]], points, normalized=True)
            for side in (qi, tj)
        ]
        for side, frac, other, other_frac in (
            (qi, fracs[0], tj, fracs[1]),
            (tj, fracs[1], qi, fracs[0]),
        ):
            owner = side[pair]
            inner = (frac > 1e-9) & (frac < 1 - 1e-9)
            o = other[pair]
            at = np.where(other_frac <= 1e-9, va[o], np.where(other_frac >= 1 - 1e-9, vb[o], -1))
            yield owner[inner], frac[inner], pts[inner, 0], pts[inner, 1], at[inner]


def _snap(
    tree: Any,
    segs: np.ndarray,
    loose: np.ndarray,
    va: np.ndarray,
    vb: np.ndarray,
    seg_part: np.ndarray,
    vxy: np.ndarray,
    snap_m: float,
):
    """For each loose end, the nearest point of another line within ``snap_m`` metres.

    Returns ``(segment, fraction, x, y, vertex, loose end)`` of each snap; ``vertex`` is
    the segment's end vertex where the nearest point is one (else -1).
    """
    nothing = (np.empty(0, dtype=np.int64), np.empty(0), np.empty(0), np.empty(0))
    if loose.size == 0:
        return (*nothing, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    # the part each loose end belongs to (its only segment)
    ends = np.r_[va, vb]
    own_part = seg_part[_first_index(ends, loose) % va.size]
    pts = shapely.points(vxy[loose])
    qi, tj = tree.query(pts, predicate="dwithin", distance=snap_m)
    other = (va[tj] != loose[qi]) & (vb[tj] != loose[qi]) & (seg_part[tj] != own_part[qi])
    qi, tj = qi[other], tj[other]
    if qi.size == 0:
        return (*nothing, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    d = shapely.distance(pts[qi], segs[tj])
    order = np.lexsort((d, qi))
    qi, tj = qi[order], tj[order]
    first = np.r_[True, qi[1:] != qi[:-1]]
    qi, tj = qi[first], tj[first]
    frac = shapely.line_locate_point(segs[tj], pts[qi], normalized=True)
    foot = shapely.get_coordinates(shapely.line_interpolate_point(segs[tj], frac, normalized=True))
    at = np.where(frac <= 1e-9, va[tj], np.where(frac >= 1 - 1e-9, vb[tj], -1))
    return tj, frac, foot[:, 0], foot[:, 1], at, loose[qi]


def _divide(
    vertices: np.ndarray, i: np.ndarray, j: np.ndarray, tag: np.ndarray, spacing_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Divide edges longer than ``spacing_km`` into equal geodesic pieces; weights in km."""
    lon1, lat1 = vertices[i, 0], vertices[i, 1]
    lon2, lat2 = vertices[j, 0], vertices[j, 1]
    az, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    az, km = np.asarray(az), np.asarray(dist) / 1000.0
    pieces = np.maximum(np.ceil(km / spacing_km - 1e-9), 1).astype(np.int64)
    long = np.flatnonzero(pieces > 1)
    if long.size == 0:
        return vertices, i, j, km, tag
    extra = pieces[long] - 1
    owner = np.repeat(np.arange(long.size), extra)  # divided edge of each new point
    k = np.arange(owner.size) - np.repeat(np.cumsum(extra) - extra, extra) + 1
    e = long[owner]
    mlon, mlat, _ = GEOD.fwd(lon1[e], lat1[e], az[e], km[e] * 1000 * k / pieces[e])
    new = len(vertices) + np.arange(owner.size)
    first_new = new[np.cumsum(extra) - extra]
    last_new = new[np.cumsum(extra) - 1]
    inner = np.flatnonzero(owner[:-1] == owner[1:])
    piece_km = km[long] / pieces[long]
    short = pieces == 1
    ni = np.r_[i[short], i[long], last_new, new[inner]]
    nj = np.r_[j[short], first_new, j[long], new[inner] + 1]
    nw = np.r_[km[short], piece_km, piece_km, piece_km[owner[inner]]]
    nt = np.r_[tag[short], tag[long], tag[long], tag[long][owner[inner]]]
    verts = np.r_[vertices, np.c_[np.asarray(mlon), np.asarray(mlat)]]
    return verts, ni, nj, nw, nt
