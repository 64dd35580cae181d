"""Receiver profiles: tracked signals per system, single or dual frequency, budget settings.

A profile answers three questions for the rest of the pipeline:

* **which satellites are usable**: a satellite counts only if its generation broadcasts
  every signal the profile tracks for its system (:meth:`ReceiverProfile.usable`; the
  generations come from :mod:`gnss_interop.ephemerides.catalogue`): a B1C/B2a receiver uses
  no BDS-2 satellite, an L3OC receiver only GLONASS-M+/K1/K2;
* **how large the user range error is** (:mod:`gnss_interop.accuracy.budget`): one signal
  means a single-frequency ionosphere residual, two signals the ionosphere-free combination
  with its noise amplification;
* **what a jammer denies** (:mod:`gnss_interop.scenarios.jammer`): the bands tracked, and
  the single signals the receiver falls back to when it loses one of a pair (``fallback``).

Presets (:data:`PRESETS`; ``gnss-interop receivers`` lists them) are written out by name in
scenario files (``[receiver] preset = "legacy-sf"``) or field by field
(``[receiver] beidou = ["B1C", "B2a"]``). The default, :data:`DEFAULT_RECEIVER`, is a
current dual-frequency multi-GNSS receiver: BDS-3 B1C/B2a and GLONASS G1/G2 FDMA.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gnss_interop.constants import RECEIVER_NOISE_M
from gnss_interop.systems import PRIMARY_SYSTEMS, System, registered, spec

__all__ = ["DEFAULT_RECEIVER", "PRESETS", "ReceiverProfile", "Tracking", "receiver_profile"]


@dataclass(frozen=True)
class Tracking:
    """How a receiver uses one system: one signal (single frequency) or an ionosphere-free pair.

    ``fallback``: signals the receiver uses alone, in order, when it loses one of ``signals``
    (e.g. to a jammer); empty = no fallback, the system is lost with either signal.
    """

    system: System
    signals: tuple[str, ...]
    fallback: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        entry = spec(self.system)
        sig = tuple(entry.signal(s).name for s in self.signals)
        fb = tuple(entry.signal(s).name for s in self.fallback)
        if len(sig) not in (1, 2):
            raise ValueError(f"{entry.display_name}: a profile tracks one signal (single "
                             f"frequency) or two (ionosphere-free), got {len(sig)}")
        if len(sig) == 2:
            f1, f2 = (entry.signal(s).freq_hz for s in sig)
            if abs(f1 - f2) < 1e6:
                raise ValueError(f"{entry.display_name}: {sig[0]} and {sig[1]} share a "
                                 f"frequency; an ionosphere-free pair needs two bands")
        if len(sig) == 1 and fb:
            raise ValueError(f"{entry.display_name}: a fallback needs a dual-frequency pair")
        object.__setattr__(self, "signals", sig)
        object.__setattr__(self, "fallback", fb)

    @property
    def dual_frequency(self) -> bool:
        return len(self.signals) == 2

    def frequencies_hz(self) -> tuple[float, ...]:
        entry = spec(self.system)
        return tuple(entry.signal(s).freq_hz for s in self.signals)

    def noise_amplification(self) -> float:
        """Factor on uncorrelated code noise and multipath: 1 for one signal; for the
        ionosphere-free pair sqrt(γ² + 1)/(γ − 1), γ = (f1/f2)² (equal errors on both
        signals; e.g. 2.59 for B1C/B2a, 2.98 for G1/G2)."""
        if not self.dual_frequency:
            return 1.0
        f1, f2 = sorted(self.frequencies_hz(), reverse=True)
        g = (f1 / f2) ** 2
        return math.sqrt(g * g + 1.0) / (g - 1.0)

    def describe(self) -> str:
        text = "+".join(self.signals)
        kind = "ionosphere-free" if self.dual_frequency else "single frequency"
        fb = f", falls back to {'/'.join(self.fallback)}" if self.fallback else ""
        return f"{spec(self.system).display_name} {text} ({kind}{fb})"


def _default_tracking() -> dict[System, Tracking]:
    """Single-frequency legacy tracking of the systems a profile does not name."""
    return {e.system: Tracking(e.system, (e.default_band,)) for e in registered()}


@dataclass(frozen=True)
class ReceiverProfile:
    """A receiver: tracked signals per system and the settings of its error budget.

    ``sisre_m`` overrides the signal-in-space error of generations by name
    (``{"BDS-3": 0.45, "GLONASS-M": 1.7}``, e.g. from ``gnss-interop validate``);
    ``noise_m`` is the code tracking noise of one signal (1σ); ``multipath_scale`` scales
    the DO-229 multipath curve (1 = airborne/open sky).
    """

    name: str
    description: str
    tracking: Mapping[System, Tracking]
    noise_m: float = RECEIVER_NOISE_M
    multipath_scale: float = 1.0
    sisre_m: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        full = _default_tracking()
        full.update(self.tracking)
        object.__setattr__(self, "tracking", full)
        if not (self.noise_m >= 0 and math.isfinite(self.noise_m)):
            raise ValueError(f"receiver noise_m must be a finite number >= 0, got {self.noise_m}")
        if not (self.multipath_scale >= 0 and math.isfinite(self.multipath_scale)):
            raise ValueError(f"multipath_scale must be finite and >= 0, got "
                             f"{self.multipath_scale}")
        known = {g.name for e in registered() for g in e.generations}
        for gen, v in self.sisre_m.items():
            if gen not in known:
                raise ValueError(f"sisre_m: unknown generation {gen!r}; known: "
                                 f"{', '.join(sorted(known))}")
            if not (v >= 0 and math.isfinite(v)):
                raise ValueError(f"sisre_m[{gen!r}] must be a finite number >= 0, got {v}")

    def tracks(self, system: System) -> Tracking:
        return self.tracking[system]

    def usable(self, info: Any) -> bool:
        """Whether a catalogue entry (:class:`~gnss_interop.ephemerides.catalogue.SatelliteInfo`)
        broadcasts every signal this profile tracks for its system."""
        return info.transmits(self.tracking[info.system].signals)

    def sisre_of(self, generation: Any) -> float:
        """Signal-in-space error [m] of a :class:`~gnss_interop.systems.Generation`."""
        return float(self.sisre_m.get(generation.name, generation.sisre_m))

    def describe(self, systems: tuple[System, ...] | None = None) -> str:
        """``"default: BeiDou B1C+B2A (ionosphere-free, ...); GLONASS G1+G2 (...)"``."""
        systems = systems or tuple(s for s in self.tracking if s in _NAMED_SYSTEMS) \
            or tuple(self.tracking)
        parts = "; ".join(self.tracking[s].describe() for s in systems if s in self.tracking)
        extra = f"; code noise {self.noise_m:g} m per signal"
        if self.multipath_scale != 1.0:
            extra += f", multipath x{self.multipath_scale:g}"
        if self.sisre_m:
            extra += ", SISRE " + ", ".join(f"{k} {v:g} m" for k, v in self.sisre_m.items())
        return f"{self.name}: {parts}{extra}"

    def to_dict(self) -> dict[str, Any]:
        """The profile as a scenario file writes it (``[receiver]``)."""
        out: dict[str, Any] = {"name": self.name}
        for s, t in self.tracking.items():
            key = s.name.lower()
            out[key] = list(t.signals)
            if t.fallback:
                out[f"{key}_fallback"] = list(t.fallback)
        out["noise_m"] = self.noise_m
        out["multipath_scale"] = self.multipath_scale
        if self.sisre_m:
            out["sisre_m"] = dict(self.sisre_m)
        return out


def _system_of_signal(name: str) -> System:
    for entry in registered():
        if any(sig.name == name.upper() for sig in entry.signals):
            return entry.system
    raise ValueError(f"no registered system broadcasts a signal {name!r}")


def _t(*signals: str, fallback: tuple[str, ...] = ()) -> tuple[System, Tracking]:
    """Tracking of the system that broadcasts ``signals`` (signal names are unique)."""
    system = _system_of_signal(signals[0])
    return system, Tracking(system, tuple(signals), fallback)


#: Systems a profile names explicitly (the others are tracked on their legacy signal).
_NAMED_SYSTEMS = PRIMARY_SYSTEMS

#: Named receiver profiles.
PRESETS: dict[str, ReceiverProfile] = {p.name: p for p in (
    ReceiverProfile(
        "dual-bds3-glo",
        "dual-frequency multi-GNSS receiver: BDS-3 B1C/B2a and GLONASS G1/G2 FDMA, "
        "ionosphere-free; falls back to one signal when one band is lost (default)",
        dict((_t("B1C", "B2A", fallback=("B1C", "B2A")),
              _t("G1", "G2", fallback=("G1", "G2"))))),
    ReceiverProfile(
        "legacy-sf",
        "legacy single-frequency receiver: BeiDou B1I (BDS-2 and BDS-3) and GLONASS G1 C/A, "
        "broadcast ionosphere model",
        dict((_t("B1I"), _t("G1")))),
    ReceiverProfile(
        "dual-legacy",
        "dual-frequency receiver on the legacy signals: BeiDou B1I/B3I (BDS-2 and BDS-3) and "
        "GLONASS G1/G2, ionosphere-free",
        dict((_t("B1I", "B3I", fallback=("B1I", "B3I")),
              _t("G1", "G2", fallback=("G1", "G2"))))),
    ReceiverProfile(
        "bds3-glo-cdma",
        "BDS-3 B1C/B2a ionosphere-free and GLONASS CDMA L3OC single frequency (GLONASS-M+, "
        "-K1, -K2 only)",
        dict((_t("B1C", "B2A", fallback=("B1C", "B2A")), _t("L3OC")))),
)}

#: The profile used when none is given.
DEFAULT_RECEIVER: ReceiverProfile = PRESETS["dual-bds3-glo"]


def receiver_profile(value: "str | ReceiverProfile | Mapping[str, Any] | None") -> ReceiverProfile:
    """A profile from a preset name, a mapping (scenario ``[receiver]`` table) or a profile.

    Mapping keys: ``preset`` (start from a preset) or ``name``; per system
    (``beidou``, ``glonass``, ``gps``, ``galileo``) a list of one or two signals and
    ``<system>_fallback``; ``noise_m``, ``multipath_scale``, ``sisre_m`` (generation → m).
    """
    if value is None:
        return DEFAULT_RECEIVER
    if isinstance(value, ReceiverProfile):
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        if key not in PRESETS:
            raise ValueError(f"unknown receiver profile {value!r}; presets: "
                             f"{', '.join(PRESETS)}")
        return PRESETS[key]
    if not isinstance(value, Mapping):
        raise ValueError(f"receiver: expected a preset name or a table, got {type(value).__name__}")
    data = dict(value)
    base = receiver_profile(data.pop("preset")) if "preset" in data else None
    by_key = {s.name.lower(): s for s in System}
    tracking = dict(base.tracking) if base else {}
    changed = False
    for sys_key, system in by_key.items():
        if sys_key in data or f"{sys_key}_fallback" in data:
            sig = data.pop(sys_key, None)
            fb = data.pop(f"{sys_key}_fallback", None)
            if sig is None:
                sig = tracking[system].signals if system in tracking else ()
            if isinstance(sig, str):
                sig = [sig]
            if isinstance(fb, str):
                fb = [fb]
            if not isinstance(sig, (list, tuple)) or not all(isinstance(x, str) for x in sig):
                raise ValueError(f"receiver.{sys_key}: expected a list of signal names, "
                                 f"got {sig!r}")
            tracking[system] = Tracking(system, tuple(sig), tuple(fb or ()))
            changed = True
    name = data.pop("name", None) or (base.name + ("-custom" if changed else "") if base
                                      else "custom")
    description = data.pop("description", None) or (
        base.description if base and not changed else "profile written out in the scenario")
    kwargs: dict[str, Any] = {}
    for key in ("noise_m", "multipath_scale"):
        if key in data:
            v = data.pop(key)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ValueError(f"receiver.{key}: expected a number, got {v!r}")
            kwargs[key] = float(v)
        elif base is not None:
            kwargs[key] = getattr(base, key)
    if "sisre_m" in data:
        v = data.pop("sisre_m")
        if not isinstance(v, Mapping) or not all(
                isinstance(x, (int, float)) and not isinstance(x, bool) for x in v.values()):
            raise ValueError("receiver.sisre_m: expected a table of generation = metres")
        kwargs["sisre_m"] = {str(k): float(x) for k, x in v.items()}
    elif base is not None:
        kwargs["sisre_m"] = dict(base.sisre_m)
    if data:
        raise ValueError(f"receiver: unknown key(s) {', '.join(sorted(data))}; known: preset, "
                         f"name, description, beidou, glonass, gps, galileo, <system>_fallback, "
                         f"noise_m, multipath_scale, sisre_m")
    if not tracking and base is None:
        raise ValueError("receiver: give a preset or the signals of at least one system")
    return ReceiverProfile(name, description, tracking, **kwargs)
