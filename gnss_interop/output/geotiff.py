"""GeoTIFF export of one (lat, lon) coverage layer (EPSG:4326), written atomically.

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

__all__ = ["to_geotiff"]


# ----------------------------------------------------------------------------- GeoTIFF

def _regular_step(c: np.ndarray, name: str) -> float:
    if c.size < 2:
        raise ValueError(f"{name} needs at least 2 cells for a GeoTIFF")
    d = np.diff(c)
    if not np.allclose(d, d[0], rtol=1e-6, atol=1e-9) or d[0] == 0:
        raise ValueError(f"{name} is not regularly spaced: a GeoTIFF needs a regular grid")
    return float(d[0])


def to_geotiff(da_2d: xr.DataArray, path: str | os.PathLike, *,
               tags: Mapping[str, Any] | None = None, registration: str | None = None) -> Path:
    """Write one (lat, lon) layer to a north-up GeoTIFF in EPSG:4326 (deflate), atomically.

    Parameters
    ----------
    da_2d : xarray.DataArray
        Dims ``lat`` and ``lon`` (degrees, regularly spaced, any order),
        e.g. ``ds["availability"].sel(config="C+R")``. Scalar coordinates such as ``config``
        are kept as GeoTIFF tags, as are the DataArray's attributes.
    path : str or path-like
        Output file (``.tif``).
    tags : mapping, optional
        Extra GeoTIFF metadata tags (e.g. scenario name, input files).
    registration : {"node", "cell"}, optional
        ``"node"``: values are samples at the grid points (tagged ``AREA_OR_POINT=Point``);
        ``"cell"``: values are cell averages (``AREA_OR_POINT=Area``). Default: ``"node"``
        when the latitudes include ±90°, else ``"cell"``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the array is not 2-D over (lat, lon) or the grid is not regular.

    Notes
    -----
    Follows rioxarray's most robust path: rename lat/lon to y/x, sort y descending
    (north-up), ``write_crs("EPSG:4326")``, ``to_raster(compress="deflate")``. Float cells
    keep NaN and ±inf as they are (NaN is declared as nodata).
    """
    try:
        import rioxarray  # noqa: F401  (registers the .rio accessor)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("GeoTIFF export needs rioxarray (a dependency of gnss-interop): pip install rioxarray"
                          ) from exc
    if not isinstance(da_2d, xr.DataArray):
        raise TypeError(f"expected an xarray DataArray, got {type(da_2d).__name__}")
    if set(da_2d.dims) != {"lat", "lon"}:
        hint = " (select one configuration, e.g. .sel(config='C+R'))" \
            if "config" in da_2d.dims else ""
        raise ValueError(f"to_geotiff needs a 2-D (lat, lon) array, got dims {da_2d.dims}{hint}")
    lat = np.asarray(da_2d["lat"].values, dtype=float)
    lon = np.asarray(da_2d["lon"].values, dtype=float)
    _regular_step(np.sort(lat), "lat")
    _regular_step(np.sort(lon), "lon")

    meta: dict[str, str] = {}
    for name, coord in da_2d.coords.items():
        if coord.ndim == 0 and name not in ("lat", "lon"):
            meta[str(name)] = str(coord.values)
    for k, v in da_2d.attrs.items():
        if k != "grid_mapping":
            meta[str(k)] = str(v)
    for k, v in (tags or {}).items():
        meta[str(k)] = str(v)
    if da_2d.name is not None:
        meta.setdefault("variable", str(da_2d.name))
    # Node-registered grids (values at the grid points, e.g. lat -90..90 inclusive) are point
    # samples: say so, rather than pretend each value covers a cell reaching past the poles.
    if registration is None:
        registration = "node" if np.any(np.isclose(np.abs(lat), 90.0)) else "cell"
    if registration not in ("node", "cell"):
        raise ValueError(f"registration must be 'node' or 'cell', got {registration!r}")
    meta["AREA_OR_POINT"] = "Point" if registration == "node" else "Area"

    da = xr.DataArray(np.asarray(da_2d.transpose("lat", "lon").values),
                      coords={"y": lat, "x": lon}, dims=("y", "x"), name=da_2d.name,
                      attrs={k: v for k, v in meta.items() if k in ("long_name", "units")})
    da = da.sortby("y", ascending=False).sortby("x")
    da = da.rio.write_crs("EPSG:4326")
    if np.issubdtype(da.dtype, np.floating):
        da = da.rio.write_nodata(np.nan, encoded=False)
    path = Path(path)
    with atomic_path(path) as tmp:
        da.rio.to_raster(tmp, driver="GTiff", compress="deflate", tags=meta)
    return path
