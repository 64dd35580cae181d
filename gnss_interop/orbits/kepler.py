"""Keplerian broadcast orbits: BeiDou D1/D2 and CNAV, GPS LNAV, Galileo I/NAV and F/NAV.

Implements BDS-SIS-ICD-B1I 3.0 §5.2.4.12 (Table 5-12) for MEO/IGSO and the
GEO variant, BDS-SIS-ICD-B1C 1.0 §7.8 (Table 7-8) for the CNAV terms Ȧ and
Δṅ₀, IS-GPS-200 §20.3.3.4.3 (Table 20-IV) and Galileo OS SIS ICD 2.0 §5.1.1
(Table 58), which are the same algorithm with each system's GM and Earth
rotation rate. Vectorised over any number of (record, epoch) pairs.

Frame: the result is Earth-fixed, in the frame of the broadcast elements
(CGCS2000, WGS 84, GTRF). Time: ``t_k`` is the time from toe in seconds; both
come from GPST seconds (a constant offset such as BDT = GPST − 14 s cancels
in the difference).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dataclasses import dataclass

from gnss_interop.constants import BDS_GEO_TILT_RAD
from gnss_interop.systems.enums import OrbitClass

__all__ = ["KEPLER_FIELDS", "KeplerOrbitModel", "finite_or_nan", "kepler_positions"]

#: Newton iterations on Kepler's equation, started at E = M. Convergence is quadratic;
#: for e <= 0.2 (Galileo E14/E18 in their eccentric orbit have e = 0.16, every other
#: broadcast orbit e < 0.03) five steps reach double precision, six leave a margin.
_KEPLER_ITERATIONS = 6

#: Broadcast elements the model reads (``a_dot``, ``delta_n_dot``: BDS-3 CNAV only).
KEPLER_FIELDS: tuple[str, ...] = (
    "sqrt_a", "e", "i0", "omega0", "omega", "m0", "delta_n", "omega_dot", "idot",
    "cuc", "cus", "cic", "cis", "crc", "crs", "toe", "a_dot", "delta_n_dot")


def kepler_positions(
    el: dict[str, NDArray[np.float64]],
    t_k_s: NDArray[np.float64],
    is_geo: NDArray[np.bool_],
    gm_m3_s2: float,
    omega_e_rad_s: float,
) -> NDArray[np.float64]:
    """Satellite positions from broadcast Keplerian elements.

    Parameters
    ----------
    el
        Element arrays, one value per pair: ``sqrt_a`` [m^½], ``e``, ``i0``,
        ``omega0``, ``omega``, ``m0`` [rad], ``delta_n``, ``omega_dot``,
        ``idot`` [rad/s], ``cuc``, ``cus``, ``cic``, ``cis`` [rad], ``crc``,
        ``crs`` [m], ``toe`` [s of week]; optional ``a_dot`` [m/s] and
        ``delta_n_dot`` [rad/s²] (CNAV; zero or absent for D1/D2).
    t_k_s
        Time from toe [s], i.e. t − toe in one continuous scale.
    is_geo
        True where the BeiDou GEO transformation applies.
    gm_m3_s2, omega_e_rad_s
        The system's gravitational parameter and Earth rotation rate.

    Returns
    -------
    ndarray, shape (n, 3)
        Earth-fixed position [m].
    """
    tk = np.asarray(t_k_s, dtype=np.float64)
    a0 = el["sqrt_a"] ** 2
    a_dot = el.get("a_dot")
    dn_dot = el.get("delta_n_dot")
    a = a0 if a_dot is None else a0 + np.nan_to_num(a_dot) * tk
    n0 = np.sqrt(gm_m3_s2 / a0**3)
    n = n0 + el["delta_n"]
    if dn_dot is not None:
        n = n + 0.5 * np.nan_to_num(dn_dot) * tk
    mk = el["m0"] + n * tk
    e = el["e"]
    ek = mk.copy()
    for _ in range(_KEPLER_ITERATIONS):
        ek = ek - (ek - e * np.sin(ek) - mk) / (1.0 - e * np.cos(ek))
    sin_e, cos_e = np.sin(ek), np.cos(ek)
    vk = np.arctan2(np.sqrt(1.0 - e * e) * sin_e, cos_e - e)
    phik = vk + el["omega"]
    s2, c2 = np.sin(2.0 * phik), np.cos(2.0 * phik)
    uk = phik + el["cus"] * s2 + el["cuc"] * c2
    rk = a * (1.0 - e * cos_e) + el["crs"] * s2 + el["crc"] * c2
    ik = el["i0"] + el["idot"] * tk + el["cis"] * s2 + el["cic"] * c2
    xk = rk * np.cos(uk)
    yk = rk * np.sin(uk)
    toe = el["toe"]
    geo = np.asarray(is_geo, dtype=bool)
    # MEO/IGSO: Ω_k = Ω0 + (Ω̇ − Ω̇e)·t_k − Ω̇e·toe
    # GEO:      Ω_k = Ω0 + Ω̇·t_k − Ω̇e·toe, then rotate (ICD Table 5-12)
    omega_k = el["omega0"] + el["omega_dot"] * tk - omega_e_rad_s * toe
    omega_k = np.where(geo, omega_k, omega_k - omega_e_rad_s * tk)
    cos_o, sin_o, cos_i, sin_i = np.cos(omega_k), np.sin(omega_k), np.cos(ik), np.sin(ik)
    x = xk * cos_o - yk * cos_i * sin_o
    y = xk * sin_o + yk * cos_i * cos_o
    z = yk * sin_i
    if np.any(geo):
        # r = R_Z(Ω̇e·t_k) · R_X(−5°) · [x, y, z]ᵀ, with R_X(φ) = [[1,0,0],[0,cφ,sφ],[0,−sφ,cφ]]
        # and R_Z(φ) = [[cφ,sφ,0],[−sφ,cφ,0],[0,0,1]] (the ICD's rotation-matrix convention).
        cx, sx = np.cos(BDS_GEO_TILT_RAD), np.sin(BDS_GEO_TILT_RAD)
        yg = cx * y + sx * z
        zg = -sx * y + cx * z
        phi = omega_e_rad_s * tk
        cz, sz = np.cos(phi), np.sin(phi)
        xg = cz * x + sz * yg
        yg2 = -sz * x + cz * yg
        x = np.where(geo, xg, x)
        y = np.where(geo, yg2, y)
        z = np.where(geo, zg, z)
    return np.stack([x, y, z], axis=-1)


@dataclass(frozen=True)
class KeplerOrbitModel:
    """Broadcast Keplerian orbits of one system: its GM and Earth rotation rate.

    ``positions(elements, dt_s, orbit_class)`` takes element arrays (one value per
    (record, epoch) pair, the fields :data:`KEPLER_FIELDS`), ``dt_s`` = t − toe [s]
    and the :class:`~gnss_interop.systems.OrbitClass` code of each record (GEO takes
    the BeiDou GEO rotation); it returns Earth-fixed positions [m], shape (n, 3).
    """

    gm_m3_s2: float
    omega_e_rad_s: float
    fields: tuple[str, ...] = KEPLER_FIELDS

    def positions(self, elements: dict[str, NDArray[np.float64]], dt_s: NDArray[np.float64],
                  orbit_class: NDArray[np.float64]) -> NDArray[np.float64]:
        """Positions [m], shape (n, 3); NaN (never inf, never a numpy warning) where the
        elements give no finite position: the RINEX reader's range checks keep such
        elements out of files, this keeps them out of hand-built element sets too."""
        is_geo = np.asarray(orbit_class) == OrbitClass.GEO
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            pos = kepler_positions(elements, dt_s, is_geo, self.gm_m3_s2, self.omega_e_rad_s)
        return finite_or_nan(pos)


def finite_or_nan(pos: NDArray[np.float64]) -> NDArray[np.float64]:
    """``pos`` (n, 3) with every row that is not wholly finite set to NaN."""
    bad = ~np.isfinite(pos).all(axis=-1)
    if np.any(bad):
        pos = pos.copy()
        pos[bad] = np.nan
    return pos
