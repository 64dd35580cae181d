"""Command line: orbits and validate, as a user runs them."""

import csv
import re
import tomllib

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from conftest import BRD4, SEPT, SP3
from gnss_interop.cli import app

runner = CliRunner()


@pytest.mark.real_data
def test_orbits_csv(tmp_path):
    out = tmp_path / "orbits.csv"
    res = runner.invoke(app, ["orbits", str(BRD4), "--start", "2023-03-12T06:00:00",
                              "--end", "2023-03-12T07:00:00", "--step", "600", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["time_gpst", "sv", "x_m", "y_m", "z_m"]
    # 7 epochs x (44 BeiDou + 24 GLONASS) minus C14 and C35, flagged unhealthy then
    assert len(rows) - 1 == 7 * 66
    r = np.linalg.norm(np.array([[float(v) for v in row[2:]] for row in rows[1:]]), axis=1)
    assert r.min() > 2.5e7


@pytest.mark.real_data
def test_orbits_netcdf(tmp_path):
    out = tmp_path / "orbits.nc"
    # R07's first t_b is 04:15 UTC: its window opens at 04:00:18 GPST
    res = runner.invoke(app, ["orbits", str(SEPT), "--start", "2023-07-08T04:05",
                              "--end", "2023-07-08T04:30", "--step", "300", "--out", str(out),
                              "--sv", "C19", "--sv", "R07"])
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out)
    assert ds["position"].dims == ("time", "sv", "xyz")
    assert list(ds.sv.values) == ["C19", "R07"]
    assert ds["position"].attrs["time_scale"] == "GPST"
    assert np.isfinite(ds["position"].values).all()


@pytest.mark.real_data
def test_validate_prints_table():
    res = runner.invoke(app, ["validate", str(SEPT), "--sp3", str(SP3)])
    assert res.exit_code == 0, res.output
    lines = [l.split() for l in res.output.splitlines()]
    meo = next(l for l in lines if l[:2] == ["BeiDou", "MEO"])
    assert int(meo[2]) >= 8 and float(meo[4]) < 2.0
    assert any(l[:2] == ["GLONASS", "MEO"] for l in lines)
    gps = next(l for l in lines if l[:2] == ["GPS", "MEO"])
    gal = next(l for l in lines if l[:2] == ["Galileo", "MEO"])
    assert int(gps[2]) >= 15 and float(gps[4]) < 2.0
    assert int(gal[2]) >= 8 and float(gal[4]) < 1.0
    assert "excluded by sanity screening: none" in res.output
    assert "outliers (3-D RMS > 100 m): none" in res.output
    # per generation, with orbit-only and full SISRE (columns 10 and 11)
    bds3 = next(l for l in lines if l[:2] == ["BeiDou", "BDS-3"])
    assert float(bds3[10]) < 1.5 and np.isfinite(float(bds3[11]))
    # the paste-able profile line, and what it was measured on
    toml_line = next(l for l in res.output.splitlines() if l.startswith("sisre_m = {"))
    values = tomllib.loads(toml_line)["sisre_m"]
    assert {"BDS-3", "BDS-2", "GLONASS-M", "GPS", "Galileo"} <= set(values)
    assert "SEPT1890.23P against COD0MGXFIN_20231890000_01D_05M_ORB.SP3" in res.output
    assert "central differences of SP3 positions" in res.output
    # the default datum is per generation (sisre_m is per generation)
    assert "clock datum per generation" in res.output


@pytest.mark.real_data
def test_validate_system_datum_reports_the_bds2_bds3_clock_offset():
    # one BeiDou datum: the BDS-2/BDS-3 clock offset is reported, not hidden
    res = runner.invoke(app, ["validate", str(SEPT), "--sp3", str(SP3), "--clock-datum",
                              "system", "--summary-only"])
    assert res.exit_code == 0, res.output
    assert "warning: mean clock offset against the system datum" in res.output
    assert "--clock-datum generation gives each generation its own datum" in res.output


@pytest.mark.real_data
def test_validate_outlier_threshold_and_clock_datum():
    res = runner.invoke(app, ["validate", str(SEPT), "--sp3", str(SP3), "--outlier-m", "5",
                              "--clock-datum", "generation", "--summary-only"])
    assert res.exit_code == 0, res.output
    lines = [l.split() for l in res.output.splitlines()]
    # C07 (BDS-2 IGSO, 8.5 m 3-D RMS) is the only satellite above 5 m
    assert any(l[:4] == ["C07", "BDS-2", "IGSO:", "3-D"] for l in lines), res.output
    igso = next(l for l in lines if l[:2] == ["BeiDou", "IGSO"])
    assert int(igso[2]) == 5 and float(igso[4]) < 2.0
    assert "outliers left out: C07" in res.output
    assert "clock datum per generation" in res.output
    assert not any(l[:1] == ["C19"] for l in lines)          # --summary-only
    bad = runner.invoke(app, ["validate", str(SEPT), "--sp3", str(SP3), "--clock-datum", "sv"])
    assert bad.exit_code == 2 and "--clock-datum" in bad.output


def test_bad_file_is_a_clean_error(tmp_path):
    bad = tmp_path / "bad.rnx"
    bad.write_text("garbage\n")
    res = runner.invoke(app, ["orbits", str(bad), "--start", "2023-03-12", "--end", "2023-03-12T01:00"])
    assert res.exit_code == 2
    assert "bad.rnx, line 1: not a RINEX file" in res.output
    assert "Traceback" not in res.output


@pytest.mark.real_data
def test_bad_output_suffix_writes_nothing(tmp_path):
    out = tmp_path / "orbits.txt"
    res = runner.invoke(app, ["orbits", str(SEPT), "--start", "2023-07-08T04:00",
                              "--end", "2023-07-08T04:10", "--out", str(out)])
    assert res.exit_code == 2 and "must end in .csv or .nc" in res.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.real_data
def test_site_and_grid_take_gps_galileo_configurations(tmp_path):
    out = tmp_path / "site.csv"
    res = runner.invoke(app, ["site", str(BRD4), "--lat", "39.9", "--lon", "116.4",
                              "--start", "2023-03-12T06:00", "--end", "2023-03-12T07:00",
                              "--step", "600", "--config", "G+E", "--config", "C+R+G+E/interop",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open()))
    assert {r["config"] for r in rows} == {"G+E", "C+R+G+E/interop"}
    four = [int(r["nsat"]) for r in rows if r["config"] == "C+R+G+E/interop"]
    two = [int(r["nsat"]) for r in rows if r["config"] == "G+E"]
    assert all(f > t for f, t in zip(four, two))
    nc = tmp_path / "grid.nc"
    res = runner.invoke(app, ["grid", str(BRD4), "--start", "2023-03-12T06:00",
                              "--end", "2023-03-12T06:30", "--step", "600", "--resolution", "10",
                              "--config", "G", "--config", "E", "--config", "G+E", "--out", str(nc)])
    assert res.exit_code == 0, res.output
    with xr.open_dataset(nc) as ds:
        assert list(ds.config.values) == ["G", "E", "G+E"]
        assert "GPS/Galileo" in ds.attrs["title"]
    bad = runner.invoke(app, ["grid", str(BRD4), "--config", "C+J", "--out", str(nc)])
    assert bad.exit_code == 2 and "--config" in bad.output


def test_config_of_a_system_not_in_the_files_is_a_clean_error(tmp_path):
    from gnss_interop.resources import SHIPPED_ALMANACS

    res = runner.invoke(app, ["grid", str(SHIPPED_ALMANACS["nominal"]), "--config", "G",
                              "--out", str(tmp_path / "g.nc")])
    assert res.exit_code == 2, res.output
    assert re.search(r"no (usable )?GPS ephemeris", res.output) and "Traceback" not in res.output
    # a file holding the system, but a span where it has no record: also a named error
    res = runner.invoke(app, ["grid", str(SHIPPED_ALMANACS["nominal"]), "--config", "C+G",
                              "--out", str(tmp_path / "g.nc")])
    assert res.exit_code == 2 and "no usable GPS ephemeris" in res.output, res.output


def test_repeated_and_lower_case_configs_are_one(tmp_path):
    from gnss_interop.resources import SHIPPED_ALMANACS

    out = tmp_path / "site.csv"
    res = runner.invoke(app, ["site", str(SHIPPED_ALMANACS["nominal"]), "--lat", "0", "--lon", "0",
                              "--start", "2024-01-01T01:00", "--end", "2024-01-01T01:10",
                              "--step", "300", "--config", "c", "--config", "C",
                              "--config", "c+r/INTEROP", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert {r["config"] for r in csv.DictReader(out.open())} == {"C", "C+R/interop"}


# --- grid --out: NetCDF or GeoTIFF, nothing else ---------------------------------------------

def _nominal_grid(out, *extra):
    from gnss_interop.resources import SHIPPED_ALMANACS

    return runner.invoke(app, ["grid", str(SHIPPED_ALMANACS["nominal"]), "--start",
                               "2024-01-01T01:00", "--end", "2024-01-01T02:00", "--step", "1800",
                               "--resolution", "30", "--out", str(out), *extra])


@pytest.mark.parametrize("name", ["grid.png", "grid.nc4", "grid", "grid.tif.gz"])
def test_grid_refuses_other_suffixes_before_any_work(tmp_path, name):
    res = _nominal_grid(tmp_path / name)
    assert res.exit_code == 2, res.output
    assert ".nc (NetCDF)" in res.output and ".tif/.tiff (GeoTIFF)" in res.output
    assert "Traceback" not in res.output and "epochs" not in res.output  # nothing computed
    assert list(tmp_path.iterdir()) == []


def test_grid_tif_writes_a_geotiff_with_a_band_per_configuration(tmp_path):
    import rasterio

    out = tmp_path / "pdop.TIF"
    res = _nominal_grid(out, "--layer", "pdop_mean")
    assert res.exit_code == 0, res.output
    with open(out, "rb") as fh:
        assert fh.read(4) in (b"II*\x00", b"MM\x00*")        # a TIFF, not a NetCDF
    with rasterio.open(out) as src:
        assert src.driver == "GTiff" and src.crs.to_epsg() == 4326
        assert src.count == 4 and set(src.dtypes) == {"float32"}
        assert [src.tags(k)["config"] for k in range(1, 5)] == ["C", "R", "C+R", "C+R/interop"]
        assert src.descriptions[2].startswith("pdop_mean, C+R: position dilution of precision")
        assert -90 <= src.bounds.bottom and src.bounds.top <= 90
        assert src.tags()["n_epochs"] == "3"


def test_grid_tif_option_errors(tmp_path):
    res = _nominal_grid(tmp_path / "a.tif", "--keep-time")
    assert res.exit_code == 2 and "--keep-time" in res.output and ".nc" in res.output
    res = _nominal_grid(tmp_path / "a.nc", "--layer", "pdop_mean")
    assert res.exit_code == 2 and "--layer" in res.output
    res = _nominal_grid(tmp_path / "a.tif", "--layer", "pdop")          # per epoch
    assert res.exit_code == 2 and "not a per-configuration layer" in res.output
    assert list(tmp_path.iterdir()) == []


def test_grid_nc_passes_compliance_checker(tmp_path):
    from _cf import assert_cf_clean

    out = tmp_path / "grid.nc"
    res = _nominal_grid(out)
    assert res.exit_code == 0, res.output
    assert_cf_clean(out)
    res = _nominal_grid(tmp_path / "kt.nc", "--keep-time")
    assert res.exit_code == 0, res.output
    assert_cf_clean(tmp_path / "kt.nc")


def test_orbits_netcdf_passes_compliance_checker(tmp_path):
    """Errors none; the warnings left are CF's recommended T, Z, Y, X order, which the
    (time, sv, ...) layout of positions does not follow (kept for its readers)."""
    from _cf import assert_cf_clean
    from gnss_interop.resources import SHIPPED_ALMANACS

    out = tmp_path / "orbits.nc"
    res = runner.invoke(app, ["orbits", str(SHIPPED_ALMANACS["nominal"]), "--start",
                              "2024-01-01T01:00", "--end", "2024-01-01T02:00", "--step", "900",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert_cf_clean(out, allow=(r"spatio-temporal dimensions are not in the recommended "
                                r"order .* are time \(T\), sv ",))
    ds = xr.open_dataset(out)
    assert ds["position"].dtype == np.float64 and ds["sv"].values[0].startswith("C")
