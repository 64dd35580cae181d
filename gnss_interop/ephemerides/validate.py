"""Broadcast orbits and clocks against precise (SP3) orbits and clocks.

Two levels:

* :func:`compare_with_sp3` and :func:`summarise`: 3-D RMS and maximum of broadcast −
  precise positions per satellite and per (system, orbit class);
* :func:`sisre`: the differences in the satellite's orbit frame (radial, along-track,
  cross-track), the orbit-only and the full (orbit + clock) signal-in-space range error
  (SISRE) per satellite as an :class:`xarray.Dataset`, outliers flagged;
  :func:`sisre_summary` per orbit class or generation, and :func:`sisre_toml` the
  ``sisre_m`` fragment of a receiver profile. :func:`sisre_differences` gives the
  per-epoch differences and :func:`sisre_statistics` turns them into the per-satellite
  table, for notebook users who want either step alone.

Frames and time. Broadcast positions are Earth-fixed in each system's frame (CGCS2000,
PZ-90.11, WGS 84, GTRF), SP3 positions in the file's ITRF realisation (IGS20 for the
shared CODE file); the frames agree to centimetres. Every epoch is GPST (the SP3 epochs,
converted from the file's time system); BeiDou toe/toc are BDT and GLONASS t_b UTC(SU)
in the files, converted to GPST when read (:mod:`gnss_interop.timescales`).

What the differences hold besides broadcast error: broadcast orbits refer to the antenna
phase centre (APC) of the operator's convention, SP3 to the centre of mass: a radial
offset of about a metre per class, reported as ``mean_radial_m``. Expect 1–3 m 3-D for
BeiDou MEO/IGSO, 2–5 m for GLONASS, about 1–2 m for GPS and under 1 m for Galileo.

Radial/along/cross (RAC): e_R = r/|r|, e_C = r × v/|r × v|, e_A = e_C × e_R, from the
SP3 position r and the *inertial* velocity v = v_ECEF + ω_E × r (the Earth-fixed
velocity of a GEO is nearly zero and would give no orbit plane). v_ECEF comes from the
SP3 velocity records when the file has them, else from central differences of the SP3
positions (second order, :func:`numpy.gradient`); ``attrs["velocity"]`` says which.

SISRE (Montenbruck et al. 2018; weights :data:`~gnss_interop.constants.SISRE_WEIGHTS`)::

    SISRE_orb = sqrt( (w_R·R)² + w_AC²·(A² + C²) )
    SISRE     = sqrt( (w_R·R − c·Δt − datum)² + w_AC²·(A² + C²) )

per epoch, then RMS over the epochs of a satellite. Δt is broadcast − precise clock after
three alignments (:func:`clock_differences_m`):

1. *reference signals*: SP3 clocks refer to the ionosphere-free combination the analysis
   centre processed (IGS MGEX: GPS L1/L2, GLONASS G1/G2, Galileo E1/E5a, BeiDou B1I/B3I);
   a broadcast clock refers to its ICD's reference: GPS LNAV L1/L2 P(Y) ionosphere-free
   (as the SP3), Galileo F/NAV E1/E5a (as the SP3) and I/NAV E1/E5b (moved to E1/E5a with
   + BGD(E1,E5a) − BGD(E1,E5b)), BeiDou D1/D2 the single signal B3I (moved to B1I/B3I with
   −γ·T_GD1, γ = f_B1I²/(f_B1I² − f_B3I²) ≈ 2.944; B-CNAV records carry no T_GD1 and are
   left out of the clock comparison), GLONASS G1 (not moved: RINEX 3 records carry no
   Δτ_n, and the inter-frequency biases of FDMA are unknown; a constant offset of a few
   nanoseconds per satellite stays in the GLONASS SISRE);
2. *relativity*: Keplerian broadcast clocks and SP3 clocks both exclude the periodic term
   −2 r·v/c²; GLONASS broadcast clocks include it, so it is added to the SP3 clock;
3. *datum*, per epoch: the mean of w_R·R − c·Δt over the satellites of the group (system,
   or with ``clock_datum="generation"`` generation; outliers left out; at least
   :data:`DATUM_MIN_SATELLITES`) is removed. It holds the offset between the broadcast
   system time (BDT, GLONASST, GPST, GST) and the SP3 time scale (GPST), the mean hardware
   delay of the reference signals, and what the constellation shares in the radial and
   clock: the APC-vs-centre-of-mass offset above, which the broadcast clocks absorb
   (orbit and clock of a broadcast message are fitted together to the APC). A user's
   receiver-clock estimate absorbs the same common part, so it is no range error.
   ``mean_clock_residual_m`` (the per-satellite mean of what is left) shows offsets that
   stay: on the shared 2023-07-08 file BDS-2 and BDS-3 clocks differ by about 6 m
   (20 ns) after the B1I/B3I alignment, so one BeiDou datum leaves ~−4.5 m on BDS-2 and
   ~+1.7 m on BDS-3 (README, "Validation"); ``clock_datum="generation"`` gives each
   generation its own datum.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from gnss_interop.systems.clocks import align_clocks_to_precise
from gnss_interop.constants import (
    C_LIGHT_M_S,
    EARTH_ROTATION_IERS_RAD_S,
    SISRE_WEIGHTS,
    VALIDATE_OUTLIER_M,
)
from gnss_interop.ephemerides.store import Ephemerides
from gnss_interop.errors import EphemerisRangeWarning, NoCommonDataError
from gnss_interop.reading.sp3 import PreciseOrbits, read_sp3
from gnss_interop.systems import OrbitClass, System, spec, sv_system
from gnss_interop.timescales import from_gpst_seconds

__all__ = [
    "DATUM_MIN_SATELLITES",
    "OrbitComparison",
    "clock_differences_m",
    "compare_with_sp3",
    "inertial_velocity",
    "precise_velocity",
    "rac_components",
    "rac_unit_vectors",
    "sisre",
    "sisre_differences",
    "sisre_from_rac",
    "sisre_statistics",
    "sisre_summary",
    "sisre_toml",
    "sisre_weights",
    "summarise",
]

#: Fewest satellites of a group with a clock difference at an epoch for the clock datum of
#: that epoch: with one the datum would absorb the satellite's whole clock error, with two
#: half of it; three is the least that leaves each satellite most of its own. Below it the
#: epoch has no full SISRE (``clock_datum="generation"`` falls back to the system datum).
DATUM_MIN_SATELLITES = 3

WEIGHTS_SOURCE = ("Montenbruck, Steigenberger & Hauschild (2018), Adv. Space Res. 61(12):"
                  "3020-3038, doi 10.1016/j.asr.2018.03.041 (global average, 0 deg mask)")


# ------------------------------------------------------------------ 3-D comparison (v1)
@dataclass(frozen=True)
class OrbitComparison:
    """3-D broadcast − precise differences of one satellite."""

    sv: str
    kind: str          # orbit class: "GEO", "IGSO" or "MEO"
    n_epochs: int
    rms_m: float
    max_m: float

    @property
    def system(self) -> str:
        """Display name of the satellite's system (``"BeiDou"``, ``"GPS"``, ...)."""
        return sv_system(self.sv).display_name


