"""Benchmark: positions of every BeiDou + GLONASS satellite for 24 h at 30 s.

Issue #2 target: about one second on a 2-core laptop-class machine.
Prints the figures; never asserts (machines here are shared and noisy).

    python benchmarks/bench_positions.py
"""

from __future__ import annotations

import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BRD4 = ROOT.parent / "shared/data/ephemerides/BRD400DLR_S_20230710000_01D_MN.rnx.gz"


def main() -> None:
    from gnss_interop import EphemerisRangeWarning, load_ephemerides

    if not BRD4.exists():
        sys.exit(f"benchmark data not found: {BRD4}")
    t0 = time.perf_counter()
    eph = load_ephemerides(BRD4)
    t_load = time.perf_counter() - t0
    times = (np.datetime64("2023-03-12T00:00:00") + np.arange(2880) * np.timedelta64(30, "s")
             ).astype("datetime64[ns]")
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EphemerisRangeWarning)
            pos = eph.positions(times)
        best = min(best, time.perf_counter() - t0)
    n = pos.sizes["time"] * pos.sizes["sv"]
    n_c = sum(s.startswith("C") for s in pos.sv.values)
    n_r = pos.sizes["sv"] - n_c
    print(f"file:                {BRD4.name}")
    print(f"load + screen:       {t_load:.3f} s  ({eph})")
    print(f"positions 24 h/30 s: {best:.3f} s for {pos.sizes['time']} epochs x {pos.sizes['sv']} "
          f"satellites ({n_c} BeiDou, {n_r} GLONASS) = {n:,} states, {n / best:,.0f} states/s "
          f"(best of 3)")
    print(f"end to end:          {t_load + best:.3f} s")
    print(f"peak RSS:            {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
