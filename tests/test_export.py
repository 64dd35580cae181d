"""GeoTIFF, CSV and Markdown exports: round trips and atomic writes."""

from __future__ import annotations

import csv
import os

import numpy as np
import xarray as xr
import pytest

from _coverage_fixture import coverage_dataset, with_derived
from gnss_interop.output.geotiff import to_geotiff
from gnss_interop.output.tables import (
    format_cell,
    normalise_table,
    write_table_csv,
    write_table_markdown,
)

ROWS = [
    {"config": "C", "availability_pct": 97.125, "n_cells": 2592, "pdop_p95": np.float32(0.1)},
    {"config": "R", "availability_pct": float("nan"), "n_cells": 2592,
     "pdop_p95": float("inf"), "note": "a|b"},
    {"config": "C+R", "availability_pct": 100.0, "n_cells": None, "pdop_p95": 1.5},
]


@pytest.fixture(scope="module")
def ds():
    return with_derived(coverage_dataset())


# ----------------------------------------------------------------------------- GeoTIFF

# rioxarray (through affine) warns about its own use of `*` for matrix products.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Use `@` matmul instead of `\\*` mul operator:PendingDeprecationWarning")


def _read(path):
    rioxarray = pytest.importorskip("rioxarray")  # the 'geotiff' extra
    return rioxarray.open_rasterio(path, masked=False).squeeze("band", drop=True)


@pytest.mark.parametrize("ascending", [True, False])
def test_geotiff_round_trip_north_up(ds, tmp_path, ascending):
    pytest.importorskip("rioxarray")
    da = ds["pdop_p95"].sel(config="C+R").sortby("lat", ascending=ascending)
    path = to_geotiff(da, tmp_path / "pdop.tif", tags={"scenario": "baseline"})
    r = _read(path)
    assert r.rio.crs.to_epsg() == 4326
    t = r.rio.transform()
    assert (t.a, t.b, t.c, t.d, t.e, t.f) == pytest.approx((5, 0, -180, 0, -5, 90))
    assert np.all(np.diff(r["y"].values) < 0)  # north-up
    assert r["y"].values[0] == pytest.approx(87.5)
    assert r["x"].values[0] == pytest.approx(-177.5)
    expected = ds["pdop_p95"].sel(config="C+R").sortby("lat", ascending=False)
    assert r.dtype == np.float32  # float layers are float32 in GeoTIFFs
    np.testing.assert_array_equal(r.values, expected.values.astype(np.float32))
    assert r.attrs["config"] == "C+R"
    assert r.attrs["scenario"] == "baseline"
    assert r.attrs["variable"] == "pdop_p95"
    import rasterio

    with rasterio.open(path) as src:
        assert src.profile["compress"].lower() == "deflate"
        assert src.width == 72 and src.height == 36


def test_geotiff_keeps_inf_nan_and_integers(ds, tmp_path):
    pytest.importorskip("rioxarray")
    da = ds["pdop_max"].sel(config="C").copy()
    da.values[0, 0] = np.inf
    da.values[1, 1] = np.nan
    r = _read(to_geotiff(da, tmp_path / "max.tif"))
    south_up = r.sortby("y").values
    assert np.isposinf(south_up[0, 0]) and np.isnan(south_up[1, 1])
    n = _read(to_geotiff(ds["nsat_min"].sel(config="R"), tmp_path / "nsat.tif"))
    assert n.dtype == np.int16
    np.testing.assert_array_equal(n.sortby("y").values, ds["nsat_min"].sel(config="R").values)


def test_geotiff_of_a_derived_layer(ds, tmp_path):
    pytest.importorskip("rioxarray")
    r = _read(to_geotiff(ds["combination_gain"], tmp_path / "gain.tif"))
    np.testing.assert_allclose(r.sortby("y").values, ds["combination_gain"].values)


def test_geotiff_rejects_3d_and_irregular(ds, tmp_path):
    pytest.importorskip("rioxarray")
    with pytest.raises(ValueError, match="config"):
        to_geotiff(ds["availability"], tmp_path / "a.tif")
    irregular = ds["availability"].sel(config="C").isel(lon=[0, 1, 3, 4, 5])
    with pytest.raises(ValueError, match="regular"):
        to_geotiff(irregular, tmp_path / "b.tif")
    assert list(tmp_path.iterdir()) == []


