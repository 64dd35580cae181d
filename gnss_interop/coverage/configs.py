"""Receiver configurations: which systems are used and how receiver clocks are modelled.

A :class:`Configuration` is a frozen value: a tuple of :class:`~gnss_interop.systems.System`
plus a :class:`ClockModel`:

* ``ClockModel.PER_SYSTEM``: one receiver-clock unknown per system (E, N, U +
  one clock per system). With two systems the inter-system bias is estimated
  (5 unknowns). At an epoch where a system has no visible satellite, its clock
  column is dropped (it would be an all-zero column, i.e. a singular matrix),
  so the unknowns are 3 + the number of systems *with* visible satellites.
* ``ClockModel.SINGLE``: one receiver clock for all systems (4 unknowns). For
  more than one system this is only valid if the broadcast inter-system time
  offsets are applied to the measurements (e.g. BDGL = BDT − GLONASST for
  BeiDou+GLONASS, RINEX 4 ``STO`` records): this is the "interoperability"
  configuration, named with the ``/interop`` suffix.

Names: systems joined by ``+`` in the given order (``"C"``, ``"R"``, ``"C+R"``),
plus ``"/interop"`` for a multi-system single-clock configuration.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from gnss_interop.errors import InteropUnavailableWarning
from gnss_interop.systems import PRIMARY_SYSTEMS, System, time_offset_names

__all__ = [
    "ClockModel",
    "Configuration",
    "combinations",
    "standard_configurations",
    "usable_configurations",
    "configurations_for",
    "systems_of",
]


class ClockModel(Enum):
    """How receiver clocks enter the position solution."""

    PER_SYSTEM = "per-system"
    SINGLE = "single"


@dataclass(frozen=True)
class Configuration:
    """A receiver configuration (systems used + receiver clock model).

    Parameters
    ----------
    systems
        Systems whose satellites are used, in order. The first system's clock is
        the one TDOP refers to in the per-system clock model.
    clock
        :class:`ClockModel`; irrelevant for a single system.
    """

    systems: tuple[System, ...]
    clock: ClockModel = ClockModel.PER_SYSTEM

    def __post_init__(self) -> None:
        if not self.systems:
            raise ValueError("a configuration needs at least one system")
        if not all(isinstance(s, System) for s in self.systems):
            raise TypeError("systems must be gnss_interop.systems.System members")
        if len(set(self.systems)) != len(self.systems):
            raise ValueError(f"duplicate system in {self.systems}")
        if len(self.systems) == 1 and self.clock is ClockModel.SINGLE:
            # one system has one clock: normalise so equal configs compare equal
            object.__setattr__(self, "clock", ClockModel.PER_SYSTEM)

    @classmethod
    def parse(cls, name: str) -> "Configuration":
        """From a name such as ``"C"``, ``"C+R"`` or ``"C+R/interop"``."""
        base, _, suffix = name.partition("/")
        if suffix not in ("", "interop"):
            raise ValueError(f"unknown configuration suffix {suffix!r} in {name!r}")
        systems = tuple(System.from_letter(x.strip()) for x in base.split("+"))
        clock = ClockModel.SINGLE if suffix == "interop" else ClockModel.PER_SYSTEM
        return cls(systems, clock)

    @property
    def name(self) -> str:
        base = "+".join(s.letter for s in self.systems)
        if len(self.systems) > 1 and self.clock is ClockModel.SINGLE:
            return base + "/interop"
        return base

    @property
    def clock_groups(self) -> tuple[tuple[System, ...], ...]:
        """Systems sharing each receiver-clock unknown, in order."""
        if self.clock is ClockModel.SINGLE:
            return (self.systems,)
        return tuple((s,) for s in self.systems)

    @property
    def max_unknowns(self) -> int:
        """E, N, U plus one clock per group (fewer at epochs where a group has no satellite)."""
        return 3 + len(self.clock_groups)

    @property
    def title(self) -> str:
        """Short heading, e.g. ``"C: BeiDou alone"``, ``"C+R: BeiDou + GLONASS"``."""
        if len(self.systems) == 1:
            return f"{self.name}: {self.systems[0].display_name} alone"
        if self.clock is ClockModel.SINGLE:
            return f"{self.name}: one clock, broadcast offset"
        return f"{self.name}: " + " + ".join(s.display_name for s in self.systems)

    def describe(self) -> str:
        systems = "+".join(s.name for s in self.systems)
        if len(self.systems) == 1:
            return f"{systems} alone: E, N, U + 1 receiver clock (4 unknowns)"
        if self.clock is ClockModel.SINGLE:
            return (f"{systems} with one receiver clock (4 unknowns); valid because the "
                    f"broadcast inter-system time offset is applied")
        return (f"{systems} with one receiver clock per system ({self.max_unknowns} unknowns, "
                f"inter-system biases estimated; a clock column is dropped at epochs where "
                f"its system has no visible satellite)")

    def __str__(self) -> str:
        return self.name


def systems_of(configs: Iterable[Configuration]) -> tuple[System, ...]:
    """The systems the configurations use, in order of first appearance."""
    out: list[System] = []
    for cfg in configs:
        out += [s for s in cfg.systems if s not in out]
    return tuple(out)


def _connected(systems: Sequence[System], has_offset: Callable[[str], bool]) -> bool:
    """Whether the available offsets link every system's time scale to the first one."""
    reached = {systems[0]}
    changed = True
    while changed:
        changed = False
        for a in systems:
            for b in systems:
                if a in reached and b not in reached:
                    names = time_offset_names(a, b)
                    if any(has_offset(n) for n in names):
                        reached.add(b)
                        changed = True
    return len(reached) == len(systems)


