"""Public coverage API: grid convention, CF output, NetCDF, NaN handling, site mode, real data."""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest
import xarray as xr

from _synthetic import synthetic_positions
from conftest import BRD4
from gnss_interop._version import __version__
from gnss_interop.coverage.configs import (
    Configuration,
    configurations_for,
    standard_configurations,
)
from gnss_interop.coverage import compute_grid, compute_site
from gnss_interop.output.netcdf import write_netcdf
from gnss_interop.output.tables import site_to_csv
from gnss_interop.coverage.grid import GridSpec
from gnss_interop.coverage.masks import ElevationMask
from gnss_interop.errors import CoverageError, InteropUnavailableWarning
from gnss_interop.systems import System
from tolerances import EXACT_RTOL, FLOAT32_RTOL

CONFIGS = standard_configurations(interop_offset_available=True)
POS = synthetic_positions(30, 120.0)


# ------------------------------------------------------------------ grid and configs

def test_global_grid_convention_is_181_by_360_nodes():
    g = GridSpec.global_grid(1.0)
    assert g.shape == (181, 360)
    assert g.lat_deg[0] == -90 and g.lat_deg[-1] == 90
    assert g.lon_deg[0] == -180 and g.lon_deg[-1] == 179
    q = GridSpec.global_grid(0.25)
    assert q.shape == (721, 1440)
    c = GridSpec.global_grid(1.0, registration="cell")
    assert c.shape == (180, 360) and c.lat_deg[0] == -89.5 and c.lon_deg[-1] == 179.5


def test_bbox_and_antimeridian_box():
    g = GridSpec.from_bbox(100, 20, 110, 30, 0.5)
    assert g.shape == (21, 21)
    a = GridSpec.from_bbox(170, -10, -170, 10, 5.0)
    np.testing.assert_array_equal(a.lon_deg, [170, 175, -180, -175, -170])
    with pytest.raises(ValueError, match="multiple of the resolution"):
        GridSpec.from_bbox(0, 0, 10.3, 10, 1.0)


def test_configuration_names_and_interop_rule():
    names = [c.name for c in CONFIGS]
    assert names == ["C", "R", "C+R", "C+R/interop"]
    assert Configuration.parse("C+R/interop") == CONFIGS[3]
    assert CONFIGS[2].max_unknowns == 5 and CONFIGS[3].max_unknowns == 4
    with pytest.warns(InteropUnavailableWarning, match="BDGL"):
        cfgs = standard_configurations(interop_offset_available=False)
    assert [c.name for c in cfgs] == ["C", "R", "C+R"]

    class Eph:
        def has_time_offset(self, name):
            return name == "BDGL"

    assert configurations_for(Eph())[-1].name == "C+R/interop"
    gps = standard_configurations((System.BEIDOU, System.GPS), interop_offset_available=True)
    assert [c.name for c in gps] == ["C", "G", "C+G", "C+G/interop"]


def test_gps_is_a_small_addition():
    pos = synthetic_positions(10, 300.0, systems="CG")
    cfgs = standard_configurations((System.BEIDOU, System.GPS), interop_offset_available=True)
    ds = compute_grid(pos, GridSpec.global_grid(30.0), configs=cfgs)
    assert float(ds.nsat_mean.sel(config="G").mean()) > 5
    assert np.all(ds.pdop_mean.sel(config="C+G/interop") <= ds.pdop_mean.sel(config="C+G"))


# ------------------------------------------------------------------ CF and NetCDF

