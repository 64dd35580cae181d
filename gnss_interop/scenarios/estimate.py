"""What a scenario file's job will cost, known before any work: memory and time.

The estimate counts what the job holds at once: per coverage run the finalised statistics
of every configuration the composition needs (float64, :data:`BYTES_PER_POINT_CONFIG`),
per scenario the composed layers (float32), and the satellite positions of the span
(:data:`BYTES_PER_EPOCH`). The time is the point-epochs of every run over the grid
engine's measured rate (:data:`POINT_EPOCHS_PER_S_PER_CORE`, README "Speed": 3.6 M
point-epochs/s on 2 cores with accuracy, 4 configurations). Both are upper-bound
estimates, within a factor of about 2; the job is refused when the memory exceeds the
memory this machine has available.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from gnss_interop.errors import GnssInputError

__all__ = ["JobEstimate", "check_job", "estimate_job"]

#: Finalised statistics per grid point and configuration of one run [bytes]: 40 float64
#: quantities (counts, fractions, 5 DOPs and 6 accuracy quantities × mean/p95/max), with
#: the Dataset's float32 copies.
BYTES_PER_POINT_CONFIG = 40 * 8 * 1.5
#: Composed layers per grid point and output configuration of one scenario [bytes].
BYTES_PER_POINT_SCENARIO = 60 * 4
#: Satellite positions and their kernel copies per epoch (~70 satellites) [bytes].
BYTES_PER_EPOCH = 70 * 3 * 8 * 4
#: Grid engine throughput per core with the accuracy layers, 4 configurations.
POINT_EPOCHS_PER_S_PER_CORE = 1.8e6
#: Share of the available memory a job may plan to use.
MEMORY_SHARE = 0.8


@dataclass(frozen=True)
class JobEstimate:
    points: int
    epochs: int
    runs: int
    configurations: int
    memory_bytes: float
    seconds: float

    def describe(self) -> str:
        return (f"{self.points:,} grid points x {self.epochs:,} epochs x {self.runs} coverage "
                f"run(s) of {self.configurations} configuration(s): about "
                f"{_size(self.memory_bytes)} of memory and {_duration(self.seconds)} of "
                f"coverage computation on "
                f"{_cores()} core(s)")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def _size(b: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if b < 1000 or unit == "PB":
            return f"{b:,.0f} {unit}" if unit == "B" else f"{b:,.1f} {unit}"
        b /= 1000
    return f"{b:.3g} EB"  # pragma: no cover


def _duration(s: float) -> str:
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    if s < 86400 * 3:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:,.0f} days"


def estimate_job(spec) -> JobEstimate:
    """The :class:`JobEstimate` of a validated :class:`ScenarioFile`."""
    g = spec.grid
    n_lat = int(round((g.lat_max - g.lat_min) / g.resolution_deg)) + 1
    n_lon = int(round((g.lon_max - g.lon_min) / g.resolution_deg)) + 1
    points = n_lat * n_lon
    span_s = float((np.datetime64(spec.end, "s") - np.datetime64(spec.start, "s"))
                   / np.timedelta64(1, "s"))
    epochs = int(span_s // spec.step_s) + 1
    n_cfg = len(spec.configurations)
    deniable = any(d.type in ("deny", "jammer") for sc in spec.scenario for d in sc.degradation)
    needed = n_cfg * (2 if deniable else 1)
    runs = 1
    for sc in spec.scenario:
        masks = sum(d.type == "mask" for d in sc.degradation)
        trials = max([d.trials for d in sc.degradation
                      if d.type == "outage" and any(d.random.values())] or [1])
        outage = any(d.type == "outage" for d in sc.degradation)
        runs += (1 + masks) * trials if (outage or masks) else 0
    memory = (points * (runs * needed * BYTES_PER_POINT_CONFIG
                        + len(spec.scenario) * n_cfg * BYTES_PER_POINT_SCENARIO)
              + epochs * BYTES_PER_EPOCH)
    seconds = points * epochs * runs * (needed / 4) / (POINT_EPOCHS_PER_S_PER_CORE * _cores())
    return JobEstimate(points, epochs, runs, needed, float(memory), float(seconds))


def _available_bytes() -> float:
    try:
        import psutil

        return float(psutil.virtual_memory().available)
    except ImportError:  # pragma: no cover - psutil comes with dask.distributed
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))


def check_job(spec, where: str = "scenario file") -> JobEstimate:
    """The estimate, or a :class:`GnssInputError` when the job would not fit in memory."""
    est = estimate_job(spec)
    avail = _available_bytes()
    if est.memory_bytes > MEMORY_SHARE * avail:
        raise GnssInputError(
            f"{where}: the job is too large for this machine: {est.describe()}, but "
            f"{_size(avail)} is available; make it smaller: a coarser grid.resolution_deg, "
            f"a smaller grid box, a larger step_s, a shorter start..end, or fewer scenarios "
            f"and random-outage trials")
    return est
