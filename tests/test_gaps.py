"""Data gaps (gnss_interop.coverage.gaps): left out of the statistics, reported apart."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

from _synthetic import synthetic_positions
from conftest import BRD4
from gnss_interop.coverage import compute_grid, compute_site
from gnss_interop.coverage.configs import Configuration, standard_configurations
from gnss_interop.coverage.gaps import GAP_COORD, configuration_gaps, system_gaps
from gnss_interop.coverage.grid import GridSpec
from gnss_interop.systems import System

CONFIGS = standard_configurations(interop_offset_available=True)
POS = synthetic_positions(24, 300.0)          # 24 epochs, 5 min
GRID = GridSpec.global_grid(30.0)
STATS = ("nsat_mean", "nsat_min", "nsat_max", "availability", "solution_fraction",
         "pdop_mean", "pdop_p95", "pdop_max", "hacc95_mean", "hacc95_p95", "vacc95_max",
         "accuracy_availability")


def _with_glonass_gap(pos: xr.DataArray, epochs: list[int]) -> xr.DataArray:
    """``pos`` with no GLONASS ephemeris at ``epochs`` (NaN and flagged, as positions()
    returns them)."""
    gap = np.zeros((pos.sizes["time"], pos.sizes["sv"]), bool)
    glo = np.array([str(s).startswith("R") for s in pos.sv.values])
    for t in epochs:
        gap[t, glo] = True
    out = pos.where(~xr.DataArray(gap, dims=("time", "sv")))
    return out.assign_coords({GAP_COORD: (("time", "sv"), gap)})


def test_system_and_configuration_gaps():
    pos = _with_glonass_gap(POS, [0, 5])
    systems = (System.BEIDOU, System.GLONASS)
    sg = system_gaps(pos, systems)
    assert sg[:, 0].sum() == 0 and list(np.flatnonzero(sg[:, 1])) == [0, 5]
    cg = configuration_gaps(sg, systems, CONFIGS)
    names = [c.name for c in CONFIGS]
    assert cg[:, names.index("C")].sum() == 0
    for name in ("R", "C+R", "C+R/interop"):
        assert list(np.flatnonzero(cg[:, names.index(name)])) == [0, 5]
    # one GLONASS satellite left with an ephemeris: no system gap (it is just not visible)
    partial = pos.copy()
    g = partial.coords[GAP_COORD].values.copy()
    g[0, np.flatnonzero([str(s) == "R01" for s in pos.sv.values])] = False
    partial = partial.assign_coords({GAP_COORD: (("time", "sv"), g)})
    assert list(np.flatnonzero(system_gaps(partial, systems)[:, 1])) == [5]
    # an unusable satellite does not close a gap
    usable = np.array([str(s) != "R01" for s in pos.sv.values])
    assert list(np.flatnonzero(system_gaps(partial, systems, usable)[:, 1])) == [0, 5]


def test_gap_epochs_are_left_out_of_the_statistics():
    """A GLONASS data gap at 3 epochs: R, C+R and C+R/interop statistics equal those of the
    run without those epochs; C keeps every epoch; data_gap_fraction = 3/24."""
    gaps = [0, 7, 23]
    ds = compute_grid(_with_glonass_gap(POS, gaps), GRID, configs=CONFIGS)
    keep = [t for t in range(POS.sizes["time"]) if t not in gaps]
    ref = compute_grid(POS.isel(time=keep), GRID, configs=CONFIGS)
    full = compute_grid(POS, GRID, configs=CONFIGS)
    for cfg in ("R", "C+R", "C+R/interop"):
        for name in STATS:
            xr.testing.assert_allclose(ds[name].sel(config=cfg), ref[name].sel(config=cfg),
                                       rtol=1e-12)
        np.testing.assert_allclose(ds.data_gap_fraction.sel(config=cfg), 3 / 24)
    for name in STATS:
        xr.testing.assert_allclose(ds[name].sel(config="C"), full[name].sel(config="C"),
                                   rtol=1e-12)
    assert float(ds.data_gap_fraction.sel(config="C").max()) == 0.0
    assert ds.attrs["data_gaps"].startswith("GLONASS: 3 of 24 epochs")
    # an outage (NaN, not flagged) is a loss of service, not a gap
    out = POS.where(~POS.sv.str.startswith("R"))
    ds_out = compute_grid(out, GRID, configs=CONFIGS)
    assert float(ds_out.data_gap_fraction.max()) == 0.0
    assert float(ds_out.availability.sel(config="R").max()) == 0.0


def test_site_reports_gaps_per_epoch():
    ds = compute_site(_with_glonass_gap(POS, [3]), 40.0, 116.0, configs=CONFIGS)
    assert ds.data_gap.sel(config="R").values.tolist() == [t == 3 for t in range(24)]
    assert not ds.data_gap.sel(config="C").any()


def test_a_span_without_any_ephemeris_is_an_error():
    every = _with_glonass_gap(POS, list(range(24)))
    beidou = [str(s).startswith("C") for s in POS.sv.values]
    g = every.coords[GAP_COORD].values.copy()
    g[:, beidou] = True
    nothing = every.where(False).assign_coords({GAP_COORD: (("time", "sv"), g)})
    with pytest.raises(ValueError, match="no ephemeris covers"):
        compute_grid(nothing, GRID, configs=CONFIGS)
    with pytest.raises(ValueError, match="no ephemeris covers"):
        compute_site(nothing, 40.0, 116.0, configs=CONFIGS)


@pytest.mark.real_data
def test_real_day_glonass_gap_at_midnight_is_a_gap_not_an_outage(brd4_eph):
    """BRD400DLR 2023-03-12 starts GLONASS at 00:15: at 00:00 no GLONASS record is valid
    (t_b ± 15 min), so 00:00 is a GLONASS data gap, and R availability at Beijing is over
    the other 719 two-minute epochs."""
    times = (np.datetime64("2023-03-12T00:00", "ns")
             + np.arange(720) * np.timedelta64(120, "s"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # the range warning names the 24 satellites
        pos = brd4_eph.positions(times)
    assert pos.coords[GAP_COORD].sel(sv=[s for s in pos.sv.values if s[0] == "R"]).values[
        0].all()
    ds = compute_site(pos, 39.9, 116.4, configs=CONFIGS, catalogue=brd4_eph.catalogue())
    assert np.flatnonzero(ds.data_gap.sel(config="R").values).tolist() == [0]
    assert not ds.data_gap.sel(config="C").any()
    assert ds.attrs["data_gaps"] == "GLONASS: 1 of 720 epochs (2023-03-12T00:00:00)"
    r = ds.sel(config="R")
    counted = ~r.data_gap.values
    assert r.available.values[counted].mean() > 0.99


def test_a_span_covered_by_the_loaded_days_has_no_gap(tmp_path):
    """With the day before loaded (as --date and the nominal almanac do), a 00:00-24:00
    site run has no data gap at all. (The shared data has no file of the day before
    2023-03-12, so this uses the nominal files, which cover their days the same way.)"""
    from gnss_interop import load_ephemerides
    from gnss_interop.ephemerides.nominal import nominal_files

    files = nominal_files("2024-01-02", "2024-01-03", tmp_path)
    assert [f.name[21:29] for f in files] == ["20240101", "20240102"]
    times = (np.datetime64("2024-01-02T00:00", "ns")
             + np.arange(721) * np.timedelta64(120, "s"))
    eph = load_ephemerides(files)
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # no epoch outside every validity window
        pos = eph.positions(times)
    ds = compute_site(pos, 55.75, 37.6, configs=CONFIGS, catalogue=eph.catalogue())
    assert ds.attrs["data_gaps"] == "none" and not ds.data_gap.any()
