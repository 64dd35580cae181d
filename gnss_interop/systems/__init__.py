"""Satellite systems: identities (enums) and one registry entry per system.

Adding a system is one module here that builds a :class:`SystemSpec` (its RINEX
record layouts, orbit model and constants, validity window, orbit classes and
screening limits, time scales, default signal) and one line in
:mod:`~gnss_interop.systems.registry`. Everything downstream (the RINEX reader,
the ephemeris store, the coverage engine, scenarios and outputs) asks the
registry instead of naming systems.
"""

from gnss_interop.systems.enums import BdsOrbitType, OrbitClass, System, TimeScale
from gnss_interop.systems.registry import (
    Generation,
    PRIMARY_SYSTEMS,
    LayoutRule,
    Signal,
    SystemSpec,
    registered,
    spec,
    spec_of_letter,
    sv_system,
    time_offset_names,
)

__all__ = [
    "Generation",
    "BdsOrbitType",
    "LayoutRule",
    "OrbitClass",
    "Signal",
    "PRIMARY_SYSTEMS",
    "System",
    "SystemSpec",
    "TimeScale",
    "registered",
    "spec",
    "spec_of_letter",
    "sv_system",
    "time_offset_names",
]
