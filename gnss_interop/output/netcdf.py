"""NetCDF-4 output of coverage Datasets (CF-1.11), written atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gnss_interop.output.atomic import atomic_path

__all__ = ["write_netcdf"]


def write_netcdf(ds: xr.Dataset, path: str | os.PathLike, *, float32: bool = True,
                 complevel: int = 4) -> Path:
    """Write ``ds`` to NetCDF-4 (engine netcdf4, zlib) atomically (temp file + rename).

    Float data variables are stored as float32 by default (DOP resolution
    ~1e-7 relative, far below their meaning); NaN is the fill value.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    enc: dict[str, dict] = {}
    ds = ds.copy(deep=False)
    for name, var in ds.data_vars.items():
        if var.ndim == 0:
            continue
        e: dict[str, Any] = {"zlib": True, "complevel": int(complevel)}
        if np.issubdtype(var.dtype, np.floating):
            stored = np.float32 if float32 else np.float64
            e["dtype"] = stored
            e["_FillValue"] = np.nan
            # CF: valid_min/valid_max/valid_range have the type of the stored data
            attrs = dict(var.attrs)
            for key in ("valid_min", "valid_max", "valid_range"):
                if key in attrs:
                    attrs[key] = np.asarray(attrs[key], dtype=stored)[()] if key != "valid_range" \
                        else np.asarray(attrs[key], dtype=stored)
            ds[name].attrs = attrs
        enc[name] = e
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4", encoding=enc)
    return path
