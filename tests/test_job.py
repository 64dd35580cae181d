"""The main job: every promised file, overwrite protection, and the CLI entry point."""

import csv
import json
import warnings

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from gnss_interop.cli import app
from gnss_interop.errors import OutputExistsError
from gnss_interop.output.job import run_job
from gnss_interop.resources import DEFAULT_SCENARIO_FILE
from gnss_interop.scenarios import load_scenario_file
from gnss_interop.variables import lookup

from _coverage_fixture import weighted_median_brute

pytestmark = pytest.mark.filterwarnings("error::cartopy.io.DownloadWarning")


def _coarse_default():
    """The built-in default scenario set on a coarser grid and step (same scenarios)."""
    spec, base = load_scenario_file(DEFAULT_SCENARIO_FILE)
    spec = spec.model_copy(update={"grid": spec.grid.model_copy(update={"resolution_deg": 6.0}),
                                   "step_s": 1800.0})
    return spec, base


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    out = tmp_path_factory.mktemp("maps")
    spec, base = _coarse_default()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return run_job(spec, base, out, formats=("png", "pdf")), spec


def test_every_promised_file(job):
    result, spec = job
    out = result.out_dir
    for name in ("report.html", "run.json", "summary.csv", "summary.md", "headline.csv",
                 "headline.md"):
        assert (out / name).stat().st_size > 100, name
    for s in spec.scenario:
        d = out / s.name
        for f in ("coverage.nc", "summary.csv", "summary.md", "availability_panel.png",
                  "availability_panel.pdf", "pdop_mean_panel.png", "nsat_mean_panel.png",
                  "availability_C+R.png", "availability_C.tif", "availability_R.tif",
                  "availability_C+R.tif", "availability_C+R-interop.tif",
                  "combination_gain_availability.png", "interop_gain_pdop.tif",
                  # the accuracy layers in metres: panels, maps, GeoTIFFs
                  "hacc95_p95_panel.png", "vacc95_p95_panel.png", "hacc95_mean_panel.png",
                  "accuracy_availability_panel.png", "hacc95_p95_C+R.png",
                  "hacc95_p95_C+R-interop.png", "hacc95_p95_C.tif", "vacc95_p95_C+R.tif",
                  "accuracy_availability_R.tif", "combination_gain_hacc95.png",
                  "combination_gain_hacc95.tif", "interop_gain_hacc95.tif",
                  # every panel quantity is a GeoTIFF too (PDOP, satellites, mean H95)
                  "pdop_mean_C+R.tif", "nsat_mean_C.tif", "hacc95_mean_R.tif"):
            assert (d / f).stat().st_size > 100, (s.name, f)
    assert (out / "beidou-denied-beijing" / "backup_availability_C.png").exists()
    assert (out / "beidou-denied-beijing" / "backup_hacc95_C.png").exists()
    assert (out / "glonass-denied-moscow" / "backup_hacc95_R.tif").exists()
    assert (out / "glonass-denied-moscow" / "backup_availability_R.tif").exists()
    assert (out / "beidou-denied-beijing" / "regions.geojson").exists()
    assert not (out / "baseline" / "regions.geojson").exists()     # no region, no file
    assert not list(out.rglob(".*.tmp")), "temporary files left behind"
    manifest = json.loads((out / "run.json").read_text())
    listed = set(manifest["files"])
    assert "report.html" in listed and "baseline/coverage.nc" in listed
    assert all((out / f).exists() for f in listed)


def test_netcdf_has_layers_and_provenance(job):
    result, _ = job
    ds = xr.open_dataset(result.out_dir / "beidou-denied-beijing" / "coverage.nc")
    for var in ("availability", "pdop_mean", "nsat_mean", "backup_availability_C",
                "combination_gain_availability", "interop_gain_availability"):
        assert var in ds, var
    assert ds.attrs["scenario"] == "beidou-denied-beijing"
    assert "nominal_bds3_glonass_20240101.rnx.gz" in ds.attrs["input_files"]
    assert list(ds.config.values) == ["C", "R", "C+R", "C+R/interop"]


