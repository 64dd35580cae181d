"""Nominal BeiDou-3 and GLONASS constellations written as a RINEX 4 navigation file.

The shipped default (``almanacs/nominal_bds3_glonass_20240101.rnx.gz``) is produced by
:func:`write_nominal_rinex`, so it is read by :func:`~gnss_interop.load_ephemerides`
like any broadcast file. Regenerate it with ``gnss-interop almanac``.

Constellation design (public facts):

* BDS-3 (BeiDou Open Service Performance Standard 3.0, 2021, §4.1; docs/domain.md §4.5):
  24 MEO in a Walker 24/3/1 at a = 27,906.1 km (21,528 km altitude) and i = 55°; 3 IGSO at
  geosynchronous radius, i = 55°, planes 120° apart, ground track crossing the equator at
  118° E; 3 GEO at 80° E, 110.5° E and 140° E.
* GLONASS (GLONASS ICD ed. 5.1, 2008, §3.5): 24 satellites in 3 planes 120° apart, i = 64.8°,
  8 satellites per plane 45° apart, adjacent planes shifted by 15° in argument of latitude,
  a = 25,510 km (19,100 km altitude). Frequency channels per slot as broadcast in 2023
  (identical in BRD400DLR 2023-03-12 and brdc0730.23g).

Orbits are circular. BeiDou records are pure Keplerian (hourly toe, D1 for MEO/IGSO, D2 for
GEO, GEO elements in the ICD's 5°-tilted reference frame). GLONASS state vectors (every
30 min) come from integrating each satellite with the package's own RK4 force model (J2, no
lunisolar term), so consecutive records agree at their switch-over. One STO record carries
a BDT−GLONASST offset (BDGL), which makes the ``C+R/interop`` configuration available. Its
value, A0 = +18.04 ns, is the one broadcast on 2023-03-12.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gnss_interop.output.atomic import write_bytes_atomic
from gnss_interop.constants import (
    BDS_GM_M3_S2,
    BDS_OMEGA_E_RAD_S,
    GLO_GM_M3_S2,
    GLO_OMEGA_E_RAD_S,
    GPST_MINUS_BDT_S,
)
from gnss_interop.orbits import propagate_glonass_state
from gnss_interop.timescales import calendar_to_seconds, leap_seconds_at_utc

__all__ = ["BDS3_MEO", "BDS3_IGSO", "BDS3_GEO_LON_DEG", "GLONASS_NOMINAL", "nominal_files",
           "write_nominal_rinex"]


@dataclass(frozen=True)
class Walker:
    """A Walker delta pattern T/P/F of circular orbits."""

    prns: tuple[int, ...]
    planes: int
    phasing: int
    semi_major_axis_m: float
    inclination_deg: float

    def slots(self) -> list[tuple[int, float, float]]:
        """(prn, RAAN [deg], argument of latitude at the reference epoch [deg])."""
        t = len(self.prns)
        per_plane = t // self.planes
        out = []
        for k, prn in enumerate(self.prns):
            p, j = divmod(k, per_plane)
            raan = 360.0 * p / self.planes
            u = 360.0 * j / per_plane + 360.0 * self.phasing * p / t
            out.append((prn, raan, u % 360.0))
        return out


#: BDS-3 MEO: Walker 24/3/1, 21,528 km altitude, 55° (BDS OS PS 3.0 §4.1). PRNs of the
#: BDS-3 MEO satellites (C19–C30, C32–C37, C41–C46).
BDS3_MEO = Walker(tuple(range(19, 31)) + tuple(range(32, 38)) + tuple(range(41, 47)),
                  planes=3, phasing=1, semi_major_axis_m=27_906_100.0, inclination_deg=55.0)
#: BDS-3 IGSO C38–C40: geosynchronous, 55°, RAAN 0/120/240°, equator crossing at 118° E.
BDS3_IGSO = {"prns": (38, 39, 40), "inclination_deg": 55.0, "crossing_lon_deg": 118.0}
#: BDS-3 GEO slots (C59, C60, C61) [deg E].
BDS3_GEO_LON_DEG = {59: 140.0, 60: 80.0, 61: 110.5}
#: GLONASS: slots 1–8 plane I, 9–16 plane II, 17–24 plane III; frequency channel per slot.
GLONASS_NOMINAL = {
    "semi_major_axis_m": 25_510_000.0,
    "inclination_deg": 64.8,
    "channels": {1: 1, 2: -4, 3: 5, 4: 6, 5: 1, 6: -4, 7: 5, 8: 6, 9: -2, 10: -7, 11: 0,
                 12: -1, 13: -2, 14: -7, 15: 0, 16: -1, 17: 4, 18: -3, 19: 3, 20: 2, 21: 4,
                 22: -3, 23: 3, 24: 2},
}
#: BDT − GLONASST fractional offset written in the STO record [s] (BRD400DLR, 2023-03-12).
NOMINAL_BDGL_A0_S = 1.804437488317e-08

_GEO_TILT_DEG = 5.0
_WEEK = 604_800.0


def _geosynchronous_a(gm: float, omega: float) -> float:
    return (gm / omega**2) ** (1.0 / 3.0)


def _fmt(values) -> str:
    return "".join(f"{v:19.12e}" for v in values)


def _calendar(seconds: float) -> tuple[int, int, int, int, int, int]:
    t = np.datetime64("1980-01-06T00:00:00") + np.timedelta64(int(round(seconds)), "s")
    d = t.astype(object)
    return d.year, d.month, d.day, d.hour, d.minute, d.second


def _epoch_str(sv: str, seconds: float) -> str:
    y, mo, d, h, mi, s = _calendar(seconds)
    return f"{sv} {y:04d} {mo:02d} {d:02d} {h:02d} {mi:02d} {s:02d}"


def _bds_records(day_bdt0: float, t_ref_bdt: float) -> list[str]:
    """D1/D2 records every hour from day start − 1 h to day end + 1 h (BDT)."""
    lines: list[str] = []
    n_meo = math.sqrt(BDS_GM_M3_S2 / BDS3_MEO.semi_major_axis_m**3)
    a_geo = _geosynchronous_a(BDS_GM_M3_S2, BDS_OMEGA_E_RAD_S)
    n_geo = math.sqrt(BDS_GM_M3_S2 / a_geo**3)
    sats = []  # (prn, kind, a, n, i, raan_inertial, u0, lon)
    for prn, raan, u in BDS3_MEO.slots():
        sats.append((prn, "D1", BDS3_MEO.semi_major_axis_m, n_meo,
                     math.radians(BDS3_MEO.inclination_deg), math.radians(raan), math.radians(u), 0.0))
    for k, prn in enumerate(BDS3_IGSO["prns"]):
        raan = 2 * math.pi * k / 3
        # node crossing at 118° E: Ω_I + u0 = λ (n = Ω̇e, week-start-aligned inertial frame)
        u0 = math.radians(BDS3_IGSO["crossing_lon_deg"]) - raan
        sats.append((prn, "D1", a_geo, n_geo, math.radians(BDS3_IGSO["inclination_deg"]), raan, u0, 0.0))
    for prn, lon in BDS3_GEO_LON_DEG.items():
        sats.append((prn, "D2", a_geo, n_geo, math.radians(_GEO_TILT_DEG), 0.0, 0.0, math.radians(lon)))
    toes = day_bdt0 + 3600.0 * np.arange(-1, 26)
    for prn, msg, a, n, inc, raan_i, u0, lon in sats:
        sv = f"C{prn:02d}"
        for k, toe in enumerate(toes):
            week_start = math.floor(toe / _WEEK) * _WEEK
            week = int(week_start / _WEEK) - 1356
            sow = toe - week_start
            if msg == "D2":
                # ICD GEO: Ω_k = Ω0 − Ω̇e·toe must put the node of the tilted GK frame at π, and
                # u = λ − π + Ω̇e·t_k keeps the satellite over longitude λ on the equator.
                omega0 = (math.pi + BDS_OMEGA_E_RAD_S * sow) % (2 * math.pi)
                m0 = lon - math.pi
            else:
                # inertial frame aligned with ECEF at t_ref: node longitude Ω_I − Ω̇e·(t − t_ref)
                # equals the ICD's Ω0 − Ω̇e·(t − week start)
                omega0 = (raan_i - BDS_OMEGA_E_RAD_S * (week_start - t_ref_bdt)) % (2 * math.pi)
                m0 = u0 + n * (toe - t_ref_bdt)
            m0 = (m0 + math.pi) % (2 * math.pi) - math.pi
            omega0 = (omega0 + math.pi) % (2 * math.pi) - math.pi
            lines += [
                f"> EPH {sv} {msg}",
                _epoch_str(sv, toe) + _fmt([0.0, 0.0, 0.0]),
                "    " + _fmt([float(k % 256), 0.0, 0.0, m0]),
                "    " + _fmt([0.0, 0.0, 0.0, math.sqrt(a)]),
                "    " + _fmt([sow, 0.0, omega0, 0.0]),
                "    " + _fmt([inc, 0.0, 0.0, 0.0]),
                "    " + _fmt([0.0, 0.0, float(week), 0.0]),
                "    " + _fmt([2.0, 0.0, 0.0, 0.0]),
                "    " + _fmt([sow - 300.0, 0.0]),
            ]
    return lines


def _glonass_records(day_utc0: float, steps_from_reference: int = 0) -> list[str]:
    """FDMA records every 30 min (t_b at hh:15 and hh:45 UTC) covering the GPST day; the
    nominal state is set at the reference day's first t_b, ``steps_from_reference`` half
    hours before this day's first t_b, and propagated from there."""
    gl = GLONASS_NOMINAL
    a, inc = gl["semi_major_axis_m"], math.radians(gl["inclination_deg"])
    v_circ = math.sqrt(GLO_GM_M3_S2 / a)
    slots = sorted(gl["channels"])
    pos, vel = [], []
    for slot in slots:
        plane, j = divmod(slot - 1, 8)
        raan = math.radians(120.0 * plane)
        u = math.radians(45.0 * j + 15.0 * plane)
        cu, su, co, so, ci, si = (math.cos(u), math.sin(u), math.cos(raan), math.sin(raan),
                                  math.cos(inc), math.sin(inc))
        r = np.array([cu * co - su * ci * so, cu * so + su * ci * co, su * si]) * a
        v_in = np.array([-su * co - cu * ci * so, -su * so + cu * ci * co, cu * si]) * v_circ
        # Earth-fixed velocity at the epoch where both frames coincide: v − ω × r
        v = v_in - np.cross([0.0, 0.0, GLO_OMEGA_E_RAD_S], r)
        pos.append(r)
        vel.append(v)
    state = np.hstack([np.array(pos), np.array(vel)])
    zeros = np.zeros((len(slots), 3))
    t_b = day_utc0 - 45 * 60.0 + 1800.0 * np.arange(52)     # 23:15 UTC the day before, ...
    for _ in range(steps_from_reference):
        state = propagate_glonass_state(state[:, :3], state[:, 3:], zeros,
                                        np.full(len(slots), 1800.0))
    states = [state]
    for _ in t_b[1:]:
        state = propagate_glonass_state(state[:, :3], state[:, 3:], zeros, np.full(len(slots), 1800.0))
        states.append(state)
    lines: list[str] = []
    for k, slot in enumerate(slots):
        sv = f"R{slot:02d}"
        for tb, st in zip(t_b, states):
            x, y, z, vx, vy, vz = st[k] / 1000.0     # RINEX: km, km/s
            tod = (tb + 3 * 3600.0) % 86400.0        # message frame time (GLONASST tod)
            lines += [
                f"> EPH {sv} FDMA",
                _epoch_str(sv, tb) + _fmt([0.0, 0.0, tod]),
                "    " + _fmt([x, vx, 0.0, 0.0]),
                "    " + _fmt([y, vy, 0.0, float(gl["channels"][slot])]),
                "    " + _fmt([z, vz, 0.0, 0.0]),
                "    " + _fmt([0.0, 0.0, 0.0, 0.0]),
            ]
    return lines


