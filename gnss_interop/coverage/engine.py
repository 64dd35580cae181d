"""Coverage engine: visibility and DOP over grids of receivers, reduced over time.

Inputs are satellite positions as an :class:`xarray.DataArray` ``positions``
with dims ``(time, sv, xyz)``, ECEF metres, ``time`` as ``datetime64[ns]`` in
GPST and ``sv`` identifiers such as ``"C19"`` / ``"R07"``. A satellite whose
position is NaN at an epoch has no valid ephemeris there and is *not visible*.

Definitions (also written into the output attributes):

* **visible**: elevation strictly above ``max(elevation mask, horizon(az))``
  seen from the point (geodetic up of WGS 84, local ENU).
* **solution**: at least as many visible satellites as unknowns (E, N, U +
  one clock per clock group that has a visible satellite) and a non-singular
  geometry (reduced 3×3 position normal matrix with
  ``det > 1e-12·(trace/3)³``).
* **DOP** (local ENU): PDOP = sqrt(Q_EE+Q_NN+Q_UU), HDOP = sqrt(Q_EE+Q_NN),
  VDOP = sqrt(Q_UU), TDOP = sqrt(Q_cc) of the *first* configured system's
  clock (the BeiDou clock for ``C+R``; if that system has no visible
  satellite, the next one's), GDOP = sqrt(PDOP² + TDOP²). For one clock
  this is the usual sqrt(trace Q).
* **availability**: fraction of epochs with a solution and PDOP ≤ ``pdop_max``.
* **mean DOP**: over epochs *with* a solution; ``solution_fraction`` tells
  how many those are (mean is NaN only where ``solution_fraction`` = 0).
* **p95 / max DOP**: epochs without solution count as +inf, so
  "95 % of the time PDOP ≤ pdop_p95" holds; the p95 is the nearest-rank
  (``ceil(0.95 N)``-th smallest) value, reported as the upper edge of its
  histogram bin (≤ 3.125 % above the exact value; never above the max). A p95
  in the overflow bin (DOP ≥ 128, far beyond any availability threshold) is
  reported as the maximum: an upper bound, not within 3.125 %.

Execution: the grid is cut into tiles (bands of latitude rows × chunks of
epochs). Each tile runs the fused numba kernel (:mod:`gnss_interop.coverage.kernels`,
GIL released) and returns running statistics; the chunks of a band are merged
in time order and finalised. Tiles run on a thread pool (default) or on
dask.distributed (``workers=`` / ``scheduler=``), with identical results for
the same ``time_chunk``. Memory does not grow with the number of epochs
beyond the input positions: no (time, lat, lon, sv) array is ever built.
Reference workload (global 1°, 1440 epochs, 4 configurations, 2 cores):
about 6 s in the kernel, 8 s end to end with reading and writing
(``benchmarks/bench_coverage.py``).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from gnss_interop.accuracy.budget import (
    iono_vertical_variance_m2,
    satellite_variances,
    system_budget,
)
from gnss_interop.accuracy.limits import AccuracyLimit, accuracy_limit
from gnss_interop.coverage import kernels as K
from gnss_interop.coverage.configs import Configuration, combinations, systems_of
from gnss_interop.coverage.dataset import add_accuracy_layers, add_gap_layers, grid_dataset
from gnss_interop.coverage.gaps import configuration_gaps, system_gaps
from gnss_interop.coverage.geometry import geodetic_to_ecef
from gnss_interop.coverage.grid import GridSpec
from gnss_interop.coverage.masks import ElevationMask
from gnss_interop.errors import CoverageError
from gnss_interop.receivers.profiles import ReceiverProfile, receiver_profile
from gnss_interop.systems import System

__all__ = ["SatelliteUsage", "compute_grid", "default_configurations", "satellite_usage"]

#: Largest per-epoch output (``keep_time=True``) accepted, in bytes.
KEEP_TIME_MAX_BYTES = 2 * 1024**3
#: Target number of points per tile (a tile's histograms take ~26 kB per point
#: and configuration set of four; 2,000 points ≈ 50 MB).
TILE_POINTS = 2000
#: Epochs per kernel call inside a tile (satellite data of ~100 kB per epoch block
#: stays in the L2 cache while the kernel sweeps the tile's rows).
SUB_BLOCK_EPOCHS = 128


def default_configurations() -> tuple[Configuration, ...]:
    """Each primary system alone and together with one clock per system (C, R, C+R);
    C+R/interop needs the BDGL offset, see
    :func:`~gnss_interop.coverage.configs.configurations_for`."""
    return combinations(interop=False)


# ----------------------------------------------------------------------------- inputs

@dataclass(frozen=True)
class _Static:
    """Everything a tile needs besides its points and satellite chunk (picklable)."""

    sys_index: NDArray[np.int8]  # per sv: system index or -1 (unused system)
    n_sys: int
    sin_mask: float
    hz_az: NDArray[np.float64]
    hz_el: NDArray[np.float64]
    cfg_group: NDArray[np.int8]
    n_groups_max: int
    pdop_max: float
    keep_time: bool
    lon0_deg: float = 0.0  # unwrapped longitude of column 0
    dlon_deg: float = 1.0  # column spacing
    height_m: float = 0.0
    cyclic: bool = False  # grid rows cover the full circle of longitude
    weighted: bool = False
    sat_var: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    sys_coef: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 3)))
    sys_ion: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    h95_max: float = math.inf
    v95_max: float = math.inf
    #: (T, C) uint8: 1 where the epoch is a data gap for the configuration (coverage.gaps)
    ep_gap: NDArray[np.uint8] = field(default_factory=lambda: np.zeros((0, 0), np.uint8))


def _positions_array(positions: xr.DataArray) -> tuple[NDArray[np.float64], NDArray, list[str]]:
    if not isinstance(positions, xr.DataArray):
        raise TypeError("positions must be an xarray.DataArray with dims (time, sv, xyz)")
    if set(positions.dims) != {"time", "sv", "xyz"}:
        raise ValueError(f"positions must have dims (time, sv, xyz), got {positions.dims}")
    pos = positions.transpose("time", "sv", "xyz")
    if "xyz" in pos.coords:
        labels = [str(v) for v in pos["xyz"].values]
        if labels != ["x", "y", "z"]:
            pos = pos.sel(xyz=["x", "y", "z"])
    if pos.sizes["xyz"] != 3:
        raise ValueError("positions must have 3 components along xyz")
    times = np.asarray(pos["time"].values)
    if not np.issubdtype(times.dtype, np.datetime64):
        raise ValueError("positions.time must be datetime64 (GPST)")
    if times.size == 0:
        raise ValueError("positions has no epochs")
    if times.size > 1 and np.any(np.diff(times) <= np.timedelta64(0, "ns")):
        raise ValueError("positions.time must be strictly increasing")
    svs = [str(s) for s in pos["sv"].values]
    arr = np.ascontiguousarray(pos.values, dtype=np.float64)
    return arr, times.astype("datetime64[ns]"), svs


def _static(svs: Sequence[str], configs: Sequence[Configuration], mask: ElevationMask,
            pdop_max: float, keep_time: bool, lon0_deg: float, dlon_deg: float,
            height_m: float, cyclic: bool = False, usable: NDArray[np.bool_] | None = None
            ) -> tuple[_Static, tuple[System, ...]]:
    systems = list(systems_of(configs))
    sys_of_sv = []
    for sv in svs:
        try:
            sys_of_sv.append(System.from_letter(sv[:1]))
        except ValueError:
            sys_of_sv.append(None)
    sys_index = np.array([systems.index(s) if s in systems else -1 for s in sys_of_sv],
                         dtype=np.int8)
    for s in systems:
        if s not in sys_of_sv:
            warnings.warn(f"no satellite of {s.name} in positions: configurations using it "
                          f"will see none", UserWarning, stacklevel=3)
        elif usable is not None and not any(
                u for u, x in zip(usable, sys_of_sv) if x == s):
            warnings.warn(f"the receiver profile can use no {s.display_name} satellite of "
                          f"these positions: configurations using it will see none",
                          UserWarning, stacklevel=3)
    n_groups_max = max(len(c.clock_groups) for c in configs)
    cfg_group = np.full((len(configs), len(systems)), -1, dtype=np.int8)
    for c, cfg in enumerate(configs):
        for g, group in enumerate(cfg.clock_groups):
            for s in group:
                cfg_group[c, systems.index(s)] = g
    if mask.has_horizon:
        hz_az, hz_el = mask.periodic_nodes()
    else:
        hz_az = hz_el = np.zeros(0)
    if usable is not None:
        sys_index = np.where(usable, sys_index, -1).astype(np.int8)
    st = _Static(sys_index, len(systems), math.sin(math.radians(mask.elevation_mask_deg)),
                 np.ascontiguousarray(hz_az), np.ascontiguousarray(hz_el), cfg_group,
                 n_groups_max, float(pdop_max), bool(keep_time), float(lon0_deg),
                 float(dlon_deg), float(height_m), bool(cyclic))
    return st, tuple(systems)


@dataclass(frozen=True)
class SatelliteUsage:
    """Which satellites of a run the receiver profile uses, and their σ²_SIS."""

    svs: tuple[str, ...]
    usable: NDArray[np.bool_]
    sis_var: NDArray[np.float64]
    excluded: dict[str, str]
    catalogue: object

    def describe_excluded(self) -> str:
        """``"C01, C02: BDS-2 does not broadcast B1C+B2A; ..."``, grouped by reason."""
        by_reason: dict[str, list[str]] = {}
        for sv, why in self.excluded.items():
            by_reason.setdefault(why, []).append(sv)
        return "; ".join(f"{', '.join(v)}: {k}" for k, v in by_reason.items()) or "none"


def satellite_usage(svs: Sequence[str], times: NDArray, profile: ReceiverProfile,
                    catalogue=None) -> SatelliteUsage:
    """Usable satellites and σ²_SIS of ``svs`` under ``profile`` (catalogue at mid-run)."""
    if catalogue is None:
        from gnss_interop.ephemerides.catalogue import satellite_catalogue

        mid = times[0] + (times[-1] - times[0]) // 2
        catalogue = satellite_catalogue(svs, mid)
    sis_var, usable, excluded = satellite_variances(svs, catalogue, profile)
    return SatelliteUsage(tuple(svs), usable, sis_var, dict(excluded), catalogue)


def _with_accuracy(st: _Static, profile: ReceiverProfile, systems: Sequence[System],
                   usage: SatelliteUsage, limit: AccuracyLimit) -> _Static:
    """``st`` with the weighted solution switched on (budget tables of ``systems``)."""
    budgets = [system_budget(profile, s) for s in systems]
    return replace(st, weighted=True, sat_var=np.ascontiguousarray(usage.sis_var),
                   sys_coef=np.ascontiguousarray(np.stack([b.coef for b in budgets])),
                   sys_ion=np.array([b.iono_scale for b in budgets], float),
                   h95_max=limit.horizontal_max, v95_max=limit.vertical_max)


def _points(lat_rows_deg: NDArray, lon_deg: NDArray, height_m: float
            ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Receiver geometry of a block of grid rows for the kernel.

    Returns ``row_geo`` (R, 7): cos φ, sin φ, p_xy, p_z (ECEF of the row's point at
    longitude 0, WGS 84), u·r, n·r, |r|²; ``lon_cs`` (2, L): cos λ, sin λ; and ``tau2``
    (R, L): τ²_v of the single-frequency ionosphere residual [m²] (accuracy budget).
    """
    lat = np.asarray(lat_rows_deg, dtype=np.float64)
    xyz = geodetic_to_ecef(lat, np.zeros_like(lat), height_m)
    pxy, pz = xyz[:, 0], xyz[:, 2]
    phi = np.radians(lat)
    c, s = np.cos(phi), np.sin(phi)
    row_geo = np.stack([c, s, pxy, pz, c * pxy + s * pz, -s * pxy + c * pz,
                        pxy * pxy + pz * pz], axis=1)
    lam = np.radians(np.asarray(lon_deg, dtype=np.float64))
    tau2 = iono_vertical_variance_m2(lat[:, None], np.asarray(lon_deg, float)[None, :])
    return (np.ascontiguousarray(row_geo),
            np.ascontiguousarray(np.stack([np.cos(lam), np.sin(lam)])),
            np.ascontiguousarray(tau2, dtype=np.float64))