def _precise(sp3: PreciseOrbits | str | Path) -> PreciseOrbits:
    return sp3 if isinstance(sp3, PreciseOrbits) else read_sp3(sp3)


def _broadcast_positions(eph: Ephemerides, precise: PreciseOrbits, svs: Sequence[str]
                         ) -> NDArray[np.float64]:
    """(T, S, 3) broadcast positions at the SP3 epochs (GPST); NaN outside the validity
    windows, without a range warning (SP3 epochs outside them are simply not compared)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EphemerisRangeWarning)
        return eph.positions(from_gpst_seconds(precise.t_gpst), svs=list(svs)).values


def compare_with_sp3(eph: Ephemerides, sp3: PreciseOrbits | str | Path) -> list[OrbitComparison]:
    """Per-satellite 3-D RMS and maximum of broadcast − precise positions.

    Compared at every SP3 epoch where both exist (SP3 epochs outside the
    broadcast validity are simply not compared, so no range warning is given).
    """
    precise = _precise(sp3)
    common = [s for s in eph.svs if s in precise.sv]
    if not common:
        return []
    cols = [precise.sv.index(s) for s in common]
    brdc = _broadcast_positions(eph, precise, common)
    diff = np.linalg.norm(brdc - precise.xyz_m[:, cols, :], axis=-1)
    out = []
    for j, sv in enumerate(common):
        d = diff[:, j]
        d = d[np.isfinite(d)]
        if d.size:
            out.append(OrbitComparison(sv, eph.orbit_class(sv).name, int(d.size),
                                       float(np.sqrt(np.mean(d**2))), float(d.max())))
    return out


def summarise(rows: list[OrbitComparison], outlier_m: float | None = None
              ) -> list[tuple[str, str, int, int, float, float]]:
    """Per (system, kind): number of satellites, epochs, 3-D RMS [m], max [m].

    ``outlier_m``: leave out satellites whose 3-D RMS exceeds it (default: keep all).
    """
    groups: dict[tuple[str, str], list[OrbitComparison]] = {}
    for r in rows:
        if outlier_m is not None and r.rms_m > outlier_m:
            continue
        groups.setdefault((r.system, r.kind), []).append(r)
    order = {s.display_name: k for k, s in enumerate(System)}
    out = []
    for (system, kind), rs in sorted(groups.items(), key=lambda g: (order[g[0][0]], g[0][1])):
        n = sum(r.n_epochs for r in rs)
        rms = float(np.sqrt(sum(r.rms_m**2 * r.n_epochs for r in rs) / n))
        out.append((system, kind, len(rs), n, rms, max(r.max_m for r in rs)))
    return out


# ------------------------------------------------------------------ orbit frame
def inertial_velocity(pos_m: NDArray[np.float64], vel_ecef_m_s: NDArray[np.float64],
                      omega_rad_s: float = EARTH_ROTATION_IERS_RAD_S) -> NDArray[np.float64]:
    """Inertial velocity [m/s], in Earth-fixed axes: v_ECEF + ω × r, ω = (0, 0, ω_E).

    ``pos_m`` and ``vel_ecef_m_s`` (..., 3) are Earth-fixed (ECEF, e.g. IGS20).
    """
    p = np.asarray(pos_m, dtype=np.float64)
    v = np.array(vel_ecef_m_s, dtype=np.float64)
    v[..., 0] -= omega_rad_s * p[..., 1]
    v[..., 1] += omega_rad_s * p[..., 0]
    return v


def rac_unit_vectors(pos_m: NDArray[np.float64], vel_inertial_m_s: NDArray[np.float64]
                     ) -> NDArray[np.float64]:
    """Unit vectors of the orbit frame, shape (..., 3, 3): rows e_R, e_A, e_C.

    e_R = r/|r| (radial, outwards), e_C = r × v/|r × v| (cross-track, along the orbit
    normal), e_A = e_C × e_R (along-track: along v for a circular orbit). ``pos_m`` and
    ``vel_inertial_m_s`` (..., 3) in the same axes (Earth-fixed axes with the inertial
    velocity of :func:`inertial_velocity`).
    """
    r = np.asarray(pos_m, dtype=np.float64)
    v = np.asarray(vel_inertial_m_s, dtype=np.float64)
    e_r = r / np.linalg.norm(r, axis=-1, keepdims=True)
    h = np.cross(r, v)
    e_c = h / np.linalg.norm(h, axis=-1, keepdims=True)
    e_a = np.cross(e_c, e_r)
    return np.stack([e_r, e_a, e_c], axis=-2)


def rac_components(diff_m: NDArray[np.float64], pos_m: NDArray[np.float64],
                   vel_inertial_m_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """A position difference (..., 3) [m] as (..., 3) radial, along-track, cross-track [m]
    in the orbit frame of ``pos_m``, ``vel_inertial_m_s`` (:func:`rac_unit_vectors`)."""
    e = rac_unit_vectors(pos_m, vel_inertial_m_s)
    return np.einsum("...ij,...j->...i", e, np.asarray(diff_m, dtype=np.float64))


def precise_velocity(precise: PreciseOrbits) -> tuple[NDArray[np.float64], str]:
    """Earth-fixed SP3 velocities (T, S, 3) [m/s] and where they come from.

    The file's velocity records if it has them; otherwise central differences of the
    positions over the epochs (second order at the ends, :func:`numpy.gradient` with the
    actual epoch spacing). For a 5-min MEO file the differenced velocity is off by about
    h²/6·|d³r/dt³| ≈ 1 m/s of 3.9 km/s: the orbit frame turns by < 3e-4 rad, under 1 mm
    on a 3 m difference. Epochs next to a gap get NaN.
    """
    if precise.vel_m_s is not None:
        return precise.vel_m_s, "SP3 velocity records"
    if precise.t_gpst.size < 3:
        return np.full_like(precise.xyz_m, np.nan), "none (fewer than 3 SP3 epochs)"
    vel = np.gradient(precise.xyz_m, precise.t_gpst, axis=0, edge_order=2)
    return vel, "central differences of SP3 positions (the file has no velocity records)"


# ------------------------------------------------------------------ SISRE
def sisre_weights(sv_or_letter: str, orbit_class: OrbitClass | str) -> tuple[float, float]:
    """(w_R, w_AC²) of a satellite's system and orbit class (:data:`SISRE_WEIGHTS`)."""
    kind = orbit_class.name if isinstance(orbit_class, OrbitClass) else str(orbit_class)
    key = (sv_or_letter[0], kind)
    if key not in SISRE_WEIGHTS:
        known = ", ".join(f"{a} {b}" for a, b in SISRE_WEIGHTS)
        raise ValueError(f"no SISRE weights for system {key[0]!r} orbit class {kind}; known: "
                         f"{known}")
    return SISRE_WEIGHTS[key]


