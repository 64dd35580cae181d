"""BeiDou broadcast orbits: GEO rotation, CNAV terms, and positions against IGS precise orbits."""

import warnings
from functools import partial

import numpy as np
import pytest

from gnss_interop import BdsOrbitType, System
from gnss_interop.constants import BDS_GM_M3_S2, BDS_OMEGA_E_RAD_S
from gnss_interop.ephemerides.records import record_positions
from gnss_interop.orbits.kepler import KEPLER_FIELDS as _KEPLER_FIELDS
from gnss_interop.systems import spec
from gnss_interop.orbits import kepler_positions

#: positions of BeiDou records (the registry entry's orbit model)
_kepler_at = partial(record_positions, spec(System.BEIDOU))

GEO_RADIUS_M = 42_164_000.0
#: GEO slots observed in the 2023-03-12 file (docs/domain.md §4.5) [deg E]
GEO_SLOTS_DEG = {"C01": 144.4, "C02": 84.2, "C03": 110.7, "C04": 160.0, "C05": 58.8,
                 "C59": 140.0, "C60": 80.0}


def _elements(rec, i):
    return {k: rec.values[k][[i]] for k in _KEPLER_FIELDS}


def _rot_x(phi):
    c, s = np.cos(phi), np.sin(phi)
    return np.array([[1, 0, 0], [0, c, s], [0, -s, c]])


def _rot_z(phi):
    c, s = np.cos(phi), np.sin(phi)
    return np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]])


def test_geo_rotation_matches_icd_matrices(brd4_eph):
    """The GEO branch equals R_Z(Ω̇e·t_k)·R_X(−5°)·P_GK written with explicit ICD matrices."""
    rec = brd4_eph._rec[System.BEIDOU]
    i = np.flatnonzero((rec.sv == "C01") & rec.healthy)[0]
    el = _elements(rec, i)
    for tk in (-3000.0, 0.0, 1234.5, 3600.0):
        got = kepler_positions(el, np.array([tk]), np.array([True]), BDS_GM_M3_S2, BDS_OMEGA_E_RAD_S)[0]
        # plain re-derivation of the ICD chain, one scalar step at a time
        a = el["sqrt_a"][0] ** 2
        n = np.sqrt(BDS_GM_M3_S2 / a**3) + el["delta_n"][0]
        m = el["m0"][0] + n * tk
        e = el["e"][0]
        ecc_anom = m
        for _ in range(30):
            ecc_anom = m + e * np.sin(ecc_anom)
        nu = np.arctan2(np.sqrt(1 - e * e) * np.sin(ecc_anom), np.cos(ecc_anom) - e)
        phi = nu + el["omega"][0]
        du = el["cus"][0] * np.sin(2 * phi) + el["cuc"][0] * np.cos(2 * phi)
        dr = el["crs"][0] * np.sin(2 * phi) + el["crc"][0] * np.cos(2 * phi)
        di = el["cis"][0] * np.sin(2 * phi) + el["cic"][0] * np.cos(2 * phi)
        u, r = phi + du, a * (1 - e * np.cos(ecc_anom)) + dr
        inc = el["i0"][0] + el["idot"][0] * tk + di
        big_omega = el["omega0"][0] + el["omega_dot"][0] * tk - BDS_OMEGA_E_RAD_S * el["toe"][0]
        x, y = r * np.cos(u), r * np.sin(u)
        p_gk = np.array([x * np.cos(big_omega) - y * np.cos(inc) * np.sin(big_omega),
                         x * np.sin(big_omega) + y * np.cos(inc) * np.cos(big_omega),
                         y * np.sin(inc)])
        expected = _rot_z(BDS_OMEGA_E_RAD_S * tk) @ _rot_x(np.radians(-5.0)) @ p_gk
        np.testing.assert_allclose(got, expected, atol=1e-6)


@pytest.mark.parametrize("sv", sorted(GEO_SLOTS_DEG))
def test_geo_positions_real_elements(brd4_eph, sv):
    """Real GEO elements give |r| ≈ 42,164 km, latitude within ±2°, longitude at the slot."""
    assert brd4_eph.bds_orbit_type(sv) is BdsOrbitType.GEO
    times = np.arange(np.datetime64("2023-03-12T01:00"), np.datetime64("2023-03-12T23:00"),
                      np.timedelta64(20, "m")).astype("datetime64[ns]")
    p = brd4_eph.positions(times, svs=[sv]).values[:, 0, :]
    r = np.linalg.norm(p, axis=-1)
    # 0.5 %: BDS-2 C05 sits ~100 km above the nominal GEO radius (e ~ 5e-4 adds ±20 km);
    # the wrong (MEO) formula is off by 1,000+ km
    assert np.all(np.abs(r / GEO_RADIUS_M - 1) < 0.005)
    lat = np.degrees(np.arcsin(p[:, 2] / r))
    lon = np.degrees(np.arctan2(p[:, 1], p[:, 0]))
    assert np.all(np.abs(lat) < 2.0)
    assert np.all(np.abs(lon - GEO_SLOTS_DEG[sv]) < 1.0)


