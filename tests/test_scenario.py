"""Scenario files: validation messages, and what each degradation does to the results."""

import warnings

import numpy as np
import pytest

from gnss_interop import GnssInputError
from gnss_interop.scenarios.jammer import Jammer, km_text
from gnss_interop.scenarios.regions import Circle
from gnss_interop.systems import System
from gnss_interop.resources import DEFAULT_SCENARIO_FILE
from gnss_interop.scenarios import load_scenario_file, run_scenarios, scenario_file_from_dict
from tolerances import EXACT_RTOL

BASE = {
    "almanac": "nominal",
    "start": "2024-01-01T00:00:00",
    "end": "2024-01-01T03:00:00",
    "step_s": 900,
    "grid": {"resolution_deg": 10.0},
}


def _spec(*scenarios, **over):
    d = dict(BASE, **over)
    d["scenario"] = list(scenarios)
    return scenario_file_from_dict(d)


def _run(*scenarios, **over):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {r.name: r for r in run_scenarios(_spec(*scenarios, **over), threads=1)}


def _grid(ds):
    return np.meshgrid(ds.lat.values, ds.lon.values, indexing="ij")


# --------------------------------------------------------------- validation
@pytest.mark.parametrize("scenario, message", [
    ({"name": "x", "degradation": [{"type": "deny", "system": "C",
                                    "region": {"circle": {"lat": 10, "lon": 20, "radius_km": -5}}}]},
     r"scenario\.0\.degradation\.0\.deny\.region\..*radius_km = -5.*greater than 0"),
    ({"name": "x", "degradation": [{"type": "deny", "system": "J"}]},
     r"scenario\.0\.degradation\.0\.deny\.system = \"J\": .*unknown system"),
    ({"name": "x", "degradation": [{"type": "flood"}]},
     r"scenario\.0\.degradation\.0 = .*does not match any of the expected tags"),
    ({"name": "x", "degradation": [{"type": "jammer", "lat": 1, "lon": 2, "height_m": 3,
                                    "eirp_dbw": 10, "bands": ["L7"]}]},
     r"scenario\.0\.degradation\.0\.jammer\.bands = \[\"L7\"\].*unknown band 'L7'"),
    ({"name": "x", "degradation": [{"type": "outage", "satellites": ["C1"]}]},
     r"scenario\.0\.degradation\.0\.outage\.satellites\.0 = \"C1\""),
    ({"name": "bad name!"}, r"scenario\.0\.name = \"bad name!\""),
    ({"name": "x", "colour": "red"}, r"scenario\.0\.colour = \"red\": Extra inputs"),
    ({"name": "x", "degradation": [{"type": "outage", "satellites": ["C00"]}]},
     r"satellites\.0 = \"C00\""),
])
def test_validation_names_field_and_value(scenario, message):
    with pytest.raises(GnssInputError, match=message):
        _spec(scenario)


def test_file_level_checks(tmp_path):
    with pytest.raises(GnssInputError, match="exactly one of 'ephemerides'"):
        scenario_file_from_dict(dict(BASE, ephemerides=["a.rnx"], scenario=[{"name": "a"}]))
    with pytest.raises(GnssInputError, match="date = \"2023-13-45\""):
        scenario_file_from_dict({k: v for k, v in BASE.items() if k != "almanac"} | {"date": "2023-13-45", "scenario": [{"name": "a"}]})
    with pytest.raises(GnssInputError, match=r"end \(2023-01-01\) must be after start"):
        scenario_file_from_dict(dict(BASE, end="2023-01-01", scenario=[{"name": "a"}]))
    with pytest.raises(GnssInputError, match=r"repeated: \['a'\]"):
        scenario_file_from_dict(dict(BASE, scenario=[{"name": "a"}, {"name": "a"}]))
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\nstart = \n')
    with pytest.raises(GnssInputError, match=r"bad\.toml: not valid TOML: .*line 2"):
        load_scenario_file(bad)


def test_default_scenario_file_is_valid():
    spec, base = load_scenario_file(DEFAULT_SCENARIO_FILE)
    assert [s.name for s in spec.scenario] == [
        "baseline", "beidou-denied-global", "glonass-denied-global", "beidou-denied-beijing",
        "glonass-denied-moscow"]
    assert spec.almanac == "nominal"


# ------------------------------------------------------------------ effects
@pytest.fixture(scope="module")
def regional():
    circle = {"circle": {"lat": 40.0, "lon": 110.0, "radius_km": 2500}}
    return _run({"name": "baseline"},
                {"name": "deny-c", "degradation": [{"type": "deny", "system": "C", "region": circle}]},
                {"name": "deny-c-global", "degradation": [{"type": "deny", "system": "C"}]})


