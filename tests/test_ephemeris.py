"""Ephemeris selection, merging, de-duplication, validity and sanity screening."""

import gzip
import warnings
from functools import partial

import numpy as np
import pytest

from conftest import BRD4, BRDC_GLO, SEPT
from gnss_interop import EphemerisRangeWarning, GnssDataWarning, System, load_ephemerides
from gnss_interop.ephemerides.records import record_positions
from gnss_interop.ephemerides.selection import NO_EPHEMERIS, UNHEALTHY, USABLE
from gnss_interop.systems import PRIMARY_SYSTEMS, spec
from gnss_interop.timescales import to_gpst_seconds

#: positions of BeiDou records (the registry entry's orbit model)
_kepler_at = partial(record_positions, spec(System.BEIDOU))


def _t(s):
    return np.array([s], dtype="datetime64[ns]")


def test_positions_dataarray_contract(brd4_eph):
    times = np.arange(np.datetime64("2023-03-12T06:00"), np.datetime64("2023-03-12T07:00"),
                      np.timedelta64(5, "m")).astype("datetime64[ns]")
    # BeiDou and GLONASS by default; every registered system on request
    assert len(brd4_eph.svs) == 44 + 24 and brd4_eph.systems == PRIMARY_SYSTEMS
    assert len(load_ephemerides(BRD4, systems=None).svs) == 44 + 24 + 31 + 24
    pos = brd4_eph.positions(times)
    assert pos.dims == ("time", "sv", "xyz")
    assert pos.attrs["units"] == "m" and pos.attrs["time_scale"] == "GPST"
    assert "CGCS2000" in pos.attrs["frame"] and "PZ-90.11" in pos.attrs["frame"]
    assert pos.sizes["sv"] == 44 + 24      # R25, R26 unhealthy all day
    # C14 (01-22 h) and C35 (before 12 h) are flagged unhealthy in the file: NaN, no warning
    nan = np.isnan(pos.values[..., 0])
    assert set(pos.sv.values[nan.any(axis=0)]) == {"C14", "C35"}
    r = np.linalg.norm(pos.values, axis=-1)[~nan]
    assert r.min() > 25.4e6 and r.max() < 42.6e6     # IGSO e ≈ 0.007 reaches 42,470 km


def test_unhealthy_periods_are_nan_without_warning(brd4_eph):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pos = brd4_eph.positions(_t("2023-03-12T10:00"), svs=["C14", "C35", "C19"])
    assert np.isnan(pos.values[0, :2]).all() and np.isfinite(pos.values[0, 2]).all()


def test_unhealthy_satellites_are_not_used(brd4_eph):
    assert {"R25", "R26"} <= set(brd4_eph.unusable_svs)
    assert "R25" not in brd4_eph.svs


def test_closest_record_in_window_is_used(brd4_eph):
    """At 00:40 the 01:00 D1 record of C19 is closer than the 00:00 one and must be used."""
    rec = brd4_eph._rec[System.BEIDOU]
    t = to_gpst_seconds(_t("2023-03-12T00:40:00"))
    d1 = np.flatnonzero((rec.sv == "C19") & (rec.priority == 0))
    toe = rec.t_ref[d1]
    best = d1[np.argmin(np.abs(toe - t))]
    assert abs(rec.t_ref[best] - t) <= 20 * 60 + 14
    expected = _kepler_at(rec, np.array([best]), t)[0]
    got = brd4_eph.positions(_t("2023-03-12T00:40:00"), svs=["C19"]).values[0, 0]
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_outside_every_window_is_nan_with_one_warning(brd4_eph):
    with pytest.warns(EphemerisRangeWarning) as rec:
        pos = brd4_eph.positions(_t("2023-03-20T12:00"))
    assert len(rec) == 1
    assert "C19 (1)" in str(rec[0].message) and "R01 (1)" in str(rec[0].message)
    assert np.isnan(pos.values).all()


