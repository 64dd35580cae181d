"""Broadcast orbits against CODE MGEX precise orbits (SP3) of the same day, per satellite.

Expected broadcast − precise 3-D differences (shared/data/README.md; Montenbruck et al. 2015,
2018): 1–3 m BeiDou MEO/IGSO, 2–5 m GLONASS, a few metres more for old BDS-2 records,
about 1–2 m GPS and under 1 m Galileo, each plus the antenna offset (broadcast orbits
refer to the antenna phase centre, SP3 to the centre of mass). Tens of metres would be a
bug (wrong GM, missing GEO rotation, wrong time scale, validity window too wide...).
"""

import numpy as np
import pytest

from conftest import SP3
from gnss_interop.reading.sp3 import read_sp3
from gnss_interop.ephemerides.validate import compare_with_sp3, summarise

pytestmark = pytest.mark.real_data

#: per-satellite 3-D RMS limits [m], by (system, orbit class)
PER_SATELLITE_RMS_M = {("BeiDou", "MEO"): 3.0, ("BeiDou", "IGSO"): 10.0, ("GLONASS", "MEO"): 6.0,
                       ("GPS", "MEO"): 3.0, ("Galileo", "MEO"): 1.5}
#: RMS limits over all satellites of a (system, orbit class) [m]
CLASS_RMS_M = {("BeiDou", "MEO"): 2.0, ("BeiDou", "IGSO"): 5.0, ("GLONASS", "MEO"): 4.0,
               ("GPS", "MEO"): 2.0, ("Galileo", "MEO"): 1.0}


@pytest.fixture(scope="module")
def comparison(sept_eph):
    return compare_with_sp3(sept_eph, SP3)


def test_sp3_reader():
    sp3 = read_sp3(SP3)
    assert sp3.frame == "IGS20"
    assert len(sp3.t_gpst) == 289
    assert "C06" in sp3.sv and "R01" in sp3.sv and "C01" not in sp3.sv
    i = sp3.sv.index("G01")
    np.testing.assert_allclose(sp3.xyz_m[0, i], [-13318697.830, 8985725.273, 20730005.017])
    r = np.linalg.norm(sp3.xyz_m, axis=-1)
    assert np.nanmin(r) > 2.3e7      # Galileo E14/E18 (eccentric) come down to ~23,400 km


def test_every_class_is_compared(comparison):
    kinds = {(r.system, r.kind) for r in comparison}
    assert set(CLASS_RMS_M) <= kinds
    assert sum((r.system, r.kind) == ("BeiDou", "MEO") for r in comparison) >= 8
    assert sum(r.system == "GLONASS" for r in comparison) >= 3
    assert sum(r.system == "GPS" for r in comparison) >= 15
    assert sum(r.system == "Galileo" for r in comparison) >= 8


def test_per_satellite_rms_is_metres(comparison):
    for r in comparison:
        assert r.n_epochs >= 10, r
        assert r.rms_m < PER_SATELLITE_RMS_M[r.system, r.kind], r
        assert r.max_m < 2 * PER_SATELLITE_RMS_M[r.system, r.kind], r


def test_per_class_rms(comparison):
    for system, kind, n_sv, n, rms, mx in summarise(comparison):
        assert rms < CLASS_RMS_M[system, kind], (system, kind, rms)
