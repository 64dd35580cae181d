"""Geographic regions for denial scenarios: global, circle, lat/lon box, GeoJSON polygon.

Every region answers ``contains(lat_deg, lon_deg)`` on arrays (vectorised) and gives
its ``outline()`` as closed (lon_deg, lat_deg) polylines for maps. All of them are
antimeridian-safe: a box may run from 170° E to −170° (crossing ±180°), a circle
near the antimeridian wraps, and a GeoJSON ring whose longitudes jump across ±180°
is unwrapped before the point-in-polygon test.

Distances are great-circle distances on a sphere of the IUGG mean Earth radius
(6,371.0088 km): for regions of hundreds to thousands of km that is within 0.5 %
of the ellipsoidal distance, well inside the grid resolution.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Region", "GlobalRegion", "Circle", "Annulus", "Box", "Polygon", "region_from_spec",
           "EARTH_MEAN_RADIUS_KM", "great_circle_km", "destination"]

#: IUGG mean Earth radius R1 [km] (Moritz 2000, Geodetic Reference System 1980).
EARTH_MEAN_RADIUS_KM = 6371.0088


class Region(Protocol):
    """What a region must offer."""

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]: ...

    def outline(self) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]: ...

    def describe(self) -> str: ...


def _wrap_lon(lon: ArrayLike) -> NDArray[np.float64]:
    return (np.asarray(lon, dtype=np.float64) + 180.0) % 360.0 - 180.0


def great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> NDArray[np.float64]:
    """Great-circle distance [km] (haversine, mean Earth radius)."""
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dl = np.radians(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def destination(lat_deg: float, lon_deg: float, bearing_deg: ArrayLike, distance_km: float
                ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Point reached from (lat, lon) along ``bearing_deg`` after ``distance_km`` (sphere)."""
    p1, l1 = math.radians(lat_deg), math.radians(lon_deg)
    b = np.radians(bearing_deg)
    d = distance_km / EARTH_MEAN_RADIUS_KM
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(b))
    l2 = l1 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    return np.degrees(p2), _wrap_lon(np.degrees(l2))


def _split_at_antimeridian(lon: NDArray, lat: NDArray) -> list[tuple[NDArray, NDArray]]:
    """Cut a polyline where consecutive longitudes jump by more than 180°."""
    jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
    parts = [(lo, la) for lo, la in zip(np.split(lon, jumps), np.split(lat, jumps)) if lo.size > 0]
    closed = lon.size > 2 and np.isclose(lon[0], lon[-1]) and np.isclose(lat[0], lat[-1])
    if closed and len(parts) > 2:
        # a closed ring cut twice: its last and first pieces lie on the same side
        last, first = parts.pop(), parts.pop(0)
        parts.insert(0, (np.concatenate([last[0], first[0][1:]]),
                         np.concatenate([last[1], first[1][1:]])))
    return [(lo, la) for lo, la in parts if lo.size > 1]


@dataclass(frozen=True)
class GlobalRegion:
    """The whole Earth."""

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        return np.ones(np.broadcast(np.asarray(lat_deg), np.asarray(lon_deg)).shape, dtype=bool)

    def outline(self) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
        return []

    def describe(self) -> str:
        return "global"


@dataclass(frozen=True)
class Circle:
    """Points within ``radius_km`` (great circle) of a centre."""

    lat_deg: float
    lon_deg: float
    radius_km: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat_deg <= 90.0:
            raise ValueError(f"circle centre latitude {self.lat_deg} outside [-90, 90]")
        if not self.radius_km > 0.0:
            raise ValueError(f"circle radius_km must be > 0, got {self.radius_km}")

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        return great_circle_km(self.lat_deg, self.lon_deg, lat_deg, lon_deg) <= self.radius_km

    def outline(self, n: int = 181) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
        lat, lon = destination(self.lat_deg, self.lon_deg, np.linspace(0.0, 360.0, n), self.radius_km)
        return _split_at_antimeridian(lon, lat)

    def describe(self) -> str:
        return f"within {self.radius_km:g} km of {self.lat_deg:g}°, {self.lon_deg:g}°"


