"""Minimal reader for SP3-c/d precise orbit files: positions, clocks and velocities.

SP3-d format: IGS, "The Extended Standard Product 3 Orbit Format (SP3-d)",
2016. Written here because the only Python reader we could use (georinex's)
returns km without a unit attribute and drops the time-system line; this one
keeps both explicit and names the line of any unreadable record.

Read from each ``P`` record: the position (km → m) and the clock (µs → s; the SP3-d
"bad or absent" value 999999.999999 becomes NaN). From ``V`` records, when the file
has them (header ``#cV``/``#dV``): the velocity (dm/s → m/s). Standard deviations,
correlation records and the event flags are not read.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from gnss_interop.errors import Sp3Error
from gnss_interop.systems import TimeScale
from gnss_interop.timescales import calendar_to_seconds, scale_to_gpst

__all__ = ["PreciseOrbits", "read_sp3"]

#: SP3 marks an unknown position with 0.000000 (all three components).
_BAD_POSITION_KM = 0.0
#: SP3 marks an unknown clock with 999999.999999 µs (any value from 999999 on is taken as bad).
_BAD_CLOCK_US = 999_999.0


@dataclass
class PreciseOrbits:
    """Precise satellite positions, clocks and (if the file has them) velocities.

    ``t_gpst``: (T,) GPST seconds since the GPS epoch; ``sv``: (S,) identifiers;
    ``xyz_m``: (T, S, 3) Earth-fixed positions of the centre of mass [m], in the
    file's frame (``frame``, e.g. ``"IGS20"``), NaN where the file has none; ``path``.
    ``clock_s``: (T, S) satellite clock offsets [s] against the file's time scale
    (the SP3 header's, converted epochs are GPST but the offsets are as written, i.e.
    relative to GPST for a ``GPS`` file), NaN where absent or flagged bad; ``None``
    when not read. IGS convention: the periodic relativistic term −2 r·v/c² is *not*
    in the clocks, and they refer to the ionosphere-free combination the analysis
    centre processed. ``vel_m_s``: (T, S, 3) Earth-fixed velocities [m/s] from ``V``
    records, ``None`` if the file has none (a ``#dP`` file).
    """

    t_gpst: NDArray[np.float64]
    sv: list[str]
    xyz_m: NDArray[np.float64]
    frame: str
    path: str
    clock_s: NDArray[np.float64] | None = None
    vel_m_s: NDArray[np.float64] | None = None


def read_sp3(path: str | Path) -> PreciseOrbits:
    """Read an SP3-c or SP3-d file (plain or .gz); times are converted to GPST."""
    path = Path(path)
    raw = Sp3Error.read_bytes(path)
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    lines = raw.decode("ascii", errors="replace").splitlines()
    if not lines or not lines[0].startswith("#") or lines[0][1:2] not in ("c", "d"):
        raise Sp3Error("not an SP3-c/d file (first line must start with '#c' or '#d')", path, 1)
    frame = lines[0][46:51].strip()
    scale = TimeScale.GPST
    for i, line in enumerate(lines[:40]):
        if line.startswith("%c") and i < 30:
            ts = line[9:12].strip()
            if ts:
                mapping = {"GPS": TimeScale.GPST, "GAL": TimeScale.GST, "BDT": TimeScale.BDT,
                           "UTC": TimeScale.UTC, "GLO": TimeScale.UTC}
                if ts not in mapping:
                    raise Sp3Error(f"unsupported SP3 time system {ts!r}", path, i + 1)
                scale = mapping[ts]
            break
    epochs: list[float] = []
    rows: dict[str, dict[int, tuple[float, float, float]]] = {}
    clocks: dict[str, dict[int, float]] = {}
    vels: dict[str, dict[int, tuple[float, float, float]]] = {}
    for i, line in enumerate(lines):
        if line.startswith("* "):
            try:
                f = line[2:].split()
                epochs.append(float(calendar_to_seconds(int(f[0]), int(f[1]), int(f[2]),
                                                        int(f[3]), int(f[4]), float(f[5]))))
            except (ValueError, IndexError):
                raise Sp3Error(f"unreadable epoch line {line!r}", path, i + 1) from None
        elif line.startswith(("P", "V")) and epochs:
            sv = line[1:4].replace(" ", "0")
            what = "position" if line[0] == "P" else "velocity"
            try:
                xyz = (float(line[4:18]), float(line[18:32]), float(line[32:46]))
            except ValueError:
                raise Sp3Error(f"unreadable {what} record for {sv}", path, i + 1) from None
            if what == "velocity":
                vels.setdefault(sv, {})[len(epochs) - 1] = xyz
                continue
            rows.setdefault(sv, {})[len(epochs) - 1] = xyz
            clk = line[46:60].strip()
            if clk:
                try:
                    clocks.setdefault(sv, {})[len(epochs) - 1] = float(clk)
                except ValueError:
                    raise Sp3Error(f"unreadable clock of {sv}", path, i + 1) from None
        elif line.startswith("EOF"):
            break
    if not epochs:
        raise Sp3Error("no epochs", path)
    svs = sorted(rows, key=lambda s: (s[0], int(s[1:])))
    xyz = np.full((len(epochs), len(svs), 3), np.nan)
    clock_us = np.full((len(epochs), len(svs)), np.nan)
    vel = np.full((len(epochs), len(svs), 3), np.nan)
    for j, sv in enumerate(svs):
        for k, v in rows[sv].items():
            if not all(c == _BAD_POSITION_KM for c in v):
                xyz[k, j] = v
        for k, c in clocks.get(sv, {}).items():
            if c < _BAD_CLOCK_US:
                clock_us[k, j] = c
        for k, v in vels.get(sv, {}).items():
            if not all(c == _BAD_POSITION_KM for c in v) and np.isfinite(xyz[k, j, 0]):
                vel[k, j] = v
    t = scale_to_gpst(np.array(epochs), scale)
    return PreciseOrbits(t, svs, xyz * 1000.0, frame, str(path), clock_us * 1e-6,
                         vel * 0.1 if vels else None)
