"""GeoTIFF export of (lat, lon) coverage layers (EPSG:4326), written atomically.

What a GIS user gets (QGIS, GDAL):

* float layers in **float32** (NaN = nodata; ±inf kept where the layer means "never a
  solution"), integer layers in their own type;
* a **band description** that names the layer, its configuration and what it holds
  (QGIS shows ``Band 1: availability, C+R: fraction of epochs ...``), the unit as the band
  unit, and band statistics over the finite values (``STATISTICS_*``) so that a default
  stretch is not broken by +inf;
* **extents within ±90° latitude**: a value is drawn as a cell of one grid step centred on
  its node. On a node grid whose rows include the poles that cell would reach ±(90 + step/2)°,
  so those rows are left out of the GeoTIFF (every node of a pole row is the same point, the
  pole, so nothing of the area is lost; the NetCDF keeps them) and the tag ``pole_rows`` says
  so. Longitudes are written as they are (a node at −180° covers −180 ± step/2).

NetCDF output of whole coverage Datasets is :func:`gnss_interop.output.netcdf.write_netcdf`;
tables are in :mod:`gnss_interop.output.tables`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gnss_interop.output.atomic import atomic_path

__all__ = ["band_description", "to_geotiff"]


# ----------------------------------------------------------------------------- GeoTIFF

def _regular_step(c: np.ndarray, name: str) -> float:
    if c.size < 2:
        raise ValueError(f"{name} needs at least 2 cells for a GeoTIFF")
    d = np.diff(c)
    if not np.allclose(d, d[0], rtol=1e-6, atol=1e-9) or d[0] == 0:
        raise ValueError(f"{name} is not regularly spaced: a GeoTIFF needs a regular grid")
    return float(d[0])


def band_description(name: str | None, attrs: Mapping[str, Any], config: str | None = None
                     ) -> str:
    """What QGIS shows for a band: ``"<name>, <config>: <long name> [<units>]"``.

    The unit is left out when it is ``"1"`` (a fraction, a count, a DOP).
    """
    head = ", ".join(p for p in (name, config) if p)
    long_name = str(attrs.get("long_name", "")).strip()
    units = str(attrs.get("units", "")).strip()
    text = f"{head}: {long_name}" if head and long_name else (head or long_name)
    return f"{text} [{units}]" if units and units != "1" else text


def _finite_statistics(values: np.ndarray) -> dict[str, str]:
    """GDAL band statistics over the finite values (what QGIS stretches a band with)."""
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        return {}
    return {"STATISTICS_MINIMUM": f"{finite.min():.9g}",
            "STATISTICS_MAXIMUM": f"{finite.max():.9g}",
            "STATISTICS_MEAN": f"{finite.mean():.9g}", "STATISTICS_STDDEV": f"{finite.std():.9g}",
            "STATISTICS_VALID_PERCENT": f"{100.0 * finite.size / v.size:.6g}"}


def to_geotiff(da: xr.DataArray, path: str | os.PathLike, *,
               tags: Mapping[str, Any] | None = None, registration: str | None = None,
               bands: str | None = None, float_dtype: Any = np.float32) -> Path:
    """Write a (lat, lon) layer to a north-up GeoTIFF in EPSG:4326 (deflate), atomically.

    Parameters
    ----------
    da : xarray.DataArray
        Dims ``lat`` and ``lon`` (degrees, regularly spaced, any order), e.g.
        ``ds["availability"].sel(config="C+R")``; with ``bands``, also that dimension
        (one band per value, e.g. every configuration). Scalar coordinates such as
        ``config`` are kept as GeoTIFF tags, as are the DataArray's attributes.
    path : str or path-like
        Output file (``.tif``).
    tags : mapping, optional
        Extra GeoTIFF metadata tags (e.g. scenario name, input files).
    registration : {"node", "cell"}, optional
        ``"node"``: values are samples at the grid points (tagged ``AREA_OR_POINT=Point``);
        ``"cell"``: values are cell averages (``AREA_OR_POINT=Area``). Default: ``"node"``
        when the latitudes include ±90°, else ``"cell"``.
    bands : str, optional
        Name of a third dimension written as bands (e.g. ``"config"``); each band's
        description and ``<bands>`` tag name its value.
    float_dtype : numpy dtype, optional
        Type of float layers in the file [default float32]; integers keep their type.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the array is not over (lat, lon) (plus ``bands``) or the grid is not regular.

    Notes
    -----
    Rows whose cell would reach beyond ±90° (the pole rows of a node grid) are left out;
    see the module docstring.
    """
    try:
        import rasterio
        from rasterio import Affine
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("GeoTIFF export needs rioxarray/rasterio (a dependency of "
                          "gnss-interop): pip install rioxarray") from exc
    if not isinstance(da, xr.DataArray):
        raise TypeError(f"expected an xarray DataArray, got {type(da).__name__}")
    want = {"lat", "lon"} | ({bands} if bands else set())
    if set(da.dims) != want:
        hint = " (select one configuration, e.g. .sel(config='C+R'), or pass bands='config')" \
            if "config" in da.dims and not bands else ""
        plus = f" plus {bands}" if bands else ""
        raise ValueError(f"to_geotiff needs a 2-D (lat, lon) array{plus}, got dims {da.dims}{hint}")
    if bands is None:
        da = da.expand_dims("__band__")
        band_dim = "__band__"
    else:
        band_dim = bands
    da = da.transpose(band_dim, "lat", "lon").sortby("lat", ascending=False).sortby("lon")
    lat = np.asarray(da["lat"].values, dtype=float)
    lon = np.asarray(da["lon"].values, dtype=float)
    dlat = abs(_regular_step(lat[::-1], "lat"))
    dlon = _regular_step(lon, "lon")

    meta: dict[str, str] = {}
    for name, coord in da.coords.items():
        if coord.ndim == 0 and name not in ("lat", "lon"):
            meta[str(name)] = str(coord.values)
    for k, v in da.attrs.items():
        if k != "grid_mapping":
            meta[str(k)] = str(v)
    for k, v in (tags or {}).items():
        meta[str(k)] = str(v)
    if da.name is not None:
        meta.setdefault("variable", str(da.name))
    # Node-registered grids (values at the grid points, e.g. lat -90..90 inclusive) are point
    # samples: say so, rather than pretend each value covers a cell reaching past the poles.
    if registration is None:
        registration = "node" if np.any(np.isclose(np.abs(lat), 90.0)) else "cell"
    if registration not in ("node", "cell"):
        raise ValueError(f"registration must be 'node' or 'cell', got {registration!r}")
    meta["AREA_OR_POINT"] = "Point" if registration == "node" else "Area"
    # extents within ±90°: leave out the rows whose cell would reach past a pole
    inside = np.abs(lat) + dlat / 2 <= 90.0 + 1e-9
    if not inside.all():
        dropped = ", ".join(f"{v:g}" for v in lat[~inside])
        meta["pole_rows"] = (f"rows at latitude {dropped} deg left out: their cells would "
                             f"reach past the pole (each is the single pole point; the NetCDF "
                             f"keeps them)")
        da, lat = da.isel(lat=np.flatnonzero(inside)), lat[inside]
        if lat.size == 0:
            raise ValueError("no latitude row of the grid fits within ±90°")

    values = np.asarray(da.values)
    if np.issubdtype(values.dtype, np.floating):
        values = values.astype(float_dtype)
        nodata: float | None = float("nan")
    elif values.dtype == np.bool_:
        values = values.astype(np.uint8)
        nodata = None
    else:
        nodata = None
    n_bands = values.shape[0]
    units = str(da.attrs.get("units", "")).strip()
    band_values = [None] * n_bands if bands is None else [str(v) for v in da[bands].values]
    scalar_config = str(da.coords["config"].values) if "config" in da.coords and \
        da.coords["config"].ndim == 0 else None
    # north-up, pixel-is-area corners (built directly: affine's `*` is deprecated)
    transform = Affine(dlon, 0.0, float(lon[0]) - dlon / 2, 0.0, -dlat, float(lat[0]) + dlat / 2)
    path = Path(path)
    with atomic_path(path) as tmp:
        with rasterio.open(tmp, "w", driver="GTiff", width=lon.size, height=lat.size,
                           count=n_bands, dtype=values.dtype, crs="EPSG:4326",
                           transform=transform, nodata=nodata, compress="deflate") as dst:
            dst.update_tags(**meta)
            dst.write(values)
            for k in range(n_bands):
                label = band_values[k] if bands else scalar_config
                dst.set_band_description(k + 1, band_description(
                    None if da.name is None else str(da.name), da.attrs, label))
                if units and units != "1":
                    dst.set_band_unit(k + 1, units)
                band_tags = _finite_statistics(values[k])
                if bands:
                    band_tags[bands] = band_values[k]
                dst.update_tags(k + 1, **band_tags)
    return path