def test_meo_formula_on_geo_elements_is_thousands_of_km_off(brd4_eph):
    """Guards the GEO branch: without it real GEO positions are 1,000+ km wrong."""
    rec = brd4_eph._rec[System.BEIDOU]
    geo = np.flatnonzero((rec.values["orbit_type"] == BdsOrbitType.GEO) & rec.healthy)[:50]
    el = {k: rec.values[k][geo] for k in _KEPLER_FIELDS}
    tk = np.full(geo.size, 1200.0)
    right = kepler_positions(el, tk, np.ones(geo.size, bool), BDS_GM_M3_S2, BDS_OMEGA_E_RAD_S)
    wrong = kepler_positions(el, tk, np.zeros(geo.size, bool), BDS_GM_M3_S2, BDS_OMEGA_E_RAD_S)
    assert np.linalg.norm(right - wrong, axis=-1).min() > 1.0e6


def test_geo_found_by_elements_not_prn(brd4_eph):
    """Orbit class comes from SatType or elements: IGSO C38 and MEO C19 are not GEO, GEO C60 is."""
    assert brd4_eph.bds_orbit_type("C38") is BdsOrbitType.IGSO
    assert brd4_eph.bds_orbit_type("C19") is BdsOrbitType.MEO
    assert brd4_eph.bds_orbit_type("C60") is BdsOrbitType.GEO
    rec = brd4_eph._rec[System.BEIDOU]
    d1 = (rec.sv == "C59") & (rec.priority == 0)
    assert np.all(rec.values["orbit_type"][d1] == BdsOrbitType.GEO)


@pytest.mark.parametrize("sv, max_diff_m", [("C19", 0.5), ("C38", 0.5)])
def test_cnav_and_d1_agree(brd4_eph, sv, max_diff_m):
    """CNV1 (with Ȧ and Δṅ₀) and D1 records of the same satellite and toe agree to decimetres
    over ±30 min; leaving out the CNAV terms costs metres (MEO) to ~100 m (IGSO)."""
    rec = brd4_eph._rec[System.BEIDOU]
    d1 = np.flatnonzero((rec.sv == sv) & (rec.priority == 0))
    cn = np.flatnonzero((rec.sv == sv) & (rec.message == "CNV1"))
    common = np.intersect1d(rec.t_ref[d1], rec.t_ref[cn])
    assert common.size >= 20
    i = np.array([d1[rec.t_ref[d1] == t][0] for t in common])
    j = np.array([cn[rec.t_ref[cn] == t][0] for t in common])
    for dt in (-1800.0, 0.0, 1800.0):
        t = common + dt
        diff = np.linalg.norm(_kepler_at(rec, i, t) - _kepler_at(rec, j, t), axis=-1)
        assert diff.max() < max_diff_m
    el = {k: rec.values[k][j] for k in _KEPLER_FIELDS}
    el["a_dot"] = np.zeros(j.size)
    el["delta_n_dot"] = np.zeros(j.size)
    without = kepler_positions(el, np.full(j.size, 1800.0), np.zeros(j.size, bool),
                               BDS_GM_M3_S2, BDS_OMEGA_E_RAD_S)
    assert np.linalg.norm(without - _kepler_at(rec, j, common + 1800.0), axis=-1).max() > 5.0


def test_cnav_only_file_works(tmp_path, brd4_eph):
    """A receiver-made RINEX 4 file with only CNAV records still gives positions."""
    import gzip

    from conftest import BRD4
    from gnss_interop import load_ephemerides

    lines = gzip.decompress(BRD4.read_bytes()).decode().splitlines(keepends=True)
    head = next(i for i, l in enumerate(lines) if "END OF HEADER" in l)
    out, keep = lines[:head + 1], False
    for line in lines[head + 1:]:
        if line.startswith(">"):
            keep = line.startswith("> EPH C") and ("CNV1" in line or "CNV2" in line)
        if keep:
            out.append(line)
    p = tmp_path / "cnav_only.rnx"
    p.write_text("".join(out))
    eph = load_ephemerides(p)
    t = np.array(["2023-03-12T10:10"], dtype="datetime64[ns]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cnav = eph.positions(t)
        both = brd4_eph.positions(t, svs=list(cnav.sv.values))
    diff = np.linalg.norm(cnav.values - both.values, axis=-1)
    ok = np.isfinite(diff)
    assert ok.sum() >= 25
    assert np.nanmax(diff) < 1.0
