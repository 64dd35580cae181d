"""The registry of satellite systems: one :class:`SystemSpec` per system.

A spec holds what differs between systems and nothing else:

* **records**: the RINEX navigation message layouts (:class:`LayoutRule`, per
  message and version), the message read from a RINEX 2/3 record (those carry no
  message name), which messages are preferred, and what "healthy" means;
* **orbit**: the orbit model with the system's constants (GM, Earth rotation,
  ICD rotations), the fields it needs, how records are classed (GEO/IGSO/MEO);
* **time**: the system time scale, the scale of RINEX epochs (UTC for GLONASS),
  and whether the reference time is ``toe`` (seconds of week) or the epoch itself;
* **validity and screening**: the half-width of the validity window around the
  reference time, the nominal orbit radius of each class and the tolerances of
  the sanity screening;
* **signals**: what the system broadcasts (frequency, chip rate, minimum power: receiver
  profiles and the jammer model use them), and the signal a profile tracks for a system it
  does not name.

Every constant comes from :mod:`gnss_interop.constants`, where its source is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from gnss_interop.systems.enums import OrbitClass, System, TimeScale

if TYPE_CHECKING:  # pragma: no cover
    from gnss_interop.reading.layout import MessageLayout

__all__ = ["PRIMARY_SYSTEMS", "Generation", "LayoutRule", "Signal", "SystemSpec", "registered", "spec",
           "spec_of_letter", "sv_system", "time_offset_names"]


@dataclass(frozen=True)
class Signal:
    """A signal a receiver can track: centre frequency, chip rate, minimum received power.

    ``source`` names the ICD section the numbers come from.
    """

    name: str
    system: System
    freq_hz: float
    chip_rate_cps: float
    min_received_power_dbw: float
    source: str


@dataclass(frozen=True)
class Generation:
    """A generation (or block family) of satellites of one system and what it transmits.

    ``blocks`` are the IGS satellite-metadata block names (SINEX ``SATELLITE/IDENTIFIER``)
    of the generation, matched exactly or as a prefix followed by ``-`` (``BDS-3M`` matches
    ``BDS-3M-CAST``). ``signals`` are names of the system's :class:`Signal` entries that the
    generation broadcasts for open-service positioning (``source`` says where that comes
    from). ``sisre_m`` is the default signal-in-space range error (1σ, orbit and clock, global
    average) used by the error budget, with ``sisre_source``.
    """

    name: str
    blocks: tuple[str, ...]
    signals: frozenset[str]
    sisre_m: float
    sisre_source: str
    source: str

    def matches(self, block: str) -> bool:
        b = block.strip().upper()
        return any(b == x or b.startswith(x + "-") for x in self.blocks)


@dataclass(frozen=True)
class LayoutRule:
    """Layout of the RINEX message ``message`` in files of version ``min_version`` and later."""

    message: str
    min_version: float
    layout: "MessageLayout"


def _health_is_zero(messages: NDArray[np.str_], values: Mapping[str, NDArray[np.float64]]
                    ) -> NDArray[np.bool_]:
    return np.asarray(values["health"]) == 0


def _all_meo(values: Mapping[str, NDArray[np.float64]]) -> NDArray[np.int64]:
    return np.full(len(values["health"]), int(OrbitClass.MEO), dtype=np.int64)


@dataclass(frozen=True)
class SystemSpec:
    """Everything the pipeline needs to know about one satellite system."""

    system: System
    #: Earth-fixed frame of the broadcast orbits, e.g. ``"CGCS2000"``.
    frame: str
    #: The system's own time scale.
    time_scale: TimeScale
    #: Scale of the RINEX record epochs (RINEX 3.04 §8.1: UTC for GLONASS, system time otherwise).
    rinex_epoch_scale: TimeScale
    #: ``"toe"``: the reference time is the ``toe`` field (seconds of week, week taken from the
    #: record epoch); ``"epoch"``: the record epoch itself (GLONASS t_b).
    reference_time: Literal["toe", "epoch"]
    #: RINEX layouts per message and version (the latest rule not above the file version wins).
    layouts: tuple[LayoutRule, ...]
    #: Message of a RINEX 2/3 record (they carry no message name) from its decoded fields.
    rinex3_message: Callable[[Mapping[str, float]], str]
    #: Preference among messages at one epoch (0 first); messages of one rank are equivalent.
    message_priority: Mapping[str, int]
    #: The orbit model (:mod:`gnss_interop.orbits`), with this system's constants.
    orbit_model: Any
    #: Validity window around the reference time, (before, after) [s]: a record serves
    #: epochs from t_ref − before to t_ref + after.
    fit_window_s: tuple[float, float]
    #: Plausible orbit radius range (min, max) of each orbit class this system has [m];
    #: a healthy-flagged record outside it is excluded by the screening.
    orbit_radius_range_m: Mapping[OrbitClass, tuple[float, float]]
    #: Largest plausible jump between consecutive records at the switch-over epoch [m].
    switchover_jump_max_m: float
    #: Signals the system broadcasts that the tool models (jammer bands, receiver profiles).
    signals: tuple[Signal, ...]
    #: The signal a receiver profile tracks for this system when it does not name it (a name
    #: in :attr:`signals`; :mod:`gnss_interop.receivers.profiles`).
    default_band: str
    #: Two-letter code of the system time in RINEX time-offset names (RINEX 4.00 §5.4:
    #: ``BDGL`` = BDT − GLONASST, ``GAGP`` = GST − GPST, ...).
    sto_code: str
    #: GPS week in which the system's week 0 starts, as RINEX counts weeks (BDT: 1356;
    #: RINEX Galileo weeks are aligned with GPS weeks: 0); ``None`` for a system without
    #: weeks (GLONASS), whose RINEX 3 header offsets count GPS weeks.
    week_origin_gps_weeks: int | None
    #: Orbit class of each record from its decoded fields (codes of :class:`OrbitClass`).
    classify: Callable[[Mapping[str, NDArray[np.float64]]], NDArray[np.int64]] = _all_meo
    #: Which records are flagged healthy, from their messages and decoded fields.
    healthy: Callable[[NDArray[np.str_], Mapping[str, NDArray[np.float64]]],
                      NDArray[np.bool_]] = _health_is_zero
    #: Fields given in km, km/s, km/s² in RINEX (converted to m, m/s, m/s² on reading).
    km_fields: tuple[str, ...] = ()
    #: The reference time's name in messages to users (``"toe"``, ``"t_b"``).
    reference_time_name: str = "toe"
    #: Satellite generations, each with the IGS metadata blocks it covers (first match wins).
    generations: tuple[Generation, ...] = ()
    #: Broadcast messages that prove a satellite's generation: message → generation name
    #: (BeiDou CNV1/CNV2 → BDS-3: only BDS-3 MEO/IGSO broadcast B1C/B2a CNAV).
    generation_evidence: Mapping[str, str] = field(default_factory=dict)
    #: Name of the generation assumed for a satellite the catalogue cannot place: the
    #: generation that transmits only the legacy signals, so no signal is assumed that the
    #: satellite may not broadcast.
    unknown_generation: str = ""

    def generation(self, name: str) -> Generation:
        """The generation called ``name``."""
        for g in self.generations:
            if g.name == name:
                return g
        known = ", ".join(g.name for g in self.generations)
        raise ValueError(f"{self.display_name} has no generation {name!r}; known: {known}")

    def generation_of_block(self, block: str) -> Generation | None:
        """The generation of an IGS metadata block name, or ``None``."""
        for g in self.generations:
            if g.matches(block):
                return g
        return None

    def signal(self, name: str) -> Signal:
        """The signal called ``name`` (case-insensitive)."""
        key = name.strip().upper()
        for sig in self.signals:
            if sig.name == key:
                return sig
        known = ", ".join(sg.name for sg in self.signals)
        raise ValueError(f"{self.display_name} has no signal {name!r}; known: {known}")

    @property
    def letter(self) -> str:
        return self.system.letter

    @property
    def display_name(self) -> str:
        return self.system.display_name

    def layout(self, message: str, version: float) -> "MessageLayout | None":
        """The layout of ``message`` in a file of RINEX ``version`` (``None``: not decoded)."""
        best = None
        for rule in self.layouts:
            if rule.message == message and rule.min_version <= version + 1e-9:
                if best is None or rule.min_version >= best.min_version:
                    best = rule
        return None if best is None else best.layout

    def validity_text(self) -> str:
        """The validity window as users read it, e.g. ``"±1 h around BeiDou toe"``."""
        def span(w: float) -> str:
            return f"{w / 3600:g} h" if w >= 3600 else f"{w / 60:g} min"
        before, after = self.fit_window_s
        name = f"{self.display_name} {self.reference_time_name}"
        if before == after:
            return f"±{span(before)} around {name}"
        return f"{name} −{span(before)} to +{span(after)}"

    def rinex3_layout(self, version: float) -> "MessageLayout | None":
        """The layout of this system's records in a RINEX 2/3 file of ``version``."""
        return self.layout("RINEX3", version)


