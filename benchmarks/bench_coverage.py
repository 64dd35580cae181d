"""Benchmark of the coverage engine on the issue #3 reference workload.

Global 1° grid (181 × 360 nodes), 24 h at 60 s (1440 epochs), configurations
C, R, C+R, C+R/interop, 5° mask, from the real RINEX 4 file BRD400DLR
(2023-03-12): read the file, propagate, compute, write NetCDF; prints wall
times, point-epochs/s, peak memory, and the plain reference implementation's
speed on a subset with the ratio.

Run: ``python benchmarks/bench_coverage.py [--threads N] [--out FILE.nc]``
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NAV = ROOT.parent / "shared/data/ephemerides/BRD400DLR_S_20230710000_01D_MN.rnx.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--reference-points", type=int, default=20)
    args = ap.parse_args()

    from gnss_interop.coverage import kernels  # noqa: F401  (numba compile/cache load outside timing)
    from gnss_interop.coverage.configs import configurations_for
    from gnss_interop.coverage import compute_grid
    from gnss_interop.output.netcdf import write_netcdf
    from gnss_interop.coverage.reference import reference_site_series
    from gnss_interop.ephemerides.store import load_ephemerides
    from gnss_interop.systems import PRIMARY_SYSTEMS
    from gnss_interop.coverage.grid import GridSpec
    from gnss_interop.coverage.masks import ElevationMask

    # warm-up: JIT-compile (or load the cache) on a tiny problem, not timed
    import xarray as xr
    t_w = time.perf_counter()
    tiny = xr.DataArray(np.array([[[2.6e7, 0, 0], [0, 2.6e7, 0], [0, 0, 2.6e7],
                                   [1.5e7, 1.5e7, 1.5e7], [2e7, -1e7, 1e7]]] * 2, float),
                        dims=("time", "sv", "xyz"),
                        coords={"time": np.array(["2023-03-12T00:00", "2023-03-12T00:01"],
                                                 "datetime64[ns]"),
                                "sv": ["C01", "C02", "R01", "R02", "C03"], "xyz": ["x", "y", "z"]})
    from gnss_interop.coverage.configs import standard_configurations
    compute_grid(tiny, GridSpec.global_grid(30.0), receiver="legacy-sf",
                 configs=standard_configurations(interop_offset_available=True))
    warm = time.perf_counter() - t_w

    load0 = os.getloadavg()
    tracemalloc.start()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GLONASS day-boundary gap at 00:00 is expected
        eph = load_ephemerides([NAV], PRIMARY_SYSTEMS)
        t1 = time.perf_counter()
        times = np.datetime64("2023-03-12T00:00:00", "ns") + np.arange(1440) * np.timedelta64(
            60, "s")
        pos = eph.positions(times)
    t2 = time.perf_counter()
    configs = configurations_for(eph)
    grid = GridSpec.global_grid(1.0)
    mask = ElevationMask(5.0)
    # accuracy layers on, with the profile that uses every satellite of the file (legacy
    # B1I + G1 single frequency), so the workload is the one the geometry-only figure had
    ds = compute_grid(pos, grid, mask=mask, configs=configs, threads=args.threads,
                      input_files=[NAV], receiver="legacy-sf", catalogue=eph.catalogue())
    t3 = time.perf_counter()
    out = args.out or Path(tempfile.mkdtemp()) / "bench_grid.nc"
    write_netcdf(ds, out)
    t4 = time.perf_counter()
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n_pe = grid.size * times.size
    print(f"workload: {grid.shape[0]}x{grid.shape[1]} points x {times.size} epochs = "
          f"{n_pe / 1e6:.1f} M point-epochs, configs {[c.name for c in configs]}, "
          f"threads={args.threads or len(os.sched_getaffinity(0))}, {pos.sizes['sv']} satellites")
    print(f"load average before the run (machine shared?): "
          f"{', '.join(f'{v:.2f}' for v in load0)}")
    print(f"JIT warm-up (not in total): {warm:.2f} s")
    print(f"read RINEX:       {t1 - t0:6.2f} s")
    print(f"positions:        {t2 - t1:6.2f} s")
    print(f"coverage kernel:  {t3 - t2:6.2f} s  ({n_pe / (t3 - t2) / 1e6:.1f} M point-epochs/s)")
    print(f"write NetCDF:     {t4 - t3:6.2f} s  ({out.stat().st_size / 1e6:.1f} MB)")
    print(f"total end to end: {t4 - t0:6.2f} s  ({n_pe / (t4 - t0) / 1e6:.1f} M point-epochs/s)")
    print(f"peak memory: maxrss {maxrss_mb:.0f} MB, tracemalloc (numpy+python) "
          f"{py_peak / 2**20:.0f} MB")

    # the same satellites without the accuracy layers (the geometry-only kernel of before)
    t5 = time.perf_counter()
    compute_grid(pos, grid, mask=mask, configs=configs, threads=args.threads,
                 receiver="legacy-sf", catalogue=eph.catalogue(), accuracy=False)
    t6 = time.perf_counter()
    print(f"kernel without accuracy layers (geometry only, same satellites): {t6 - t5:.2f} s; "
          f"accuracy layers on / off = {(t3 - t2) / (t6 - t5):.2f}x (target <= 1.3x)")
    # the default receiver profile (BDS-3 B1C/B2a + GLONASS G1/G2): no BDS-2, fewer satellites
    t7 = time.perf_counter()
    ds_def = compute_grid(pos, grid, mask=mask, configs=configs, threads=args.threads,
                          catalogue=eph.catalogue())
    t8 = time.perf_counter()
    print(f"kernel, default profile {ds_def.attrs['receiver_profile']} with accuracy: "
          f"{t8 - t7:.2f} s")

    # reference implementation on a subset of points (all epochs)
    rng = np.random.default_rng(0)
    lat = rng.uniform(-90, 90, args.reference_points)
    lon = rng.uniform(-180, 180, args.reference_points)
    tr0 = time.perf_counter()
    for la, lo in zip(lat, lon):
        reference_site_series(pos, float(la), float(lo), 0.0, mask, configs)
    tr = time.perf_counter() - tr0
    ref_rate = args.reference_points * times.size / tr
    print(f"reference (numpy, per point): {args.reference_points} points x {times.size} "
          f"epochs in {tr:.2f} s = {ref_rate / 1e3:.1f} k point-epochs/s; fused kernel is "
          f"{n_pe / (t3 - t2) / ref_rate:.0f}x faster")
    s = ds.sel(config="C+R")
    print(f"sanity: global mean visible C {float(ds.nsat_mean.sel(config='C').mean()):.1f}, "
          f"R {float(ds.nsat_mean.sel(config='R').mean()):.1f}; availability (PDOP<=6) "
          f"C+R {float(s.availability.mean()):.4f}; median H95 p95 (legacy-sf) C+R "
          f"{float(s.hacc95_p95.median()):.2f} m, default profile C+R "
          f"{float(ds_def.sel(config='C+R').hacc95_p95.median()):.2f} m")


if __name__ == "__main__":
    main()