def test_cf_attributes(tmp_path):
    ds = compute_grid(POS, GridSpec.global_grid(20.0), configs=CONFIGS,
                      input_files=["/x/BRD400DLR_S_20230710000_01D_MN.rnx.gz"])
    assert ds.attrs["Conventions"].startswith("CF-")
    for key in ("title", "source", "history", "elevation_mask_deg", "pdop_max",
                "time_start_gpst", "time_end_gpst", "time_step_s", "p95_method",
                "dop_definition", "availability_rule"):
        assert key in ds.attrs, key
    assert "BRD400DLR" in ds.attrs["source"] and f"gnss_interop {__version__}" in ds.attrs["source"]
    assert ds.attrs["time_step_s"] == "120"
    assert ds["lat"].attrs["standard_name"] == "latitude"
    assert ds["lat"].attrs["units"] == "degrees_north" and ds["lat"].attrs["axis"] == "Y"
    assert ds["lon"].attrs["units"] == "degrees_east" and ds["lon"].attrs["axis"] == "X"
    assert ds["crs"].attrs["grid_mapping_name"] == "latitude_longitude"
    for name, var in ds.data_vars.items():
        if name == "crs":
            continue
        assert var.dims == ("config", "lat", "lon")
        from gnss_interop.variables import lookup
        assert var.attrs["units"] == lookup(name).units and var.attrs["long_name"]
        assert var.attrs["grid_mapping"] == "crs"
        if "dop" in name:
            assert "+inf" in var.attrs["comment"]


def test_netcdf_round_trip_atomic(tmp_path):
    ds = compute_grid(POS, GridSpec.global_grid(20.0), configs=CONFIGS, keep_time=True)
    path = write_netcdf(ds, tmp_path / "sub" / "grid.nc")
    assert [p.name for p in path.parent.iterdir()] == ["grid.nc"]  # no temp file left
    back = xr.open_dataset(path, engine="netcdf4").load()
    assert list(back["config"].values) == ["C", "R", "C+R", "C+R/interop"]
    for name in ds.data_vars:
        if np.issubdtype(ds[name].dtype, np.floating):
            np.testing.assert_allclose(back[name].values, ds[name].values, rtol=FLOAT32_RTOL)
        else:
            np.testing.assert_array_equal(back[name].values, ds[name].values)
    np.testing.assert_array_equal(back["time"].values, ds["time"].values)
    assert back.attrs["Conventions"] == ds.attrs["Conventions"]
    assert back["pdop_p95"].attrs["grid_mapping"] == "crs"
    enc = back["pdop_mean"].encoding
    assert enc.get("zlib") is True


def test_failed_write_leaves_no_file(tmp_path):
    ds = compute_grid(POS, GridSpec.global_grid(30.0), configs=CONFIGS)
    ds["bad"] = xr.DataArray(np.array([object()] * 7), dims="x")
    with pytest.raises(ValueError):     # xarray refuses to encode an object array
        write_netcdf(ds, tmp_path / "bad.nc")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ NaN handling

def test_nan_satellite_counts_as_not_visible():
    """A satellite that is NaN all the time changes nothing; one NaN at some epochs
    is the same as removing it at those epochs."""
    grid = GridSpec.global_grid(30.0)
    base = compute_grid(POS, grid, configs=CONFIGS)
    extra = POS.isel(sv=[0]).copy()
    extra.values[:] = np.nan
    extra = extra.assign_coords(sv=["C57"])
    with_nan = compute_grid(xr.concat([POS, extra], "sv"), grid, configs=CONFIGS)
    for name in base.data_vars:
        xr.testing.assert_identical(base[name], with_nan[name])
    for name in ("nsat_mean", "pdop_mean", "availability"):
        assert not np.any(np.isnan(base[name].values))


def test_all_satellites_missing_gives_inf_and_zero_availability():
    pos = POS.copy()
    pos.values[:5] = np.nan  # no ephemeris at all for the first 5 of 30 epochs
    ds = compute_grid(pos, GridSpec.global_grid(30.0), configs=CONFIGS)
    assert np.all(ds["nsat_min"] == 0)
    assert np.all(ds["solution_fraction"] <= 25 / 30 + 1e-12)
    assert np.all(np.isinf(ds["pdop_max"]))  # no-solution epochs count as +inf
    assert not np.any(np.isnan(ds["pdop_mean"]))  # mean over solution epochs
    # 5 of 30 epochs unsolved = 16.7 % > 5 %: the 95th percentile is +inf
    assert np.all(np.isinf(ds["pdop_p95"]))


