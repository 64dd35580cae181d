"""Identities: satellite systems, time scales and orbit classes as enums.

The RINEX system letter is parsed exactly once, at the I/O boundary
(:func:`System.from_letter`); everything downstream uses these enums. What a
system *does* (record layouts, propagator, constants, validity, screening) is
in its registry entry (:mod:`gnss_interop.systems.registry`).
"""

from __future__ import annotations

from enum import Enum, IntEnum

__all__ = ["BdsOrbitType", "OrbitClass", "System", "TimeScale"]


class TimeScale(Enum):
    """Time scales that appear in broadcast navigation files."""

    GPST = "GPST"
    BDT = "BDT"
    GLONASST = "GLONASST"  # UTC(SU) + 3 h
    UTC = "UTC"
    GST = "GST"


class System(Enum):
    """A GNSS, with its RINEX letter and the name its operator writes."""

    BEIDOU = ("C", "BeiDou")
    GLONASS = ("R", "GLONASS")
    GPS = ("G", "GPS")
    GALILEO = ("E", "Galileo")

    def __init__(self, letter: str, display_name: str) -> None:
        self.letter = letter
        self.display_name = display_name

    @classmethod
    def from_letter(cls, letter: str) -> "System":
        """The system whose RINEX letter is ``letter`` (``"C"``, ``"R"``, ...)."""
        for system in cls:
            if system.letter == letter:
                return system
        known = ", ".join(s.letter for s in cls)
        raise ValueError(f"unknown satellite system letter {letter!r}; known: {known}")

    @property
    def timescale(self) -> TimeScale:
        """The system time scale (BDT, GLONASST, GPST, GST), from the registry entry."""
        from gnss_interop.systems.registry import spec

        return spec(self).time_scale

    @property
    def code(self) -> int:
        """Small integer used in numeric arrays (stable: order of definition)."""
        return list(System).index(self)


class OrbitClass(IntEnum):
    """Orbit class of a satellite; values follow the BeiDou CNAV SatType field (1 GEO, 2 IGSO, 3 MEO)."""

    GEO = 1
    IGSO = 2
    MEO = 3


#: The BeiDou orbit classes (kept under their first name: the public API exports it).
BdsOrbitType = OrbitClass
