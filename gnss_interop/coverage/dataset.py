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
from gnss_interop.variables import ACCURACY_NAMES, DOP_NAMES, DOP_STATISTICS, lookup

__all__ = ["add_accuracy_layers", "crs_variable", "grid_dataset", "profile_attrs",
           "provenance"]

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
                             f"the epochs that are not data gaps for the configuration "
                             f"(data_gap_fraction)",
        "p95_method": (
            f"nearest rank ceil(0.95 N) over the N epochs without data gap, no-solution "
            f"epochs = +inf; "
            f"per-point histogram with {K.HIST_SUB} linear sub-bins per octave from "
            f"0.125 to 128 (relative bin width <= {100 / K.HIST_SUB:.3g} %); reported value "
            f"= min(upper edge of the bin, max); a p95 of 128 or more (overflow bin) is "
            f"reported as the max, an upper bound"),
        "time_system": "GPST",
    }


def profile_attrs(profile, systems, usage, limit) -> dict[str, Any]:
    """Attributes that state the receiver profile, budget and exclusions of a run."""
    from gnss_interop.accuracy.budget import system_budget

    budget = []
    for s in systems:
        b = system_budget(profile, s)
        tr = profile.tracks(s)
        iono = ("ionosphere-free (first order removed)" if tr.dual_frequency else
                f"single-frequency broadcast-model residual x(f_L1/f)^2={b.iono_scale ** 0.5:.3f}")
        budget.append(f"{s.display_name} {'+'.join(tr.signals)}: noise/multipath x"
                      f"{b.amplification:.3f}, {iono}")
    gens = {}
    if usage is not None and usage.catalogue is not None:
        for sv, ok in zip(usage.svs, usage.usable):
            info = usage.catalogue.get(sv)
            if info is not None and ok:
                gens.setdefault(info.generation.name, (profile.sisre_of(info.generation),
                                                       info.generation.sisre_source))
    return {
        "receiver_profile": profile.name,
        "receiver_description": profile.describe(tuple(systems)),
        "error_budget": (
            "sigma_URE^2 = SISRE^2 + tropo^2 + a^2 (noise^2 + multipath^2) + iono^2; "
            "tropo 0.12 m x 1.001/sqrt(0.002001+sin^2 el) (RTCA DO-229 A.4.2.4); multipath "
            "0.13+0.53 exp(-el/10 deg) m (DO-229 J.2.4); noise "
            f"{profile.noise_m:g} m per signal (DO-229 J.2.4 AAD-B); single-frequency iono: "
            "vertical 9/4.5/6 m by geomagnetic latitude (DO-229 J.2.3) x obliquity "
            "(DO-229 A.4.4.10.4); " + "; ".join(budget)),
        "sisre_m": "; ".join(f"{g} {v:g} m ({src})" for g, (v, src) in gens.items()),
        "accuracy_limit": limit.describe() if limit is not None else "",
        "excluded_satellites": usage.describe_excluded() if usage is not None else "none",
        "satellite_catalogue": usage.catalogue.describe() if usage is not None
        and hasattr(usage.catalogue, "describe") else "",
        # broadcast records the screening excluded / could not cross-check (Ephemerides)
        **_screening_attrs(usage),
    }


def _screening_attrs(usage) -> dict[str, str]:
    """``excluded_records`` and ``unverified_records`` from a catalogue built by
    :meth:`~gnss_interop.ephemerides.store.Ephemerides.catalogue` ("not recorded" otherwise)."""
    found = getattr(getattr(usage, "catalogue", None), "ephemeris_screening", None) or {}
    return {k: str(found.get(k, "not recorded")) for k in ("excluded_records",
                                                             "unverified_records")}


def add_accuracy_layers(ds: xr.Dataset, profile, systems, usage, limit, out_acc, out_afrac,
                        ep_acc) -> xr.Dataset:
    """Add the accuracy layers (in place) and the profile attributes to a coverage Dataset."""
    ds.attrs.update(profile_attrs(profile, systems, usage, limit))
    if out_acc is None:
        ds.attrs["accuracy"] = "not computed (accuracy=False)"
        return ds
    dims = ("config", "lat", "lon")
    for j, q in enumerate(ACCURACY_NAMES):
        for k, stat in enumerate(DOP_STATISTICS):
            if lookup(f"{q}_{stat}") is not None:
                ds[f"{q}_{stat}"] = _layer(f"{q}_{stat}", out_acc[:, j, k], dims)
    ds["accuracy_availability"] = _layer("accuracy_availability", out_afrac[:, 1], dims,
                                         accuracy_limit=limit.describe())
    if ep_acc is not None:
        edims = ("config", "time", "lat", "lon")
        for j, q in enumerate(ACCURACY_NAMES):
            ds[q] = _layer(q, ep_acc[:, j], edims)
    ds.attrs["accuracy_availability_rule"] = (
        f"epochs with a solution and {limit.describe()} (predicted 95 % errors), divided by "
        f"the epochs that are not data gaps for the configuration")
    return ds


def describe_gaps(sys_gap: np.ndarray, systems, times: np.ndarray) -> str:
    """``"GLONASS: 1 of 720 epochs (2023-03-12T00:00:00)"`` per system with gaps, or "none"."""
    parts = []
    for k, system in enumerate(systems):
        idx = np.flatnonzero(sys_gap[:, k])
        if idx.size:
            first, last = str(times[idx[0]])[:19], str(times[idx[-1]])[:19]
            span = first if idx.size == 1 else f"first {first}, last {last}"
            parts.append(f"{system.display_name}: {idx.size} of {times.size} epochs ({span})")
    return "; ".join(parts) or "none"


def add_gap_layers(ds: xr.Dataset, ep_gap: np.ndarray, sys_gap: np.ndarray, systems,
                   keep_time: bool, times: np.ndarray) -> xr.Dataset:
    """Add ``data_gap_fraction`` (config, lat, lon) and the ``data_gaps`` attribute (in
    place); with ``keep_time`` also ``data_gap`` (config, time)."""
    frac = ep_gap.mean(axis=0).astype(np.float32)  # (config,)
    shape = (frac.size, ds.sizes["lat"], ds.sizes["lon"])
    ds["data_gap_fraction"] = _layer("data_gap_fraction",
                                     np.broadcast_to(frac[:, None, None], shape).copy(),
                                     ("config", "lat", "lon"))
    ds.attrs["data_gaps"] = describe_gaps(sys_gap, systems, times)
    if keep_time:
        ds["data_gap"] = xr.DataArray(ep_gap.T.astype(bool), dims=("config", "time"), attrs={
            "long_name": "epoch is a data gap for the configuration (left out of the "
                         "statistics)"})
    return ds
