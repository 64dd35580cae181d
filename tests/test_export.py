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


def test_geotiff_float32_within_the_poles_with_descriptions(tmp_path):
    """A node grid (lat -90..90): float32, rows at ±90 left out so the extent stays within
    ±90°, EPSG:4326, a band description and unit, finite band statistics despite +inf."""
    import rasterio

    lat, lon = np.arange(-90, 91, 10.0), np.arange(-180, 180, 10.0)
    values = np.linspace(1.0, 3.0, lat.size * lon.size).reshape(lat.size, lon.size)
    values[5, 5] = np.inf
    da = xr.DataArray(values, dims=("lat", "lon"), coords={"lat": lat, "lon": lon,
                                                            "config": "C+R"},
                      name="hacc95_p95", attrs={"long_name": "predicted 95 % horizontal error",
                                                "units": "m"})
    path = to_geotiff(da, tmp_path / "h.tif", registration="node")
    with rasterio.open(path) as src:
        assert src.dtypes == ("float32",)
        assert src.crs.to_epsg() == 4326
        b = src.bounds
        assert -90.0 <= b.bottom and b.top <= 90.0 and (b.bottom, b.top) == (-85.0, 85.0)
        assert src.height == lat.size - 2 and "pole" in src.tags()["pole_rows"]
        assert src.tags()["AREA_OR_POINT"] == "Point"
        assert src.descriptions == ("hacc95_p95, C+R: predicted 95 % horizontal error [m]",)
        assert src.units == ("m",)
        stats = src.tags(1)
        assert float(stats["STATISTICS_MAXIMUM"]) == pytest.approx(values[1:-1][
            np.isfinite(values[1:-1])].max(), rel=1e-6)
        assert np.isposinf(src.read(1)).sum() == 1


def test_geotiff_bands_along_config(ds, tmp_path):
    """bands="config": one band per configuration, each named in its description and tag."""
    import rasterio

    path = to_geotiff(ds["availability"], tmp_path / "a.tif", bands="config")
    with rasterio.open(path) as src:
        assert src.count == ds.sizes["config"] and set(src.dtypes) == {"float32"}
        for k, cfg in enumerate(ds["config"].values, start=1):
            assert src.descriptions[k - 1].startswith(f"availability, {cfg}: ")
            assert src.tags(k)["config"] == cfg
            np.testing.assert_array_equal(
                src.read(k)[::-1], ds["availability"].sel(config=cfg).values.astype(np.float32))


# ----------------------------------------------------------------------------- catalogue

def test_every_mapped_layer_is_a_geotiff():
    """What a map or panel shows, a GIS user can load: availability, accuracy, PDOP,
    satellites and the derived layers."""
    from gnss_interop.variables import variables_with

    drawn = {v.name for v in variables_with("panel") + variables_with("map")}
    tiffs = {v.name for v in variables_with("geotiff")}
    assert drawn <= tiffs, sorted(drawn - tiffs)
    assert {"availability", "pdop_mean", "nsat_mean", "hacc95_p95", "vacc95_p95",
            "accuracy_availability", "combination_gain_availability"} <= tiffs


def test_difference_layers_have_no_valid_range():
    """Gains are differences (either sign, any size): no valid_min/valid_max."""
    from gnss_interop.variables import catalogue

    gains = [v for v in catalogue().values() if v.kind in ("gain", "gain_m")]
    assert gains
    for v in gains:
        assert v.valid_min is None and v.valid_max is None, v.name
        attrs = v.attrs(config="C+R", twin="C+R/interop")
        assert not {"valid_min", "valid_max", "valid_range"} & set(attrs), v.name


# ----------------------------------------------------------------------------- NetCDF (CF)

@pytest.fixture(scope="module")
def grid_ds():
    """A small engine grid (synthetic constellations, 30° nodes, 12 epochs)."""
    from _synthetic import synthetic_positions
    from gnss_interop.coverage import compute_grid
    from gnss_interop.coverage.configs import standard_configurations
    from gnss_interop.coverage.grid import GridSpec

    return compute_grid(synthetic_positions(12, 600.0), GridSpec.global_grid(30.0),
                        configs=standard_configurations(interop_offset_available=True),
                        keep_time=True)


def _statistics(grid_ds):
    return grid_ds.drop_vars([n for n, v in grid_ds.data_vars.items() if "time" in v.dims]
                             ).drop_vars("time")


@pytest.mark.parametrize("keep_time", [False, True], ids=["statistics", "keep_time"])
def test_netcdf_passes_compliance_checker(grid_ds, tmp_path, keep_time):
    """compliance-checker cf:1.11: no error, no checker exception, no warning but the
    checker's own false positive on the bounds of a scalar coordinate."""
    from _cf import assert_cf_clean
    from gnss_interop.output.netcdf import write_netcdf

    ds = grid_ds if keep_time else _statistics(grid_ds)
    assert_cf_clean(write_netcdf(ds, tmp_path / "g.nc"))


