"""Scenario files (gnss_interop.scenarios.schema): every error at load time, with its field."""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gnss_interop import GnssInputError
from gnss_interop.scenarios import load_scenario_file, scenario_file_from_dict
from gnss_interop.scenarios.estimate import estimate_job

BASE = {"title": "t", "almanac": "nominal", "start": "2024-01-01T00:00:00",
        "end": "2024-01-02T00:00:00", "grid": {"resolution_deg": 10.0},
        "scenario": [{"name": "b", "degradation": [
            {"type": "deny", "system": "C", "region": {"circle": {"lat": 40, "lon": 116,
                                                                  "radius_km": 500}}},
            {"type": "outage", "random": {"R": 2}, "trials": 2, "seed": 1},
            {"type": "mask", "elevation_deg": 15, "region": {"box": {
                "lat_min": 0, "lat_max": 10, "lon_min": 0, "lon_max": 10}}},
            {"type": "jammer", "lat": 31, "lon": 121, "height_m": 30, "eirp_dbw": 10,
             "bands": ["B1C", "B2a"]}]}]}


def _deny_region(region):
    return {"scenario": [{"name": "b", "degradation": [
        {"type": "deny", "system": "C", "region": region}]}]}


CASES = [
    ({"pdop_max": True}, "pdop_max = true: a number is needed"),
    ({"step_s": False}, "step_s = false: a number is needed"),
    ({"end": "NaT"}, "end = \"NaT\": Value error, not an ISO 8601 time"),
    ({"start": ""}, "start = \"\": Value error, an ISO 8601 time is needed"),
    ({"start": "2024-01-01T00:00:00+08:00"}, "take no time zone"),
    ({"start": "2024-01-01T00:00:00Z"}, "take no time zone"),
    ({"end": "2023-12-31"}, "must be after start"),
    ({"grid": {"resolution_deg": 2.0, "lat_min": 10, "lat_max": -10}},
     "lat_min (10) must be below lat_max (-10)"),
    ({"grid": {"resolution_deg": 2.0, "lat_min": 0, "lat_max": 0}}, "at least two rows"),
    ({"grid": {"resolution_deg": 2.0, "lat_min": -89, "lat_max": 90}},
     "is not a multiple of resolution_deg"),
    ({"grid": {"resolution_deg": float("nan")}}, "grid.resolution_deg = NaN"),
    ({"mask": {"horizon": [[float("nan"), 10.0]]}}, "mask.horizon.0.0 = NaN"),
    ({"mask": {"horizon": [[400.0, 10.0]]}}, "azimuth 400 deg outside [0, 360]"),
    ({"mask": {"horizon": [[10.0, -95.0]]}}, "elevation -95 deg outside [0, 90)"),
    ({"configurations": ["C", "C"]}, "configurations must be unique"),
    ({"scenario": [{"name": "b", "degradation": [
        {"type": "outage", "random": {"C": 2}, "seed": -1}]}]},
     "scenario.0.degradation.0.outage.seed = -1"),
    (_deny_region({"circle": {"lat": 100, "lon": 0, "radius_km": 5}}),
     "scenario.0.degradation.0.deny.region.circle.lat = 100"),
    (_deny_region({"polygon": [[0, 0], [10, 10], [10, 0], [0, 10]]}),
     "scenario.0.degradation.0.deny.region: polygon ring is not a valid polygon"),
    (_deny_region({"polygon": [[0, 0], [10, 10]]}), "at least 3 [lon, lat] points"),
    (_deny_region({"polygon": [[0, 0], [0, 0], [0, 0]]}), "at least 3 distinct points"),
    (_deny_region({"polygon": [[0, 0], [10, 95], [10, 0]]}), "latitude outside [-90, 90]"),
    (_deny_region({"geojson": {"type": "Point", "coordinates": [0, 0]}}),
     "'Point' is not a Polygon"),
    (_deny_region({"geojson": "missing.geojson"}), "cannot read GeoJSON file missing.geojson"),
    (_deny_region({"geojson": "{not json"}), "scenario.0.degradation.0.deny.region:"),
    ({"grid": {"resolution_deg": 0.01}}, "the job is too large for this machine"),
    ({"step_s": 1e-9}, "the job is too large for this machine"),
    ({"start": "1900-01-01"}, "the job is too large for this machine"),
]


@pytest.mark.parametrize("change, message", CASES)
def test_bad_files_fail_at_load_time_naming_the_field(change, message):
    data = copy.deepcopy(BASE) | change
    with pytest.raises(GnssInputError) as err:
        scenario_file_from_dict(data)
    text = str(err.value)
    assert message in text, text
    assert "literal['global']" not in text           # the union's other branch is noise


def test_the_base_file_is_valid_and_its_estimate_adds_up():
    spec = scenario_file_from_dict(copy.deepcopy(BASE))
    est = estimate_job(spec)
    assert est.points == 19 * 37 and est.epochs == 24 * 60 + 1
    # baseline + the scenario with an outage (2 trials) and a regional mask: (1 + 1) × 2
    assert est.runs == 1 + 4
    assert est.configurations == 8                  # denials need the sub-configurations
    assert "of memory" in est.describe() and "coverage computation" in est.describe()


def test_non_utf8_file_is_a_named_error(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('title = "Déni"\n'.encode("latin-1"))
    with pytest.raises(GnssInputError, match=r"not UTF-8 text \(byte 0xe9"):
        load_scenario_file(bad)


_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                  st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                  st.lists(st.floats(-1e3, 1e3), max_size=3), st.just("global"),
                  st.just("NaT"), st.just("2024-01-01T00:00:00Z"))


def _paths(obj, prefix=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


PATHS = list(_paths(BASE))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), _LEAF), min_size=1, max_size=3))
def test_any_mutated_file_loads_or_fails_with_a_named_error(mutations):
    """Property: replacing up to three values of a valid file anywhere with anything gives
    a valid file or a GnssInputError, never another exception (no traceback at run time)."""
    data = copy.deepcopy(BASE)
    for path, value in mutations:
        obj = data
        try:
            for key in path[:-1]:
                obj = obj[key]
            obj[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        spec = scenario_file_from_dict(data)
    except GnssInputError as exc:
        assert str(exc).strip()
        return
    est = estimate_job(spec)                          # an accepted file is a runnable job
    assert est.points > 0 and est.epochs > 0 and math.isfinite(est.memory_bytes)
