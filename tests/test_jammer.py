"""Jammer model: J/S tolerance, smooth-Earth path loss and footprint radii, radio horizon, RF
bands, receiver profiles, single-frequency fallback rings and the wideband power split."""

import math
import warnings

import numpy as np
import pytest

from gnss_interop import constants
from gnss_interop.errors import PropagationError, ScenarioWarning
from gnss_interop.receivers import receiver_profile
from gnss_interop.scenarios import propagation
from gnss_interop.scenarios.degradations import resolve_degradations
from gnss_interop.scenarios.jammer import (
    RF_BANDS,
    Band,
    Jammer,
    free_space_range_km,
    js_tolerance_db,
    km_text,
    radio_horizon_km,
    rf_band_of,
)
from gnss_interop.scenarios.regions import Annulus
from gnss_interop.scenarios.schema import GridModel, ScenarioModel
from gnss_interop.systems import System

C = 299_792_458.0
#: Free space over the slant range of the 4/3 Earth against ground distance: the chord is
#: longer than the arc by h/a_e (1000 m: 1.2e-4), so free-space radii agree to this.
SLANT_RTOL = 2e-4


def _hand_range_km(eirp_dbw: float, freq_hz: float, min_power_dbw: float, js_db: float) -> float:
    """Free-space range written out: FSPL_max = EIRP − S − J/S, d = c/(4πf)·10^(FSPL/20)."""
    return C / (4 * math.pi * freq_hz) * 10 ** ((eirp_dbw - min_power_dbw - js_db) / 20) / 1000


def _model_range_km(eirp_dbw, freq_hz, min_power_dbw, js_db, h_tx_m, h_rx_m) -> float:
    """The smooth-Earth footprint written out: the root of L(d) = EIRP − S − J/S."""
    return float(propagation.max_distance_km(eirp_dbw - min_power_dbw - js_db, h_tx_m, h_rx_m,
                                             freq_hz))


# ----------------------------------------------------------- link budget pieces
def test_js_tolerance_formula():
    # Q·Rc·(1/10^2.8 − 1/10^4.5) for B1I: 2 × 2.046e6 × 1.5533e-3 → 38.0 dB
    expected = 10 * math.log10(2 * 2.046e6 * (10 ** -2.8 - 10 ** -4.5))
    assert js_tolerance_db(Band.B1I) == pytest.approx(expected)
    assert js_tolerance_db(Band.B1I) == pytest.approx(38.03, abs=0.01)
    assert js_tolerance_db(Band.G1) == pytest.approx(32.01, abs=0.01)   # 4x shorter code: −6 dB
    assert js_tolerance_db(Band.B1C) == pytest.approx(35.02, abs=0.01)
    assert js_tolerance_db(Band.B2A) == pytest.approx(45.02, abs=0.01)
    # the defaults are the constants (with their sources), not numbers of the module
    assert (constants.JS_Q_BROADBAND_NOISE, constants.JS_CN0_TRACKING_THRESHOLD_DBHZ,
            constants.JS_CN0_NOMINAL_DBHZ) == (2.0, 28.0, 45.0)
    assert js_tolerance_db(Band.B1I, q=1.0) == pytest.approx(expected - 10 * math.log10(2))


def test_free_space_range_by_hand():
    # allowed FSPL = EIRP − S − J/S = 0 + 163 − 38 = 125 dB → d = c/(4πf)·10^(125/20)
    d = free_space_range_km(0.0, Band.B1I, 38.0)
    assert d == pytest.approx(299_792_458 / (4 * math.pi * 1561.098e6) * 10 ** 6.25 / 1000)
    # +20 dB of EIRP multiplies the range by 10
    assert free_space_range_km(20.0, Band.B1I, 38.0) == pytest.approx(10 * d)


def test_radio_horizon():
    # sqrt(2·8500 km·h) = 4.123·sqrt(h[m]) km
    assert radio_horizon_km(100.0, 0.0) == pytest.approx(41.23, abs=0.01)
    assert radio_horizon_km(10_000.0, 0.0) == pytest.approx(412.3, abs=0.1)
    assert radio_horizon_km(10.0, 1.5) == pytest.approx(math.sqrt(17) * (math.sqrt(10)
                                                                         + math.sqrt(1.5)))