def test_accuracy_layers_in_metres_in_netcdf_and_geotiff(job):
    result, _ = job
    ds = xr.open_dataset(result.out_dir / "beidou-denied-beijing" / "coverage.nc")
    metres = [v for v in ds.data_vars if lookup(v) is not None
              and lookup(v).kind in ("accuracy", "gain_m")]
    for var in ("hacc95_p95", "vacc95_p95", "hacc95_mean", "backup_hacc95_C",
                "combination_gain_hacc95", "interop_gain_hacc95"):
        assert var in metres, var
    assert all(ds[v].attrs["units"] == "m" for v in metres), \
        {v: ds[v].attrs.get("units") for v in metres}
    assert ds["accuracy_availability"].attrs["units"] == "1"
    rioxarray = pytest.importorskip("rioxarray")
    tif = rioxarray.open_rasterio(result.out_dir / "beidou-denied-beijing" / "hacc95_p95_C+R.tif")
    assert tif.attrs["units"] == "m"
    # the GeoTIFF leaves out the pole rows of the node grid (extent within ±90°)
    inner = ds["hacc95_p95"].sel(config="C+R").isel(lat=slice(1, -1))
    np.testing.assert_allclose(tif.values[0][::-1], inner.values)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_headline_table_compares_scenarios_in_metres(job):
    """headline.csv: one row per scenario x area x configuration, metre columns, values equal
    to a brute-force computation from the written NetCDF; summary.csv carries them too."""
    result, _ = job
    out = result.out_dir
    rows = _rows(out / "headline.csv")
    expected = [(res.name, area, str(c)) for res in result.results
                for area in ["global"] + [f"inside: {label}" for label, _ in res.regions]
                for c in res.dataset.config.values]
    assert [(r["scenario"], r["area"], r["config"]) for r in rows] == expected
    assert len(rows) == 5 * 4 + 2 * 4
    assert list(rows[0])[3:] == ["hacc95_p95_median_m", "vacc95_p95_median_m",
                                 "accuracy_availability_pct", "availability_pct", "nsat_mean",
                                 "receiver_profile", "accuracy_limit"]
    regions = {res.name: dict(res.regions) for res in result.results}
    for r in rows:
        ds = xr.open_dataset(out / r["scenario"] / "coverage.nc").sel(config=r["config"])
        lat2, lon2 = np.meshgrid(ds.lat.values, ds.lon.values, indexing="ij")
        w = np.cos(np.radians(lat2)).clip(0)
        if r["area"] != "global":
            w = w * regions[r["scenario"]][r["area"].removeprefix("inside: ")].contains(lat2, lon2)
        for var, key in (("hacc95_p95", "hacc95_p95_median_m"),
                         ("vacc95_p95", "vacc95_p95_median_m")):
            want = weighted_median_brute(ds[var].values, w)
            assert float(r[key]) == pytest.approx(want, rel=1e-5), (r, key)
        for var, key, scale in (("accuracy_availability", "accuracy_availability_pct", 100),
                                ("availability", "availability_pct", 100),
                                ("nsat_mean", "nsat_mean", 1)):
            want = scale * np.average(ds[var].values, weights=w)
            assert float(r[key]) == pytest.approx(want, rel=1e-5, abs=1e-9), (r, key)
        assert r["receiver_profile"] == ds.attrs["receiver_profile"] != ""
    by_key = {(r["scenario"], r["area"], r["config"]): r for r in rows}
    denied = by_key[("beidou-denied-beijing", "inside: BeiDou denied, 1,500 km around Beijing", "C")]
    assert denied["hacc95_p95_median_m"] == "inf" and float(denied["accuracy_availability_pct"]) == 0
    assert np.isfinite(float(by_key[("beidou-denied-global", "global", "C+R")]["hacc95_p95_median_m"]))
    summary = _rows(out / "summary.csv")
    for s in summary:
        h = by_key.get((s["scenario"], s["area"], s["config"]))
        if h is not None:
            for key in ("hacc95_p95_median_m", "vacc95_p95_median_m", "accuracy_availability_pct"):
                assert float(s[key]) == pytest.approx(float(h[key]), abs=6e-4), key
    assert any(s["area"].startswith("lat ") for s in summary)


def test_report_opens_with_the_headline_and_shows_accuracy_maps(job):
    result, _ = job
    html = result.report.read_text(encoding="utf-8")
    attrs = result.results[0].dataset.attrs
    start, end = html.index('id="headline"'), html.index('id="scenario-1"')
    head = html[start:end]
    assert attrs["receiver_profile"] in head and "H95 ≤ 5 m and V95 ≤ 10 m" in head
    assert "H95, m (95th pct over time, area-weighted median)" in head
    assert head.count("<tr") == 1 + 5 * 4 + 2 * 4
    assert "Definitions" in head
    for caption in ("predicted 95 % horizontal position error (radius), 95th percentile",
                    "predicted 95 % vertical position error, 95th percentile",
                    "fraction of epochs with a solution and H95 &lt;= 5 m and V95 &lt;= 10 m",
                    "95th percentile over time of the 95 % horizontal error still achieved where "
                    "BeiDou is denied", "p95 horizontal 95 % error of the best single system"):
        assert f"<figcaption>{caption}" in html, caption
    assert "receiver profile" in html[html.index('id="provenance"'):]


def test_report_lists_every_scenario(job):
    result, spec = job
    html = result.report.read_text()
    for s in spec.scenario:
        assert s.name in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert html.count("data:image/png;base64,") >= 5 * 3


def test_other_runs_results_are_not_overwritten(job, tmp_path):
    result, spec = job
    other = spec.model_copy(update={"pdop_max": 4.0})
    before = (result.out_dir / "run.json").read_text()
    with pytest.raises(OutputExistsError, match="holds the results of another run.*--overwrite"):
        run_job(other, DEFAULT_SCENARIO_FILE.parent, result.out_dir)
    assert (result.out_dir / "run.json").read_text() == before


