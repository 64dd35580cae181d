"""gnss_interop: BeiDou and GLONASS coverage, alone and together, from broadcast ephemerides.

Conventions for the whole package: angles in degrees, distances in metres,
times in GPST (``numpy.datetime64``) unless a name or docstring says otherwise.
"""

from .configs import ClockModel, Configuration, configurations_for
from .coverage import compute_grid, compute_site, write_netcdf
from .ephemeris import Ephemerides, load_ephemerides
from .errors import EphemerisRangeWarning, GnssDataWarning, GnssInputError, RinexError
from .grid import GridSpec
from .masks import ElevationMask
from .scenario import load_scenario_file, run_scenarios, scenario_file_from_dict
from .systems import BdsOrbitType, System, TimeScale

__version__ = "0.1.0"

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
