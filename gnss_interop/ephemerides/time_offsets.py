"""Broadcast inter-system time offsets (RINEX 4 ``STO``, RINEX 3 ``TIME SYSTEM CORR``).

``BDGL`` = BDT − GLONASST, ``GAGP`` = GST − GPST, ... (RINEX 4.00 §5.4: "source time minus
target time"), the fractional part only: the integer 14 s, the leap seconds and the 3 h of
GLONASST are applied by :mod:`gnss_interop.timescales`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gnss_interop.reading.rinex_nav import TimeOffsetRecord
from gnss_interop.systems import TimeScale, spec_of_letter
from gnss_interop.timescales import scale_to_gpst

__all__ = ["TimeOffset", "time_offset_from_record"]


@dataclass(frozen=True)
class TimeOffset:
    """Broadcast inter-system offset ``name`` (e.g. BDGL = BDT − GLONASST), fractional part [s].

    ``offset_s(t) = a0 + a1·(t − t_ref) + a2·(t − t_ref)²`` with t in GPST seconds.
    """

    name: str
    t_ref_gpst: float
    a0: float
    a1: float
    a2: float
    source: str
    line: int

    def offset_s(self, t_gpst_s: ArrayLike) -> NDArray[np.float64]:
        dt = np.asarray(t_gpst_s, dtype=np.float64) - (0.0 if np.isnan(self.t_ref_gpst)
                                                       else self.t_ref_gpst)
        return self.a0 + self.a1 * dt + self.a2 * dt * dt


def time_offset_from_record(o: TimeOffsetRecord, leap: int | None) -> TimeOffset:
    """A :class:`TimeOffset` with its reference time in GPST.

    ``t_ref`` is counted in the scale of the system named by ``o.scale_letter`` (UTC for
    GLONASS records, as RINEX GLONASS epochs are); systems without a registry entry
    (QZSS, NavIC) count in GPST-aligned scales."""
    entry = spec_of_letter(o.scale_letter)
    scale = TimeScale.GPST if entry is None else entry.rinex_epoch_scale
    if np.isnan(o.t_ref):
        t_ref = np.nan
    else:
        leap_arr = None if leap is None or scale is not TimeScale.UTC else leap
        t_ref = float(scale_to_gpst(o.t_ref, scale, leap_arr))
    return TimeOffset(o.name, t_ref, o.a0, o.a1, o.a2, o.source, o.line)
