"""Latitude/longitude grids of receiver points and their CF coordinates.

Convention (default ``registration="node"``): grid *nodes*, i.e. point samples
at exact multiples of the resolution, latitude ``lat_min..lat_max``
**inclusive** and longitude ``lon_min..lon_max`` inclusive, except that a
full 360° longitude span leaves out the duplicated end. The global 1° grid is
therefore lat −90, −89, …, 90 (181 values, poles included) × lon −180, −179,
…, 179 (360 values): the "181 × 360 points" of issue #3, the same sampling as
the GLONASS IAC availability product (1° nodes).

``registration="cell"`` gives cell centres instead (lat −89.5..89.5,
lon −179.5..179.5 at 1°), which suits rasters/GeoTIFF export.

A box whose ``lon_max`` is smaller than ``lon_min`` crosses the antimeridian;
its longitudes are wrapped into [−180, 180) and are then not monotonic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import xarray as xr
from numpy.typing import NDArray

__all__ = ["GridSpec"]

_EPS = 1e-9


def _count(span: float, step: float, what: str) -> int:
    q = span / step
    k = round(q)
    if abs(q - k) > 1e-6:
        raise ValueError(
            f"{what} span {span:g}° is not a multiple of the resolution {step:g}°; "
            f"choose a box whose edges are multiples of the resolution")
    return int(k)


@dataclass(frozen=True)
class GridSpec:
    """A regular geodetic grid of receiver points.

    Parameters
    ----------
    resolution_deg
        Spacing in latitude and longitude [deg], > 0 (0.25° and coarser are usual).
    lat_min_deg, lat_max_deg, lon_min_deg, lon_max_deg
        Box edges [deg]. Latitudes within [−90, 90]; longitudes within [−180, 360].
    height_m
        Height of every point above the WGS 84 ellipsoid [m] (0 = ground, or airborne).
    registration
        ``"node"`` (points at the edges and every ``resolution_deg``) or
        ``"cell"`` (cell centres); see the module docstring.
    """

    resolution_deg: float = 1.0
    lat_min_deg: float = -90.0
    lat_max_deg: float = 90.0
    lon_min_deg: float = -180.0
    lon_max_deg: float = 180.0
    height_m: float = 0.0
    registration: Literal["node", "cell"] = "node"

    def __post_init__(self) -> None:
        if not (self.resolution_deg > 0 and math.isfinite(self.resolution_deg)):
            raise ValueError(f"resolution_deg must be > 0, got {self.resolution_deg}")
        if not (-90.0 <= self.lat_min_deg <= self.lat_max_deg <= 90.0):
            raise ValueError(
                f"need -90 <= lat_min_deg <= lat_max_deg <= 90, got "
                f"{self.lat_min_deg}, {self.lat_max_deg}")
        if not (-180.0 <= self.lon_min_deg <= 360.0 and -180.0 <= self.lon_max_deg <= 360.0):
            raise ValueError("longitudes must lie within [-180, 360]")
        if self.registration not in ("node", "cell"):
            raise ValueError(f"registration must be 'node' or 'cell', got {self.registration!r}")
        if not math.isfinite(self.height_m):
            raise ValueError("height_m must be finite")
        self.lat_deg  # validates the spans
        self.lon_deg

    @classmethod
    def global_grid(cls, resolution_deg: float = 1.0, *, height_m: float = 0.0,
                    registration: Literal["node", "cell"] = "node") -> "GridSpec":
        """The whole Earth at ``resolution_deg``."""
        return cls(resolution_deg, -90.0, 90.0, -180.0, 180.0, height_m, registration)

    @classmethod
    def from_bbox(cls, lon_min_deg: float, lat_min_deg: float, lon_max_deg: float,
                  lat_max_deg: float, resolution_deg: float = 1.0, *, height_m: float = 0.0,
                  registration: Literal["node", "cell"] = "node") -> "GridSpec":
        """A lon/lat box in the usual ``(west, south, east, north)`` order."""
        return cls(resolution_deg, lat_min_deg, lat_max_deg, lon_min_deg, lon_max_deg,
                   height_m, registration)

    @property
    def _lon_span(self) -> float:
        span = self.lon_max_deg - self.lon_min_deg
        return span + 360.0 if span < 0 else span

    @property
    def is_full_longitude(self) -> bool:
        return abs(self._lon_span - 360.0) < _EPS

    @property
    def lat_deg(self) -> NDArray[np.float64]:
        """Latitudes of the grid rows [deg], increasing."""
        r = self.resolution_deg
        n = _count(self.lat_max_deg - self.lat_min_deg, r, "latitude")
        if self.registration == "node":
            k = np.arange(n + 1)
            return np.round(self.lat_min_deg + k * r, 10)
        if n == 0:
            raise ValueError("a cell-registered grid needs lat_max_deg > lat_min_deg")
        return np.round(self.lat_min_deg + (np.arange(n) + 0.5) * r, 10)

    @property
    def lon_deg(self) -> NDArray[np.float64]:
        """Longitudes of the grid columns [deg], wrapped into [−180, 180)."""
        r = self.resolution_deg
        n = _count(self._lon_span, r, "longitude")
        if self.registration == "node":
            k = np.arange(n if self.is_full_longitude else n + 1)
            lon = self.lon_min_deg + k * r
        else:
            if n == 0:
                raise ValueError("a cell-registered grid needs lon_max_deg > lon_min_deg")
            lon = self.lon_min_deg + (np.arange(n) + 0.5) * r
        return np.round((lon + 180.0) % 360.0 - 180.0, 10)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_lat, n_lon)``."""
        return (self.lat_deg.size, self.lon_deg.size)

    @property
    def size(self) -> int:
        n_lat, n_lon = self.shape
        return n_lat * n_lon

    def coords(self) -> dict[str, xr.DataArray]:
        """CF-annotated ``lat`` and ``lon`` coordinate variables."""
        comment = ("grid nodes (point samples)" if self.registration == "node"
                   else "cell centres")
        lat = xr.DataArray(self.lat_deg, dims="lat", attrs={
            "standard_name": "latitude", "long_name": "geodetic latitude (WGS 84)",
            "units": "degrees_north", "axis": "Y", "comment": comment})
        lon = xr.DataArray(self.lon_deg, dims="lon", attrs={
            "standard_name": "longitude", "long_name": "longitude (WGS 84)",
            "units": "degrees_east", "axis": "X", "comment": comment})
        return {"lat": lat, "lon": lon}

    def describe(self) -> str:
        n_lat, n_lon = self.shape
        return (f"{n_lat}x{n_lon} {self.registration} grid, {self.resolution_deg:g} deg, "
                f"lat [{self.lat_min_deg:g}, {self.lat_max_deg:g}], "
                f"lon [{self.lon_min_deg:g}, {self.lon_max_deg:g}], "
                f"height {self.height_m:g} m above WGS 84")