def test_glonass_gap_at_start_of_day_is_reported(brd4_eph):
    """Merged daily files start GLONASS at 00:15 UTC: 00:00 GPST has no GLONASS ephemeris."""
    with pytest.warns(EphemerisRangeWarning, match=r"R01 \(1\)"):
        pos = brd4_eph.positions(_t("2023-03-12T00:00:00"))
    glo = np.array([s.startswith("R") for s in pos.sv.values])
    assert np.isnan(pos.values[0, glo]).all()
    # C14 (the later 00:00 transmission says SatH1 = 1) and C35 are unhealthy at 00:00
    unhealthy = np.isin(pos.sv.values, ["C14", "C35"])
    assert np.isfinite(pos.values[0, ~glo & ~unhealthy]).all()
    state = brd4_eph.record_state(_t("2023-03-12T00:00:00"), svs=["R01", "C14", "C19"])
    assert state.values.tolist() == [[NO_EPHEMERIS, UNHEALTHY, USABLE]]


def test_duplicates_across_files_are_merged(brd4_eph):
    twice = load_ephemerides([BRD4, BRD4])
    for system in (System.BEIDOU, System.GLONASS):
        assert len(twice._rec[system]) == len(brd4_eph._rec[system])
    t = _t("2023-03-12T12:34:56")
    np.testing.assert_array_equal(twice.positions(t).values, brd4_eph.positions(t).values)


