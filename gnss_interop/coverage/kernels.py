"""Fused numba kernels: visibility, per-configuration DOP and running statistics.

One pass over (grid row, epoch, satellite, point). The points of a grid row
share latitude and height, so the kernel works row by row:

1. per satellite and row, a conservative longitude window of points that can
   see it (central angle from the sub-satellite point below the visibility
   cap, with margins) — points outside are skipped, the exact test follows;
2. inside the window, branch-free and vectorised over points, the exact
   elevation test without trigonometry, ``sin(el) = u·(s − r)/|s − r|``
   squared against ``sin²(mask)`` (u geodetic up, r receiver, s satellite,
   ECEF), then the unit line of sight l in local ENU, accumulated per
   *system*: Σ l lᵀ (3×3 symmetric), Σ l and the count. Satellites of one
   system whose windows overlap are summed in pairs (half the memory traffic
   on the sums); on full-circle rows windows wrap instead of splitting;
3. per configuration, the clock unknowns are eliminated (Schur complement):
   ``P = Σ l lᵀ − Σ_g b_g b_gᵀ / n_g`` (3×3), ``Q_pos = P⁻¹`` (adjugate),
   clock cofactor ``Q_gg = 1/n_g + b_gᵀ Q_pos b_g / n_g²``; this equals the
   inverse of the full (3 + k)×(3 + k) normal matrix HᵀH with rows
   ``[-l, clock indicators]`` (tested against :mod:`gnss_interop.coverage.reference`);
4. running statistics are updated in place (sums, min/max, histograms).

Singular geometry: ``det(P) <= 1e-12 · (trace(P)/3)³`` or fewer satellites
than unknowns → no solution (DOPs +inf).

95th percentile: each DOP goes into a fixed histogram per point and
configuration: octaves 2^e from 0.125 to 128 (the IEEE exponent), each cut
into ``HIST_SUB`` = 32 linear sub-bins (the top 5 mantissa bits; relative
bin width ≤ 1/32 = 3.125 %), plus an underflow bin (< 0.125) and an overflow
bin (≥ 128). Histograms of time chunks add up, so the percentile is
mergeable and its memory does not depend on the number of epochs.
No-solution epochs are counted implicitly (n_epochs − n_solution) as +inf.

Accuracy (``weighted=True``): each line of sight also gets the weight 1/σ²_URE of the
error budget (:mod:`gnss_interop.accuracy.budget`: σ²_SIS of the satellite, the system's
elevation terms, the single-frequency ionosphere term of the point; evaluated in the same
vectorised loop as the line of sight, in the table-free form of
:func:`~gnss_interop.accuracy.budget.uere_weight`), summed into a second set of per-system
sums Σ w l lᵀ, Σ w l, Σ w (satellites of a system go in pairs as for the DOPs). The same Schur complement on them
gives the covariance Q = (HᵀWH)⁻¹ in m², hence per point-epoch σ_E, σ_N, σ_U, the 95 %
horizontal radius (:mod:`gnss_interop.accuracy.confidence`), V95 = 1.96 σ_U and the
weighted PDOP sqrt(tr Q_pos · ΣW / n) (weights normalised to their mean, so equal σ gives
the PDOP exactly). They are reduced over time like the DOPs (sums, maxima, histograms, and
the count of epochs meeting the accuracy limits).

fastmath is limited to {nsz, arcp, contract, afn}: no ``nnan``/``ninf``, so
+inf (no solution) survives every comparison.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from gnss_interop.accuracy.budget import uere_weight
from gnss_interop.accuracy.confidence import H95_TABLE, V95_FACTOR, h95_radius

__all__ = ["ACC_NAMES", "HIST_E_MIN", "HIST_E_MAX", "HIST_SUB", "N_ACC", "N_BINS", "N_DOP",
           "bin_edges",
           "accumulate", "finalize", "new_state", "merge_states", "dop_bin_index"]

N_DOP = 5  # gdop, pdop, hdop, vdop, tdop
#: Per point-epoch accuracy quantities of the weighted solution, in kernel order.
ACC_NAMES = ("hacc95", "vacc95", "sigma_east", "sigma_north", "sigma_up", "wpdop")
N_ACC = len(ACC_NAMES)
#: The first N_ACC_HIST quantities (H95, V95) also get histograms (95th percentile over
#: time); the others are reduced to mean and maximum only (the histograms are a large part
#: of the kernel's time).
N_ACC_HIST = 2
_H95 = np.ascontiguousarray(H95_TABLE)
HIST_E_MIN = -2  # frexp exponent of [0.125, 0.25)
HIST_E_MAX = 7  # frexp exponent of [64, 128)
HIST_SUB = 32
N_BINS = 2 + (HIST_E_MAX - HIST_E_MIN + 1) * HIST_SUB
SINGULAR_DET_REL = 1e-12
HIST_BLOCK = 16  # epochs whose histogram updates are applied together (cache locality)

_FASTMATH = {"nsz", "arcp", "contract", "afn"}  # no nnan/ninf: inf/NaN must survive
_JIT = dict(nogil=True, cache=True, fastmath=_FASTMATH, error_model="numpy")


def bin_edges() -> np.ndarray:
    """Lower edges of the ``N_BINS`` histogram bins followed by the top edge (+inf).

    Bin 0 is [0, 0.125), the last bin [128, inf).
    """
    edges = [0.0]
    for e in range(HIST_E_MIN, HIST_E_MAX + 1):
        for j in range(HIST_SUB):
            edges.append(math.ldexp(0.5 + j / (2.0 * HIST_SUB), e))
    edges.append(math.ldexp(0.5, HIST_E_MAX + 1))
    edges.append(math.inf)
    return np.array(edges)


_SUB_BITS = 5  # log2(HIST_SUB)
assert 1 << _SUB_BITS == HIST_SUB
# IEEE 754 binary64: x = (1 + f) 2^(E - 1023) = m 2^e with m = (1 + f)/2, e = E - 1022.
# The top _SUB_BITS bits of f are the linear sub-bin j = floor((m - 0.5) * 2 * HIST_SUB),
# so (bits >> (52 - _SUB_BITS)) = E * HIST_SUB + j is the bin up to an offset.
_BIN_OFFSET = (HIST_E_MIN + 1022) * HIST_SUB - 1


@nb.njit(**_JIT)
def _bin_from_bits(bits):
    b = (bits >> (52 - _SUB_BITS)) - _BIN_OFFSET
    if b < 0:
        return 0
    if b > N_BINS - 1:
        return N_BINS - 1
    return b


@nb.njit(**_JIT)
def dop_bin_index(x):
    """Histogram bin of a finite, positive DOP value (reference version with frexp)."""
    m, e = math.frexp(x)
    if e < HIST_E_MIN:
        return 0
    if e > HIST_E_MAX:
        return N_BINS - 1
    j = int((m - 0.5) * (2.0 * HIST_SUB))
    if j >= HIST_SUB:  # guard against m rounding to 1.0
        j = HIST_SUB - 1
    return 1 + (e - HIST_E_MIN) * HIST_SUB + j


def new_state(n_points: int, n_configs: int, weighted: bool = False) -> dict[str, np.ndarray]:
    """Zeroed running statistics, configuration-major: (C, P), (C, 5, P), (C, 5, P, N_BINS);
    with ``weighted`` also the accuracy statistics (C, N_ACC, P[, N_BINS]) (else empty)."""
    c, p = n_configs, n_points
    pa = p if weighted else 0
    return {
        "n_acc_available": np.zeros((c, pa), np.int32),
        "n_acc_solution": np.zeros((c, pa), np.int32),
        "acc_sum": np.zeros((c, N_ACC, pa), np.float64),
        "acc_max": np.zeros((c, N_ACC, pa), np.float64),
        "acc_hist": np.zeros((c, N_ACC_HIST, pa, N_BINS), np.int32),
        "n_epochs": np.zeros(c, np.int64),  # epochs counted per configuration (no data gap)
        "nsat_sum": np.zeros((c, p), np.int64),
        "nsat_min": np.full((c, p), np.iinfo(np.int32).max, np.int32),
        "nsat_max": np.zeros((c, p), np.int32),
        "n_solution": np.zeros((c, p), np.int32),
        "n_available": np.zeros((c, p), np.int32),
        "dop_sum": np.zeros((c, N_DOP, p), np.float64),
        "dop_max": np.zeros((c, N_DOP, p), np.float64),  # over epochs with a solution
        "hist": np.zeros((c, N_DOP, p, N_BINS), np.int32),
    }


def merge_states(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Combine the statistics of two time chunks of the same points (in place in ``a``)."""
    for k in ("n_epochs", "nsat_sum", "n_solution", "n_available", "dop_sum", "hist",
              "n_acc_available", "n_acc_solution", "acc_sum", "acc_hist"):
        a[k] += b[k]
    np.minimum(a["nsat_min"], b["nsat_min"], out=a["nsat_min"])
    np.maximum(a["nsat_max"], b["nsat_max"], out=a["nsat_max"])
    np.maximum(a["dop_max"], b["dop_max"], out=a["dop_max"])
    np.maximum(a["acc_max"], b["acc_max"], out=a["acc_max"])
    return a