# ----------------------------------------------------------------------------- tiles

@dataclass(frozen=True)
class _Tile:
    lat_lo: float
    lat_hi: float
    t_start: str
    t_end: str
    row0: int
    row1: int
    i0: int  # time indices [i0, i1)
    i1: int

    def label(self) -> str:
        return (f"tile lat [{self.lat_lo:g}, {self.lat_hi:g}] deg, time "
                f"[{self.t_start}, {self.t_end}] GPST")


#: Points farther than a "visibility cap" (central angle from the sub-satellite
#: point) cannot see a satellite; the kernel skips them before the exact
#: elevation test. On a sphere of radius R a satellite at radius rho is above
#: elevation eps for central angles < arccos(R cos(eps) / rho) − eps; a larger R
#: shrinks the cap, so R = the smallest point radius makes it a superset. The
#: geodetic vertical differs from the geocentric one by ≤ 0.2°, and row
#: latitudes are geodetic, so the cap is taken for eps − 0.5° and widened by
#: 0.5° (each more than twice the 0.2° needed).
_CAP_EPS_MARGIN_RAD = math.radians(0.5)
_CAP_MARGIN_RAD = math.radians(0.5)
_B_MIN_M = 6_356_752.3 * (1.0 - 1e-4)  # below the WGS 84 polar radius


