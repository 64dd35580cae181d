"""gnss_interop: BeiDou and GLONASS coverage, alone and together, from broadcast ephemerides.

Conventions for the whole package: angles in degrees, distances in metres,
times in GPST (``numpy.datetime64``) unless a name or docstring says otherwise.
"""

from gnss_interop._version import __version__
from gnss_interop.coverage.configs import ClockModel, Configuration, configurations_for
from gnss_interop.coverage import compute_grid, compute_site
from gnss_interop.output.netcdf import write_netcdf
from gnss_interop.ephemerides.store import Ephemerides, load_ephemerides
from gnss_interop.errors import EphemerisRangeWarning, GnssDataWarning, GnssInputError, RinexError
from gnss_interop.coverage.grid import GridSpec
from gnss_interop.coverage.masks import ElevationMask
from gnss_interop.scenarios import load_scenario_file, run_scenarios, scenario_file_from_dict
from gnss_interop.systems import BdsOrbitType, System, TimeScale


__all__ = [
    "BdsOrbitType",
    "ClockModel",
    "Configuration",
    "ElevationMask",
    "Ephemerides",
    "EphemerisRangeWarning",
    "GnssDataWarning",
    "GnssInputError",
    "GridSpec",
    "RinexError",
    "System",
    "TimeScale",
    "__version__",
    "compute_grid",
    "compute_site",
    "configurations_for",
    "load_ephemerides",
    "load_scenario_file",
    "run_scenarios",
    "scenario_file_from_dict",
    "write_netcdf",
]
