"""Broadcast orbits against precise (SP3) orbits.

Differences include, besides broadcast orbit error, the antenna-phase-centre
(broadcast) vs centre-of-mass (SP3) offset and the broadcast-frame (CGCS2000,
PZ-90.11, WGS 84, GTRF) vs IGS20 difference: expect 1–3 m for BeiDou MEO/IGSO,
2–5 m for GLONASS, about 1–2 m for GPS and under 1 m for Galileo.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gnss_interop.ephemerides.store import Ephemerides
from gnss_interop.errors import EphemerisRangeWarning
from gnss_interop.reading.sp3 import PreciseOrbits, read_sp3
from gnss_interop.systems import System, sv_system
from gnss_interop.timescales import from_gpst_seconds

__all__ = ["OrbitComparison", "compare_with_sp3"]


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


def compare_with_sp3(eph: Ephemerides, sp3: PreciseOrbits | str | Path) -> list[OrbitComparison]:
    """Per-satellite 3-D RMS and maximum of broadcast − precise positions.

    Compared at every SP3 epoch where both exist (SP3 epochs outside the
    broadcast validity are simply not compared, so no range warning is given).
    """
    precise = sp3 if isinstance(sp3, PreciseOrbits) else read_sp3(sp3)
    common = [s for s in eph.svs if s in precise.sv]
    if not common:
        return []
    cols = [precise.sv.index(s) for s in common]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EphemerisRangeWarning)
        brdc = eph.positions(from_gpst_seconds(precise.t_gpst), svs=common).values
    diff = np.linalg.norm(brdc - precise.xyz_m[:, cols, :], axis=-1)
    out = []
    for j, sv in enumerate(common):
        d = diff[:, j]
        d = d[np.isfinite(d)]
        if d.size:
            out.append(OrbitComparison(sv, eph.orbit_class(sv).name, int(d.size),
                                       float(np.sqrt(np.mean(d**2))), float(d.max())))
    return out


def summarise(rows: list[OrbitComparison]) -> list[tuple[str, str, int, int, float, float]]:
    """Per (system, kind): number of satellites, epochs, 3-D RMS [m], max [m]."""
    groups: dict[tuple[str, str], list[OrbitComparison]] = {}
    for r in rows:
        groups.setdefault((r.system, r.kind), []).append(r)
    order = {s.display_name: k for k, s in enumerate(System)}
    out = []
    for (system, kind), rs in sorted(groups.items(), key=lambda g: (order[g[0][0]], g[0][1])):
        n = sum(r.n_epochs for r in rs)
        rms = float(np.sqrt(sum(r.rms_m**2 * r.n_epochs for r in rs) / n))
        out.append((system, kind, len(rs), n, rms, max(r.max_m for r in rs)))
    return out
