"""Geodetic/ECEF/ENU geometry against pyproj and hand-computable values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gnss_interop.constants import WGS84_A_M, WGS84_F
from gnss_interop.coverage.geometry import (
    ecef_to_enu,
    ecef_to_geodetic,
    enu_basis,
    geodetic_to_ecef,
    look_angles,
)
from tolerances import ANGLE_ATOL_DEG, POSITION_ATOL_M, UNIT_VECTOR_ATOL

B = WGS84_A_M * (1 - WGS84_F)


def _points():
    rng = np.random.default_rng(42)
    lat = np.concatenate([[90, -90, 0, 0, 45, -45, 89.999, 0.001],
                          rng.uniform(-90, 90, 200)])
    lon = np.concatenate([[0, 0, 180, -180, 179.999, -179.999, 10, 0],
                          rng.uniform(-180, 180, 200)])
    h = np.concatenate([[0, 0, 0, 0, 100, 1e4, -100, 0], rng.uniform(-500, 2e4, 200)])
    return lat, lon, h


def test_hand_values():
    """Equator/prime meridian is (a, 0, 0); the poles are (0, 0, ±b); 90°E is (0, a, 0)."""
    np.testing.assert_allclose(geodetic_to_ecef(0, 0, 0), [WGS84_A_M, 0, 0], atol=1e-9)
    np.testing.assert_allclose(geodetic_to_ecef(90, 0, 0), [0, 0, B], atol=POSITION_ATOL_M)
    np.testing.assert_allclose(geodetic_to_ecef(-90, 123, 10), [0, 0, -B - 10], atol=POSITION_ATOL_M)
    np.testing.assert_allclose(geodetic_to_ecef(0, 90, 5), [0, WGS84_A_M + 5, 0], atol=POSITION_ATOL_M)


def test_against_pyproj():
    pyproj = pytest.importorskip("pyproj")
    lat, lon, h = _points()
    tr = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    x, y, z = tr.transform(lon, lat, h)
    np.testing.assert_allclose(geodetic_to_ecef(lat, lon, h), np.stack([x, y, z], -1),
                               atol=1e-6)
    inv = pyproj.Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
    xyz = geodetic_to_ecef(lat, lon, h)
    lo2, la2, h2 = inv.transform(xyz[:, 0], xyz[:, 1], xyz[:, 2])
    la, lo, hh = ecef_to_geodetic(xyz)
    np.testing.assert_allclose(la, la2, atol=ANGLE_ATOL_DEG)
    np.testing.assert_allclose(hh, h2, atol=POSITION_ATOL_M)
    dlon = (lo - lo2 + 180) % 360 - 180
    np.testing.assert_allclose(np.where(np.abs(la) > 89.9999, 0, dlon), 0, atol=ANGLE_ATOL_DEG)


def test_round_trip_satellite_altitudes():
    lat, lon, _ = _points()
    h = np.full(lat.shape, 21_528_000.0)
    la, lo, hh = ecef_to_geodetic(geodetic_to_ecef(lat, lon, h))
    np.testing.assert_allclose(la, lat, atol=ANGLE_ATOL_DEG)
    np.testing.assert_allclose(hh, h, atol=1e-5)


def test_enu_basis_orthonormal_right_handed():
    lat, lon, _ = _points()
    e, n, u = enu_basis(lat, lon)
    for v in (e, n, u):
        np.testing.assert_allclose(np.linalg.norm(v, axis=-1), 1.0, atol=UNIT_VECTOR_ATOL)
    np.testing.assert_allclose(np.sum(e * n, -1), 0, atol=UNIT_VECTOR_ATOL)
    np.testing.assert_allclose(np.sum(e * u, -1), 0, atol=UNIT_VECTOR_ATOL)
    np.testing.assert_allclose(np.cross(e, n), u, atol=UNIT_VECTOR_ATOL)


def test_up_is_ellipsoid_normal():
    """Up is the gradient direction of the ellipsoid surface x²/a² + y²/a² + z²/b²."""
    lat, lon, _ = _points()
    p = geodetic_to_ecef(lat, lon, 0.0)
    grad = p / np.array([WGS84_A_M**2, WGS84_A_M**2, B**2])
    grad /= np.linalg.norm(grad, axis=-1, keepdims=True)
    np.testing.assert_allclose(enu_basis(lat, lon)[2], grad, atol=1e-12)


@pytest.mark.parametrize("lat,lon", [(0, 0), (45, 100), (-33.9, 18.4), (90, 0), (-90, 45),
                                     (10, -180), (10, 180)])
def test_look_angles_hand_values(lat, lon):
    """A target straight up is at 90°; 1 km east/north on the tangent plane is at az 90°/0°."""
    origin = geodetic_to_ecef(lat, lon, 0.0)
    e, n, u = enu_basis(lat, lon)
    az, el, rng = look_angles(origin + 2e7 * u, lat, lon, 0.0)
    assert el == pytest.approx(90.0, abs=1e-7) and rng == pytest.approx(2e7, rel=1e-12)
    az, el, _ = look_angles(origin + 1000 * e, lat, lon, 0.0)
    assert az == pytest.approx(90.0, abs=1e-9) and el == pytest.approx(0.0, abs=1e-9)
    az, el, _ = look_angles(origin + 1000 * n + 1000 * u, lat, lon, 0.0)
    assert (az + 180) % 360 - 180 == pytest.approx(0.0, abs=1e-9)
    assert el == pytest.approx(45.0, abs=1e-9)
    az, el, _ = look_angles(origin - 1000 * e - 1000 * n, lat, lon, 0.0)
    assert az == pytest.approx(225.0, abs=1e-9)


def test_geo_satellite_seen_from_subsatellite_point_and_far_away():
    """A GEO satellite above 110.5°E is at zenith there and below the horizon at 70°W."""
    sat = np.array([42_164_000.0 * np.cos(np.radians(110.5)),
                    42_164_000.0 * np.sin(np.radians(110.5)), 0.0])
    _, el, rng = look_angles(sat, 0.0, 110.5, 0.0)
    assert el == pytest.approx(90.0, abs=1e-9)
    assert rng == pytest.approx(42_164_000.0 - WGS84_A_M, abs=1e-6)
    _, el, _ = look_angles(sat, 0.0, -69.5, 0.0)
    assert el < -60


def test_ecef_to_enu_vectorised_shapes():
    sats = np.random.default_rng(0).normal(size=(7, 5, 3)) * 2e7
    enu = ecef_to_enu(sats, 30.0, 60.0, 100.0)
    assert enu.shape == (7, 5, 3)
    # the ENU transform preserves distances
    origin = geodetic_to_ecef(30.0, 60.0, 100.0)
    np.testing.assert_allclose(np.linalg.norm(enu, axis=-1),
                               np.linalg.norm(sats - origin, axis=-1), rtol=1e-13)


@settings(max_examples=300, deadline=None)
@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-1000, 4e7))
def test_round_trip_property(lat, lon, h):
    la, lo, hh = ecef_to_geodetic(geodetic_to_ecef(lat, lon, h))
    assert abs(float(la) - lat) < 1e-9
    assert abs(float(hh) - h) < 1e-5
    if abs(lat) < 89.9999:
        assert abs((float(lo) - lon + 180) % 360 - 180) < 1e-9


@settings(max_examples=200, deadline=None)
@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(0, 360), st.floats(-89, 89),
       st.floats(1e3, 5e7))
def test_look_angles_invert_enu_placement(lat, lon, az, el, rng):
    """A target placed at (az, el, range) in the local ENU frame is seen there."""
    e, n, u = enu_basis(lat, lon)
    a, b = np.radians(az), np.radians(el)
    los = np.cos(b) * np.sin(a) * e + np.cos(b) * np.cos(a) * n + np.sin(b) * u
    target = geodetic_to_ecef(lat, lon, 0.0) + rng * los
    az2, el2, rng2 = look_angles(target, lat, lon, 0.0)
    assert abs(float(el2) - el) < 1e-7
    assert abs(float(rng2) - rng) < 1e-6 * max(1.0, rng / 1e6)
    if abs(el) < 89.9:
        assert abs((float(az2) - az + 180) % 360 - 180) < 1e-6