def write_nominal_rinex(path: str | Path, day: str = "2024-01-01", *,
                        reference_day: str | None = None) -> Path:
    """Write the nominal constellations for one GPST ``day`` as a RINEX 4.00 navigation file.

    The file covers ``day`` 00:00 to 24:00 GPST for both systems (BeiDou toe every hour,
    GLONASS t_b every 30 min). The constellations sit on their nominal slots at
    ``reference_day`` (default: ``day``) and move on from there, so the files of
    consecutive days with one reference day join without a step (the ground tracks repeat
    after 7 and 8 sidereal days, as the real ones do). A ``.gz`` suffix writes it
    gzip-compressed, with a fixed timestamp so that regenerating it gives the same bytes.
    """
    path = Path(path)
    ref = np.datetime64(reference_day or day, "D")
    n_days = int((np.datetime64(day, "D") - ref) / np.timedelta64(1, "D"))
    if n_days < 0:
        raise ValueError(f"day {day} is before the reference day {ref}")
    d = np.datetime64(day, "D").astype(object)
    day_cal = float(calendar_to_seconds(d.year, d.month, d.day, 0, 0, 0))
    leap = int(leap_seconds_at_utc(day_cal))
    day_bdt0 = day_cal - GPST_MINUS_BDT_S       # GPST midnight expressed in BDT
    day_utc0 = day_cal - leap                   # GPST midnight expressed in UTC
    t_ref_bdt = day_cal - 86400.0 * n_days       # inertial reference: 00:00 of the reference day
    header = [
        f"{'4.00':>9}{'':11}{'NAVIGATION DATA':20}{'M':20}RINEX VERSION / TYPE",
        f"{'gnss-interop':20}{'nominal':20}{'20240101 000000 UTC':20}PGM / RUN BY / DATE",
    ]
    comments = [
        "NOMINAL constellations, not broadcast data (gnss_interop",
        "nominal.py). BDS-3: 24 MEO Walker 24/3/1 a=27906.1 km",
        "i=55 deg, 3 IGSO i=55 deg crossing 118E, 3 GEO 80E 110.5E",
        "140E (BDS OS PS 3.0 2021 sec. 4.1). GLONASS: 24 sats, 3",
        "planes, i=64.8 deg, a=25510 km, 15 deg inter-plane shift",
        "(GLONASS ICD ed. 5.1 2008 sec. 3.5). Circular orbits.",
        f"BDGL STO A0 = {NOMINAL_BDGL_A0_S:.4e} s, as broadcast 2023-03-12.",
    ]
    header += [f"{c:60}COMMENT" for c in comments]
    header += [f"{leap:6d}{'':54}LEAP SECONDS", f"{'':60}END OF HEADER"]
    y, mo, dd, *_ = _calendar(day_bdt0 + 14.0)
    sto = [
        "> STO C19 CNVX",
        f"    {y:04d} {mo:02d} {dd:02d} 00 00 00 BDGL",
        "    " + _fmt([(day_bdt0 + 14.0) % _WEEK, NOMINAL_BDGL_A0_S, 0.0, 0.0]),
    ]
    body = sto + _bds_records(day_bdt0, t_ref_bdt) + _glonass_records(day_utc0, 48 * n_days)
    text = "\n".join(header + body) + "\n"
    data = text.encode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    return write_bytes_atomic(path, data)


#: The shipped nominal file's day: the reference day of every nominal span.
NOMINAL_REFERENCE_DAY = "2024-01-01"


def nominal_files(start: str, end: str, folder: str | Path) -> list[Path]:
    """Nominal files covering ``start`` .. ``end`` (GPST), one per day plus the day before
    (whose last records cover 00:00), all on the reference day
    :data:`NOMINAL_REFERENCE_DAY`; written to ``folder`` once and reused."""
    first = np.datetime64(start, "D") - np.timedelta64(1, "D")
    last = np.datetime64(np.datetime64(end, "s") - np.timedelta64(1, "s"), "D")
    ref = np.datetime64(NOMINAL_REFERENCE_DAY, "D")
    if first < ref:
        first = ref
    out = []
    day = first
    while day <= last:
        p = Path(folder) / f"nominal_bds3_glonass_{str(day).replace('-', '')}_ref"\
            f"{NOMINAL_REFERENCE_DAY.replace('-', '')}.rnx.gz"
        if not p.exists():
            write_nominal_rinex(p, day=str(day), reference_day=NOMINAL_REFERENCE_DAY)
        out.append(p)
        day = day + np.timedelta64(1, "D")
    return out