@pytest.mark.real_data
def test_several_days_and_versions_merge():
    eph = load_ephemerides([BRD4, BRDC_GLO, SEPT])
    times = np.array(["2023-03-12T12:00", "2023-03-14T12:00", "2023-07-08T04:30"], "datetime64[ns]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EphemerisRangeWarning)
        pos = eph.positions(times, svs=["R01", "R07", "C19"])
    assert np.isfinite(pos.sel(sv="R01").values[:2]).all()      # 12 and 14 March
    assert np.isfinite(pos.sel(sv="R07").values[2]).all()       # 8 July from SEPT
    assert np.isfinite(pos.sel(sv="C19").values[[0, 2]]).all()
    assert np.isnan(pos.sel(sv="C19").values[1]).all()          # no BeiDou on 14 March


def test_bdgl_offset_available_and_interpolated(brd4_eph):
    assert brd4_eph.has_time_offset("BDGL")
    off = brd4_eph.time_offset_s("BDGL", _t("2023-03-12T00:20:14"))
    assert off[0] == pytest.approx(1.804437488317e-08, rel=1e-6)
    assert not load_ephemerides(SEPT).has_time_offset("BDGL")
    with pytest.raises(KeyError, match="no broadcast BDGL offset"):
        load_ephemerides(SEPT).time_offset_s("BDGL", _t("2023-07-08T03:00"))


# --------------------------------------------------------------- screening
def _c19_only_file(tmp_path, corrupt=None):
    """RINEX 4 file with only C19 D1 records; ``corrupt(k, lines)`` edits the k-th record."""
    lines = gzip.decompress(BRD4.read_bytes()).decode().splitlines(keepends=True)
    head = next(i for i, l in enumerate(lines) if "END OF HEADER" in l)
    out, k, i = lines[:head + 1], 0, head + 1
    while i < len(lines):
        if lines[i].startswith("> EPH C19 D1"):
            rec = lines[i:i + 9]
            if corrupt is not None:
                rec = corrupt(k, rec)
            out += rec
            k += 1
            i += 9
        else:
            i += 1
    p = tmp_path / "c19.rnx"
    p.write_text("".join(out))
    return p, head + 1


def _set_field(line, k, value):
    start = 4 + 19 * k
    return line[:start] + f"{value:19.12e}" + line[start + 19:]


@pytest.mark.real_data
def test_implausible_radius_is_excluded(tmp_path):
    def corrupt(k, rec):
        if k == 5:
            rec[3] = _set_field(rec[3], 3, 5600.0)     # sqrt(A): 31,360 km instead of 27,906
        return rec
    p, _ = _c19_only_file(tmp_path, corrupt)
    with pytest.warns(GnssDataWarning, match=r"1 healthy-flagged .* excluded .*C19 D1 toe "
                                             r"2023-03-12T05:00:14 GPST \(c19.rnx line \d+\): "
                                             r"orbit radius"):
        eph = load_ephemerides(p)
    assert len(eph.excluded) == 1 and eph.excluded[0].line > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = np.linalg.norm(eph.positions(_t("2023-03-12T05:00:14")).values)
    assert abs(r - 27.9e6) < 0.3e6        # the neighbouring record is used instead


@pytest.mark.real_data
def test_switchover_jump_is_excluded(tmp_path):
    # a shift by whole counts of the ICD resolution (2^-31 semicircles): the reader cannot
    # tell it from data (a value off the resolution is skipped on reading), the screening can
    lsb = 2.0**-31 * 3.1415926535898

    def corrupt(k, rec):
        if k == 8:
            m0 = float(rec[2][61:80]) + round(2e-3 / lsb) * lsb
            rec[2] = rec[2][:61] + f"{m0:19.12e}" + rec[2][80:]   # ≈ 56 km along track
        return rec
    p, _ = _c19_only_file(tmp_path, corrupt)
    with pytest.warns(GnssDataWarning, match=r"C19 D1 toe 2023-03-12T08:00:14 GPST \(c19.rnx "
                                             r"line \d+\): position jump of 5\d\.\d km"):
        eph = load_ephemerides(p)
    assert [e.sv for e in eph.excluded] == ["C19"]


def test_clean_file_excludes_nothing(brd4_eph, sept_eph):
    assert brd4_eph.excluded == [] and sept_eph.excluded == []


def _with_leap_line(tmp_path, line):
    lines = SEPT.read_text().splitlines(keepends=True)
    i = next(k for k, l in enumerate(lines) if "LEAP SECONDS" in l)
    lines[i] = line.ljust(60)[:60] + "LEAP SECONDS\n"
    p = tmp_path / "leap.rnx"
    p.write_text("".join(lines))
    return p


def test_leap_seconds_header_in_bdt_is_converted(tmp_path, sept_eph):
    """RINEX 3.02+ may state the leap seconds in BDT (BDT-UTC = 4 s): same GLONASS times."""
    p = _with_leap_line(tmp_path, "     4     4  2298     1BDS")
    eph = load_ephemerides(p)
    t = _t("2023-07-08T04:30")
    np.testing.assert_array_equal(eph.positions(t, svs=["R07"]).values,
                                  sept_eph.positions(t, svs=["R07"]).values)


@pytest.mark.real_data
def test_leap_seconds_header_disagreeing_with_table_warns(tmp_path):
    p = _with_leap_line(tmp_path, "    17")
    with pytest.warns(GnssDataWarning, match="GPST-UTC = 17 s but the leap-second table gives 18 s"):
        load_ephemerides(p)


@pytest.mark.real_data
def test_default_span_is_the_files_main_day():
    """BRD400DLR also holds 23:00 records of 2023-03-11: the default span is still the
    GPST day 2023-03-12 (span() keeps the full validity)."""
    from conftest import BRD4

    eph = load_ephemerides(BRD4)
    assert eph.span()[0] < np.datetime64("2023-03-12T00:00")
    lo, hi = eph.default_span()
    assert lo == np.datetime64("2023-03-12T00:00") and hi == np.datetime64("2023-03-13T00:00")


@pytest.mark.real_data
def test_a_stale_record_does_not_stretch_the_default_span():
    """The VILL00ESP station file of 2018-06-19 carries one record of 2018-06-05: span()
    covers 15 days, the default span the file's day, and a warning names the record."""
    from conftest import VILL

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eph = load_ephemerides(VILL)
    lo_all, hi_all = eph.span()
    assert (hi_all - lo_all) > np.timedelta64(14, "D")
    with pytest.warns(EphemerisRangeWarning, match=r"1 healthy record\(s\).*2018-06-05"):
        lo, hi = eph.default_span()
    assert lo == np.datetime64("2018-06-19T00:00") and hi == np.datetime64("2018-06-20T00:00")