def test_netcdf_cf_packaging_round_trips(grid_ds, tmp_path):
    """What the CF packaging changes in the file, and what xarray readers still get."""
    import netCDF4

    from gnss_interop.output.netcdf import GPS_EPOCH_UNITS, write_netcdf
    from gnss_interop.variables import lookup

    path = write_netcdf(_statistics(grid_ds), tmp_path / "g.nc")
    with netCDF4.Dataset(path) as nc:
        for name in ("lat", "lon", "time"):
            assert "_FillValue" not in nc[name].ncattrs(), name
        assert nc["config"].dtype == "S1" and nc["config"].dimensions[0] == "config"
        assert "band 3 = C+R" in nc["config"].comment
        assert nc["time"].dimensions == () and nc["time"].bounds == "time_bnds"
        assert nc["time"].units.startswith("seconds since 1980-01-06")
        assert nc["time"].units_metadata == "leap_seconds: none"
        for name, var in nc.variables.items():
            entry = lookup(name)
            if entry is not None and entry.cell_methods:
                assert "time" in var.coordinates.split(), name
            for key in ("valid_min", "valid_max", "valid_range"):
                if key in var.ncattrs():
                    assert np.asarray(var.getncattr(key)).dtype == var.dtype, (name, key)
            if entry is not None and entry.kind in ("gain", "gain_m"):
                assert "valid_min" not in var.ncattrs(), name
    back = xr.open_dataset(path)
    assert list(back["config"].values) == ["C", "R", "C+R", "C+R/interop"]
    assert back["availability"].sel(config="C+R").dims == ("lat", "lon")
    start, end = back["time_bnds"].values
    assert start == grid_ds["time"].values[0]
    assert end == grid_ds["time"].values[-1] + np.timedelta64(600, "s")
    assert back["time"].values == start + (end - start) // 2
    assert GPS_EPOCH_UNITS.startswith("seconds since 1980-01-06")


def test_keep_time_file_names_its_statistics_period(grid_ds, tmp_path):
    """Per-epoch files: ``time`` is the epoch axis; the statistics name ``time_period``."""
    import netCDF4

    from gnss_interop.output.netcdf import write_netcdf

    path = write_netcdf(grid_ds, tmp_path / "t.nc")
    with netCDF4.Dataset(path) as nc:
        assert nc["time"].dimensions == ("time",) and nc["time"].standard_name == "time"
        assert nc["pdop_mean"].cell_methods == "time_period: mean"
        assert "time_period" in nc["pdop_mean"].coordinates.split()
        assert "time_period" not in getattr(nc["pdop"], "coordinates", "").split()
    back = xr.open_dataset(path)
    np.testing.assert_array_equal(back["time"].values, grid_ds["time"].values)


