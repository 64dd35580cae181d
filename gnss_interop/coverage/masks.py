"""Elevation masks: a minimum elevation plus an optional azimuth-dependent horizon.

The effective mask at azimuth ``az`` is ``max(elevation_mask_deg, horizon(az))``,
where the horizon (terrain/obstruction skyline) is linearly interpolated
between the given (azimuth, elevation) pairs and is periodic in azimuth. This
splits the horizon from the minimum-elevation policy as lox-space/lox PR #477
does. A satellite is visible when its elevation is *strictly greater* than
the effective mask.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ElevationMask"]


@dataclass(frozen=True)
class ElevationMask:
    """Minimum elevation and optional azimuth-dependent horizon (degrees).

    Parameters
    ----------
    elevation_mask_deg
        Minimum elevation [deg] in [−90, 90); default 5°.
    horizon_azimuth_deg, horizon_elevation_deg
        Optional horizon nodes: azimuths [deg, from north through east] and the
        elevation of the horizon there [deg]. Both tuples have the same length
        (≥ 1); azimuths are taken modulo 360 and must be distinct.
    """

    elevation_mask_deg: float = 5.0
    horizon_azimuth_deg: tuple[float, ...] = ()
    horizon_elevation_deg: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not (-90.0 <= self.elevation_mask_deg < 90.0):
            raise ValueError(f"elevation_mask_deg must lie in [-90, 90), got "
                             f"{self.elevation_mask_deg}")
        az, el = self.horizon_azimuth_deg, self.horizon_elevation_deg
        if len(az) != len(el):
            raise ValueError("horizon azimuths and elevations must have the same length")
        if not all(math.isfinite(v) for v in (*az, *el)):
            raise ValueError("horizon azimuths and elevations must be finite")
        if any(not (-90.0 <= v <= 90.0) for v in el):
            raise ValueError("horizon elevations must lie within [-90, 90]")
        wrapped = np.mod(np.asarray(az, dtype=float), 360.0)
        if wrapped.size != np.unique(wrapped).size:
            raise ValueError("horizon azimuths must be distinct modulo 360")

    @classmethod
    def from_pairs(cls, pairs: Iterable[Sequence[float]], elevation_mask_deg: float = 5.0
                   ) -> "ElevationMask":
        """Build from ``[(azimuth_deg, elevation_deg), ...]``."""
        pairs = [tuple(map(float, p)) for p in pairs]
        if any(len(p) != 2 for p in pairs):
            raise ValueError("each horizon pair must be (azimuth_deg, elevation_deg)")
        return cls(float(elevation_mask_deg), tuple(p[0] for p in pairs),
                   tuple(p[1] for p in pairs))

    @property
    def has_horizon(self) -> bool:
        return len(self.horizon_azimuth_deg) > 0

    def horizon_deg(self, azimuth_deg: ArrayLike) -> NDArray[np.float64]:
        """Horizon elevation [deg] at the given azimuths (−90 where no horizon is set)."""
        az = np.asarray(azimuth_deg, dtype=np.float64)
        if not self.has_horizon:
            return np.full(az.shape, -90.0)
        return np.interp(np.mod(az, 360.0), *self.periodic_nodes())

    def effective_deg(self, azimuth_deg: ArrayLike) -> NDArray[np.float64]:
        """Effective mask ``max(elevation_mask_deg, horizon(az))`` [deg]."""
        return np.maximum(self.elevation_mask_deg, self.horizon_deg(azimuth_deg))

    def periodic_nodes(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Horizon nodes sorted in [0, 360) and extended by one node on each side.

        Interpolating these linearly on [0, 360] equals periodic interpolation
        (what ``np.interp(..., period=360)`` does); the numba kernel uses them.
        """
        az = np.mod(np.asarray(self.horizon_azimuth_deg, dtype=np.float64), 360.0)
        el = np.asarray(self.horizon_elevation_deg, dtype=np.float64)
        order = np.argsort(az)
        az, el = az[order], el[order]
        az_ext = np.concatenate([[az[-1] - 360.0], az, [az[0] + 360.0]])
        el_ext = np.concatenate([[el[-1]], el, [el[0]]])
        return az_ext, el_ext

    def describe(self) -> str:
        s = f"elevation > {self.elevation_mask_deg:g} deg"
        if self.has_horizon:
            nodes = ", ".join(f"{a:g}/{e:g}" for a, e in
                              zip(self.horizon_azimuth_deg, self.horizon_elevation_deg))
            s += (f" and above the horizon (azimuth/elevation deg, linear, periodic): "
                  f"{nodes}")
        return s
