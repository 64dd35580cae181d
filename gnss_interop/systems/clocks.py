"""Per-system alignment of broadcast clocks to a precise (SP3) product's clock convention.

System knowledge, so it lives with the systems: which signals each broadcast clock refers
to (BeiDou D1/D2: B3I, moved to the B1I/B3I ionosphere-free combination of the products
with T_GD1; Galileo I/NAV: E1/E5b, moved to E1/E5a with the BGDs; GPS LNAV: L1/L2 P(Y),
as the products), and GLONASS's periodic relativistic term (in its broadcast clock, not
in the products). Used by :mod:`gnss_interop.ephemerides.validate`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gnss_interop.constants import C_LIGHT_M_S
from gnss_interop.systems.enums import System
from gnss_interop.systems.registry import spec

__all__ = ["align_clocks_to_precise"]


def _gamma(system: System, a: str, b: str) -> float:
    """f_a² / (f_a² − f_b²) of two signals of ``system`` (ionosphere-free factor of ``a``)."""
    fa, fb = spec(system).signal(a).freq_hz, spec(system).signal(b).freq_hz
    return fa * fa / (fa * fa - fb * fb)


def align_clocks_to_precise(letter: NDArray, brdc: NDArray[np.float64],
                            prec: NDArray[np.float64], f: dict[str, NDArray],
                            xyz_m: NDArray[np.float64], vel_ecef_m_s: NDArray[np.float64] | None
                            ) -> tuple[NDArray[np.float64], NDArray[np.float64], list[str]]:
    """Broadcast and precise clocks [s] (T, S) on one convention, and notes on what was done.

    ``letter`` (S,) the satellites' system letters; ``f`` the record fields "message",
    "tgd1", "bgd_e5a_e1", "bgd_e5b_e1" (T, S); ``xyz_m`` and ``vel_ecef_m_s`` (T, S, 3) the
    precise Earth-fixed positions and velocities (GLONASS relativistic term).
    """
    notes: list[str] = []
    notes: list[str] = []
    if np.any(letter == "C"):
        bds = letter == "C"
        g = _gamma(System.BEIDOU, "B1I", "B3I")
        d1d2 = np.isin(f["message"], ("D1", "D2", "D1D2"))
        aligned = np.where(d1d2, brdc - g * f["tgd1"], np.nan)
        lost = bds & np.isfinite(brdc) & ~np.isfinite(aligned)
        brdc = np.where(bds, aligned, brdc)
        notes.append(f"BeiDou: broadcast clocks refer to B3I; moved to the B1I/B3I "
                     f"ionosphere-free combination of the SP3 with -{g:.3f}*T_GD1"
                     + (f"; {int(lost.sum())} satellite-epochs from B-CNAV records (no "
                        f"T_GD1) left out of the clock comparison" if lost.any() else ""))
    if np.any(letter == "E"):
        inav = (letter == "E") & (f["message"] == "INAV")
        shift = np.nan_to_num(f["bgd_e5a_e1"]) - np.nan_to_num(f["bgd_e5b_e1"])
        brdc = np.where(inav, brdc + shift, brdc)
        notes.append("Galileo: I/NAV clocks (E1/E5b) moved to E1/E5a with "
                     "+BGD(E1,E5a) - BGD(E1,E5b); F/NAV clocks are E1/E5a already")
    if np.any(letter == "G"):
        notes.append("GPS: LNAV clocks refer to L1/L2 P(Y) ionosphere-free, as the SP3")
    if np.any(letter == "R"):
        glo = letter == "R"
        rv = np.einsum("tsi,tsi->ts", xyz_m, vel_ecef_m_s)
        prec = np.where(glo, prec - 2.0 * rv / C_LIGHT_M_S**2, prec)
        notes.append("GLONASS: broadcast clocks include the periodic relativistic term, "
                     "added to the SP3 clocks (-2 r.v/c^2); they refer to G1, not moved to "
                     "the SP3's G1/G2 combination (no Delta tau_n in RINEX 3, FDMA "
                     "inter-frequency biases unknown): a constant offset of a few ns per "
                     "satellite stays in the GLONASS SISRE")
    return brdc, prec, notes
