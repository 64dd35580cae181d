"""User range error (UERE) budget per satellite and line of sight.

σ²_URE = σ²_SIS + σ²_tropo(el) + a²·(σ²_noise + σ²_mp(el)) + s_ion·τ²_v(φ_m)·F²(el), with

* **σ_SIS**: signal-in-space error (orbit + clock) of the satellite's generation
  (:class:`~gnss_interop.systems.Generation`, defaults in :mod:`gnss_interop.constants`
  with their published sources; overridable per profile, ``sisre_m``);
* **σ_tropo** = 0.12 m · 1.001/sqrt(0.002001 + sin²el): residual after a standard
  troposphere model (RTCA DO-229 Appendix A.4.2.4);
* **σ_noise**: code noise of one signal (profile ``noise_m``, default the DO-229 J.2.4
  AAD-B bound 0.15 m); **σ_mp** = 0.13 + 0.53·exp(−el/10°) m (DO-229 J.2.4 multipath),
  times the profile's ``multipath_scale``;
* **a**: 1 for one signal, sqrt(γ² + 1)/(γ − 1) (γ = (f₁/f₂)²) for the ionosphere-free pair
  (uncorrelated, equal errors on both signals; :meth:`Tracking.noise_amplification`);
* **ionosphere**, single frequency only (the ionosphere-free pair removes the first-order
  delay; higher orders, < 2 cm, are neglected): vertical residual τ_v of the broadcast model
  by geomagnetic latitude (9 / 4.5 / 6 m, DO-229 J.2.3, for L1), s_ion = (f_L1/f)⁴ to scale
  the variance to the tracked frequency, F the obliquity factor (DO-229 A.4.4.10.4). The
  geomagnetic latitude is the Klobuchar model's (IS-GPS-200 §20.3.3.5.2.5) taken at the
  receiver, not at the pierce point (a few degrees difference, inside one band of τ_v
  almost everywhere). GLONASS broadcasts no ionosphere model: a multi-GNSS receiver applies
  the GPS/BDS one, which is what this assumes.

In the grid kernel the elevation terms σ²_tropo + a²(σ²_noise + σ²_mp) of each system are
tabulated at :data:`N_TAB` nodes of sin(el) over [0, 1] and interpolated linearly
(:func:`elevation_variance_m2`; the error against the formulas is below 1e-5 relative,
tested); F² is evaluated exactly. The plain reference implementation uses the same
functions, so the kernel is tested against it to 1e-9 independently of the tabulation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np
from numpy.typing import ArrayLike, NDArray

from gnss_interop.constants import (
    F_L1_HZ,
    IONO_SHELL_HEIGHT_KM,
    IONO_SHELL_RE_KM,
    IONO_VERTICAL_SIGMA_M,
    KLOBUCHAR_POLE_AMPLITUDE_SC,
    KLOBUCHAR_POLE_LON_SC,
    MULTIPATH_A_M,
    MULTIPATH_B_M,
    MULTIPATH_EL_SCALE_DEG,
    TROPO_MAP_A,
    TROPO_MAP_B,
    TROPO_ZENITH_SIGMA_M,
)
from gnss_interop.systems import System

__all__ = ["N_TAB", "OBLIQUITY_K2", "SystemBudget", "elevation_variance_m2",
           "iono_vertical_variance_m2", "satellite_variances", "system_budget", "uere_terms_m",
           "uere_variance_m2"]

#: Nodes of the sin(el) table of the elevation terms.
N_TAB = 2049
#: (R_e / (R_e + h_I))² of the obliquity factor F² = 1 / (1 − k²·cos²el).
OBLIQUITY_K2 = (IONO_SHELL_RE_KM / (IONO_SHELL_RE_KM + IONO_SHELL_HEIGHT_KM)) ** 2


def uere_terms_m(elevation_deg: ArrayLike, *, sisre_m: float, noise_m: float,
                 amplification: float, multipath_scale: float = 1.0,
                 iono_vertical_m: ArrayLike = 0.0, iono_scale: float = 0.0
                 ) -> dict[str, NDArray[np.float64]]:
    """Every term of the budget (1σ, metres) at ``elevation_deg``, from the formulas.

    ``iono_scale`` is the variance factor (f_L1/f)⁴ (0 for the ionosphere-free pair).
    """
    el = np.asarray(elevation_deg, dtype=float)
    s = np.sin(np.radians(el))
    tropo = TROPO_ZENITH_SIGMA_M * TROPO_MAP_A / np.sqrt(TROPO_MAP_B + s * s)
    mp = multipath_scale * (MULTIPATH_A_M + MULTIPATH_B_M
                            * np.exp(-np.maximum(el, 0.0) / MULTIPATH_EL_SCALE_DEG))
    rx = amplification * np.sqrt(noise_m ** 2 + mp ** 2)
    f2 = 1.0 / (1.0 - OBLIQUITY_K2 * (1.0 - s * s))
    iono = np.sqrt(iono_scale * np.asarray(iono_vertical_m, float) ** 2 * f2)
    sis = np.full_like(s, sisre_m)
    total = np.sqrt(sis ** 2 + tropo ** 2 + rx ** 2 + iono ** 2)
    return {"sis": sis, "troposphere": tropo, "receiver": rx, "ionosphere": iono,
            "total": total}


def _elevation_table(noise_m: float, amplification: float, multipath_scale: float
                     ) -> NDArray[np.float64]:
    s = np.linspace(0.0, 1.0, N_TAB)
    el = np.degrees(np.arcsin(s))
    t = uere_terms_m(el, sisre_m=0.0, noise_m=noise_m, amplification=amplification,
                     multipath_scale=multipath_scale)
    return np.ascontiguousarray(t["troposphere"] ** 2 + t["receiver"] ** 2)


@nb.njit(cache=True, nogil=True, fastmath={"nsz", "arcp", "contract"})
def elevation_variance_m2(sin_el, table):
    """σ²_tropo + a²(σ²_noise + σ²_mp) [m²] at sin(el) from a system's table (linear)."""
    x = sin_el * (table.shape[0] - 1)
    x = min(max(x, 0.0), table.shape[0] - 1.000001)
    i = int(x)
    f = x - i
    return table[i] + (table[i + 1] - table[i]) * f