def test_weak_jammer_is_power_limited():
    j = Jammer(0.0, 0.0, 10_000.0, 0.0, bands=("B1I",), receiver="legacy-sf")  # 1 W, 10 km up
    r = j.denial_radius_km(System.BEIDOU, 0.0)
    slant = free_space_range_km(0.0, Band.B1I, js_tolerance_db(Band.B1I))      # 27 km
    assert 0.0 < r < radio_horizon_km(10_000, 1.5)
    # free space to a receiver 10 km below (1.5 m above the ground): ground = sqrt(slant² − Δh²)
    assert r == pytest.approx(math.sqrt(slant**2 - (10.0 - 0.0015) ** 2), rel=1e-3)
    # 10 mW: 2.7 km of free space, not even the receiver right under it is jammed
    assert Jammer(0.0, 0.0, 10_000.0, -20.0, bands=("B1I",),
                  receiver="legacy-sf").denial_radius_km(System.BEIDOU, 0.0) == 0.0


def test_unknown_band():
    with pytest.raises(ValueError, match="unknown band 'L7'"):
        Jammer(0, 0, 0, 0, bands=("L7",)).covered_bands()


# ----------------------------------------------------------- footprints: power and heights
def _b1i(eirp_dbw: float, height_m: float = 10.0) -> Jammer:
    return Jammer(0.0, 0.0, height_m, eirp_dbw, bands=("B1I",), receiver="legacy-sf")


def test_ground_footprint_grows_with_power_and_is_not_capped_at_the_horizon():
    # 10 m jammer, receiver on a ground grid (0 m → a 1.5 m antenna): 1 W < 10 W < 100 W
    r1, r10, r100 = (_b1i(e).band_radius_km("B1I", 0.0) for e in (0.0, 10.0, 20.0))
    horizon = radio_horizon_km(10.0, 1.5)                          # 18.1 km
    assert r1 < r10 < r100 < horizon
    assert r10 / r1 > 1.5 and r100 / r10 > 1.5                     # not saturated
    # the old model gave 13 km (the 0 m horizon) for all three
    assert len({round(r, 1) for r in (r1, r10, r100)}) == 3
    # beyond the line of sight the plane-earth/diffraction loss, not free space, decides
    assert r1 < free_space_range_km(0.0, Band.B1I, js_tolerance_db(Band.B1I)) / 4
    # 0 m means a 1.5 m antenna; a higher jammer or receiver reaches farther
    assert _b1i(0.0).band_radius_km("B1I", 0.0) == _b1i(0.0).band_radius_km("B1I", 1.5)
    assert _b1i(0.0, 30.0).band_radius_km("B1I", 0.0) > r1
    assert _b1i(0.0).band_radius_km("B1I", 10.0) > r1


def test_airborne_footprint_reaches_the_line_of_sight_and_stops_there():
    horizon = radio_horizon_km(10.0, 10_000.0)                     # 425 km
    radii = [_b1i(e).band_radius_km("B1I", 10_000.0) for e in (0.0, 20.0, 30.0, 40.0, 50.0)]
    assert np.all(np.diff(radii) > 0)
    # 1 W: power-limited, free space over the slant range to the aircraft 10 km up
    slant = free_space_range_km(0.0, Band.B1I, js_tolerance_db(Band.B1I))
    assert radii[0] == pytest.approx(math.sqrt(slant**2 - 9.99**2), rel=1e-3)
    # 1 kW reaches the line of sight; 10 kW and 100 kW pass it only by the diffraction tail,
    # although free space would carry them 2,700 and 8,600 km
    assert radii[2] > 0.95 * horizon
    assert radii[3] > horizon
    assert radii[4] < 1.05 * horizon
    assert free_space_range_km(50.0, Band.B1I, js_tolerance_db(Band.B1I)) > 20 * horizon


