"""GeoJSON (RFC 7946) of a scenario's denied regions, jammer footprints and raised masks.

One FeatureCollection per scenario (``<scenario>/regions.geojson`` in the main job), one
Feature per region with flat properties a GIS attribute table shows as they are
(``scenario``, ``label``, ``kind``, ``system``, the jammer's parameters, ...).

Geometries follow RFC 7946: WGS 84 longitude/latitude in degrees (§4), rounded to 6
decimals (~0.1 m, §11.2); exterior rings counter-clockwise, holes clockwise (§3.1.6); a
region that crosses the antimeridian is cut there into parts none of which crosses it
(§3.1.9), so it is a MultiPolygon. Circles (denial regions of a radius, jammer
footprints) are polygons of :data:`CIRCLE_VERTICES` great-circle points (on the sphere of
:data:`~gnss_interop.scenarios.regions.EARTH_MEAN_RADIUS_KM`, as the scenarios test
points); a circle around a pole is closed along the pole. Edges are straight in
longitude/latitude, as GIS software draws them: the boxes' edges are exact (parallels and
meridians), the circles' within the chord of 1/256 of their circumference.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from gnss_interop.output.atomic import write_bytes_atomic
from gnss_interop.scenarios.regions import (
    EARTH_MEAN_RADIUS_KM,
    Annulus,
    Box,
    Circle,
    GlobalRegion,
    Polygon,
    Region,
    destination,
    great_circle_km,
)

__all__ = ["CIRCLE_VERTICES", "region_geometry", "regions_feature_collection", "write_geojson"]

#: Points on the boundary of a circle (RFC 7946 has no circle; at least 64 asked for).
CIRCLE_VERTICES = 256
_DECIMALS = 6


def _world():
    from shapely.geometry import box

    return box(-180.0, -90.0, 180.0, 90.0)


def _split_antimeridian(geom):
    """``geom`` (longitudes unwrapped, may pass ±180°) cut into parts within [-180, 180]."""
    from shapely.affinity import translate
    from shapely.geometry import box
    from shapely.ops import unary_union

    parts = []
    lo, hi = geom.bounds[0], geom.bounds[2]
    for k in range(math.floor((lo + 180.0) / 360.0), math.floor((hi + 180.0) / 360.0) + 1):
        window = box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0)
        part = geom.intersection(window)
        if not part.is_empty and part.area > 0:
            parts.append(translate(part, xoff=-360.0 * k))
    # pieces that meet inside [-180, 180] are one; pieces at -180 and at +180 stay apart
    return unary_union(parts)


def _circle(lat_deg: float, lon_deg: float, radius_km: float, n: int):
    from shapely.geometry import Polygon as SPolygon

    half = math.pi * EARTH_MEAN_RADIUS_KM
    if radius_km >= half:
        return _world()
    north = float(great_circle_km(lat_deg, lon_deg, 90.0, 0.0)) < radius_km
    south = float(great_circle_km(lat_deg, lon_deg, -90.0, 0.0)) < radius_km
    if north and south:      # the complement is a small circle around the antipode
        return _world().difference(_circle(-lat_deg, lon_deg + 180.0, half - radius_km, n))
    lat, lon = destination(lat_deg, lon_deg, np.linspace(0.0, 360.0, n + 1)[:-1], radius_km)
    lon = np.degrees(np.unwrap(np.radians(np.asarray(lon))))
    lon = lon - 360.0 * round((lon[0] - lon_deg) / 360.0)
    if north or south:       # the boundary runs once around the pole: close it along the pole
        pole = 90.0 if north else -90.0
        lon = np.append(lon, lon[0] + (360.0 if lon[-1] > lon[0] else -360.0))
        lat = np.append(lat, lat[0])
        ring = list(zip(lon, lat)) + [(lon[-1], pole), (lon[0], pole)]
    else:
        ring = list(zip(lon, lat))
    return _split_antimeridian(SPolygon(ring))


def _box(b: Box):
    from shapely.geometry import box

    if b.lon_max - b.lon_min >= 360.0:
        return box(-180.0, b.lat_min, 180.0, b.lat_max)
    lo = (b.lon_min + 180.0) % 360.0 - 180.0
    hi = (b.lon_max + 180.0) % 360.0 - 180.0
    if hi < lo:
        hi += 360.0
    return _split_antimeridian(box(lo, b.lat_min, hi, b.lat_max))


def _polygon(p: Polygon):
    from shapely.geometry import Polygon as SPolygon
    from shapely.ops import unary_union

    geoms = []
    for rings in p.rings:
        ext = Polygon._unwrap(rings[0])
        holes = []
        for hole in rings[1:]:
            h = Polygon._unwrap(hole)
            h[:, 0] -= 360.0 * round((h[:, 0].mean() - ext[:, 0].mean()) / 360.0)
            holes.append(h)
        geoms.append(_split_antimeridian(SPolygon(ext, holes).buffer(0)))
    return unary_union(geoms)


def region_geometry(region: Region, *, circle_vertices: int = CIRCLE_VERTICES):
    """A region as a shapely (Multi)Polygon in RFC 7946 form (see the module docstring).

    Raises
    ------
    TypeError
        For a region type without a geometry.
    """
    import shapely
    from shapely.geometry import MultiPolygon
    from shapely.geometry.polygon import orient

    if circle_vertices < 64:
        raise ValueError(f"circle_vertices must be at least 64, got {circle_vertices}")
    if isinstance(region, GlobalRegion):
        geom = _world()
    elif isinstance(region, Circle):
        geom = _circle(region.lat_deg, region.lon_deg, region.radius_km, circle_vertices)
    elif isinstance(region, Annulus):
        geom = _circle(region.lat_deg, region.lon_deg, region.outer_km, circle_vertices)
        if region.inner_km > 0.0:
            geom = geom.difference(_circle(region.lat_deg, region.lon_deg, region.inner_km,
                                           circle_vertices))
    elif isinstance(region, Box):
        geom = _box(region)
    elif isinstance(region, Polygon):
        geom = _polygon(region)
    else:
        raise TypeError(f"no GeoJSON geometry for a {type(region).__name__}")
    geom = shapely.set_precision(geom, 10.0 ** -_DECIMALS)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon" and g.area > 0]
    polys = [orient(g, sign=1.0) for g in polys]       # RFC 7946 §3.1.6: right-hand rule
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _rounded(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, _DECIMALS) + 0.0
    if isinstance(obj, (list, tuple)):
        return [_rounded(v) for v in obj]
    return obj


def _geometry_json(geom) -> dict[str, Any]:
    from shapely.geometry import mapping

    m = mapping(geom)
    return {"type": m["type"], "coordinates": _rounded(m["coordinates"])}


def _properties(scenario: str, title: str | None, record) -> dict[str, Any]:
    region = record.region
    props: dict[str, Any] = {
        "scenario": scenario, "scenario_title": title or scenario, "label": record.label,
        "kind": record.kind,
        "system": record.system.letter if record.system is not None else None,
        "system_name": record.system.display_name if record.system is not None else None,
        "region": region.describe(),
    }
    if isinstance(region, Circle):
        props.update(centre_lat=region.lat_deg, centre_lon=region.lon_deg,
                     radius_km=region.radius_km)
    elif isinstance(region, Annulus):
        props.update(centre_lat=region.lat_deg, centre_lon=region.lon_deg,
                     inner_km=region.inner_km, outer_km=region.outer_km)
    for k, v in record.source.items():
        props.setdefault(k, v)
    return props


def regions_feature_collection(records: Iterable, *, scenario: str, title: str | None = None,
                               circle_vertices: int = CIRCLE_VERTICES) -> dict[str, Any]:
    """The FeatureCollection (a dict ready for :func:`json.dumps`) of a scenario's regions.

    ``records`` are :class:`~gnss_interop.scenarios.degradations.RegionRecord` (label,
    region, kind, system, source); one Feature each, in their order, ``id`` =
    ``"<scenario>/<n>"``.
    """
    features = []
    for n, record in enumerate(records, start=1):
        geom = region_geometry(record.region, circle_vertices=circle_vertices)
        features.append({"type": "Feature", "id": f"{scenario}/{n}",
                         "geometry": _geometry_json(geom),
                         "properties": _properties(scenario, title, record)})
    return {"type": "FeatureCollection", "features": features}


def write_geojson(collection: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write a FeatureCollection as UTF-8 GeoJSON (RFC 7946 §11: no ``crs`` member),
    atomically."""
    text = json.dumps(collection, ensure_ascii=False, indent=1, allow_nan=False)
    return write_bytes_atomic(Path(path), (text + "\n").encode("utf-8"))
