"""Several days: per-day availability and its spread per point.

Ground tracks repeat only every 7 sidereal days (BDS-3 MEO: 13 revolutions in 7 days)
and 8 (GLONASS: 17 in 8), so one day's map says how a point fared on that day, not how
it fares. :func:`daily_spread` computes each GPST day of a span on its own (the same
engine and statistics as :func:`~gnss_interop.coverage.compute_grid`) and keeps, per
point and configuration, the per-day availability and accuracy availability with their
minimum, maximum and spread (max − min) over the days. A day that is a data gap for a
configuration (more than :data:`~gnss_interop.constants.DAILY_MAX_GAP_FRACTION` of its
epochs without an ephemeris of one of its systems: :mod:`gnss_interop.coverage.gaps`) is
NaN for it and left out of the minimum and maximum, never counted as a 0 % day. Memory
grows with the number of days only by the per-day layers (days × configurations × points,
float32); each day's full statistics are discarded once reduced.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import xarray as xr

from gnss_interop.constants import DAILY_MAX_GAP_FRACTION
from gnss_interop.coverage.grid import GridSpec
from gnss_interop.variables import lookup

__all__ = ["DAILY_QUANTITIES", "daily_spread"]

#: Layers kept per day, and reduced to their minimum, maximum and spread over the days.
DAILY_QUANTITIES = ("availability", "accuracy_availability")


def daily_spread(positions: xr.DataArray, grid: GridSpec,
                 compute: Callable[..., xr.Dataset] | None = None, **kwargs) -> xr.Dataset:
    """Per-day ``<q>_daily`` (day, config, lat, lon) and ``<q>_day_min``, ``<q>_day_max``,
    ``<q>_day_spread`` (config, lat, lon) for q in :data:`DAILY_QUANTITIES`, over the GPST
    days of ``positions`` (epochs split at 00:00 GPST; a day with fewer epochs than the
    others is still a day of its own). ``kwargs`` go to ``compute`` (default
    :func:`~gnss_interop.coverage.compute_grid`); ``n_days`` (config) counts the days that
    are not entire data gaps.
    """
    if compute is None:
        from gnss_interop.coverage.engine import compute_grid as compute
    times = np.asarray(positions["time"].values, dtype="datetime64[ns]")
    day_of = times.astype("datetime64[D]")
    days = np.unique(day_of)
    if days.size < 2:
        raise ValueError(f"a daily spread needs epochs on at least two GPST days, got "
                         f"{days.size} ({str(days[0]) if days.size else 'none'})")
    per_day: dict[str, list[np.ndarray]] = {q: [] for q in DAILY_QUANTITIES}
    template = None
    gap_days: list[str] = []
    for d in days:
        sub = positions.isel(time=np.flatnonzero(day_of == d))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the whole-span run gives the warnings
                ds = compute(sub, grid, **kwargs)
        except ValueError as exc:
            if "no ephemeris covers" not in str(exc):
                raise
            gap_days.append(f"{d}: every configuration")
            for q in DAILY_QUANTITIES:
                per_day[q].append(None)
            continue
        if template is None:
            template = ds
        frac = ds["data_gap_fraction"].max(dim=("lat", "lon")).values
        gapped = frac > DAILY_MAX_GAP_FRACTION
        for c in np.flatnonzero(gapped):
            gap_days.append(f"{d}: {ds.config.values[c]} ({100 * frac[c]:.0f} % of epochs "
                            f"without ephemeris)")
        for q in DAILY_QUANTITIES:
            if q not in ds:
                continue
            v = ds[q].values.astype(np.float32)
            v[gapped] = np.nan
            per_day[q].append(v)
    if template is None:
        raise ValueError("no ephemeris covers any day of the span")
    shape = template["availability"].shape
    out = xr.Dataset(coords={k: v for k, v in template.coords.items()
                             if set(v.dims) <= {"config", "lat", "lon"}})
    out = out.assign_coords(day=("day", days.astype("datetime64[ns]"),
                                 {"long_name": "GPST day (00:00 to 24:00)"}))
    dims = ("config", "lat", "lon")
    for q, values in per_day.items():
        if all(v is None for v in values):
            continue
        stack = np.stack([np.full(shape, np.nan, np.float32) if v is None else v
                          for v in values])
        out[f"{q}_daily"] = (("day",) + dims, stack, lookup(f"{q}_daily").attrs(
            dtype=stack.dtype))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN points: NaN
            lo, hi = np.nanmin(stack, axis=0), np.nanmax(stack, axis=0)
        for name, v in ((f"{q}_day_min", lo), (f"{q}_day_max", hi),
                        (f"{q}_day_spread", hi - lo)):
            out[name] = (dims, v, lookup(name).attrs(dtype=v.dtype))
    counted = np.isfinite(out["availability_daily"].values[:, :, 0, 0]).sum(axis=0)
    out["n_days"] = (("config",), counted.astype(np.int16),
                     {"long_name": "days of the span that are not entire data gaps"})
    out.attrs["daily_gap_days"] = "; ".join(gap_days) or "none"
    out.attrs["daily_method"] = (
        "each GPST day computed on its own with the run's settings; per point the minimum, "
        "maximum and spread (max - min) over the days that are not entire data gaps")
    return out