@nb.njit(**_JIT)
def _row_ranges(sin_lat, cos_lat, lon0, dlon, n_lon, slat_s, clat_s, lon_s, cos_cap, out):
    """Index ranges of a row's points that may see a satellite (conservative).

    The satellite can be above the mask only for points within the central
    angle ``cap`` of its sub-satellite point (``cos_cap`` = cos(cap), margin
    included). Returns the number of ranges (0, 1 or 2) written to ``out``.
    """
    den = cos_lat * clat_s
    num = cos_cap - sin_lat * slat_s
    if den < 1e-12:
        if num <= 0.0:
            out[0, 0] = 0
            out[0, 1] = n_lon - 1
            return 1
        return 0
    x = num / den
    if x > 1.0:
        return 0
    if x <= -1.0:
        out[0, 0] = 0
        out[0, 1] = n_lon - 1
        return 1
    w = math.degrees(math.acos(x))
    if w >= 180.0 - dlon:
        out[0, 0] = 0
        out[0, 1] = n_lon - 1
        return 1
    m = 0
    for shift in (-360.0, 0.0, 360.0, 720.0):
        lo = math.ceil((lon_s + shift - w - lon0) / dlon - 1e-9)
        hi = math.floor((lon_s + shift + w - lon0) / dlon + 1e-9)
        if lo < 0:
            lo = 0
        if hi > n_lon - 1:
            hi = n_lon - 1
        if lo <= hi and m < 2:
            out[m, 0] = lo
            out[m, 1] = hi
            m += 1
    return m


