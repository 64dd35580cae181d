"""Synthetic constellations for tests: circular orbits, ECEF, rotating with the Earth.

* BDS-3-like: Walker 24/3/1 MEO at a = 27,906 km, i = 55°; 3 GEO at 80°E,
  110.5°E, 140°E; 3 IGSO at 42,164 km, 55°, nodes near 118°E, phased 120°.
* GLONASS-like: Walker 24/3/1 at a = 25,510 km, i = 64.8°.

Positions are returned as the ``positions`` DataArray the coverage engine
consumes: dims (time, sv, xyz), metres, time = datetime64[ns] read as GPST.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

GM = 3.986004418e14
OMEGA_E = 7.2921150e-5
T0 = np.datetime64("2023-03-12T00:00:00", "ns")


def _walker(t_s, a_m, inc_deg, n_planes, n_per_plane, phasing, raan0_deg=0.0):
    n = np.sqrt(GM / a_m**3)
    total = n_planes * n_per_plane
    raan = np.radians(raan0_deg + 360.0 / n_planes * np.repeat(np.arange(n_planes), n_per_plane))
    plane = np.repeat(np.arange(n_planes), n_per_plane)
    slot = np.tile(np.arange(n_per_plane), n_planes)
    u0 = np.radians(360.0 / n_per_plane * slot + 360.0 * phasing / total * plane)
    inc = np.radians(inc_deg)
    return _circular_ecef(t_s, a_m, inc, raan, u0, n)


def _circular_ecef(t_s, a_m, inc, raan, u0, n):
    t = np.asarray(t_s, float)[:, None]
    u = u0[None, :] + n * t
    # node longitude in ECEF drifts with Earth rotation
    lam = raan[None, :] - OMEGA_E * t
    cu, su = np.cos(u), np.sin(u)
    x = a_m * (cu * np.cos(lam) - su * np.cos(inc) * np.sin(lam))
    y = a_m * (cu * np.sin(lam) + su * np.cos(inc) * np.cos(lam))
    z = a_m * su * np.sin(inc) * np.ones_like(lam)
    return np.stack([x, y, z], axis=-1)  # (time, sat, 3)


def bds_like(t_s):
    """(positions (time, 30, 3), names) for a BDS-3-like constellation."""
    meo = _walker(t_s, 27_906_100.0, 55.0, 3, 8, 1)
    a_geo = 42_164_000.0
    lon = np.radians([80.0, 110.5, 140.0])
    geo = np.broadcast_to(
        np.stack([a_geo * np.cos(lon), a_geo * np.sin(lon), np.zeros(3)], -1),
        (len(t_s), 3, 3))
    n_geo = OMEGA_E  # geosynchronous: inertial rate equals Earth rotation
    igso = _circular_ecef(t_s, a_geo, np.radians(55.0), np.radians([118.0] * 3),
                          np.radians([0.0, 120.0, 240.0]), n_geo)
    pos = np.concatenate([geo, igso, meo], axis=1)
    names = ([f"C{p:02d}" for p in (59, 60, 61)] + [f"C{p:02d}" for p in (38, 39, 40)]
             + [f"C{p:02d}" for p in range(19, 43) if p not in (38, 39, 40)][:21]
             + ["C43", "C44", "C45"])
    return pos, names


def glonass_like(t_s):
    pos = _walker(t_s, 25_510_000.0, 64.8, 3, 8, 1, raan0_deg=15.0)
    return pos, [f"R{p:02d}" for p in range(1, 25)]


def gps_like(t_s):
    pos = _walker(t_s, 26_559_700.0, 55.0, 6, 4, 1)
    return pos, [f"G{p:02d}" for p in range(1, 25)]


def synthetic_positions(n_epochs: int = 60, step_s: float = 60.0, *, start=T0,
                        systems: str = "CR") -> xr.DataArray:
    """Synthetic ``positions`` (time, sv, xyz) for the systems in ``systems`` ("C", "R", "G")."""
    t_s = np.arange(n_epochs) * step_s
    parts, names = [], []
    for letter, fn in (("C", bds_like), ("R", glonass_like), ("G", gps_like)):
        if letter in systems:
            p, n = fn(t_s)
            parts.append(p)
            names += n
    pos = np.ascontiguousarray(np.concatenate(parts, axis=1))
    times = start + (t_s * 1e9).astype("timedelta64[ns]")
    return xr.DataArray(pos, dims=("time", "sv", "xyz"),
                        coords={"time": times, "sv": names, "xyz": ["x", "y", "z"]},
                        name="positions", attrs={"units": "m", "source": "synthetic"})
