"""Broadcast-orbit propagators: pure, vectorised functions of elements and GPST."""

from .glonass import propagate_glonass
from .kepler import kepler_positions

__all__ = ["kepler_positions", "propagate_glonass"]