def test_footprints_per_receiver_height():
    j = Jammer(43.0, 34.0, 10.0, 30.0, bands=("G1", "G2"))
    (h0, e0), (h1, e1), (h2, e2) = j.footprints([1.5, 3048.0, 10_668.0])
    assert (h0, h1, h2) == (1.5, 3048.0, 10_668.0)
    r = [e[System.GLONASS].denial_radius_km for e in (e0, e1, e2)]
    assert r[0] < r[1] < r[2]
    assert r[2] < 1.05 * radio_horizon_km(10.0, 10_668.0)
    text = j.describe(1.5, [3048.0, 10_668.0])
    assert f"at receiver height 3048 m: denies R {km_text(r[1])} km" in text
    assert f"; at 10668 m: denies R {km_text(r[2])} km" in text
    assert "smooth Earth" in text


def test_grid_receiver_height_for_the_jammer_model():
    # the grid's geometric height stays 0 (coverage unchanged); the jammer sees a 1.5 m antenna
    assert GridModel().height_m == 0.0
    assert GridModel().jammer_receiver_height_m() == constants.RECEIVER_ANTENNA_HEIGHT_M == 1.5
    assert GridModel(height_m=10_000.0).jammer_receiver_height_m() == 10_000.0
    assert GridModel(antenna_height_m=3.0).jammer_receiver_height_m() == 3.0
    assert GridModel(receiver_heights_m=[1.5, 3048, 10668]).receiver_heights_m == [1.5, 3048,
                                                                                    10668]


# ----------------------------------------------------------- RF bands
def test_rf_bands_group_signals_within_10_mhz():
    names = [set(b.name for b in rf.signals) for rf in RF_BANDS]
    assert names == [{"B2A"}, {"L3OC", "B2I", "B2B"}, {"G2"}, {"B3I"}, {"B1I"},
                     {"B1C", "L1CA", "E1"}, {"L1OC", "G1"}]
    assert rf_band_of("B1I") != rf_band_of("B1C")            # 14.3 MHz apart
    assert rf_band_of("B2a") != rf_band_of("B2b")            # the two B2 sidebands, 30.7 MHz
    assert rf_band_of("L3OC") == rf_band_of("B2b")           # 5.1 MHz


def test_a_jammer_named_by_one_signal_covers_its_rf_band():
    assert Jammer(0, 0, 0, 0, bands=("B2b",)).covered_bands() == {Band.B2B, Band.B2I, Band.L3OC}
    assert Jammer(0, 0, 0, 0, bands=("G1",)).covered_bands() == {Band.G1, Band.L1OC}
    assert Band.G2 not in Jammer(0, 0, 0, 0, bands=("G1",)).covered_bands()
    assert Jammer(0, 0, 0, 0, bands=("wideband",)).covered_bands() == set(Band)


# ----------------------------------------------------------- bands a profile tracks
def test_b1i_jammer_spares_a_b1c_b2a_receiver_but_denies_legacy_beidou():
    kw = dict(bands=("B1I",), systems=(System.BEIDOU, System.GLONASS))
    h = 1000.0                                       # jammer and receivers at 1 km: free space
    default = Jammer(40.0, 116.0, h, 10.0, receiver=None, **kw)
    assert default.denial_regions(h) == {}
    assert default.degraded_regions(h) == {}
    assert default.band_radii_km(h)[System.BEIDOU] == {"B1C": 0.0, "B2A": 0.0}
    legacy = Jammer(40.0, 116.0, h, 10.0, receiver="legacy-sf", **kw)
    regions = legacy.denial_regions(h)
    assert set(regions) == {System.BEIDOU}
    expected = _hand_range_km(10.0, 1561.098e6, -163.0, js_tolerance_db(Band.B1I))
    assert expected < radio_horizon_km(h, h)
    assert regions[System.BEIDOU].radius_km == pytest.approx(expected, rel=SLANT_RTOL)
    assert legacy.degraded_regions(h) == {}


