"""A synthetic coverage Dataset with the layout of ``gnss_interop.coverage.compute_grid``.

Smooth, plausible fields on a 5° cell-centred grid (36 x 72): availability 0.9-1,
PDOP 1-4, 6-20 visible satellites, for the configurations C, R, C+R and C+R/interop.
Used by the output-layer tests (plot, export, report) so they do not depend on the
coverage engine or on real data.
"""

from __future__ import annotations

import numpy as np
import xarray as xr


CONFIGS = ("C", "R", "C+R", "C+R/interop")
DESCRIPTIONS = (
    "BDS alone: E, N, U + 1 receiver clock (4 unknowns)",
    "GLONASS alone: E, N, U + 1 receiver clock (4 unknowns)",
    "BDS+GLONASS with one receiver clock per system (5 unknowns)",
    "BDS+GLONASS with one receiver clock (4 unknowns)",
)


def coverage_dataset(step_deg: float = 5.0, configs: tuple[str, ...] = CONFIGS) -> xr.Dataset:
    """Synthetic coverage statistics, dims (config, lat, lon), CF attributes as the engine's.

    Parameters
    ----------
    step_deg : float
        Cell size in degrees (cell-centred grid covering the globe).
    configs : tuple of str
        Configuration names, a subset of :data:`CONFIGS`.
    """
    lat = np.arange(-90 + step_deg / 2, 90, step_deg)
    lon = np.arange(-180 + step_deg / 2, 180, step_deg)
    la, lo = np.meshgrid(np.radians(lat), np.radians(lon), indexing="ij")
    # BeiDou is best over Asia-Pacific (GEO/IGSO near 118°E), GLONASS at high latitudes.
    asia = np.exp(-(((lo - np.radians(115)) / 1.2) ** 2) - (la / 0.9) ** 2)
    polar = np.abs(np.sin(la))
    ripple = 0.5 + 0.5 * np.sin(3 * lo) * np.cos(2 * la)
    base = {
        "C": dict(nsat=9 + 9 * asia + 1.5 * ripple, pdop=1.6 + 0.9 * (1 - asia) + 0.4 * ripple,
                  avail=0.96 + 0.04 * asia - 0.03 * ripple * (1 - asia)),
        "R": dict(nsat=7 + 3 * polar + 1.0 * ripple, pdop=2.2 + 1.2 * (1 - polar) + 0.5 * ripple,
                  avail=0.90 + 0.08 * polar + 0.02 * ripple),
    }
    both = dict(nsat=base["C"]["nsat"] + base["R"]["nsat"],
                pdop=1.0 / np.sqrt(1 / base["C"]["pdop"] ** 2 + 1 / base["R"]["pdop"] ** 2) + 0.05,
                avail=np.ones_like(la) - 0.002 * ripple)
    base["C+R"] = both
    base["C+R/interop"] = dict(nsat=both["nsat"], pdop=both["pdop"] - 0.03, avail=both["avail"])

    shape = (len(configs), lat.size, lon.size)
    dims = ("config", "lat", "lon")
    nsat = np.stack([np.clip(base[c]["nsat"], 6, 20) for c in configs])
    pdop = np.stack([np.clip(base[c]["pdop"], 1.0, 4.0) for c in configs])
    avail = np.stack([np.clip(base[c]["avail"], 0.9, 1.0) for c in configs])
    assert nsat.shape == shape
    gm = {"grid_mapping": "crs"}
    data = {
        "crs": xr.DataArray(np.int32(0), attrs={"grid_mapping_name": "latitude_longitude",
                                                "semi_major_axis": 6378137.0,
                                                "inverse_flattening": 298.257223563}),
        "nsat_mean": xr.DataArray(nsat, dims=dims, attrs={
            "long_name": "mean number of visible satellites", "units": "1", **gm}),
        "nsat_min": xr.DataArray(np.floor(nsat - 3).astype(np.int16), dims=dims, attrs={
            "long_name": "minimum number of visible satellites", "units": "1", **gm}),
        "nsat_max": xr.DataArray(np.ceil(nsat + 3).astype(np.int16), dims=dims, attrs={
            "long_name": "maximum number of visible satellites", "units": "1", **gm}),
        "solution_fraction": xr.DataArray(np.minimum(1.0, avail + 0.02), dims=dims, attrs={
            "long_name": "fraction of epochs with a position solution", "units": "1", **gm}),
        "availability": xr.DataArray(avail, dims=dims, attrs={
            "long_name": "fraction of epochs with a solution and PDOP <= 6", "units": "1", **gm}),
    }
    factors = {"gdop": 1.15, "pdop": 1.0, "hdop": 0.55, "vdop": 0.85, "tdop": 0.5}
    for dn, f in factors.items():
        mean = pdop * f
        data[f"{dn}_mean"] = xr.DataArray(mean, dims=dims, attrs={
            "long_name": f"{dn} mean over epochs with a solution", "units": "1", **gm})
        data[f"{dn}_p95"] = xr.DataArray(mean * 1.6, dims=dims, attrs={
            "long_name": f"{dn} 95th percentile", "units": "1", **gm})
        data[f"{dn}_max"] = xr.DataArray(mean * 2.5, dims=dims, attrs={
            "long_name": f"{dn} maximum", "units": "1", **gm})
    coords = {
        "config": ("config", list(configs)),
        "config_description": ("config", [DESCRIPTIONS[CONFIGS.index(c)] for c in configs]),
        "lat": ("lat", lat, {"standard_name": "latitude", "long_name": "latitude",
                             "units": "degrees_north", "axis": "Y"}),
        "lon": ("lon", lon, {"standard_name": "longitude", "long_name": "longitude",
                             "units": "degrees_east", "axis": "X"}),
    }
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update({
        "title": "BeiDou/GLONASS visibility and DOP statistics over a grid",
        "source": "synthetic test fixture",
        "input_files": "nominal_bds3_glonass_20240101.rnx.gz",
        "elevation_mask_deg": 10.0,
        "mask": "elevation > 10 deg",
        "pdop_max": 6.0,
        "time_start_gpst": "2024-01-01T00:00:00",
        "time_end_gpst": "2024-01-01T23:59:30",
        "time_step_s": "30",
        "n_epochs": 2880,
        "grid": f"{lat.size}x{lon.size} cell grid, {step_deg:g} deg",
        "configurations": "; ".join(f"{c}: {DESCRIPTIONS[CONFIGS.index(c)]}" for c in configs),
    })
    return ds


