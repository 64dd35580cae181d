"""Coverage: what receivers over a grid (or at a site) see, alone and combined.

Inputs are satellite positions ``(time, sv, xyz)`` (ECEF metres, GPST) from
:meth:`gnss_interop.Ephemerides.positions`; outputs are CF Datasets whose layers are
described in :mod:`gnss_interop.variables`.

Modules: :mod:`~.geometry` (geodetic/ECEF/ENU, look angles), :mod:`~.grid` (receiver
grids), :mod:`~.masks` (elevation masks and horizons), :mod:`~.configs` (receiver
configurations and clock models), :mod:`~.kernels` (the fused numba kernel),
:mod:`~.reference` (a plain per-point reference implementation), :mod:`~.engine`
(tiles, executors, :func:`compute_grid`), :mod:`~.site` (:func:`compute_site`) and
:mod:`~.dataset` (the CF Dataset).
"""

from gnss_interop.coverage.configs import (
    ClockModel,
    Configuration,
    configurations_for,
    standard_configurations,
    systems_of,
)
from gnss_interop.coverage.engine import compute_grid, default_configurations
from gnss_interop.coverage.grid import GridSpec
from gnss_interop.coverage.masks import ElevationMask
from gnss_interop.coverage.site import compute_site

__all__ = [
    "ClockModel",
    "Configuration",
    "ElevationMask",
    "GridSpec",
    "compute_grid",
    "compute_site",
    "configurations_for",
    "default_configurations",
    "standard_configurations",
    "systems_of",
]
