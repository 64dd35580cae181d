"""Broadcast-orbit propagators: pure, vectorised functions of elements and GPST.

Each system's registry entry holds one orbit model with its constants:
:class:`KeplerOrbitModel` (BeiDou, GPS, Galileo) or :class:`GlonassOrbitModel`.
"""

from gnss_interop.orbits.glonass import GlonassOrbitModel, propagate_glonass, propagate_glonass_state
from gnss_interop.orbits.kepler import KeplerOrbitModel, kepler_positions

__all__ = ["GlonassOrbitModel", "KeplerOrbitModel", "kepler_positions", "propagate_glonass",
           "propagate_glonass_state"]
