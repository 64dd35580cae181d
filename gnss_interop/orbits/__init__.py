"""Broadcast-orbit propagators: pure, vectorised functions of elements and GPST."""

from gnss_interop.orbits.glonass import propagate_glonass, propagate_glonass_state
from gnss_interop.orbits.kepler import kepler_positions

__all__ = ["kepler_positions", "propagate_glonass", "propagate_glonass_state"]
