"""gnss_interop: BeiDou and GLONASS coverage, alone and together, from broadcast ephemerides.

Conventions for the whole package: angles in degrees, distances in metres,
times in GPST (``numpy.datetime64``) unless a name or docstring says otherwise.
"""

from .ephemeris import Ephemerides, load_ephemerides
from .errors import EphemerisRangeWarning, GnssDataWarning, GnssInputError, RinexError
from .systems import BdsOrbitType, System, TimeScale

__version__ = "0.1.0"

__all__ = [
    "BdsOrbitType",
    "Ephemerides",
    "EphemerisRangeWarning",
    "GnssDataWarning",
    "GnssInputError",
    "RinexError",
    "System",
    "TimeScale",
    "__version__",
    "load_ephemerides",
]
