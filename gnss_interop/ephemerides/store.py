"""Broadcast ephemerides: loading, merging, screening, selection and satellite positions.

``load_ephemerides(paths)`` reads any mix of RINEX 2, RINEX 3 and RINEX 4 navigation
files (plain, .gz, .Z), merges and de-duplicates the records of every registered system
(:mod:`gnss_interop.systems`: BeiDou, GLONASS, GPS, Galileo), screens out implausible
"healthy" records (:mod:`~gnss_interop.ephemerides.screening`: radius and switch-over
jumps; :mod:`~gnss_interop.ephemerides.consistency`: every record against its satellite's
other records and its Walker slot) and returns an :class:`Ephemerides` whose
:meth:`~Ephemerides.positions` gives Earth-fixed satellite positions at any GPST epochs.

Ephemeris choice per (satellite, epoch) (:mod:`~gnss_interop.ephemerides.selection`): among
repeated transmissions of one (satellite, message, toe) the latest wins; the record in
effect is the one of the preferred message class (BeiDou D1/D2 before CNV1 before CNV2;
Galileo I/NAV before F/NAV) whose validity window contains the epoch and whose reference
time (toe, or t_b for GLONASS) is nearest, and *its* health decides: a record in effect
flagged unhealthy makes the satellite unusable there, never replaced by a healthy record
further away. Windows come from each registry entry (±1 h BeiDou, ±15 min GLONASS, ±2 h
GPS, toe − 10 min to toe + 3 h Galileo). Outside every window the position is NaN and one
:class:`~gnss_interop.errors.EphemerisRangeWarning` lists the satellites: never a silent
extrapolation. :meth:`~Ephemerides.record_state` tells the cases apart (usable, unhealthy,
excluded by screening, no ephemeris).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from gnss_interop.constants import MAIN_DAY_FRACTION
from gnss_interop.ephemerides.records import (RecordTable, dedupe, record_clocks,
                                              record_positions, records_from_nav)
from gnss_interop.ephemerides.consistency import cross_check
from gnss_interop.ephemerides.screening import screen_jumps, screen_radius
from gnss_interop.ephemerides.selection import (NO_EPHEMERIS, STATE_MEANINGS, UNHEALTHY,
                                                records_in_effect)
from gnss_interop.ephemerides.time_offsets import TimeOffset, time_offset_from_record
from gnss_interop.errors import (EphemerisRangeWarning, GnssDataWarning, GnssInputError,
                                 RinexRecordWarning, UnverifiedEphemerisWarning)
from gnss_interop.reading.rinex_nav import read_nav
from gnss_interop.systems import PRIMARY_SYSTEMS, OrbitClass, System, registered, spec, spec_of_letter
from gnss_interop.timescales import from_gpst_seconds, to_gpst_seconds

__all__ = ["Ephemerides", "ExcludedRecord", "ScreenedRecord", "TimeOffset", "load_ephemerides"]


@dataclass(frozen=True)
class ScreenedRecord:
    """A healthy-flagged broadcast record the screening excluded, or could not verify.

    ``epoch_gpst`` is the record's reference time (toe, or t_b for GLONASS) in GPST;
    ``reference_time_name`` says which (``"toe"``, ``"t_b"``); ``source`` and ``line`` the
    file and the 1-based line of the record's epoch line.
    """

    sv: str
    message: str
    epoch_gpst: np.datetime64
    reason: str
    source: str
    line: int
    reference_time_name: str = "toe"

    def describe(self) -> str:
        """``C27 D1 toe 2023-03-12T05:00:14 GPST (BRD400DLR...rnx.gz line 123): reason``."""
        return (f"{self.sv} {self.message} {self.reference_time_name} "
                f"{str(self.epoch_gpst)[:19]} GPST ({Path(self.source).name} line {self.line}): "
                f"{self.reason}")


#: Kept for the public API: the records in :attr:`Ephemerides.excluded`.
ExcludedRecord = ScreenedRecord


def _sv_sort_key(sv: str) -> tuple[int, int]:
    return (System.from_letter(sv[0]).code, int(sv[1:]))


class Ephemerides:
    """Merged, screened broadcast ephemerides of every registered system.

    Build with :func:`load_ephemerides`. Attributes:

    ``sources``
        Input file paths, in the order read.
    ``time_offsets``
        Broadcast inter-system offsets (:class:`TimeOffset`), e.g. BDGL.
    ``excluded``
        Healthy-flagged records rejected by the sanity screening (:class:`ScreenedRecord`).
    ``unverified``
        Healthy records no independent expectation could cross-check (used, but listed).
    ``problems``
        Unreadable records and other input notes, each naming file and line.
    """

    def __init__(self, records: dict[System, RecordTable], sources: list[str],
                 time_offsets: list[TimeOffset], problems: list[str], metadata=None) -> None:
        self._rec = {s.system: records.get(s.system, RecordTable.empty()) for s in registered()}
        self.sources = sources
        self.time_offsets = time_offsets
        self.problems = problems
        self.excluded: list[ScreenedRecord] = []
        self.unverified: list[ScreenedRecord] = []
        self._screen(metadata)

    def screening_summary(self) -> dict[str, str]:
        """``excluded_records`` and ``unverified_records`` as one-line texts (``"none"`` when
        empty), for provenance attributes and reports."""
        return {"excluded_records": "; ".join(e.describe() for e in self.excluded) or "none",
                "unverified_records": "; ".join(e.describe() for e in self.unverified)
                or "none"}

    # ------------------------------------------------------------------ info
    def records(self, system: System) -> dict[str, np.ndarray]:
        """All records of ``system`` as a dict of arrays (for inspection and tests)."""
        r = self._rec[system]
        out = {"sv": r.sv, "message": r.message, "t_ref_gpst": from_gpst_seconds(r.t_ref),
               "healthy": r.healthy, "excluded": r.excluded,
               "source": np.array(self.sources, dtype=object)[r.source]
               if len(r) else np.array([], dtype=object), "line": r.line}
        out.update(r.values)
        return out

    def generation_evidence(self) -> dict[str, str]:
        """Generation each satellite's broadcast messages prove (BeiDou CNV1/CNV2 → BDS-3),
        for :func:`~gnss_interop.ephemerides.catalogue.satellite_catalogue`."""
        from gnss_interop.ephemerides.catalogue import broadcast_evidence

        by_sv: dict[str, set[str]] = {}
        for r in self._rec.values():
            for sv, m in zip(r.sv.tolist(), r.message.tolist()):
                by_sv.setdefault(sv, set()).add(m)
        return broadcast_evidence(by_sv)

    def catalogue(self, date=None, *, metadata=None, warn: bool = True):
        """The :class:`~gnss_interop.ephemerides.catalogue.SatelliteCatalogue` of these
        satellites on ``date`` (default: the middle of the data), corroborated by the
        broadcast messages."""
        from gnss_interop.ephemerides.catalogue import satellite_catalogue

        if date is None:
            if self.svs:
                t0, t1 = self._main_days_span(None)[:2]
                date = t0 + (t1 - t0) // 2
            else:
                date = np.datetime64("2000-01-01")
        from dataclasses import replace

        cat = satellite_catalogue(self.svs, date, metadata=metadata,
                                  evidence=self.generation_evidence(), warn=warn)
        return replace(cat, ephemeris_screening=self.screening_summary())

    @property
    def svs(self) -> list[str]:
        """Satellites with at least one usable (healthy, plausible) record, by system
        (BeiDou, GLONASS, GPS, Galileo) and number."""
        out: list[str] = []
        for system, r in self._rec.items():
            out += sorted(set(r.sv[r.usable].tolist()), key=_sv_sort_key)
        return out

    @property
    def systems(self) -> tuple[System, ...]:
        """Systems with at least one usable satellite."""
        return tuple(s for s, r in self._rec.items() if np.any(r.usable))

    @property
    def unusable_svs(self) -> list[str]:
        """Satellites present in the files with no healthy, plausible record."""
        present = set()
        for r in self._rec.values():
            present |= set(r.sv.tolist())
        return sorted(present - set(self.svs))

    def svs_of(self, systems: Iterable[System]) -> list[str]:
        """:attr:`svs` of the given systems only."""
        letters = {s.letter for s in systems}
        return [s for s in self.svs if s[0] in letters]

    def span(self, systems: Iterable[System] | None = None) -> tuple[np.datetime64, np.datetime64]:
        """Earliest start and latest end of the usable validity windows (GPST) of ``systems``
        (default: every system read).

        Raises
        ------
        GnssInputError
            If none of ``systems`` has a usable record in the inputs.
        """
        wanted = set(self._rec) if systems is None else set(systems)
        lo, hi = np.inf, -np.inf
        for system, r in self._rec.items():
            if system in wanted and np.any(r.usable):
                lo = min(lo, float(np.min((r.t_ref - r.window_before)[r.usable])))
                hi = max(hi, float(np.max((r.t_ref + r.window_after)[r.usable])))
        if not np.isfinite(lo):
            names = ", ".join(s.display_name for s in System if s in wanted) or "no system"
            raise GnssInputError(f"no usable {names} ephemeris in {', '.join(self.sources)}")
        return from_gpst_seconds(lo), from_gpst_seconds(hi)

    def default_span(self, systems: Iterable[System] | None = None
                     ) -> tuple[np.datetime64, np.datetime64]:
        """The span a run covers when none is given (GPST): :meth:`span`, restricted to the
        file's main day(s).

        A daily file also holds records of neighbouring days (the 23:00 BeiDou record of
        the day before), and a station file may carry a stale record from weeks before;
        neither may stretch the default span. The main days are the GPST days holding at
        least :data:`~gnss_interop.constants.MAIN_DAY_FRACTION` of the busiest day's healthy records (every day
        between the first and last of them is kept); the span is the usable validity of
        their records, clipped to those days. Records left out are named in an
        :class:`~gnss_interop.errors.EphemerisRangeWarning`.
        """
        lo, hi, left_out, (d0, d1) = self._main_days_span(systems)
        if left_out:
            warnings.warn(
                f"{len(left_out)} healthy record(s) lie more than a day outside the main "
                f"day(s) {str(from_gpst_seconds(d0 * 86400.0))[:10]}"
                + (f" .. {str(from_gpst_seconds(d1 * 86400.0))[:10]}" if d1 > d0 else "")
                + f" of {', '.join(self.sources)} and do not stretch the default span: "
                + ", ".join(left_out[:10]) + (" ..." if len(left_out) > 10 else "")
                + "; give --start/--end to include them", EphemerisRangeWarning, stacklevel=2)
        return lo, hi

    def _main_days_span(self, systems):
        """(start, end, records left out, (first, last main day)) of :meth:`default_span`."""
        wanted = set(self._rec) if systems is None else set(systems)
        lo_all, hi_all = self.span(systems)
        t_ref = np.concatenate([r.t_ref[r.usable] for s, r in self._rec.items()
                                if s in wanted])
        day = np.floor(t_ref / 86400.0).astype(np.int64)
        days, counts = np.unique(day, return_counts=True)
        main = days[counts >= MAIN_DAY_FRACTION * counts.max()]
        d0, d1 = int(main.min()), int(main.max())
        inside = (day >= d0) & (day <= d1)
        lo, hi = np.inf, -np.inf
        left_out = []
        for system, r in self._rec.items():
            if system not in wanted or not np.any(r.usable):
                continue
            rd = np.floor(r.t_ref / 86400.0)
            keep = r.usable & (rd >= d0) & (rd <= d1)
            if np.any(keep):
                lo = min(lo, float(np.min((r.t_ref - r.window_before)[keep])))
                hi = max(hi, float(np.max((r.t_ref + r.window_after)[keep])))
            far = r.usable & ((rd < d0 - 1) | (rd > d1 + 1))
            left_out += [f"{sv} {str(from_gpst_seconds(t))[:16]}"
                         for sv, t in zip(r.sv[far], r.t_ref[far])]
        lo = max(lo, d0 * 86400.0)
        hi = min(hi, (d1 + 1) * 86400.0)
        if not inside.any() or lo >= hi:  # pragma: no cover - main days hold records
            return lo_all, hi_all, left_out, (d0, d1)
        return from_gpst_seconds(lo), from_gpst_seconds(hi), left_out, (d0, d1)

    @property
    def span_gpst(self) -> tuple[np.datetime64, np.datetime64]:
        """Earliest start and latest end of the usable validity windows of every system (GPST)."""
        return self.span()

    def orbit_class(self, sv: str) -> OrbitClass:
        """Orbit class (GEO, IGSO, MEO) of a satellite, from its most recent usable record."""
        entry = spec_of_letter(sv[:1])
        if entry is None:
            raise KeyError(f"no registered system for satellite {sv!r}")
        r = self._rec[entry.system]
        sel = (r.sv == sv) & r.usable
        if not np.any(sel):
            sel = r.sv == sv
        if not np.any(sel):
            raise KeyError(f"no {entry.display_name} records for {sv}")
        return OrbitClass(int(r.values["orbit_type"][np.flatnonzero(sel)[-1]]))

    def bds_orbit_type(self, sv: str) -> OrbitClass:
        """Orbit class of a BeiDou satellite (:meth:`orbit_class`, kept for the public API)."""
        return self.orbit_class(sv)

    def has_time_offset(self, name: str) -> bool:
        """True if a broadcast offset ``name`` (e.g. ``"BDGL"``) was read."""
        return any(o.name == name for o in self.time_offsets)

    def time_offset_s(self, name: str, times: ArrayLike) -> NDArray[np.float64]:
        """Broadcast offset ``name`` [s] at GPST ``times``, from the record nearest in time."""
        recs = [o for o in self.time_offsets if o.name == name]
        if not recs:
            known = sorted({o.name for o in self.time_offsets})
            raise KeyError(f"no broadcast {name} offset in the inputs; available: {known}")
        t = np.atleast_1d(to_gpst_seconds(times))
        t_ref = np.array([o.t_ref_gpst for o in recs])
        pick = np.abs(t[:, None] - np.nan_to_num(t_ref)).argmin(axis=-1)
        out = np.empty(t.shape)
        for k in np.unique(pick):
            sel = pick == k
            out[sel] = recs[k].offset_s(t[sel])
        return out

    def __repr__(self) -> str:
        svs = self.svs
        parts = [f"{sum(s[0] == sy.letter for s in svs)} {sy.display_name}"
                 for sy, r in self._rec.items() if len(r)]
        lo, hi = self.span_gpst if svs else ("-", "-")
        n_rec = " + ".join(str(len(r)) for r in self._rec.values() if len(r))
        return (f"<Ephemerides: {' + '.join(parts) or 'no'} satellites, {n_rec or 0} records, "
                f"valid {lo} .. {hi} GPST, {len(self.excluded)} excluded, "
                f"{len(self.time_offsets)} time offsets>")

    # ------------------------------------------------------------- positions
    def _select_s(self, t: NDArray[np.float64], svs: Sequence[str]
                  ) -> Iterator[tuple[System, RecordTable, NDArray[np.int64], NDArray[np.int64],
                                      NDArray[np.float64], NDArray[np.int8]]]:
        """The record in effect for each (epoch, satellite), per system
        (:func:`~gnss_interop.ephemerides.selection.records_in_effect`).

        Yields ``(system, records, cols, idx, q_t, state)``: ``cols`` are the positions in
        ``svs`` of the system's satellites; ``idx`` (T·len(cols),) the record index for each
        (epoch, satellite) pair in C order, −1 where the pair is not usable; ``q_t`` the
        GPST seconds of each pair; ``state`` the selection state of each pair (usable,
        unhealthy, excluded by screening, no ephemeris).
        """
        for system, rec in self._rec.items():
            cols = np.array([i for i, s in enumerate(svs) if s[0] == system.letter], dtype=np.int64)
            if cols.size == 0:
                continue
            names = [svs[i] for i in cols]
            lookup = {s: k for k, s in enumerate(names)}
            rec_sv_idx = np.array([lookup.get(s, -1) for s in rec.sv.tolist()], dtype=np.int64)
            q_sv = np.broadcast_to(np.arange(cols.size), (t.size, cols.size)).ravel()
            q_t = np.broadcast_to(t[:, None], (t.size, cols.size)).ravel()
            idx, state = records_in_effect(rec, rec_sv_idx, q_sv, q_t)
            yield system, rec, cols, idx, q_t, state

    def _positions_s(self, t: NDArray[np.float64], svs: Sequence[str]
                     ) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
        """(T, S, 3) positions [m] at GPST seconds ``t``, and the (T, S) selection states."""
        out = np.full((t.size, len(svs), 3), np.nan)
        states = np.full((t.size, len(svs)), NO_EPHEMERIS, dtype=np.int8)
        for system, rec, cols, idx, q_t, state in self._select_s(t, svs):
            ok = idx >= 0
            flat = np.full((q_t.size, 3), np.nan)
            if np.any(ok):
                flat[ok] = record_positions(spec(system), rec, idx[ok], q_t[ok])
            out[:, cols, :] = flat.reshape(t.size, cols.size, 3)
            states[:, cols] = state.reshape(t.size, cols.size)
        return out, states

    def record_state(self, times: ArrayLike, svs: Sequence[str] | None = None) -> xr.DataArray:
        """Why each (epoch, satellite) is or is not usable, as CF flag values.

        ``0`` usable (a healthy record is in effect); ``1`` unhealthy (the record in effect
        is flagged unhealthy: the satellite must not be used, a loss of service);
        ``2`` excluded by screening (only records the sanity screening rejected cover the
        epoch); ``3`` no ephemeris (no record covers the epoch: a gap in the *data*, closed
        by loading the neighbouring day's file, not a loss of service). Same selection as
        :meth:`positions`; dims ``(time, sv)``, epochs GPST.
        """
        t_dt = np.atleast_1d(np.asarray(times, dtype="datetime64[ns]")).ravel()
        svs = list(self.svs if svs is None else svs)
        _, states = self._positions_s(to_gpst_seconds(t_dt), svs)
        return xr.DataArray(
            states, dims=("time", "sv"),
            coords={"time": t_dt, "sv": np.array(svs, dtype="<U3")}, name="record_state",
            attrs={"long_name": "broadcast ephemeris state of the satellite",
                   "flag_values": np.arange(len(STATE_MEANINGS), dtype=np.int8),
                   "flag_meanings": " ".join(STATE_MEANINGS), "time_scale": "GPST"})

    def clock_offsets(self, times: ArrayLike, svs: Sequence[str] | None = None) -> xr.DataArray:
        """Broadcast satellite clock offsets at GPST epochs, from the records
        :meth:`positions` uses (same selection, no range warning).

        Returns
        -------
        xarray.DataArray
            dims ``(time, sv)``, seconds: satellite clock minus the system's own time
            (BDT, GLONASST, GPST, GST), for the signal each message's clock refers to
            (:func:`~gnss_interop.ephemerides.records.record_clocks`: BeiDou B3I, GLONASS
            G1, GPS L1/L2 and Galileo I/NAV E1/E5b, F/NAV E1/E5a ionosphere-free). Without
            the periodic relativistic term for the Keplerian systems, with it for
            GLONASS, as broadcast. NaN where no healthy record is valid.
        """
        t_dt = np.atleast_1d(np.asarray(times, dtype="datetime64[ns]")).ravel()
        t = to_gpst_seconds(t_dt)
        svs = list(self.svs if svs is None else svs)
        out = np.full((t.size, len(svs)), np.nan)
        for system, rec, cols, idx, q_t, _ in self._select_s(t, svs):
            ok = idx >= 0
            flat = np.full(q_t.size, np.nan)
            if np.any(ok):
                flat[ok] = record_clocks(spec(system), rec, idx[ok], q_t[ok])
            out[:, cols] = flat.reshape(t.size, cols.size)
        return xr.DataArray(
            out, dims=("time", "sv"),
            coords={"time": t_dt, "sv": np.array(svs, dtype="<U3")}, name="clock_offset",
            attrs={"units": "s", "long_name": "broadcast satellite clock offset",
                   "time_scale": "epochs GPST; offsets against each system's own time",
                   "comment": "Keplerian systems without, GLONASS with the periodic "
                              "relativistic term; NaN where no healthy record is in effect"})

    def record_fields(self, times: ArrayLike, svs: Sequence[str], names: Sequence[str]
                      ) -> dict[str, NDArray]:
        """Fields of the record serving each (epoch, satellite), as (T, S) arrays.

        ``names`` are record value names (e.g. ``"tgd1"``) or ``"message"`` (the RINEX
        message, ``""`` where none). NaN where no healthy record is valid or the record
        lacks the field. Same selection as :meth:`positions`.
        """
        t = to_gpst_seconds(np.atleast_1d(np.asarray(times, dtype="datetime64[ns]")).ravel())
        shape = (t.size, len(svs))
        out: dict[str, NDArray] = {n: (np.full(shape, "", dtype="<U9") if n == "message"
                                       else np.full(shape, np.nan)) for n in names}
        for _, rec, cols, idx, q_t, _ in self._select_s(t, list(svs)):
            ok = idx >= 0
            for n in names:
                src = rec.message if n == "message" else rec.values.get(n)
                if src is None:
                    continue
                flat = np.full(q_t.size, "", dtype="<U9") if n == "message" \
                    else np.full(q_t.size, np.nan)
                flat[ok] = src[idx[ok]]
                out[n][:, cols] = flat.reshape(t.size, cols.size)
        return out

    def positions(self, times: ArrayLike, svs: Sequence[str] | None = None) -> xr.DataArray:
        """Earth-fixed satellite positions at GPST epochs.

        Parameters
        ----------
        times
            GPST epochs: ``numpy.datetime64`` array (or ISO strings), any shape
            flattened to 1-D.
        svs
            Satellites to compute (default: :attr:`svs`, every satellite with a
            usable record).

        Returns
        -------
        xarray.DataArray
            dims ``(time, sv, xyz)``, metres, Earth-fixed in each system's broadcast
            frame (CGCS2000, PZ-90.11, WGS 84, GTRF: all within a few cm of ITRF, which
            is negligible for visibility and DOP). NaN where no record covers the epoch
            (a data gap: a single :class:`~gnss_interop.errors.EphemerisRangeWarning`
            then lists the satellites and how many epochs each lacks); also NaN, without
            a warning, where the record in effect is flagged unhealthy (the operator set
            the satellite unhealthy: it must not be used) or only records the screening
            rejected cover the epoch. The boolean (time, sv) coordinate ``ephemeris_gap``
            is True where no record at all covers the epoch (:mod:`gnss_interop.coverage.gaps`);
            :meth:`record_state` tells every case apart; the attrs ``unhealthy_epochs``
            (satellite: epochs) and ``excluded_records`` / ``unverified_records``
            (screening) carry them into every output's provenance.
        """
        t_dt = np.atleast_1d(np.asarray(times, dtype="datetime64[ns]")).ravel()
        t = to_gpst_seconds(t_dt)
        svs = list(self.svs if svs is None else svs)
        unknown = [s for s in svs if spec_of_letter(s[:1]) is None]
        if unknown:
            known = ", ".join(f"{e.display_name} ({e.letter}..)" for e in registered())
            raise ValueError(f"only satellites of {known} are supported, got {unknown}")
        pos, states = self._positions_s(t, svs)
        missing = (states == NO_EPHEMERIS).sum(axis=0)
        unhealthy = (states == UNHEALTHY).sum(axis=0)
        if np.any(missing):
            parts = [f"{s} ({m})" for s, m in zip(svs, missing) if m]
            letters = {s[0] for s, m in zip(svs, missing) if m}
            validity = ", ".join(e.validity_text() for e in registered() if e.letter in letters)
            warnings.warn(
                f"requested epochs outside every ephemeris validity window for "
                f"{len(parts)} satellite(s) [epochs missing]: {', '.join(parts)}. Their positions "
                f"are NaN there (validity: {validity}; near day boundaries "
                f"load the adjacent day's file too).",
                EphemerisRangeWarning, stacklevel=2)
        frames = ", ".join(f"{spec(s).frame} ({s.display_name})" for s in self.systems)
        return xr.DataArray(
            pos, dims=("time", "sv", "xyz"),
            coords={"time": t_dt, "sv": np.array(svs, dtype="<U3"), "xyz": ["x", "y", "z"],
                    # data gaps (no record at all), told apart from unhealthy: coverage.gaps
                    "ephemeris_gap": (("time", "sv"), states == NO_EPHEMERIS, {
                        "long_name": "no broadcast ephemeris (healthy or not) is valid at "
                                     "the epoch: a gap in the data, not in the service"})},
            name="position",
            attrs={"units": "m", "long_name": "satellite position, Earth-fixed",
                   "frame": f"ECEF: {frames}",
                   "time_scale": "GPST",
                   "comment": "NaN where no broadcast record covers the epoch (data gap), "
                              "where the record in effect is flagged unhealthy, or where "
                              "only records rejected by the screening cover it",
                   "unhealthy_epochs": ", ".join(f"{s} ({u})" for s, u in zip(svs, unhealthy)
                                                 if u) or "none",
                   "no_ephemeris_epochs": ", ".join(f"{s} ({m})" for s, m in zip(svs, missing)
                                                    if m) or "none",
                   **self.screening_summary()},
        )

    # -------------------------------------------------------------- screening
    def _notes(self, system: System, idx: NDArray[np.int64], reasons: list[str]
               ) -> list[ScreenedRecord]:
        rec = self._rec[system]
        name = spec(system).reference_time_name
        return [ScreenedRecord(str(rec.sv[idx[k]]), str(rec.message[idx[k]]),
                               from_gpst_seconds(rec.t_ref[idx[k]]), reasons[k],
                               self.sources[rec.source[idx[k]]], int(rec.line[idx[k]]), name)
                for k in np.argsort(idx, kind="stable")]

    def _exclude(self, system: System, idx: NDArray[np.int64], reasons: list[str]) -> None:
        self.excluded += self._notes(system, idx, reasons)
        self._rec[system].excluded[idx] = True

    def _screen(self, metadata=None) -> None:
        """Exclude healthy-flagged records whose orbit is implausible: radius first, then
        switch-over jumps (:mod:`~gnss_interop.ephemerides.screening`), then the cross-check
        against each satellite's other records and its Walker slot
        (:mod:`~gnss_interop.ephemerides.consistency`), each among the records that passed
        the previous tests. ``metadata``: IGS satellite metadata for the BeiDou slots
        (``None``: the shipped file; ``False``: none)."""
        if metadata is None and any(np.any(r.usable) for r in self._rec.values()):
            from gnss_interop.ephemerides.catalogue import shipped_metadata

            metadata = shipped_metadata()
        elif metadata is not None and not metadata:
            metadata = None
        elif isinstance(metadata, (str, Path)):
            from gnss_interop.reading.sinex import read_satellite_metadata

            metadata = read_satellite_metadata(metadata)
        for system, rec in self._rec.items():
            if not np.any(rec.usable):
                continue
            entry = spec(system)
            self._exclude(system, *screen_radius(entry, rec))
            self._exclude(system, *screen_jumps(entry, rec))
            check = cross_check(entry, rec, metadata=metadata)
            self._exclude(system, check.excluded, check.excluded_reasons)
            self.unverified += self._notes(system, check.unverified, check.unverified_reasons)
        if self.excluded:
            lines = [e.describe() for e in self.excluded]
            warnings.warn(f"{len(lines)} healthy-flagged broadcast record(s) excluded as "
                          f"implausible (not used in any output): " + "; ".join(lines),
                          GnssDataWarning, stacklevel=3)
        if self.unverified:
            lines = [e.describe() for e in self.unverified]
            warnings.warn(f"{len(lines)} healthy broadcast record(s) could not be cross-checked "
                          f"against another record or a constellation slot (used, unverified): "
                          + "; ".join(lines), UnverifiedEphemerisWarning, stacklevel=3)


def load_ephemerides(paths: str | Path | Iterable[str | Path],
                     systems: Iterable[System] | None = PRIMARY_SYSTEMS, *,
                     metadata=None) -> Ephemerides:
    """Read, merge and screen broadcast ephemerides (BeiDou and GLONASS unless told otherwise).

    Parameters
    ----------
    paths
        One or more RINEX 2.x, RINEX 3.0x or RINEX 4.0x navigation files (plain,
        ``.gz`` or ``.Z``), covering one or several days.
    systems
        The systems to read: the primary ones, BeiDou and GLONASS, by default;
        ``[System.GPS, System.GALILEO]``, ``list(System)``, or ``None`` for every
        registered system. Records of other systems are skipped (a BeiDou/GLONASS job
        does not decode and screen the thousands of Galileo records of a merged file).
    metadata
        IGS satellite metadata (a :class:`~gnss_interop.reading.sinex.SatelliteMetadata` or
        a SINEX path) whose ``SATELLITE/PLANE`` block gives the BeiDou slots of the
        cross-check (:mod:`~gnss_interop.ephemerides.consistency`); default: the shipped
        copy; ``False``: none (BeiDou records then get no slot check).

    Returns
    -------
    Ephemerides

    Raises
    ------
    GnssInputError
        A file that cannot be read (the message names the file and line), or
        no file given.

    Warns
    -----
    GnssDataWarning
        Once per file with unreadable records or notes on the file
        (:class:`~gnss_interop.errors.RinexRecordWarning`: the records skipped, each
        with its line, satellite and field; a file that looks truncated; a satellite
        gone from the file), and once for records excluded by the sanity screening
        (naming satellite, message, reference time, file, line and the error).
    UnverifiedEphemerisWarning
        Once for the healthy records no independent expectation could cross-check.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise GnssInputError("no navigation file given")
    selected = registered() if systems is None else tuple(spec(s) for s in systems)
    parts: dict[System, list[RecordTable]] = {s.system: [] for s in registered()}
    offsets: list[TimeOffset] = []
    problems: list[str] = []
    sources: list[str] = []
    for path in paths:
        nav = read_nav(path, [s.system for s in selected])
        k = len(sources)
        sources.append(str(path))
        for entry in selected:
            parts[entry.system].append(records_from_nav(entry, nav, k, problems))
        offsets += [time_offset_from_record(o, nav.leap_seconds) for o in nav.time_offsets]
        if nav.problems or nav.notes:
            said = []
            if nav.problems:
                shown = nav.problems[:20]
                more = f" (and {len(nav.problems) - 20} more)" if len(nav.problems) > 20 else ""
                said.append(f"skipped {len(nav.problems)} unreadable record(s): "
                            + "; ".join(shown) + more)
            warnings.warn(f"{path}: " + "; ".join(said + nav.notes), RinexRecordWarning,
                          stacklevel=2)
            problems += [f"{path}: {p}" for p in nav.problems + nav.notes]
    records = {system: dedupe(RecordTable.concat(p)) for system, p in parts.items()}
    return Ephemerides(records, sources, offsets, problems, metadata=metadata)
