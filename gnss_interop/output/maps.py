"""Global maps of coverage layers, drawn offline: one layer, or a C | R | C+R panel.

Every map of one kind of layer uses the same fixed colour scale, so maps of different
scenarios compare at a glance (:data:`STYLES`):

* **fraction** (``availability``, ``solution_fraction``, ``backup_availability``,
  ``*_fraction``): shown in %, in the classes 0, 50, 80, 90, 95, 98, 99, 99.9, 100 %
  (lower bound included), viridis. Classes rather than a linear ramp, so that a denial
  (0-50 %) and the difference between 95 % and 99.9 % are both visible.
* **nsat** (``nsat_mean``, ``nsat_min``, ``nsat_max``): 0-30 satellites, plasma; more
  than 30 is drawn in the top colour.
* **dop** (``<g|p|h|v|t>dop_<mean|p95|max>``): 0.5-10 on a log scale, viridis reversed
  (yellow = good geometry); values outside are drawn in the end colours. The scale starts
  at 0.5, not 1, because HDOP, VDOP and TDOP of the combined constellation are below 1.
* **gain** (``*gain*``, ``*_change``, ``*_diff``, ``*_delta``, ``*_loss``): -1..+1,
  PuOr (diverging, white at 0); values beyond are drawn in the end colours (the colour
  bar's triangles say so).
* **accuracy** (metres of predicted 95 % error, catalogue kind ``accuracy``): the classes
  0.5, 1, 1.5, 2, 3, 5, 10, 20, 50 m, magma reversed (light = accurate).
* **gain_m** (gains in metres, catalogue kind ``gain_m``): the classes ±0.1, ±0.25, ±0.5,
  ±1, ±2 m, PuOr (white within ±0.1 m).

Colour-bar labels of layers in metres (and of the accuracy availability) name the
receiver profile (dataset attribute ``receiver_profile``): their values hold for its
error budget only.

All colour maps are perceptually uniform or ColorBrewer schemes that stay readable with
colour-vision deficiencies. Cells without a value (+inf or NaN: for DOP, "no solution")
are drawn in a neutral grey that no colour map uses, with a legend patch; nothing is
dropped silently. Degradation regions are drawn as red dashed outlines with a white halo
and a label.

Base map data
-------------
Cartopy downloads Natural Earth shapefiles on first use, which hangs or fails with no
network (SciTools/cartopy #2017). This package ships the public-domain Natural Earth
1:110m coastline and land-boundary layers in ``gnss_interop/_data/natural_earth/`` and
points ``cartopy.config["pre_existing_data_dir"]`` there, unless the environment variable
``CARTOPY_DATA_DIR`` is set (or the setting was already changed by the program): users
point the tool at another data directory, e.g. one with the finer 50m/10m scales, with
``CARTOPY_DATA_DIR`` and then pass ``resolution="50m"``.

All functions build :class:`matplotlib.figure.Figure` objects directly (Agg canvas), never
through :mod:`matplotlib.pyplot`, so they leave no global figure state behind.
"""

from __future__ import annotations

import dataclasses

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

try:
    import cartopy
    import cartopy.crs as ccrs
    import cartopy.feature as cfeature
    import matplotlib
    import matplotlib.patheffects as patheffects
    from cartopy.mpl.geoaxes import GeoAxes
    from matplotlib import colors as mcolors
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError("gnss_interop.output.maps needs matplotlib and cartopy: "
                      "pip install matplotlib cartopy (dependencies of gnss-interop)") from exc

from gnss_interop.output.atomic import atomic_path
from gnss_interop.coverage.configs import Configuration, combinations
from gnss_interop.resources import NATURAL_EARTH_DIR
from gnss_interop.variables import DOP_NAMES, lookup

__all__ = [
    "NATURAL_EARTH_DIR",
    "config_title",
    "NODATA_COLOUR",
    "STYLES",
    "LayerStyle",
    "base_map_data_dir",
    "layer_kind",
    "plot_layer",
    "plot_panel",
    "save_figure",
]


#: Colour of cells without a value (no solution / no data); used by no colour map below.
NODATA_COLOUR = "#a3a3a3"
#: Colour of degradation-region outlines and their labels.
OUTLINE_COLOUR = "#d7191c"

