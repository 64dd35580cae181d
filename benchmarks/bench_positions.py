"""Benchmark: positions of every BeiDou + GLONASS satellite for 24 h at 30 s, and of all four
registered systems (BeiDou, GLONASS, GPS, Galileo) for comparison.

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
    from gnss_interop import EphemerisRangeWarning, System, load_ephemerides
    from gnss_interop.systems import PRIMARY_SYSTEMS

    if not BRD4.exists():
        sys.exit(f"benchmark data not found: {BRD4}")
    times = (np.datetime64("2023-03-12T00:00:00") + np.arange(2880) * np.timedelta64(30, "s")
             ).astype("datetime64[ns]")
    print(f"file:                {BRD4.name}")
    for label, systems in (("C+R", PRIMARY_SYSTEMS), ("C+R+G+E", tuple(System))):
        t0 = time.perf_counter()
        eph = load_ephemerides(BRD4, systems)
        t_load = time.perf_counter() - t0
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", EphemerisRangeWarning)
                pos = eph.positions(times)
            best = min(best, time.perf_counter() - t0)
        n = pos.sizes["time"] * pos.sizes["sv"]
        per = ", ".join(f"{sum(s[0] == sy.letter for s in pos.sv.values)} {sy.display_name}"
                        for sy in systems)
        print(f"[{label}] load + screen:       {t_load:.3f} s  ({eph})")
        print(f"[{label}] positions 24 h/30 s: {best:.3f} s for {pos.sizes['time']} epochs x "
              f"{pos.sizes['sv']} satellites ({per}) = {n:,} states, {n / best:,.0f} states/s "
              f"(best of 3)")
        print(f"[{label}] end to end:          {t_load + best:.3f} s")
    print(f"peak RSS:            {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
