"""Broadcast ephemerides: loading, merging, screening, selection and satellite positions.

``load_ephemerides(paths)`` reads any mix of RINEX 2, RINEX 3 and RINEX 4 navigation
files (plain, .gz, .Z), merges and de-duplicates the records of every registered system
(:mod:`gnss_interop.systems`: BeiDou, GLONASS, GPS, Galileo), screens out implausible
"healthy" records (:mod:`~gnss_interop.ephemerides.screening`) and returns an
:class:`Ephemerides` whose :meth:`~Ephemerides.positions` gives Earth-fixed satellite
positions at any GPST epochs.

Ephemeris choice per (satellite, epoch): among the *healthy, plausible* records whose
validity window contains the epoch, the one closest to its reference time (toe, or t_b
for GLONASS), trying the system's messages in order of preference (BeiDou D1/D2 before
CNV1 before CNV2; Galileo I/NAV before F/NAV). Windows come from each registry entry
(±1 h BeiDou, ±15 min GLONASS, ±2 h GPS, toe − 10 min to toe + 3 h Galileo). Outside every window the position
is NaN and one :class:`~gnss_interop.errors.EphemerisRangeWarning` lists the satellites:
never a silent extrapolation.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from gnss_interop.ephemerides.records import (RecordTable, dedupe, record_clocks,
                                              record_positions, records_from_nav)
from gnss_interop.ephemerides.screening import screen_jumps, screen_radius
from gnss_interop.ephemerides.selection import select_records
from gnss_interop.ephemerides.time_offsets import TimeOffset, time_offset_from_record
from gnss_interop.errors import (EphemerisRangeWarning, GnssDataWarning, GnssInputError,
                                 RinexRecordWarning)
from gnss_interop.reading.rinex_nav import read_nav
from gnss_interop.systems import PRIMARY_SYSTEMS, OrbitClass, System, registered, spec, spec_of_letter
from gnss_interop.timescales import from_gpst_seconds, to_gpst_seconds

__all__ = ["Ephemerides", "ExcludedRecord", "TimeOffset", "load_ephemerides"]


@dataclass(frozen=True)
class ExcludedRecord:
    """A broadcast record flagged healthy but rejected by the sanity screening."""

    sv: str
    message: str
    epoch_gpst: np.datetime64
    reason: str
    source: str
    line: int


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
        Healthy-flagged records rejected by the sanity screening.
    ``problems``
        Unreadable records and other input notes, each naming file and line.
    """

    def __init__(self, records: dict[System, RecordTable], sources: list[str],
                 time_offsets: list[TimeOffset], problems: list[str]) -> None:
        self._rec = {s.system: records.get(s.system, RecordTable.empty()) for s in registered()}
        self.sources = sources
        self.time_offsets = time_offsets
        self.problems = problems
        self.excluded: list[ExcludedRecord] = []
        self._screen()

    # ------------------------------------------------------------------ info
    def records(self, system: System) -> dict[str, np.ndarray]:
        """All records of ``system`` as a dict of arrays (for inspection and tests)."""
        r = self._rec[system]
        out = {"sv": r.sv, "message": r.message, "t_ref_gpst": from_gpst_seconds(r.t_ref),
               "healthy": r.healthy, "source": np.array(self.sources, dtype=object)[r.source]
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
                t0, t1 = self.span()
                date = t0 + (t1 - t0) // 2
            else:
                date = np.datetime64("2000-01-01")
        return satellite_catalogue(self.svs, date, metadata=metadata,
                                   evidence=self.generation_evidence(), warn=warn)

    @property
    def svs(self) -> list[str]:
        """Satellites with at least one usable (healthy, plausible) record, by system
        (BeiDou, GLONASS, GPS, Galileo) and number."""
        out: list[str] = []
        for system, r in self._rec.items():
            out += sorted(set(r.sv[r.healthy].tolist()), key=_sv_sort_key)
        return out

    @property
    def systems(self) -> tuple[System, ...]:
        """Systems with at least one usable satellite."""
        return tuple(s for s, r in self._rec.items() if np.any(r.healthy))

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
            if system in wanted and np.any(r.healthy):
                lo = min(lo, float(np.min((r.t_ref - r.window_before)[r.healthy])))
                hi = max(hi, float(np.max((r.t_ref + r.window_after)[r.healthy])))
        if not np.isfinite(lo):
            names = ", ".join(s.display_name for s in System if s in wanted) or "no system"
            raise GnssInputError(f"no usable {names} ephemeris in {', '.join(self.sources)}")
        return from_gpst_seconds(lo), from_gpst_seconds(hi)

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
        sel = (r.sv == sv) & r.healthy
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
                                      NDArray[np.float64], NDArray[np.bool_]]]:
        """The record serving each (epoch, satellite), per system.

        Yields ``(system, records, cols, idx, q_t, uncovered)``: ``cols`` are the
        positions in ``svs`` of the system's satellites; ``idx`` (T·len(cols),) the record
        index for each (epoch, satellite) pair in C order, −1 where no healthy record is
        valid; ``q_t`` the GPST seconds of each pair; ``uncovered`` True where no record
        at all (healthy or not) covers the pair: those are out of range.
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
            idx = np.full(q_t.shape, -1, dtype=np.int64)
            for prio in np.unique(rec.priority):
                todo = idx < 0
                usable = rec.healthy & (rec.priority == prio) & (rec_sv_idx >= 0)
                idx[todo] = select_records(rec, rec_sv_idx, q_sv[todo], q_t[todo], usable)
            ok = idx >= 0
            # epochs left without a record: covered by an unhealthy one, or by none at all?
            any_rec = select_records(rec, rec_sv_idx, q_sv[~ok], q_t[~ok], rec_sv_idx >= 0)
            none = np.zeros(q_t.size, dtype=bool)
            none[np.flatnonzero(~ok)[any_rec < 0]] = True
            yield system, rec, cols, idx, q_t, none

    def _positions_s(self, t: NDArray[np.float64], svs: Sequence[str]
                     ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """(T, S, 3) positions [m] at GPST seconds ``t``, and a (T, S) mask of the epochs that
        no record covers at all (healthy or not): those are out of range."""
        out = np.full((t.size, len(svs), 3), np.nan)
        uncovered = np.zeros((t.size, len(svs)), dtype=bool)
        for system, rec, cols, idx, q_t, none in self._select_s(t, svs):
            ok = idx >= 0
            flat = np.full((q_t.size, 3), np.nan)
            if np.any(ok):
                flat[ok] = record_positions(spec(system), rec, idx[ok], q_t[ok])
            out[:, cols, :] = flat.reshape(t.size, cols.size, 3)
            uncovered[:, cols] = none.reshape(t.size, cols.size)
        return out, uncovered

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
                              "relativistic term; NaN where no healthy record is valid"})

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
            is negligible for visibility and DOP). NaN where no healthy record is valid
            at that epoch; a single :class:`~gnss_interop.errors.EphemerisRangeWarning`
            then lists the satellites and how many epochs each lacks. Also NaN, without
            a warning, where only records flagged unhealthy cover the epoch (the
            operator set the satellite unhealthy: it must not be used).
        """
        t_dt = np.atleast_1d(np.asarray(times, dtype="datetime64[ns]")).ravel()
        t = to_gpst_seconds(t_dt)
        svs = list(self.svs if svs is None else svs)
        unknown = [s for s in svs if spec_of_letter(s[:1]) is None]
        if unknown:
            known = ", ".join(f"{e.display_name} ({e.letter}..)" for e in registered())
            raise ValueError(f"only satellites of {known} are supported, got {unknown}")
        pos, uncovered = self._positions_s(t, svs)
        missing = uncovered.sum(axis=0)
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
            coords={"time": t_dt, "sv": np.array(svs, dtype="<U3"), "xyz": ["x", "y", "z"]},
            name="position",
            attrs={"units": "m", "long_name": "satellite position, Earth-fixed",
                   "frame": f"ECEF: {frames}",
                   "time_scale": "GPST",
                   "comment": "NaN where no healthy broadcast ephemeris is valid"},
        )

    # -------------------------------------------------------------- screening
    def _exclude(self, system: System, idx: NDArray[np.int64], reasons: list[str]) -> None:
        rec = self._rec[system]
        order = np.argsort(idx, kind="stable")
        for k in order:
            i = idx[k]
            self.excluded.append(ExcludedRecord(
                str(rec.sv[i]), str(rec.message[i]), from_gpst_seconds(rec.t_ref[i]), reasons[k],
                self.sources[rec.source[i]], int(rec.line[i])))
        rec.healthy[idx] = False

    def _screen(self) -> None:
        """Exclude healthy-flagged records whose orbit is implausible (see
        :mod:`~gnss_interop.ephemerides.screening`): radius first, then switch-over jumps
        among the records that passed."""
        for system, rec in self._rec.items():
            if not np.any(rec.healthy):
                continue
            entry = spec(system)
            self._exclude(system, *screen_radius(entry, rec))
            self._exclude(system, *screen_jumps(entry, rec))
        if self.excluded:
            lines = [f"{e.sv} {e.message} {str(e.epoch_gpst)[:19]} GPST ({e.reason}; "
                     f"{Path(e.source).name} line {e.line})" for e in self.excluded]
            warnings.warn(f"{len(lines)} healthy-flagged broadcast record(s) excluded as implausible: "
                          + "; ".join(lines), GnssDataWarning, stacklevel=3)


def load_ephemerides(paths: str | Path | Iterable[str | Path],
                     systems: Iterable[System] | None = PRIMARY_SYSTEMS) -> Ephemerides:
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
        gone from the file), and once for records excluded by the sanity screening.
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
    return Ephemerides(records, sources, offsets, problems)
