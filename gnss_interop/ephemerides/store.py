"""Broadcast ephemerides: loading, screening, selection and satellite positions.

``load_ephemerides(paths)`` reads any mix of RINEX 2 GLONASS, RINEX 3 and
RINEX 4 navigation files (plain, .gz, .Z), merges and de-duplicates their
BeiDou and GLONASS records, screens out implausible "healthy" records and
returns an :class:`Ephemerides` whose :meth:`~Ephemerides.positions` gives
Earth-fixed satellite positions at any GPST epochs.

Ephemeris choice per (satellite, epoch): among the *healthy, plausible*
records whose validity window contains the epoch, the one closest to its
reference time (toe for BeiDou, t_b for GLONASS). Windows: ±1 h around toe
for BeiDou, ±15 min around t_b for GLONASS (ICD). Outside every window the
position is NaN and one :class:`~gnss_interop.errors.EphemerisRangeWarning`
lists the satellites: never a silent extrapolation.

BeiDou message preference: D1/D2 (B1I) first, then CNV1 (B1C), then CNV2
(B2a). Every BeiDou satellite in orbit broadcasts B1I D1 (MEO/IGSO) or D2
(GEO) hourly; CNAV is used only where no D1/D2 record covers an epoch (e.g.
receiver files that carry only CNAV). In the 2023-03-12 merged file CNV1 and
D1 positions of the same satellite and epoch agree to ~0.07 m RMS.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from gnss_interop.constants import (
    BDS_FIT_HALF_WINDOW_S,
    BDS_GM_M3_S2,
    BDS_OMEGA_E_RAD_S,
    GLO_FIT_HALF_WINDOW_S,
    ORBIT_RADIUS_M,
    ORBIT_RADIUS_REL_TOL,
    SWITCHOVER_JUMP_MAX_M,
)
from gnss_interop.errors import EphemerisRangeWarning, GnssDataWarning, GnssInputError
from gnss_interop.reading.rinex_nav import NavFile, TimeOffsetRecord, read_nav
from gnss_interop.orbits import kepler_positions, propagate_glonass
from gnss_interop.systems import BdsOrbitType, System, TimeScale
from gnss_interop.timescales import (
    from_gpst_seconds,
    leap_seconds_at_utc,
    nearest_week_time,
    scale_to_gpst,
    to_gpst_seconds,
)

__all__ = ["Ephemerides", "ExcludedRecord", "TimeOffset", "load_ephemerides"]

#: BeiDou message classes in order of preference (see module docstring).
BDS_MESSAGE_PRIORITY = {"D1": 0, "D2": 0, "D1D2": 0, "CNV1": 1, "CNV2": 2}

_KEPLER_FIELDS = ("sqrt_a", "e", "i0", "omega0", "omega", "m0", "delta_n", "omega_dot", "idot",
                  "cuc", "cus", "cic", "cis", "crc", "crs", "toe", "a_dot", "delta_n_dot")
_SCALE_OF_LETTER = {"C": TimeScale.BDT, "R": TimeScale.UTC, "G": TimeScale.GPST, "E": TimeScale.GST,
                    "J": TimeScale.GPST}


@dataclass(frozen=True)
class ExcludedRecord:
    """A broadcast record flagged healthy but rejected by the sanity screening."""

    sv: str
    message: str
    epoch_gpst: np.datetime64
    reason: str
    source: str
    line: int


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


@dataclass
class _Records:
    """One row per record; arrays of equal length."""

    sv: NDArray[np.str_]
    message: NDArray[np.str_]
    t_ref: NDArray[np.float64]          # toe or t_b, GPST seconds
    half_window: NDArray[np.float64]    # validity half-width [s]
    priority: NDArray[np.int64]
    healthy: NDArray[np.bool_]
    source: NDArray[np.int64]           # index into Ephemerides.sources
    line: NDArray[np.int64]
    values: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.sv)

    def take(self, idx: NDArray) -> "_Records":
        return _Records(self.sv[idx], self.message[idx], self.t_ref[idx], self.half_window[idx],
                        self.priority[idx], self.healthy[idx], self.source[idx], self.line[idx],
                        {k: v[idx] for k, v in self.values.items()})

    @staticmethod
    def concat(parts: Sequence["_Records"]) -> "_Records":
        keys = set().union(*(p.values.keys() for p in parts)) if parts else set()
        def cat(name):
            return np.concatenate([getattr(p, name) for p in parts])
        values = {}
        for k in keys:
            values[k] = np.concatenate([p.values.get(k, np.full(len(p), np.nan)) for p in parts])
        return _Records(cat("sv"), cat("message"), cat("t_ref"), cat("half_window"),
                        cat("priority"), cat("healthy"), cat("source"), cat("line"), values)


def _empty_records() -> _Records:
    return _Records(np.array([], "<U3"), np.array([], "<U4"), np.array([]), np.array([]),
                    np.array([], np.int64), np.array([], bool), np.array([], np.int64),
                    np.array([], np.int64), {})


def _bds_orbit_type(values: dict[str, NDArray]) -> NDArray[np.int64]:
    """BdsOrbitType per record: CNAV SatType where given, else from the elements.

    Broadcast GEO elements have √A ≈ 6493 m^½ and i0 ≈ 0.07–0.12 rad (the
    reference plane is tilted by 5°), IGSO √A ≈ 6493 and i0 ≈ 0.96–1.0 rad,
    MEO √A ≈ 5282.6. The PRN is not used: PRNs are reassigned over time.
    """
    sqrt_a = values["sqrt_a"]
    from_elements = np.where(sqrt_a > 6000.0,
                             np.where(np.abs(values["i0"]) < 0.35, BdsOrbitType.GEO,
                                      BdsOrbitType.IGSO),
                             BdsOrbitType.MEO).astype(np.int64)
    sat_type = values.get("sat_type")
    if sat_type is None:
        return from_elements
    ok = np.isin(sat_type, (1, 2, 3))
    return np.where(ok, np.nan_to_num(sat_type).astype(np.int64), from_elements)


def _bds_records(nav: NavFile, source_index: int) -> _Records:
    parts = []
    for key, table in nav.tables.items():
        if not key.startswith("C:") or not table.sv:
            continue
        a = table.arrays()
        toc_bdt = a["epoch"]
        # toe: seconds of BDT week; take the week from the clock epoch (CNAV has
        # no week field; for D1/D2 this also absorbs a week rollover between toc and toe).
        toe_bdt = nearest_week_time(toc_bdt, a["toe"])
        t_ref = scale_to_gpst(toe_bdt, TimeScale.BDT)
        values = {k: a[k] for k in _KEPLER_FIELDS if k in a}
        values["orbit_type"] = _bds_orbit_type(a).astype(np.float64)
        values["toc_gpst"] = scale_to_gpst(toc_bdt, TimeScale.BDT)
        n = len(t_ref)
        prio = np.array([BDS_MESSAGE_PRIORITY[m] for m in a["message"]], dtype=np.int64)
        parts.append(_Records(a["sv"], a["message"], t_ref, np.full(n, BDS_FIT_HALF_WINDOW_S),
                              prio, a["health"] == 0, np.full(n, source_index), a["line"], values))
    return _Records.concat(parts) if parts else _empty_records()


def _glo_records(nav: NavFile, source_index: int, problems: list[str]) -> _Records:
    parts = []
    for key, table in nav.tables.items():
        if not key.startswith("R:") or not table.sv:
            continue
        a = table.arrays()
        utc = a["epoch"]
        table_leap = leap_seconds_at_utc(utc)
        if nav.leap_seconds is not None:
            leap = np.full(len(utc), nav.leap_seconds)
            if np.any(table_leap != leap):
                note = (f"{nav.path}: header LEAP SECONDS gives GPST-UTC = {nav.leap_seconds} s but "
                        f"the leap-second table gives {int(table_leap[0])} s for these epochs; "
                        f"using the header (GLONASS times shift by the difference)")
                problems.append(note)
                warnings.warn(note, GnssDataWarning, stacklevel=3)
        else:
            leap = table_leap
        # RINEX GLONASS epochs (t_b) are UTC(SU) (RINEX 3.04 §8.1), so GPST = UTC + leap
        t_ref = scale_to_gpst(utc, TimeScale.UTC, leap)
        values = {k: a[k] for k in ("x", "y", "z", "vx", "vy", "vz", "ax", "ay", "az", "freq_num",
                                    "minus_tau_n", "gamma_n")}
        n = len(t_ref)
        parts.append(_Records(a["sv"], a["message"], t_ref, np.full(n, GLO_FIT_HALF_WINDOW_S),
                              np.zeros(n, np.int64), a["health"] == 0, np.full(n, source_index),
                              a["line"], values))
    return _Records.concat(parts) if parts else _empty_records()


def _dedupe(rec: _Records) -> _Records:
    """Drop repeated records: same satellite, message class and reference time.

    Merged daily files and overlapping inputs repeat records; the first one
    read (in the order the files were given) is kept.
    """
    if len(rec) == 0:
        return rec
    key = np.char.add(np.char.add(rec.sv, "|"), rec.priority.astype(str))
    key = np.char.add(np.char.add(key, "|"), np.round(rec.t_ref).astype(np.int64).astype(str))
    _, first = np.unique(key, return_index=True)
    return rec.take(np.sort(first))


def _select(rec: _Records, sv_index_of_record: NDArray[np.int64], q_sv: NDArray[np.int64],
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
    r_half = rec.half_window[cand_idx]
    order = np.lexsort((r_t, r_sv))
    cand_idx, r_sv, r_t, r_half = cand_idx[order], r_sv[order], r_t[order], r_half[order]
    t0 = min(r_t.min(), q_t.min())
    span = 2.0 ** np.ceil(np.log2(max(r_t.max(), q_t.max()) - t0 + 1e6))
    r_key = r_sv * span + (r_t - t0)
    q_key = q_sv * span + (q_t - t0)
    pos = np.searchsorted(r_key, q_key)
    best_dist = np.full(q_t.shape, np.inf)
    for cand in (pos - 1, pos):
        inside = (cand >= 0) & (cand < r_t.size)
        c = np.clip(cand, 0, r_t.size - 1)
        dist = np.abs(q_t - r_t[c])
        ok = inside & (r_sv[c] == q_sv) & (dist <= r_half[c]) & (dist < best_dist)
        out = np.where(ok, cand_idx[c], out)
        best_dist = np.where(ok, dist, best_dist)
    return out


def _kepler_at(rec: _Records, idx: NDArray[np.int64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    el = {k: rec.values[k][idx] for k in _KEPLER_FIELDS if k in rec.values}
    for k in ("a_dot", "delta_n_dot"):
        if k in el:
            el[k] = np.nan_to_num(el[k])
    t_k = t - rec.t_ref[idx]
    is_geo = rec.values["orbit_type"][idx] == BdsOrbitType.GEO
    return kepler_positions(el, t_k, is_geo, BDS_GM_M3_S2, BDS_OMEGA_E_RAD_S)


def _glonass_at(rec: _Records, idx: NDArray[np.int64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    v = rec.values
    pos = np.stack([v["x"][idx], v["y"][idx], v["z"][idx]], axis=-1)
    vel = np.stack([v["vx"][idx], v["vy"][idx], v["vz"][idx]], axis=-1)
    acc = np.stack([v["ax"][idx], v["ay"][idx], v["az"][idx]], axis=-1)
    return propagate_glonass(pos, vel, acc, t - rec.t_ref[idx])


class Ephemerides:
    """Merged, screened BeiDou and GLONASS broadcast ephemerides.

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

    def __init__(self, bds: _Records, glo: _Records, sources: list[str],
                 time_offsets: list[TimeOffset], problems: list[str]) -> None:
        self._rec = {System.BEIDOU: bds, System.GLONASS: glo}
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

    @property
    def svs(self) -> list[str]:
        """Satellites with at least one usable (healthy, plausible) record, BeiDou first."""
        out: list[str] = []
        for system in (System.BEIDOU, System.GLONASS):
            r = self._rec[system]
            out += sorted(set(r.sv[r.healthy].tolist()), key=lambda s: (s[0], int(s[1:])))
        return out

    @property
    def unusable_svs(self) -> list[str]:
        """Satellites present in the files with no healthy, plausible record."""
        present = set()
        for r in self._rec.values():
            present |= set(r.sv.tolist())
        return sorted(present - set(self.svs))

    @property
    def span_gpst(self) -> tuple[np.datetime64, np.datetime64]:
        """Earliest start and latest end of the usable validity windows (GPST)."""
        lo, hi = np.inf, -np.inf
        for r in self._rec.values():
            if np.any(r.healthy):
                lo = min(lo, float(np.min((r.t_ref - r.half_window)[r.healthy])))
                hi = max(hi, float(np.max((r.t_ref + r.half_window)[r.healthy])))
        return from_gpst_seconds(lo), from_gpst_seconds(hi)

    def bds_orbit_type(self, sv: str) -> BdsOrbitType:
        """Orbit class of a BeiDou satellite, from its most recent usable record."""
        r = self._rec[System.BEIDOU]
        sel = (r.sv == sv) & r.healthy
        if not np.any(sel):
            sel = r.sv == sv
        if not np.any(sel):
            raise KeyError(f"no BeiDou records for {sv}")
        return BdsOrbitType(int(r.values["orbit_type"][np.flatnonzero(sel)[-1]]))

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
        n_c = sum(s[0] == "C" for s in svs)
        n_r = sum(s[0] == "R" for s in svs)
        lo, hi = self.span_gpst if svs else ("-", "-")
        return (f"<Ephemerides: {n_c} BeiDou + {n_r} GLONASS satellites, "
                f"{len(self._rec[System.BEIDOU])} + {len(self._rec[System.GLONASS])} records, "
                f"valid {lo} .. {hi} GPST, {len(self.excluded)} excluded, "
                f"{len(self.time_offsets)} time offsets>")

    # ------------------------------------------------------------- positions
    def _positions_s(self, t: NDArray[np.float64], svs: Sequence[str]
                     ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """(T, S, 3) positions [m] at GPST seconds ``t``, and a (T, S) mask of the epochs that
        no record covers at all (healthy or not): those are out of range."""
        out = np.full((t.size, len(svs), 3), np.nan)
        uncovered = np.zeros((t.size, len(svs)), dtype=bool)
        for system, fn in ((System.BEIDOU, _kepler_at), (System.GLONASS, _glonass_at)):
            cols = np.array([i for i, s in enumerate(svs) if s[0] == system.letter], dtype=np.int64)
            if cols.size == 0:
                continue
            rec = self._rec[system]
            names = [svs[i] for i in cols]
            lookup = {s: k for k, s in enumerate(names)}
            rec_sv_idx = np.array([lookup.get(s, -1) for s in rec.sv.tolist()], dtype=np.int64)
            q_sv = np.broadcast_to(np.arange(cols.size), (t.size, cols.size)).ravel()
            q_t = np.broadcast_to(t[:, None], (t.size, cols.size)).ravel()
            idx = np.full(q_t.shape, -1, dtype=np.int64)
            for prio in np.unique(rec.priority):
                todo = idx < 0
                usable = rec.healthy & (rec.priority == prio) & (rec_sv_idx >= 0)
                idx[todo] = _select(rec, rec_sv_idx, q_sv[todo], q_t[todo], usable)
            ok = idx >= 0
            flat = np.full((q_t.size, 3), np.nan)
            if np.any(ok):
                flat[ok] = fn(rec, idx[ok], q_t[ok])
            out[:, cols, :] = flat.reshape(t.size, cols.size, 3)
            # epochs left without a record: covered by an unhealthy one, or by none at all?
            any_rec = _select(rec, rec_sv_idx, q_sv[~ok], q_t[~ok], rec_sv_idx >= 0)
            none = np.zeros(q_t.size, dtype=bool)
            none[np.flatnonzero(~ok)[any_rec < 0]] = True
            uncovered[:, cols] = none.reshape(t.size, cols.size)
        return out, uncovered

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
            dims ``(time, sv, xyz)``, metres, Earth-fixed: CGCS2000 for
            BeiDou, PZ-90.11 for GLONASS (both within a few cm of ITRF; the
            difference is negligible for visibility and DOP). NaN where no
            healthy record is valid at that epoch; a single
            :class:`~gnss_interop.errors.EphemerisRangeWarning` then lists the
            satellites and how many epochs each lacks. Also NaN, without a
            warning, where only records flagged unhealthy cover the epoch (the
            operator set the satellite unhealthy: it must not be used).
        """
        t_dt = np.atleast_1d(np.asarray(times, dtype="datetime64[ns]")).ravel()
        t = to_gpst_seconds(t_dt)
        svs = list(self.svs if svs is None else svs)
        unknown = [s for s in svs if s[0] not in ("C", "R")]
        if unknown:
            raise ValueError(f"only BeiDou (C..) and GLONASS (R..) satellites are supported, got {unknown}")
        pos, uncovered = self._positions_s(t, svs)
        missing = uncovered.sum(axis=0)
        if np.any(missing):
            parts = [f"{s} ({m})" for s, m in zip(svs, missing) if m]
            warnings.warn(
                f"requested epochs outside every ephemeris validity window for "
                f"{len(parts)} satellite(s) [epochs missing]: {', '.join(parts)}. Their positions "
                f"are NaN there (validity: ±{BDS_FIT_HALF_WINDOW_S / 3600:g} h around BeiDou toe, "
                f"±{GLO_FIT_HALF_WINDOW_S / 60:g} min around GLONASS t_b; near day boundaries "
                f"load the adjacent day's file too).",
                EphemerisRangeWarning, stacklevel=2)
        return xr.DataArray(
            pos, dims=("time", "sv", "xyz"),
            coords={"time": t_dt, "sv": np.array(svs, dtype="<U3"), "xyz": ["x", "y", "z"]},
            name="position",
            attrs={"units": "m", "long_name": "satellite position, Earth-fixed",
                   "frame": "ECEF: CGCS2000 (BeiDou), PZ-90.11 (GLONASS)",
                   "time_scale": "GPST",
                   "comment": "NaN where no healthy broadcast ephemeris is valid"},
        )

    # -------------------------------------------------------------- screening
    def _exclude(self, system: System, mask: NDArray[np.bool_], reasons: list[str]) -> None:
        rec = self._rec[system]
        for i, why in zip(np.flatnonzero(mask), reasons):
            self.excluded.append(ExcludedRecord(
                str(rec.sv[i]), str(rec.message[i]), from_gpst_seconds(rec.t_ref[i]), why,
                self.sources[rec.source[i]], int(rec.line[i])))
        rec.healthy[mask] = False

    def _screen(self) -> None:
        """Exclude healthy-flagged records whose orbit is implausible.

        1. Radius at the reference time far (> 3 %) from the satellite's orbit class.
        2. A jump of more than 1 km against the neighbouring record of the same
           satellite and message class at the switch-over epoch (midway between
           reference times); the record whose every neighbour disagrees is
           excluded (both, if there are only two).
        """
        for system, fn in ((System.BEIDOU, _kepler_at), (System.GLONASS, _glonass_at)):
            rec = self._rec[system]
            idx = np.flatnonzero(rec.healthy)
            if idx.size == 0:
                continue
            with np.errstate(invalid="ignore"):
                r = np.linalg.norm(fn(rec, idx, rec.t_ref[idx]), axis=-1)
            if system is System.BEIDOU:
                nominal = np.array([ORBIT_RADIUS_M[BdsOrbitType(int(k)).name]
                                    for k in rec.values["orbit_type"][idx]])
            else:
                nominal = np.full(idx.size, ORBIT_RADIUS_M["GLONASS"])
            bad = ~(np.abs(r / nominal - 1.0) <= ORBIT_RADIUS_REL_TOL)
            if np.any(bad):
                mask = np.zeros(len(rec), bool)
                mask[idx[bad]] = True
                self._exclude(system, mask, [f"orbit radius {ri / 1e3:,.0f} km, expected "
                                             f"{ni / 1e3:,.0f} km ±{ORBIT_RADIUS_REL_TOL:.0%}"
                                             for ri, ni in zip(r[bad], nominal[bad])])
            self._screen_jumps(system, fn)
        if self.excluded:
            lines = [f"{e.sv} {e.message} {str(e.epoch_gpst)[:19]} GPST ({e.reason}; "
                     f"{Path(e.source).name} line {e.line})" for e in self.excluded]
            warnings.warn(f"{len(lines)} healthy-flagged broadcast record(s) excluded as implausible: "
                          + "; ".join(lines), GnssDataWarning, stacklevel=3)

    def _screen_jumps(self, system: System, fn) -> None:
        rec = self._rec[system]
        idx = np.flatnonzero(rec.healthy)
        if idx.size < 2:
            return
        order = idx[np.lexsort((rec.t_ref[idx], rec.priority[idx], rec.sv[idx]))]
        a, b = order[:-1], order[1:]
        gap = rec.t_ref[b] - rec.t_ref[a]
        pair = ((rec.sv[a] == rec.sv[b]) & (rec.priority[a] == rec.priority[b])
                & (gap <= rec.half_window[a] + rec.half_window[b]) & (gap > 0))
        if not np.any(pair):
            return
        tm = 0.5 * (rec.t_ref[a] + rec.t_ref[b])
        jump = np.full(a.size, 0.0)
        pa, pb = a[pair], b[pair]
        jump[pair] = np.linalg.norm(fn(rec, pa, tm[pair]) - fn(rec, pb, tm[pair]), axis=-1)
        bad_pair = jump > SWITCHOVER_JUMP_MAX_M
        if not np.any(bad_pair):
            return
        # record k (position k in `order`) has a left pair k-1 and a right pair k
        left_exists = np.r_[False, pair]
        right_exists = np.r_[pair, False]
        left_bad = np.r_[False, bad_pair]
        right_bad = np.r_[bad_pair, False]
        suspect = ((left_bad | ~left_exists) & (right_bad | ~right_exists)
                   & (left_exists | right_exists))
        if not np.any(suspect):
            return
        mask = np.zeros(len(rec), bool)
        mask[order[suspect]] = True
        jump_left = np.r_[0.0, jump]
        jump_right = np.r_[jump, 0.0]
        reasons = [f"position jump of {max(jump_left[k], jump_right[k]) / 1e3:,.1f} km against "
                   f"neighbouring ephemerides at switch-over" for k in np.flatnonzero(suspect)]
        # _exclude iterates mask indices in ascending record order
        sort = np.argsort(order[suspect])
        self._exclude(system, mask, [reasons[i] for i in sort])


def load_ephemerides(paths: str | Path | Iterable[str | Path]) -> Ephemerides:
    """Read, merge and screen BeiDou and GLONASS broadcast ephemerides.

    Parameters
    ----------
    paths
        One or more RINEX 2.x GLONASS, RINEX 3.0x or RINEX 4.0x navigation
        files (plain, ``.gz`` or ``.Z``), covering one or several days.

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
        Once per file with unreadable records (listing file and lines), and
        once for records excluded by the sanity screening.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise GnssInputError("no navigation file given")
    bds_parts, glo_parts, offsets, problems = [], [], [], []
    sources: list[str] = []
    for path in paths:
        nav = read_nav(path)
        k = len(sources)
        sources.append(str(path))
        bds_parts.append(_bds_records(nav, k))
        glo_parts.append(_glo_records(nav, k, problems))
        for o in nav.time_offsets:
            offsets.append(_time_offset(o, nav.leap_seconds))
        if nav.problems:
            shown = nav.problems[:20]
            more = f" (and {len(nav.problems) - 20} more)" if len(nav.problems) > 20 else ""
            warnings.warn(f"{path}: skipped {len(nav.problems)} unreadable record(s): "
                          + "; ".join(shown) + more, GnssDataWarning, stacklevel=2)
            problems += [f"{path}: {p}" for p in nav.problems]
    bds = _dedupe(_Records.concat(bds_parts))
    glo = _dedupe(_Records.concat(glo_parts))
    return Ephemerides(bds, glo, sources, offsets, problems)


def _time_offset(o: TimeOffsetRecord, leap: int | None) -> TimeOffset:
    scale = _SCALE_OF_LETTER.get(o.scale_letter, TimeScale.GPST)
    if np.isnan(o.t_ref):
        t_ref = np.nan
    else:
        leap_arr = None if leap is None or scale is not TimeScale.UTC else leap
        t_ref = float(scale_to_gpst(o.t_ref, scale, leap_arr))
    return TimeOffset(o.name, t_ref, o.a0, o.a1, o.a2, o.source, o.line)
