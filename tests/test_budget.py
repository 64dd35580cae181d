"""The user range error budget (gnss_interop.accuracy.budget) against its formulas."""

import numpy as np
import pytest

from gnss_interop.accuracy.budget import (
    OBLIQUITY_K2,
    elevation_from_sin_deg,
    system_budget,
    uere_terms_m,
    uere_variance_m2,
    uere_weight,
)
from gnss_interop.receivers import receiver_profile
from gnss_interop.systems import System

EL = np.concatenate([np.linspace(0.0, 90.0, 9001), [1e-6, 89.999999]])


def test_polynomial_elevation_matches_arcsin():
    s = np.sin(np.radians(EL))
    got = np.array([elevation_from_sin_deg(v) for v in s])
    np.testing.assert_allclose(got, np.degrees(np.arcsin(s)), rtol=0, atol=1e-8)


@pytest.mark.parametrize("profile", ["legacy-sf", "dual-bds3-glo", "dual-legacy"])
@pytest.mark.parametrize("system", [System.BEIDOU, System.GLONASS])
def test_line_of_sight_variance_matches_the_formulas(profile, system):
    """The kernel's scalar σ²_URE (polynomial arcsin and exp, one denominator) is the DO-229
    budget of uere_terms_m to 1e-9 at every elevation, with and without ionosphere."""
    prof = receiver_profile(profile)
    b = system_budget(prof, system)
    tau2 = 4.5 ** 2
    for sisre in (0.0, 0.5, 1.9):
        ref = uere_terms_m(EL, sisre_m=sisre, noise_m=prof.noise_m,
                           amplification=b.amplification,
                           multipath_scale=prof.multipath_scale, iono_vertical_m=4.5,
                           iono_scale=b.iono_scale)["total"] ** 2
        s = np.sin(np.radians(EL))
        var = np.array([uere_variance_m2(v, sisre ** 2, b.coef, b.iono_scale * tau2)
                        for v in s])
        np.testing.assert_allclose(var, ref, rtol=1e-9)
        w = np.array([uere_weight(v, sisre ** 2, b.coef[0], b.coef[1], b.coef[2],
                                  b.iono_scale * tau2) for v in s])
        np.testing.assert_allclose(w, 1.0 / ref, rtol=1e-9)


def test_budget_terms_by_hand():
    """Zenith, legacy single frequency on B1I at τ_v = 9 m: every term by hand."""
    prof = receiver_profile("legacy-sf")
    b = system_budget(prof, System.BEIDOU)
    tropo2 = (0.12 * 1.001) ** 2 / (0.002001 + 1.0)
    mp = 0.13 + 0.53 * np.exp(-9.0)
    rx2 = prof.noise_m ** 2 + (prof.multipath_scale * mp) ** 2
    iono2 = (1575.42 / 1561.098) ** 4 * 81.0 / (1.0 - OBLIQUITY_K2 * 0.0)
    want = 0.25 + tropo2 + rx2 + iono2
    assert uere_variance_m2(1.0, 0.25, b.coef, b.iono_scale * 81.0) == pytest.approx(want,
                                                                                     rel=1e-12)
    # horizon: the obliquity factor 1/(1 − k²) and the 0.13 + 0.53 m multipath
    iono0 = (1575.42 / 1561.098) ** 4 * 81.0 / (1.0 - OBLIQUITY_K2)
    want0 = (0.25 + (0.12 * 1.001) ** 2 / 0.002001 + prof.noise_m ** 2
             + (prof.multipath_scale * 0.66) ** 2 + iono0)
    assert uere_variance_m2(0.0, 0.25, b.coef, b.iono_scale * 81.0) == pytest.approx(want0,
                                                                                     rel=1e-12)
