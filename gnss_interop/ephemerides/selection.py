"""Which broadcast record serves each (satellite, epoch): the record in effect, and its health.

The rule, the one a receiver follows (README, "Ephemerides: the record in effect"):

1. **One record per (satellite, message, reference time)**: among repeated transmissions of
   the same toe (t_b for GLONASS) the *latest transmission wins*
   (:func:`~gnss_interop.ephemerides.records.dedupe`): the operator's later upload
   supersedes the earlier one.
2. **The record in effect** at an epoch is, among the satellite's records of the preferred
   message class (BeiDou D1/D2, then CNV1, then CNV2; Galileo I/NAV, then F/NAV) whose
   validity window contains the epoch, the one with the nearest reference time. Health is
   *not* part of the choice. A lower class is tried only where no record of the higher
   class is in effect at all.
3. **Its health decides**: a record in effect flagged unhealthy makes the satellite
   unusable at that epoch: NaN position, state :data:`UNHEALTHY`. The selection never jumps
   over an unhealthy record to a healthy one further away in time, nor to another
   message class (the flags of one message class describe the signals a receiver of that
   class tracks).
4. A healthy-flagged record that the sanity screening rejected
   (:mod:`~gnss_interop.ephemerides.screening`, :mod:`~gnss_interop.ephemerides.consistency`)
   is treated as never received: the nearest remaining record in its window serves, as a
   receiver that rejects a corrupt ephemeris keeps using its previous one. Where only
   rejected records cover an epoch the state is :data:`EXCLUDED`.
5. Where no record at all covers an epoch the state is :data:`NO_EPHEMERIS`: a gap in the
   data, reported as such (never as the satellite being unhealthy).

Transmission times only order repeated transmissions; they do not start a record's
validity (like RTKLIB, a post-processing selection uses the nearest toe on both sides).

Vectorised: records are sorted by (satellite, reference time), and the two neighbours of
each query in that order are the only candidates. That is exact for windows
[t_ref − before, t_ref + after] that are the same for every record of a satellite (they are
per system): if the latest record at or before the epoch does not reach it, no earlier one
does, and likewise for the first record after it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gnss_interop.ephemerides.records import RecordTable

__all__ = ["EXCLUDED", "NO_EPHEMERIS", "STATE_MEANINGS", "UNHEALTHY", "USABLE",
           "records_in_effect", "select_records"]

#: State of a (satellite, epoch): a healthy record is in effect.
USABLE = 0
#: The record in effect is flagged unhealthy by the operator: the satellite must not be used.
UNHEALTHY = 1
#: Only records rejected by the sanity screening cover the epoch.
EXCLUDED = 2
#: No record covers the epoch: a data gap (load the neighbouring day's file).
NO_EPHEMERIS = 3
#: CF ``flag_meanings`` of the states, in code order.
STATE_MEANINGS = ("usable", "unhealthy", "excluded_by_screening", "no_ephemeris")


def select_records(rec: RecordTable, sv_index_of_record: NDArray[np.int64], q_sv: NDArray[np.int64],
                   q_t: NDArray[np.float64], candidates: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Index of the candidate record nearest in reference time whose window holds each query
    (sv index, GPST seconds); −1 if none.

    Vectorised: candidates are sorted by (satellite, reference time) and the two
    neighbours of each query in that order are the only ones looked at.
    """
    out = np.full(q_t.shape, -1, dtype=np.int64)
    cand_idx = np.flatnonzero(candidates)
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


def records_in_effect(rec: RecordTable, sv_index_of_record: NDArray[np.int64],
                      q_sv: NDArray[np.int64], q_t: NDArray[np.float64]
                      ) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """The record in effect for each query (sv index, GPST seconds) and the query's state.

    Returns ``(idx, state)``: ``idx`` the record to compute positions from where ``state``
    is :data:`USABLE`, else −1; ``state`` one of :data:`USABLE`, :data:`UNHEALTHY`,
    :data:`EXCLUDED`, :data:`NO_EPHEMERIS` (module docstring: the rule).
    ``sv_index_of_record`` is −1 for records of satellites not asked for.
    """
    idx = np.full(q_t.shape, -1, dtype=np.int64)
    state = np.full(q_t.shape, NO_EPHEMERIS, dtype=np.int8)
    wanted = sv_index_of_record >= 0
    if not np.any(wanted) or q_t.size == 0:
        return idx, state
    open_ = np.ones(q_t.shape, dtype=bool)          # no class has decided this query yet
    for prio in np.unique(rec.priority[wanted]):
        todo = np.flatnonzero(open_)
        if todo.size == 0:
            break
        cls = wanted & (rec.priority == prio) & ~rec.excluded
        got = select_records(rec, sv_index_of_record, q_sv[todo], q_t[todo], cls)
        hit = got >= 0
        healthy = np.zeros(todo.size, dtype=bool)
        healthy[hit] = rec.healthy[got[hit]]
        idx[todo[hit & healthy]] = got[hit & healthy]
        state[todo[hit]] = np.where(healthy[hit], USABLE, UNHEALTHY)
        open_[todo[hit]] = False
    rest = np.flatnonzero(open_)
    if rest.size and np.any(rec.excluded & wanted):
        covered = select_records(rec, sv_index_of_record, q_sv[rest], q_t[rest],
                                 wanted & rec.excluded)
        state[rest[covered >= 0]] = EXCLUDED
    return idx, state