@dataclass(frozen=True)
class Annulus:
    """Points farther than ``inner_km`` and within ``outer_km`` (great circle) of a centre.

    ``inner_km = 0`` makes it the whole disc (the centre included). A jammer's
    single-frequency ring is one (:meth:`~gnss_interop.scenarios.jammer.Jammer.degraded_regions`).
    """

    lat_deg: float
    lon_deg: float
    inner_km: float
    outer_km: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat_deg <= 90.0:
            raise ValueError(f"annulus centre latitude {self.lat_deg} outside [-90, 90]")
        if not 0.0 <= self.inner_km < self.outer_km:
            raise ValueError(f"annulus needs 0 <= inner_km < outer_km, got inner_km="
                             f"{self.inner_km}, outer_km={self.outer_km}")

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        d = great_circle_km(self.lat_deg, self.lon_deg, lat_deg, lon_deg)
        inside = d <= self.outer_km
        return inside & (d > self.inner_km) if self.inner_km > 0.0 else inside

    def outline(self, n: int = 181) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
        out = Circle(self.lat_deg, self.lon_deg, self.outer_km).outline(n)
        if self.inner_km > 0.0:
            out += Circle(self.lat_deg, self.lon_deg, self.inner_km).outline(n)
        return out

    def describe(self) -> str:
        return (f"{self.inner_km:g} to {self.outer_km:g} km from {self.lat_deg:g}°, "
                f"{self.lon_deg:g}°")


@dataclass(frozen=True)
class Box:
    """A lat/lon box; ``lon_min > lon_max`` means it crosses the antimeridian."""

    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat_min < self.lat_max <= 90.0:
            raise ValueError(f"box needs -90 <= lat_min < lat_max <= 90, got "
                             f"lat_min={self.lat_min}, lat_max={self.lat_max}")
        for name in ("lon_min", "lon_max"):
            v = getattr(self, name)
            if not -180.0 <= v <= 360.0:
                raise ValueError(f"box {name}={v} outside [-180, 360]")

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = _wrap_lon(lon_deg)
        lo, hi = float(_wrap_lon(self.lon_min)), float(_wrap_lon(self.lon_max))
        if self.lon_max - self.lon_min >= 360.0:
            in_lon = np.ones_like(lon, dtype=bool)
        elif lo <= hi:
            in_lon = (lon >= lo) & (lon <= hi)
        else:                                    # crosses ±180°
            in_lon = (lon >= lo) | (lon <= hi)
        return (lat >= self.lat_min) & (lat <= self.lat_max) & in_lon

    def outline(self) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
        lo, hi = float(_wrap_lon(self.lon_min)), float(_wrap_lon(self.lon_max))
        if hi < lo:
            hi += 360.0
        lons = np.linspace(lo, hi, 91)
        lon = np.concatenate([lons, [hi], lons[::-1], [lo]])
        lat = np.concatenate([np.full(91, self.lat_min), [self.lat_max],
                              np.full(91, self.lat_max), [self.lat_min]])
        return _split_at_antimeridian(_wrap_lon(lon), lat)

    def describe(self) -> str:
        return (f"box {self.lat_min:g}..{self.lat_max:g}° N, {self.lon_min:g}..{self.lon_max:g}° E")


