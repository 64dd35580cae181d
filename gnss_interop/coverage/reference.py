"""Plain, obviously-correct reference for visibility and DOP (slow; for tests and benchmarks).

Per receiver point and epoch:

1. look angles of every satellite from :func:`gnss_interop.coverage.geometry.look_angles`;
2. a satellite is visible when its position is finite, its system is in the
   configuration and its elevation is strictly above the effective mask;
3. design matrix H in local ENU: one row per visible satellite,
   ``[-e_E, -e_N, -e_U, c_1, ..., c_k]`` where ``e`` is the unit line of sight
   receiver → satellite and ``c_g`` = 1 if the satellite's system belongs to
   clock group ``g`` (groups without a visible satellite are dropped);
4. ``Q = inv(HᵀH)`` with :func:`numpy.linalg.inv`; no solution when there are
   fewer rows than unknowns or ``cond(HᵀH) > 1e12`` (singular geometry);
5. ``PDOP = sqrt(Q_EE + Q_NN + Q_UU)``, ``HDOP = sqrt(Q_EE + Q_NN)``,
   ``VDOP = sqrt(Q_UU)``, ``TDOP = sqrt(Q_cc)`` of the first clock column,
   ``GDOP = sqrt(PDOP² + TDOP²)``; no-solution epochs give +inf.

Statistics over epochs are exact (``numpy.percentile`` with
``method="inverted_cdf"``, i.e. nearest rank, for the 95th percentile).

Accuracy (:func:`accuracy_from_los`, :func:`reference_site_accuracy`): the same H with
``W = diag(1/σ²_i)`` from :func:`gnss_interop.accuracy.budget.uere_variance_m2`,
``Q = inv(HᵀWH)`` [m²]; σ_E, σ_N, σ_U from its diagonal, H95 from the eigenvalues of the
east/north block with :func:`gnss_interop.accuracy.confidence.horizontal_95_factor`,
V95 = 1.96 σ_U, weighted PDOP = sqrt(tr Q_pos · mean(w)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from gnss_interop.coverage.configs import Configuration
from gnss_interop.variables import DOP_NAMES
from gnss_interop.coverage.geometry import look_angles
from gnss_interop.coverage.masks import ElevationMask
from gnss_interop.systems import System

__all__ = ["EpochDop", "accuracy_from_los", "dop_from_los", "reference_site_accuracy",
           "reference_site_series", "reference_statistics", "SINGULAR_COND"]

#: Condition number of HᵀH above which the reference calls the geometry singular.
SINGULAR_COND = 1e12


@dataclass(frozen=True)
class EpochDop:
    """DOP of one epoch; all DOPs are +inf when ``solution`` is False."""

    nsat: int
    unknowns: int
    solution: bool
    gdop: float
    pdop: float
    hdop: float
    vdop: float
    tdop: float

    def as_array(self) -> NDArray[np.float64]:
        return np.array([getattr(self, n) for n in DOP_NAMES])


def dop_from_los(los_enu: NDArray[np.float64], systems: Sequence[System],
                 config: Configuration) -> EpochDop:
    """DOP from unit lines of sight (ENU, receiver → satellite) of the visible satellites.

    ``systems[i]`` is the system of row ``i``; rows of systems outside the
    configuration are ignored.
    """
    los = np.asarray(los_enu, dtype=np.float64).reshape(-1, 3)
    keep = np.array([s in config.systems for s in systems], dtype=bool)
    los = los[keep] if los.size else los
    sys_kept = [s for s, k in zip(systems, keep) if k]
    n = len(sys_kept)
    active = [g for g in config.clock_groups if any(s in g for s in sys_kept)]
    unknowns = 3 + len(active)
    inf = float("inf")
    if n < unknowns:
        return EpochDop(n, unknowns, False, inf, inf, inf, inf, inf)
    h = np.zeros((n, unknowns))
    h[:, :3] = -los
    for j, group in enumerate(active):
        h[:, 3 + j] = [1.0 if s in group else 0.0 for s in sys_kept]
    normal = h.T @ h
    if not np.isfinite(np.linalg.cond(normal)) or np.linalg.cond(normal) > SINGULAR_COND:
        return EpochDop(n, unknowns, False, inf, inf, inf, inf, inf)
    q = np.linalg.inv(normal)
    pdop = float(np.sqrt(q[0, 0] + q[1, 1] + q[2, 2]))
    hdop = float(np.sqrt(q[0, 0] + q[1, 1]))
    vdop = float(np.sqrt(q[2, 2]))
    tdop = float(np.sqrt(q[3, 3]))
    gdop = float(np.sqrt(pdop**2 + tdop**2))
    return EpochDop(n, unknowns, True, gdop, pdop, hdop, vdop, tdop)


def accuracy_from_los(los_enu: NDArray[np.float64], systems: Sequence[System],
                      config: Configuration, sigma2_m2: NDArray[np.float64]) -> NDArray[np.float64]:
    """H95, V95, σ_E, σ_N, σ_U [m] and weighted PDOP of one epoch (+inf without solution),
    in :data:`~gnss_interop.variables.ACCURACY_NAMES` order.

    ``sigma2_m2[i]`` is σ²_URE of row ``i``; rows of systems outside ``config`` are ignored.
    """
    from gnss_interop.accuracy.confidence import V95_FACTOR, horizontal_95_factor

    los = np.asarray(los_enu, dtype=np.float64).reshape(-1, 3)
    keep = np.array([s in config.systems for s in systems], dtype=bool)
    geo = dop_from_los(los, systems, config)
    if not geo.solution:
        return np.full(6, np.inf)
    los = los[keep]
    sig2 = np.asarray(sigma2_m2, float)[keep]
    sys_kept = [s for s, k in zip(systems, keep) if k]
    active = [g for g in config.clock_groups if any(s in g for s in sys_kept)]
    h = np.zeros((len(sys_kept), 3 + len(active)))
    h[:, :3] = -los
    for j, group in enumerate(active):
        h[:, 3 + j] = [1.0 if s in group else 0.0 for s in sys_kept]
    w = 1.0 / sig2
    q = np.linalg.inv(h.T @ (w[:, None] * h))
    lam = np.linalg.eigvalsh(q[:2, :2])
    l1, l2 = float(lam[1]), max(float(lam[0]), 0.0)
    h95 = float(horizontal_95_factor(np.sqrt(l2 / l1))) * np.sqrt(l1)
    return np.array([h95, V95_FACTOR * np.sqrt(q[2, 2]), np.sqrt(q[0, 0]), np.sqrt(q[1, 1]),
                     np.sqrt(q[2, 2]), np.sqrt((q[0, 0] + q[1, 1] + q[2, 2]) * np.mean(w))])


def reference_site_accuracy(
    positions: xr.DataArray, lat_deg: float, lon_deg: float, height_m: float,
    mask: ElevationMask, configs: Sequence[Configuration], profile, usage,
) -> dict[str, NDArray[np.float64]]:
    """Per-epoch accuracy (time, 6) at one point for each configuration (the reference of
    the weighted kernel); ``usage`` is :func:`gnss_interop.coverage.engine.satellite_usage`."""
    from gnss_interop.accuracy.budget import (
        iono_vertical_variance_m2,
        system_budget,
        uere_variance_m2,
    )
    from gnss_interop.coverage.geometry import ecef_to_enu

    pos = np.asarray(positions.transpose("time", "sv", "xyz").values, dtype=np.float64)
    systems = [System.from_letter(str(sv)[0]) for sv in positions["sv"].values]
    az, el, rng = look_angles(pos, lat_deg, lon_deg, height_m)
    enu = ecef_to_enu(pos, lat_deg, lon_deg, height_m)
    tau2 = float(iono_vertical_variance_m2(lat_deg, lon_deg))
    budgets = {s: system_budget(profile, s) for s in set(systems)}
    out = {}
    for cfg in configs:
        acc = np.empty((pos.shape[0], 6))
        for t in range(pos.shape[0]):
            finite = np.all(np.isfinite(pos[t]), axis=-1)
            vis = np.zeros(pos.shape[1], dtype=bool)
            vis[finite] = el[t, finite] > mask.effective_deg(az[t, finite])
            vis &= np.array([s in cfg.systems for s in systems]) & usage.usable
            idx = np.flatnonzero(vis)
            los = enu[t, idx] / rng[t, idx, None]
            sig2 = np.array([uere_variance_m2(los[k, 2], usage.sis_var[i],
                                              budgets[systems[i]].coef,
                                              budgets[systems[i]].iono_scale * tau2)
                             for k, i in enumerate(idx)])
            acc[t] = accuracy_from_los(los, [systems[i] for i in idx], cfg, sig2)
        out[cfg.name] = acc
    return out


def reference_site_series(
    positions: xr.DataArray, lat_deg: float, lon_deg: float, height_m: float,
    mask: ElevationMask, configs: Sequence[Configuration],
    usable: NDArray[np.bool_] | None = None,
) -> dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """Per-epoch visible count and DOPs at one point, for each configuration.

    Returns ``{config.name: (nsat[time], dops[time, 5])}`` with DOPs in
    :data:`~gnss_interop.variables.DOP_NAMES` order (+inf without solution).
    """
    pos = np.asarray(positions.transpose("time", "sv", "xyz").values, dtype=np.float64)
    systems = [System.from_letter(str(sv)[0]) for sv in positions["sv"].values]
    az, el, rng = look_angles(pos, lat_deg, lon_deg, height_m)
    from gnss_interop.coverage.geometry import ecef_to_enu
    enu = ecef_to_enu(pos, lat_deg, lon_deg, height_m)
    out = {}
    for cfg in configs:
        nsat = np.zeros(pos.shape[0], dtype=np.int64)
        dops = np.empty((pos.shape[0], len(DOP_NAMES)))
        for t in range(pos.shape[0]):
            finite = np.all(np.isfinite(pos[t]), axis=-1)
            vis = np.zeros(pos.shape[1], dtype=bool)
            vis[finite] = el[t, finite] > mask.effective_deg(az[t, finite])
            vis &= np.array([s in cfg.systems for s in systems])
            if usable is not None:
                vis &= usable
            idx = np.flatnonzero(vis)
            los = enu[t, idx] / rng[t, idx, None]
            r = dop_from_los(los, [systems[i] for i in idx], cfg)
            nsat[t] = r.nsat
            dops[t] = r.as_array()
        out[cfg.name] = (nsat, dops)
    return out


def reference_statistics(nsat: NDArray[np.int64], dops: NDArray[np.float64],
                         pdop_max: float) -> dict[str, float]:
    """Exact statistics over epochs of one point and configuration.

    ``dops`` is (time, 5) with +inf where there is no solution.
    """
    solved = np.isfinite(dops[:, 1])
    out: dict[str, float] = {
        "nsat_mean": float(np.mean(nsat)),
        "nsat_min": float(np.min(nsat)),
        "nsat_max": float(np.max(nsat)),
        "solution_fraction": float(np.mean(solved)),
        "availability": float(np.mean(solved & (dops[:, 1] <= pdop_max))),
    }
    for j, name in enumerate(DOP_NAMES):
        v = dops[:, j]
        out[f"{name}_mean"] = float(np.mean(v[solved])) if solved.any() else float("nan")
        out[f"{name}_p95"] = float(np.percentile(v, 95, method="inverted_cdf"))
        out[f"{name}_max"] = float(np.max(v))
    return out