def test_regional_denial_changes_only_inside(regional):
    base, den = regional["baseline"].dataset, regional["deny-c"].dataset
    lat2, lon2 = _grid(base)
    inside = Circle(40.0, 110.0, 2500).contains(lat2, lon2)
    assert inside.sum() >= 3
    for var in ("availability", "nsat_mean", "pdop_mean", "pdop_p95"):
        b, d = base[var].values, den[var].values
        np.testing.assert_array_equal(b[:, ~inside], d[:, ~inside])
    c = list(base.config.values).index("C")
    assert np.all(den["nsat_mean"].values[c][inside] == 0)
    assert np.all(den["availability"].values[c][inside] == 0)
    assert np.all(np.isinf(den["pdop_max"].values[c][inside]))


def test_backup_equals_other_system_inside_denial(regional):
    for name in ("deny-c", "deny-c-global"):
        ds = regional[name].dataset
        backup = ds["backup_availability_C"].values
        r = ds["availability"].sel(config="R").values
        inside = np.isfinite(backup)
        assert inside.any()
        np.testing.assert_array_equal(backup[inside], r[inside])
    assert np.isfinite(regional["deny-c-global"].dataset["backup_availability_C"].values).all()


def test_global_denial_equals_a_run_without_that_system():
    """The composition is exact: C+R with BeiDou denied is a direct run with no BeiDou satellite."""
    from gnss_interop import load_ephemerides
    from gnss_interop.coverage.configs import Configuration
    from gnss_interop.coverage import compute_grid
    from gnss_interop.coverage.grid import GridSpec
    from gnss_interop.resources import SHIPPED_ALMANACS

    res = _run({"name": "deny-c", "degradation": [{"type": "deny", "system": "C"}]})["deny-c"].dataset
    eph = load_ephemerides(SHIPPED_ALMANACS["nominal"])
    times = np.arange(np.datetime64("2024-01-01T00:00"), np.datetime64("2024-01-01T03:00"),
                      np.timedelta64(900, "s")).astype("datetime64[ns]")
    pos = eph.positions(times)
    pos = pos.where(~pos.sv.str.startswith("C"))
    direct = compute_grid(pos, GridSpec.global_grid(10.0), configs=[Configuration.parse("C+R")],
                          threads=1)
    for var in ("availability", "nsat_mean", "pdop_mean", "gdop_mean", "tdop_p95"):
        np.testing.assert_allclose(res[var].sel(config="C+R").values,
                                   direct[var].sel(config="C+R").values, rtol=EXACT_RTOL)


#: The airborne G1+G2 jammer of these tests (1 kW from 10 km) to a receiver on the ground
#: grid (0 m: a 1.5 m antenna over the smooth Earth), near the 417 km radio horizon.
AIRBORNE = Jammer(30.0, 100.0, 10_000.0, 30.0, bands=("G1", "G2"))
AIRBORNE_G1_KM = AIRBORNE.band_radius_km("G1", 1.5)
AIRBORNE_DENIAL_KM = AIRBORNE.denial_radius_km(System.GLONASS, 1.5)


def test_jammer_denies_within_its_radius_only():
    # the default receiver tracks G1 and G2 and falls back to either: deny both
    jam = {"type": "jammer", "lat": 30.0, "lon": 100.0, "height_m": 10_000, "eirp_dbw": 30.0,
           "bands": ["G1", "G2"]}
    res = _run({"name": "base"}, {"name": "jam", "degradation": [jam]})
    base, j = res["base"].dataset, res["jam"].dataset
    lat2, lon2 = _grid(base)
    assert 350.0 < AIRBORNE_DENIAL_KM < 430.0
    inside = Circle(30.0, 100.0, AIRBORNE_DENIAL_KM).contains(lat2, lon2)
    assert inside.any()
    r = list(base.config.values).index("R")
    c = list(base.config.values).index("C")
    np.testing.assert_array_equal(j["nsat_mean"].values[r][inside], 0)
    np.testing.assert_array_equal(j["nsat_mean"].values[:, ~inside], base["nsat_mean"].values[:, ~inside])
    np.testing.assert_array_equal(j["nsat_mean"].values[c], base["nsat_mean"].values[c])  # GLONASS bands only
    assert any(f"{km_text(AIRBORNE_DENIAL_KM)} km" in label for label, _ in res["jam"].regions)
    assert "G2 1246.0 MHz + L1OC/G1" in j.attrs["jammers"]
    assert "receiver dual-bds3-glo at 1.5 m over a smooth Earth" in j.attrs["jammers"]


