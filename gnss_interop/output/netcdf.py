"""NetCDF-4 output of coverage Datasets (CF-1.11), written atomically.

The CF packaging is done here, when the file is written, so that the in-memory Datasets
stay as the engine and the scenarios build them (``(config, lat, lon)`` layers, a
``config`` index of strings). What the file adds or changes:

* **Coordinates** carry no ``_FillValue`` (CF §2.5.1: coordinate variables hold no
  missing data).
* **Strings** (``config``, ``config_description``, satellite names) are NC_CHAR arrays
  with ``_Encoding = "utf-8"``, not NC_STRING. xarray decodes them back to ``str``, so
  ``xr.open_dataset(f).sel(config="C+R")`` works on the file as on the in-memory Dataset;
  a 2-D char array is not a CF coordinate variable (those are 1-D and numeric), so neither
  compliance-checker (whose monotonicity check fails on a 1-D string ``config``) nor CF
  objects to it, and GDAL opens every layer (it numbers the bands 1..n along ``config``:
  QGIS shows ``Band k: config=k`` for the k-th configuration, see :data:`BAND_NOTE`).
  An integer ``config`` with ``flag_values``/``flag_meanings`` would be as GDAL-friendly
  but would break ``sel(config="C+R")`` for every xarray reader, and CF flag meanings
  cannot hold the ``/`` of ``C+R/interop``.
* **Times** are ``seconds since 1980-01-06 00:00:00`` (the GPS epoch) in the standard
  calendar with ``units_metadata = "leap_seconds: none"``: the tool's times are GPST,
  a time scale without leap seconds.
* **Statistics period**: every layer that reduces the epochs (``cell_methods =
  "time: mean"`` and the like, availability, percentiles, derived layers) gets a scalar
  coordinate ``time`` (standard_name ``time``; value the middle of the period) with
  bounds ``time_bnds`` = [first epoch, last epoch + step] (the step each epoch stands
  for; [first, last] if the step is irregular), so the cell method names a coordinate
  of the variable (CF §7.3) and the period is machine-readable. A scalar coordinate is
  CF's form of a size-one coordinate (§5.7): it keeps the layers ``(config, lat, lon)``
  for xarray and GDAL. Files with per-epoch values (``keep_time``) already have a
  ``time`` dimension; there the statistics' period coordinate is ``time_period`` (bounds
  ``time_period_bnds``) and their cell methods name it. Layers along a time axis (per
  epoch, or per GPST ``day``) get no period coordinate; their axis gets
  ``standard_name = "time"``. compliance-checker 6.1 warns that a scalar coordinate's
  bounds have one dimension: CF §7.1 asks exactly that (one more than the coordinate).
* **Float layers** are float32 (DOP resolution ~1e-7 relative, far below their meaning)
  with NaN as the fill value; ``valid_min``/``valid_max``/``valid_range`` have the type
  of the stored data (CF §2.5.1).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gnss_interop.output.atomic import atomic_path

__all__ = ["BAND_NOTE", "GPS_EPOCH_UNITS", "cf_encode", "statistics_period", "write_netcdf"]

#: CF time units of every time the tool writes: seconds since the GPS epoch (GPST).
GPS_EPOCH_UNITS = "seconds since 1980-01-06 00:00:00"
#: CF 1.11 §4.4.3: GPST has no leap seconds.
_UNITS_METADATA = "leap_seconds: none"
#: How GDAL and QGIS number the bands of a ``(config, lat, lon)`` layer (written on ``config``).
BAND_NOTE = ("GDAL/QGIS open each layer as one band per configuration, numbered in the order "
             "of this variable (QGIS: 'Band k: config=k')")


def _parse_step_s(text: Any) -> float | None:
    try:
        step = float(text)
    except (TypeError, ValueError):
        return None
    return step if np.isfinite(step) and step > 0 else None


def statistics_period(ds: xr.Dataset) -> tuple[np.datetime64, np.datetime64] | None:
    """The period [start, end] (GPST, ns) that the Dataset's time statistics cover.

    From the ``time`` coordinate when the Dataset keeps its epochs, else from the
    attributes ``time_start_gpst``, ``time_end_gpst`` (first and last epoch) and
    ``time_step_s`` the engine writes. ``end`` is the last epoch plus the step (each
    epoch stands for one step), or the last epoch when the step is irregular or unknown.
    ``None`` if the Dataset does not say.
    """
    step_s: float | None
    if "time" in ds.dims and np.issubdtype(ds["time"].dtype, np.datetime64) and ds.sizes["time"]:
        t = ds["time"].values.astype("datetime64[ns]")
        first, last = t[0], t[-1]
        d = np.diff(t).astype(np.int64)
        step_s = float(d[0]) / 1e9 if d.size and np.all(d == d[0]) and d[0] > 0 else None
        if step_s is None and t.size == 1:
            step_s = _parse_step_s(ds.attrs.get("time_step_s"))
    else:
        try:
            first = np.datetime64(ds.attrs["time_start_gpst"], "ns")
            last = np.datetime64(ds.attrs["time_end_gpst"], "ns")
        except (KeyError, ValueError, TypeError):
            return None
        step_s = _parse_step_s(ds.attrs.get("time_step_s"))
    end = last + np.timedelta64(int(round(step_s * 1e9)), "ns") if step_s else last
    return first, end


def _time_encoding(values: np.ndarray) -> dict[str, Any]:
    """CF encoding of datetime values: seconds since the GPS epoch, integers when exact."""
    ns = values.astype("datetime64[ns]").astype(np.int64) - np.datetime64(
        "1980-01-06T00:00:00", "ns").astype(np.int64)
    whole = bool(np.all(ns % 1_000_000_000 == 0))
    return {"units": GPS_EPOCH_UNITS, "calendar": "standard",
            "dtype": "int64" if whole else "float64", "_FillValue": None}


def _is_string(var: xr.Variable) -> bool:
    if var.dtype.kind in "US":
        return True
    if var.dtype.kind == "O" and var.size:
        return all(isinstance(v, str) for v in np.ravel(var.values))
    return False


def _time_dims(ds: xr.Dataset) -> set[str]:
    """Dimensions along time: those whose coordinate holds datetimes (``time``, ``day``)."""
    return {str(d) for d in ds.dims
            if d in ds.coords and np.issubdtype(ds[d].dtype, np.datetime64)}


def _add_period(ds: xr.Dataset, time_dims: set[str]) -> str | None:
    """Add the statistics-period scalar coordinate and its bounds (in place); its name.

    Only Datasets with statistics get one: a layer along no time dimension (not per epoch,
    not per day). Satellite positions, all per epoch, get none.
    """
    if not any(v.ndim > 0 and not time_dims & set(map(str, v.dims))
               for v in ds.data_vars.values()):
        return None
    name = "time_period" if "time" in ds.dims else "time"
    if name in ds.variables:          # already there (e.g. a file read back): keep it
        return name if ds[name].ndim == 0 else None
    period = statistics_period(ds)
    if period is None:
        return None
    start, end = period
    bounds = f"{name}_bnds"
    mid = start + (end - start) // 2
    ds.coords[name] = xr.Variable((), mid, attrs={
        "standard_name": "time", "long_name": "period of the time statistics (GPST)",
        "axis": "T", "bounds": bounds, "time_system": "GPST", "units_metadata": _UNITS_METADATA,
        "comment": "middle of the period; the bounds are the first epoch and the last epoch "
                   "plus the time step (each epoch stands for one step)"})
    # CF §7.1: a boundary variable inherits its parent's attributes (none of its own)
    ds[bounds] = xr.Variable(("nv",), np.array([start, end], dtype="datetime64[ns]"))
    return name


def cf_encode(ds: xr.Dataset, *, float32: bool = True, complevel: int = 4
              ) -> tuple[xr.Dataset, dict[str, dict[str, Any]]]:
    """The Dataset as written (CF packaging of the module docstring) and its encoding.

    Returns a shallow copy of ``ds`` with the statistics period added and attributes
    adjusted, and the ``encoding`` argument for :meth:`xarray.Dataset.to_netcdf`.
    """
    ds = ds.copy(deep=False)
    for var in ds.variables.values():
        var.encoding.pop("coordinates", None)
    time_dims = _time_dims(ds)
    period = _add_period(ds, time_dims)
    bounds = {str(ds[n].attrs["bounds"]) for n in ds.coords if "bounds" in ds[n].attrs}
    enc: dict[str, dict[str, Any]] = {}

    # per-epoch and per-day times: CF time coordinates
    for dim in time_dims:
        attrs = dict(ds[dim].attrs)
        attrs.setdefault("standard_name", "time")
        attrs.setdefault("axis", "T")
        attrs.setdefault("units_metadata", _UNITS_METADATA)
        ds[dim].attrs = attrs

    aux = [str(n) for n, c in ds.coords.items() if n not in ds.dims and n != period
           and str(n) not in bounds]
    stored_dtype = np.float32 if float32 else np.float64
    for name, var in ds.data_vars.items():
        name = str(name)
        e: dict[str, Any] = {}
        if name in bounds or var.ndim == 0:
            var.encoding["coordinates"] = None    # xarray: write no coordinates attribute
        else:
            coords = [c for c in aux if set(ds[c].dims) <= set(var.dims)]
            statistic = period is not None and not time_dims & set(map(str, var.dims))
            if statistic:
                coords.append(period)
            var.encoding["coordinates"] = " ".join(coords) if coords else None
            attrs = dict(var.attrs)
            if statistic and period != "time" and "cell_methods" in attrs:
                attrs["cell_methods"] = re.sub(r"\btime:", f"{period}:", str(attrs["cell_methods"]))
            if np.issubdtype(var.dtype, np.floating):
                e.update(zlib=True, complevel=int(complevel), dtype=stored_dtype,
                         _FillValue=stored_dtype(np.nan))
                stored = stored_dtype
            else:
                if np.issubdtype(var.dtype, np.number):
                    e.update(zlib=True, complevel=int(complevel))
                stored = var.dtype
            if np.issubdtype(np.dtype(stored), np.number):
                # CF §2.5.1: valid_min/valid_max/valid_range have the type of the stored data
                for key in ("valid_min", "valid_max", "valid_range"):
                    if key in attrs:
                        value = np.asarray(attrs[key], dtype=stored)
                        attrs[key] = value if key == "valid_range" else value[()]
            ds[name].attrs = attrs
        enc[name] = e
    for name, var in ds.variables.items():
        name = str(name)
        e = enc.setdefault(name, {})
        if name in ds.coords or name in bounds:
            e["_FillValue"] = None           # CF §2.5.1: no missing data in coordinates
        if np.issubdtype(var.dtype, np.datetime64):
            e.update(_time_encoding(np.asarray(var.values)))
        elif _is_string(var):
            e.update(dtype="S1")             # NC_CHAR; xarray adds _Encoding = "utf-8"
            e.pop("zlib", None)
            e.pop("complevel", None)
    if "config" in ds.coords and ds["config"].ndim == 1:
        attrs = dict(ds["config"].attrs)
        attrs.setdefault("comment", f"{BAND_NOTE}: " + "; ".join(
            f"band {k} = {c}" for k, c in enumerate(map(str, ds["config"].values), start=1)))
        ds["config"].attrs = attrs
    return ds, enc


def write_netcdf(ds: xr.Dataset, path: str | os.PathLike, *, float32: bool = True,
                 complevel: int = 4) -> Path:
    """Write ``ds`` to CF-1.11 NetCDF-4 (engine netcdf4, zlib) atomically (temp file + rename).

    The CF packaging (statistics period, char strings, GPST time units, no fill value on
    coordinates, float32 layers with NaN fill) is in the module docstring; ``float32=False``
    keeps float64 (e.g. satellite positions in metres).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out, enc = cf_encode(ds, float32=float32, complevel=complevel)
    with atomic_path(path) as tmp:
        out.to_netcdf(tmp, engine="netcdf4", encoding=enc)
    return path