_FORMATS = ("png", "pdf", "svg")
_PROJECTIONS = ("robinson", "platecarree")

def config_title(name: str) -> str:
    """Panel heading of a configuration (:attr:`Configuration.title`), or the name itself."""
    try:
        return Configuration.parse(name).title
    except ValueError:
        return name


@dataclass(frozen=True)
class LayerStyle:
    """Fixed colour scale of one kind of layer.

    Displayed value = data value × ``scale``; ``vmin``/``vmax`` are in displayed units.
    """

    kind: str
    cmap: str
    vmin: float
    vmax: float
    ticks: tuple[float, ...]
    unit_label: str = ""
    scale: float = 1.0
    log: bool = False
    extend: str = "neither"
    nodata_label: str = "no data"
    levels: tuple[float, ...] | None = None

    def norm(self) -> mcolors.Normalize:
        if self.levels is not None:
            return mcolors.BoundaryNorm(self.levels, ncolors=matplotlib.colormaps[self.cmap].N)
        if self.log:
            return mcolors.LogNorm(vmin=self.vmin, vmax=self.vmax)
        return mcolors.Normalize(vmin=self.vmin, vmax=self.vmax)

    def colormap(self) -> mcolors.Colormap:
        # Over/under keep the end colours (values beyond the range are clipped to them).
        # Non-finite cells are transparent here and drawn grey by a separate layer: cartopy
        # can wrap a pcolormesh across the antimeridian only if 'bad' is transparent.
        return matplotlib.colormaps[self.cmap].with_extremes(bad=(0.0, 0.0, 0.0, 0.0))


_FRACTION_LEVELS_PCT = (0.0, 50.0, 80.0, 90.0, 95.0, 98.0, 99.0, 99.9, 100.0)
_GAIN_M_LEVELS = (-2.0, -1.0, -0.5, -0.25, -0.1, 0.1, 0.25, 0.5, 1.0, 2.0)
_SPREAD_PP_LEVELS = (0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)

#: The colour scale of each kind of layer (see the module docstring).
STYLES: dict[str, LayerStyle] = {
    # Classes, not a linear ramp: a denial shows as 0-50 %, and 95 % still differs from
    # 99.9 % (on a linear 0-100 % ramp everything above 90 % looks the same).
    "fraction": LayerStyle("fraction", "viridis", 0.0, 100.0, _FRACTION_LEVELS_PCT,
                           unit_label="%", scale=100.0, levels=_FRACTION_LEVELS_PCT),
    "nsat": LayerStyle("nsat", "plasma", 0.0, 30.0, (0, 5, 10, 15, 20, 25, 30), extend="max"),
    "dop": LayerStyle("dop", "viridis_r", 0.5, 10.0, (0.5, 1, 1.5, 2, 3, 5, 10), log=True,
                      extend="both", nodata_label="no solution"),
    "gain": LayerStyle("gain", "PuOr", -1.0, 1.0, (-1, -0.5, 0, 0.5, 1), extend="both"),
    # metres of predicted error: classes from sub-metre (dual-frequency BDS-3) to tens of
    # metres (single-frequency, poor geometry); log spacing, fixed for every map
    "accuracy": LayerStyle("accuracy", "magma_r", 0.5, 50.0,
                           (0.5, 1, 1.5, 2, 3, 5, 10, 20, 50),
                           unit_label="m", extend="both", nodata_label="no solution",
                           levels=(0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0)),
    # classes: a combination gains tenths of a metre where both systems are good and
    # metres where one is poor; a linear ±2 m ramp shows the first as white
    "gain_m": LayerStyle("gain_m", "PuOr", -2.0, 2.0, _GAIN_M_LEVELS, unit_label="m",
                         extend="both", levels=_GAIN_M_LEVELS),
    # day-to-day spread of an availability, in percentage points: classes, as most of the
    # globe moves by well under 1 pp and a few regions by several
    "spread": LayerStyle("spread", "YlOrRd", 0.0, 50.0, _SPREAD_PP_LEVELS,
                         unit_label="percentage points", scale=100.0, extend="max",
                         levels=_SPREAD_PP_LEVELS),
}


# ----------------------------------------------------------------------------- base map data