@dataclass(frozen=True)
class Polygon:
    """One or more polygons with optional holes (GeoJSON ``Polygon``/``MultiPolygon`` rings).

    ``rings`` holds, per polygon, its exterior ring followed by its holes, each an
    (n, 2) array of (lon, lat) degrees. Rings are unwrapped in longitude so an edge
    never spans more than 180°: a polygon drawn across the antimeridian (e.g. 170° to
    −170°) keeps its small extent instead of wrapping around the globe.
    """

    rings: tuple[tuple[NDArray[np.float64], ...], ...]
    label: str = "polygon"

    def __post_init__(self) -> None:
        if not self.rings:
            raise ValueError("polygon has no rings")
        for poly in self.rings:
            for ring in poly:
                if ring.ndim != 2 or ring.shape[1] != 2 or ring.shape[0] < 3:
                    raise ValueError("every polygon ring needs at least 3 [lon, lat] points")
                if not np.all(np.isfinite(ring)):
                    raise ValueError("polygon coordinates must be finite numbers")
                if np.any(np.abs(ring[:, 1]) > 90):
                    raise ValueError("polygon latitude outside [-90, 90]")
                if np.any((ring[:, 0] < -180) | (ring[:, 0] > 360)):
                    raise ValueError("polygon longitude outside [-180, 360]")
                u = self._unwrap(ring)
                if np.unique(u, axis=0).shape[0] < 3:
                    raise ValueError("a polygon ring needs at least 3 distinct points")
                from shapely import is_valid_reason
                from shapely.geometry import Polygon as _ShapelyPolygon

                why = is_valid_reason(_ShapelyPolygon(u))
                if why != "Valid Geometry":
                    raise ValueError(f"polygon ring is not a valid polygon ({why}; e.g. "
                                     f"self-intersecting)")

    @staticmethod
    def _unwrap(ring: NDArray) -> NDArray:
        lon = np.degrees(np.unwrap(np.radians(ring[:, 0])))
        return np.column_stack([lon, ring[:, 1]])

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        from matplotlib.path import Path as MplPath

        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = _wrap_lon(lon_deg)
        lat, lon = np.broadcast_arrays(lat, lon)
        pts = np.column_stack([lon.ravel(), lat.ravel()])
        inside = np.zeros(pts.shape[0], dtype=bool)
        for poly in self.rings:
            ext = self._unwrap(poly[0])
            hit = np.zeros_like(inside)
            for shift in (-360.0, 0.0, 360.0):
                shifted = pts + [shift, 0.0]
                h = MplPath(ext).contains_points(shifted)
                for hole in poly[1:]:
                    h &= ~MplPath(self._unwrap(hole)).contains_points(shifted)
                hit |= h
            inside |= hit
        return inside.reshape(lat.shape)

    def outline(self) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
        out = []
        for poly in self.rings:
            for ring in poly:
                r = self._unwrap(ring)
                if not np.allclose(r[0], r[-1]):
                    r = np.vstack([r, r[:1]])
                out += _split_at_antimeridian(_wrap_lon(r[:, 0]), r[:, 1])
        return out

    def describe(self) -> str:
        return f"GeoJSON {self.label}"

    @classmethod
    def from_geojson(cls, obj: dict[str, Any] | str | Path, label: str | None = None) -> "Polygon":
        """From a GeoJSON geometry, Feature or FeatureCollection (dict, file path or JSON text)."""
        name = label
        if isinstance(obj, (str, Path)) and not str(obj).lstrip().startswith("{"):
            path = Path(obj)
            try:
                obj = json.loads(path.read_text())
            except OSError as exc:
                raise ValueError(f"cannot read GeoJSON file {path}: {exc.strerror}") from None
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
            name = name or path.name
        elif isinstance(obj, str):
            obj = json.loads(obj)
        geoms = []

        def collect(o: dict[str, Any]) -> None:
            kind = o.get("type")
            if kind == "FeatureCollection":
                for f in o.get("features", []):
                    collect(f)
            elif kind == "Feature":
                collect(o.get("geometry") or {})
            elif kind == "Polygon":
                geoms.append(o["coordinates"])
            elif kind == "MultiPolygon":
                geoms.extend(o["coordinates"])
            else:
                raise ValueError(f"GeoJSON type {kind!r} is not a Polygon, MultiPolygon, Feature or "
                                 f"FeatureCollection")

        collect(obj)
        if not geoms:
            raise ValueError("GeoJSON holds no polygon")
        rings = tuple(tuple(np.asarray(r, dtype=np.float64)[:, :2] for r in poly) for poly in geoms)
        return cls(rings, label=name or "polygon")


def region_from_spec(spec: str | dict[str, Any] | None, base_dir: Path | None = None) -> Region:
    """Build a region from a scenario-file value.

    ``"global"`` (or absent), ``{"circle": {"lat": .., "lon": .., "radius_km": ..}}``,
    ``{"box": {"lat_min": .., "lat_max": .., "lon_min": .., "lon_max": ..}}``,
    ``{"geojson": "file.geojson"}`` (relative to ``base_dir``) or a GeoJSON object,
    or ``{"polygon": [[lon, lat], ...]}``.
    """
    if spec is None or spec == "global":
        return GlobalRegion()
    if isinstance(spec, str):
        raise ValueError(f"unknown region {spec!r}: use 'global' or a table such as "
                         f"{{circle = {{lat = .., lon = .., radius_km = ..}}}}")
    if len(spec) != 1:
        raise ValueError(f"a region has exactly one kind (circle, box, geojson, polygon), got "
                         f"{sorted(spec)}")
    (kind, value), = spec.items()
    if kind == "circle":
        return Circle(float(value["lat"]), float(value["lon"]), float(value["radius_km"]))
    if kind == "box":
        return Box(float(value["lat_min"]), float(value["lat_max"]), float(value["lon_min"]),
                   float(value["lon_max"]))
    if kind == "geojson":
        if isinstance(value, str) and not value.lstrip().startswith("{") and base_dir is not None:
            value = base_dir / value
        return Polygon.from_geojson(value)
    if kind == "polygon":
        return Polygon(((np.asarray(value, dtype=np.float64),),))
    raise ValueError(f"unknown region kind {kind!r}: use circle, box, geojson or polygon")