@nb.njit(**_JIT)
def _row_range_cyclic(sin_lat, cos_lat, lon0, dlon, n_lon, slat_s, clat_s, lon_s, cos_cap, out):
    """As :func:`_row_ranges` for a row covering the full circle: one range ``lo..hi`` with
    ``0 <= lo < n_lon`` and ``hi < lo + n_lon``; indices ≥ n_lon wrap (column ``j - n_lon``)."""
    den = cos_lat * clat_s
    num = cos_cap - sin_lat * slat_s
    if den < 1e-12:
        if num <= 0.0:
            out[0, 0] = 0
            out[0, 1] = n_lon - 1
            return 1
        return 0
    x = num / den
    if x > 1.0:
        return 0
    if x <= -1.0:
        out[0, 0] = 0
        out[0, 1] = n_lon - 1
        return 1
    w = math.degrees(math.acos(x))
    lo = int(math.ceil((lon_s - w - lon0) / dlon - 1e-9))
    hi = int(math.floor((lon_s + w - lon0) / dlon + 1e-9))
    if hi < lo:
        return 0
    if hi - lo + 1 >= n_lon:
        out[0, 0] = 0
        out[0, 1] = n_lon - 1
        return 1
    shift = (lo // n_lon) * n_lon
    out[0, 0] = lo - shift
    out[0, 1] = hi - shift
    return 1


@nb.njit(**_JIT)
def _accumulate_pair(acc_s, rg, lon_c, lon_s, lo, hi, ax, ay, az, bx, by, bz, sin_mask, los):
    """:func:`_accumulate_sat` for two satellites of one system over a common range.

    Halves the read-modify-write traffic on the sums, the costly part. los: (8, L).
    """
    s2 = sin_mask * sin_mask
    pos_mask = sin_mask >= 0.0
    cphi = rg[0]
    sphi = rg[1]
    two_pxy = 2.0 * rg[2]
    ka_u = sphi * az - rg[4]
    ka_n = cphi * az - rg[5]
    ka_d = ax * ax + ay * ay + az * az - 2.0 * rg[3] * az + rg[6]
    kb_u = sphi * bz - rg[4]
    kb_n = cphi * bz - rg[5]
    kb_d = bx * bx + by * by + bz * bz - 2.0 * rg[3] * bz + rg[6]
    l0 = los[0]
    l1 = los[1]
    l2 = los[2]
    l3 = los[3]
    l4 = los[4]
    l5 = los[5]
    l6 = los[6]
    l7 = los[7]
    start = np.uint64(lo)
    count = np.uint64(hi + 1 - lo)
    for jj in range(count):
        j = start + jj
        c = lon_c[j]
        sn = lon_s[j]
        a = c * ax + sn * ay
        b = c * ay - sn * ax
        ud = cphi * a + ka_u
        nd = ka_n - sphi * a
        d2 = ka_d - two_pxy * a
        if pos_mask:
            vis = (ud > 0.0) & (ud * ud > s2 * d2)
        else:
            vis = (ud >= 0.0) | (ud * ud < s2 * d2)
        w = 1.0 / math.sqrt(d2)
        w = w if vis else 0.0
        l0[j] = b * w
        l1[j] = nd * w
        l2[j] = ud * w
        l3[j] = 1.0 if vis else 0.0
        a = c * bx + sn * by
        b = c * by - sn * bx
        ud = cphi * a + kb_u
        nd = kb_n - sphi * a
        d2 = kb_d - two_pxy * a
        if pos_mask:
            vis = (ud > 0.0) & (ud * ud > s2 * d2)
        else:
            vis = (ud >= 0.0) | (ud * ud < s2 * d2)
        w = 1.0 / math.sqrt(d2)
        w = w if vis else 0.0
        l4[j] = b * w
        l5[j] = nd * w
        l6[j] = ud * w
        l7[j] = 1.0 if vis else 0.0
    a0 = acc_s[0]
    a1 = acc_s[1]
    a2 = acc_s[2]
    a3 = acc_s[3]
    a4 = acc_s[4]
    a5 = acc_s[5]
    a6 = acc_s[6]
    a7 = acc_s[7]
    a8 = acc_s[8]
    a9 = acc_s[9]
    for jj in range(count):
        j = start + jj
        le = l0[j]
        ln = l1[j]
        lu = l2[j]
        me = l4[j]
        mn = l5[j]
        mu = l6[j]
        a0[j] += le * le + me * me
        a1[j] += le * ln + me * mn
        a2[j] += le * lu + me * mu
        a3[j] += ln * ln + mn * mn
        a4[j] += ln * lu + mn * mu
        a5[j] += lu * lu + mu * mu
        a6[j] += le + me
        a7[j] += ln + mn
        a8[j] += lu + mu
        a9[j] += l3[j] + l7[j]


@nb.njit(**_JIT)
def _accumulate_sat(acc_s, rg, lon_c, lon_s, lo, hi, sx, sy, sz, sin_mask, los):
    """Add one satellite to the per-point sums of its system, points lo..hi of a row.

    All points of a row share latitude φ and height, so with A = cos λ·x_s + sin λ·y_s
    and B = cos λ·y_s − sin λ·x_s the geometry needs only per-row constants
    ``rg`` = (cos φ, sin φ, p_xy, p_z, u·r, n·r, |r|²) of the receiver r:
    e·(s − r) = B, n·(s − r) = −sin φ·A + cos φ·z_s − n·r,
    u·(s − r) = cos φ·A + sin φ·z_s − u·r, |s − r|² = |s|² − 2(p_xy·A + p_z·z_s) + |r|².

    Branch-free over points so that LLVM vectorises both loops: invisible
    points get weight 0, 1-D views and unsigned indices avoid numba's
    negative-index wraparound (which blocks vectorisation).
    acc_s: (10, L) = Σll_EE, Σll_EN, Σll_EU, Σll_NN, Σll_NU, Σll_UU, Σl_E, Σl_N, Σl_U, n.
    lon_c, lon_s: (L,) cos and sin of the point longitudes; los: (4, L) scratch.
    """
    s2 = sin_mask * sin_mask
    pos_mask = sin_mask >= 0.0
    cphi = rg[0]
    sphi = rg[1]
    two_pxy = 2.0 * rg[2]
    k_u = sphi * sz - rg[4]
    k_n = cphi * sz - rg[5]
    k_d = sx * sx + sy * sy + sz * sz - 2.0 * rg[3] * sz + rg[6]
    l0 = los[0]
    l1 = los[1]
    l2 = los[2]
    l3 = los[3]
    start = np.uint64(lo)
    count = np.uint64(hi + 1 - lo)
    for jj in range(count):
        j = start + jj
        c = lon_c[j]
        sn = lon_s[j]
        a = c * sx + sn * sy
        b = c * sy - sn * sx
        ud = cphi * a + k_u
        nd = k_n - sphi * a
        d2 = k_d - two_pxy * a
        if pos_mask:
            vis = (ud > 0.0) & (ud * ud > s2 * d2)
        else:
            vis = (ud >= 0.0) | (ud * ud < s2 * d2)
        w = 1.0 / math.sqrt(d2)
        w = w if vis else 0.0
        l0[j] = b * w
        l1[j] = nd * w
        l2[j] = ud * w
        l3[j] = 1.0 if vis else 0.0
    a0 = acc_s[0]
    a1 = acc_s[1]
    a2 = acc_s[2]
    a3 = acc_s[3]
    a4 = acc_s[4]
    a5 = acc_s[5]
    a6 = acc_s[6]
    a7 = acc_s[7]
    a8 = acc_s[8]
    a9 = acc_s[9]
    for jj in range(count):
        j = start + jj
        le = l0[j]
        ln = l1[j]
        lu = l2[j]
        a0[j] += le * le
        a1[j] += le * ln
        a2[j] += le * lu
        a3[j] += ln * ln
        a4[j] += ln * lu
        a5[j] += lu * lu
        a6[j] += le
        a7[j] += ln
        a8[j] += lu
        a9[j] += l3[j]


@nb.njit(inline="always", **_JIT)
def _los_weighted(rg, lon_c, lon_s, start, count, sx, sy, sz, sin_mask, sis_var, coef, ion,
                  l0, l1, l2, l4):
    """Unit lines of sight (E, N, U) and weight 1/σ²_URE of one satellite at the points
    ``start .. start + count − 1`` of a row into l0, l1, l2, l4 (0 where not visible, so a
    weight > 0 marks visibility); one branch-free loop that LLVM vectorises
    (:func:`gnss_interop.accuracy.budget.uere_weight`; coefficients as scalars and no
    fifth output array keep LLVM's runtime alias checks within its limit)."""
    c_noise = coef[0]
    c_mp = coef[1]
    c_tropo = coef[2]
    s2 = sin_mask * sin_mask
    pos_mask = sin_mask >= 0.0
    cphi = rg[0]
    sphi = rg[1]
    two_pxy = 2.0 * rg[2]
    k_u = sphi * sz - rg[4]
    k_n = cphi * sz - rg[5]
    k_d = sx * sx + sy * sy + sz * sz - 2.0 * rg[3] * sz + rg[6]
    for jj in range(count):
        j = start + jj
        c = lon_c[j]
        sn = lon_s[j]
        a = c * sx + sn * sy
        b = c * sy - sn * sx
        ud = cphi * a + k_u
        nd = k_n - sphi * a
        d2 = k_d - two_pxy * a
        if pos_mask:
            vis = (ud > 0.0) & (ud * ud > s2 * d2)
        else:
            vis = (ud >= 0.0) | (ud * ud < s2 * d2)
        w = 1.0 / math.sqrt(d2)
        wt = uere_weight(ud * w, sis_var, c_noise, c_mp, c_tropo, ion[j])
        w = w if vis else 0.0
        l0[j] = b * w
        l1[j] = nd * w
        l2[j] = ud * w
        l4[j] = wt if vis else 0.0


@nb.njit(**_JIT)
def _accumulate_sat_w(acc_s, rg, lon_c, lon_s, lo, hi, sx, sy, sz, sin_mask, los, sis_var,
                      coef, ion):
    """:func:`_accumulate_sat` plus the weighted sums (rows 10..19 of ``acc_s``:
    Σw·ll (6), Σw·l (3), Σw); ``ion`` (L,) = s_ion·τ²_v per point of the row; los: (10, L)."""
    start = np.uint64(lo)
    count = np.uint64(hi + 1 - lo)
    l0 = los[0]
    l1 = los[1]
    l2 = los[2]
    l4 = los[4]
    _los_weighted(rg, lon_c, lon_s, start, count, sx, sy, sz, sin_mask, sis_var, coef, ion,
                  l0, l1, l2, l4)
    a0 = acc_s[0]
    a1 = acc_s[1]
    a2 = acc_s[2]
    a3 = acc_s[3]
    a4 = acc_s[4]
    a5 = acc_s[5]
    a6 = acc_s[6]
    a7 = acc_s[7]
    a8 = acc_s[8]
    a9 = acc_s[9]
    b0 = acc_s[10]
    b1 = acc_s[11]
    b2 = acc_s[12]
    b3 = acc_s[13]
    b4 = acc_s[14]
    b5 = acc_s[15]
    b6 = acc_s[16]
    b7 = acc_s[17]
    b8 = acc_s[18]
    b9 = acc_s[19]
    for jj in range(count):
        j = start + jj
        le = l0[j]
        ln = l1[j]
        lu = l2[j]
        wt = l4[j]
        ee = le * le
        en = le * ln
        eu = le * lu
        nn = ln * ln
        nu = ln * lu
        uu = lu * lu
        a0[j] += ee
        a1[j] += en
        a2[j] += eu
        a3[j] += nn
        a4[j] += nu
        a5[j] += uu
        a6[j] += le
        a7[j] += ln
        a8[j] += lu
        a9[j] += 1.0 if wt > 0.0 else 0.0
        b0[j] += wt * ee
        b1[j] += wt * en
        b2[j] += wt * eu
        b3[j] += wt * nn
        b4[j] += wt * nu
        b5[j] += wt * uu
        b6[j] += wt * le
        b7[j] += wt * ln
        b8[j] += wt * lu
        b9[j] += wt


@nb.njit(**_JIT)
def _accumulate_pair_w(acc_s, rg, lon_c, lon_s, lo, hi, ax, ay, az, bx, by, bz, sin_mask, los,
                       var_a, var_b, coef, ion):
    """:func:`_accumulate_sat_w` for two satellites of one system over a common range (half
    the read-modify-write traffic on the 20 sums). los: (10, L)."""
    start = np.uint64(lo)
    count = np.uint64(hi + 1 - lo)
    l0 = los[0]
    l1 = los[1]
    l2 = los[2]
    l4 = los[4]
    m0 = los[5]
    m1 = los[6]
    m2 = los[7]
    m4 = los[9]
    _los_weighted(rg, lon_c, lon_s, start, count, ax, ay, az, sin_mask, var_a, coef, ion,
                  l0, l1, l2, l4)
    _los_weighted(rg, lon_c, lon_s, start, count, bx, by, bz, sin_mask, var_b, coef, ion,
                  m0, m1, m2, m4)
    a0 = acc_s[0]
    a1 = acc_s[1]
    a2 = acc_s[2]
    a3 = acc_s[3]
    a4 = acc_s[4]
    a5 = acc_s[5]
    a6 = acc_s[6]
    a7 = acc_s[7]
    a8 = acc_s[8]
    a9 = acc_s[9]
    b0 = acc_s[10]
    b1 = acc_s[11]
    b2 = acc_s[12]
    b3 = acc_s[13]
    b4 = acc_s[14]
    b5 = acc_s[15]
    b6 = acc_s[16]
    b7 = acc_s[17]
    b8 = acc_s[18]
    b9 = acc_s[19]
    for jj in range(count):
        j = start + jj
        le = l0[j]
        ln = l1[j]
        lu = l2[j]
        wt = l4[j]
        me = m0[j]
        mn = m1[j]
        mu = m2[j]
        vt = m4[j]
        ee = le * le
        en = le * ln
        eu = le * lu
        nn = ln * ln
        nu = ln * lu
        uu = lu * lu
        fe = me * me
        fn = me * mn
        fu = me * mu
        gn = mn * mn
        gu = mn * mu
        hu = mu * mu
        a0[j] += ee + fe
        a1[j] += en + fn
        a2[j] += eu + fu
        a3[j] += nn + gn
        a4[j] += nu + gu
        a5[j] += uu + hu
        a6[j] += le + me
        a7[j] += ln + mn
        a8[j] += lu + mu
        a9[j] += (1.0 if wt > 0.0 else 0.0) + (1.0 if vt > 0.0 else 0.0)
        b0[j] += wt * ee + vt * fe
        b1[j] += wt * en + vt * fn
        b2[j] += wt * eu + vt * fu
        b3[j] += wt * nn + vt * gn
        b4[j] += wt * nu + vt * gu
        b5[j] += wt * uu + vt * hu
        b6[j] += wt * le + vt * me
        b7[j] += wt * ln + vt * mn
        b8[j] += wt * lu + vt * mu
        b9[j] += wt + vt


@nb.njit(**_JIT)
def _accumulate_sat_horizon_w(acc_s, rg, lon_c, lon_s, lo, hi, sx, sy, sz, sin_mask, hz_az,
                              hz_el, weighted, sis_var, coef, ion):
    """As :func:`_accumulate_sat_horizon`, with the weighted sums when ``weighted``."""
    s2 = sin_mask * sin_mask
    n_hz = hz_az.shape[0]
    cphi = rg[0]
    sphi = rg[1]
    two_pxy = 2.0 * rg[2]
    k_u = sphi * sz - rg[4]
    k_n = cphi * sz - rg[5]
    k_d = sx * sx + sy * sy + sz * sz - 2.0 * rg[3] * sz + rg[6]
    for j in range(lo, hi + 1):
        a = lon_c[j] * sx + lon_s[j] * sy
        b = lon_c[j] * sy - lon_s[j] * sx
        ud = cphi * a + k_u
        nd = k_n - sphi * a
        d2 = k_d - two_pxy * a
        if sin_mask >= 0.0:
            if ud <= 0.0 or ud * ud <= s2 * d2:
                continue
        elif ud < 0.0 and ud * ud >= s2 * d2:
            continue
        w = 1.0 / math.sqrt(d2)
        le = b * w
        ln = nd * w
        lu = ud * w
        az = math.degrees(math.atan2(le, ln))
        if az < 0.0:
            az += 360.0
        i = 1
        while i < n_hz - 1 and hz_az[i] < az:
            i += 1
        a0 = hz_az[i - 1]
        h = hz_el[i - 1] + (hz_el[i] - hz_el[i - 1]) * (az - a0) / (hz_az[i] - a0)
        if lu <= math.sin(math.radians(h)):
            continue
        acc_s[0, j] += le * le
        acc_s[1, j] += le * ln
        acc_s[2, j] += le * lu
        acc_s[3, j] += ln * ln
        acc_s[4, j] += ln * lu
        acc_s[5, j] += lu * lu
        acc_s[6, j] += le
        acc_s[7, j] += ln
        acc_s[8, j] += lu
        acc_s[9, j] += 1.0
        if weighted:
            wt = uere_weight(lu, sis_var, coef[0], coef[1], coef[2], ion[j])
            acc_s[10, j] += wt * le * le
            acc_s[11, j] += wt * le * ln
            acc_s[12, j] += wt * le * lu
            acc_s[13, j] += wt * ln * ln
            acc_s[14, j] += wt * ln * lu
            acc_s[15, j] += wt * lu * lu
            acc_s[16, j] += wt * le
            acc_s[17, j] += wt * ln
            acc_s[18, j] += wt * lu
            acc_s[19, j] += wt


@nb.njit(**_JIT)
def _solve_row_w(acc, c, cfg_group, n_groups_max, n_lon, A, B, N, sel, out_acc, out_ok):
    """Accuracy of configuration ``c`` for every point of a row from the weighted sums.

    Same elimination as :func:`_solve_row` on Σw·ll, Σw·l, Σw; the solution rule counts
    satellites (unweighted). out_acc rows follow :data:`ACC_NAMES`.
    """
    n_sys = acc.shape[0]
    A[:, :n_lon] = 0.0
    B[:, :, :n_lon] = 0.0
    N[:, :n_lon] = 0.0
    sel[:, :n_lon] = 0.0
    for s in range(n_sys):
        g = cfg_group[c, s]
        if g < 0:
            continue
        for q in range(6):
            for j in range(n_lon):
                A[q, j] += acc[s, 10 + q, j]
        for q in range(3):
            for j in range(n_lon):
                B[g, q, j] += acc[s, 16 + q, j]
        for j in range(n_lon):
            N[g, j] += acc[s, 19, j]
            sel[0, j] += acc[s, 9, j]
    for g in range(n_groups_max - 1, -1, -1):
        for j in range(n_lon):
            n = N[g, j]
            act = n > 0.0
            w = 1.0 / n if act else 0.0
            bx = B[g, 0, j]
            by = B[g, 1, j]
            bz = B[g, 2, j]
            A[0, j] -= bx * bx * w
            A[1, j] -= bx * by * w
            A[2, j] -= bx * bz * w
            A[3, j] -= by * by * w
            A[4, j] -= by * bz * w
            A[5, j] -= bz * bz * w
            sel[1, j] += 1.0 if act else 0.0
            sel[2, j] += n
    inf = np.inf
    for j in range(n_lon):
        a00 = A[0, j]
        a01 = A[1, j]
        a02 = A[2, j]
        a11 = A[3, j]
        a12 = A[4, j]
        a22 = A[5, j]
        c00 = a11 * a22 - a12 * a12
        c01 = a02 * a12 - a01 * a22
        c11 = a00 * a22 - a02 * a02
        c22 = a00 * a11 - a01 * a01
        det = a00 * c00 + a01 * c01 + a02 * (a01 * a12 - a02 * a11)
        tr = (a00 + a11 + a22) * (1.0 / 3.0)
        ns = sel[0, j]
        nact = sel[1, j]
        ok = ((ns >= 3.0 + nact) & (nact > 0.0) & (tr > 0.0)
              & (det > SINGULAR_DET_REL * tr * tr * tr))
        inv = 1.0 / det if ok else 0.0
        qee = c00 * inv
        qnn = c11 * inv
        quu = c22 * inv
        qen = c01 * inv
        wmean = sel[2, j] / ns if ok else 0.0
        out_acc[0, j] = h95_radius(qee, qen, qnn, _H95) if ok else inf
        out_acc[1, j] = V95_FACTOR * math.sqrt(quu) if ok else inf
        out_acc[2, j] = math.sqrt(qee) if ok else inf
        out_acc[3, j] = math.sqrt(qnn) if ok else inf
        out_acc[4, j] = math.sqrt(quu) if ok else inf
        out_acc[5, j] = math.sqrt((qee + qnn + quu) * wmean) if ok else inf
        out_ok[j] = ok


@nb.njit(**_JIT)
def _solve_row(acc, c, cfg_group, n_groups_max, n_lon, A, B, N, sel, out_dop, out_ok, out_ns):
    """DOPs of configuration ``c`` for every point of a row (branch-free, vectorised).

    Eliminates the clock unknowns (Schur complement), inverts the 3x3 reduced
    position normal matrix by its adjugate and takes TDOP from the first clock
    group that has a visible satellite.
    """
    n_sys = acc.shape[0]
    A[:, :n_lon] = 0.0
    B[:, :, :n_lon] = 0.0
    N[:, :n_lon] = 0.0
    for s in range(n_sys):
        g = cfg_group[c, s]
        if g < 0:
            continue
        for q in range(6):
            for j in range(n_lon):
                A[q, j] += acc[s, q, j]
        for q in range(3):
            for j in range(n_lon):
                B[g, q, j] += acc[s, 6 + q, j]
        for j in range(n_lon):
            N[g, j] += acc[s, 9, j]
    # sel rows: 0 nsat, 1 n_active, 2..4 b of the first active group, 5 its n
    sel[:, :n_lon] = 0.0
    for g in range(n_groups_max - 1, -1, -1):
        for j in range(n_lon):
            n = N[g, j]
            act = n > 0.0
            w = 1.0 / n if act else 0.0
            bx = B[g, 0, j]
            by = B[g, 1, j]
            bz = B[g, 2, j]
            A[0, j] -= bx * bx * w
            A[1, j] -= bx * by * w
            A[2, j] -= bx * bz * w
            A[3, j] -= by * by * w
            A[4, j] -= by * bz * w
            A[5, j] -= bz * bz * w
            sel[0, j] += n
            sel[1, j] += 1.0 if act else 0.0
            sel[2, j] = bx if act else sel[2, j]
            sel[3, j] = by if act else sel[3, j]
            sel[4, j] = bz if act else sel[4, j]
            sel[5, j] = n if act else sel[5, j]
    inf = np.inf
    for j in range(n_lon):
        a00 = A[0, j]
        a01 = A[1, j]
        a02 = A[2, j]
        a11 = A[3, j]
        a12 = A[4, j]
        a22 = A[5, j]
        c00 = a11 * a22 - a12 * a12
        c01 = a02 * a12 - a01 * a22
        c02 = a01 * a12 - a02 * a11
        c11 = a00 * a22 - a02 * a02
        c12 = a01 * a02 - a00 * a12
        c22 = a00 * a11 - a01 * a01
        det = a00 * c00 + a01 * c01 + a02 * c02
        tr = (a00 + a11 + a22) * (1.0 / 3.0)
        ns = sel[0, j]
        nact = sel[1, j]
        ok = ((ns >= 3.0 + nact) & (nact > 0.0) & (tr > 0.0)
              & (det > SINGULAR_DET_REL * tr * tr * tr))
        inv = 1.0 / det if ok else 0.0
        bx = sel[2, j]
        by = sel[3, j]
        bz = sel[4, j]
        w = 1.0 / sel[5, j] if ok else 0.0
        qb = (bx * (c00 * bx + c01 * by + c02 * bz) + by * (c01 * bx + c11 * by + c12 * bz)
              + bz * (c02 * bx + c12 * by + c22 * bz)) * inv
        t2 = w + qb * w * w
        h2 = (c00 + c11) * inv
        v2 = c22 * inv
        p2 = h2 + v2
        out_dop[0, j] = math.sqrt(p2 + t2) if ok else inf
        out_dop[1, j] = math.sqrt(p2) if ok else inf
        out_dop[2, j] = math.sqrt(h2) if ok else inf
        out_dop[3, j] = math.sqrt(v2) if ok else inf
        out_dop[4, j] = math.sqrt(t2) if ok else inf
        out_ok[j] = ok
        out_ns[j] = int(ns)


@nb.njit(**_JIT)
def accumulate(row_geo, lon_cs, cyclic, lat_rows_deg, lon0_deg, dlon_deg, sat_xyz, sat_valid,
               sat_geo, sat_sys, n_sys, sin_mask, hz_az, hz_el, cfg_group, n_groups_max, pdop_max,
               nsat_sum, nsat_min, nsat_max, n_solution, n_available, dop_sum, dop_max, hist,
               keep_time, ep_nsat, ep_dop, weighted, sat_var, sys_coef, sys_ion, tau2_rows,
               h95_max, v95_max, n_acc_available, n_acc_solution, acc_sum, acc_max, acc_hist,
               ep_acc, ep_gap):
    """Update running statistics of a block of grid rows over the epochs of one time chunk.

    Parameters
    ----------
    row_geo : (R, 7) float64
        Per row: cos φ, sin φ, p_xy = (N + h) cos φ, p_z = (N(1 − e²) + h) sin φ [m]
        (receiver ECEF at longitude 0), u·r, n·r, |r|² (see :func:`_accumulate_sat`).
    lon_cs : (2, L) float64
        cos and sin of the ``L`` point longitudes ``lon0 + j·dlon`` [deg] of every row.
    cyclic : bool
        The rows cover the full circle (``L·dlon = 360``): satellite windows that
        cross the row's end wrap around instead of being split.
    lat_rows_deg : (R,) float64
        Geodetic latitude of each row [deg].
    sat_xyz : (T, S, 3) float64
        Satellite ECEF [m]; rows with ``sat_valid == 0`` are ignored (may hold anything).
    sat_valid : (T, S) uint8
    sat_geo : (T, S, 4) float64
        sin and cos of geocentric latitude, longitude [deg] and cos(cap) of the
        visibility cap (central angle, margin included) of each satellite.
    sat_sys : (S,) int8
        System index 0..n_sys-1 of each satellite (−1: unused).
    cfg_group : (C, n_sys) int8
        Clock group of each system in each configuration, −1 if unused.
    nsat_sum ... hist
        Running statistics indexed by point ``r·L + j`` (see :func:`new_state`).
    keep_time
        Also write per-epoch values to ``ep_nsat`` (P, C, T) and ``ep_dop`` (P, C, T, 5)
        (and ``ep_acc`` (P, C, T, N_ACC) when weighted).
    weighted
        Also compute the accuracy of the weighted solution (module docstring).
    sat_var : (S,) float64
        σ²_SIS of each satellite [m²].
    sys_coef : (n_sys, 3) float64
        Receiver and troposphere coefficients of each system's budget
        (:attr:`gnss_interop.accuracy.budget.SystemBudget.coef`) [m²].
    sys_ion : (n_sys,) float64
        Single-frequency ionosphere factor s_ion of each system (0: ionosphere-free).
    tau2_rows : (R, L) float64
        τ²_v of the ionosphere residual at each point [m²].
    h95_max, v95_max
        Accuracy limits of ``n_acc_available`` [m] (+inf: no limit).
    n_acc_available ... acc_hist
        Running accuracy statistics (see :func:`new_state`).
    ep_gap : (T, C) uint8
        1 where an epoch is a data gap for a configuration (a system of it has no ephemeris
        at all, :mod:`gnss_interop.coverage.gaps`): its statistics are not updated (the
        caller counts only the other epochs in ``n_epochs``); per-epoch values are still
        written.
    """
    n_rows = row_geo.shape[0]
    n_lon = lon_cs.shape[1]
    n_t = sat_xyz.shape[0]
    n_sv = sat_xyz.shape[1]
    n_cfg = cfg_group.shape[0]
    has_hz = hz_az.shape[0] > 0
    n_ext = 2 * n_lon if cyclic else n_lon  # cyclic rows: indices n_lon.. wrap to 0..
    acc = np.zeros((n_sys, 20 if weighted else 10, n_ext))
    ion_ext = np.zeros((n_sys, n_ext))
    accq = np.zeros((N_ACC, n_lon))
    acc_bits = accq.view(np.int64)
    ok_w = np.zeros(n_lon, np.bool_)
    binbuf_w = np.zeros((HIST_BLOCK if weighted else 0, n_cfg, N_ACC_HIST, n_lon), np.int16)
    n_acc_q = acc.shape[1]
    A = np.zeros((6, n_lon))
    B = np.zeros((n_groups_max, 3, n_lon))
    N = np.zeros((n_groups_max, n_lon))
    sel = np.zeros((6, n_lon))
    dop = np.zeros((N_DOP, n_lon))
    dop_bits = dop.view(np.int64)  # same memory: IEEE bits for the histogram bins
    ok = np.zeros(n_lon, np.bool_)
    ns = np.zeros(n_lon, np.int32)
    los = np.zeros((8, n_ext))
    los_w = np.zeros((10, n_ext))
    lon_c = np.empty(n_ext)
    lon_s = np.empty(n_ext)
    for j in range(n_ext):
        lon_c[j] = lon_cs[0, j % n_lon]
        lon_s[j] = lon_cs[1, j % n_lon]
    all_ranges = np.zeros((n_sv, 2, 2), np.int64)
    n_ranges = np.zeros(n_sv, np.int64)
    order = np.zeros(n_sv, np.int64)
    binbuf = np.zeros((HIST_BLOCK, n_cfg, N_DOP, n_lon), np.int16)
    for r in range(n_rows):
        rg = row_geo[r]
        phi = math.radians(lat_rows_deg[r])
        sin_lat = math.sin(phi)
        cos_lat = math.cos(phi)
        base = np.uint64(r * n_lon)
        if weighted:
            for s in range(n_sys):
                for j in range(n_ext):
                    ion_ext[s, j] = sys_ion[s] * tau2_rows[r, j % n_lon]
        for t0 in range(0, n_t, HIST_BLOCK):
            n_b = min(HIST_BLOCK, n_t - t0)
            for tb in range(n_b):
                t = t0 + tb
                acc[:, :, :] = 0.0
                for k in range(n_sv):
                    if sat_sys[k] < 0 or sat_valid[t, k] == 0:
                        n_ranges[k] = 0
                    elif cyclic:
                        n_ranges[k] = _row_range_cyclic(
                            sin_lat, cos_lat, lon0_deg, dlon_deg, n_lon, sat_geo[t, k, 0],
                            sat_geo[t, k, 1], sat_geo[t, k, 2], sat_geo[t, k, 3], all_ranges[k])
                    else:
                        n_ranges[k] = _row_ranges(
                            sin_lat, cos_lat, lon0_deg, dlon_deg, n_lon, sat_geo[t, k, 0],
                            sat_geo[t, k, 1], sat_geo[t, k, 2], sat_geo[t, k, 3], all_ranges[k])
                for s in range(n_sys):
                    # satellites with one window, sorted by its start, go in pairs
                    n_one = 0
                    for k in range(n_sv):
                        if sat_sys[k] != s or n_ranges[k] == 0:
                            continue
                        if n_ranges[k] == 1 and not has_hz:
                            i = n_one
                            while i > 0 and all_ranges[order[i - 1], 0, 0] > all_ranges[k, 0, 0]:
                                order[i] = order[i - 1]
                                i -= 1
                            order[i] = k
                            n_one += 1
                            continue
                        for i in range(n_ranges[k]):
                            if has_hz:
                                _accumulate_sat_horizon_w(acc[s], rg, lon_c, lon_s,
                                                          all_ranges[k, i, 0],
                                                          all_ranges[k, i, 1], sat_xyz[t, k, 0],
                                                          sat_xyz[t, k, 1], sat_xyz[t, k, 2],
                                                          sin_mask, hz_az, hz_el, weighted,
                                                          sat_var[k], sys_coef[s], ion_ext[s])
                            elif weighted:
                                _accumulate_sat_w(acc[s], rg, lon_c, lon_s, all_ranges[k, i, 0],
                                                  all_ranges[k, i, 1], sat_xyz[t, k, 0],
                                                  sat_xyz[t, k, 1], sat_xyz[t, k, 2], sin_mask,
                                                  los_w, sat_var[k], sys_coef[s], ion_ext[s])
                            else:
                                _accumulate_sat(acc[s], rg, lon_c, lon_s, all_ranges[k, i, 0],
                                                all_ranges[k, i, 1], sat_xyz[t, k, 0],
                                                sat_xyz[t, k, 1], sat_xyz[t, k, 2], sin_mask, los)
                    i = 0
                    while i < n_one:
                        ka = order[i]
                        lo_a = all_ranges[ka, 0, 0]
                        hi_a = all_ranges[ka, 0, 1]
                        if i + 1 < n_one:
                            kb = order[i + 1]
                            lo_b = all_ranges[kb, 0, 0]
                            hi_b = all_ranges[kb, 0, 1]
                            lo = min(lo_a, lo_b)
                            hi = max(hi_a, hi_b)
                            # pair when the common range costs less than two passes; it
                            # must not exceed one turn (a column would be visited twice)
                            if (hi - lo + 1 <= n_lon
                                    and 4 * (hi - lo + 1) < 3 * (hi_a - lo_a + hi_b - lo_b + 2)):
                                if weighted:
                                    _accumulate_pair_w(acc[s], rg, lon_c, lon_s, lo, hi,
                                                       sat_xyz[t, ka, 0], sat_xyz[t, ka, 1],
                                                       sat_xyz[t, ka, 2], sat_xyz[t, kb, 0],
                                                       sat_xyz[t, kb, 1], sat_xyz[t, kb, 2],
                                                       sin_mask, los_w, sat_var[ka],
                                                       sat_var[kb], sys_coef[s], ion_ext[s])
                                else:
                                    _accumulate_pair(acc[s], rg, lon_c, lon_s, lo, hi,
                                                     sat_xyz[t, ka, 0], sat_xyz[t, ka, 1],
                                                     sat_xyz[t, ka, 2], sat_xyz[t, kb, 0],
                                                     sat_xyz[t, kb, 1], sat_xyz[t, kb, 2],
                                                     sin_mask, los)
                                i += 2
                                continue
                        if weighted:
                            _accumulate_sat_w(acc[s], rg, lon_c, lon_s, lo_a, hi_a,
                                              sat_xyz[t, ka, 0], sat_xyz[t, ka, 1],
                                              sat_xyz[t, ka, 2], sin_mask, los_w, sat_var[ka],
                                              sys_coef[s], ion_ext[s])
                        else:
                            _accumulate_sat(acc[s], rg, lon_c, lon_s, lo_a, hi_a,
                                            sat_xyz[t, ka, 0], sat_xyz[t, ka, 1],
                                            sat_xyz[t, ka, 2], sin_mask, los)
                        i += 1
                if cyclic:  # fold the wrapped part back onto columns 0..n_lon-1
                    for s in range(n_sys):
                        for q in range(n_acc_q):
                            aq = acc[s, q]
                            for jj in range(np.uint64(n_lon)):
                                aq[jj] += aq[jj + np.uint64(n_lon)]
                for c in range(n_cfg):
                    _solve_row(acc, c, cfg_group, n_groups_max, n_lon, A, B, N, sel, dop, ok, ns)
                    gap = ep_gap[t, c] != 0  # no ephemeris for a system: not counted
                    if gap:
                        binbuf[tb, c, :, :] = -1
                    else:
                        s_sum = nsat_sum[c]
                        s_min = nsat_min[c]
                        s_max = nsat_max[c]
                        s_sol = n_solution[c]
                        s_av = n_available[c]
                        pd = dop[1]
                        for jj in range(np.uint64(n_lon)):  # vectorised
                            p = base + jj
                            nj = ns[jj]
                            s_sum[p] += nj
                            s_min[p] = min(s_min[p], nj)
                            s_max[p] = max(s_max[p], nj)
                            s_sol[p] += 1 if ok[jj] else 0
                            s_av[p] += 1 if pd[jj] <= pdop_max else 0  # inf without solution
                        for q in range(N_DOP):
                            d_sum = dop_sum[c, q]
                            d_max = dop_max[c, q]
                            dq = dop[q]
                            bits = dop_bits[q]
                            bq = binbuf[tb, c, q]
                            for jj in range(np.uint64(n_lon)):  # vectorised
                                p = base + jj
                                v = dq[jj] if ok[jj] else 0.0
                                d_sum[p] += v
                                d_max[p] = max(d_max[p], v)
                                bq[jj] = _bin_from_bits(bits[jj]) if ok[jj] else -1
                    if keep_time:
                        for j in range(n_lon):
                            p = r * n_lon + j
                            ep_nsat[p, c, t] = ns[j]
                            for q in range(N_DOP):
                                ep_dop[p, c, t, q] = dop[q, j]
                    if weighted:
                        _solve_row_w(acc, c, cfg_group, n_groups_max, n_lon, A, B, N, sel, accq,
                                     ok_w)
                        if gap:
                            binbuf_w[tb, c, :, :] = -1
                        else:
                            s_aa = n_acc_available[c]
                            s_as = n_acc_solution[c]
                            hq = accq[0]
                            vq = accq[1]
                            for jj in range(np.uint64(n_lon)):  # vectorised
                                p = base + jj
                                s_aa[p] += 1 if (hq[jj] <= h95_max) & (vq[jj] <= v95_max) else 0
                                s_as[p] += 1 if ok_w[jj] else 0
                            for q in range(N_ACC):
                                q_sum = acc_sum[c, q]
                                q_max = acc_max[c, q]
                                aqv = accq[q]
                                for jj in range(np.uint64(n_lon)):  # vectorised
                                    p = base + jj
                                    v = aqv[jj] if ok_w[jj] else 0.0
                                    q_sum[p] += v
                                    q_max[p] = max(q_max[p], v)
                            for q in range(N_ACC_HIST):
                                bits = acc_bits[q]
                                bq = binbuf_w[tb, c, q]
                                for jj in range(np.uint64(n_lon)):  # vectorised
                                    bq[jj] = _bin_from_bits(bits[jj]) if ok_w[jj] else -1
                        if keep_time:
                            for j in range(n_lon):
                                p = r * n_lon + j
                                for q in range(N_ACC):
                                    ep_acc[p, c, t, q] = accq[q, j]
            # histogram updates of the block: consecutive increments go to different points,
            # so they do not wait on each other (same-bin runs in time would serialise)
            for c in range(n_cfg):
                for q in range(N_DOP):
                    h = hist[c, q]
                    for tb in range(n_b):
                        bq = binbuf[tb, c, q]
                        for j in range(n_lon):
                            b = bq[j]
                            if b >= 0:
                                h[r * n_lon + j, b] += 1
            if weighted:
                for c in range(n_cfg):
                    for q in range(N_ACC_HIST):
                        h = acc_hist[c, q]
                        for tb in range(n_b):
                            bq = binbuf_w[tb, c, q]
                            for j in range(n_lon):
                                b = bq[j]
                                if b >= 0:
                                    h[r * n_lon + j, b] += 1


@nb.njit(**_JIT)
def _finalize_kernel(n_epochs, nsat_sum, nsat_min, nsat_max, n_solution, n_available,
                     dop_sum, dop_max, hist, edges, out_nsat, out_frac, out_dop):
    """Means, nearest-rank p95 and maxima from running statistics.

    n_epochs (C,): epochs counted per configuration (data gaps left out; 0: every value NaN).
    out_nsat (P, C, 3): mean, min, max; out_frac (P, C, 2): solution fraction,
    availability; out_dop (P, C, 5, 3): mean, p95, max.
    """
    n_cfg, n_pts = nsat_sum.shape
    nan = np.nan
    inf = np.inf
    for c in range(n_cfg):
        n_ep = n_epochs[c]
        rank = max(int(math.ceil(0.95 * n_ep)), 1)  # nearest rank, 1-based
        for p in range(n_pts):
            if n_ep == 0:
                out_nsat[p, c, :] = nan
                out_frac[p, c, :] = nan
                out_dop[p, c, :, :] = nan
                continue
            out_nsat[p, c, 0] = nsat_sum[c, p] / n_ep
            out_nsat[p, c, 1] = nsat_min[c, p]
            out_nsat[p, c, 2] = nsat_max[c, p]
            nsol = n_solution[c, p]
            out_frac[p, c, 0] = nsol / n_ep
            out_frac[p, c, 1] = n_available[c, p] / n_ep
            for j in range(N_DOP):
                if nsol > 0:
                    out_dop[p, c, j, 0] = dop_sum[c, j, p] / nsol
                else:
                    out_dop[p, c, j, 0] = nan
                vmax = dop_max[c, j, p]
                out_dop[p, c, j, 2] = vmax if nsol == n_ep else inf
                if rank > nsol:
                    out_dop[p, c, j, 1] = inf
                    continue
                # count from the top of the finite values: the rank-th smallest is the
                # (nsol - rank + 1)-th largest
                need = nsol - rank + 1
                b = dop_bin_index(vmax)
                cum = 0
                while b > 0:
                    cum += hist[c, j, p, b]
                    if cum >= need:
                        break
                    b -= 1
                upper = edges[b + 1]
                out_dop[p, c, j, 1] = upper if upper < vmax else vmax


def finalize(state: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn running statistics into (nsat[P,C,3], fractions[P,C,2], dops[P,C,5,3])."""
    n_cfg, n_pts = state["nsat_sum"].shape
    out_nsat = np.empty((n_pts, n_cfg, 3))
    out_frac = np.empty((n_pts, n_cfg, 2))
    out_dop = np.empty((n_pts, n_cfg, N_DOP, 3))
    n_epochs = np.ascontiguousarray(state["n_epochs"], dtype=np.int64)
    if n_epochs.shape != (n_cfg,) or n_epochs.max(initial=0) < 1:
        raise ValueError("no epochs were accumulated")
    _finalize_kernel(n_epochs, state["nsat_sum"], state["nsat_min"], state["nsat_max"],
                     state["n_solution"], state["n_available"], state["dop_sum"],
                     state["dop_max"], state["hist"], bin_edges(), out_nsat, out_frac, out_dop)
    return out_nsat, out_frac, out_dop


@nb.njit(**_JIT)
def _finalize_quantities(n_epochs, n_ok, q_sum, q_max, hist, edges, out):
    """Mean (over epochs with a solution), nearest-rank p95 and max (no solution = +inf) of
    quantities with running sums (C, Q, P), maxima and histograms (C, Q, P, N_BINS);
    n_epochs (C,) as in :func:`_finalize_kernel`; out (P, C, Q, 3)."""
    n_cfg, n_q, n_pts = q_sum.shape
    n_hist = hist.shape[1]
    for c in range(n_cfg):
        n_ep = n_epochs[c]
        rank = max(int(math.ceil(0.95 * n_ep)), 1)
        for p in range(n_pts):
            nsol = n_ok[c, p]
            for j in range(n_q):
                if n_ep == 0:
                    out[p, c, j, :] = np.nan
                    continue
                out[p, c, j, 0] = q_sum[c, j, p] / nsol if nsol > 0 else np.nan
                vmax = q_max[c, j, p]
                out[p, c, j, 2] = vmax if nsol == n_ep else np.inf
                if j >= n_hist:
                    out[p, c, j, 1] = np.nan  # no histogram: no p95
                    continue
                if rank > nsol:
                    out[p, c, j, 1] = np.inf
                    continue
                need = nsol - rank + 1
                b = dop_bin_index(vmax)
                cum = 0
                while b > 0:
                    cum += hist[c, j, p, b]
                    if cum >= need:
                        break
                    b -= 1
                upper = edges[b + 1]
                out[p, c, j, 1] = upper if upper < vmax else vmax


def finalize_accuracy(state: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """Accuracy statistics ``(acc[P,C,N_ACC,3], fractions[P,C,2])`` (mean, p95, max; the
    fraction of counted epochs with a weighted solution and the accuracy availability), or
    ``None`` when the state was not weighted."""
    n_cfg, n_pts = state["n_acc_available"].shape
    if n_pts == 0:
        return None
    n_epochs = np.ascontiguousarray(state["n_epochs"], dtype=np.int64)
    out = np.empty((n_pts, n_cfg, N_ACC, 3))
    _finalize_quantities(n_epochs, state["n_acc_solution"], state["acc_sum"], state["acc_max"],
                         state["acc_hist"], bin_edges(), out)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = np.where(n_epochs > 0, n_epochs, np.nan)[:, None]
        frac = np.stack([(state["n_acc_solution"] / den).T,
                         (state["n_acc_available"] / den).T], axis=-1)
    return out, frac