def _prepare_chunk(chunk: NDArray[np.float64], st: _Static):
    """Satellite arrays of one time chunk for the kernel: xyz (NaN→0), valid flags, caps."""
    if np.isinf(chunk).any():
        t, s = np.argwhere(np.isinf(chunk).any(axis=-1))[0]
        raise ValueError(f"satellite position is infinite (epoch index {t}, sv index {s}); "
                         f"NaN marks a missing ephemeris, inf is invalid input")
    valid = ~np.isnan(chunk).any(axis=-1)
    xyz = np.where(valid[..., None], chunk, 0.0)
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    rho = np.sqrt(x * x + y * y + z * z)
    rho_safe = np.where(rho > 0, rho, 1.0)
    geo = np.empty(chunk.shape[:2] + (4,))
    geo[..., 0] = z / rho_safe
    geo[..., 1] = np.hypot(x, y) / rho_safe
    geo[..., 2] = np.degrees(np.arctan2(y, x))
    eps0 = math.asin(st.sin_mask) - _CAP_EPS_MARGIN_RAD
    r_min = _B_MIN_M + min(0.0, st.height_m)
    ratio = r_min * math.cos(eps0) / rho_safe
    with np.errstate(invalid="ignore"):
        cap = np.where(ratio < 1.0, np.arccos(np.minimum(ratio, 1.0)) - eps0 + _CAP_MARGIN_RAD,
                       np.pi)
    geo[..., 3] = np.cos(np.minimum(cap, np.pi))
    return (np.ascontiguousarray(xyz), valid.astype(np.uint8), geo)