def test_nowhere_solvable_mean_is_nan_with_zero_fraction():
    pos = POS.isel(sv=slice(0, 3))  # three satellites can never give a solution
    ds = compute_grid(pos, GridSpec.global_grid(30.0), configs=[Configuration((System.BEIDOU,))])
    assert np.all(ds["solution_fraction"] == 0) and np.all(ds["availability"] == 0)
    assert np.all(np.isnan(ds["pdop_mean"])) and np.all(np.isinf(ds["pdop_p95"]))


def test_infinite_position_is_an_error_naming_the_tile():
    pos = POS.copy()
    pos.values[3, 2, 0] = np.inf
    with pytest.raises(CoverageError, match=r"tile lat \[.*\] deg, time \[2023-03-12T00:00:00"):
        compute_grid(pos, GridSpec.global_grid(30.0), configs=CONFIGS)


def test_input_validation():
    with pytest.raises(ValueError, match="dims"):
        compute_grid(POS.rename(sv="sat"), GridSpec.global_grid(30.0))
    with pytest.raises(ValueError, match="keep_time"):
        compute_grid(synthetic_positions(2000, 60.0), GridSpec.global_grid(0.25),
                     keep_time=True)


def test_xyz_order_is_respected():
    flipped = POS.isel(xyz=[2, 0, 1])
    a = compute_grid(POS, GridSpec.global_grid(30.0), configs=CONFIGS)
    b = compute_grid(flipped, GridSpec.global_grid(30.0), configs=CONFIGS)
    xr.testing.assert_identical(a["pdop_mean"], b["pdop_mean"])


# ------------------------------------------------------------------ masks

def test_horizon_mask_only_removes_satellites():
    grid = GridSpec.global_grid(30.0)
    plain = compute_grid(POS, grid, configs=CONFIGS, mask=ElevationMask(5.0))
    wall = ElevationMask.from_pairs([(0, 30), (180, 30)], 5.0)  # 30° everywhere
    walled = compute_grid(POS, grid, configs=CONFIGS, mask=wall)
    high = compute_grid(POS, grid, configs=CONFIGS, mask=ElevationMask(30.0))
    assert np.all(walled["nsat_max"] <= plain["nsat_max"])
    xr.testing.assert_allclose(walled["nsat_mean"], high["nsat_mean"])


def test_mask_interpolation_is_periodic():
    m = ElevationMask.from_pairs([(350, 20), (10, 40)], 5.0)
    np.testing.assert_allclose(m.horizon_deg([0.0, 360.0, 355.0, 180.0]), [30, 30, 25, 30])
    np.testing.assert_allclose(m.effective_deg([0.0]), [30])
    assert ElevationMask(5.0).effective_deg([123.0]) == 5.0


# ------------------------------------------------------------------ site mode