def base_map_data_dir() -> Path:
    """Point cartopy at the shipped Natural Earth layers unless told otherwise; return the folder.

    Returns the directory cartopy will search first for shapefiles: ``CARTOPY_DATA_DIR``
    when that environment variable is set, a value the program already put in
    ``cartopy.config["pre_existing_data_dir"]``, or else :data:`NATURAL_EARTH_DIR`, which
    is then written into that setting.
    """
    env = os.environ.get("CARTOPY_DATA_DIR")
    if env:
        return Path(env)
    current = str(cartopy.config.get("pre_existing_data_dir") or "")
    if current not in ("", "."):
        return Path(current)
    cartopy.config["pre_existing_data_dir"] = NATURAL_EARTH_DIR
    return NATURAL_EARTH_DIR


# ----------------------------------------------------------------------------- selection

def layer_kind(variable: str, da: xr.DataArray | None = None) -> str:
    """Kind of colour scale (a key of :data:`STYLES`) of a layer.

    In order: ``da.attrs["plot_kind"]`` when present; the variable's entry in the
    catalogue (:mod:`gnss_interop.variables`), for every layer the pipeline writes; for
    a layer of the user's own, its name (``nsat*``, ``<dop>_*``, ``*gain*``/``*_diff``...,
    ``*availability*``/``*fraction``).

    Raises
    ------
    ValueError
        If the name matches no kind; pass ``kind=`` to the plotting function.
    """
    if da is not None and da.attrs.get("plot_kind"):
        kind = str(da.attrs["plot_kind"])
        if kind not in STYLES:
            raise ValueError(f"{variable}: plot_kind {kind!r} is not one of {sorted(STYLES)}")
        return kind
    entry = lookup(variable)
    if entry is not None:
        return entry.kind
    n = variable.lower()
    if n.startswith("nsat"):
        return "nsat"
    if n.split("_")[0] in DOP_NAMES:
        return "dop"
    if "gain" in n or n.endswith(("_change", "_diff", "_difference", "_delta", "_loss")):
        return "gain"
    if "availability" in n or n.endswith("fraction"):
        return "fraction"
    raise ValueError(f"no colour scale known for variable {variable!r}: pass kind= one of "
                     f"{sorted(STYLES)} (or set its attribute plot_kind)")


def _map_variables(ds: xr.Dataset) -> list[str]:
    return sorted(str(k) for k, v in ds.data_vars.items() if {"lat", "lon"} <= set(v.dims))