def _resolve(jam: dict, receiver=None):
    model = ScenarioModel.model_validate({"name": "j", "degradation": [jam]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d = resolve_degradations(model, None, 0.0, (System.BEIDOU, System.GLONASS),
                                 receiver=receiver)
    return d, [w for w in caught if issubclass(w.category, ScenarioWarning)]


B1C_JAMMER = {"type": "jammer", "lat": 40.0, "lon": 116.0, "height_m": 30.0, "eirp_dbw": 10.0,
              "bands": ["B1C"], "label": "B1C test jammer"}
#: 10 W B1C from 30 m to a 1.5 m receiver over the smooth Earth (the grid's 0 m → 1.5 m)
B1C_RADIUS_KM = _model_range_km(10.0, 1575.42e6, Band.B1C.min_received_power_dbw,
                                js_tolerance_db(Band.B1C), 30.0, 1.5)


def test_b1c_jammer_leaves_a_single_frequency_ring_where_fallback_is_allowed():
    d, caught = _resolve(B1C_JAMMER)                  # default profile: falls back to B2a
    assert System.BEIDOU not in d.denied
    (label, ring), = d.single_frequency[System.BEIDOU]
    assert 10.0 < B1C_RADIUS_KM < radio_horizon_km(30.0, 1.5)     # 14 km; free space: 76 km
    assert isinstance(ring, Annulus)
    assert ring.inner_km == 0.0 and ring.outer_km == pytest.approx(B1C_RADIUS_KM)
    assert ring.contains(40.0, 116.0) and not ring.contains(40.5, 116.0)    # 56 km away
    assert "single frequency" in label and (label, ring) in d.regions()
    assert len(caught) == 1
    msg = str(caught[0].message)
    for part in ("B1C test jammer", "BeiDou", "B2A alone", f"{km_text(B1C_RADIUS_KM)} km",
                 "optimistic", "dual-bds3-glo"):
        assert part in msg, part
    assert System.GLONASS not in d.denied and System.GLONASS not in d.single_frequency


def test_b1c_jammer_denies_where_fallback_is_not_allowed():
    no_fallback = receiver_profile({"preset": "dual-bds3-glo", "beidou": ["B1C", "B2A"]})
    d, caught = _resolve(B1C_JAMMER, no_fallback)
    (_, circle), = d.denied[System.BEIDOU]
    assert circle.radius_km == pytest.approx(B1C_RADIUS_KM)
    assert d.single_frequency == {} and caught == []
    # falling back to B1C only: losing B1C is a denial, losing B2a is not
    b1c_only = receiver_profile({"preset": "dual-bds3-glo", "beidou_fallback": ["B1C"]})
    assert System.BEIDOU in _resolve(B1C_JAMMER, b1c_only)[0].denied
    b2a = dict(B1C_JAMMER, bands=["B2a"])
    d, caught = _resolve(b2a, b1c_only)
    assert System.BEIDOU not in d.denied and System.BEIDOU in d.single_frequency
    assert "B1C alone" in str(caught[0].message)


def test_jammer_on_both_signals_denies_inside_and_leaves_a_ring_outside():
    # G1 and G2 at altitude: same EIRP, G2 (−167 dBW) is jammed farther than G1 (−161 dBW)
    h = 1000.0                                  # 1 W at 1 km: power-limited, free space
    j = Jammer(50.0, 30.0, h, 0.0, bands=("G1", "G2"))
    r_g1 = _hand_range_km(0.0, 1602.0e6, -161.0, js_tolerance_db(Band.G1))
    r_g2 = _hand_range_km(0.0, 1246.0e6, -167.0, js_tolerance_db(Band.G2))
    assert r_g1 < r_g2 < radio_horizon_km(h, h)
    assert j.band_radius_km("G1", h) == pytest.approx(r_g1, rel=SLANT_RTOL)
    assert j.band_radius_km("G2", h) == pytest.approx(r_g2, rel=SLANT_RTOL)
    r_g1, r_g2 = j.band_radius_km("G1", h), j.band_radius_km("G2", h)
    assert j.denial_radius_km(System.GLONASS, h) == pytest.approx(r_g1)   # G1 alone survives
    ring = j.degraded_regions(h)[System.GLONASS]
    assert (ring.inner_km, ring.outer_km) == (pytest.approx(r_g1), pytest.approx(r_g2))
    assert j.effect(System.GLONASS, h).surviving == "G1"
    # a legacy single-frequency G1 receiver is denied out to the G1 radius, no ring
    legacy = Jammer(50.0, 30.0, h, 0.0, bands=("G1", "G2"), receiver="legacy-sf")
    assert legacy.denial_radius_km(System.GLONASS, h) == pytest.approx(r_g1)
    assert legacy.degraded_regions(h) == {}


# ----------------------------------------------------------- wideband power split
def test_wideband_shares_its_eirp_across_the_rf_bands():
    h, eirp = 1000.0, 0.0                   # equal heights: free space; horizon 261 km
    n = len(RF_BANDS)
    assert n == 7
    single = Jammer(0.0, 0.0, h, eirp, bands=("B1I",), receiver="legacy-sf")
    wide = Jammer(0.0, 0.0, h, eirp, bands=("wideband",), receiver="legacy-sf")
    assert wide.eirp_per_band_dbw == pytest.approx(eirp - 10 * math.log10(7))
    r1, rw = single.band_radius_km("B1I", h), wide.band_radius_km("B1I", h)
    assert r1 < radio_horizon_km(h, h)
    js = js_tolerance_db(Band.B1I)
    assert r1 == pytest.approx(_hand_range_km(eirp, 1561.098e6, -163.0, js),
                               rel=SLANT_RTOL)                                # 27.1 km
    assert rw == pytest.approx(_hand_range_km(eirp - 10 * math.log10(7), 1561.098e6, -163.0, js),
                               rel=SLANT_RTOL)
    assert rw / r1 == pytest.approx(1 / math.sqrt(7), rel=1e-6)          # free space: 1/√7
    # named bands each get the full EIRP
    two = Jammer(0.0, 0.0, h, eirp, bands=("B1I", "G1"), receiver="legacy-sf")
    assert two.band_radius_km("B1I", h) == pytest.approx(r1)


def test_wideband_on_the_ground_loses_less_radius_than_in_free_space():
    # 1 W from 10 m to a 1.5 m receiver: both radii lie where the plane-earth loss
    # (40 dB/decade) decides, so −8.45 dB of EIRP costs 10^(−8.45/40) = 0.615 of the radius
    single = _b1i(0.0).band_radius_km("B1I", 1.5)
    wide = Jammer(0.0, 0.0, 10.0, 0.0, receiver="legacy-sf").band_radius_km("B1I", 1.5)
    crossover = float(propagation.two_ray_crossover_km(10.0, 1.5, 1561.098e6))
    assert crossover < wide < single
    assert wide / single == pytest.approx(7 ** -0.25, rel=0.02)
    assert wide / single > 1 / math.sqrt(7) + 0.2


# ----------------------------------------------------------- what outputs say
def test_description_names_bands_profile_height_and_rings():
    j = Jammer(43.0, 34.0, 10_000.0, 30.0, bands=("G1",))
    r = j.band_radius_km("G1", 1.5)
    text = j.describe(0.0)
    assert "L1OC/G1" in text and "dual-bds3-glo at 1.5 m over a smooth Earth" in text
    assert "denies nothing" in text and f"single frequency R (G2) 0–{km_text(r)} km" in text
    legacy = Jammer(43.0, 34.0, 10_000.0, 30.0, bands=("G1",), receiver="legacy-sf")
    assert f"legacy-sf at 1.5 m over a smooth Earth: denies R {km_text(r)} km" in \
        legacy.describe(0.0)
    assert "7 RF bands" in Jammer(0, 0, 0, 20.0).describe(0.0)
    assert "0 m (antenna taken at 1.5 m)" in Jammer(0, 0, 0, 20.0).describe(0.0)
    assert [km_text(x) for x in (0.0, 0.634, 9.63, 23.4, 412.3, 1234.0)] == \
        ["0", "0.63", "9.6", "23", "412", "1,234"]


def test_annulus_contains_and_outline():
    ring = Annulus(0.0, 0.0, 100.0, 300.0)
    lat = np.array([0.0, 1.0, 2.0, 3.0])                   # 0, 111, 222, 334 km north
    np.testing.assert_array_equal(ring.contains(lat, np.zeros(4)), [False, True, True, False])
    assert len(ring.outline()) == 2
    with pytest.raises(ValueError):
        Annulus(0.0, 0.0, 300.0, 100.0)


# ----------------------------------------------------------- propagation over a smooth Earth
F_B1I = 1561.098e6


def test_free_space_matches_p525_by_hand():
    # P.525: L = 32.45 + 20 log10 f[MHz] + 20 log10 d[km]; 1 km at 1561.098 MHz = 96.3 dB
    by_hand = 20 * math.log10(4 * math.pi * 1000.0 * F_B1I / C)
    assert by_hand == pytest.approx(32.45 + 20 * math.log10(1561.098), abs=0.01)
    assert float(propagation.free_space_loss_db(1.0, F_B1I)) == pytest.approx(96.32, abs=0.01)
    assert float(propagation.free_space_loss_db(10.0, F_B1I)) == pytest.approx(by_hand + 20)
    # the full model in its free-space region: 30 m and 10 m antennas, 1 km apart, clear path
    # (crossover 19.6 km, first-Fresnel clearance): free space over the slant range
    assert float(propagation.smooth_earth_diffraction_db(1.0, 30.0, 10.0, F_B1I)) == 0.0
    assert float(propagation.path_loss_db(1.0, 30.0, 10.0, F_B1I)) == pytest.approx(96.32,
                                                                                    abs=0.01)


def test_plane_earth_loss_by_hand_beyond_the_crossover():
    # 10 m jammer, 1.5 m receiver, 5 km: 40 log10(5000) − 20 log10(15) = 124.44 dB
    assert float(propagation.path_loss_db(5.0, 10.0, 1.5, F_B1I)) == pytest.approx(
        40 * math.log10(5000) - 20 * math.log10(15), abs=0.01)
    assert float(propagation.two_ray_crossover_km(10.0, 1.5, F_B1I)) == pytest.approx(
        4 * math.pi * 10 * 1.5 / (C / F_B1I) / 1000)


def test_p526_first_term_by_hand_beyond_the_horizon():
    # ITU-R P.526 §3.1.1.2 written out for 30 km, 10 m and 1.5 m, 1561.098 MHz, a_e = 8500 km
    f, a, d = 1561.098, 8500.0, 30.0
    x = 2.188 * f ** (1 / 3) * a ** (-2 / 3) * d                 # β = 1 (K ≈ 0.007)
    if x >= 1.6:
        fx = 11 + 10 * math.log10(x) - 17.6 * x
    else:
        fx = -20 * math.log10(x) - 5.6488 * x ** 1.425

    def g(h):
        b = 9.575e-3 * f ** (2 / 3) * a ** (-1 / 3) * h
        return 20 * math.log10(b + 0.1 * b ** 3)                 # B < 2 for both heights

    assert d > float(propagation.radio_horizon_km(10.0, 1.5))
    expected = -(fx + g(10.0) + g(1.5))                            # 42.7 dB
    got = float(propagation.smooth_earth_diffraction_db(d, 10.0, 1.5, f * 1e6))
    assert got == pytest.approx(expected, abs=0.02)                # β differs from 1 by 3e-5
    assert float(propagation.path_loss_db(d, 10.0, 1.5, f * 1e6)) == pytest.approx(
        float(propagation.free_space_loss_db(propagation.slant_range_km(d, 10.0, 1.5),
                                             f * 1e6)) + got)


HEIGHT_PAIRS = [(1.5, 1.5), (2.0, 1.5), (10.0, 1.5), (30.0, 1.5), (30.0, 10.0), (10.0, 3048.0),
                (10.0, 10_000.0), (1000.0, 1000.0), (10_000.0, 10_668.0)]


@pytest.mark.parametrize("freq_hz", [1176.45e6, 1246.0e6, 1561.098e6, 1575.42e6, 1602.0e6])
def test_loss_is_monotone_in_distance(freq_hz):
    for h_tx, h_rx in HEIGHT_PAIRS:
        horizon = float(propagation.radio_horizon_km(h_tx, h_rx))
        d = np.linspace(0.0, 2.0 * horizon, 40_001)
        loss = propagation.path_loss_db(d, h_tx, h_rx, freq_hz)
        assert np.all(np.diff(loss) >= 0.0), (h_tx, h_rx)


@pytest.mark.parametrize("h_tx, h_rx", [(2.0, 1.5), (10.0, 1.5), (30.0, 1.5), (10.0, 10_000.0),
                                        (1000.0, 1000.0)])
def test_loss_is_continuous_at_the_crossover_and_the_horizon(h_tx, h_rx):
    horizon = float(propagation.radio_horizon_km(h_tx, h_rx))
    crossover = float(propagation.two_ray_crossover_km(h_tx, h_rx, F_B1I))
    for x in (horizon, crossover) if crossover < horizon else (horizon,):
        below, above = propagation.path_loss_db([x * (1 - 1e-7), x * (1 + 1e-7)], h_tx, h_rx,
                                                F_B1I)
        assert abs(above - below) < 0.01, x                        # no jump (a 1 dB one fails)
    # switching from free space to plane earth at the two-ray breakpoint 4·h1·h2/λ instead
    # would jump by 20·log10(π) = 9.9 dB: that is why the model switches at the crossover
    d_b = 4 * h_tx * h_rx / (C / F_B1I) / 1000
    jump = float(propagation.free_space_loss_db(d_b, F_B1I)
                 - propagation.plane_earth_loss_db(d_b, h_tx, h_rx))
    assert jump == pytest.approx(20 * math.log10(math.pi))


def test_ground_constants_change_the_diffraction_little():
    # land (ε 22, σ 0.003) vertical against sea and horizontal polarisation: < 0.3 dB at ≥ 1.5 m
    for h_tx, h_rx in [(1.5, 1.5), (10.0, 1.5), (10.0, 10_000.0)]:
        d = np.linspace(0.01, 2 * float(propagation.radio_horizon_km(h_tx, h_rx)), 2000)
        land = propagation.smooth_earth_diffraction_db(d, h_tx, h_rx, F_B1I)
        for kw in ({"polarization": "horizontal"}, {"eps_r": 80.0, "sigma_s_m": 5.0}):
            other = propagation.smooth_earth_diffraction_db(d, h_tx, h_rx, F_B1I, **kw)
            assert np.abs(other - land).max() < 0.3


def test_max_distance_inverts_the_loss_curve():
    budgets = np.array([100.0, 125.0, 145.0, 160.0])
    d = propagation.max_distance_km(budgets, 10.0, 1.5, F_B1I)
    np.testing.assert_allclose(propagation.path_loss_db(d, 10.0, 1.5, F_B1I), budgets, atol=1e-6)
    assert np.all(np.diff(d) > 0)
    # an aircraft 10 km above a weak jammer: even overhead the loss exceeds the budget
    overhead = float(propagation.free_space_loss_db(10.0 - 0.01, F_B1I))
    assert float(propagation.max_distance_km(overhead - 1.0, 10.0, 10_000.0, F_B1I)) == 0.0
    assert float(propagation.max_distance_km(overhead + 1.0, 10.0, 10_000.0, F_B1I)) > 0.0


def test_propagation_rejects_inputs_outside_the_model():
    with pytest.raises(PropagationError, match="antenna height"):
        propagation.path_loss_db(1.0, 0.0, 1.5, F_B1I)
    with pytest.raises(PropagationError, match="distance"):
        propagation.path_loss_db(-1.0, 10.0, 1.5, F_B1I)
    with pytest.raises(PropagationError, match="polarization"):
        propagation.smooth_earth_diffraction_db(30.0, 10.0, 1.5, F_B1I, polarization="circular")