def test_site_csv_and_skyplot(tmp_path):
    site = compute_site(POS, 39.9, 116.4, 50.0, configs=CONFIGS, receiver="legacy-sf")
    assert site["nsat"].dims == ("config", "time")
    path = site_to_csv(site, tmp_path / "dop.csv")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 4 * POS.sizes["time"]
    assert list(rows[0]) == ["time_gpst", "config", "nsat", "gdop", "pdop", "hdop", "vdop",
                             "tdop", "hacc95_m", "vacc95_m", "sigma_east_m", "sigma_north_m",
                             "sigma_up_m", "wpdop", "receiver_profile"]
    assert rows[0]["receiver_profile"] == site.attrs["receiver_profile"]
    assert float(rows[0]["hacc95_m"]) == pytest.approx(
        float(site.sel(config="C").isel(time=0)["hacc95"]), rel=1e-6)
    assert rows[0]["time_gpst"] == "2023-03-12T00:00:00" and rows[0]["config"] == "C"
    first = site.sel(config="C").isel(time=0)
    assert float(rows[0]["pdop"]) == pytest.approx(float(first["pdop"]), abs=1e-6)
    assert int(rows[0]["nsat"]) == int(first["nsat"])
    # visibility in site mode equals the kernel's count for the C config
    vis_c = site["visible"].sel(sv=[s for s in site.sv.values if s.startswith("C")]).sum("sv")
    np.testing.assert_array_equal(vis_c.values, site["nsat"].sel(config="C").values)
    pytest.importorskip("matplotlib")
    from gnss_interop.output.skyplot import skyplot

    png = skyplot(site, tmp_path / "sky.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ real data

@pytest.fixture(scope="module")
def real_positions(brd4_eph):
    times = np.datetime64("2023-03-12T00:00:00", "ns") + np.arange(0, 24 * 60, 10) * \
        np.timedelta64(60, "s")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # expected GLONASS gap at 00:00 GPST
        return brd4_eph.positions(times)


@pytest.mark.slow
def test_real_data_sanity_at_sites(brd4_eph, real_positions):
    assert brd4_eph.has_time_offset("BDGL")
    configs = configurations_for(brd4_eph)
    assert [c.name for c in configs] == ["C", "R", "C+R", "C+R/interop"]
    sites = {"Beijing": (39.9, 116.4), "Wuhan": (30.5, 114.3), "Moscow": (55.8, 37.6),
             "Quito": (-0.2, -78.5), "Sao Paulo": (-23.5, -46.6), "South Pole": (-90.0, 0.0),
             "Svalbard": (78.2, 15.6)}
    for name, (lat, lon) in sites.items():
        # BDS-2 + BDS-3 (every satellite of the day): the legacy B1I + G1 receiver
        s = compute_site(real_positions, lat, lon, configs=configs, receiver="legacy-sf")
        c = s["nsat"].sel(config="C").values
        r = s["nsat"].sel(config="R").values[1:]  # 00:00 GPST has no GLONASS ephemeris
        assert 8 <= c.mean() <= 30, (name, c.mean())
        assert 6 <= r.mean() <= 11, (name, r.mean())
        assert r.min() >= 3, name
        assert np.all(s["pdop"].sel(config="C+R").values[1:] < 3.0), name
    asia = compute_site(real_positions, 30.5, 114.3, configs=configs,
                        receiver="legacy-sf")["nsat"].sel(config="C")
    brazil = compute_site(real_positions, -23.5, -46.6, configs=configs,
                          receiver="legacy-sf")["nsat"].sel(config="C")
    assert float(asia.mean()) > float(brazil.mean()) + 3  # GEO/IGSO over Asia-Pacific


@pytest.mark.slow
def test_real_data_glonass_gap_drops_the_clock_column(brd4_eph, real_positions):
    """At 00:00 GPST no GLONASS ephemeris is valid (merged files start GLONASS at 00:15 UTC):
    R has no solution, and C+R (two clocks) reduces exactly to C (its R clock column dropped)."""
    configs = configurations_for(brd4_eph)
    s = compute_site(real_positions, 48.0, 11.0, configs=configs).isel(time=0)
    assert int(s["nsat"].sel(config="R")) == 0
    assert np.isinf(float(s["pdop"].sel(config="R")))
    for d in ("gdop", "pdop", "hdop", "vdop", "tdop"):
        assert float(s[d].sel(config="C+R")) == pytest.approx(float(s[d].sel(config="C")),
                                                              rel=EXACT_RTOL)


@pytest.mark.slow
def test_real_data_grid_orders_configurations(brd4_eph, real_positions):
    configs = configurations_for(brd4_eph)
    ds = compute_grid(real_positions, GridSpec.global_grid(10.0), configs=configs,
                      receiver="legacy-sf",
                      input_files=[BRD4])
    m = ds["pdop_mean"]
    # adding a system never hurts; one clock is never worse than two
    assert np.all(m.sel(config="C+R") <= m.sel(config="C") + 1e-12)
    assert np.all(m.sel(config="C+R") <= m.sel(config="R") + 1e-12)
    assert np.all(m.sel(config="C+R/interop") <= m.sel(config="C+R") + 1e-12)
    assert float(ds["availability"].sel(config="C+R").min()) >= 143 / 144 - 1e-12
    assert 12 < float(ds["nsat_mean"].sel(config="C").mean()) < 20
    assert 7 < float(ds["nsat_mean"].sel(config="R").mean()) < 10


# ------------------------------------------------------------------ command line

@pytest.mark.real_data
@pytest.mark.slow
def test_cli_grid_and_site(tmp_path):
    from typer.testing import CliRunner

    from gnss_interop.cli import app

    runner = CliRunner()
    out = tmp_path / "grid.nc"
    res = runner.invoke(app, ["grid", str(BRD4), "--start", "2023-03-12T01:00", "--end",
                              "2023-03-12T02:00", "--step", "600", "--resolution", "10",
                              "--bbox", "60,-10,150,50", "--mask", "10", "--out", str(out)])
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out)
    # the grid's dims, plus the two bounds of the statistics period (CF time_bnds)
    assert ds.sizes == {"config": 4, "lat": 7, "lon": 10, "nv": 2}
    assert ds.attrs["elevation_mask_deg"] == 10.0 and ds.attrs["n_epochs"] == 7
    assert "BRD400DLR" in ds.attrs["input_files"]
    csv_out, png = tmp_path / "dop.csv", tmp_path / "sky.png"
    res = runner.invoke(app, ["site", str(BRD4), "--lat", "30.5", "--lon", "114.3",
                              "--start", "2023-03-12T01:00", "--end", "2023-03-12T02:00",
                              "--step", "600", "--out", str(csv_out), "--skyplot", str(png)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(csv_out.open()))
    assert len(rows) == 4 * 7 and {r["config"] for r in rows} == {"C", "R", "C+R",
                                                                   "C+R/interop"}
    assert png.stat().st_size > 10_000
    res = runner.invoke(app, ["grid", str(BRD4), "--bbox", "0,0,30,40", "--resolution", "30",
                              "--out", str(tmp_path / "bad.nc")])
    assert res.exit_code == 2 and "multiple of the resolution" in res.output


@pytest.mark.real_data
def test_default_profile_uses_no_bds2_and_glonass_is_worse_in_metres(brd4_eph):
    """On 2023-03-12 the catalogue finds 15 BDS-2 and 29 BDS-3 satellites; a B1C/B2a
    receiver uses none of the BDS-2 (nor the BDS-3 GEOs), and at Beijing GLONASS alone is
    several times worse in H95 than BDS-3 while the combination gains a few per cent."""
    cat = brd4_eph.catalogue()
    counts = cat.count_by_generation()
    assert counts["BDS-2"] == 15 and counts["BDS-3"] + counts["BDS-3 GEO"] == 29
    times = np.datetime64("2023-03-12T01:00", "ns") + np.arange(0, 22 * 60, 10) * np.timedelta64(
        60, "s")
    pos = brd4_eph.positions(times)
    s = compute_site(pos, 39.9, 116.4, mask=ElevationMask(10.0), catalogue=cat)
    used = set(np.asarray(s.sv.values)[s.usable.values])
    assert not used & {sv for sv, i in cat.satellites.items() if i.generation.name == "BDS-2"}
    h = {c: float(np.median(s["hacc95"].sel(config=c).values)) for c in ("C", "R", "C+R")}
    assert 2.0 * h["C"] < h["R"]
    assert 0.8 * h["C"] < h["C+R"] < h["C"]


def test_keep_time_size_check_counts_the_accuracy_arrays(monkeypatch):
    """The per-epoch output limit includes the accuracy quantities: a request that fits
    without them is refused with them, with a message that says so."""
    import gnss_interop.coverage.engine as E
    from gnss_interop.coverage import kernels as K

    grid = GridSpec.global_grid(30.0)
    n = grid.size * POS.sizes["time"] * len(CONFIGS)
    without = n * (2 + 8 * K.N_DOP)
    monkeypatch.setattr(E, "KEEP_TIME_MAX_BYTES", without + 1)
    ds = compute_grid(POS, grid, configs=CONFIGS, keep_time=True, accuracy=False)
    assert "pdop" in ds and "hacc95" not in ds
    with pytest.raises(ValueError, match="with the accuracy layers"):
        compute_grid(POS, grid, configs=CONFIGS, keep_time=True)
