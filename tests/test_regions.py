"""Regions: containment on hand-checkable cases, antimeridian safety, outlines."""

import json

import numpy as np
import pytest

from gnss_interop.scenarios.regions import (
    Box,
    Circle,
    GlobalRegion,
    Polygon,
    destination,
    great_circle_km,
    region_from_spec,
)


def test_great_circle_quarter_meridian():
    # pole to equator: a quarter of the circumference of the mean sphere
    assert great_circle_km(90, 0, 0, 0) == pytest.approx(np.pi / 2 * 6371.0088)
    assert great_circle_km(0, 179.5, 0, -179.5) == pytest.approx(111.195, rel=1e-4)


def test_destination_inverts_distance():
    lat, lon = destination(39.9, 116.4, np.arange(0, 360, 30), 1500.0)
    np.testing.assert_allclose(great_circle_km(39.9, 116.4, lat, lon), 1500.0, rtol=1e-9)


def test_circle_contains():
    c = Circle(39.9, 116.4, 1500.0)
    lat, lon = destination(39.9, 116.4, np.array([0, 90, 180, 270]), np.array([1499.0]))
    assert c.contains(lat, lon).all()
    lat, lon = destination(39.9, 116.4, np.array([0, 90, 180, 270]), np.array([1501.0]))
    assert not c.contains(lat, lon).any()


def test_circle_across_antimeridian():
    c = Circle(0.0, 179.0, 500.0)
    assert c.contains(0.0, -178.0) and c.contains(0.0, 178.0) and not c.contains(0.0, 170.0)
    parts = c.outline()
    assert len(parts) == 2                       # the outline is cut at ±180°
    for lon, _ in parts:
        assert np.all(np.abs(np.diff(lon)) < 180)


def test_box_normal_and_crossing():
    b = Box(-10, 10, 20, 30)
    assert b.contains(0, 25) and not b.contains(0, 31) and not b.contains(11, 25)
    x = Box(-10, 10, 170, -170)                  # crosses ±180°
    assert x.contains(0, 175) and x.contains(0, -175) and x.contains(0, 180)
    assert not x.contains(0, 0) and not x.contains(0, 160)
    with pytest.raises(ValueError, match="lat_min < lat_max"):
        Box(10, -10, 0, 1)


def test_polygon_across_antimeridian_and_holes():
    ring = [[170, -10], [-170, -10], [-170, 10], [170, 10], [170, -10]]
    p = Polygon.from_geojson({"type": "Polygon", "coordinates": [ring]})
    assert p.contains(0, 179) and p.contains(0, -179) and p.contains(5, 175)
    assert not p.contains(0, 0) and not p.contains(0, 160)
    holed = Polygon.from_geojson({"type": "Feature", "geometry": {
        "type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
                                           [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]}})
    assert holed.contains(2, 2) and not holed.contains(5, 5)


def test_geojson_file_and_errors(tmp_path):
    f = tmp_path / "zone.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [
            [[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[10, 10], [11, 10], [11, 11], [10, 10]]]]}}]}))
    r = region_from_spec({"geojson": "zone.geojson"}, base_dir=tmp_path)
    assert r.contains(0.2, 0.8) and r.contains(10.2, 10.8) and not r.contains(5, 5)
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match=r"bad\.geojson: not valid JSON"):
        region_from_spec({"geojson": "bad.geojson"}, base_dir=tmp_path)
    with pytest.raises(ValueError, match="LineString"):
        Polygon.from_geojson({"type": "LineString", "coordinates": [[0, 0], [1, 1]]})


def test_region_from_spec_kinds():
    assert isinstance(region_from_spec("global"), GlobalRegion)
    assert isinstance(region_from_spec({"circle": {"lat": 1, "lon": 2, "radius_km": 3}}), Circle)
    with pytest.raises(ValueError, match="exactly one kind"):
        region_from_spec({"circle": {}, "box": {}})
    with pytest.raises(ValueError, match="unknown region kind 'hexagon'"):
        region_from_spec({"hexagon": {}})