def _select(obj: xr.Dataset | xr.DataArray, variable: str | None,
            config: str | None) -> tuple[xr.DataArray, str, Mapping[str, Any], str | None]:
    """Return the (lat, lon) field, its name, the provenance attrs and the config name."""
    if isinstance(obj, xr.Dataset):
        if variable is None:
            raise ValueError(f"pass variable=, one of: {', '.join(_map_variables(obj))}")
        if variable not in obj.data_vars:
            raise ValueError(f"unknown variable {variable!r}; the dataset has these map "
                             f"layers: {', '.join(_map_variables(obj))}")
        da, attrs = obj[variable], obj.attrs
    elif isinstance(obj, xr.DataArray):
        da, attrs = obj, obj.attrs
        if variable is None:
            if obj.name is None:
                raise ValueError("the DataArray has no name: pass variable=")
            variable = str(obj.name)
    else:
        raise TypeError(f"expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    if "config" in da.dims:
        names = [str(c) for c in da["config"].values]
        if config is None:
            if len(names) != 1:
                raise ValueError(f"{variable} has configurations {names}: pass config=")
            config = names[0]
        if config not in names:
            raise ValueError(f"unknown configuration {config!r} for {variable}; available: "
                             f"{', '.join(names)}")
        da = da.sel(config=config)
    elif config is not None:
        raise ValueError(f"{variable} has no 'config' dimension (dims {da.dims}); "
                         f"do not pass config=")
    if set(da.dims) != {"lat", "lon"}:
        raise ValueError(f"{variable} must have dims (lat, lon) once a configuration is "
                         f"chosen; it has {da.dims}")
    return da.transpose("lat", "lon"), variable, attrs, config


def _edges(centres_deg: np.ndarray, name: str) -> np.ndarray:
    c = np.asarray(centres_deg, dtype=float)
    if c.ndim != 1 or c.size < 2 or not np.all(np.isfinite(c)):
        raise ValueError(f"{name} must be a 1-D coordinate of at least 2 finite cell centres")
    d = np.diff(c)
    if not (np.all(d > 0) or np.all(d < 0)):
        raise ValueError(f"{name} cell centres must be strictly monotonic")
    return np.concatenate([[c[0] - d[0] / 2], (c[:-1] + c[1:]) / 2, [c[-1] + d[-1] / 2]])


# ----------------------------------------------------------------------------- labels

def _span(attrs: Mapping[str, Any]) -> str:
    t0, t1 = attrs.get("time_start_gpst"), attrs.get("time_end_gpst")
    if not t0 or not t1:
        return ""

    def split(t: str) -> tuple[str, str]:
        day, _, clock = str(t).replace(" ", "T").partition("T")
        clock = clock[:8]
        return day, clock[:5] if clock.endswith(":00") else clock

    (d0, c0), (d1, c1) = split(t0), split(t1)
    if d0 == d1:
        return f"{d0} {c0}–{c1} GPST"
    return f"{d0} {c0} – {d1} {c1} GPST"


def _subtitle(attrs: Mapping[str, Any], scenario: str | None) -> str:
    parts = [scenario or str(attrs.get("scenario", "") or "")]
    parts.append(_span(attrs))
    if attrs.get("elevation_mask_deg") is not None:
        m = f"elevation mask {float(attrs['elevation_mask_deg']):g}°"
        if "horizon" in str(attrs.get("mask", "")):
            m += " + horizon"
        parts.append(m)
    if attrs.get("pdop_max") is not None:
        parts.append(f"available: PDOP ≤ {float(attrs['pdop_max']):g}")
    return "  ·  ".join(p for p in parts if p)


_STAT_WORDS = {"mean": "mean over epochs with a solution", "p95": "95th percentile",
               "max": "maximum", "min": "minimum"}


def _layer_label(variable: str, da: xr.DataArray, attrs: Mapping[str, Any],
                 style: LayerStyle) -> tuple[str, str]:
    """Return (title text, colour-bar label with units) of a layer."""
    n = variable.lower()
    head, _, stat = n.partition("_")
    short = None
    if n == "availability":
        pmax = attrs.get("pdop_max")
        short = "Availability"
        text = (f"availability (solution with PDOP ≤ {float(pmax):g})" if pmax is not None
                else "availability")
    elif n == "solution_fraction":
        text = "epochs with a position solution"
    elif head == "nsat" and stat in _STAT_WORDS:
        text = f"{'mean' if stat == 'mean' else _STAT_WORDS[stat]} number of visible satellites"
    elif head in DOP_NAMES and stat in _STAT_WORDS:
        text = f"{head.upper()}, {_STAT_WORDS[stat]}"
    elif n == "hacc95_p95":
        short = "Horizontal accuracy"
        text = "95 % horizontal error, 95th percentile over time"
    elif n == "vacc95_p95":
        short = "Vertical accuracy"
        text = "95 % vertical error, 95th percentile over time"
    elif n == "accuracy_availability":
        short = "Accuracy availability"
        limit = str(attrs.get("accuracy_limit") or "predicted 95 % errors")
        text = f"accuracy availability ({limit.replace('<=', '≤')})"
    else:
        text = str(da.attrs.get("long_name") or variable)
    unit = style.unit_label
    if not unit and da.attrs.get("units") not in (None, "", "1"):
        unit = str(da.attrs["units"])
    short = short or text[:1].upper() + text[1:]
    label = f"{text} [{unit}]" if unit else text
    # metres (and the accuracy availability) hold only for one receiver's error budget
    if attrs.get("receiver_profile") and (da.attrs.get("units") == "m"
                                          or n == "accuracy_availability"):
        label += f"  ·  receiver {attrs['receiver_profile']}"
    return short, label


# ----------------------------------------------------------------------------- outlines

def _as_outline(item: Any) -> list[tuple[np.ndarray, np.ndarray, str | None]]:
    """Normalise one outline to [(lon_deg, lat_deg, label)], several for multi-polygons."""
    label = None
    if isinstance(item, Mapping):
        lon, lat = item.get("lon_deg"), item.get("lat_deg")
        label = item.get("label") or item.get("name")
    elif hasattr(item, "geoms"):  # shapely multi-geometry
        return [o for g in item.geoms for o in _as_outline(g)]
    elif hasattr(item, "exterior"):  # shapely Polygon
        x, y = item.exterior.xy
        lon, lat = np.asarray(x), np.asarray(y)
    elif hasattr(item, "lon_deg") and hasattr(item, "lat_deg"):
        lon, lat = item.lon_deg, item.lat_deg
        label = getattr(item, "label", None) or getattr(item, "name", None)
    elif isinstance(item, Sequence) and len(item) in (2, 3) and not isinstance(item, str):
        lon, lat = item[0], item[1]
        label = item[2] if len(item) == 3 else None
    else:
        raise TypeError(f"an outline must be (lon_deg, lat_deg[, label]), a mapping with "
                        f"lon_deg/lat_deg[/label], or a shapely polygon; got {item!r:.80}")
    if lon is None or lat is None:
        raise ValueError("an outline needs both lon_deg and lat_deg")
    lon = np.asarray(lon, dtype=float).ravel()
    lat = np.asarray(lat, dtype=float).ravel()
    if lon.shape != lat.shape or lon.size < 3:
        raise ValueError(f"an outline needs matching lon/lat arrays of at least 3 vertices "
                         f"(got {lon.size} and {lat.size})")
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        raise ValueError(f"outline {label or ''} has non-finite vertices".replace("  ", " "))
    if np.any(np.abs(lat) > 90):
        raise ValueError(f"outline {label or ''} has latitudes beyond ±90°".replace("  ", " "))
    if lon[0] != lon[-1] or lat[0] != lat[-1]:
        lon, lat = np.append(lon, lon[0]), np.append(lat, lat[0])
    # Unwrap so that a region across the antimeridian is one shape, not a line round the world.
    lon = np.degrees(np.unwrap(np.radians(lon)))
    return [(lon, lat, None if label is None else str(label))]


def _draw_outlines(ax: GeoAxes, outlines: Iterable[Any]) -> bool:
    halo_line = [patheffects.Stroke(linewidth=3.4, foreground="white"), patheffects.Normal()]
    halo_text = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    drawn = False
    pc = ccrs.PlateCarree()
    for item in outlines:
        for lon, lat, label in _as_outline(item):
            ax.plot(lon, lat, transform=pc, color=OUTLINE_COLOUR, linewidth=1.6,
                    linestyle=(0, (4.0, 2.0)), path_effects=halo_line, zorder=6)
            drawn = True
            if label:
                # Label above the region, growing towards the map centre so that it is
                # never cut by the map's east/west edge: right-aligned on the region's
                # east edge in the eastern third, left-aligned on its west edge in the
                # western third, centred otherwise.
                centre = (float(np.mean(lon[:-1])) + 180.0) % 360.0 - 180.0
                if centre > 60.0:
                    lon_label, ha = float(np.max(lon)), "right"
                elif centre < -60.0:
                    lon_label, ha = float(np.min(lon)), "left"
                else:
                    lon_label, ha = centre, "center"
                lon_label = float(np.clip(lon_label, -170.0, 170.0))
                ax.text(lon_label, min(float(lat.max()) + 1.5, 85.0), label, transform=pc,
                        ha=ha, va="bottom", fontsize=8, fontweight="bold",
                        color=OUTLINE_COLOUR, path_effects=halo_text, zorder=7, clip_on=True)
    return drawn


# ----------------------------------------------------------------------------- drawing

def _projection(projection: str | ccrs.Projection) -> ccrs.Projection:
    if isinstance(projection, ccrs.Projection):
        return projection
    key = str(projection).lower().replace("_", "").replace(" ", "")
    if key == "robinson":
        return ccrs.Robinson()
    if key == "platecarree":
        return ccrs.PlateCarree()
    raise ValueError(f"unknown projection {projection!r}; use one of {_PROJECTIONS} "
                     f"or a cartopy Projection")


def _new_figure(figsize: tuple[float, float]) -> Figure:
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _contiguous_lon(da: xr.DataArray) -> xr.DataArray:
    """Longitudes increasing without a gap: wrapped to [-180, 180), the duplicate ±180 column
    of node grids dropped, and a regional grid across the antimeridian continued past 180°."""
    lon = (np.asarray(da["lon"].values, dtype=float) + 180.0) % 360.0 - 180.0
    da = da.assign_coords(lon=lon).sortby("lon")
    _, first = np.unique(da["lon"].values, return_index=True)
    da = da.isel(lon=first)
    lon = np.asarray(da["lon"].values)
    if lon.size > 2:
        d = np.diff(lon)
        k = int(np.argmax(d))
        if d[k] > 1.5 * np.min(d) and d[k] > lon[0] + 360.0 - lon[-1]:
            # the widest gap is inside: the grid crosses the antimeridian
            da = da.roll(lon=-(k + 1), roll_coords=True)
            lon = np.asarray(da["lon"].values).copy()
            lon[lon.size - (k + 1):] += 360.0
            da = da.assign_coords(lon=lon)
    return da


def _draw_field(ax: GeoAxes, da: xr.DataArray, style: LayerStyle, variable: str,
                resolution: str, outlines: Sequence[Any]) -> tuple[Any, bool, bool]:
    """Draw one (lat, lon) field with base map and outlines; return (mesh, has_nodata, outlined)."""
    da = _contiguous_lon(da)
    values = np.asarray(da.values, dtype=float) * style.scale
    bad = ~np.isfinite(values)
    if style.kind == "fraction":
        ok = values[~bad]
        if ok.size and (ok.min() < -1e-9 or ok.max() > 100 + 1e-9):
            raise ValueError(f"{variable} is not a fraction in 0..1 (range {ok.min() / 100:g}.."
                             f"{ok.max() / 100:g}); pass kind= for another colour scale")
    lon_e = _edges(da["lon"].values, "lon")
    lat_e = np.clip(_edges(da["lat"].values, "lat"), -90.0, 90.0)
    pc = ccrs.PlateCarree()
    mesh = ax.pcolormesh(lon_e, lat_e, np.ma.masked_array(values, mask=bad),
                         cmap=style.colormap(), norm=style.norm(), shading="flat",
                         transform=pc, rasterized=True, zorder=1)
    if bad.any():
        nodata_cmap = mcolors.ListedColormap([NODATA_COLOUR]).with_extremes(
            bad=(0.0, 0.0, 0.0, 0.0))
        ax.pcolormesh(lon_e, lat_e, np.ma.masked_array(np.zeros(values.shape), mask=~bad),
                      cmap=nodata_cmap, vmin=0.0, vmax=1.0, shading="flat", transform=pc,
                      rasterized=True, zorder=1)
    base_map_data_dir()
    ax.add_feature(cfeature.NaturalEarthFeature("cultural", "admin_0_boundary_lines_land",
                                                resolution), facecolor="none",
                   edgecolor="0.2", linewidth=0.35, zorder=3)
    ax.coastlines(resolution=resolution, color="black", linewidth=0.6, zorder=4)
    ax.gridlines(xlocs=range(-180, 181, 30), ylocs=range(-90, 91, 30), color="0.35",
                 linewidth=0.3, alpha=0.5, zorder=2)
    ax.set_global()
    outlined = _draw_outlines(ax, outlines)
    return mesh, bool(bad.any()), outlined


def _legend_handles(style: LayerStyle, has_nodata: bool, outlined: bool) -> list[Any]:
    handles: list[Any] = []
    if has_nodata:
        handles.append(Patch(facecolor=NODATA_COLOUR, edgecolor="0.3", linewidth=0.5,
                             label=style.nodata_label))
    if outlined:
        handles.append(Line2D([], [], color=OUTLINE_COLOUR, linewidth=1.6,
                              linestyle=(0, (4.0, 2.0)), label="degraded region"))
    return handles


def _colorbar(fig: Figure, mesh: Any, axes: Any, style: LayerStyle, label: str,
              handles: list[Any], shrink: float, fontsize: float) -> Any:
    cbar = fig.colorbar(mesh, ax=axes, orientation="horizontal", shrink=shrink, aspect=40,
                        pad=0.03, extend=style.extend, ticks=list(style.ticks))
    cbar.ax.set_xticklabels([f"{t:g}" for t in style.ticks])
    cbar.ax.minorticks_off()
    cbar.ax.tick_params(labelsize=fontsize - 1)
    cbar.set_label(label, fontsize=fontsize)
    if handles:
        cbar.ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.03, 0.5),
                       fontsize=fontsize - 1, frameon=False, handlelength=2.2)
    return cbar


