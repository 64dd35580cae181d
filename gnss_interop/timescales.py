"""Conversions between GPST, BDT, UTC and GLONASS time.

Internally every epoch is a float64 number of seconds since the GPS epoch
(1980-01-06 00:00:00) *in GPST*. A float64 holds such a number (~1.4e9 s)
to better than a microsecond, which at satellite speeds (<4 km/s) is below
a millimetre. The public API exchanges ``numpy.datetime64`` values that are
to be read as GPST (they are "naive": numpy knows no time scales).

Relations used (see :mod:`gnss_interop.constants` for sources):

* BDT = GPST - 14 s (continuous; BDT week 0 began in GPS week 1356)
* GPST = UTC + leap seconds (18 s since 2017-01-01)
* GLONASST = UTC(SU) + 3 h (RINEX GLONASS epochs are already UTC)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gnss_interop.constants import (
    BDT_WEEK0_IN_GPS_WEEKS,
    GLONASST_MINUS_UTC_S,
    GPST_MINUS_BDT_S,
    SECONDS_PER_WEEK,
)
from gnss_interop.errors import LeapSecondRangeError
from gnss_interop.systems import TimeScale

#: The GPS epoch, origin of the internal seconds count.
GPS_EPOCH = np.datetime64("1980-01-06T00:00:00", "ns")

#: GPST - UTC [s] from each UTC date on (IERS Bulletin C; GPST - UTC = TAI - UTC - 19 s),
#: from the GPS epoch on (GPST = UTC on 1980-01-06): every leap second GLONASS (UTC
#: epochs, 1982 on) has seen. An epoch before 1980-01-06 is a
#: :class:`~gnss_interop.errors.LeapSecondRangeError`; after the last entry the last value
#: holds (no leap second has been announced since; update with each Bulletin C).
LEAP_SECONDS_TABLE: tuple[tuple[str, int], ...] = (
    ("1980-01-06", 0),
    ("1981-07-01", 1),
    ("1982-07-01", 2),
    ("1983-07-01", 3),
    ("1985-07-01", 4),
    ("1988-01-01", 5),
    ("1990-01-01", 6),
    ("1991-01-01", 7),
    ("1992-07-01", 8),
    ("1993-07-01", 9),
    ("1994-07-01", 10),
    ("1996-01-01", 11),
    ("1997-07-01", 12),
    ("1999-01-01", 13),
    ("2006-01-01", 14),
    ("2009-01-01", 15),
    ("2012-07-01", 16),
    ("2015-07-01", 17),
    ("2017-01-01", 18),
)


def to_gpst_seconds(times: ArrayLike) -> NDArray[np.float64]:
    """GPST datetime64 values (or ISO strings) → float seconds since the GPS epoch."""
    t = np.asarray(times, dtype="datetime64[ns]")
    return (t - GPS_EPOCH).astype("timedelta64[ns]").astype(np.int64) / 1e9


def from_gpst_seconds(seconds: ArrayLike) -> NDArray[np.datetime64]:
    """Float seconds since the GPS epoch (GPST) → ``datetime64[ns]`` (GPST), rounded to 1 ns."""
    s = np.asarray(seconds, dtype=np.float64)
    return GPS_EPOCH + np.round(s * 1e9).astype("timedelta64[ns]")


def calendar_to_seconds(
    year: ArrayLike, month: ArrayLike, day: ArrayLike,
    hour: ArrayLike, minute: ArrayLike, second: ArrayLike,
) -> NDArray[np.float64]:
    """Calendar fields → seconds since 1980-01-06 00:00:00 *of the same time scale*.

    No time-scale conversion happens here: a BDT calendar epoch gives BDT
    seconds. Vectorised (days-from-civil algorithm, proleptic Gregorian).
    """
    y = np.asarray(year, dtype=np.int64)
    m = np.asarray(month, dtype=np.int64)
    d = np.asarray(day, dtype=np.int64)
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days_since_1970 = era * 146097 + doe - 719468
    days = days_since_1970 - 3657  # 1980-01-06 is day 3657 after 1970-01-01
    return (days * 86400.0 + np.asarray(hour) * 3600.0 + np.asarray(minute) * 60.0
            + np.asarray(second, dtype=np.float64))


def leap_seconds_at_utc(utc_seconds: ArrayLike) -> NDArray[np.int64]:
    """GPST - UTC [s] at UTC epochs given as seconds since 1980-01-06 UTC.

    Raises
    ------
    LeapSecondRangeError
        An epoch before 1980-01-06 (or NaN): the table covers 1980-01-06 on.
    """
    t = np.asarray(utc_seconds, dtype=np.float64)
    starts = np.array([to_gpst_seconds(np.datetime64(d)) for d, _ in LEAP_SECONDS_TABLE])
    values = np.array([v for _, v in LEAP_SECONDS_TABLE], dtype=np.int64)
    idx = np.searchsorted(starts, t, side="right") - 1
    bad = (idx < 0) | np.isnan(t)
    if np.any(bad):
        first = float(np.asarray(t)[bad].flat[0]) if np.ndim(t) else float(t)
        when = "NaN" if np.isnan(first) else f"{first:.0f} s from 1980-01-06"
        raise LeapSecondRangeError(
            f"epoch {when} is outside the leap-second table, which covers UTC from "
            f"{LEAP_SECONDS_TABLE[0][0]} (GPST - UTC = 0 s) on; the last leap second listed "
            f"is {LEAP_SECONDS_TABLE[-1][0]} ({LEAP_SECONDS_TABLE[-1][1]} s)")
    return values[idx]


def scale_to_gpst(seconds: ArrayLike, scale: TimeScale, leap_seconds: ArrayLike | None = None
                  ) -> NDArray[np.float64]:
    """Seconds counted in ``scale`` since its 1980-01-06 calendar date → GPST seconds.

    ``leap_seconds`` (GPST - UTC) is needed for UTC and GLONASST; when ``None`` it
    comes from :data:`LEAP_SECONDS_TABLE`.
    """
    s = np.asarray(seconds, dtype=np.float64)
    if scale in (TimeScale.GPST, TimeScale.GST):
        return s
    if scale is TimeScale.BDT:
        return s + GPST_MINUS_BDT_S
    if scale is TimeScale.GLONASST:
        s = s - GLONASST_MINUS_UTC_S
    elif scale is not TimeScale.UTC:  # pragma: no cover - enum is closed
        raise ValueError(f"unsupported time scale {scale}")
    leap = leap_seconds_at_utc(s) if leap_seconds is None else np.asarray(leap_seconds)
    return s + leap


def gpst_to_scale(gpst_seconds: ArrayLike, scale: TimeScale, leap_seconds: ArrayLike | None = None
                  ) -> NDArray[np.float64]:
    """Inverse of :func:`scale_to_gpst`."""
    s = np.asarray(gpst_seconds, dtype=np.float64)
    if scale in (TimeScale.GPST, TimeScale.GST):
        return s
    if scale is TimeScale.BDT:
        return s - GPST_MINUS_BDT_S
    if leap_seconds is None:
        # the leap second in force at GPST t is the one at UTC t - leap; start from the one
        # at UTC = t (wrong only within leap seconds after a step) and iterate once
        leap = leap_seconds_at_utc(s - leap_seconds_at_utc(s))
    else:
        leap = np.asarray(leap_seconds)
    utc = s - leap
    if scale is TimeScale.UTC:
        return utc
    if scale is TimeScale.GLONASST:
        return utc + GLONASST_MINUS_UTC_S
    raise ValueError(f"unsupported time scale {scale}")  # pragma: no cover


def bdt_week_sow_to_gpst(week: ArrayLike, sow: ArrayLike) -> NDArray[np.float64]:
    """BDT week number and seconds of BDT week → GPST seconds since the GPS epoch."""
    w = np.asarray(week, dtype=np.float64)
    return (w + BDT_WEEK0_IN_GPS_WEEKS) * SECONDS_PER_WEEK + np.asarray(sow) + GPST_MINUS_BDT_S


def nearest_week_time(reference_s: ArrayLike, sow: ArrayLike) -> NDArray[np.float64]:
    """Absolute time of a seconds-of-week value ``sow`` closest to ``reference_s``.

    Both in the same scale, seconds since 1980-01-06. Resolves week rollover when
    a record's toe lies in the week before or after its clock epoch.
    """
    ref = np.asarray(reference_s, dtype=np.float64)
    week_start = np.floor(ref / SECONDS_PER_WEEK) * SECONDS_PER_WEEK
    t = week_start + np.asarray(sow, dtype=np.float64)
    t = np.where(t - ref > SECONDS_PER_WEEK / 2, t - SECONDS_PER_WEEK, t)
    t = np.where(ref - t > SECONDS_PER_WEEK / 2, t + SECONDS_PER_WEEK, t)
    return t