def sisre_from_rac(radial_m: NDArray[np.float64], along_m: NDArray[np.float64],
                   cross_m: NDArray[np.float64], w_radial: NDArray[np.float64] | float,
                   w_along_cross_sq: NDArray[np.float64] | float,
                   clock_m: NDArray[np.float64] | float = 0.0) -> NDArray[np.float64]:
    """Instantaneous SISRE [m]: sqrt((w_R·R − clock)² + w_AC²·(A² + C²)).

    ``clock_m`` is c·Δt with every alignment and the datum already removed (0: the
    orbit-only SISRE). Element-wise, any broadcastable shapes.
    """
    rad = np.asarray(w_radial) * np.asarray(radial_m) - np.asarray(clock_m)
    return np.sqrt(rad * rad + np.asarray(w_along_cross_sq)
                   * (np.asarray(along_m) ** 2 + np.asarray(cross_m) ** 2))


def clock_differences_m(eph: Ephemerides, precise: PreciseOrbits, svs: Sequence[str],
                        vel_ecef_m_s: NDArray[np.float64] | None = None
                        ) -> tuple[NDArray[np.float64], list[str]]:
    """c·(broadcast − precise clock) [m], (T, S) at the SP3 epochs, before any datum, and
    notes on what was aligned (the module docstring, steps 1 and 2).

    ``svs`` must be in ``precise.sv``; ``vel_ecef_m_s`` (T, S, 3) for the GLONASS
    relativistic term (default: :func:`precise_velocity`). All NaN, with a note, when the
    SP3 file has no clocks.
    """
    svs = list(svs)
    cols = [precise.sv.index(s) for s in svs]
    shape = (precise.t_gpst.size, len(svs))
    if precise.clock_s is None or not np.isfinite(precise.clock_s[:, cols]).any():
        return np.full(shape, np.nan), ["the SP3 file has no satellite clocks: only the "
                                        "orbit-only SISRE is computed"]
    times = from_gpst_seconds(precise.t_gpst)
    brdc = eph.clock_offsets(times, svs).values
    f = eph.record_fields(times, svs, ["message", "tgd1", "bgd_e5a_e1", "bgd_e5b_e1"])
    prec = precise.clock_s[:, cols].copy()
    letter = np.array([s[0] for s in svs])
    if np.any(letter == "R") and vel_ecef_m_s is None:
        vel_ecef_m_s = precise_velocity(precise)[0][:, cols]
    brdc, prec, notes = align_clocks_to_precise(letter, brdc, prec, f,
                                                precise.xyz_m[:, cols], vel_ecef_m_s)
    return C_LIGHT_M_S * (brdc - prec), notes


