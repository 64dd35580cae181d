"""Which broadcast record serves each (satellite, epoch): the nearest one in its window.

Among the usable records of a satellite whose validity window contains the epoch, the
one whose reference time (toe, t_b) is closest wins. Vectorised: records are sorted by
(satellite, reference time), and the two neighbours of each query in that order are the
only candidates. That is exact for windows [t_ref − before, t_ref + after] that are
the same for every record of a satellite (they are per system): if the latest record at
or before the epoch does not reach it, no earlier one does, and likewise for the first
record after it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gnss_interop.ephemerides.records import RecordTable

__all__ = ["select_records"]


def select_records(rec: RecordTable, sv_index_of_record: NDArray[np.int64], q_sv: NDArray[np.int64],
            q_t: NDArray[np.float64], usable: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Index of the record to use for each query (sv index, GPST time); −1 if none.

    Vectorised: records are sorted by (satellite, reference time) and the two
    neighbours of each query in that order are the only candidates.
    """
    out = np.full(q_t.shape, -1, dtype=np.int64)
    cand_idx = np.flatnonzero(usable)
    if cand_idx.size == 0 or q_t.size == 0:
        return out
    r_sv = sv_index_of_record[cand_idx]
    r_t = rec.t_ref[cand_idx]
    r_before = rec.window_before[cand_idx]
    r_after = rec.window_after[cand_idx]
    order = np.lexsort((r_t, r_sv))
    cand_idx, r_sv, r_t = cand_idx[order], r_sv[order], r_t[order]
    r_before, r_after = r_before[order], r_after[order]
    t0 = min(r_t.min(), q_t.min())
    span = 2.0 ** np.ceil(np.log2(max(r_t.max(), q_t.max()) - t0 + 1e6))
    r_key = r_sv * span + (r_t - t0)
    q_key = q_sv * span + (q_t - t0)
    pos = np.searchsorted(r_key, q_key)
    best_dist = np.full(q_t.shape, np.inf)
    for cand in (pos - 1, pos):
        inside = (cand >= 0) & (cand < r_t.size)
        c = np.clip(cand, 0, r_t.size - 1)
        dt = q_t - r_t[c]
        dist = np.abs(dt)
        in_window = (dt >= -r_before[c]) & (dt <= r_after[c])
        ok = inside & (r_sv[c] == q_sv) & in_window & (dist < best_dist)
        out = np.where(ok, cand_idx[c], out)
        best_dist = np.where(ok, dist, best_dist)
    return out
