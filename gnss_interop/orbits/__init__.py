"""Broadcast-orbit propagators: pure, vectorised functions of elements and GPST."""

from .glonass import propagate_glonass, propagate_glonass_state
from .kepler import kepler_positions

__all__ = ["kepler_positions", "propagate_glonass", "propagate_glonass_state"]
