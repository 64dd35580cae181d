"""The fused numba kernel against the plain numpy reference (gnss_interop.coverage.reference)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from _synthetic import synthetic_positions
from gnss_interop.coverage import kernels as K
from gnss_interop.coverage.configs import standard_configurations
from gnss_interop.variables import DOP_NAMES
from gnss_interop.coverage import compute_grid, compute_site
from gnss_interop.coverage.reference import reference_site_series, reference_statistics
from gnss_interop.coverage.grid import GridSpec
from gnss_interop.coverage.masks import ElevationMask
from tolerances import EXACT_RTOL

CONFIGS = standard_configurations(interop_offset_available=True)
#: The DOP tests compare with the reference on every satellite of the synthetic data: the
#: legacy single-frequency profile (B1I + G1) uses every generation.
_compute_grid, _compute_site = compute_grid, compute_site


def compute_grid(*a, **k):
    k.setdefault("receiver", "legacy-sf")
    return _compute_grid(*a, **k)


def compute_site(*a, **k):
    k.setdefault("receiver", "legacy-sf")
    return _compute_site(*a, **k)
RTOL = 1e-9
DOP_EXACT = 300.0  # DOPs up to this value are compared to RTOL (see assert_dops_close)


def thinned_positions(n_epochs=90, step_s=120.0, seed=1, max_drop=0.97,
                      n_heavy=0) -> xr.DataArray:
    """Synthetic C+R positions with satellites dropped (NaN) at a varying rate per epoch.

    The drop probability sweeps 0..0.97 so that some epochs have plenty of
    satellites, some exactly 4 or 5 and some fewer than 4.
    """
    pos = synthetic_positions(n_epochs, step_s)
    rng = np.random.default_rng(seed)
    p_drop = np.linspace(0.0, max_drop, n_epochs)
    p_drop[:n_heavy] = 0.97
    rng.shuffle(p_drop)
    drop = rng.random(pos.shape[:2]) < p_drop[:, None]
    out = pos.copy()
    out.values[drop] = np.nan
    return out


POS = thinned_positions()
#: lightly thinned (3 of 90 epochs heavily): p95 mostly finite
LIGHT = thinned_positions(seed=2, max_drop=0.4, n_heavy=3)
SITES = [(90.0, 0.0), (-90.0, 0.0), (0.0, -180.0), (0.0, 180.0), (12.5, 179.9),
         (40.0, 116.0), (-33.9, 18.4), (64.8, -147.7), (0.0, 0.0), (-77.8, 166.7)]


def assert_dops_close(fast, ref):
    """1e-9 relative up to DOP 300; near-singular geometries lose ~cond(HᵀH)·eps ∝ DOP²·eps
    in any implementation (reference included), so above DOP 300 the allowance grows as
    1e-9·(DOP/300)² (1.3e-7 at DOP 3,500; such epochs are far beyond any PDOP threshold)."""
    assert np.array_equal(np.isinf(fast), np.isinf(ref))
    fin = np.isfinite(ref)
    tol = RTOL * np.maximum(1.0, (ref[fin] / DOP_EXACT) ** 2)
    assert np.all(np.abs(fast[fin] - ref[fin]) <= tol * np.abs(ref[fin]))


@pytest.mark.parametrize("mask", [ElevationMask(5.0), ElevationMask(0.0),
                                  ElevationMask(-2.0),
                                  ElevationMask.from_pairs([(0, 10), (90, 25), (200, 3),
                                                            (300, 40)], 5.0)],
                         ids=["5deg", "0deg", "neg2deg", "horizon"])
def test_site_series_match_reference(mask):
    """Per-epoch counts and DOPs at poles, antimeridian and elsewhere, every configuration."""
    cases = {"C": set(), "C+R": set()}
    for lat, lon in SITES:
        fast = compute_site(POS, lat, lon, 0.0, mask=mask, configs=CONFIGS)
        ref = reference_site_series(POS, lat, lon, 0.0, mask, CONFIGS)
        for cfg in CONFIGS:
            nsat_ref, dops_ref = ref[cfg.name]
            f = fast.sel(config=cfg.name)
            np.testing.assert_array_equal(f["nsat"].values, nsat_ref)
            assert_dops_close(np.stack([f[d].values for d in DOP_NAMES], -1), dops_ref)
            if cfg.name in cases:
                cases[cfg.name].update(np.minimum(nsat_ref, 6).tolist())
    # the thinned data really exercise too few, exactly 4 and exactly 5 satellites
    assert {0, 1, 2, 3, 4, 5, 6} <= cases["C"]
    assert {3, 4, 5, 6} <= cases["C+R"]


def test_airborne_point_matches_reference():
    mask = ElevationMask(5.0)
    for lat, lon in [(50.0, 10.0), (-89.0, 45.0)]:
        fast = compute_site(POS, lat, lon, 11_000.0, mask=mask, configs=CONFIGS)
        ref = reference_site_series(POS, lat, lon, 11_000.0, mask, CONFIGS)
        for cfg in CONFIGS:
            f = fast.sel(config=cfg.name)
            np.testing.assert_array_equal(f["nsat"].values, ref[cfg.name][0])
            assert_dops_close(np.stack([f[d].values for d in DOP_NAMES], -1), ref[cfg.name][1])


def bin_of(x):
    return np.searchsorted(K.bin_edges(), x, side="right") - 1


@pytest.mark.parametrize("which", ["heavy", "light"])
def test_grid_statistics_match_reference(which):
    """Grid statistics vs exact ones at a random subset of nodes (incl. poles, ±180°)."""
    pos = POS if which == "heavy" else LIGHT
    grid = GridSpec.global_grid(15.0)
    mask = ElevationMask(5.0)
    ds = compute_grid(pos, grid, mask=mask, configs=CONFIGS, pdop_max=4.0)
    rng = np.random.default_rng(7)
    lats, lons = ds["lat"].values, ds["lon"].values
    picks = {(0, 0), (len(lats) - 1, 5), (6, 0), (3, len(lons) - 1)}
    picks |= {(int(rng.integers(len(lats))), int(rng.integers(len(lons)))) for _ in range(12)}
    n_p95_checked = 0
    for i, j in sorted(picks):
        ref = reference_site_series(pos, float(lats[i]), float(lons[j]), 0.0, mask, CONFIGS)
        for cfg in CONFIGS:
            nsat, dops = ref[cfg.name]
            exact = reference_statistics(nsat, dops, 4.0)
            got = {k: float(ds[k].sel(config=cfg.name).values[i, j]) for k in exact}
            for k, v in exact.items():
                if k.endswith("_p95"):
                    continue
                if np.isnan(v):
                    assert np.isnan(got[k]), k
                elif np.isinf(v):
                    assert got[k] == v, k
                else:
                    tol = RTOL * abs(v)
                    if k[:4] in DOP_NAMES:
                        # per-epoch error bound of assert_dops_close, with GDOP as the
                        # conditioning indicator, propagated into the mean/max
                        g = dops[:, 0][np.isfinite(dops[:, 0])]
                        err = RTOL * np.maximum(1.0, (g / DOP_EXACT) ** 2) * g
                        tol += err.sum() / max(1, g.size) if k.endswith("mean") else err.max(
                            initial=0.0)
                    assert abs(got[k] - v) <= tol, (k, cfg.name, i, j, got[k], v)
            for q, dn in enumerate(DOP_NAMES):
                x_k, p95 = exact[f"{dn}_p95"], got[f"{dn}_p95"]
                if np.isinf(x_k):
                    assert np.isinf(p95)
                    continue
                n_p95_checked += 1
                b = bin_of(x_k)
                edges = K.bin_edges()
                # the conditioning allowance of assert_dops_close (summation order differs
                # between the paired and the weighted accumulation)
                tol_k = RTOL * max(1.0, (x_k / DOP_EXACT) ** 2)
                assert x_k * (1 - tol_k) <= p95 <= edges[b + 1] * (1 + tol_k), (dn, x_k, p95)
                assert p95 <= exact[f"{dn}_max"]
                v = dops[:, q]
                if np.all(np.isfinite(v)):
                    assert abs(bin_of(np.percentile(v, 95)) - b) <= 1
    assert n_p95_checked > (20 if which == "light" else -1)


def test_time_chunks_merge_to_the_same_statistics():
    grid = GridSpec.from_bbox(170, -20, -170, 20, 5.0)  # crosses the antimeridian
    a = compute_grid(POS, grid, configs=CONFIGS)
    b = compute_grid(POS, grid, configs=CONFIGS, time_chunk=7)
    for name in a.data_vars:
        if name.endswith("_mean") or name.endswith("fraction") or name == "availability":
            xr.testing.assert_allclose(a[name], b[name], rtol=EXACT_RTOL)
        else:
            xr.testing.assert_identical(a[name], b[name])


def test_threads_do_not_change_results():
    grid = GridSpec.global_grid(10.0)
    a = compute_grid(POS, grid, configs=CONFIGS, threads=1, time_chunk=30)
    b = compute_grid(POS, grid, configs=CONFIGS, threads=2, time_chunk=30)
    for name in a.data_vars:
        xr.testing.assert_identical(a[name], b[name])


def test_keep_time_matches_site_mode_and_summary():
    grid = GridSpec.from_bbox(100, 30, 110, 40, 5.0)
    ds = compute_grid(POS, grid, configs=CONFIGS, keep_time=True, pdop_max=5.0)
    site = compute_site(POS, 35.0, 105.0, configs=CONFIGS, pdop_max=5.0)
    pt = ds.sel(lat=35.0, lon=105.0)
    np.testing.assert_array_equal(pt["nsat"].values, site["nsat"].values)
    for d in DOP_NAMES:
        assert_dops_close(pt[d].values, site[d].values)  # same up to summation order
    np.testing.assert_allclose(ds["nsat"].mean("time"), ds["nsat_mean"], rtol=EXACT_RTOL)
    avail = ((ds["pdop"] <= 5.0).mean("time"))
    np.testing.assert_allclose(avail, ds["availability"], rtol=EXACT_RTOL)
    np.testing.assert_allclose(site["available"].mean("time"), pt["availability"], rtol=EXACT_RTOL)


def test_histogram_bins():
    edges = K.bin_edges()
    assert edges.size == K.N_BINS + 1
    assert np.all(np.diff(edges[:-1]) > 0) and np.isinf(edges[-1])
    inner = slice(1, K.N_BINS - 1)
    width = (edges[2:-1] - edges[1:-2]) / edges[1:-2]
    assert np.all(width[inner.start - 1:] <= 1 / K.HIST_SUB + 1e-15)
    x = np.concatenate([np.exp(np.random.default_rng(3).uniform(-4, 7, 20000)), edges[1:-1],
                        np.nextafter(edges[1:-1], 0)])
    b_frexp = np.array([K.dop_bin_index(v) for v in x])
    b_bits = np.array([K._bin_from_bits(v) for v in x.view(np.int64)])
    np.testing.assert_array_equal(b_frexp, b_bits)
    np.testing.assert_array_equal(b_bits, bin_of(x))


@pytest.mark.parametrize("grid", [
    GridSpec.from_bbox(170, -20, -170, 20, 5.0),  # crosses the antimeridian
    GridSpec.from_bbox(-180, 60, 180, 90, 10.0, registration="cell"),
    GridSpec.from_bbox(100, 20, 130, 50, 7.5, height_m=9000.0),
], ids=["antimeridian", "polar-cells", "airborne-box"])
def test_boxes_match_site_mode(grid):
    """Every node of a box equals the single-point computation (itself checked against
    the reference), so the longitude windows of the row kernel never drop a satellite."""
    ds = compute_grid(LIGHT, grid, configs=CONFIGS, keep_time=True)
    for i, lat in enumerate(ds["lat"].values):
        for j, lon in enumerate(ds["lon"].values):
            site = compute_site(LIGHT, float(lat), float(lon), grid.height_m, configs=CONFIGS)
            np.testing.assert_array_equal(ds["nsat"].values[:, :, i, j], site["nsat"].values)
            assert_dops_close(ds["pdop"].values[:, :, i, j], site["pdop"].values)
    ref = reference_site_series(LIGHT, float(ds.lat[1]), float(ds.lon[-1]), grid.height_m,
                                ElevationMask(5.0), CONFIGS)
    for c, cfg in enumerate(CONFIGS):
        np.testing.assert_array_equal(ds["nsat"].values[c, :, 1, -1], ref[cfg.name][0])


@pytest.mark.parametrize("mask_deg,height_m", [(5.0, 0.0), (0.0, 0.0), (10.0, 30_000.0),
                                               (-3.0, 10_000.0)])
def test_visible_counts_everywhere_match_numpy(mask_deg, height_m):
    """Counts at every node of a global 2° grid equal a brute-force numpy count
    (look angles of every satellite from every point): the row kernel's longitude
    windows are a true superset of the visible region."""
    from gnss_interop.coverage.geometry import look_angles

    pos = LIGHT.isel(time=slice(0, 90, 18))
    grid = GridSpec.global_grid(2.0, height_m=height_m)
    cfg = [c for c in CONFIGS if c.name == "C+R"]
    ds = compute_grid(pos, grid, configs=cfg, mask=ElevationMask(mask_deg), keep_time=True)
    lat2, lon2 = np.meshgrid(grid.lat_deg, grid.lon_deg, indexing="ij")
    for t in range(pos.sizes["time"]):
        sats = pos.values[t]
        sats = sats[np.isfinite(sats).all(-1)]
        _, el, _ = look_angles(sats[None, None], lat2[..., None], lon2[..., None], height_m)
        count = (el > mask_deg).sum(-1)
        np.testing.assert_array_equal(ds["nsat"].values[0, t], count)


# ----------------------------------------------------------------------------- accuracy

from gnss_interop.accuracy.confidence import H95_TABLE, N_RHO, horizontal_95_exact  # noqa: E402
from gnss_interop.coverage.engine import satellite_usage  # noqa: E402
from gnss_interop.coverage.reference import reference_site_accuracy  # noqa: E402
from gnss_interop.receivers import PRESETS, ReceiverProfile  # noqa: E402
from gnss_interop.variables import ACCURACY_NAMES  # noqa: E402


@pytest.mark.parametrize("receiver", ["dual-bds3-glo", "legacy-sf"])
@pytest.mark.parametrize("mask", [ElevationMask(5.0), ElevationMask(-2.0),
                                  ElevationMask.from_pairs([(0, 10), (90, 25), (200, 3),
                                                            (300, 40)], 5.0)],
                         ids=["5deg", "neg2deg", "horizon"])
def test_weighted_site_series_match_weighted_reference(mask, receiver):
    """σ_E/N/U, H95, V95 and weighted PDOP of the kernel = the plain weighted least squares
    (numpy inv of HᵀWH with the same budget), 1e-9 relative, at every epoch and site."""
    profile = PRESETS[receiver]
    usage = satellite_usage([str(s) for s in POS.sv.values], POS.time.values, profile)
    assert not usage.usable.all() if receiver == "dual-bds3-glo" else usage.usable.all()
    n_checked = 0
    for lat, lon in SITES:
        fast = compute_site(POS, lat, lon, 0.0, mask=mask, configs=CONFIGS, receiver=profile)
        ref = reference_site_accuracy(POS, lat, lon, 0.0, mask, CONFIGS, profile, usage)
        for cfg in CONFIGS:
            f = np.stack([fast[q].sel(config=cfg.name).values for q in ACCURACY_NAMES], -1)
            r = ref[cfg.name]
            assert np.array_equal(np.isinf(f), np.isinf(r))
            pd_ = fast["pdop"].sel(config=cfg.name).values
            fin = np.isfinite(r) & (pd_ < DOP_EXACT)[:, None]
            # H95 also depends on the east-north covariance, whose rounding grows faster with
            # ill-conditioning (2.5e-5 at PDOP 240 with 4 satellites): 1e-9 up to PDOP 30
            fin[:, 0] &= pd_ < 30.0
            np.testing.assert_allclose(f[fin], r[fin], rtol=RTOL)
            n_checked += int(fin.sum())
    assert n_checked > 1000


def test_equal_sigma_weighted_dops_equal_dops(monkeypatch):
    """With the same σ for every satellite (no elevation terms, equal SISRE, dual frequency),
    the weighted PDOP is the PDOP and σ_E/N/U are σ·DOPs: exact up to rounding."""
    flat = ReceiverProfile("flat", "equal sigma", {}, noise_m=0.0, multipath_scale=0.0)
    import gnss_interop.accuracy.budget as B

    usage = satellite_usage([str(s) for s in POS.sv.values], POS.time.values, flat)
    sig = 1.7
    tables = {}
    monkeypatch.setattr(B, "TROPO_ZENITH_SIGMA_M", 0.0)  # no elevation terms left
    if True:
        for lat, lon in SITES[:5]:
            eq = ReceiverProfile("flat", "equal sigma", {}, noise_m=0.0, multipath_scale=0.0,
                                 sisre_m={g: sig for g in ("BDS-3", "BDS-3 GEO", "BDS-3S",
                                                           "BDS-2", "GLONASS-M", "GLONASS-M+",
                                                           "GLONASS-K1", "GLONASS-K2")})
            # dual frequency everywhere: no ionosphere term
            from gnss_interop.receivers import Tracking
            from gnss_interop.systems import System
            eq = ReceiverProfile("flat", "equal", {
                System.BEIDOU: Tracking(System.BEIDOU, ("B1I", "B3I")),
                System.GLONASS: Tracking(System.GLONASS, ("G1", "G2"))},
                noise_m=0.0, multipath_scale=0.0, sisre_m=eq.sisre_m)
            ds = compute_site(POS, lat, lon, configs=CONFIGS, receiver=eq)
            for cfg in CONFIGS:
                d = ds.sel(config=cfg.name)
                ok = np.isfinite(d.pdop.values) & (d.pdop.values < DOP_EXACT)
                np.testing.assert_allclose(d.wpdop.values[ok], d.pdop.values[ok], rtol=RTOL)
                np.testing.assert_allclose(d.vacc95.values[ok] / 1.959963984540054,
                                           sig * d.vdop.values[ok], rtol=RTOL)
                hh = np.hypot(d.sigma_east.values[ok], d.sigma_north.values[ok])
                np.testing.assert_allclose(hh, sig * d.hdop.values[ok], rtol=RTOL)
                tables[cfg.name] = ok.sum()
    assert sum(tables.values()) > 100
    del usage


def test_h95_table_against_direct_solution():
    rho = np.linspace(0, 1, 23)
    direct = np.array([horizontal_95_exact(r) for r in rho])
    table = np.interp(rho, np.linspace(0, 1, N_RHO), H95_TABLE)
    np.testing.assert_allclose(table, direct, rtol=2e-5)
    assert abs(H95_TABLE[0] - 1.959963984540054) < 1e-9
    assert abs(H95_TABLE[-1] - np.sqrt(-2 * np.log(0.05))) < 1e-9


def test_h95_against_monte_carlo():
    """The 95 % radius of an elliptical Gaussian holds 95 % of samples (±0.3 %)."""
    rng = np.random.default_rng(3)
    from gnss_interop.accuracy.confidence import h95_radius
    for qee, qen, qnn in [(1.0, 0.0, 1.0), (4.0, 0.0, 0.25), (2.0, 0.9, 1.0), (1.0, 0.0, 1e-6)]:
        cov = np.array([[qee, qen], [qen, qnn]])
        x = rng.multivariate_normal([0, 0], cov, size=400_000)
        r = h95_radius(qee, qen, qnn, H95_TABLE)
        frac = np.mean(np.hypot(x[:, 0], x[:, 1]) <= r)
        assert abs(frac - 0.95) < 0.003, (qee, qen, qnn, frac)
