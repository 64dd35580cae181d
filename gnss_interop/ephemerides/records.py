"""Broadcast records of one system as a table of arrays, built from decoded RINEX tables.

:class:`RecordTable` holds one row per record: satellite, message, reference time (toe
or t_b) in GPST seconds, validity half-width, message priority, health, source file and
line, whether the sanity screening excluded it, and the element arrays the system's orbit
model needs, plus the transmission time ``t_tx_gpst`` (GPST seconds; NaN where the file
does not give it) that orders repeated transmissions (:func:`dedupe`). The registry entry
(:class:`~gnss_interop.systems.SystemSpec`) says how each is read: which scale the RINEX
epochs are in, whether the reference time is ``toe`` or the epoch, which records are
healthy, how records are classed (GEO/IGSO/MEO).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from gnss_interop.constants import SECONDS_PER_DAY
from gnss_interop.errors import GnssDataWarning
from gnss_interop.reading.rinex_nav import NavFile
from gnss_interop.systems import SystemSpec, TimeScale
from gnss_interop.timescales import leap_seconds_at_utc, nearest_week_time, scale_to_gpst

__all__ = ["CLOCK_FIELDS", "RecordTable", "dedupe", "record_clocks", "record_positions",
           "records_from_nav"]

#: Clock and group-delay fields kept per record, where the message has them (broadcast
#: clock polynomial af0/af1/af2 [s, s/s, s/s²]; GLONASS −τ_n [s] and γ_n; the group delays
#: [s] BeiDou T_GD1 (B1I−B3I) and T_GD2 (B2I−B3I), BDS-3 CNAV T_GD,B1Cp and T_GD,B2ap, GPS
#: T_GD, Galileo BGD(E1,E5a) and BGD(E1,E5b)). They do not move the satellite; the
#: comparison with precise clocks (:mod:`~gnss_interop.ephemerides.validate`) reads them.
CLOCK_FIELDS: tuple[str, ...] = ("af0", "af1", "af2", "minus_tau_n", "gamma_n", "tgd1", "tgd2",
                                 "tgd_b1cp", "tgd_b2ap", "tgd", "bgd_e5a_e1", "bgd_e5b_e1")


@dataclass
class RecordTable:
    """One row per record; arrays of equal length."""

    sv: NDArray[np.str_]
    message: NDArray[np.str_]
    t_ref: NDArray[np.float64]          # toe or t_b, GPST seconds
    window_before: NDArray[np.float64]  # validity before t_ref [s]
    window_after: NDArray[np.float64]   # validity after t_ref [s]
    priority: NDArray[np.int64]
    healthy: NDArray[np.bool_]
    source: NDArray[np.int64]           # index into Ephemerides.sources
    line: NDArray[np.int64]
    values: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    #: True for a healthy-flagged record the sanity screening rejected: it is treated as never
    #: received (:mod:`~gnss_interop.ephemerides.selection`); ``healthy`` keeps the file's flag.
    excluded: NDArray[np.bool_] | None = None

    def __post_init__(self) -> None:
        if self.excluded is None:
            self.excluded = np.zeros(len(self.sv), dtype=bool)

    def __len__(self) -> int:
        return len(self.sv)

    @property
    def usable(self) -> NDArray[np.bool_]:
        """Flagged healthy in the file and not excluded by the sanity screening."""
        return self.healthy & ~self.excluded

    def take(self, idx: NDArray) -> "RecordTable":
        return RecordTable(self.sv[idx], self.message[idx], self.t_ref[idx],
                           self.window_before[idx], self.window_after[idx], self.priority[idx],
                           self.healthy[idx], self.source[idx], self.line[idx],
                           {k: v[idx] for k, v in self.values.items()}, self.excluded[idx])

    @staticmethod
    def empty() -> "RecordTable":
        return RecordTable(np.array([], "<U3"), np.array([], "<U9"), np.array([]), np.array([]),
                           np.array([]), np.array([], np.int64), np.array([], bool), np.array([], np.int64),
                           np.array([], np.int64), {})

    @staticmethod
    def concat(parts: Sequence["RecordTable"]) -> "RecordTable":
        if not parts:
            return RecordTable.empty()
        keys = set().union(*(p.values.keys() for p in parts))

        def cat(name):
            return np.concatenate([getattr(p, name) for p in parts])
        values = {k: np.concatenate([p.values.get(k, np.full(len(p), np.nan)) for p in parts])
                  for k in keys}
        return RecordTable(cat("sv"), cat("message"), cat("t_ref"), cat("window_before"),
                           cat("window_after"), cat("priority"), cat("healthy"), cat("source"),
                           cat("line"), values, cat("excluded"))


def _reference_time_gpst(spec: SystemSpec, a: dict[str, np.ndarray], nav: NavFile,
                         problems: list[str]) -> NDArray[np.float64]:
    """Reference time of each record (toe or t_b) as GPST seconds."""
    epoch = a["epoch"]
    if spec.rinex_epoch_scale is TimeScale.UTC:
        table_leap = leap_seconds_at_utc(epoch)
        if nav.leap_seconds is not None:
            leap = np.full(len(epoch), nav.leap_seconds)
            if np.any(table_leap != leap):
                note = (f"{nav.path}: header LEAP SECONDS gives GPST-UTC = {nav.leap_seconds} s but "
                        f"the leap-second table gives {int(table_leap[0])} s for these epochs; "
                        f"using the header ({spec.display_name} times shift by the difference)")
                problems.append(note)
                warnings.warn(note, GnssDataWarning, stacklevel=4)
        else:
            leap = table_leap
    else:
        leap = None
    if spec.reference_time == "toe":
        # toe is seconds of the system week; the week comes from the clock epoch (CNAV has no
        # week field; for the others this also absorbs a week rollover between toc and toe)
        return scale_to_gpst(nearest_week_time(epoch, a["toe"]), spec.rinex_epoch_scale, leap)
    return scale_to_gpst(epoch, spec.rinex_epoch_scale, leap)


def _transmission_time_gpst(spec: SystemSpec, a: dict[str, np.ndarray]) -> NDArray[np.float64]:
    """Transmission time of each record as GPST seconds; NaN where the file does not give it.

    * toe systems (BeiDou, GPS, Galileo): ``t_tm``, seconds of the system week (RINEX 3.04
      Tables A6/A8/A14, RINEX 4.00 Tables A32–A34), in the system scale; the week is the one
      nearest the clock epoch;
    * GLONASS: the message frame time t_k, which RINEX 3/4 give as seconds of the UTC week and
      RINEX 2 files as seconds of the UTC day (both seen in the shared files: BRD400DLR and
      VILL00ESP count the week, brdc0730.23g the day); taken modulo one day and placed on
      the UTC day nearest the record's epoch (t_k lies within minutes of t_b).
    """
    epoch = a["epoch"]
    if spec.reference_time == "toe":
        t_tm = a.get("t_tm")
        if t_tm is None:
            return np.full(len(epoch), np.nan)
        return scale_to_gpst(nearest_week_time(epoch, t_tm), spec.rinex_epoch_scale)
    t_k = a.get("t_k")
    if t_k is None:
        return np.full(len(epoch), np.nan)
    tod = np.mod(t_k, SECONDS_PER_DAY)
    dt = np.mod(tod - np.mod(epoch, SECONDS_PER_DAY) + SECONDS_PER_DAY / 2,
                SECONDS_PER_DAY) - SECONDS_PER_DAY / 2
    return scale_to_gpst(epoch + dt, spec.rinex_epoch_scale)


def records_from_nav(spec: SystemSpec, nav: NavFile, source_index: int,
                     problems: list[str]) -> RecordTable:
    """Every record of ``spec``'s system in ``nav``, as one table."""
    parts = []
    for table in nav.tables.values():
        if table.layout.system is not spec.system or not table.sv:
            continue
        a = table.arrays()
        t_ref = _reference_time_gpst(spec, a, nav, problems)
        values = {k: a[k] for k in spec.orbit_model.fields + CLOCK_FIELDS if k in a}
        values["orbit_type"] = spec.classify(a).astype(np.float64)
        if spec.reference_time == "toe":
            values["toc_gpst"] = scale_to_gpst(a["epoch"], spec.rinex_epoch_scale)
        values["t_tx_gpst"] = _transmission_time_gpst(spec, a)
        n = len(t_ref)
        prio = np.array([spec.message_priority[m] for m in a["message"]], dtype=np.int64)
        before, after = spec.fit_window_s
        parts.append(RecordTable(a["sv"], a["message"].astype("<U9"), t_ref,
                                 np.full(n, before), np.full(n, after), prio,
                                 spec.healthy(a["message"], a), np.full(n, source_index),
                                 a["line"], values))
    return RecordTable.concat(parts)


