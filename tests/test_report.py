"""The HTML report: structure (embedded PNGs, tables, escaping, no external resources) and,
as a reader sees it, a headless-Chromium screenshot."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
import xarray as xr

pytest.importorskip("cartopy")

from _coverage_fixture import coverage_dataset, weighted_median_brute, with_derived  # noqa: E402
from gnss_interop._version import __version__  # noqa: E402
from gnss_interop.output.maps import plot_layer, plot_panel, save_figure  # noqa: E402
from gnss_interop.output.report import provenance_from_dataset, write_report  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error::cartopy.io.DownloadWarning")

CHINA = (np.array([73.0, 135.0, 135.0, 73.0]), np.array([18.0, 18.0, 54.0, 54.0]), "BeiDou denied")
TOML = 'name = "china"\n[jammer]\nsystems = ["C"]\nlat_deg = [18, 54]  # <box>\n'


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.table_rows: list[int] = []
        self._rows = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self._rows = 0
        elif tag == "tr":
            self._rows += 1

    def handle_endtag(self, tag):
        if tag == "table":
            self.table_rows.append(self._rows)

    def handle_data(self, data):
        self.text.append(data)


def _parse(path):
    p = _Collector()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def ds():
    return with_derived(coverage_dataset())


@pytest.fixture(autouse=True)
def _offline_cartopy(tmp_path, monkeypatch):
    import cartopy

    monkeypatch.delenv("CARTOPY_DATA_DIR", raising=False)
    monkeypatch.setitem(cartopy.config, "data_dir", str(tmp_path / "empty_cartopy_cache"))
    monkeypatch.setitem(cartopy.config, "pre_existing_data_dir", "")


def _rows(ds):
    return [{"config": str(c),
             "availability_pct": float(ds["availability"].sel(config=c).mean() * 100),
             "pdop_p95_median": float(ds["pdop_p95"].sel(config=c).median())}
            for c in ds["config"].values]


def _report(ds, tmp_path, *, with_maps=True, name="report.html"):
    figures = []
    if with_maps:
        png = save_figure(plot_layer(ds, "combination_gain", outlines=[CHINA]),
                          tmp_path / "gain.png")[0]
        figures = [("Availability, C | R | C+R", plot_panel(ds, "availability",
                                                             outlines=[CHINA])),
                   ("Combination gain <C+R>", png)]
    return write_report(
        tmp_path / name,
        title="BeiDou denial <script>alert(1)</script> & GLONASS",
        intro="What the backup is worth.",
        scenarios=[
            {"name": "BeiDou jammed over China", "definition": TOML,
             "description": "BeiDou denied inside the box.",
             "figures": figures, "tables": [("Summary per configuration", _rows(ds))]},
            {"name": "Baseline", "definition": {"mask": {"elevation_deg": 10},
                                                 "systems": ["C", "R"]},
             "tables": [("Summary", _rows(ds))]},
        ],
        provenance=provenance_from_dataset(ds))


# ----------------------------------------------------------------------------- structure

def test_report_structure(ds, tmp_path):
    path = _report(ds, tmp_path)
    p = _parse(path)
    imgs = [a for t, a in p.tags if t == "img"]
    assert len(imgs) == 2
    from PIL import Image

    for a in imgs:
        assert a["src"].startswith("data:image/png;base64,")
        data = base64.b64decode(a["src"].split(",", 1)[1], validate=True)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
            assert im.size == (int(a["width"]), int(a["height"]))
            assert im.size[0] > 1000
    # 4 configurations + header row, in both scenario tables; then the definition and
    # provenance key/value tables
    assert p.table_rows.count(5) == 2
    text = "".join(p.text)
    for needed in ("BeiDou jammed over China", "Baseline", "mask.elevation_deg",
                   'systems = ["C"]', "# <box>", "Provenance", "nominal_bds3_glonass_20240101",
                   f"gnss_interop {__version__}", "report created (UTC)",
                   "2024-01-01T00:00:00 to 2024-01-01T23:59:30", "10°", "PDOP ≤ 6",
                   "Summary per configuration", "Combination gain <C+R>"):
        assert needed in text, needed


def test_report_is_self_contained_and_escaped(ds, tmp_path):
    path = _report(ds, tmp_path)
    html = path.read_text(encoding="utf-8")
    p = _parse(path)
    tags = {t for t, _ in p.tags}
    assert not tags & {"script", "link", "iframe", "object", "embed", "base"}
    for tag, attrs in p.tags:
        for key in ("src", "href", "srcset", "action", "poster"):
            if key in attrs:
                assert attrs[key].startswith(("data:", "#")), (tag, key, attrs[key][:40])
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; GLONASS" in html
    assert "@import" not in html and "url(" not in html
    assert "Content-Security-Policy" in html
    # no temporary files left next to the report
    assert sorted(x.name for x in tmp_path.iterdir()) == ["gain.png", "report.html"]


def test_report_errors(ds, tmp_path):
    kw = dict(title="t", provenance={})
    with pytest.raises(ValueError, match="unknown key.*figure"):
        write_report(tmp_path / "r.html", scenarios=[{"name": "a", "figure": []}], **kw)
    with pytest.raises(ValueError, match="no name"):
        write_report(tmp_path / "r.html", scenarios=[{"definition": {}}], **kw)
    bad = tmp_path / "not.png"
    bad.write_text("<svg/>")
    with pytest.raises(ValueError, match="scenario 'a', figure 1.*not a PNG"):
        write_report(tmp_path / "r.html", scenarios=[{"name": "a", "figures": [("x", bad)]}],
                     **kw)
    with pytest.raises(FileNotFoundError):
        write_report(tmp_path / "r.html",
                     scenarios=[{"name": "a", "figures": [("x", tmp_path / "missing.png")]}],
                     **kw)
    with pytest.raises(TypeError, match="pair"):
        write_report(tmp_path / "r.html", scenarios=[{"name": "a", "tables": [_rows(ds)]}],
                     **kw)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["not.png"]


def test_report_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("previous")

    def fail(*a, **k):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_report(target, title="t", scenarios=[{"name": "a"}], provenance={})
    assert target.read_text() == "previous"
    assert [x.name for x in tmp_path.iterdir()] == ["r.html"]


# ----------------------------------------------------------------------------- as a reader sees it

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _screenshot(html_path, tmp_path):
    png = tmp_path / f"{html_path.stem}_shot.png"
    profile = tmp_path / f"profile_{html_path.stem}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={png}",
           "--window-size=1200,2000", html_path.resolve().as_uri()]
    env = {**os.environ, "HOME": str(tmp_path)}
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert png.is_file(), f"chromium wrote no screenshot (exit {res.returncode}): " \
                          f"{res.stderr[-2000:]}"
    from PIL import Image

    with Image.open(png) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def _colourful(img):
    return img.max(axis=-1) - img.min(axis=-1) > 30  # saturated, not grey/black/white


def _table_header_pixels(img):
    # <th> background #eceff3
    return int(np.count_nonzero(np.all(np.abs(img - (0xEC, 0xEF, 0xF3)) <= 2, axis=-1)))


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed "
                                             "(Debian: apt-get install -y chromium)")
def test_report_renders_in_a_browser(ds, tmp_path):
    with_maps = _screenshot(_report(ds, tmp_path, name="maps.html"), tmp_path)
    without = _screenshot(_report(ds, tmp_path, with_maps=False, name="nomaps.html"), tmp_path)
    assert with_maps.shape == without.shape == (2000, 1200, 3)
    # maps: a good part of the first screen is coloured; without maps almost nothing is
    assert np.mean(_colourful(with_maps)) > 0.08
    assert np.mean(_colourful(without)) < 0.005
    # the colour sits in image-wide bands (maps), not in scattered links or text
    assert np.mean(_colourful(with_maps).mean(axis=1) > 0.2) > 0.15
    assert np.mean(_colourful(without).mean(axis=1) > 0.2) == 0
    # tables: header cells are drawn in both (the tables are on the first screen without maps)
    assert _table_header_pixels(without) > 2000
    # and the page is not blank anywhere near the top
    assert np.mean(with_maps[:300] < 128) > 0.005


def test_scenario_title_and_created_entry(tmp_path):
    path = write_report(tmp_path / "r.html", title="t",
                        scenarios=[{"name": "china_bds", "title": "BeiDou jammed over China"}],
                        provenance={"created": "2026-01-01 00:00:00 UTC"})
    p = _parse(path)
    text = "".join(p.text)
    assert "BeiDou jammed over China" in text and "china_bds" in text
    assert "report created (UTC)" not in text
    assert text.count("2026-01-01 00:00:00 UTC") == 2  # header and provenance table


def test_wide_images_are_embedded_downscaled(tmp_path):
    """Print-resolution maps are embedded at most max_width_px wide (file stays small)."""
    import base64
    import re

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from gnss_interop.output.report import _png_size, write_report

    fig = Figure(figsize=(12, 4))
    ax = fig.add_subplot()
    ax.imshow(__import__("numpy").random.default_rng(0).random((50, 150)), cmap="viridis")
    png = tmp_path / "wide.png"
    fig.savefig(png, dpi=200)
    assert _png_size(png.read_bytes())[0] == 2400
    out = write_report(tmp_path / "r.html", title="t", provenance={},
                       scenarios=[{"name": "s", "figures": [("wide", png)]}], max_width_px=800)
    (uri,) = re.findall(r'src="data:image/png;base64,([^"]+)"', out.read_text())
    assert _png_size(base64.b64decode(uri)) == (800, 267)
    full = write_report(tmp_path / "r2.html", title="t", provenance={},
                        scenarios=[{"name": "s", "figures": [("wide", png)]}], max_width_px=None)
    (uri,) = re.findall(r'src="data:image/png;base64,([^"]+)"', full.read_text())
    assert _png_size(base64.b64decode(uri))[0] == 2400


# ----------------------------------------------------------------------------- headline table

def _independent(ds, config, variable, inside=None):
    """cos-latitude weighted median (values not NaN, +inf included) or mean (finite values)
    of one layer, by brute force: for each candidate value, the weight at or below it."""
    v = ds[variable].sel(config=config).transpose("lat", "lon").values.astype(float)
    w = np.cos(np.radians(ds["lat"].values))[:, None] * np.ones((1, ds["lon"].size))
    if inside is not None:
        w = w * inside
    return v, w


def _wmean_plain(v, w):
    ok = np.isfinite(v) & (w > 0)
    return np.average(v[ok], weights=w[ok])


@pytest.fixture(scope="module")
def headline():
    from types import SimpleNamespace

    from _coverage_fixture import with_accuracy
    from gnss_interop.scenarios.regions import Box
    from gnss_interop.scenarios.summaries import headline_table

    base = with_accuracy(coverage_dataset(step_deg=10.0))
    box = Box(18.0, 54.0, 73.0, 135.0)
    lat2, lon2 = np.meshgrid(base.lat.values, base.lon.values, indexing="ij")
    inside = box.contains(lat2, lon2)
    gone = (base.config == "C") & xr.DataArray(inside, dims=("lat", "lon"))
    denied = base.copy()
    for name in ("hacc95_p95", "vacc95_p95"):          # BeiDou denied inside the box
        denied[name] = base[name].where(~gone, np.inf)
    denied["accuracy_availability"] = base["accuracy_availability"].where(~gone, 0.0)
    scenarios = [SimpleNamespace(name="baseline", title="Both healthy", dataset=base, regions=[]),
                 SimpleNamespace(name="deny-c", title="BeiDou denied over China",
                                 dataset=denied, regions=[("China box", box)])]
    return headline_table(scenarios), scenarios, inside


def test_headline_table_one_row_per_scenario_area_configuration(headline):
    table, scenarios, _ = headline
    keys = [(r["scenario"], r["area"], r["config"]) for r in table.rows]
    configs = ["C", "R", "C+R", "C+R/interop"]
    assert keys == ([("baseline", "global", c) for c in configs]
                    + [("deny-c", "global", c) for c in configs]
                    + [("deny-c", "inside: China box", c) for c in configs])
    metre = [c for c in table.columns if c.key.endswith("_m")]
    assert [c.key for c in metre] == ["hacc95_p95_median_m", "vacc95_p95_median_m"]
    assert [c.header for c in metre] == ["H95, m (95th pct over time, area-weighted median)",
                                         "V95, m (95th pct over time, area-weighted median)"]
    assert [c.key for c in table.columns[5:]] == ["accuracy_availability_pct",
                                                  "availability_pct", "nsat_mean"]
    headers = [c.header for c in table.columns]
    assert "Accuracy availability, % (H95 ≤ 5 m and V95 ≤ 10 m)" in headers
    assert "PDOP ≤ 6 availability, %" in headers
    # every column is defined, the configurations by name
    defined = dict(table.definitions())
    assert set(defined) == set(headers) and all(defined.values())
    assert "C+R/interop: BeiDou + GLONASS, one receiver clock" in defined["Configuration"]


def test_headline_values_match_an_independent_computation(headline):
    table, scenarios, inside = headline
    by_name = {s.name: s.dataset for s in scenarios}
    for row in table.rows:
        ds = by_name[row["scenario"]]
        mask = inside if row["area"].startswith("inside") else None
        for variable, key, how in (("hacc95_p95", "hacc95_p95_median_m", "median"),
                                   ("vacc95_p95", "vacc95_p95_median_m", "median"),
                                   ("accuracy_availability", "accuracy_availability_pct", "pct"),
                                   ("availability", "availability_pct", "pct"),
                                   ("nsat_mean", "nsat_mean", "mean")):
            v, w = _independent(ds, row["config"], variable, mask)
            want = (weighted_median_brute(v, w) if how == "median"
                    else 100 * _wmean_plain(v, w) if how == "pct" else _wmean_plain(v, w))
            np.testing.assert_allclose(row[key], want, rtol=1e-12, err_msg=f"{row} {key}")
    denied = {r["config"]: r for r in table.rows if r["area"] == "inside: China box"}
    assert denied["C"]["hacc95_p95_median_m"] == np.inf
    assert denied["C"]["accuracy_availability_pct"] == 0.0
    assert np.isfinite(denied["C+R"]["hacc95_p95_median_m"])
    shown = table.display_rows()
    assert shown[8]["H95, m (95th pct over time, area-weighted median)"] == "∞"
    assert shown[0]["Scenario"] == "Both healthy" and shown[1]["Scenario"] == ""


def test_weighted_median_edges():
    from gnss_interop.scenarios.summaries import weighted_median

    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0])) == 2.0
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([3.0, 1.0, 1.0])) == 1.0
    assert weighted_median(np.array([1.0, np.inf, np.inf]), np.ones(3)) == np.inf
    assert weighted_median(np.array([np.nan, 4.0]), np.array([5.0, 1.0])) == 4.0
    assert np.isnan(weighted_median(np.array([np.nan]), np.ones(1)))


def test_headline_refuses_mixed_profiles(headline):
    from types import SimpleNamespace

    from gnss_interop.scenarios.summaries import headline_table

    _, scenarios, _ = headline
    other = scenarios[1].dataset.copy()
    other.attrs["receiver_profile"] = "single-b1i-g1"
    with pytest.raises(ValueError, match="differ in receiver_profile"):
        headline_table([scenarios[0], SimpleNamespace(name="x", title="x", dataset=other,
                                                      regions=[])])


def test_report_opens_with_the_headline_in_metres(headline, tmp_path):
    table, _, _ = headline
    path = write_report(tmp_path / "r.html", title="t", provenance={},
                        scenarios=[{"name": "baseline"}, {"name": "deny-c"}],
                        headline=table.report_section())
    html = path.read_text(encoding="utf-8")
    p = _parse(path)
    text = "".join(p.text)
    assert html.index('id="headline"') < html.index('id="scenario-1"')
    assert "dual-bds3-glo" in text and "H95 ≤ 5 m and V95 ≤ 10 m" in text
    assert "Receiver profile" in text and "Definitions" in text
    assert p.table_rows[0] == 1 + 12                     # header + scenario x area x config
    for c in table.columns:
        assert text.count(c.header) >= 2, c.header         # header and its definition
    assert "∞" in text and "BeiDou denied over China" in text