def _resolve_kind(variable: str, da: xr.DataArray, kind: str | None) -> LayerStyle:
    """The layer's style; a ``nodata_label`` attribute names what its NaN cells mean."""
    if kind is not None:
        if kind not in STYLES:
            raise ValueError(f"unknown kind {kind!r}; use one of {sorted(STYLES)}")
        style = STYLES[kind]
    else:
        style = STYLES[layer_kind(variable, da)]
    if da.attrs.get("nodata_label"):
        style = dataclasses.replace(style, nodata_label=str(da.attrs["nodata_label"]))
    return style


def plot_layer(
    ds_or_da: xr.Dataset | xr.DataArray,
    variable: str | None = None,
    config: str | None = None,
    *,
    title: str | None = None,
    scenario: str | None = None,
    outlines: Sequence[Any] = (),
    ax: GeoAxes | None = None,
    projection: str | ccrs.Projection = "robinson",
    resolution: str = "110m",
    kind: str | None = None,
) -> Figure:
    """Draw one coverage layer as a global map with its fixed colour scale.

    Parameters
    ----------
    ds_or_da : xarray.Dataset or xarray.DataArray
        Coverage statistics (dims ``(config, lat, lon)`` or ``(lat, lon)``; lat/lon are
        cell centres in degrees), or one such field.
    variable : str, optional
        Name of the layer in the Dataset, e.g. ``"availability"`` or ``"pdop_p95"``.
        Defaults to the DataArray's name.
    config : str, optional
        Configuration to draw (``"C"``, ``"R"``, ``"C+R"``, ...); required when the layer
        has several. Must be omitted for layers without a ``config`` dimension.
    title : str, optional
        Complete title (may contain newlines). By default: layer and configuration, then
        scenario, time span (GPST), elevation mask and PDOP threshold from the attributes.
    scenario : str, optional
        Scenario name for the default title (else ``attrs["scenario"]`` if present).
    outlines : sequence, optional
        Degradation regions, each ``(lon_deg, lat_deg)`` or ``(lon_deg, lat_deg, label)``
        (closed or not: they are closed), a mapping with keys ``lon_deg``, ``lat_deg``,
        ``label``, an object with such attributes, or a shapely polygon. Edges are straight
        in longitude/latitude.
    ax : cartopy GeoAxes, optional
        Axes to draw into (its figure gets the colour bar); a new figure by default.
    projection : {"robinson", "platecarree"} or cartopy Projection
        Projection of a new figure.
    resolution : str
        Natural Earth scale of the base map: ``"110m"`` is shipped; finer ones need
        ``CARTOPY_DATA_DIR`` (see the module docstring).
    kind : str, optional
        Colour scale to use (a key of :data:`STYLES`) instead of the one implied by the name.

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot; save it with :func:`save_figure`.

    Raises
    ------
    ValueError
        Unknown variable (the message lists the available ones), configuration, kind or
        projection; a fraction outside 0..1; malformed outlines.
    """
    da, variable, attrs, config = _select(ds_or_da, variable, config)
    style = _resolve_kind(variable, da, kind)
    if ax is None:
        fig = _new_figure((8.0, 5.0))
        ax = fig.add_subplot(1, 1, 1, projection=_projection(projection))
    else:
        if not isinstance(ax, GeoAxes):
            raise TypeError("ax must be a cartopy GeoAxes (add_subplot(projection=...))")
        fig = ax.get_figure(root=True)
    mesh, has_nodata, outlined = _draw_field(ax, da, style, variable, resolution, outlines)
    head, label = _layer_label(variable, da, attrs, style)
    if title is None:
        if config is not None:
            head += f" — {config}"
        sub = _subtitle(attrs, scenario)
        title = f"{head}\n{sub}" if sub else head
    ax.set_title(title, fontsize=10)
    _colorbar(fig, mesh, ax, style, label, _legend_handles(style, has_nodata, outlined),
              shrink=0.75, fontsize=9)
    return fig