def _run_tile(tile: _Tile, pt: tuple[NDArray, NDArray], lat_rows: NDArray, chunk: NDArray,
              st: _Static) -> tuple[dict[str, NDArray], tuple[NDArray, NDArray] | None]:
    """Running statistics (and per-epoch values if keep_time) of one tile."""
    try:
        xyz, valid, geo = _prepare_chunk(chunk, st)
        row_geo, lon_cs, tau2 = pt
        n_pts = row_geo.shape[0] * lon_cs.shape[1]
        n_t, n_cfg = chunk.shape[0], st.cfg_group.shape[0]
        state = K.new_state(n_pts, n_cfg, st.weighted)
        gap = (np.ascontiguousarray(st.ep_gap[tile.i0:tile.i1]) if st.ep_gap.size
               else np.zeros((n_t, n_cfg), np.uint8))
        state["n_epochs"][:] = n_t - gap.sum(axis=0)
        if st.keep_time:
            ep_nsat = np.zeros((n_pts, n_cfg, n_t), np.int16)
            ep_dop = np.zeros((n_pts, n_cfg, n_t, K.N_DOP))
        else:
            ep_nsat = np.zeros((0, 0, 0), np.int16)
            ep_dop = np.zeros((0, 0, 0, 0))
        if st.keep_time and st.weighted:
            ep_acc = np.zeros((n_pts, n_cfg, n_t, K.N_ACC))
        else:
            ep_acc = np.zeros((0, 0, 0, 0))
        sat_var = st.sat_var if st.weighted else np.zeros(chunk.shape[1])
        # sub-blocks of epochs keep the satellite data of a block in L2 while the
        # kernel sweeps the rows; sums still run in time order per point
        for i0 in range(0, n_t, SUB_BLOCK_EPOCHS):
            i1 = min(n_t, i0 + SUB_BLOCK_EPOCHS)
            K.accumulate(row_geo, lon_cs, st.cyclic, lat_rows, st.lon0_deg, st.dlon_deg,
                         xyz[i0:i1], valid[i0:i1], geo[i0:i1], st.sys_index, st.n_sys, st.sin_mask, st.hz_az, st.hz_el,
                         st.cfg_group, st.n_groups_max, st.pdop_max, state["nsat_sum"],
                         state["nsat_min"], state["nsat_max"], state["n_solution"],
                         state["n_available"], state["dop_sum"], state["dop_max"],
                         state["hist"], st.keep_time, ep_nsat[:, :, i0:i1] if st.keep_time
                         else ep_nsat, ep_dop[:, :, i0:i1] if st.keep_time else ep_dop,
                         st.weighted, sat_var, st.sys_coef, st.sys_ion, tau2, st.h95_max,
                         st.v95_max, state["n_acc_available"], state["n_acc_solution"],
                         state["acc_sum"], state["acc_max"], state["acc_hist"],
                         ep_acc[:, :, i0:i1] if ep_acc.size else ep_acc, gap[i0:i1])
        return state, ((ep_nsat, ep_dop, ep_acc) if st.keep_time else None)
    except Exception as exc:
        raise CoverageError(f"{tile.label()} failed: {type(exc).__name__}: {exc}") from exc


