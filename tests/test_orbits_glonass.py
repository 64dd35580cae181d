"""GLONASS RK4 orbits: step independence, an independent inertial-frame integration, windows."""


import numpy as np
import pytest

from conftest import BRDC_GLO
from gnss_interop import EphemerisRangeWarning, System, load_ephemerides
from gnss_interop.constants import GLO_AE_M, GLO_GM_M3_S2, GLO_J2, GLO_OMEGA_E_RAD_S
from gnss_interop.orbits import propagate_glonass


def _states(eph, n=60):
    rec = eph._rec[System.GLONASS]
    idx = np.flatnonzero(rec.healthy)[:n]
    v = rec.values
    stack = lambda a, b, c: np.stack([v[a][idx], v[b][idx], v[c][idx]], axis=-1)
    return stack("x", "y", "z"), stack("vx", "vy", "vz"), stack("ax", "ay", "az")


@pytest.mark.parametrize("dt", [-900.0, 450.0, 900.0])
def test_step_count_independence(brd4_eph, dt):
    """Halving the step (60 s → 30 s → 10 s) changes positions by about a millimetre at most."""
    pos, vel, acc = _states(brd4_eph)
    d = np.full(len(pos), dt)
    p60 = propagate_glonass(pos, vel, acc, d, 60.0)
    p30 = propagate_glonass(pos, vel, acc, d, 30.0)
    p10 = propagate_glonass(pos, vel, acc, d, 10.0)
    assert np.abs(p60 - p10).max() < 2e-3
    assert np.abs(p30 - p10).max() < 2e-4


def _inertial_reference(pos, vel, acc, dt, h=1.0):
    """Independent formulation: integrate in the inertial frame that coincides with PZ-90 at t_b,
    with the J2 field about the common z axis and the (Earth-fixed, constant) lunisolar
    acceleration rotated into it, then rotate back. Plain RK4, 1 s steps."""
    w = GLO_OMEGA_E_RAD_S
    r = pos.copy()
    v = vel + np.cross(np.array([0.0, 0.0, w]), pos)

    def accel(r, t):
        rr = np.linalg.norm(r, axis=-1, keepdims=True)
        z = r[:, 2:3]
        k = 1.5 * GLO_J2 * GLO_GM_M3_S2 * GLO_AE_M**2 / rr**5
        g = -GLO_GM_M3_S2 * r / rr**3
        g = g - k * r * (1 - 5 * z * z / rr**2)
        g[:, 2:3] -= 2 * k * z
        c, s = np.cos(w * t), np.sin(w * t)
        a_in = np.stack([c * acc[:, 0] - s * acc[:, 1], s * acc[:, 0] + c * acc[:, 1], acc[:, 2]], -1)
        return g + a_in

    n = int(round(abs(dt) / h))
    step = dt / n
    t = 0.0
    for _ in range(n):
        k1v, k1r = accel(r, t), v
        k2v, k2r = accel(r + 0.5 * step * k1r, t + 0.5 * step), v + 0.5 * step * k1v
        k3v, k3r = accel(r + 0.5 * step * k2r, t + 0.5 * step), v + 0.5 * step * k2v
        k4v, k4r = accel(r + step * k3r, t + step), v + step * k3v
        r = r + step / 6 * (k1r + 2 * k2r + 2 * k3r + k4r)
        v = v + step / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
        t += step
    c, s = np.cos(w * dt), np.sin(w * dt)
    return np.stack([c * r[:, 0] + s * r[:, 1], -s * r[:, 0] + c * r[:, 1], r[:, 2]], -1)


def test_against_independent_inertial_integration(brd4_eph):
    pos, vel, acc = _states(brd4_eph, n=24)
    for dt in (-900.0, 900.0):
        ours = propagate_glonass(pos, vel, acc, np.full(len(pos), dt))
        ref = _inertial_reference(pos, vel, acc, dt)
        assert np.abs(ours - ref).max() < 5e-3   # 5 mm over 15 min


@pytest.mark.real_data
def test_validity_window_is_15_minutes(tmp_path):
    """One record of R01: positions within t_b ± 15 min, NaN and a warning outside."""
    lines = BRDC_GLO.read_text().splitlines(keepends=True)
    head = next(i for i, l in enumerate(lines) if "END OF HEADER" in l)
    p = tmp_path / "one.23g"
    p.write_text("".join(lines[:head + 5]))        # header + the first 4-line record (R01 00:15 UTC)
    eph = load_ephemerides(p)
    tb = np.datetime64("2023-03-14T00:15:18", "ns")   # 00:15 UTC = 00:15:18 GPST
    inside = tb + np.array([-900, 0, 899, 900], "timedelta64[s]")
    assert np.all(np.isfinite(eph.positions(inside).values))
    outside = tb + np.array([-901, 901, 3600], "timedelta64[s]")
    with pytest.warns(EphemerisRangeWarning, match=r"R01 \(3\)"):
        pos = eph.positions(outside)
    assert np.all(np.isnan(pos.values))


def test_rinex2_and_rinex4_glonass_agree_in_kind(brd4_eph):
    """brdc0730.23g (RINEX 2, 14 March) and BRD400DLR (RINEX 4, 12 March) describe the same
    constellation: same slot→frequency channels, same orbit radii, and the same switch-over
    consistency between consecutive ephemerides (metres)."""
    r2 = load_ephemerides(BRDC_GLO)
    rec2, rec4 = r2._rec[System.GLONASS], brd4_eph._rec[System.GLONASS]
    for sv in sorted(set(rec2.sv) & set(rec4.sv)):
        f2 = set(rec2.values["freq_num"][rec2.sv == sv])
        f4 = set(rec4.values["freq_num"][rec4.sv == sv])
        assert f2 == f4, sv
    for rec in (rec2, rec4):
        r = np.sqrt(rec.values["x"] ** 2 + rec.values["y"] ** 2 + rec.values["z"] ** 2)[rec.healthy]
        assert abs(np.median(r) - 25_510e3) < 20e3
    stats = []
    for rec in (rec2, rec4):
        idx = np.flatnonzero(rec.healthy)
        order = idx[np.lexsort((rec.t_ref[idx], rec.sv[idx]))]
        a, b = order[:-1], order[1:]
        pair = (rec.sv[a] == rec.sv[b]) & (rec.t_ref[b] - rec.t_ref[a] == 1800.0)
        a, b = a[pair], b[pair]
        tm = 0.5 * (rec.t_ref[a] + rec.t_ref[b])
        def st(i, k, v=rec.values):
            return np.stack([v[k[0]][i], v[k[1]][i], v[k[2]][i]], -1)
        pa = propagate_glonass(st(a, "xyz"), st(a, ("vx", "vy", "vz")), st(a, ("ax", "ay", "az")),
                               tm - rec.t_ref[a])
        pb = propagate_glonass(st(b, "xyz"), st(b, ("vx", "vy", "vz")), st(b, ("ax", "ay", "az")),
                               tm - rec.t_ref[b])
        stats.append(np.median(np.linalg.norm(pa - pb, axis=-1)))
    assert all(s < 3.0 for s in stats)
    assert abs(stats[0] - stats[1]) < 1.5
