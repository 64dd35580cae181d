"""GLONASS broadcast orbits: 4th-order Runge–Kutta integration in PZ-90.11.

GLONASS ICD L1/L2 ed. 5.1 (2008), Appendix A.3.1.2: the broadcast state
vector at t_b (position, velocity, and the lunisolar acceleration taken as
constant) is integrated in the Earth-fixed PZ-90 frame with central gravity,
the J2 term, the centrifugal and Coriolis accelerations and the broadcast
acceleration, "using 4th-order Runge–Kutta", over at most ±15 min.

Vectorised: all (record, epoch) pairs are integrated together with the same
number of steps, each pair with its own step ``(t − t_b)/N``, where N makes the
largest step ≤ :data:`~gnss_interop.constants.GLO_RK4_MAX_STEP_S`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gnss_interop.constants import GLO_AE_M, GLO_GM_M3_S2, GLO_J2, GLO_OMEGA_E_RAD_S, GLO_RK4_MAX_STEP_S
from gnss_interop.orbits.kepler import finite_or_nan

__all__ = ["GLONASS_FIELDS", "GlonassOrbitModel", "propagate_glonass", "propagate_glonass_state"]

#: Broadcast fields kept per record: state vector, lunisolar acceleration, and the
#: frequency channel and clock terms (not needed to propagate, kept for users).
GLONASS_FIELDS: tuple[str, ...] = ("x", "y", "z", "vx", "vy", "vz", "ax", "ay", "az",
                                   "freq_num", "minus_tau_n", "gamma_n")


def _derivative(state: NDArray[np.float64], acc: NDArray[np.float64]) -> NDArray[np.float64]:
    """d/dt of (x, y, z, vx, vy, vz) in the rotating PZ-90 frame (ICD A.3.1.2)."""
    x, y, z, vx, vy, vz = state.T
    r2 = x * x + y * y + z * z
    r = np.sqrt(r2)
    mu_r3 = GLO_GM_M3_S2 / (r2 * r)
    # 3/2·J2·μ·ae²/r⁵
    j2_term = 1.5 * GLO_J2 * GLO_GM_M3_S2 * GLO_AE_M**2 / (r2 * r2 * r)
    z2_r2 = 5.0 * z * z / r2
    w2 = GLO_OMEGA_E_RAD_S**2
    c = -mu_r3 - j2_term * (1.0 - z2_r2)
    ax = (c + w2) * x + 2.0 * GLO_OMEGA_E_RAD_S * vy + acc[:, 0]
    ay = (c + w2) * y - 2.0 * GLO_OMEGA_E_RAD_S * vx + acc[:, 1]
    az = (c - 2.0 * j2_term) * z + acc[:, 2]
    return np.stack([vx, vy, vz, ax, ay, az], axis=-1)


def propagate_glonass(
    pos_m: NDArray[np.float64],
    vel_m_s: NDArray[np.float64],
    acc_m_s2: NDArray[np.float64],
    dt_s: NDArray[np.float64],
    max_step_s: float = GLO_RK4_MAX_STEP_S,
) -> NDArray[np.float64]:
    """Positions only: see :func:`propagate_glonass_state`."""
    return propagate_glonass_state(pos_m, vel_m_s, acc_m_s2, dt_s, max_step_s)[:, :3]


def propagate_glonass_state(
    pos_m: NDArray[np.float64],
    vel_m_s: NDArray[np.float64],
    acc_m_s2: NDArray[np.float64],
    dt_s: NDArray[np.float64],
    max_step_s: float = GLO_RK4_MAX_STEP_S,
) -> NDArray[np.float64]:
    """Propagate broadcast GLONASS state vectors by ``dt_s`` seconds.

    Parameters
    ----------
    pos_m, vel_m_s, acc_m_s2
        Broadcast state at t_b in PZ-90.11, shape (n, 3): position [m],
        velocity [m/s], lunisolar acceleration [m/s²].
    dt_s
        t − t_b [s], shape (n,). The ICD validity is |dt| ≤ 900 s; this
        function integrates whatever it is given: callers enforce the window.
    max_step_s
        Largest integration step [s].

    Returns
    -------
    ndarray, shape (n, 6)
        Position [m] and velocity [m/s] at t_b + dt, PZ-90.11 (Earth-fixed).
    """
    dt = np.asarray(dt_s, dtype=np.float64)
    state = np.concatenate([np.asarray(pos_m, float), np.asarray(vel_m_s, float)], axis=-1)
    if dt.size == 0:
        return state
    acc = np.asarray(acc_m_s2, dtype=np.float64)
    n_steps = max(1, math.ceil(float(np.max(np.abs(dt))) / max_step_s - 1e-9))
    h = (dt / n_steps)[:, None]
    for _ in range(n_steps):
        k1 = _derivative(state, acc)
        k2 = _derivative(state + 0.5 * h * k1, acc)
        k3 = _derivative(state + 0.5 * h * k2, acc)
        k4 = _derivative(state + h * k3, acc)
        state = state + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return state


@dataclass(frozen=True)
class GlonassOrbitModel:
    """GLONASS broadcast state vectors integrated by RK4 in PZ-90.11 (constants of the ICD).

    ``positions(elements, dt_s, orbit_class)`` takes the state-vector arrays (fields
    :data:`GLONASS_FIELDS`, metres) and ``dt_s`` = t − t_b [s]; ``orbit_class`` is
    ignored. Returns Earth-fixed positions [m], shape (n, 3). ``gm_m3_s2`` and
    ``omega_e_rad_s`` are the PZ-90.11 constants the integration uses (also read by the
    record cross-check, :mod:`~gnss_interop.ephemerides.consistency`).
    """

    max_step_s: float = GLO_RK4_MAX_STEP_S
    gm_m3_s2: float = GLO_GM_M3_S2
    omega_e_rad_s: float = GLO_OMEGA_E_RAD_S
    fields: tuple[str, ...] = GLONASS_FIELDS

    def positions(self, elements: dict[str, NDArray[np.float64]], dt_s: NDArray[np.float64],
                  orbit_class: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
        """Positions [m], shape (n, 3); NaN (never inf, never a numpy warning) where the
        state vector gives no finite position (see :meth:`KeplerOrbitModel.positions`)."""
        e = elements
        pos = np.stack([e["x"], e["y"], e["z"]], axis=-1)
        vel = np.stack([e["vx"], e["vy"], e["vz"]], axis=-1)
        acc = np.stack([e["ax"], e["ay"], e["az"]], axis=-1)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = propagate_glonass(pos, vel, acc, dt_s, self.max_step_s)
        return finite_or_nan(out)