@nb.njit(cache=True, nogil=True, fastmath={"nsz", "arcp", "contract"})
def uere_variance_m2(sin_el, sis_var, table, iono_coef):
    """Total σ²_URE [m²] of one line of sight: ``sis_var`` = σ²_SIS, ``iono_coef`` =
    s_ion·τ²_v at the receiver (0 for the ionosphere-free pair)."""
    c2 = 1.0 - sin_el * sin_el
    return (sis_var + elevation_variance_m2(sin_el, table)
            + iono_coef / (1.0 - OBLIQUITY_K2 * c2))


def iono_vertical_variance_m2(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.float64]:
    """τ²_v [m², at L1] of the single-frequency ionosphere residual at receivers (DO-229 J.2.3
    bands of the Klobuchar geomagnetic latitude, IS-GPS-200 §20.3.3.5.2.5)."""
    lat = np.asarray(lat_deg, float)
    lon = np.asarray(lon_deg, float)
    phi_m = lat + 180.0 * KLOBUCHAR_POLE_AMPLITUDE_SC * np.cos(
        np.radians(lon) - math.pi * KLOBUCHAR_POLE_LON_SC)
    a = np.abs(phi_m)
    out = np.full(np.broadcast(lat, lon).shape, IONO_VERTICAL_SIGMA_M[-1][1])
    for edge, sigma in reversed(IONO_VERTICAL_SIGMA_M[:-1]):
        out = np.where(a <= edge, sigma, out)
    return out ** 2


@dataclass(frozen=True)
class SystemBudget:
    """The budget of one system under one profile, as the kernel uses it."""

    system: System
    table: NDArray[np.float64]      # (N_TAB,) elevation terms [m²] at sin(el) nodes
    iono_scale: float               # (f_L1/f)⁴, 0 for the ionosphere-free pair
    amplification: float
    signals: tuple[str, ...]


def system_budget(profile, system: System) -> SystemBudget:
    """The :class:`SystemBudget` of ``system`` under ``profile``."""
    tr = profile.tracks(system)
    amp = tr.noise_amplification()
    if tr.dual_frequency:
        iono = 0.0
    else:
        iono = (F_L1_HZ / tr.frequencies_hz()[0]) ** 4
    return SystemBudget(system, _elevation_table(profile.noise_m, amp, profile.multipath_scale),
                        iono, amp, tr.signals)


def satellite_variances(svs: Sequence[str], catalogue, profile
                        ) -> tuple[NDArray[np.float64], NDArray[np.bool_], Mapping[str, str]]:
    """σ²_SIS [m²] of each satellite, whether the profile can use it, and why not.

    Returns ``(sis_var, usable, excluded)`` with ``excluded`` = {sv: reason}.
    """
    var = np.zeros(len(svs))
    usable = np.zeros(len(svs), bool)
    excluded: dict[str, str] = {}
    for i, sv in enumerate(svs):
        info = catalogue.get(sv)
        if info is None:
            excluded[sv] = "not in the catalogue (system without a registry entry)"
            continue
        var[i] = profile.sisre_of(info.generation) ** 2
        if profile.usable(info):
            usable[i] = True
        else:
            need = "+".join(profile.tracks(info.system).signals)
            excluded[sv] = f"{info.generation.name} does not broadcast {need}"
    return var, usable, excluded
