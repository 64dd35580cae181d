"""Per-epoch visibility and DOP at one receiver site, from the same kernel as the grid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import xarray as xr

from gnss_interop._version import __version__
from gnss_interop.coverage.configs import Configuration, systems_of
from gnss_interop.accuracy.limits import accuracy_limit
from gnss_interop.coverage.dataset import describe_gaps, profile_attrs
from gnss_interop.coverage.engine import (
    _points,
    _positions_array,
    _require_data,
    _run_tile,
    _static,
    _Tile,
    _with_accuracy,
    default_configurations,
    satellite_usage,
)
from gnss_interop.coverage.gaps import configuration_gaps, system_gaps
from gnss_interop.receivers.profiles import receiver_profile
from gnss_interop.coverage.geometry import look_angles
from gnss_interop.coverage.masks import ElevationMask
from gnss_interop.variables import ACCURACY_NAMES, DOP_NAMES, lookup

__all__ = ["compute_site"]


def compute_site(
    positions: xr.DataArray,
    lat_deg: float,
    lon_deg: float,
    height_m: float = 0.0,
    *,
    mask: ElevationMask | None = None,
    configs: Sequence[Configuration] | None = None,
    pdop_max: float = 6.0,
    receiver=None,
    catalogue=None,
    accuracy: bool = True,
    accuracy_max_m=None,
) -> xr.Dataset:
    """Per-epoch visibility, DOP and expected accuracy at one point (same kernel as the grid).

    ``receiver``, ``catalogue``, ``accuracy``, ``accuracy_max_m``: as in
    :func:`~gnss_interop.coverage.engine.compute_grid`.

    Returns
    -------
    xarray.Dataset
        ``nsat``, ``gdop``, ``pdop``, ``hdop``, ``vdop``, ``tdop`` and
        ``available`` with dims (config, time) (+inf DOP where no solution), and
        ``available`` with dims (config, time) (+inf DOP where no solution), with
        ``accuracy`` also ``sigma_east``, ``sigma_north``, ``sigma_up``, ``hacc95``,
        ``vacc95`` [m], ``wpdop`` and ``accuracy_available``; ``azimuth`` / ``elevation``
        [deg] and ``visible`` (mask applied, ignoring configurations) with dims (time, sv)
        for sky plots; ``usable`` (sv): the profile can use the satellite.
        Time is GPST.
    """
    mask = ElevationMask() if mask is None else mask
    configs = tuple(default_configurations() if configs is None else configs)
    pos, times, svs = _positions_array(positions)
    profile = receiver_profile(receiver)
    limit = accuracy_limit(accuracy_max_m)
    usage = satellite_usage(svs, times, profile, catalogue)
    st, systems = _static(svs, configs, mask, pdop_max, True, float(lon_deg), 1.0,
                          float(height_m), usable=usage.usable)
    if accuracy:
        st = _with_accuracy(st, profile, systems, usage, limit)
    sys_gap = system_gaps(positions, systems, usage.usable)
    st = replace(st, ep_gap=configuration_gaps(sys_gap, systems, configs))
    _require_data(st.ep_gap, configs, times)
    rows = np.array([float(lat_deg)])
    pt = _points(rows, np.array([float(lon_deg)]), float(height_m))
    tile = _Tile(float(lat_deg), float(lat_deg), str(times[0])[:19], str(times[-1])[:19],
                 0, 1, 0, times.size)
    _, (ep_nsat, ep_dop, ep_acc) = _run_tile(tile, pt, rows, pos, st)
    az, el, _rng = look_angles(pos, lat_deg, lon_deg, height_m)
    with np.errstate(invalid="ignore"):
        visible = np.isfinite(el) & (el > mask.effective_deg(np.nan_to_num(az)))
    coords = {
        "config": [c.name for c in configs],
        "time": xr.DataArray(times, dims="time", attrs={"long_name": "epoch (GPST, not UTC)",
                                                       "time_system": "GPST"}),
        "sv": svs,
    }
    nsat = ep_nsat[0].astype(np.int16)
    data = {"nsat": (("config", "time"), nsat, lookup("nsat").attrs(dtype=nsat.dtype))}
    for j, dn in enumerate(DOP_NAMES):
        data[dn] = (("config", "time"), ep_dop[0, :, :, j], lookup(dn).attrs())
    data["available"] = (("config", "time"), np.isfinite(ep_dop[0, :, :, 1])
                         & (ep_dop[0, :, :, 1] <= pdop_max),
                         {"long_name": f"solution with PDOP <= {pdop_max:g}"})
    if accuracy:
        for j, q in enumerate(ACCURACY_NAMES):
            data[q] = (("config", "time"), ep_acc[0, :, :, j], lookup(q).attrs())
        data["accuracy_available"] = (
            ("config", "time"), (ep_acc[0, :, :, 3] <= limit.horizontal_max)
            & (ep_acc[0, :, :, 4] <= limit.vertical_max),
            {"long_name": f"solution with {limit.describe()}"})
    data["data_gap"] = (("config", "time"), st.ep_gap.T.astype(bool), {
        "long_name": "epoch is a data gap for the configuration: a system of it has no "
                     "ephemeris (not a loss of service; gnss_interop.coverage.gaps)"})
    data["usable"] = (("sv",), usage.usable, {"long_name": "the receiver profile can use the "
                                              "satellite (its generation broadcasts the "
                                              "tracked signals)"})
    data["azimuth"] = (("time", "sv"), az, {"units": "degree", "long_name":
                                            "azimuth from north through east (NaN: no ephemeris)"})
    data["elevation"] = (("time", "sv"), el, {"units": "degree", "long_name":
                                              "elevation (NaN: no ephemeris)"})
    data["visible"] = (("time", "sv"), visible, {"long_name": "above the effective mask"})
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update({
        "title": f"{'/'.join(s.display_name for s in systems_of(configs))} per-epoch "
                 f"visibility and DOP at one site",
        "source": f"gnss_interop {__version__}",
        "lat_deg": float(lat_deg), "lon_deg": float(lon_deg), "height_m": float(height_m),
        "mask": mask.describe(), "pdop_max": float(pdop_max), "time_system": "GPST",
        "configurations": "; ".join(f"{c.name}: {c.describe()}" for c in configs),
    })
    ds.attrs.update(profile_attrs(profile, systems, usage, limit))
    ds.attrs["data_gaps"] = describe_gaps(sys_gap, systems, times)
    return ds