def _entries() -> dict[System, SystemSpec]:
    from gnss_interop.systems import beidou, galileo, glonass, gps

    return {e.SPEC.system: e.SPEC for e in (beidou, glonass, gps, galileo)}


_REGISTRY: dict[System, SystemSpec] | None = None
_BY_LETTER: dict[str, SystemSpec] = {}


def _registry() -> dict[System, SystemSpec]:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _entries()
        _BY_LETTER.update({s.letter: e for s, e in _REGISTRY.items()})
    return _REGISTRY


#: The systems the tool's question is about (defaults of configurations and scenarios).
PRIMARY_SYSTEMS: tuple[System, ...] = (System.BEIDOU, System.GLONASS)


def registered() -> tuple[SystemSpec, ...]:
    """Every registered system, in the order of :class:`System`."""
    reg = _registry()
    return tuple(reg[s] for s in System if s in reg)


def spec(system: System) -> SystemSpec:
    """The registry entry of ``system``."""
    try:
        return _registry()[system]
    except KeyError:
        raise ValueError(f"system {system.name} has no registry entry") from None


def spec_of_letter(letter: str) -> SystemSpec | None:
    """The entry of the system with RINEX letter ``letter``, or ``None`` (QZSS, SBAS, ...)."""
    _registry()
    return _BY_LETTER.get(letter)


def sv_system(sv: str) -> System:
    """System of a satellite identifier such as ``"C19"``."""
    return System.from_letter(sv[0])


def time_offset_names(a: System, b: System) -> tuple[str, str]:
    """The RINEX names of the broadcast offset between two system times, either direction
    (``("BDGL", "GLBD")`` for BeiDou and GLONASS)."""
    x, y = spec(a).sto_code, spec(b).sto_code
    return (x + y, y + x)