def test_geotiff_is_atomic(ds, tmp_path, monkeypatch):
    pytest.importorskip("rioxarray")
    target = tmp_path / "a.tif"
    target.write_bytes(b"previous")

    def fail(*a, **k):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="rename failed"):
        to_geotiff(ds["availability"].sel(config="C"), target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["a.tif"]


# ----------------------------------------------------------------------------- tables

def test_csv_round_trip(tmp_path):
    path = write_table_csv(ROWS, tmp_path / "summary.csv")
    with open(path, newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert list(got[0]) == ["config", "availability_pct", "n_cells", "pdop_p95", "note"]
    assert got[0] == {"config": "C", "availability_pct": "97.125", "n_cells": "2592",
                      "pdop_p95": "0.1", "note": ""}
    assert got[1]["availability_pct"] == "nan" and got[1]["pdop_p95"] == "inf"
    assert got[1]["note"] == "a|b"
    assert got[2]["n_cells"] == ""
    assert float(got[2]["availability_pct"]) == 100.0


def test_csv_from_columns_and_float_format(tmp_path):
    cols = {"config": ["C", "R"], "availability": [0.123456789, 1.0]}
    path = write_table_csv(cols, tmp_path / "c.csv", float_format="{:.3f}")
    assert path.read_text().splitlines() == ["config,availability", "C,0.123", "R,1.000"]


def test_markdown_table(tmp_path):
    path = write_table_markdown(ROWS, tmp_path / "summary.md", caption="Summary")
    lines = path.read_text().splitlines()
    assert lines[0] == "Summary"
    assert lines[2] == "| config | availability_pct | n_cells | pdop_p95 | note |"
    assert lines[3] == "|---|---:|---:|---:|---|"
    assert lines[4] == "| C | 97.12 | 2592 | 0.1 |  |"
    assert lines[5] == "| R | nan | 2592 | inf | a\\|b |"
    assert len(lines) == 7


def test_table_shape_errors(tmp_path):
    with pytest.raises(ValueError, match="different lengths"):
        normalise_table({"a": [1, 2], "b": [1]})
    with pytest.raises(TypeError):
        normalise_table("a,b")
    with pytest.raises(TypeError, match="row 1"):
        normalise_table([{"a": 1}, [1, 2]])
    with pytest.raises(ValueError, match="no columns"):
        write_table_markdown([], tmp_path / "e.md")
    assert list(tmp_path.iterdir()) == []


def test_format_cell():
    assert format_cell(None) == ""
    assert format_cell(np.float32(0.1)) == "0.1"
    assert format_cell(np.int16(7)) == "7"
    assert format_cell(float("-inf")) == "-inf"
    assert format_cell(True) == "true"
    assert format_cell(1 / 3, "{:.2f}") == "0.33"


def test_table_writers_are_atomic(tmp_path, monkeypatch):
    target = tmp_path / "t.csv"
    target.write_text("previous")

    def fail(*a, **k):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", fail)
    for writer in (write_table_csv, write_table_markdown):
        with pytest.raises(OSError):
            writer(ROWS, target)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_geotiff_registration_tag(tmp_path):
    """Node grids (lat -90..90 inclusive) are point samples; cell grids are areas."""
    import rioxarray  # noqa: F401

    from gnss_interop.output.geotiff import to_geotiff

    node = xr.DataArray(np.zeros((19, 36)), dims=("lat", "lon"),
                        coords={"lat": np.arange(-90, 91, 10.0), "lon": np.arange(-180, 180, 10.0)})
    cell = node.isel(lat=slice(0, 18)).assign_coords(lat=np.arange(-85, 90, 10.0))
    for da, expected in ((node, "Point"), (cell, "Area")):
        p = to_geotiff(da, tmp_path / f"{expected}.tif")
        opened = rioxarray.open_rasterio(p)
        assert opened.attrs["AREA_OR_POINT"] == expected
    with pytest.raises(ValueError, match="registration must be"):
        to_geotiff(node, tmp_path / "x.tif", registration="pixel")