def test_single_band_jammer_follows_the_scenario_receiver():
    """A G1-only jammer: the default dual-frequency receiver keeps GLONASS on G2 (a warned
    single-frequency ring, nothing denied); with receiver = "legacy-sf" GLONASS is denied."""
    jam = {"type": "jammer", "lat": 30.0, "lon": 100.0, "height_m": 10_000, "eirp_dbw": 30.0,
           "bands": ["G1"]}
    scenarios = ({"name": "base"}, {"name": "jam", "degradation": [jam]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = {r.name: r for r in run_scenarios(_spec(*scenarios), threads=1)}
    from gnss_interop.errors import ScenarioWarning

    msgs = [str(w.message) for w in caught if issubclass(w.category, ScenarioWarning)]
    g1 = km_text(AIRBORNE_G1_KM)
    assert len(msgs) == 1 and "G2 alone" in msgs[0] and f"{g1} km" in msgs[0]
    base, j = res["base"].dataset, res["jam"].dataset
    np.testing.assert_array_equal(j["nsat_mean"].values, base["nsat_mean"].values)
    (label, ring), = res["jam"].regions
    assert "R single frequency" in label and ring.outer_km == pytest.approx(AIRBORNE_G1_KM)
    assert "denies nothing" in j.attrs["jammers"]

    legacy = _run(*scenarios, receiver="legacy-sf")["jam"]
    lat2, lon2 = _grid(legacy.dataset)
    inside = Circle(30.0, 100.0, AIRBORNE_G1_KM).contains(lat2, lon2)
    r = list(legacy.dataset.config.values).index("R")
    np.testing.assert_array_equal(legacy.dataset["nsat_mean"].values[r][inside], 0)
    assert f"receiver legacy-sf at 1.5 m over a smooth Earth: denies R {g1} km" in \
        legacy.dataset.attrs["jammers"]


def test_jammer_footprints_follow_the_grid_receiver_heights():
    """[grid] antenna_height_m moves the ground receivers' antenna; receiver_heights_m lists
    the footprint at each further height in the jammer's description."""
    jam = {"type": "jammer", "lat": 30.0, "lon": 100.0, "height_m": 10, "eirp_dbw": 30.0,
           "bands": ["G1", "G2"]}
    grid = dict(BASE["grid"], antenna_height_m=10.0, receiver_heights_m=[1.5, 3048, 10668])
    res = _run({"name": "jam", "degradation": [jam]}, grid=grid)["jam"]
    ground = Jammer(30.0, 100.0, 10.0, 30.0, bands=("G1", "G2"))
    text = res.dataset.attrs["jammers"]
    assert "at 10 m over a smooth Earth: denies R " \
        f"{km_text(ground.denial_radius_km(System.GLONASS, 10.0))} km" in text
    for h, prefix in ((1.5, "at receiver height"), (3048.0, "at"), (10668.0, "at")):
        r = ground.denial_radius_km(System.GLONASS, h)
        assert f"{prefix} {h:g} m: denies R {km_text(r)} km" in text
    circle = next(reg for label, reg in res.regions if label.endswith("[R]"))   # the denial
    assert circle.radius_km == pytest.approx(ground.denial_radius_km(System.GLONASS, 10.0))
    # a grid at 10 km is airborne: the jammer sees its receivers there
    air = _run({"name": "jam", "degradation": [jam]},
               grid=dict(BASE["grid"], height_m=10_000.0))["jam"]
    circle = next(reg for label, reg in air.regions if label.endswith("[R]"))
    assert circle.radius_km == pytest.approx(ground.denial_radius_km(System.GLONASS, 10_000.0))


def test_outage_of_listed_and_random_satellites():
    res = _run({"name": "base"},
               {"name": "fixed", "degradation": [{"type": "outage", "satellites": ["C19", "C20", "R01"]}]},
               {"name": "rand", "degradation": [{"type": "outage", "random": {"C": 6}, "trials": 3,
                                                 "seed": 7}]})
    base = res["base"].dataset["nsat_mean"]
    assert (res["fixed"].dataset["nsat_mean"] <= base).all()
    assert (res["fixed"].dataset["nsat_mean"].sum() < base.sum())
    rand = res["rand"].dataset
    assert rand.attrs["outage_trials"] == 3
    assert (rand["availability_worst"] <= rand["availability"] + 1e-12).all()
    np.testing.assert_allclose(rand["nsat_mean"].sel(config="R"), base.sel(config="R"), rtol=EXACT_RTOL)
    again = _run({"name": "rand", "degradation": [{"type": "outage", "random": {"C": 6},
                                                   "trials": 3, "seed": 7}]})["rand"].dataset
    np.testing.assert_array_equal(again["availability"].values, rand["availability"].values)


def test_raised_mask_only_inside_region():
    box = {"box": {"lat_min": 20, "lat_max": 50, "lon_min": 90, "lon_max": 130}}
    res = _run({"name": "base"},
               {"name": "urban", "degradation": [{"type": "mask", "elevation_deg": 30, "region": box}]},
               {"name": "urban-all", "degradation": [{"type": "mask", "elevation_deg": 30}]})
    base, urb, allm = (res[k].dataset["nsat_mean"].values for k in ("base", "urban", "urban-all"))
    ds = res["base"].dataset
    lat2, lon2 = _grid(ds)
    inside = (lat2 >= 20) & (lat2 <= 50) & (lon2 >= 90) & (lon2 <= 130)
    np.testing.assert_array_equal(urb[:, ~inside], base[:, ~inside])
    np.testing.assert_array_equal(urb[:, inside], allm[:, inside])
    assert np.all(urb[:, inside] < base[:, inside])


def test_summary_rows(regional):
    rows = regional["deny-c"].summary
    areas = {r["area"] for r in rows}
    assert "global" in areas and "lat +30..+60" in areas
    assert any(a.startswith("inside: ") for a in areas)
    inside_c = next(r for r in rows if r["area"].startswith("inside") and r["config"] == "C")
    assert inside_c["availability_pct"] == 0.0 and inside_c["nsat_mean"] == 0.0
    glob = {r["config"]: r for r in rows if r["area"] == "global"}
    assert glob["C+R"]["availability_pct"] >= max(glob["C"]["availability_pct"], glob["R"]["availability_pct"])


def test_example_file_validates_and_runs_coarse():
    """almanacs/examples/all_degradations.toml: every degradation type, run on a coarse grid.

    The file of this checkout (not ``resources.ALMANAC_DIR``: an editable install made from
    another checkout maps the package data there; tests/test_packaging.py covers the lookup).
    """
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "almanacs" / "examples"
    spec, base = load_scenario_file(examples / "all_degradations.toml")
    assert {d.type for s in spec.scenario for d in s.degradation} == {"jammer", "deny", "outage", "mask"}
    spec = spec.model_copy(update={"grid": spec.grid.model_copy(update={"resolution_deg": 10.0}),
                                   "end": "2024-01-01T02:00:00", "step_s": 1800.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = {r.name: r for r in run_scenarios(spec, base, threads=1)}
    assert set(results) == {s.name for s in spec.scenario}
    baltic = results["beidou-denied-baltic"]
    assert baltic.regions and "Baltic" in baltic.regions[0][0]
    lat2, lon2 = _grid(baltic.dataset)
    inside = baltic.regions[0][1].contains(lat2, lon2)
    assert inside.any()
    assert (baltic.dataset["nsat_mean"].sel(config="C").values[inside] == 0).all()
    jam = results["airborne-glonass-jammer"]
    black_sea = Jammer(43.0, 34.0, 10_000.0, 30.0, bands=("G1", "G2"))
    assert f"R {km_text(black_sea.denial_radius_km(System.GLONASS, 1.5))} km" in jam.regions[0][0]
    fallback = results["airborne-g1-jammer-fallback"]
    assert "denies nothing" in fallback.dataset.attrs["jammers"]
    assert "R single frequency" in fallback.regions[0][0]
    wide = results["ground-wideband-jammer"].dataset.attrs["jammers"]
    shanghai = Jammer(31.2, 121.5, 30.0, 20.0)
    assert "7 RF bands" in wide and shanghai.effects_text(1.5) in wide


@pytest.mark.real_data
def test_date_uses_the_fetch_cache(tmp_path, monkeypatch):
    """`date = ...` takes the day's IGS file from the cache (no network: the file is cached)."""
    import shutil

    from conftest import BRD4
    from gnss_interop.reading.fetch import PRODUCTS, filename

    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(BRD4, cache / filename(PRODUCTS["BRD400DLR_S"], "2023-03-12"))
    monkeypatch.setenv("GNSS_INTEROP_CACHE", str(cache))
    res = _run({"name": "base"}, almanac=None, date="2023-03-12", start="2023-03-12T06:00:00",
               end="2023-03-12T07:00:00")["base"]
    assert "BRD400DLR_S_20230710000_01D_MN.rnx.gz" in res.dataset.attrs["input_files"]
    assert res.dataset["nsat_mean"].sel(config="C").mean() > 8


def test_latitude_bands_partition_the_globe(regional):
    """Node rows at 0, ±30, ±60 belong to one band each: band areas add up to the globe."""
    import numpy as np

    from gnss_interop.scenarios.summaries import LATITUDE_BANDS

    ds = regional["baseline"].dataset
    lat2, _ = _grid(ds)
    w = np.cos(np.radians(lat2))
    total = 0.0
    for lo, hi in LATITUDE_BANDS:
        sel = (lat2 >= lo) & ((lat2 < hi) | (hi == 90))
        total += w[sel].sum()
    assert total == pytest.approx(w.sum())
    rows = [r for r in regional["baseline"].summary if r["config"] == "C" and r["area"].startswith("lat")]
    assert len(rows) == len(LATITUDE_BANDS)


def test_trials_keep_the_crs_variable():
    res = _run({"name": "rand", "degradation": [{"type": "outage", "random": {"R": 2}, "trials": 2}]})
    crs = res["rand"].dataset["crs"]
    assert crs.dtype.kind == "i" and "crs_wkt" in crs.attrs


# --------------------------------------------------------------- GPS and Galileo
@pytest.mark.real_data
def test_gps_galileo_configurations_compose_exactly():
    """Registry systems work as configurations, and composition stays exact for four systems:
    C+R+G+E with BeiDou denied everywhere *is* a direct run with no BeiDou satellite."""
    from conftest import BRD4
    from gnss_interop import load_ephemerides
    from gnss_interop.coverage import Configuration, GridSpec, compute_grid
    from gnss_interop.systems import System

    spec = scenario_file_from_dict({
        "ephemerides": [str(BRD4)], "start": "2023-03-12T06:00:00",
        "end": "2023-03-12T08:00:00", "step_s": 600, "grid": {"resolution_deg": 15.0},
        "configurations": ["C", "R", "G", "E", "C+R", "G+E", "C+R+G+E"],
        "scenario": [{"name": "base"},
                     {"name": "deny-c", "degradation": [{"type": "deny", "system": "C"}]}]})
    res = {r.name: r.dataset for r in run_scenarios(spec, threads=1)}
    base, den = res["base"], res["deny-c"]
    assert list(den.config.values) == ["C", "R", "G", "E", "C+R", "G+E", "C+R+G+E"]
    eph = load_ephemerides(BRD4, systems=None)
    times = np.arange(np.datetime64("2023-03-12T06:00"), np.datetime64("2023-03-12T08:00"),
                      np.timedelta64(600, "s")).astype("datetime64[ns]")
    pos = eph.positions(times, svs=eph.svs_of(list(System)))
    direct = compute_grid(pos.where(~pos.sv.str.startswith("C")), GridSpec.global_grid(15.0),
                          configs=[Configuration.parse("C+R+G+E")], threads=1)
    for var in ("availability", "nsat_mean", "pdop_mean", "gdop_mean", "tdop_p95"):
        np.testing.assert_allclose(den[var].sel(config="C+R+G+E").values,
                                   direct[var].sel(config="C+R+G+E").values, rtol=EXACT_RTOL)
    # four systems see more than two: about 2x the satellites of C+R, never fewer
    more = base["nsat_mean"].sel(config="C+R+G+E") - base["nsat_mean"].sel(config="C+R")
    assert float(more.min()) >= 0 and float(more.mean()) > 10
    # the backup of a BeiDou denial is the widest configuration without BeiDou (G+E here)
    np.testing.assert_array_equal(den["backup_availability_C"].values,
                                  den["availability"].sel(config="G+E").values)
    assert "configuration G+E" in den["backup_availability_C"].attrs["long_name"]


def test_degradation_of_an_unconfigured_system_warns():
    from gnss_interop.errors import ScenarioWarning

    with pytest.warns(ScenarioWarning, match=r"scenario\.0\.degradation\.0\.deny\.system = \"G\": "
                                             r"GPS is in no configuration"):
        _spec({"name": "x", "degradation": [{"type": "deny", "system": "G"}]})


def test_interop_gain_needs_only_the_two_clock_twin():
    res = _run({"name": "base"}, configurations=["C+R", "C+R/interop"])["base"].dataset
    for name in ("interop_gain_availability", "interop_gain_pdop"):
        assert name in res and "C+R/interop" in res[name].attrs["long_name"]
    assert "combination_gain_availability" not in res        # no single systems to compare


def test_derived_layers_carry_only_catalogue_attributes(regional):
    ds = regional["deny-c"].dataset
    gain = ds["combination_gain_availability"].attrs
    assert "valid_min" not in gain and "valid_max" not in gain     # a gain can be negative
    assert "cell_methods" not in ds["combination_gain_pdop"].attrs
    assert ds["backup_availability_C"].attrs["valid_max"] == 1.0