def _interop_warning(cfg: Configuration) -> str:
    needed = sorted({time_offset_names(a, b)[0] for i, a in enumerate(cfg.systems)
                     for b in cfg.systems[i + 1:]})
    return (f"configuration {cfg.name} left out: no broadcast inter-system time "
            f"offset ({' or '.join(needed) or 'none defined'}) links "
            f"{', '.join(s.name for s in cfg.systems)}; without it a single receiver "
            f"clock is not valid. Load a navigation file with RINEX 4 STO records.")


def usable_configurations(
    wanted: Sequence[Configuration],
    *,
    interop_offset_available: bool | Callable[[str], bool],
) -> tuple[Configuration, ...]:
    """``wanted`` without the single-clock configurations whose systems no broadcast offset links.

    Each configuration left out is named in an :class:`InteropUnavailableWarning`.
    ``interop_offset_available`` is ``True``/``False`` or a callable ``name -> bool`` such as
    ``eph.has_time_offset``, asked for the RINEX offset names in :func:`~gnss_interop.systems.time_offset_names`.
    """
    out = []
    for cfg in wanted:
        if len(cfg.systems) > 1 and cfg.clock is ClockModel.SINGLE:
            if callable(interop_offset_available):
                ok = _connected(cfg.systems, interop_offset_available)
            else:
                ok = bool(interop_offset_available)
            if not ok:
                warnings.warn(_interop_warning(cfg), InteropUnavailableWarning, stacklevel=3)
                continue
        out.append(cfg)
    return tuple(out)


def combinations(systems: Sequence[System] = PRIMARY_SYSTEMS, *, interop: bool = True
                 ) -> tuple[Configuration, ...]:
    """Each system alone, all together with one clock per system, and (``interop``) with one
    clock: C, R, C+R, C+R/interop for the primary systems. No offset is checked here (see
    :func:`usable_configurations`)."""
    systems = tuple(systems)
    out = [Configuration((s,)) for s in systems]
    if len(systems) > 1:
        out.append(Configuration(systems, ClockModel.PER_SYSTEM))
        if interop:
            out.append(Configuration(systems, ClockModel.SINGLE))
    return tuple(out)


def standard_configurations(
    systems: Sequence[System] = PRIMARY_SYSTEMS,
    *,
    interop_offset_available: bool | Callable[[str], bool],
) -> tuple[Configuration, ...]:
    """Each system alone, all together with per-system clocks, and (if possible) /interop.

    Parameters
    ----------
    systems
        Systems to combine, e.g. ``(System.BEIDOU, System.GLONASS)``.
    interop_offset_available
        ``True``/``False``, or a callable ``name -> bool`` such as
        ``eph.has_time_offset`` that is asked for the RINEX offset names in
        :func:`~gnss_interop.systems.time_offset_names`. When the offsets do not link all systems, the
        single-clock configuration is left out with an
        :class:`InteropUnavailableWarning`.

    Returns
    -------
    tuple of Configuration
        For (C, R): ``C``, ``R``, ``C+R`` and, when BDGL is available, ``C+R/interop``.
    """
    return usable_configurations(combinations(systems),
                                 interop_offset_available=interop_offset_available)


def configurations_for(ephemerides: object, systems: Iterable[System] = PRIMARY_SYSTEMS
                       ) -> tuple[Configuration, ...]:
    """:func:`standard_configurations` using ``ephemerides.has_time_offset(name)``."""
    has = getattr(ephemerides, "has_time_offset", None)
    return standard_configurations(tuple(systems),
                                   interop_offset_available=has if callable(has) else False)