def plot_panel(
    ds: xr.Dataset,
    variable: str,
    configs: Sequence[str] | None = None,
    *,
    title: str | None = None,
    scenario: str | None = None,
    outlines: Sequence[Any] = (),
    projection: str | ccrs.Projection = "robinson",
    resolution: str = "110m",
    kind: str | None = None,
) -> Figure:
    """Draw one layer for several configurations side by side with one shared colour bar.

    Parameters
    ----------
    ds : xarray.Dataset
        Coverage statistics with a ``config`` dimension.
    variable : str
        Layer to draw, e.g. ``"availability"``.
    configs : sequence of str
        Configurations, left to right (default: each primary system alone and together,
        C | R | C+R).
    title, scenario, outlines, projection, resolution, kind
        As for :func:`plot_layer`; ``title`` replaces the figure's overall title.

    Returns
    -------
    matplotlib.figure.Figure
        One map axes per configuration plus the colour bar.
    """
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"plot_panel needs an xarray Dataset, got {type(ds).__name__}")
    if configs is None:
        configs = [c.name for c in combinations(interop=False)]
    configs = [configs] if isinstance(configs, str) else list(configs)
    if not configs:
        raise ValueError("configs is empty")
    fields = [_select(ds, variable, c) for c in configs]
    style = _resolve_kind(variable, fields[0][0], kind)
    proj = _projection(projection)
    n = len(configs)
    fig = _new_figure((4.3 * n, 3.6))
    fig.get_layout_engine().set(wspace=0.03)
    axes = []
    has_nodata = outlined = False
    mesh = None
    for i, (da, _, _, config) in enumerate(fields):
        ax = fig.add_subplot(1, n, i + 1, projection=proj)
        mesh, nd, ol = _draw_field(ax, da, style, variable, resolution, outlines)
        has_nodata |= nd
        outlined |= ol
        ax.set_title(config_title(str(config)), fontsize=12)
        axes.append(ax)
    head, label = _layer_label(variable, fields[0][0], ds.attrs, style)
    if title is None:
        sub = _subtitle(ds.attrs, scenario)
        title = f"{head}\n{sub}" if sub else head
    fig.suptitle(title, fontsize=13)
    _colorbar(fig, mesh, axes, style, label, _legend_handles(style, has_nodata, outlined),
              shrink=0.45, fontsize=12)
    return fig


