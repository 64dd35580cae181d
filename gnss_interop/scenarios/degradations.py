"""A scenario's degradations resolved to what the engine applies.

Denials (``deny`` and jammers) become regions per system, raised masks become
(region, elevation) pairs, outages become satellite sets (fixed, or a count of random
satellites per system for the Monte Carlo in :mod:`~gnss_interop.scenarios.montecarlo`).
A jammer acts on the signals of the receiver profile: besides its denial circles it may
leave single-frequency rings (a system that keeps one signal of its pair), which are
recorded, labelled and announced with a :class:`~gnss_interop.errors.ScenarioWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gnss_interop.errors import ScenarioWarning
from gnss_interop.receivers.profiles import ReceiverProfile, receiver_profile
from gnss_interop.scenarios.jammer import Jammer
from gnss_interop.scenarios.regions import GlobalRegion, Region, region_from_spec
from gnss_interop.scenarios.schema import (
    DenyModel,
    JammerModel,
    MaskModel,
    OutageModel,
    ScenarioModel,
)
from gnss_interop.systems import PRIMARY_SYSTEMS, System

__all__ = ["Degraded", "RegionRecord", "resolve_degradations"]


@dataclass(frozen=True)
class RegionRecord:
    """One region of a scenario and what made it (for the GeoJSON of denied regions and
    jammer footprints, :mod:`gnss_interop.output.geojson`).

    ``kind``: ``"denied"`` (the system is unusable there), ``"single_frequency"`` (a jammer
    leaves the system one signal of its pair) or ``"mask"`` (a raised elevation mask).
    ``source``: the degradation's own parameters, flat: ``type`` (``deny``, ``jammer``,
    ``mask``) and, for a jammer, ``jammer_lat``/``jammer_lon`` [deg], ``jammer_height_m``,
    ``eirp_dbw`` and ``bands``; for a mask, ``elevation_deg``.
    """

    label: str
    region: Region
    kind: Literal["denied", "single_frequency", "mask"]
    system: System | None = None
    source: dict[str, Any] = field(default_factory=dict)


@dataclass
class Degraded:
    """The degradations of one scenario, resolved to regions and satellite sets.

    ``single_frequency``: per system, the rings where a jammer leaves it one signal of its
    dual-frequency pair (usable, but the dual-frequency accuracy budget is optimistic there).
    ``jammers``: each jammer's description (bands, receiver profile, radii).
    """

    denied: dict[System, list[tuple[str, Region]]] = field(default_factory=dict)
    single_frequency: dict[System, list[tuple[str, Region]]] = field(default_factory=dict)
    jammers: list[str] = field(default_factory=list)
    masks: list[tuple[str, Region, float]] = field(default_factory=list)
    outage_fixed: frozenset[str] = frozenset()
    outage_random: dict[System, int] = field(default_factory=dict)
    trials: int = 1
    seed: int = 0
    records: list[RegionRecord] = field(default_factory=list)

    def regions(self) -> list[tuple[str, Region]]:
        """Every bounded region of the scenario, labelled (for maps and summaries)."""
        out = [(lab, reg) for regs in self.denied.values() for lab, reg in regs]
        out += [(lab, reg) for regs in self.single_frequency.values() for lab, reg in regs]
        out += [(lab, reg) for lab, reg, _ in self.masks]
        seen, unique = set(), []
        for lab, reg in out:
            if not isinstance(reg, GlobalRegion) and lab not in seen:
                seen.add(lab)
                unique.append((lab, reg))
        return unique


def resolve_degradations(model: ScenarioModel, base_dir: Path, height_m: float,
                         systems: Sequence[System] = PRIMARY_SYSTEMS, *,
                         receiver: ReceiverProfile | str | Mapping[str, Any] | None = None,
                         report_heights_m: Sequence[float] = ()) -> Degraded:
    """Resolve a scenario's degradations to regions per denied system and satellite sets.

    ``height_m`` is the receivers' height above the ground [m] for the jammer model
    (:meth:`~gnss_interop.scenarios.schema.GridModel.jammer_receiver_height_m`; below 1.5 m
    the model takes 1.5 m); ``report_heights_m``: further receiver heights whose jammer
    footprints the descriptions list (``[grid] receiver_heights_m``). ``systems`` are those
    the configurations use; ``receiver`` is the receiver profile (``None``: the default
    profile). A jammer acts, among ``systems``, on the signals the profile tracks
    (:class:`~gnss_interop.scenarios.jammer.Jammer`): it denies a system where all its
    tracked signals are jammed, or one is and the profile's fallback does not allow the
    other alone; where the fallback allows it, the ring is recorded in
    :attr:`Degraded.single_frequency` and a :class:`ScenarioWarning` says so.
    """
    profile = receiver_profile(receiver)
    d = Degraded()
    for k, deg in enumerate(model.degradation):
        if isinstance(deg, DenyModel):
            region = region_from_spec(deg.region if deg.region == "global" else deg.region.spec(),
                                      base_dir)
            system = System.from_letter(deg.system)
            label = deg.label or f"{system.display_name} denied {region.describe()}"
            d.denied.setdefault(system, []).append((label, region))
            d.records.append(RegionRecord(label, region, "denied", system, {"type": "deny"}))
        elif isinstance(deg, JammerModel):
            jam = Jammer(deg.lat, deg.lon, deg.height_m, deg.eirp_dbw, tuple(deg.bands),
                         deg.js_tolerance_db, deg.rx_gain_dbi, profile, tuple(systems))
            description = jam.describe(height_m, report_heights_m)
            label = deg.label or description
            d.jammers.append(f"{deg.label}: {description}" if deg.label else description)
            source = {"type": "jammer", "jammer_lat": deg.lat, "jammer_lon": deg.lon,
                      "jammer_height_m": deg.height_m, "eirp_dbw": deg.eirp_dbw,
                      "bands": ", ".join(deg.bands), "jammer": description}
            for system, circle in jam.denial_regions(height_m).items():
                d.denied.setdefault(system, []).append((f"{label} [{system.letter}]", circle))
                d.records.append(RegionRecord(f"{label} [{system.letter}]", circle, "denied",
                                              system, source))
            for system, ring in jam.degraded_regions(height_m).items():
                d.single_frequency.setdefault(system, []).append(
                    (f"{label} [{system.letter} single frequency]", ring))
                d.records.append(RegionRecord(f"{label} [{system.letter} single frequency]",
                                              ring, "single_frequency", system, source))
            where = f"scenario {model.name!r}: " + (f"{deg.label}: " if deg.label else "")
            for message in jam.single_frequency_warnings(height_m, where):
                warnings.warn(message, ScenarioWarning, stacklevel=2)
        elif isinstance(deg, OutageModel):
            d.outage_fixed = d.outage_fixed | frozenset(deg.satellites)
            for letter, n in deg.random.items():
                system = System.from_letter(letter)
                d.outage_random[system] = d.outage_random.get(system, 0) + n
            if deg.random:
                d.trials = max(d.trials, deg.trials)
                d.seed = deg.seed
        elif isinstance(deg, MaskModel):
            region = region_from_spec(deg.region if deg.region == "global" else deg.region.spec(),
                                      base_dir)
            label = deg.label or f"mask {deg.elevation_deg:g}° {region.describe()}"
            d.masks.append((label, region, deg.elevation_deg))
            d.records.append(RegionRecord(label, region, "mask", None,
                                          {"type": "mask", "elevation_deg": deg.elevation_deg}))
        else:  # pragma: no cover - the schema is closed
            raise TypeError(f"degradation {k}: unknown type")
    return d
