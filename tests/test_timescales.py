"""Time-scale conversions: BDT, GPST, UTC, GLONASST, weeks, calendars."""

import numpy as np
import pytest

from gnss_interop.systems import TimeScale
from gnss_interop.timescales import (
    bdt_week_sow_to_gpst,
    calendar_to_seconds,
    from_gpst_seconds,
    gpst_to_scale,
    leap_seconds_at_utc,
    nearest_week_time,
    scale_to_gpst,
    to_gpst_seconds,
)


def test_calendar_matches_numpy_datetime():
    rng = np.random.default_rng(1)
    days = rng.integers(0, 30000, 200)
    secs = rng.integers(0, 86400, 200)
    t = np.datetime64("1980-01-06") + days.astype("timedelta64[D]") + secs.astype("timedelta64[s]")
    s = t.astype("datetime64[s]").astype(object)
    cal = calendar_to_seconds([x.year for x in s], [x.month for x in s], [x.day for x in s],
                              [x.hour for x in s], [x.minute for x in s], [x.second for x in s])
    np.testing.assert_array_equal(cal, to_gpst_seconds(t))


def test_gps_epoch_and_round_trip():
    assert to_gpst_seconds(np.datetime64("1980-01-06T00:00:00")) == 0.0
    t = np.array(["2023-03-12T23:59:59.5", "2023-03-13T00:00:00"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(from_gpst_seconds(to_gpst_seconds(t)), t)


def test_bdt_epoch_is_gps_week_1356_plus_14s():
    # BDT week 0, second 0 = 2006-01-01 00:00:00 BDT = 2006-01-01 00:00:14 GPST
    t = from_gpst_seconds(bdt_week_sow_to_gpst(0, 0.0))
    assert t == np.datetime64("2006-01-01T00:00:14", "ns")


def test_bdt_gpst_glonasst_around_day_boundary():
    # 2023-03-12 23:59:50 GPST, a few seconds before midnight
    g = to_gpst_seconds(np.datetime64("2023-03-12T23:59:50"))
    bdt = gpst_to_scale(g, TimeScale.BDT)
    utc = gpst_to_scale(g, TimeScale.UTC)
    glo = gpst_to_scale(g, TimeScale.GLONASST)
    day = to_gpst_seconds(np.datetime64("2023-03-12"))
    assert bdt - day == pytest.approx(86400 - 10 - 14)        # 23:59:36 BDT
    assert utc - day == pytest.approx(86400 - 10 - 18)        # 23:59:32 UTC
    assert glo - day == pytest.approx(86400 - 10 - 18 + 3 * 3600)  # 02:59:32 on the 13th
    for scale, v in ((TimeScale.BDT, bdt), (TimeScale.UTC, utc), (TimeScale.GLONASST, glo)):
        assert scale_to_gpst(v, scale) == pytest.approx(g)
    # and 00:00:10 GPST on the 13th is still 12 March in UTC
    g2 = to_gpst_seconds(np.datetime64("2023-03-13T00:00:10"))
    assert str(from_gpst_seconds(gpst_to_scale(g2, TimeScale.UTC)))[:19] == "2023-03-12T23:59:52"


def test_leap_second_table():
    at = lambda d: int(leap_seconds_at_utc(to_gpst_seconds(np.datetime64(d))))
    assert at("2016-12-31T23:59:59") == 17
    assert at("2017-01-01T00:00:00") == 18
    assert at("2023-03-12") == 18
    assert at("2012-06-30") == 15


@pytest.mark.parametrize("ref_sow, toe_sow, expected_week_shift", [
    (604_790.0, 10.0, +1),     # toe just after the week rollover, clock epoch just before
    (5.0, 604_795.0, -1),      # toe just before, clock epoch just after
    (300_000.0, 303_600.0, 0),
])
def test_week_rollover(ref_sow, toe_sow, expected_week_shift):
    week = 2252 * 604_800.0
    t = nearest_week_time(week + ref_sow, toe_sow)
    assert t == week + expected_week_shift * 604_800.0 + toe_sow
    assert abs(t - (week + ref_sow)) < 302_400
