"""Several days (gnss_interop.coverage.days): per-day availability and its spread."""

from __future__ import annotations

import re

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from _synthetic import synthetic_positions
from conftest import BRD4, BRDC_GLO
from gnss_interop.cli import app
from gnss_interop.coverage import compute_grid
from gnss_interop.coverage.configs import standard_configurations
from gnss_interop.coverage.days import daily_spread
from gnss_interop.coverage.gaps import GAP_COORD
from gnss_interop.coverage.grid import GridSpec
from gnss_interop.coverage.masks import ElevationMask

CONFIGS = standard_configurations(interop_offset_available=True)
GRID = GridSpec.global_grid(20.0)
MASK = ElevationMask(25.0)   # a high mask, so that availability varies from day to day


def _three_days():
    pos = synthetic_positions(3 * 48, 1800.0)        # 3 days at 30 min
    return pos


def test_daily_values_are_each_days_own_run_and_min_max_spread_follow():
    pos = _three_days()
    sp = daily_spread(pos, GRID, mask=MASK, configs=CONFIGS)
    assert sp.sizes["day"] == 3
    for k, d in enumerate(np.unique(pos.time.values.astype("datetime64[D]"))):
        sel = pos.time.values.astype("datetime64[D]") == d
        one = compute_grid(pos.isel(time=np.flatnonzero(sel)), GRID, mask=MASK, configs=CONFIGS)
        np.testing.assert_allclose(sp.availability_daily.isel(day=k), one.availability,
                                   rtol=1e-6)
    stack = sp.availability_daily.values
    np.testing.assert_allclose(sp.availability_day_min, stack.min(axis=0))
    np.testing.assert_allclose(sp.availability_day_spread, stack.max(axis=0) - stack.min(axis=0))
    assert float(sp.availability_day_spread.max()) > 0.0     # days do differ at 25°
    assert (sp.n_days.values == 3).all() and sp.attrs["daily_gap_days"] == "none"


def test_a_data_gap_day_is_left_out_not_counted_as_zero():
    pos = _three_days()
    day = pos.time.values.astype("datetime64[D]")
    gap = np.zeros((pos.sizes["time"], pos.sizes["sv"]), bool)
    glo = np.array([str(s).startswith("R") for s in pos.sv.values])
    gap[np.ix_(day == day[48], glo)] = True                 # no GLONASS on the second day
    g = xr.DataArray(gap, dims=("time", "sv"))
    pos = pos.where(~g).assign_coords({GAP_COORD: g})
    sp = daily_spread(pos, GRID, mask=MASK, configs=CONFIGS)
    r = sp.sel(config="R")
    assert np.isnan(r.availability_daily.isel(day=1)).all()
    assert int(r.n_days) == 2 and int(sp.sel(config="C").n_days) == 3
    np.testing.assert_allclose(r.availability_day_min,
                               np.fmin(r.availability_daily.isel(day=0),
                                       r.availability_daily.isel(day=2)))
    assert "R (100 % of epochs without ephemeris)" in sp.attrs["daily_gap_days"]


def test_one_day_is_no_spread():
    with pytest.raises(ValueError, match="at least two GPST days"):
        daily_spread(synthetic_positions(10, 600.0), GRID)


@pytest.mark.real_data
def test_glonass_days_2023_03_12_and_14_with_the_13th_a_data_gap(tmp_path):
    """BRD400DLR (03-12) + brdc0730.23g (03-14): 03-13 is a data gap, reported as one; the
    daily GLONASS availability at a 10° mask moves across 99 % on part of the globe."""
    out = tmp_path / "days.nc"
    res = CliRunner().invoke(app, [
        "grid", str(BRD4), str(BRDC_GLO), "--start", "2023-03-12", "--days", "3",
        "--config", "R", "--mask", "10", "--resolution", "10", "--step", "900",
        "--out", str(out), "--spread-map", str(tmp_path / "spread_CFG.png")])
    assert res.exit_code == 0, res.output
    # 03-13 00:00 is still covered by 03-12's last GLONASS records: 95 of 96 epochs missing
    assert re.search(r"data-gap days: 2023-03-13: R \(99 % of epochs without ephemeris\)",
                     res.output), res.output
    ds = xr.open_dataset(out)
    r = ds.sel(config="R")
    assert int(r.n_days) == 2
    assert np.isnan(r.availability_daily.isel(day=1)).all()
    assert float(r.availability_day_spread.max()) > 0.01
    assert (tmp_path / "spread_R.png").stat().st_size > 10_000
    assert "crosses 99 % on" in res.output