def with_derived(ds: xr.Dataset) -> xr.Dataset:
    """Add the scenario layers ``backup_availability`` and ``combination_gain`` (lat, lon)."""
    ds = ds.copy()
    a = ds["availability"]
    ds["backup_availability"] = a.sel(config="R").drop_vars(["config", "config_description"])
    ds["backup_availability"].attrs = {"long_name": "availability of GLONASS alone where "
                                                    "BeiDou is denied", "units": "1"}
    gain = (a.sel(config="C+R") - np.maximum(a.sel(config="C"), a.sel(config="R")))
    gain = gain * 8  # make the synthetic gain span a visible part of -1..1
    ds["combination_gain"] = gain.drop_vars(["config", "config_description"])
    ds["combination_gain"].attrs = {"long_name": "availability gain of C+R over the better "
                                                 "single system", "units": "1"}
    return ds


def with_accuracy(ds: xr.Dataset, *, profile: str = "dual-bds3-glo") -> xr.Dataset:
    """Add the metre layers ``hacc95_p95`` and ``vacc95_p95`` [m] and ``accuracy_availability``,
    and the receiver attributes, as the engine writes them.

    H95 is 0.9 m per unit of PDOP p95 (V95 1.7 m), +inf for BeiDou alone poleward of 60°
    (no solution at more than 5 % of the epochs there) and NaN in one cell of GLONASS alone.
    """
    ds = ds.copy()
    gm = {"grid_mapping": "crs"}
    pdop = ds["pdop_p95"]
    h95 = (0.9 * pdop).where(~((pdop.config == "C") & (np.abs(pdop.lat) > 60)), np.inf)
    h95 = h95.where(~((h95.config == "R") & (h95.lat == h95.lat[3]) & (h95.lon == h95.lon[5])))
    v95 = (1.7 * pdop).where(np.isfinite(h95) | np.isnan(h95), np.inf)
    ok = (h95 <= 5.0) & (v95 <= 10.0)
    acc = (ds["availability"] * (0.7 + 0.3 * ok)).where(np.isfinite(h95) | np.isnan(h95), 0.0)
    ds["hacc95_p95"] = h95.assign_attrs(long_name="predicted 95 % horizontal position error "
                                                  "(radius), 95th percentile over time",
                                        units="m", **gm)
    ds["vacc95_p95"] = v95.assign_attrs(long_name="predicted 95 % vertical position error, "
                                                  "95th percentile over time", units="m", **gm)
    ds["accuracy_availability"] = acc.assign_attrs(
        long_name="fraction of epochs with a solution and H95 <= 5 m and V95 <= 10 m",
        units="1", **gm)
    ds.attrs.update(receiver_profile=profile,
                    receiver_description=f"{profile}: BeiDou B1C+B2A; GLONASS G1+G2 (synthetic)",
                    accuracy_limit="H95 <= 5 m and V95 <= 10 m")
    return ds


def weighted_median_brute(values: np.ndarray, weights: np.ndarray) -> float:
    """Independent reference of the summary tables' weighted (lower) median: the smallest
    value (NaN left out, +inf kept) at or below which lies half of the weight."""
    v, w = np.ravel(values).astype(float), np.ravel(weights).astype(float)
    ok = ~np.isnan(v) & (w > 0)
    v, w = v[ok], w[ok]
    candidates = np.unique(v)
    below = ((v[None, :] <= candidates[:, None]) * w[None, :]).sum(axis=1)
    return float(candidates[np.argmax(below >= 0.5 * w.sum())])
