"""Jammer model: J/S tolerance, free-space range, radio horizon, band coverage."""

import math

import pytest

from gnss_interop.scenarios.jammer import Band, Jammer, free_space_range_km, js_tolerance_db, radio_horizon_km
from gnss_interop.systems import System


def test_js_tolerance_formula():
    # Q·Rc·(1/10^2.8 − 1/10^4.5) for B1I: 2 × 2.046e6 × 1.5533e-3 → 38.0 dB
    expected = 10 * math.log10(2 * 2.046e6 * (10 ** -2.8 - 10 ** -4.5))
    assert js_tolerance_db(Band.B1I) == pytest.approx(expected)
    assert js_tolerance_db(Band.B1I) == pytest.approx(38.03, abs=0.01)
    assert js_tolerance_db(Band.G1) == pytest.approx(32.01, abs=0.01)   # 4x shorter code: −6 dB


def test_free_space_range_by_hand():
    # allowed FSPL = EIRP − S − J/S = 0 + 163 − 38 = 125 dB → d = c/(4πf)·10^(125/20)
    d = free_space_range_km(0.0, Band.B1I, 38.0)
    assert d == pytest.approx(299_792_458 / (4 * math.pi * 1561.098e6) * 10 ** 6.25 / 1000)
    # +20 dB of EIRP multiplies the range by 10
    assert free_space_range_km(20.0, Band.B1I, 38.0) == pytest.approx(10 * d)


def test_radio_horizon():
    assert radio_horizon_km(100.0, 0.0) == pytest.approx(41.2)
    assert radio_horizon_km(10_000.0, 0.0) == pytest.approx(412.0)


def test_band_selection_denies_only_the_covered_system():
    j = Jammer(50.0, 30.0, 10_000.0, 30.0, bands=("G1",))
    regions = j.denial_regions(0.0)
    assert set(regions) == {System.GLONASS}
    assert regions[System.GLONASS].radius_km == pytest.approx(412.0)     # horizon-limited
    wide = Jammer(50.0, 30.0, 2.0, 0.0).denial_regions(2.0)
    assert set(wide) == {System.BEIDOU, System.GLONASS}
    b1 = Jammer(50.0, 30.0, 2.0, 0.0, bands=("B1",)).denial_regions(2.0)
    assert set(b1) == {System.BEIDOU}


def test_weak_jammer_is_power_limited():
    j = Jammer(0.0, 0.0, 10_000.0, -40.0)            # 0.1 mW from 10 km up
    r = j.denial_radius_km(System.BEIDOU, 0.0)
    slant = free_space_range_km(-40.0, Band.B1I, js_tolerance_db(Band.B1I))
    assert r < radio_horizon_km(10_000, 0)
    assert r == pytest.approx(math.sqrt(max(slant**2 - 10.0**2, 0.0)))


def test_unknown_band():
    with pytest.raises(ValueError, match="unknown band 'L7'"):
        Jammer(0, 0, 0, 0, bands=("L7",)).covered_bands()
