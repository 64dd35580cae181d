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

In the grid kernel every term is evaluated per line of sight from sin(el) alone, in a form
LLVM vectorises over the points of a row (no table look-up, which it would not vectorise,
and which then kept the whole geometry loop scalar): el = π/2 − sqrt(1 − s)·Q(s) with Q a
degree-11 polynomial fit of arccos(s)/sqrt(1 − s) on [0, 1] (error < 1e-10 rad),
exp(−y) = E(y/8)⁸ with E a degree-12 fit of exp(−z) on [0, 1.125] (relative error < 1e-13),
and the three rational terms over one common denominator, so a line of sight costs one
square root and one division (:func:`uere_weight`). The fits are made at import from the
formulas (Chebyshev nodes), not copied constants; :func:`uere_variance_m2` is tested
against :func:`uere_terms_m` to 1e-9. The plain reference implementation uses the same
scalar functions, so the kernel is tested against it to 1e-9 as well. Negative elevations
(a mask below the horizon) take the horizon's values.
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

__all__ = ["OBLIQUITY_K2", "SystemBudget", "elevation_from_sin_deg", "iono_vertical_variance_m2",
           "satellite_variances", "system_budget", "uere_terms_m", "uere_variance_m2",
           "uere_weight"]

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


def _horner_fit(f, lo: float, hi: float, degree: int) -> tuple[float, ...]:
    """Power coefficients (highest first) in t = 2(x − lo)/(hi − lo) − 1 of the least-squares
    Chebyshev fit of ``f`` on [lo, hi] at 512 Chebyshev nodes (for :func:`_horner`)."""
    x = np.cos(np.pi * (np.arange(512) + 0.5) / 512)
    c = np.polynomial.chebyshev.chebfit(x, f(lo + (x + 1.0) * 0.5 * (hi - lo)), degree)
    return tuple(float(v) for v in np.polynomial.chebyshev.cheb2poly(c)[::-1])


#: arccos(s)/sqrt(1 − s) on [0, 1] (analytic there; → √2 at s = 1).
_ACOS_Q = _horner_fit(lambda x: np.arccos(x) / np.sqrt(1.0 - x), 0.0, 1.0, 11)
#: exp(−z) on [0, 1.125]: exp(−y) = E(y/8)⁸ for y ∈ [0, 9] (the multipath exponent
#: el/10° at el ≤ 90°).
_EXP_Z_MAX = 1.125
_EXP_E = _horner_fit(lambda z: np.exp(-z), 0.0, _EXP_Z_MAX, 12)
_JIT = dict(cache=True, nogil=True, inline="always", fastmath={"nsz", "arcp", "contract"})


@nb.njit(**_JIT)
def _horner(coef, t):
    acc = 0.0
    for c in coef:
        acc = acc * t + c
    return acc


@nb.njit(**_JIT)
def elevation_from_sin_deg(sin_el):
    """Elevation [deg] from sin(el) ∈ [0, 1] (polynomial arcsin, < 1e-10 rad)."""
    q = _horner(_ACOS_Q, 2.0 * sin_el - 1.0)
    return (0.5 * math.pi - math.sqrt(1.0 - sin_el) * q) * (180.0 / math.pi)


@nb.njit(**_JIT)
def _exp_neg(y):
    """exp(−y) for y ∈ [0, 9] (relative error < 1e-13)."""
    e = _horner(_EXP_E, y * (0.25 / _EXP_Z_MAX) - 1.0)
    e = e * e
    e = e * e
    return e * e


@nb.njit(**_JIT)
def _los_terms(sin_el, c_noise, c_mp):
    """(receiver term a²(σ²_noise + σ²_mp) [m²], d_tropo, d_iono) of a line of sight:
    σ²_tropo = c_tropo/d_tropo, σ²_iono = ion/d_iono."""
    s = min(max(sin_el, 0.0), 1.0)
    el = elevation_from_sin_deg(s)
    mp = MULTIPATH_A_M + MULTIPATH_B_M * _exp_neg(el * (1.0 / MULTIPATH_EL_SCALE_DEG))
    s2 = s * s
    return (c_noise + c_mp * mp * mp, TROPO_MAP_B + s2,
            (1.0 - OBLIQUITY_K2) + OBLIQUITY_K2 * s2)


@nb.njit(**_JIT)
def uere_variance_m2(sin_el, sis_var, coef, iono_coef):
    """Total σ²_URE [m²] of one line of sight with sin(el) = ``sin_el``: ``sis_var`` = σ²_SIS,
    ``coef`` = the system's :attr:`SystemBudget.coef`, ``iono_coef`` = s_ion·τ²_v at the
    receiver [m²] (0 for the ionosphere-free pair)."""
    rx, d_t, d_i = _los_terms(sin_el, coef[0], coef[1])
    return sis_var + rx + coef[2] / d_t + iono_coef / d_i


@nb.njit(**_JIT)
def uere_weight(sin_el, sis_var, c_noise, c_mp, c_tropo, iono_coef):
    """1/σ²_URE [1/m²] as :func:`uere_variance_m2` with ``coef`` as three scalars, over one
    common denominator (one division: the form the grid kernel vectorises)."""
    rx, d_t, d_i = _los_terms(sin_el, c_noise, c_mp)
    dd = d_t * d_i
    return dd / ((sis_var + rx) * dd + c_tropo * d_i + iono_coef * d_t)


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
    #: (a²σ²_noise, a²·k_mp², (σ_z,tropo·1.001)²) [m²]: the receiver term is
    #: coef[0] + coef[1]·(σ_mp/k_mp)² and σ²_tropo = coef[2]/(0.002001 + sin²el)
    coef: NDArray[np.float64]
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
    coef = np.array([amp ** 2 * profile.noise_m ** 2, (amp * profile.multipath_scale) ** 2,
                     (TROPO_ZENITH_SIGMA_M * TROPO_MAP_A) ** 2])
    return SystemBudget(system, coef, iono, amp, tr.signals)


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
