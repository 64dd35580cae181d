"""Satellite systems, time scales and BeiDou orbit types as enums.

The RINEX system letter is parsed exactly once, at the I/O boundary
(:func:`System.from_letter`); everything downstream uses these enums.
"""

from __future__ import annotations

from enum import Enum, IntEnum


class TimeScale(Enum):
    """Time scales that appear in broadcast navigation files."""

    GPST = "GPST"
    BDT = "BDT"
    GLONASST = "GLONASST"  # UTC(SU) + 3 h
    UTC = "UTC"
    GST = "GST"


class System(Enum):
    """A GNSS, with its RINEX letter and the time scale of its broadcast epochs."""

    BEIDOU = ("C", TimeScale.BDT)
    GLONASS = ("R", TimeScale.GLONASST)
    GPS = ("G", TimeScale.GPST)
    GALILEO = ("E", TimeScale.GST)

    def __init__(self, letter: str, timescale: TimeScale) -> None:
        self.letter = letter
        self.timescale = timescale

    @classmethod
    def from_letter(cls, letter: str) -> "System":
        """The system whose RINEX letter is ``letter`` (``"C"``, ``"R"``, ...)."""
        for system in cls:
            if system.letter == letter:
                return system
        known = ", ".join(s.letter for s in cls)
        raise ValueError(f"unknown satellite system letter {letter!r}; known: {known}")

    @property
    def display_name(self) -> str:
        """Name as the operators write it: ``"BeiDou"``, ``"GLONASS"``, ``"GPS"``, ``"Galileo"``."""
        return {"BEIDOU": "BeiDou", "GLONASS": "GLONASS", "GPS": "GPS", "GALILEO": "Galileo"}[self.name]

    @property
    def code(self) -> int:
        """Small integer used in numeric arrays (stable: order of definition)."""
        return list(System).index(self)


class BdsOrbitType(IntEnum):
    """BeiDou orbit class; values follow the CNAV SatType field (1 GEO, 2 IGSO, 3 MEO)."""

    GEO = 1
    IGSO = 2
    MEO = 3


def sv_system(sv: str) -> System:
    """System of a satellite identifier such as ``"C19"``."""
    return System.from_letter(sv[0])