def _merge_finalize(*parts):
    """Left fold of time-chunk results in time order, then finalize (same in every path)."""
    first, ep = parts[0]
    # fold into a copy: on Dask the inputs may be the stored results of other tasks, and a
    # retried merge must not add a tile twice
    state = {k: v.copy() for k, v in first.items()}
    eps = [ep]
    for s, e in parts[1:]:
        K.merge_states(state, s)
        eps.append(e)
    out = K.finalize(state) + (K.finalize_accuracy(state),)
    if eps[0] is None:
        return out, None
    return out, tuple(np.concatenate([e[i] for e in eps], axis=2) for i in range(3))


def _band_task(tiles: Sequence[_Tile], pt, lat_rows, pos, st):
    parts = [_run_tile(t, pt, lat_rows, pos[t.i0:t.i1], st) for t in tiles]
    return _merge_finalize(*parts)


def _plan(grid_lat: NDArray, n_lon: int, times: NDArray, time_chunk: int | None,
          n_threads: int) -> list[list[_Tile]]:
    n_lat = grid_lat.size
    rows = max(1, min(math.ceil(n_lat / (4 * max(1, n_threads))), TILE_POINTS // max(1, n_lon)))
    n_t = times.size
    step = n_t if not time_chunk else max(1, int(time_chunk))
    bands = []
    for r0 in range(0, n_lat, rows):
        r1 = min(n_lat, r0 + rows)
        band = []
        for i0 in range(0, n_t, step):
            i1 = min(n_t, i0 + step)
            band.append(_Tile(float(grid_lat[r0]), float(grid_lat[r1 - 1]),
                              str(times[i0])[:19], str(times[i1 - 1])[:19], r0, r1, i0, i1))
        bands.append(band)
    return bands


# ----------------------------------------------------------------------------- API

def compute_grid(
    positions: xr.DataArray,
    grid: GridSpec,
    *,
    mask: ElevationMask | None = None,
    configs: Sequence[Configuration] | None = None,
    pdop_max: float = 6.0,
    keep_time: bool = False,
    time_chunk: int | None = None,
    threads: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    retries: int = 2,
    progress: Callable[[int, int], None] | None = None,
    input_files: Sequence[str | os.PathLike] | None = None,
    receiver: ReceiverProfile | str | None = None,
    catalogue=None,
    accuracy: bool = True,
    accuracy_max_m: AccuracyLimit | dict | None = None,
) -> xr.Dataset:
    """Visibility, DOP and expected accuracy statistics at every grid point, per configuration.

    Parameters
    ----------
    positions
        Satellite ECEF positions [m], dims (time, sv, xyz), time in GPST;
        NaN = no valid ephemeris (satellite not visible at that epoch).
    grid
        Receiver points (:class:`~gnss_interop.coverage.grid.GridSpec`), height above WGS 84.
    mask
        Elevation mask (default 5°, no horizon).
    configs
        Configurations; default C, R, C+R (C+R/interop must be requested
        explicitly, e.g. via :func:`~gnss_interop.coverage.configs.configurations_for`).
    pdop_max
        PDOP threshold of the availability (default 6).
    keep_time
        Also return per-epoch ``nsat`` and DOPs (config, time, lat, lon); for
        small grids only (refused above 2 GiB).
    time_chunk
        Epochs per tile (default: all). Tiles of one latitude band are merged
        in time order, so results do not depend on ``threads``/``workers``
        for a given ``time_chunk``.
    threads
        Threads of the local pool (default: CPUs available); the kernel releases the GIL.
    workers, scheduler
        ``workers=N`` runs the tiles on a new local dask.distributed cluster
        of N single-threaded processes; ``scheduler="tcp://..."`` uses an
        existing one. Each tile is retried ``retries`` times.
    progress
        Called as ``progress(done, total)`` after each latitude band.
    input_files
        Navigation files the positions came from (recorded in the attributes).
    receiver
        Receiver profile (:mod:`gnss_interop.receivers`; a preset name or a profile; default
        :data:`~gnss_interop.receivers.DEFAULT_RECEIVER`): only satellites whose generation
        broadcasts the tracked signals count, and it sets the error budget.
    catalogue
        :class:`~gnss_interop.ephemerides.catalogue.SatelliteCatalogue` of the satellites
        (default: built from the shipped IGS metadata for the middle epoch; pass
        ``Ephemerides.catalogue()`` to add the broadcast evidence).
    accuracy
        Also compute the weighted solution's accuracy layers (σ_E/N/U, H95, V95, weighted
        PDOP, accuracy availability). ``False`` gives the geometry layers only.
    accuracy_max_m
        Limits of the accuracy availability (:class:`~gnss_interop.accuracy.limits.AccuracyLimit`
        or ``{"horizontal": 5, "vertical": 10}``; default 5 m H95 and 10 m V95).

    Returns
    -------
    xarray.Dataset
        Dims (config, lat, lon); CF-1.11 attributes; see the module docstring
        for the definitions.
    """
    mask = ElevationMask() if mask is None else mask
    configs = tuple(default_configurations() if configs is None else configs)
    if not configs:
        raise ValueError("no configurations given")
    if not (pdop_max > 0):
        raise ValueError(f"pdop_max must be positive, got {pdop_max}")
    pos, times, svs = _positions_array(positions)
    lon0 = grid.lon_min_deg + (0.5 * grid.resolution_deg if grid.registration == "cell" else 0.0)
    profile = receiver_profile(receiver)
    limit = accuracy_limit(accuracy_max_m)
    usage = satellite_usage(svs, times, profile, catalogue)
    st, systems = _static(svs, configs, mask, pdop_max, keep_time, lon0, grid.resolution_deg,
                          grid.height_m, grid.is_full_longitude, usage.usable)
    if accuracy:
        st = _with_accuracy(st, profile, systems, usage, limit)
    sys_gap = system_gaps(positions, systems, usage.usable)
    st = replace(st, ep_gap=configuration_gaps(sys_gap, systems, configs))
    _require_data(st.ep_gap, configs, times)
    lat, lon = grid.lat_deg, grid.lon_deg
    n_lat, n_lon, n_t, n_cfg = lat.size, lon.size, times.size, len(configs)
    if keep_time:
        # int16 count, float64 DOPs and, with accuracy, the float64 accuracy quantities
        need = n_lat * n_lon * n_t * n_cfg * (2 + 8 * K.N_DOP + (8 * K.N_ACC if accuracy else 0))
        if need > KEEP_TIME_MAX_BYTES:
            raise ValueError(
                f"keep_time=True would need {need / 2**30:.1f} GiB for {n_lat}x{n_lon} points x "
                f"{n_t} epochs ({n_cfg} configurations"
                + (", with the accuracy layers" if accuracy else "")
                + "); use a coarser grid, a smaller box, fewer epochs or accuracy=False")
    if threads:
        n_threads = int(threads)
    elif hasattr(os, "sched_getaffinity"):
        n_threads = len(os.sched_getaffinity(0))
    else:  # pragma: no cover
        n_threads = os.cpu_count() or 1
    if workers is not None or scheduler is not None:
        n_threads = max(1, workers or 2)
    bands = _plan(lat, n_lon, times, time_chunk, n_threads)

    def band_points(band):
        t = band[0]
        rows = np.ascontiguousarray(lat[t.row0:t.row1])
        return _points(rows, lon, grid.height_m), rows

    out_nsat = np.empty((n_cfg, 3, n_lat, n_lon))
    out_frac = np.empty((n_cfg, 2, n_lat, n_lon))
    out_dop = np.empty((n_cfg, K.N_DOP, 3, n_lat, n_lon))
    ep_nsat = np.zeros((n_cfg, n_t, n_lat, n_lon), np.int16) if keep_time else None
    ep_dop = np.zeros((n_cfg, K.N_DOP, n_t, n_lat, n_lon)) if keep_time else None
    out_acc = np.empty((n_cfg, K.N_ACC, 3, n_lat, n_lon)) if accuracy else None
    out_afrac = np.empty((n_cfg, 2, n_lat, n_lon)) if accuracy else None
    ep_acc = np.zeros((n_cfg, K.N_ACC, n_t, n_lat, n_lon)) if keep_time and accuracy else None

    def store(band, result):
        (nsat, frac, dop, accres), ep = result
        r0, r1 = band[0].row0, band[0].row1
        nr = r1 - r0
        out_nsat[:, :, r0:r1] = nsat.reshape(nr, n_lon, n_cfg, 3).transpose(2, 3, 0, 1)
        out_frac[:, :, r0:r1] = frac.reshape(nr, n_lon, n_cfg, 2).transpose(2, 3, 0, 1)
        out_dop[:, :, :, r0:r1] = dop.reshape(nr, n_lon, n_cfg, K.N_DOP, 3).transpose(
            2, 3, 4, 0, 1)
        if accres is not None:
            acc, afrac = accres
            out_acc[:, :, :, r0:r1] = acc.reshape(nr, n_lon, n_cfg, K.N_ACC, 3).transpose(
                2, 3, 4, 0, 1)
            out_afrac[:, :, r0:r1] = afrac.reshape(nr, n_lon, n_cfg, 2).transpose(2, 3, 0, 1)
        if ep is not None:
            en, ed, ea = ep  # (P, C, T), (P, C, T, 5), (P, C, T, N_ACC)
            if ep_acc is not None:
                ep_acc[:, :, :, r0:r1] = ea.reshape(nr, n_lon, n_cfg, n_t, K.N_ACC).transpose(
                    2, 4, 3, 0, 1)
            ep_nsat[:, :, r0:r1] = en.reshape(nr, n_lon, n_cfg, n_t).transpose(2, 3, 0, 1)
            ep_dop[:, :, :, r0:r1] = ed.reshape(nr, n_lon, n_cfg, n_t, K.N_DOP).transpose(
                2, 4, 3, 0, 1)

    if workers is not None or scheduler is not None:
        _run_distributed(bands, band_points, pos, st, store, workers, scheduler, retries,
                         progress)
    else:
        _run_threads(bands, band_points, pos, st, store, n_threads, progress)

    if input_files is None:
        input_files = positions.attrs.get("input_files") or positions.attrs.get("sources")
    if isinstance(input_files, (str, os.PathLike)):
        input_files = [input_files]
    ds = grid_dataset(grid, configs, mask, pdop_max, times, out_nsat, out_frac, out_dop,
                      ep_nsat, ep_dop, input_files, time_chunk)
    add_accuracy_layers(ds, profile, systems, usage, limit, out_acc, out_afrac, ep_acc)
    add_gap_layers(ds, st.ep_gap, sys_gap, systems, keep_time, times)
    return ds


def _require_data(ep_gap: NDArray[np.uint8], configs: Sequence[Configuration],
                  times: NDArray) -> None:
    """A span that no ephemeris covers is an error, not a 0 % result."""
    if ep_gap.size and ep_gap.all():
        raise ValueError(
            f"no ephemeris covers {str(times[0])[:19]} .. {str(times[-1])[:19]} GPST for "
            f"every configuration ({', '.join(c.name for c in configs)}): every epoch is a "
            f"data gap; load the files of that span")


def _run_threads(bands, band_points, pos, st, store, n_threads, progress):
    total = len(bands)

    def job(band):
        pt, rows = band_points(band)
        return _band_task(band, pt, rows, pos, st)

    if n_threads <= 1:
        for i, band in enumerate(bands):
            store(band, job(band))
            if progress:
                progress(i + 1, total)
        return
    with ThreadPoolExecutor(max_workers=n_threads) as ex:
        # bounded look-ahead keeps memory at a few tiles
        pending = {}
        it = iter(enumerate(bands))
        done = 0
        for _ in range(2 * n_threads):
            nxt = next(it, None)
            if nxt is not None:
                pending[nxt[0]] = (nxt[1], ex.submit(job, nxt[1]))
        while pending:
            i = min(pending)
            band, fut = pending.pop(i)
            store(band, fut.result())
            done += 1
            if progress:
                progress(done, total)
            nxt = next(it, None)
            if nxt is not None:
                pending[nxt[0]] = (nxt[1], ex.submit(job, nxt[1]))


def _run_distributed(bands, band_points, pos, st, store, workers, scheduler, retries, progress):
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is not None:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
    try:
        chunk_futs = {}
        for t in bands[0]:
            chunk_futs[(t.i0, t.i1)] = client.scatter(pos[t.i0:t.i1], broadcast=True)
        st_f = client.scatter(st, broadcast=True)
        finals = {}
        for b, band in enumerate(bands):
            pt, rows = band_points(band)
            parts = [client.submit(_run_tile, t, pt, rows, chunk_futs[(t.i0, t.i1)],
                                   st_f, retries=retries, pure=False,
                                   key=f"coverage-tile-r{t.row0}-t{t.i0}-{os.urandom(4).hex()}")
                     for t in band]
            finals[client.submit(_merge_finalize, *parts, retries=retries, pure=False)] = band
        done = 0
        for fut in as_completed(list(finals)):
            band = finals[fut]
            try:
                result = fut.result()
            except CoverageError:
                raise
            except Exception as exc:
                raise CoverageError(
                    f"tile lat [{band[0].lat_lo:g}, {band[0].lat_hi:g}] deg, time "
                    f"[{band[0].t_start}, {band[-1].t_end}] GPST failed: "
                    f"{type(exc).__name__}: {exc}") from exc
            store(band, result)
            fut.release()
            done += 1
            if progress:
                progress(done, len(bands))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
