"""The global BDS-3 / GLONASS / BDS-3 + GLONASS performance table of the README.

One real day (BRD400DLR_S_20230710000_01D_MN.rnx.gz, 2023-03-12), global 1° grid,
24 h at 5 min, default receiver profile (dual-bds3-glo: BDS-3 B1C/B2a + GLONASS G1/G2,
so "C" is BDS-3 only), masks 5° and 10°; three areas (area-weighted by cos(latitude)):
global, 60°S–60°N × 50°E–170°E, 40°N–80°N × 20°E–180°E. Prints a Markdown table.

Run: ``python benchmarks/performance_table.py [--step 300] [--resolution 1]``
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NAV = ROOT.parent / "shared/data/ephemerides/BRD400DLR_S_20230710000_01D_MN.rnx.gz"
AREAS = {"global": (-90, 90, -180, 180), "60S-60N x 50E-170E": (-60, 60, 50, 170),
         "40N-80N x 20E-180E": (40, 80, 20, 180)}
LABEL = {"C": "BDS-3", "R": "GLONASS", "C+R": "BDS-3 + GLONASS, two clocks",
         "C+R/interop": "BDS-3 + GLONASS, one clock (BDGL)"}


def _wmean(da, w):
    v = da.values
    ok = np.isfinite(v)
    return float((v * w)[ok].sum() / w[ok].sum())


def _wmedian(da, w):
    v = da.values.ravel()
    ww = np.broadcast_to(w, da.shape).ravel()
    o = np.argsort(v)
    c = np.cumsum(ww[o])
    return float(v[o][np.searchsorted(c, 0.5 * c[-1])])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", type=float, default=300.0)
    ap.add_argument("--resolution", type=float, default=1.0)
    args = ap.parse_args()
    from gnss_interop.coverage import compute_grid
    from gnss_interop.coverage.configs import configurations_for
    from gnss_interop.coverage.grid import GridSpec
    from gnss_interop.coverage.masks import ElevationMask
    from gnss_interop.ephemerides.store import load_ephemerides
    from gnss_interop.systems import PRIMARY_SYSTEMS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eph = load_ephemerides([NAV], PRIMARY_SYSTEMS)
        n = int(round(86400 / args.step))
        times = np.datetime64("2023-03-12T00:00:00", "ns") + np.arange(n) * np.timedelta64(
            int(args.step), "s")
        pos = eph.positions(times)
    cat = eph.catalogue(warn=False)
    configs = configurations_for(eph)
    grid = GridSpec.global_grid(args.resolution)
    print(f"| mask | area | configuration | mean visible | median PDOP (mean over time) | "
          f"PDOP ≤ 6 availability | median H95 (p95 over time) |")
    print("|---|---|---|---|---|---|---|")
    for mask in (5.0, 10.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = compute_grid(pos, grid, mask=ElevationMask(mask), configs=configs,
                              catalogue=cat)
        for area, (s, nn, w, e) in AREAS.items():
            sub = ds.sel(lat=slice(s, nn), lon=slice(w, e))
            wt = np.cos(np.radians(sub.lat.values))[:, None] * np.ones(sub.lon.size)[None, :]
            for c in ds.config.values:
                x = sub.sel(config=c)
                print(f"| {mask:g}° | {area} | {LABEL.get(str(c), str(c))} | "
                      f"{_wmean(x.nsat_mean, wt):.1f} | {_wmedian(x.pdop_mean, wt):.2f} | "
                      f"{100 * _wmean(x.availability, wt):.2f} % | "
                      f"{_wmedian(x.hacc95_p95, wt):.2f} m |", flush=True)
    print(f"\nprofile: {ds.attrs['receiver_description']}; excluded: "
          f"{ds.attrs['excluded_satellites']}; {n} epochs at {args.step:g} s, "
          f"{args.resolution:g}° grid")


if __name__ == "__main__":
    main()