def dedupe(rec: RecordTable) -> RecordTable:
    """One record per (satellite, message class, reference time): the latest transmission.

    Merged daily files and overlapping inputs repeat records, and a merged file can carry
    several *different* transmissions of one (satellite, message, toe): on 2023-03-12
    BRD400DLR has two C14 D1 records with toe 21:00 BDT, transmitted at 21:00 (SatH1 = 1)
    and 21:02 (SatH1 = 0). The operator's later upload supersedes the earlier one, so the
    record with the latest transmission time (``t_tx_gpst``) is kept, as a receiver keeps
    the last ephemeris it decoded and as RTKLIB does (``uniqeph()`` sorts by transmission
    time, ``seleph()`` takes the last of equally near toe: src/rinex.c, src/ephemeris.c).
    Equal or unknown transmission times: the record read last (later in its file, or in a
    later file) wins. Message classes are the registry's priorities (D1 and D2 are one
    class; CNV1 and CNV2 are others).
    """
    if len(rec) == 0:
        return rec
    key = np.char.add(np.char.add(rec.sv, "|"), rec.priority.astype(str))
    key = np.char.add(np.char.add(key, "|"), np.round(rec.t_ref).astype(np.int64).astype(str))
    t_tx = rec.values.get("t_tx_gpst", np.full(len(rec), np.nan))
    read_order = np.arange(len(rec))
    order = np.lexsort((read_order, np.nan_to_num(t_tx, nan=-np.inf), key))
    k = key[order]
    last = np.r_[k[1:] != k[:-1], True]
    return rec.take(np.sort(order[last]))