def test_netcdf_layers_open_in_gdal(grid_ds, tmp_path):
    """rasterio (GDAL): every layer a subdataset in EPSG:4326, one band per configuration."""
    import warnings

    import rasterio

    from gnss_interop.output.netcdf import write_netcdf

    path = write_netcdf(_statistics(grid_ds), tmp_path / "g.nc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # GDAL notes on the scalar variables (crs, time)
        with rasterio.open(path) as src:
            names = {s.rsplit(":", 1)[-1] for s in src.subdatasets}
        assert {"availability", "pdop_mean", "hacc95_p95", "nsat_mean"} <= names
        with rasterio.open(f"netcdf:{path}:availability") as sub:
            assert sub.count == grid_ds.sizes["config"]
            assert sub.crs.to_epsg() == 4326 and sub.dtypes[0] == "float32"
            assert [sub.tags(k)["NETCDF_DIM_config"] for k in (1, sub.count)] == ["1", "4"]


# ----------------------------------------------------------------------------- GeoJSON

def _records():
    from gnss_interop.scenarios.degradations import RegionRecord
    from gnss_interop.scenarios.regions import Annulus, Box, Circle, GlobalRegion, Polygon
    from gnss_interop.systems import System

    jam = {"type": "jammer", "jammer_lat": 43.0, "jammer_lon": 34.0, "jammer_height_m": 10000.0,
           "eirp_dbw": 30.0, "bands": "G1, G2"}
    return [
        RegionRecord("BeiDou denied, Beijing", Circle(39.9, 116.4, 1500.0), "denied",
                     System.BEIDOU, {"type": "deny"}),
        RegionRecord("jammer [R]", Circle(43.0, 34.0, 412.0), "denied", System.GLONASS, jam),
        RegionRecord("jammer [R single frequency]", Annulus(43.0, 34.0, 100.0, 412.0),
                     "single_frequency", System.GLONASS, jam),
        RegionRecord("Pacific box", Box(-30.0, 30.0, 160.0, -150.0), "denied", System.GLONASS,
                     {"type": "deny"}),
        RegionRecord("circle over the antimeridian", Circle(-10.0, 179.0, 900.0), "denied",
                     System.BEIDOU, {"type": "deny"}),
        RegionRecord("Arctic", Circle(85.0, 20.0, 1200.0), "denied", System.GLONASS,
                     {"type": "deny"}),
        RegionRecord("GeoJSON polygon across 180", Polygon(((np.array(
            [[175.0, -5.0], [-175.0, -5.0], [-175.0, 5.0], [175.0, 5.0], [175.0, -5.0]]),),)),
            "mask", None, {"type": "mask", "elevation_deg": 30.0}),
        RegionRecord("BeiDou denied worldwide", GlobalRegion(), "denied", System.BEIDOU,
                     {"type": "deny"}),
    ]


def test_regions_geojson_is_rfc7946(tmp_path):
    import json

    import shapely
    from shapely.geometry import shape

    from gnss_interop.output.geojson import regions_feature_collection, write_geojson

    records = _records()
    path = write_geojson(regions_feature_collection(records, scenario="s", title="S"),
                         tmp_path / "regions.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))   # strict JSON: no NaN
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert len(fc["features"]) == len(records)
    la, lo = np.meshgrid(np.arange(-89.5, 90.0, 1.0), np.arange(-179.5, 180.0, 1.0),
                         indexing="ij")
    for feature, record in zip(fc["features"], records):
        props = feature["properties"]
        assert props["scenario"] == "s" and props["label"] == record.label
        assert props["kind"] == record.kind
        geom = shape(feature["geometry"])
        assert geom.is_valid and not geom.is_empty, record.label
        polys = list(getattr(geom, "geoms", [geom]))
        for poly in polys:
            x, y = np.asarray(poly.exterior.coords).T
            assert np.all(np.abs(x) <= 180.0) and np.all(np.abs(y) <= 90.0)
            assert poly.exterior.is_ccw, record.label                   # RFC 7946 §3.1.6
            assert all(not ring.is_ccw for ring in poly.interiors)
            # §3.1.9: no part crosses the antimeridian (no edge jumps across ±180°; an
            # edge along a pole, where longitude means nothing, may run from -180 to 180)
            along_pole = (np.abs(y[1:]) == 90.0) & (np.abs(y[:-1]) == 90.0)
            assert np.all((np.abs(np.diff(x)) <= 180.0) | along_pole), record.label
        inside = shapely.contains_xy(geom, lo, la)
        np.testing.assert_array_equal(inside, record.region.contains(la, lo), record.label)
        if type(record.region).__name__ in ("Circle", "Annulus"):
            assert sum(len(p.exterior.coords) - 1 for p in polys) >= 64
    by_label = {f["properties"]["label"]: f for f in fc["features"]}
    assert by_label["Pacific box"]["geometry"]["type"] == "MultiPolygon"
    assert by_label["circle over the antimeridian"]["geometry"]["type"] == "MultiPolygon"
    assert by_label["jammer [R]"]["properties"]["radius_km"] == 412.0
    assert by_label["jammer [R]"]["properties"]["bands"] == "G1, G2"
    ring = shape(by_label["jammer [R single frequency]"]["geometry"])
    assert len(ring.interiors) == 1                                     # the annulus' hole


def test_jammer_footprints_reach_the_records():
    """A scenario's jammer: its denial circles and single-frequency rings are records."""
    from gnss_interop.scenarios.degradations import resolve_degradations
    from gnss_interop.scenarios.schema import ScenarioModel
    from gnss_interop.systems import System

    model = ScenarioModel.model_validate({"name": "j", "degradation": [
        {"type": "jammer", "lat": 43.0, "lon": 34.0, "height_m": 10000, "eirp_dbw": 30,
         "bands": ["G1"]},
        {"type": "deny", "system": "C", "region": {"box": {"lat_min": 0, "lat_max": 10,
                                                           "lon_min": 170, "lon_max": -170}}}]})
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the single-frequency ring is announced
        d = resolve_degradations(model, None, 0.0, (System.BEIDOU, System.GLONASS))
    kinds = {(r.kind, r.source["type"]) for r in d.records}
    assert ("single_frequency", "jammer") in kinds and ("denied", "deny") in kinds
    ring = next(r for r in d.records if r.kind == "single_frequency")
    assert ring.source["jammer_lat"] == 43.0 and ring.system is System.GLONASS
