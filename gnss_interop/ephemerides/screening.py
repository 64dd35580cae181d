"""Sanity screening of healthy-flagged broadcast records: radius and switch-over jumps.

A record the operator flags healthy is still excluded when its orbit is implausible (the
cross-check of every record against its satellite's other records and its Walker slot is
in :mod:`~gnss_interop.ephemerides.consistency`):

1. **Radius**: its orbit radius at the reference time lies outside the range of its
   orbit class (:attr:`SystemSpec.orbit_radius_range_m`; ±3 % of the nominal radius for
   near-circular classes).
2. **Switch-over jump**: its position differs by more than
   :attr:`SystemSpec.switchover_jump_max_m` from the neighbouring record of the same
   satellite and message class at the switch-over epoch (midway between reference
   times, moved into both validity windows where they are not centred); the record whose every neighbour disagrees is excluded (both, if there are
   only two).

Each function returns the indices of the records to exclude and the reason for each.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gnss_interop.ephemerides.records import RecordTable, record_positions
from gnss_interop.systems import OrbitClass, SystemSpec

__all__ = ["screen_jumps", "screen_radius"]


def screen_radius(spec: SystemSpec, rec: RecordTable) -> tuple[NDArray[np.int64], list[str]]:
    """Healthy records whose radius at the reference time is outside their class range."""
    idx = np.flatnonzero(rec.usable)
    if idx.size == 0:
        return idx, []
    with np.errstate(invalid="ignore"):
        r = np.linalg.norm(record_positions(spec, rec, idx, rec.t_ref[idx]), axis=-1)
    codes = rec.values["orbit_type"][idx]
    lo = np.full(idx.size, np.nan)
    hi = np.full(idx.size, np.nan)
    for cls, (r_min, r_max) in spec.orbit_radius_range_m.items():
        lo = np.where(codes == cls, r_min, lo)
        hi = np.where(codes == cls, r_max, hi)
    bad = ~((r >= lo) & (r <= hi))
    reasons = []
    for ri, code, a, b in zip(r[bad], codes[bad], lo[bad], hi[bad]):
        name = OrbitClass(int(code)).name if code in tuple(OrbitClass) else "unknown class"
        reasons.append(f"orbit radius {ri / 1e3:,.0f} km, outside the {spec.display_name} "
                       f"{name} range {a / 1e3:,.0f}-{b / 1e3:,.0f} km")
    return idx[bad], reasons


def screen_jumps(spec: SystemSpec, rec: RecordTable) -> tuple[NDArray[np.int64], list[str]]:
    """Healthy records that jump against every neighbouring record at switch-over."""
    idx = np.flatnonzero(rec.usable)
    none = np.zeros(0, np.int64)
    if idx.size < 2:
        return none, []
    order = idx[np.lexsort((rec.t_ref[idx], rec.priority[idx], rec.sv[idx]))]
    a, b = order[:-1], order[1:]
    gap = rec.t_ref[b] - rec.t_ref[a]
    pair = ((rec.sv[a] == rec.sv[b]) & (rec.priority[a] == rec.priority[b])
            & (gap <= rec.window_after[a] + rec.window_before[b]) & (gap > 0))
    if not np.any(pair):
        return none, []
    # switch-over: midway, moved into both validity windows when they are not centred
    tm = np.clip(0.5 * (rec.t_ref[a] + rec.t_ref[b]), rec.t_ref[b] - rec.window_before[b],
                 rec.t_ref[a] + rec.window_after[a])
    jump = np.full(a.size, 0.0)
    pa, pb = a[pair], b[pair]
    jump[pair] = np.linalg.norm(record_positions(spec, rec, pa, tm[pair])
                                - record_positions(spec, rec, pb, tm[pair]), axis=-1)
    bad_pair = jump > spec.switchover_jump_max_m
    if not np.any(bad_pair):
        return none, []
    # record k (position k in `order`) has a left pair k-1 and a right pair k
    left_exists = np.r_[False, pair]
    right_exists = np.r_[pair, False]
    left_bad = np.r_[False, bad_pair]
    right_bad = np.r_[bad_pair, False]
    suspect = ((left_bad | ~left_exists) & (right_bad | ~right_exists)
               & (left_exists | right_exists))
    if not np.any(suspect):
        return none, []
    jump_left = np.r_[0.0, jump]
    jump_right = np.r_[jump, 0.0]
    reasons = [f"position jump of {max(jump_left[k], jump_right[k]) / 1e3:,.1f} km against "
               f"neighbouring ephemerides at switch-over" for k in np.flatnonzero(suspect)]
    return order[suspect], reasons