def test_cli_run_defaults_and_errors(tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.toml"
    bad.write_text('almanac = "nominal"\nstart = "2024-01-01"\nend = "2024-01-02"\n'
                   '[[scenario]]\nname = "x"\n[[scenario.degradation]]\ntype = "deny"\nsystem = "J"\n')
    res = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "scenario.0.degradation.0.deny.system = \"J\"" in res.output
    assert not (tmp_path / "o").exists()
    res = runner.invoke(app, ["run", "--only", "nope", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "no scenario named nope" in res.output


def test_without_rioxarray_geotiffs_are_skipped_up_front(tmp_path, monkeypatch):
    """A missing optional writer is found before any work: a warning, then every other output."""
    import sys

    from gnss_interop.errors import OptionalDependencyWarning

    monkeypatch.setitem(sys.modules, "rioxarray", None)      # import rioxarray -> ImportError
    spec, base = _coarse_default()
    spec = spec.model_copy(update={"scenario": spec.scenario[:1]})
    with pytest.warns(OptionalDependencyWarning, match="rioxarray is not installed: GeoTIFF files are skipped"):
        result = run_job(spec, base, tmp_path / "maps")
    d = result.out_dir / spec.scenario[0].name
    assert (d / "coverage.nc").exists() and (d / "availability_panel.png").exists()
    assert not list(result.out_dir.rglob("*.tif"))
    manifest = json.loads((result.out_dir / "run.json").read_text())
    assert not any(f.endswith(".tif") for f in manifest["files"])


def test_shipped_example_runs_end_to_end(tmp_path):
    """Every scenario of almanacs/examples/all_degradations.toml (random outages included)
    runs through the main job, on a coarse grid."""
    from gnss_interop.resources import EXAMPLES_DIR

    spec, base = load_scenario_file(EXAMPLES_DIR / "all_degradations.toml")
    spec = spec.model_copy(update={"grid": spec.grid.model_copy(update={"resolution_deg": 10.0}),
                                   "step_s": 3600.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = run_job(spec, base, tmp_path / "maps")
    for s in spec.scenario:
        assert (result.out_dir / s.name / "coverage.nc").exists(), s.name
    worst = [p for p in result.out_dir.rglob("availability_worst*.png")]
    assert worst, "the random-outage scenario draws its worst-trial availability"


def test_every_netcdf_passes_compliance_checker(job):
    """compliance-checker cf:1.11 on every scenario's coverage.nc: no error, no checker
    exception, no warning but its false positive on a scalar coordinate's bounds."""
    from _cf import assert_cf_clean

    result, spec = job
    for s in spec.scenario:
        assert_cf_clean(result.out_dir / s.name / "coverage.nc")


def test_geotiffs_are_float32_within_the_poles_and_named(job):
    """rasterio (GDAL) on every GeoTIFF of the job: float32, EPSG:4326, extent within ±90°,
    a band description naming the layer (and configuration), the scenario in the tags."""
    import rasterio

    result, _ = job
    tiffs = sorted(result.out_dir.rglob("*.tif"))
    assert tiffs
    for path in tiffs:
        with rasterio.open(path) as src:
            assert src.dtypes == ("float32",), path.name
            assert src.crs.to_epsg() == 4326, path.name
            assert -90.0 <= src.bounds.bottom and src.bounds.top <= 90.0, path.name
            assert src.descriptions[0].startswith(src.tags()["variable"]), path.name
            assert src.tags()["scenario"] == path.parent.name
    with rasterio.open(result.out_dir / "baseline" / "availability_C+R-interop.tif") as src:
        assert src.descriptions[0].startswith("availability, C+R/interop: fraction of epochs")


def test_regions_geojson_of_the_denials(job):
    """Each scenario with a region writes regions.geojson: RFC 7946 polygons, valid, the
    circle with at least 64 vertices, the scenario and system in the properties."""
    from shapely.geometry import shape

    result, _ = job
    fc = json.loads((result.out_dir / "beidou-denied-beijing" / "regions.geojson").read_text())
    (feature,) = fc["features"]
    assert feature["properties"]["scenario"] == "beidou-denied-beijing"
    assert feature["properties"]["system"] == "C" and feature["properties"]["kind"] == "denied"
    assert feature["properties"]["radius_km"] == 1500.0
    geom = shape(feature["geometry"])
    assert geom.is_valid and geom.geom_type == "Polygon"
    assert len(geom.exterior.coords) - 1 >= 64 and geom.exterior.is_ccw
    assert geom.contains(shape({"type": "Point", "coordinates": [116.4, 39.9]}))
    world = json.loads((result.out_dir / "beidou-denied-global" / "regions.geojson").read_text())
    assert shape(world["features"][0]["geometry"]).bounds == (-180.0, -90.0, 180.0, 90.0)