# ----------------------------------------------------------------------------- saving

def _metadata(fmt: str) -> dict[str, Any]:
    from gnss_interop._version import __version__

    creator = f"gnss_interop {__version__} (matplotlib {matplotlib.__version__})"
    if fmt == "png":
        return {"Software": creator}
    if fmt == "pdf":
        return {"Creator": creator, "CreationDate": None}  # reproducible files
    return {"Creator": creator, "Date": None}


def save_figure(fig: Figure, path: str | os.PathLike, formats: Sequence[str] = ("png",), *,
                dpi: float = 170) -> list[Path]:
    """Save a figure atomically in one or more formats.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or path-like
        Output path; a suffix naming a supported format (``.png``, ``.pdf``, ``.svg``) is
        replaced by each requested format's, any other suffix is kept
        (``maps/avail`` → ``maps/avail.png``).
    formats : sequence of {"png", "pdf", "svg"}
        Formats to write; PNG by default.
    dpi : float
        Resolution of the PNG and of the rasterised map cells in PDF/SVG. The default, 170,
        gives a single map about 1300 px wide, sharp on a report page.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.
    """
    fmts = [str(f).lower().lstrip(".") for f in ([formats] if isinstance(formats, str)
                                                  else formats)]
    unknown = [f for f in fmts if f not in _FORMATS]
    if unknown or not fmts:
        raise ValueError(f"unsupported format(s) {unknown or fmts}; use one or more of {_FORMATS}")
    base = Path(path)
    if base.suffix.lower().lstrip(".") in _FORMATS:
        base = base.with_suffix("")
    written = []
    for fmt in dict.fromkeys(fmts):
        out = base.with_name(f"{base.name}.{fmt}")
        with atomic_path(out) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.08,
                        metadata=_metadata(fmt), facecolor="white")
        written.append(out)
    return written
