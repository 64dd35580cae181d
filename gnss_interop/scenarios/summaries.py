"""Area-weighted summaries of a scenario: global, each region, each latitude band."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from gnss_interop.scenarios.regions import Region

__all__ = ["LATITUDE_BANDS", "summarise"]

#: Latitude bands of the summary tables [deg].
LATITUDE_BANDS = ((-90, -60), (-60, -30), (-30, 0), (0, 30), (30, 60), (60, 90))


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return math.nan
    return float(np.sum(values[ok] * weights[ok]) / np.sum(weights[ok]))


def summarise(ds: xr.Dataset, regions: Sequence[tuple[str, Region]], scenario: str
              ) -> list[dict[str, Any]]:
    """Area-weighted (cos latitude) summaries: global, each region, each latitude band.

    Per configuration: availability [%], mean visible satellites, mean PDOP (over cells
    with a solution, with the share of area that has one), and area fraction with
    availability ≥ 99 %.
    """
    lat = ds["lat"].values
    lon = ds["lon"].values
    lat2, lon2 = np.meshgrid(lat, lon, indexing="ij")
    w = np.cos(np.radians(lat2))
    areas: list[tuple[str, np.ndarray]] = [("global", np.ones_like(w, dtype=bool))]
    areas += [(f"inside: {label}", reg.contains(lat2, lon2)) for label, reg in regions]
    # half-open bands [lo, hi), the last one closed, so node rows at ±30°, ±60° count once
    areas += [(f"lat {lo:+d}..{hi:+d}", (lat2 >= lo) & ((lat2 < hi) | (hi == LATITUDE_BANDS[-1][1])))
              for lo, hi in LATITUDE_BANDS]
    rows = []
    for area, sel in areas:
        ww = np.where(sel, w, 0.0)
        if ww.sum() == 0:
            continue
        for cfg in ds.config.values:
            a = ds["availability"].sel(config=cfg).values
            pd = ds["pdop_mean"].sel(config=cfg).values
            rows.append({
                "scenario": scenario, "area": area, "config": str(cfg),
                "availability_pct": round(100 * _weighted_mean(a, ww), 3),
                "area_with_99pct_availability_pct": round(100 * _weighted_mean((a >= 0.99).astype(float), ww), 2),
                "nsat_mean": round(_weighted_mean(ds["nsat_mean"].sel(config=cfg).values, ww), 2),
                "pdop_mean": round(_weighted_mean(pd, ww), 3),
                "area_with_solution_pct": round(100 * _weighted_mean(np.isfinite(pd).astype(float), ww), 2),
            })
    return rows
