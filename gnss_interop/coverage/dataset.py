"""The CF Dataset a coverage run returns: coordinates, layers, attributes, provenance.

Layer names, long names, units and cell methods come from the catalogue
(:mod:`gnss_interop.variables`); this module lays the kernel's statistics out as
``(config, lat, lon)`` layers (and ``(config, time, lat, lon)`` per-epoch values) with
CF-1.11 attributes and the run's provenance.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gnss_interop._version import __version__
from gnss_interop.coverage import kernels as K
from gnss_interop.coverage.configs import systems_of
from gnss_interop.variables import DOP_NAMES, DOP_STATISTICS, lookup

__all__ = ["crs_variable", "grid_dataset", "provenance"]

_GRID_MAPPING = {"grid_mapping": "crs"}


def crs_variable() -> xr.DataArray:
    """The CF grid-mapping variable of EPSG:4326 (WGS 84 latitude/longitude)."""
    try:
        from pyproj import CRS
        attrs = CRS("EPSG:4326").to_cf()
    except ImportError:  # pragma: no cover - pyproj comes with cartopy
        attrs = {"grid_mapping_name": "latitude_longitude", "semi_major_axis": 6378137.0,
                 "inverse_flattening": 298.257223563, "crs_wkt": "EPSG:4326"}
    return xr.DataArray(np.int32(0), attrs=attrs)


def _layer(name: str, values: np.ndarray, dims: tuple[str, ...], **fmt: Any) -> xr.DataArray:
    entry = lookup(name)
    return xr.DataArray(values, dims=dims,
                        attrs={**entry.attrs(dtype=values.dtype, **fmt), **_GRID_MAPPING})


def grid_dataset(grid, configs, mask, pdop_max, times, out_nsat, out_frac, out_dop,
                 ep_nsat, ep_dop, input_files, time_chunk) -> xr.Dataset:
    """The coverage Dataset from the kernel's finalised statistics.

    ``out_nsat`` (config, 3, lat, lon): mean, min, max visible satellites;
    ``out_frac`` (config, 2, lat, lon): solution fraction, availability;
    ``out_dop`` (config, dop, stat, lat, lon) in :data:`DOP_NAMES` × :data:`DOP_STATISTICS`
    order; ``ep_nsat``/``ep_dop``: per-epoch values or ``None``.
    """
    coords: dict[str, Any] = dict(grid.coords())
    names = [c.name for c in configs]
    coords["config"] = xr.DataArray(names, dims="config", attrs={
        "long_name": "receiver configuration (systems, clock model)"})
    coords["config_description"] = xr.DataArray(
        [c.describe() for c in configs], dims="config",
        attrs={"long_name": "definition of the receiver configuration"})
    dims = ("config", "lat", "lon")
    data: dict[str, xr.DataArray] = {"crs": crs_variable()}
    data["nsat_mean"] = _layer("nsat_mean", out_nsat[:, 0], dims)
    data["nsat_min"] = _layer("nsat_min", out_nsat[:, 1].astype(np.int16), dims)
    data["nsat_max"] = _layer("nsat_max", out_nsat[:, 2].astype(np.int16), dims)
    data["solution_fraction"] = _layer("solution_fraction", out_frac[:, 0], dims)
    data["availability"] = _layer("availability", out_frac[:, 1], dims, pdop_max=pdop_max)
    for j, dn in enumerate(DOP_NAMES):
        for k, stat in enumerate(DOP_STATISTICS):
            # CF has no percentile cell method; the p95 rule is in the p95_method attribute
            data[f"{dn}_{stat}"] = _layer(f"{dn}_{stat}", out_dop[:, j, k], dims)
    if ep_nsat is not None:
        coords["time"] = xr.DataArray(times, dims="time", attrs={
            "long_name": "epoch (GPST, not UTC)", "time_system": "GPST"})
        edims = ("config", "time", "lat", "lon")
        data["nsat"] = _layer("nsat", ep_nsat, edims)
        for j, dn in enumerate(DOP_NAMES):
            data[dn] = _layer(dn, ep_dop[:, j], edims)
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(provenance(grid, configs, mask, pdop_max, times, input_files, time_chunk))
    return ds


def provenance(grid, configs, mask, pdop_max, times, input_files, time_chunk) -> dict:
    step = ""
    if times.size > 1:
        d = np.diff(times).astype("timedelta64[ns]").astype(np.int64) / 1e9
        step = f"{d[0]:g}" if np.all(d == d[0]) else f"irregular ({d.min():g}..{d.max():g})"
    files = [str(Path(f).name) for f in (input_files or [])]
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    systems = "/".join(s.display_name for s in systems_of(configs))
    return {
        "Conventions": "CF-1.11",
        "title": f"{systems} visibility and DOP statistics over a grid",
        "institution": "gnss_interop",
        "source": f"gnss_interop {__version__}; broadcast ephemerides: "
                  f"{', '.join(files) if files else 'not recorded'}",
        "history": f"{now} computed by gnss_interop.coverage.compute_grid",
        "input_files": ", ".join(files),
        "configurations": "; ".join(f"{c.name}: {c.describe()}" for c in configs),
        "elevation_mask_deg": float(mask.elevation_mask_deg),
        "mask": mask.describe(),
        "pdop_max": float(pdop_max),
        "time_start_gpst": str(times[0])[:19],
        "time_end_gpst": str(times[-1])[:19],
        "time_step_s": step,
        "n_epochs": int(times.size),
        "time_chunk_epochs": int(time_chunk or times.size),
        "grid": grid.describe(),
        "grid_registration": grid.registration,
        "height_m": float(grid.height_m),
        "dop_definition": (
            "local ENU; PDOP=sqrt(Qee+Qnn+Quu), HDOP=sqrt(Qee+Qnn), VDOP=sqrt(Quu), "
            "TDOP=sqrt(Qcc) of the first configured system's receiver clock (the next "
            "system's if it has no visible satellite), GDOP=sqrt(PDOP^2+TDOP^2)"),
        "solution_rule": (
            "solution if visible satellites >= unknowns (3 + clocks of systems with visible "
            "satellites) and det(P) > 1e-12*(trace(P)/3)^3 for the clock-reduced 3x3 "
            "position normal matrix P"),
        "availability_rule": f"epochs with a solution and PDOP <= {pdop_max:g}, divided by "
                             f"all epochs",
        "p95_method": (
            f"nearest rank ceil(0.95 N) over all N epochs, no-solution epochs = +inf; "
            f"per-point histogram with {K.HIST_SUB} linear sub-bins per octave from "
            f"0.125 to 128 (relative bin width <= {100 / K.HIST_SUB:.3g} %); reported value "
            f"= min(upper edge of the bin, max); a p95 of 128 or more (overflow bin) is "
            f"reported as the max, an upper bound"),
        "time_system": "GPST",
    }
