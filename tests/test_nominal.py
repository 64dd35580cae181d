"""The shipped nominal almanac: reproducible, read like broadcast data, geometry as designed."""

import warnings

import numpy as np
import pytest

from conftest import ROOT
from gnss_interop import BdsOrbitType, load_ephemerides
from gnss_interop.ephemerides.nominal import BDS3_GEO_LON_DEG, GLONASS_NOMINAL, write_nominal_rinex

SHIPPED = ROOT / "almanacs" / "nominal_bds3_glonass_20240101.rnx.gz"


@pytest.fixture(scope="module")
def nominal():
    return load_ephemerides(SHIPPED)


@pytest.fixture(scope="module")
def day_positions(nominal):
    times = np.arange(np.datetime64("2024-01-01T00:00"), np.datetime64("2024-01-02T00:00:01"),
                      np.timedelta64(120, "s")).astype("datetime64[ns]")
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # covers the whole GPST day: no range warning
        return nominal.positions(times)


def test_shipped_file_is_what_the_generator_writes(tmp_path):
    regenerated = write_nominal_rinex(tmp_path / SHIPPED.name, day="2024-01-01")
    assert regenerated.read_bytes() == SHIPPED.read_bytes()


def test_constellation_sizes(nominal):
    svs = nominal.svs
    assert sum(s[0] == "C" for s in svs) == 30 and sum(s[0] == "R" for s in svs) == 24
    kinds = [nominal.bds_orbit_type(s) for s in svs if s[0] == "C"]
    assert kinds.count(BdsOrbitType.MEO) == 24
    assert kinds.count(BdsOrbitType.IGSO) == 3
    assert kinds.count(BdsOrbitType.GEO) == 3
    assert nominal.excluded == [] and nominal.has_time_offset("BDGL")


def test_geo_satellites_stay_on_their_slots(day_positions):
    for prn, lon in BDS3_GEO_LON_DEG.items():
        p = day_positions.sel(sv=f"C{prn:02d}").values
        r = np.linalg.norm(p, axis=-1)
        np.testing.assert_allclose(np.degrees(np.arcsin(p[:, 2] / r)), 0.0, atol=1e-6)
        np.testing.assert_allclose(np.degrees(np.arctan2(p[:, 1], p[:, 0])), lon, atol=1e-6)


def test_igso_crosses_equator_at_118E(day_positions):
    for sv in ("C38", "C39", "C40"):
        p = day_positions.sel(sv=sv).values
        lat = np.arcsin(p[:, 2] / np.linalg.norm(p, axis=-1))
        lon = np.degrees(np.arctan2(p[:, 1], p[:, 0]))
        up = np.flatnonzero((lat[:-1] < 0) & (lat[1:] >= 0))
        assert up.size == 1 and abs(lon[up[0]] - 118.0) < 0.5


def test_orbit_radii_and_inclinations(day_positions):
    r = np.linalg.norm(day_positions.values, axis=-1)
    meo = [s for s in day_positions.sv.values if s[0] == "C" and s not in
           ("C38", "C39", "C40", "C59", "C60", "C61")]
    np.testing.assert_allclose(r[:, np.isin(day_positions.sv, meo)], 27_906_100.0, rtol=1e-9)
    glo = np.array([s.startswith("R") for s in day_positions.sv.values])
    np.testing.assert_allclose(r[:, glo], GLONASS_NOMINAL["semi_major_axis_m"], rtol=3e-4)
    lat_max = np.degrees(np.arcsin(np.abs(day_positions.values[..., 2]) / r)).max(axis=0)
    assert np.all(np.abs(lat_max[glo] - 64.8) < 0.2)


def test_glonass_channels_match_broadcast(brd4_eph):
    from gnss_interop import System

    rec = brd4_eph._rec[System.GLONASS]
    for slot, channel in GLONASS_NOMINAL["channels"].items():
        assert set(rec.values["freq_num"][rec.sv == f"R{slot:02d}"]) == {channel}


@pytest.mark.parametrize("profile, n_c, n_r", [
    ("dual-bds3-glo", 27, 24),   # BDS-3 GEOs broadcast no B1C/B2a
    ("legacy-sf", 30, 24),       # B1I + G1: every satellite
    ("bds3-glo-cdma", 27, 9),    # GLONASS CDMA: -M+ and -K1 only
])
def test_nominal_satellites_follow_the_receiver_profile(nominal, profile, n_c, n_r):
    """The nominal almanac's satellites get generations from the shipped IGS metadata like
    a real day's, so the profile decides which of them count, exactly as on real data."""
    from gnss_interop.coverage.engine import satellite_usage
    from gnss_interop.receivers import receiver_profile

    svs = list(nominal.svs)
    cat = nominal.catalogue()
    assert cat.count_by_generation() == {"BDS-3": 27, "BDS-3 GEO": 3, "GLONASS-M": 15,
                                         "GLONASS-M+": 6, "GLONASS-K1": 3}
    use = satellite_usage(svs, np.array([np.datetime64("2024-01-01T12:00", "ns")]),
                          receiver_profile(profile), catalogue=cat)
    used = [sv for sv, u in zip(svs, use.usable) if u]
    assert sum(s[0] == "C" for s in used) == n_c
    assert sum(s[0] == "R" for s in used) == n_r
    assert set(use.excluded) == set(svs) - set(used)


def test_nominal_days_join_without_a_step(tmp_path):
    """Files of consecutive days on one reference day continue each other: across midnight
    the third difference of the positions (1-min steps) is as small as at noon, where one
    file's records take over from each other (a jump back to the nominal slots would be
    thousands of km)."""
    from gnss_interop.ephemerides.nominal import nominal_files

    files = nominal_files("2024-01-01", "2024-01-04", tmp_path)
    assert [f.name[21:29] for f in files] == ["20240101", "20240102", "20240103"]
    eph = load_ephemerides(files)

    def jerk_m(centre):
        t = (np.datetime64(centre, "ns") + np.array([-120, -60, 0, 60])
             * np.timedelta64(1, "s")).astype("datetime64[ns]")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            p = eph.positions(t).values
        return np.abs(np.diff(p, n=3, axis=0)).max()

    midnight, noon = jerk_m("2024-01-03T00:00"), jerk_m("2024-01-02T12:00")
    assert midnight < 2.0 * noon + 1.0, (midnight, noon)       # measured: 4.6 m and 4.6 m
    # and the first day's file is the shipped one's content
    assert load_ephemerides(files[0]).svs == load_ephemerides(SHIPPED).svs


def test_a_nominal_scenario_covers_any_span_after_its_day(tmp_path, monkeypatch):
    from gnss_interop.scenarios.runner import ephemeris_paths
    from gnss_interop.scenarios.schema import ScenarioFile

    monkeypatch.setenv("GNSS_INTEROP_CACHE", str(tmp_path))
    spec = ScenarioFile.model_validate({
        "title": "t", "almanac": "nominal", "start": "2024-01-05T00:00:00",
        "end": "2024-01-07T00:00:00",
        "grid": {"resolution_deg": 30.0}, "scenario": [{"name": "baseline"}]})
    paths = ephemeris_paths(spec, tmp_path)
    assert [p.name[21:29] for p in paths] == ["20240104", "20240105", "20240106"]
    eph = load_ephemerides(paths)
    t = np.arange(np.datetime64("2024-01-05T00:00"), np.datetime64("2024-01-07T00:00"),
                  np.timedelta64(3600, "s")).astype("datetime64[ns]")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(eph.positions(t).values).all()