def record_positions(spec: SystemSpec, rec: RecordTable, idx: NDArray[np.int64],
                     t_gpst_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Earth-fixed positions [m], shape (n, 3), of records ``idx`` at GPST seconds ``t_gpst_s``.

    The frame is the system's broadcast frame (``spec.frame``).
    """
    el = {k: rec.values[k][idx] for k in spec.orbit_model.fields if k in rec.values}
    return spec.orbit_model.positions(el, t_gpst_s - rec.t_ref[idx], rec.values["orbit_type"][idx])


def record_clocks(spec: SystemSpec, rec: RecordTable, idx: NDArray[np.int64],
                  t_gpst_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Broadcast satellite clock offsets [s], shape (n,), of records ``idx`` at GPST seconds.

    The offset is the satellite clock minus the system time (BDT, GPST, GST, GLONASST),
    for the signal the message's clock refers to: BeiDou D1/D2 and B-CNAV: B3I (the ICDs
    give T_GD1, T_GD2, T_GD,B1Cp, T_GD,B2ap relative to B3I; BDS-SIS-ICD-B1I 3.0 and -B1C
    1.0, group delay sections); GPS LNAV: the L1/L2 P(Y) ionosphere-free combination
    (IS-GPS-200, T_GD); Galileo I/NAV: E1/E5b and F/NAV: E1/E5a ionosphere-free (Galileo OS
    SIS ICD 2.0, BGD); GLONASS: G1, reading the ICD's Δτ_n as the G2−G1 delay [not
    verified against the ICD text]. Clock model:

    * Keplerian systems: af0 + af1·(t − toc) + af2·(t − toc)², *without* the periodic
      relativistic term −2 r·v/c² the user adds (IS-GPS-200 user algorithm for the SV
      clock correction; the same in the BeiDou and Galileo ICDs);
    * GLONASS: −τ_n + γ_n·(t − t_b), which already *includes* the relativistic effects
      (ESA Navipedia, "Relativistic Clock Correction": GLONASS transmits them within the
      clock terms, so the user adds no −2 r·v/c²).

    t − toc is taken between GPST seconds: the constant BDT/GST offset to GPST cancels.
    NaN where the record lacks the fields (e.g. an almanac-built record).
    """
    v = rec.values
    t = np.asarray(t_gpst_s, dtype=np.float64)
    nan = np.full(len(rec), np.nan)
    if spec.reference_time == "toe":
        dt = t - v.get("toc_gpst", nan)[idx]
        return (v.get("af0", nan)[idx] + v.get("af1", nan)[idx] * dt
                + v.get("af2", nan)[idx] * dt * dt)
    return v.get("minus_tau_n", nan)[idx] + v.get("gamma_n", nan)[idx] * (t - rec.t_ref[idx])
