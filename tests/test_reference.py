"""The plain DOP reference on geometries whose DOPs are known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gnss_interop.coverage.configs import ClockModel, Configuration
from gnss_interop.coverage.reference import dop_from_los
from gnss_interop.systems import System
from tolerances import EXACT_RTOL

C, R = System.BEIDOU, System.GLONASS
CFG_C = Configuration((C,))
CFG_CR = Configuration((C, R), ClockModel.PER_SYSTEM)
CFG_CR_INTEROP = Configuration((C, R), ClockModel.SINGLE)


def los(az_deg, el_deg):
    az, el = np.radians(az_deg), np.radians(el_deg)
    return np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], -1)


def zenith_plus_ring(el_deg, az0=0.0):
    return np.vstack([los(0.0, 90.0), los(np.array([0, 120, 240]) + az0, np.full(3, el_deg))])


@pytest.mark.parametrize("el_deg", [0.0, 5.0, 15.0, 30.0, 45.0])
@pytest.mark.parametrize("az0", [0.0, 17.0])
def test_zenith_plus_three_equally_spaced(el_deg, az0):
    r"""One satellite at zenith and three at elevation ε, azimuths 120° apart.

    With rows [-e, 1] (s = sin ε, c = cos ε), Σ sin²α = Σ cos²α = 3/2 and
    Σ sin α = Σ cos α = Σ sin α cos α = 0, so

        HᵀH = diag(3c²/2, 3c²/2) ⊕ [[1 + 3s², -(1 + 3s)], [-(1 + 3s), 4]]

    The 2×2 (Up, clock) block has determinant 4(1 + 3s²) − (1 + 3s)² = 3(1 − s)², hence
    Q_EE = Q_NN = 2/(3c²), Q_UU = 4/(3(1 − s)²), Q_cc = (1 + 3s²)/(3(1 − s)²):

        HDOP = 2/(√3 c), VDOP = 2/(√3 (1 − s)), TDOP = √((1 + 3s²)/3)/(1 − s),
        PDOP = √(HDOP² + VDOP²), GDOP = √(PDOP² + TDOP²).

    At ε = 0: HDOP = VDOP = 1.1547, PDOP = 1.6330, TDOP = 0.5774. The result
    does not depend on the ring's azimuth offset.
    """
    s, c = math.sin(math.radians(el_deg)), math.cos(math.radians(el_deg))
    hdop = 2 / (math.sqrt(3) * c)
    vdop = 2 / (math.sqrt(3) * (1 - s))
    tdop = math.sqrt((1 + 3 * s * s) / 3) / (1 - s)
    pdop = math.hypot(hdop, vdop)
    gdop = math.hypot(pdop, tdop)
    r = dop_from_los(zenith_plus_ring(el_deg, az0), [C] * 4, CFG_C)
    assert r.solution and r.nsat == 4 and r.unknowns == 4
    assert r.hdop == pytest.approx(hdop, rel=EXACT_RTOL)
    assert r.vdop == pytest.approx(vdop, rel=EXACT_RTOL)
    assert r.tdop == pytest.approx(tdop, rel=EXACT_RTOL)
    assert r.pdop == pytest.approx(pdop, rel=EXACT_RTOL)
    assert r.gdop == pytest.approx(gdop, rel=EXACT_RTOL)


def test_known_value_at_horizon():
    r = dop_from_los(zenith_plus_ring(0.0), [C] * 4, CFG_C)
    assert (r.hdop, r.vdop, r.pdop, r.tdop) == pytest.approx(
        (1.1547005, 1.1547005, 1.6329932, 0.5773503), rel=1e-6)


def test_square_root_is_taken():
    """cssrlib #64 bug class: DOPs are square roots of cofactors, not the cofactors."""
    r = dop_from_los(zenith_plus_ring(30.0), [C] * 4, CFG_C)
    assert r.pdop**2 == pytest.approx(r.hdop**2 + r.vdop**2, rel=EXACT_RTOL)
    assert r.pdop != pytest.approx(r.hdop**2 + r.vdop**2, rel=1e-3)


def test_fewer_than_unknowns_gives_inf():
    r = dop_from_los(los(np.array([0, 120, 240]), np.array([30, 30, 30])), [C] * 3, CFG_C)
    assert not r.solution and r.nsat == 3
    assert np.all(np.isinf(r.as_array()))


def test_ring_only_is_singular():
    """All satellites at one elevation: the Up column is sin ε × the clock column."""
    r = dop_from_los(los(np.arange(0, 360, 60.0), np.full(6, 20.0)), [C] * 6, CFG_C)
    assert not r.solution and np.all(np.isinf(r.as_array()))


def test_two_clocks_one_glonass_satellite_adds_no_position_information():
    """With a separate GLONASS clock, a lone GLONASS satellite only determines that clock.

    So C+R with one R satellite has exactly the position DOPs and BeiDou TDOP of C alone,
    while the single-clock (interop) model gains from it.
    """
    c_los = np.vstack([zenith_plus_ring(20.0), los(60.0, 50.0)])
    r_los = los(200.0, 10.0)[None]
    alone = dop_from_los(c_los, [C] * 5, CFG_C)
    two = dop_from_los(np.vstack([c_los, r_los]), [C] * 5 + [R], CFG_CR)
    one = dop_from_los(np.vstack([c_los, r_los]), [C] * 5 + [R], CFG_CR_INTEROP)
    assert two.unknowns == 5 and one.unknowns == 4
    for name in ("pdop", "hdop", "vdop", "tdop", "gdop"):
        assert getattr(two, name) == pytest.approx(getattr(alone, name), rel=1e-10)
    assert one.pdop < alone.pdop


def test_two_clocks_drop_empty_system_column():
    c_los = zenith_plus_ring(20.0)
    two = dop_from_los(c_los, [C] * 4, CFG_CR)
    alone = dop_from_los(c_los, [C] * 4, CFG_C)
    assert two.solution and two.unknowns == 4
    assert two.as_array() == pytest.approx(alone.as_array(), rel=EXACT_RTOL)


def test_two_clocks_need_five_satellites():
    """3 BeiDou + 1 GLONASS: 4 satellites for 5 unknowns → no solution; single clock solves."""
    l4 = np.vstack([los(np.array([0, 120, 240]), np.full(3, 30.0)), los(0.0, 90.0)[None]])
    systems = [C, C, C, R]
    assert not dop_from_los(l4, systems, CFG_CR).solution
    assert dop_from_los(l4, systems, CFG_CR_INTEROP).solution


def test_rows_of_other_systems_ignored():
    c_los = zenith_plus_ring(20.0)
    mixed = np.vstack([c_los, los(10.0, 40.0)[None]])
    a = dop_from_los(mixed, [C] * 4 + [R], CFG_C)
    b = dop_from_los(c_los, [C] * 4, CFG_C)
    assert a.nsat == 4 and a.as_array() == pytest.approx(b.as_array(), rel=1e-14)
