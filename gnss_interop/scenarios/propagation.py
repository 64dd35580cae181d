"""Path loss from a jammer to a receiver over a smooth spherical Earth, against distance.

One concept: the basic transmission loss ``L(d)`` [dB] between isotropic antennas at heights
``h_tx`` and ``h_rx`` above a smooth Earth, at ground (great-circle) distance ``d``, for a
frequency ``f``; and the inverse, the largest distance at which the loss stays below a budget
(:func:`max_distance_km`), which is what a jammer footprint is. Everything is vectorised
numpy and broadcasts over distances, heights and frequencies.

The model
---------

    L(d) = max( L_fs(r) + A_d(d),  L_pe(d) )

* **Free space**, ITU-R P.525-4 §2.2: L_fs = 20·log10(4π·r·f/c) (= 32.45 + 20·log10 f[MHz]
  + 20·log10 r[km]), over the straight path r between the two antennas in the effective-Earth
  geometry (:func:`slant_range_km`; r ≈ d except near an aircraft overhead).
* **Smooth-Earth diffraction**, ITU-R P.526-16 §3.2 ("diffraction loss for any distance at
  10 MHz and above"), on an Earth of effective radius a_e = 8500 km (k = 4/3,
  :data:`~gnss_interop.constants.EFFECTIVE_EARTH_RADIUS_KM`): zero where the ray clears the
  Earth's bulge by 0.552 of the first Fresnel radius; within line of sight but with less
  clearance, the loss of the marginal-line-of-sight case scaled by the missing clearance; and
  beyond the radio horizon d_los = sqrt(2a_e)(√h_tx + √h_rx) the first term of the residue
  series (§3.1.1.2): A_d = −[F(X) + G(Y_tx) + G(Y_rx)], with the normalised distance X and
  heights Y, the distance term F and the height gains G limited below by 2 + 20·log10 K, K the
  surface admittance of average land (ε_r = 22, σ = 0.003 S/m, vertical polarisation;
  :data:`~gnss_interop.constants.GROUND_RELATIVE_PERMITTIVITY`). The equations were checked
  against the same method as ITU-R P.1812-4 §4.3.2–4.3.3 restates it (f in GHz there) and its
  Ofcom reference implementation (``dl_se``, ``dl_se_ft_inner`` of eeveetza/p1812).
* **Plane-earth (two-ray) loss** for low antennas within sight of each other: the direct ray
  and the ray reflected at grazing incidence (reflection coefficient −1) add to
  L_pe = 40·log10 d − 20·log10(h_tx·h_rx) (d, h in metres), the far-field asymptote of the
  two-ray model (e.g. Parsons, *The Mobile Radio Propagation Channel*, 2nd ed., §2.4;
  Rappaport, *Wireless Communications*, 2nd ed., §4.6). It exceeds free space beyond the
  crossover distance d_c = 4π·h_tx·h_rx/λ, where the two asymptotes meet.

The loss is the larger of the two ground effects, never their sum: free space plus the
bulge's diffraction, or the ground reflection's 40 dB/decade. Each term is continuous and
non-decreasing in distance, so ``L`` is too (tests check it on dense grids, at the crossover
and at the horizon), which makes the footprint radius a well-posed root
(:func:`max_distance_km`, bisection).

Why this model (the issue asked to weigh P.525, P.526, P.528 and P.1546):

* **P.525** alone (the model before this module) knows no ground: on the ground, with a
  10 m jammer and a 1.5 m receiver, free space gives 27/86/271 km for 1/10/100 W on B1I, far
  past the 18 km horizon, so a horizon cap decided every case and power did not matter.
* **P.526** is the ITU-R method for the smooth Earth, at any distance, any frequency above
  10 MHz and any antenna height; it is deterministic, closed-form and needs no tables. It is
  the diffraction core of P.452, P.1812 and P.2001. Alone it underestimates the loss of two
  low antennas inside the horizon (it models the bulge, not the ground reflection), hence the
  plane-earth term.
* **P.528-5** (aeronautical, 100 MHz–30 GHz, lower terminal 1.5–20 000 m) is the natural
  reference for air–ground paths, but it is a set of curves, or the NTIA step-by-step method
  (ray tracing through an exponential atmosphere, Vogler smooth-Earth diffraction,
  troposcatter, time variability) that is large to reimplement and to verify here. Its
  line-of-sight region is the same two-ray/free-space physics and its diffraction region the
  same smooth Earth; this module keeps to the closed-form pieces and states the difference
  (no time variability, no troposcatter, 4/3-Earth instead of ray tracing).
* **P.1546** (land mobile, 30 MHz–4 GHz) is an empirical field-strength method for 1–1000 km
  and transmitting antennas of 10 m and more, with receivers at the height of the
  surrounding clutter (10 m over open land): a 1.5 m receiver, a 2 m jammer or a range under
  1 km are outside it, and so is an aircraft. Not used.

Left out (a smooth-Earth model says so): terrain and clutter (buildings, trees; no DEM yet),
atmospheric gases (ITU-R P.676: well under 0.01 dB/km at 1.2–1.6 GHz), troposcatter and
ducting (far below the diffraction field at the losses a jammer footprint ends at), antenna
patterns (isotropic; EIRP and receiver gain are the jammer's parameters), and fading: the
result is a median-like envelope, not a worst case. At 1.5 m the receiver is taken over open
ground; a body, a car roof or a building cost tens of dB more or less.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gnss_interop.constants import (
    C_LIGHT_M_S,
    EFFECTIVE_EARTH_RADIUS_KM,
    GROUND_CONDUCTIVITY_S_M,
    GROUND_RELATIVE_PERMITTIVITY,
)
from gnss_interop.errors import PropagationError

__all__ = [
    "free_space_loss_db",
    "max_distance_km",
    "path_loss_db",
    "plane_earth_loss_db",
    "radio_horizon_km",
    "slant_range_km",
    "smooth_earth_diffraction_db",
    "smooth_earth_first_term_db",
    "two_ray_crossover_km",
]

Polarization = Literal["vertical", "horizontal"]

#: Largest ground distance :func:`max_distance_km` searches [km] (a quarter of the Earth's
#: circumference; every footprint of a terrestrial jammer ends far below it).
_MAX_SEARCH_KM = 10_000.0
#: Bisection steps of :func:`max_distance_km`: the bracket shrinks by 2^-60, far below a metre.
_BISECTION_STEPS = 60


def _g_low(b: float) -> float:
    return 20.0 * math.log10(b + 0.1 * b ** 3)


def _g_high(b: float) -> float:
    return 17.6 * math.sqrt(b - 1.1) - 5.0 * math.log10(b - 1.1) - 8.0


#: The two branches of P.526's height gain G meet 0.017 dB apart at B = 2 (8.943 dB below,
#: 8.926 dB above). Inside the line of sight B falls with distance (the sphere a_em grows),
#: so that step would make the loss *fall* by up to 0.017 dB at one distance; the upper
#: branch is raised by the difference so that G, and the loss, stay continuous and monotone.
#: A change of 0.017 dB, far below the method's accuracy.
_G_BRANCH_OFFSET_DB = _g_low(2.0) - _g_high(2.0)


def _positive(name: str, value: NDArray[np.float64]) -> None:
    if not np.all(np.isfinite(value)) or np.any(value <= 0):
        raise PropagationError(f"{name} must be finite and > 0, got {value!r}")


def _heights(h_tx_m: ArrayLike, h_rx_m: ArrayLike) -> tuple[NDArray, NDArray]:
    h1 = np.asarray(h_tx_m, dtype=np.float64)
    h2 = np.asarray(h_rx_m, dtype=np.float64)
    _positive("antenna height [m]", h1)
    _positive("antenna height [m]", h2)
    return h1, h2


def _distance(distance_km: ArrayLike) -> NDArray[np.float64]:
    d = np.asarray(distance_km, dtype=np.float64)
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise PropagationError(f"distance [km] must be finite and >= 0, got {d!r}")
    return d


def _frequency(freq_hz: ArrayLike) -> NDArray[np.float64]:
    f = np.asarray(freq_hz, dtype=np.float64)
    _positive("frequency [Hz]", f)
    return f


# ----------------------------------------------------------------------------- geometry
def radio_horizon_km(h_tx_m: ArrayLike, h_rx_m: ArrayLike, *,
                     a_e_km: float = EFFECTIVE_EARTH_RADIUS_KM) -> NDArray[np.float64]:
    """Marginal line-of-sight distance [km] over a smooth Earth of effective radius ``a_e_km``:
    sqrt(2·a_e)·(√h_tx + √h_rx), heights in metres (ITU-R P.526-16 §3.2; with a_e = 8500 km,
    4.12·(√h_tx + √h_rx)). Negative heights count as 0."""
    h1 = np.maximum(np.asarray(h_tx_m, dtype=np.float64), 0.0)
    h2 = np.maximum(np.asarray(h_rx_m, dtype=np.float64), 0.0)
    return np.sqrt(2.0 * a_e_km) * (np.sqrt(h1 / 1000.0) + np.sqrt(h2 / 1000.0))


def slant_range_km(distance_km: ArrayLike, h_tx_m: ArrayLike, h_rx_m: ArrayLike, *,
                   a_e_km: float = EFFECTIVE_EARTH_RADIUS_KM) -> NDArray[np.float64]:
    """Straight-line distance [km] between antennas at heights ``h_tx_m``, ``h_rx_m`` [m]
    above an Earth of radius ``a_e_km``, ``distance_km`` apart along its surface (the ray of
    the 4/3-Earth geometry): sqrt((h1 − h2)² + 4(a+h1)(a+h2)·sin²(d/2a))."""
    d = _distance(distance_km)
    r1 = a_e_km + np.asarray(h_tx_m, dtype=np.float64) / 1000.0
    r2 = a_e_km + np.asarray(h_rx_m, dtype=np.float64) / 1000.0
    s = np.sin(d / (2.0 * a_e_km))
    return np.sqrt((r1 - r2) ** 2 + 4.0 * r1 * r2 * s * s)


def two_ray_crossover_km(h_tx_m: ArrayLike, h_rx_m: ArrayLike,
                         freq_hz: ArrayLike) -> NDArray[np.float64]:
    """Distance [km] where the plane-earth loss meets free space: 4π·h_tx·h_rx/λ.

    The two-ray field's last maximum lies at 4·h_tx·h_rx/λ (1/π of it); switching from free
    space to plane earth there would jump by 20·log10(π) = 9.9 dB, so the model switches
    where the two asymptotes meet."""
    h1, h2 = _heights(h_tx_m, h_rx_m)
    lam_m = C_LIGHT_M_S / _frequency(freq_hz)
    return 4.0 * math.pi * h1 * h2 / lam_m / 1000.0


# ------------------------------------------------------------------------- loss terms
def free_space_loss_db(range_km: ArrayLike, freq_hz: ArrayLike) -> NDArray[np.float64]:
    """Free-space basic transmission loss [dB] over ``range_km`` at ``freq_hz``
    (ITU-R P.525-4 §2.2): 20·log10(4π·r·f/c); e.g. 96.3 dB for 1 km at 1561.098 MHz.
    A zero range gives −inf (the receiver at the emitter)."""
    r_m = np.asarray(range_km, dtype=np.float64) * 1000.0
    f = _frequency(freq_hz)
    with np.errstate(divide="ignore"):
        return 20.0 * np.log10(4.0 * math.pi * r_m * f / C_LIGHT_M_S)


def plane_earth_loss_db(distance_km: ArrayLike, h_tx_m: ArrayLike,
                        h_rx_m: ArrayLike) -> NDArray[np.float64]:
    """Plane-earth (two-ray, grazing reflection) loss [dB]: 40·log10 d − 20·log10(h_tx·h_rx),
    d and heights in metres; independent of frequency. Meaningful beyond
    :func:`two_ray_crossover_km` (below it, it is less than free space)."""
    d_m = _distance(distance_km) * 1000.0
    h1, h2 = _heights(h_tx_m, h_rx_m)
    with np.errstate(divide="ignore"):
        return 40.0 * np.log10(d_m) - 20.0 * np.log10(h1 * h2)


def _surface_admittance(a_km: NDArray, f_mhz: NDArray, polarization: Polarization,
                        eps_r: float, sigma_s_m: float) -> NDArray[np.float64]:
    """Normalised surface admittance K (ITU-R P.526-16 §3.1.1.1):
    K_H = 0.36·(a·f)^(−1/3)·[(ε−1)² + (18000σ/f)²]^(−1/4), K_V = K_H·[ε² + (18000σ/f)²]^(1/2),
    a in km, f in MHz (18000σ/f = 60λσ)."""
    x = 18_000.0 * sigma_s_m / f_mhz
    k_h = 0.36 * (a_km * f_mhz) ** (-1.0 / 3.0) * ((eps_r - 1.0) ** 2 + x * x) ** -0.25
    if polarization == "horizontal":
        return k_h
    if polarization == "vertical":
        return k_h * np.sqrt(eps_r ** 2 + x * x)
    raise PropagationError(f"polarization must be 'vertical' or 'horizontal', got "
                           f"{polarization!r}")


def smooth_earth_first_term_db(distance_km: ArrayLike, h_tx_m: ArrayLike, h_rx_m: ArrayLike,
                               freq_hz: ArrayLike, a_km: ArrayLike, *,
                               polarization: Polarization = "vertical",
                               eps_r: float = GROUND_RELATIVE_PERMITTIVITY,
                               sigma_s_m: float = GROUND_CONDUCTIVITY_S_M
                               ) -> NDArray[np.float64]:
    """Diffraction loss [dB] over a sphere of radius ``a_km``, first term of the residue
    series (ITU-R P.526-16 §3.1.1.2); valid beyond the horizon (used inside
    it only through :func:`smooth_earth_diffraction_db`).

    X = 2.188·β·f^(1/3)·a^(−2/3)·d, Y = 9.575e-3·β·f^(2/3)·a^(−1/3)·h (f MHz, a and d km,
    h m); F(X) = 11 + 10·log10 X − 17.6·X for X ≥ 1.6, −20·log10 X − 5.6488·X^1.425 below;
    with B = β·Y, G(Y) = 17.6·(B − 1.1)^0.5 − 5·log10(B − 1.1) − 8 for B > 2 (raised by
    0.017 dB to meet the other branch, see ``_G_BRANCH_OFFSET_DB``), 20·log10(B + 0.1·B³)
    below, and G ≥ 2 + 20·log10 K; loss = −[F(X) + G(Y1) + G(Y2)].
    """
    d = _distance(distance_km)
    h1, h2 = _heights(h_tx_m, h_rx_m)
    f_mhz = _frequency(freq_hz) / 1e6
    a = np.asarray(a_km, dtype=np.float64)
    k = _surface_admittance(a, f_mhz, polarization, eps_r, sigma_s_m)
    k2 = k * k
    beta = (1.0 + 1.6 * k2 + 0.67 * k2 * k2) / (1.0 + 4.5 * k2 + 1.53 * k2 * k2)
    x = 2.188 * beta * f_mhz ** (1.0 / 3.0) * a ** (-2.0 / 3.0) * d
    y_scale = 9.575e-3 * beta * f_mhz ** (2.0 / 3.0) * a ** (-1.0 / 3.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_safe = np.maximum(x, 1e-300)
        f_x = np.where(x >= 1.6, 11.0 + 10.0 * np.log10(x_safe) - 17.6 * x,
                       -20.0 * np.log10(x_safe) - 5.6488 * x_safe ** 1.425)
        floor = 2.0 + 20.0 * np.log10(k)

        def g(h: NDArray) -> NDArray:
            b = beta * y_scale * h
            high = 17.6 * np.sqrt(np.maximum(b - 1.1, 1e-300)) \
                - 5.0 * np.log10(np.maximum(b - 1.1, 1e-300)) - 8.0 + _G_BRANCH_OFFSET_DB
            low = 20.0 * np.log10(b + 0.1 * b ** 3)
            return np.maximum(np.where(b > 2.0, high, low), floor)

        return -(f_x + g(h1) + g(h2))


def smooth_earth_diffraction_db(distance_km: ArrayLike, h_tx_m: ArrayLike, h_rx_m: ArrayLike,
                                freq_hz: ArrayLike, *,
                                a_e_km: float = EFFECTIVE_EARTH_RADIUS_KM,
                                polarization: Polarization = "vertical",
                                eps_r: float = GROUND_RELATIVE_PERMITTIVITY,
                                sigma_s_m: float = GROUND_CONDUCTIVITY_S_M
                                ) -> NDArray[np.float64]:
    """Diffraction loss [dB] over a smooth Earth at any distance, ITU-R P.526-16 §3.2.

    Beyond d_los = sqrt(2a_e)(√h1 + √h2): the first term (:func:`smooth_earth_first_term_db`)
    with a_e. Within it: the smallest clearance h between the ray and the curved Earth, at
    d1 = d(1 + b)/2 from the transmitter (c = (h1 − h2)/(h1 + h2), m = 250·d²/(a_e(h1 + h2)),
    b = 2·sqrt((m+1)/3m)·cos(π/3 + arccos(1.5·c·sqrt(3m/(m+1)³))/3)), against the clearance
    h_req = 0.552·sqrt(d1·d2·λ/d) needed for no loss; if h ≥ h_req, 0; otherwise the first
    term over the sphere a_em = 500·(d/(√h1 + √h2))² that puts the path at marginal line of
    sight, A_h, scaled to (1 − h/h_req)·A_h (and 0 if A_h < 0). Continuous at d_los (a_em =
    a_e there). Distances in km, heights in m.
    """
    d = _distance(distance_km)
    h1, h2 = _heights(h_tx_m, h_rx_m)
    f = _frequency(freq_hz)
    d, h1, h2, f = np.broadcast_arrays(d, h1, h2, f)
    kw = dict(polarization=polarization, eps_r=eps_r, sigma_s_m=sigma_s_m)
    d_los = radio_horizon_km(h1, h2, a_e_km=a_e_km)
    d_pos = np.maximum(d, 1e-9)                       # d = 0: full clearance, loss 0 below
    beyond = smooth_earth_first_term_db(d_pos, h1, h2, f, a_e_km, **kw)
    # within line of sight (P.526 §3.2 steps 2-4)
    lam_m = C_LIGHT_M_S / f
    c = (h1 - h2) / (h1 + h2)
    m = 250.0 * d_pos * d_pos / (a_e_km * (h1 + h2))
    arg = np.clip(1.5 * c * np.sqrt(3.0 * m / (m + 1.0) ** 3), -1.0, 1.0)
    b = 2.0 * np.sqrt((m + 1.0) / (3.0 * m)) * np.cos(math.pi / 3.0 + np.arccos(arg) / 3.0)
    d1 = d_pos / 2.0 * (1.0 + b)
    d2 = d_pos - d1
    clearance_m = ((h1 - 500.0 * d1 * d1 / a_e_km) * d2 + (h2 - 500.0 * d2 * d2 / a_e_km) * d1) \
        / d_pos
    h_req_m = 17.456 * np.sqrt(np.maximum(d1 * d2, 0.0) * lam_m / d_pos)   # 0.552·Fresnel, d km
    a_em_km = 500.0 * (d_pos / (np.sqrt(h1) + np.sqrt(h2))) ** 2
    marginal = smooth_earth_first_term_db(d_pos, h1, h2, f, a_em_km, **kw)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(marginal > 0.0, (1.0 - clearance_m / h_req_m) * marginal, 0.0)
    inside = np.where(clearance_m >= h_req_m, 0.0, scaled)
    out = np.where(d >= d_los, beyond, inside)
    return np.where(d > 0.0, out, 0.0)


# ---------------------------------------------------------------------------- the model
def path_loss_db(distance_km: ArrayLike, h_tx_m: ArrayLike, h_rx_m: ArrayLike,
                 freq_hz: ArrayLike, *, a_e_km: float = EFFECTIVE_EARTH_RADIUS_KM,
                 polarization: Polarization = "vertical",
                 eps_r: float = GROUND_RELATIVE_PERMITTIVITY,
                 sigma_s_m: float = GROUND_CONDUCTIVITY_S_M) -> NDArray[np.float64]:
    """Basic transmission loss [dB] of the module's model (module docstring):
    max(free space over the slant range + P.526 smooth-Earth diffraction, plane earth).

    ``distance_km``: ground (great-circle) distance [km]; heights above the smooth ground
    [m], > 0; ``freq_hz`` [Hz]. Broadcasts over all four.
    """
    d = _distance(distance_km)
    h1, h2 = _heights(h_tx_m, h_rx_m)
    f = _frequency(freq_hz)
    fs = free_space_loss_db(slant_range_km(d, h1, h2, a_e_km=a_e_km), f)
    diff = smooth_earth_diffraction_db(d, h1, h2, f, a_e_km=a_e_km, polarization=polarization,
                                       eps_r=eps_r, sigma_s_m=sigma_s_m)
    return np.maximum(fs + diff, plane_earth_loss_db(d, h1, h2))


def max_distance_km(max_loss_db: ArrayLike, h_tx_m: ArrayLike, h_rx_m: ArrayLike,
                    freq_hz: ArrayLike, *, a_e_km: float = EFFECTIVE_EARTH_RADIUS_KM,
                    polarization: Polarization = "vertical",
                    eps_r: float = GROUND_RELATIVE_PERMITTIVITY,
                    sigma_s_m: float = GROUND_CONDUCTIVITY_S_M) -> NDArray[np.float64]:
    """Largest ground distance [km] at which :func:`path_loss_db` ≤ ``max_loss_db`` [dB]:
    the root of L(d) = max_loss_db on the monotone loss curve, by bisection (vectorised numpy;
    60 halvings of a bracket of at most 10 000 km). 0 where even d = 0 loses more (an
    aircraft above a weak jammer)."""
    budget = np.asarray(max_loss_db, dtype=np.float64)
    if np.any(np.isnan(budget)):
        raise PropagationError("max_loss_db must not be NaN")
    h1, h2 = _heights(h_tx_m, h_rx_m)
    f = _frequency(freq_hz)
    budget, h1, h2, f = np.broadcast_arrays(budget, h1, h2, f)
    kw = dict(a_e_km=a_e_km, polarization=polarization, eps_r=eps_r, sigma_s_m=sigma_s_m)

    def loss(d: NDArray) -> NDArray:
        return path_loss_db(d, h1, h2, f, **kw)

    # bracket: lo inside the footprint (or at 0), hi outside it
    lo = np.zeros(budget.shape)
    hi = np.minimum(2.0 * radio_horizon_km(h1, h2, a_e_km=a_e_km) + 10.0, _MAX_SEARCH_KM)
    for _ in range(12):                                  # 10 km · 2^12 > 10 000 km
        grow = (loss(hi) <= budget) & (hi < _MAX_SEARCH_KM)
        if not grow.any():
            break
        hi = np.where(grow, np.minimum(2.0 * hi, _MAX_SEARCH_KM), hi)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        ok = loss(mid) <= budget
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    out = np.where(loss(np.zeros(budget.shape)) <= budget, lo, 0.0)
    return np.where(loss(hi) <= budget, hi, out)      # the search limit itself is inside