def sisre_differences(eph: Ephemerides, sp3: PreciseOrbits | str | Path, *,
                      catalogue=None) -> xr.Dataset:
    """Broadcast − precise differences at every SP3 epoch, per satellite.

    Parameters
    ----------
    eph
        Broadcast ephemerides (:func:`~gnss_interop.ephemerides.store.load_ephemerides`).
    sp3
        Precise orbits (:class:`~gnss_interop.reading.sp3.PreciseOrbits` or a path).
    catalogue
        Satellite catalogue for the generations (default: ``eph.catalogue()`` on the
        middle SP3 epoch, from the shipped IGS metadata).

    Returns
    -------
    xarray.Dataset
        dims ``(time, sv)``, time GPST: ``radial_m``, ``along_m``, ``cross_m`` (orbit
        frame of the SP3 orbit, broadcast − precise), ``clock_m`` (c·Δt, broadcast −
        precise after the signal and relativity alignment, before the datum; NaN
        without SP3 clocks); per satellite the coordinates ``system``, ``orbit_class``,
        ``generation``, ``w_radial``, ``w_along_cross_sq``. Only satellites compared at
        one epoch at least.

    Raises
    ------
    NoCommonDataError
        No satellite and epoch in common.
    """
    precise = _precise(sp3)
    common = [s for s in eph.svs if s in precise.sv]
    cols = [precise.sv.index(s) for s in common]
    brdc = _broadcast_positions(eph, precise, common) if common else np.zeros((0, 0, 3))
    pos = precise.xyz_m[:, cols, :]
    keep = np.isfinite(brdc - pos).all(axis=-1).any(axis=0) if common else np.zeros(0, bool)
    if not np.any(keep):
        raise NoCommonDataError(
            f"no satellite and epoch in common between the broadcast orbits "
            f"({', '.join(Path(s).name for s in eph.sources)}) and the precise orbits",
            precise.path)
    svs = [s for s, k in zip(common, keep) if k]
    cols = [c for c, k in zip(cols, keep) if k]
    brdc, pos = brdc[:, keep], pos[:, keep]
    vel_all, vel_source = precise_velocity(precise)
    vel = vel_all[:, cols]
    rac = rac_components(brdc - pos, pos, inertial_velocity(pos, vel))
    clock_m, notes = clock_differences_m(eph, precise, svs, vel)
    times = from_gpst_seconds(precise.t_gpst)
    if catalogue is None:
        catalogue = eph.catalogue(date=times[times.size // 2])
    kinds = [eph.orbit_class(s) for s in svs]
    weights = np.array([sisre_weights(s, k) for s, k in zip(svs, kinds)])
    sv_dim = ("sv",)
    return xr.Dataset(
        {"radial_m": (("time", "sv"), rac[..., 0], {"units": "m", "long_name": "radial"}),
         "along_m": (("time", "sv"), rac[..., 1], {"units": "m", "long_name": "along-track"}),
         "cross_m": (("time", "sv"), rac[..., 2], {"units": "m", "long_name": "cross-track"}),
         "clock_m": (("time", "sv"), clock_m,
                     {"units": "m", "long_name": "c * (broadcast - precise clock), aligned, "
                                                 "before the datum"})},
        coords={"time": times, "sv": np.array(svs, dtype="<U3"),
                "system": (sv_dim, [sv_system(s).display_name for s in svs]),
                "orbit_class": (sv_dim, [k.name for k in kinds]),
                "generation": (sv_dim, [catalogue[s].generation.name if s in catalogue
                                        else "" for s in svs]),
                "w_radial": (sv_dim, weights[:, 0]),
                "w_along_cross_sq": (sv_dim, weights[:, 1])},
        attrs={"broadcast": "; ".join(Path(s).name for s in eph.sources),
               "precise": Path(precise.path).name,
               "precise_frame": precise.frame,
               "frame": "differences broadcast - precise in the orbit frame (radial, "
                        "along, cross) of the SP3 orbit; positions Earth-fixed (broadcast "
                        f"frames vs {precise.frame})",
               "time_scale": "GPST",
               "velocity": vel_source,
               "clock_notes": " | ".join(notes),
               "weights_source": WEIGHTS_SOURCE,
               # records the screening excluded (never compared: not in any statistics)
               # and healthy records it could not cross-check (compared, listed)
               **eph.screening_summary()})


def _count_mean(x: NDArray[np.float64], axis: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Number of finite values and their mean along ``axis`` (NaN where none, no warning)."""
    ok = np.isfinite(x)
    n = ok.sum(axis=axis)
    s = np.where(ok, x, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return n, np.where(n > 0, s / np.maximum(n, 1), np.nan)


def _rms(x: NDArray[np.float64], axis: int = 0) -> NDArray[np.float64]:
    return np.sqrt(_count_mean(x * x, axis)[1])


def _group_datum(x: NDArray[np.float64], groups: NDArray[np.str_], usable: NDArray[np.bool_]
                 ) -> NDArray[np.float64]:
    """(T, S) per-epoch mean of ``x`` over the usable satellites of each group, NaN where
    fewer than :data:`DATUM_MIN_SATELLITES` have a value."""
    out = np.full(x.shape, np.nan)
    for g in np.unique(groups):
        members = groups == g
        n, mean = _count_mean(np.where(usable[None, :] & members[None, :], x, np.nan), axis=1)
        mean = np.where(n >= DATUM_MIN_SATELLITES, mean, np.nan)
        out[:, members] = mean[:, None]
    return out


def sisre_statistics(diff: xr.Dataset, *, outlier_m: float = VALIDATE_OUTLIER_M,
                     clock_datum: Literal["system", "generation"] = "generation") -> xr.Dataset:
    """Per-satellite statistics of :func:`sisre_differences`.

    ``outlier_m``: a satellite whose 3-D RMS exceeds it is flagged ``outlier`` and left out
    of the clock datum (and of :func:`sisre_summary`). ``clock_datum``: the group whose
    per-epoch mean is removed from w_R·R − c·Δt: each ``"system"``, or each
    ``"generation"`` (falling back to the system's datum at epochs where the generation
    has fewer than :data:`DATUM_MIN_SATELLITES` satellites).

    Returns
    -------
    xarray.Dataset
        dim ``sv`` (coordinates as in the input): ``n_epochs``, ``n_clock_epochs``,
        ``rms_radial_m``, ``rms_along_m``, ``rms_cross_m``, ``mean_radial_m``,
        ``rms_3d_m``, ``max_3d_m``, ``sisre_orbit_m``, ``sisre_m`` (orbit + clock, NaN
        without clocks), ``mean_clock_residual_m`` (mean of w_R·R − c·Δt − datum: the
        satellite's constant range offset), ``outlier``; attrs of the input plus the
        threshold, the datum and the formulas.
    """
    if clock_datum not in ("system", "generation"):
        raise ValueError(f"clock_datum must be 'system' or 'generation', got {clock_datum!r}")
    r = diff["radial_m"].values
    a = diff["along_m"].values
    c = diff["cross_m"].values
    w_r = diff["w_radial"].values
    w_ac2 = diff["w_along_cross_sq"].values
    d3 = np.sqrt(r * r + a * a + c * c)
    n_epochs, mean_r = _count_mean(r, axis=0)
    rms_3d = _rms(d3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN columns: NaN is right
        max_3d = np.nanmax(np.where(np.isfinite(d3), d3, -np.inf), axis=0)
    max_3d = np.where(n_epochs > 0, max_3d, np.nan)
    outlier = ~(rms_3d <= outlier_m)
    transverse = w_ac2 * (a * a + c * c)
    sisre_orbit = np.sqrt(_count_mean((w_r * r) ** 2 + transverse, axis=0)[1])
    x = w_r * r - diff["clock_m"].values
    usable = ~outlier
    systems = diff["system"].values.astype(str)
    datum = _group_datum(x, systems, usable)
    if clock_datum == "generation":
        per_gen = _group_datum(x, np.char.add(np.char.add(systems, "|"),
                                              diff["generation"].values.astype(str)), usable)
        datum = np.where(np.isfinite(per_gen), per_gen, datum)
    resid = x - datum
    n_clock, mean_clock = _count_mean(resid, axis=0)
    full = np.sqrt(_count_mean(resid * resid + transverse, axis=0)[1])

    def var(values, units="m", **attrs):
        return ("sv", values, {"units": units, **attrs} if units else attrs)

    ds = xr.Dataset(
        {"n_epochs": var(n_epochs, "", long_name="epochs compared"),
         "n_clock_epochs": var(n_clock, "", long_name="epochs with a clock difference and datum"),
         "rms_radial_m": var(_rms(r)), "rms_along_m": var(_rms(a)),
         "rms_cross_m": var(_rms(c)), "mean_radial_m": var(mean_r, long_name="mean radial (bias)"),
         "rms_3d_m": var(rms_3d), "max_3d_m": var(max_3d),
         "sisre_orbit_m": var(sisre_orbit, long_name="orbit-only SISRE (RMS)"),
         "sisre_m": var(full, long_name="SISRE, orbit and clock (RMS)"),
         "mean_clock_residual_m": var(mean_clock, long_name="mean of w_R*R - c*dt - datum"),
         "outlier": var(outlier, "", long_name=f"3-D RMS above {outlier_m:g} m")},
        coords={k: diff.coords[k] for k in ("sv", "system", "orbit_class", "generation",
                                            "w_radial", "w_along_cross_sq")},
        attrs=dict(diff.attrs))
    compared = diff["time"].values[np.isfinite(r).any(axis=1)]
    ds.attrs.update(
        outlier_threshold_m=float(outlier_m), clock_datum=clock_datum,
        time_start_gpst=str(compared[0])[:19] if compared.size else "",
        time_end_gpst=str(compared[-1])[:19] if compared.size else "",
        formula="SISRE_orb = sqrt((w_R*R)^2 + w_AC^2*(A^2+C^2)); SISRE = sqrt((w_R*R - c*dt "
                "- datum)^2 + w_AC^2*(A^2+C^2)), per epoch, RMS over epochs",
        datum=f"per epoch, mean of w_R*R - c*dt over the non-outlier satellites of each "
              f"{clock_datum} (at least {DATUM_MIN_SATELLITES}"
              + (", else the system's" if clock_datum == "generation" else "") + ")")
    return ds


def sisre(eph: Ephemerides, sp3: PreciseOrbits | str | Path, *,
          outlier_m: float = VALIDATE_OUTLIER_M,
          clock_datum: Literal["system", "generation"] = "generation",
          catalogue=None) -> xr.Dataset:
    """Per-satellite radial/along/cross RMS, 3-D RMS, orbit-only and full SISRE of the
    broadcast ephemerides against an SP3 file (:func:`sisre_differences` then
    :func:`sisre_statistics`; the module docstring says what is aligned and removed).

    Returns an :class:`xarray.Dataset` with dim ``sv``; ``attrs`` name the files, the
    span (GPST), the weights and their source, the velocity source, the clock notes,
    the datum and the outlier threshold.
    """
    return sisre_statistics(sisre_differences(eph, sp3, catalogue=catalogue),
                            outlier_m=outlier_m, clock_datum=clock_datum)


_SUMMED = ("rms_radial_m", "rms_along_m", "rms_cross_m", "rms_3d_m", "sisre_orbit_m")


def sisre_summary(ds: xr.Dataset, by: str | Sequence[str] = ("system", "orbit_class")
                  ) -> xr.Dataset:
    """Statistics per group of satellites of :func:`sisre`, outliers left out.

    ``by``: ``"class"`` (= ``("system", "orbit_class")``), ``"generation"`` (=
    ``("system", "generation")``) or any tuple of ``sv`` coordinates. RMS values pool
    every epoch of the group's satellites (sqrt(Σ n·rms² / Σ n)), means are
    epoch-weighted, ``max_3d_m`` is the largest. Returns a Dataset with dim ``group``,
    one coordinate per key, and ``n_sv``, ``n_epochs``, ``n_clock_epochs``, the RMS
    values, ``mean_radial_m``, ``max_3d_m``, ``sisre_m``, ``mean_clock_residual_m``;
    ``attrs["outliers"]`` lists the satellites left out.
    """
    if isinstance(by, str):
        by = {"class": ("system", "orbit_class"), "generation": ("system", "generation")
              }.get(by, (by,))
    keep = ~ds["outlier"].values
    keys = [tuple(str(ds[k].values[j]) for k in by) for j in range(ds.sizes["sv"])]
    sys_order = {s.display_name: i for i, s in enumerate(System)}

    def rank(key: tuple[str, ...]) -> tuple:
        out: list = []
        for name, value in zip(by, key):
            if name == "system":
                out.append(sys_order.get(value, 99))
            elif name == "generation":
                gens = [g.name for e in System for g in _generations(e)]
                out.append(gens.index(value) if value in gens else 99)
            out.append(value)
        return tuple(out)

    groups = sorted({k for k, ok in zip(keys, keep) if ok}, key=rank)
    n = ds["n_epochs"].values.astype(float)
    nc = ds["n_clock_epochs"].values.astype(float)
    rows: dict[str, list[float]] = {v: [] for v in ("n_sv", "n_epochs", "n_clock_epochs",
                                                    *_SUMMED, "mean_radial_m", "max_3d_m",
                                                    "sisre_m", "mean_clock_residual_m")}
    for g in groups:
        m = keep & np.array([k == g for k in keys])
        rows["n_sv"].append(int(m.sum()))
        rows["n_epochs"].append(int(n[m].sum()))
        rows["n_clock_epochs"].append(int(nc[m].sum()))
        for v in _SUMMED:
            rows[v].append(float(np.sqrt(np.nansum(n[m] * ds[v].values[m] ** 2) / n[m].sum())))
        rows["mean_radial_m"].append(float(np.nansum(n[m] * ds["mean_radial_m"].values[m])
                                           / n[m].sum()))
        rows["max_3d_m"].append(float(np.nanmax(ds["max_3d_m"].values[m])))
        if nc[m].sum() > 0:
            rows["sisre_m"].append(float(np.sqrt(np.nansum(nc[m] * ds["sisre_m"].values[m] ** 2)
                                                 / nc[m].sum())))
            rows["mean_clock_residual_m"].append(float(
                np.nansum(nc[m] * ds["mean_clock_residual_m"].values[m]) / nc[m].sum()))
        else:
            rows["sisre_m"].append(np.nan)
            rows["mean_clock_residual_m"].append(np.nan)
    out = xr.Dataset({k: ("group", np.array(v)) for k, v in rows.items()},
                     coords={k: ("group", [g[i] for g in groups]) for i, k in enumerate(by)},
                     attrs=dict(ds.attrs))
    out.attrs["grouped_by"] = ", ".join(by)
    out.attrs["outliers"] = ", ".join(ds["sv"].values[~keep].tolist())
    return out


def _generations(system: System):
    try:
        return spec(system).generations
    except ValueError:
        return ()


def sisre_toml(ds: xr.Dataset) -> str:
    """The ``sisre_m`` line of a receiver profile (``[receiver]`` of a scenario, or
    ``ReceiverProfile(sisre_m=...)``), with comment lines saying what was measured.

    One value per generation measured (outliers left out): the full SISRE where the SP3
    file had clocks, else the orbit-only SISRE (the comment says which), in metres to
    two decimals.
    """
    summary = sisre_summary(ds, by="generation")
    gens = summary["generation"].values.tolist()
    full = summary["sisre_m"].values
    orbit = summary["sisre_orbit_m"].values
    parts, kinds = [], set()
    for g, f, o in zip(gens, full, orbit):
        if not g:
            continue
        value = f if np.isfinite(f) else o
        kinds.add("orbit and clock" if np.isfinite(f) else "orbit only")
        parts.append(f'"{g}" = {value:.2f}')
    a = ds.attrs
    lines = [f"# sisre_m measured by gnss-interop validate: broadcast {a.get('broadcast', '?')} "
             f"against {a.get('precise', '?')} ({a.get('precise_frame', '?')}),",
             f"# {a.get('time_start_gpst', '?')} to {a.get('time_end_gpst', '?')} GPST; "
             f"SISRE {' / '.join(sorted(kinds))} (RMS over satellites and epochs, "
             f"clock datum per {a.get('clock_datum', 'system')}"
             + (f", outliers left out: {summary.attrs['outliers']}" if summary.attrs["outliers"]
                else "") + ")",
             "sisre_m = { " + ", ".join(parts) + " }"]
    return "\n".join(lines)
