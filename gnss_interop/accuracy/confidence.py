"""95 % confidence factors of Gaussian position errors.

* vertical (1-D): V95 = 1.959964·σ_U, two-sided;
* horizontal (2-D): H95 is the radius of the circle centred on the true position that holds
  95 % of a zero-mean Gaussian with covariance eigenvalues λ₁ ≥ λ₂ (no circular
  approximation). With ρ = sqrt(λ₂/λ₁), H95 = k(ρ)·sqrt(λ₁); k(0) = 1.959964 (a line),
  k(1) = sqrt(−2 ln 0.05) = 2.447747 (a circle). k is tabulated at :data:`N_RHO` nodes of ρ
  by solving P(λ₁X² + λ₂Y² ≤ R²) = 0.95 (polar integral, trapezoidal rule over the angle,
  exact for this periodic integrand to ~1e-12, bisection on R) and interpolated linearly
  (interpolation error < 2e-5 relative, tested against the direct solution).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = ["V95_FACTOR", "H95_TABLE", "N_RHO", "h95_radius", "horizontal_95_factor",
           "horizontal_95_exact"]

#: Two-sided 95 % quantile of the standard normal distribution.
V95_FACTOR = 1.959963984540054
N_RHO = 257


def _theta_nodes(rho: float) -> int:
    """Trapezoid nodes over the angle: the integrand peaks over a width ~ρ around θ = ±π/2,
    so the node count grows as 1/ρ (64 nodes per peak width, at least 512)."""
    return max(512, int(math.ceil(64.0 / rho)))


def horizontal_95_exact(rho: float) -> float:
    """k(ρ) solved directly: R with P(X² + ρ²Y² ≤ R²) = 0.95 for standard normal X, Y, from
    P = (1/2πρ)∫(1 − exp(−R²g/2))/g dθ, g(θ) = cos²θ + sin²θ/ρ² (trapezoidal rule over the
    angle, :func:`_theta_nodes`), bisected to 1e-13."""
    if rho == 0.0:
        return V95_FACTOR
    n = _theta_nodes(rho)
    th = (np.arange(n) + 0.5) * (2.0 * np.pi / n)
    g = np.cos(th) ** 2 + np.sin(th) ** 2 / (rho * rho)
    lo, hi = 1.9, 2.5
    for _ in range(45):
        mid = 0.5 * (lo + hi)
        if np.mean((1.0 - np.exp(-0.5 * mid * mid * g)) / g) / rho < 0.95:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _table(n: int) -> np.ndarray:
    """k(ρ) at ρ = i/(n − 1)."""
    return np.array([horizontal_95_exact(i / (n - 1)) for i in range(n)])


#: k(ρ) at ρ = i/(N_RHO − 1).
H95_TABLE = _table(N_RHO)


def horizontal_95_factor(rho):
    """k(ρ) from the table (vectorised)."""
    rho = np.clip(np.asarray(rho, dtype=float), 0.0, 1.0)
    return np.interp(rho, np.linspace(0.0, 1.0, N_RHO), H95_TABLE)


@nb.njit(cache=True, nogil=True, fastmath={"nsz", "arcp", "contract"})
def h95_radius(qee, qen, qnn, table):
    """95 % horizontal radius [m] of the east/north covariance (qee, qen, qnn) [m²]:
    k(sqrt(λ₂/λ₁))·sqrt(λ₁), k interpolated linearly in ``table`` (branch-free, so the
    grid kernel's loop over points stays vectorised)."""
    half = 0.5 * (qee + qnn)
    d = math.sqrt(0.25 * (qee - qnn) * (qee - qnn) + qen * qen)
    l1 = half + d
    l2 = max(half - d, 0.0)
    l1s = l1 if l1 > 0.0 else 1.0
    n1 = table.shape[0] - 1
    x = min(math.sqrt(l2 / l1s) * n1, n1 - 1e-9)
    i = np.uint64(x)
    f = x - i
    k0 = table[i]
    return (k0 + (table[i + np.uint64(1)] - k0) * f) * math.sqrt(l1)
