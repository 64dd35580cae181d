"""A scenario's degradations resolved to what the engine applies.

Denials (``deny`` and jammers) become regions per system, raised masks become
(region, elevation) pairs, outages become satellite sets (fixed, or a count of random
satellites per system for the Monte Carlo in :mod:`~gnss_interop.scenarios.montecarlo`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gnss_interop.scenarios.jammer import Jammer, receiver_bands_for
from gnss_interop.scenarios.regions import GlobalRegion, Region, region_from_spec
from gnss_interop.scenarios.schema import (
    DenyModel,
    JammerModel,
    MaskModel,
    OutageModel,
    ScenarioModel,
)
from gnss_interop.systems import PRIMARY_SYSTEMS, System

__all__ = ["Degraded", "resolve_degradations"]


@dataclass
class Degraded:
    """The degradations of one scenario, resolved to regions and satellite sets."""

    denied: dict[System, list[tuple[str, Region]]] = field(default_factory=dict)
    masks: list[tuple[str, Region, float]] = field(default_factory=list)
    outage_fixed: frozenset[str] = frozenset()
    outage_random: dict[System, int] = field(default_factory=dict)
    trials: int = 1
    seed: int = 0

    def regions(self) -> list[tuple[str, Region]]:
        """Every bounded region of the scenario, labelled (for maps and summaries)."""
        out = [(lab, reg) for regs in self.denied.values() for lab, reg in regs]
        out += [(lab, reg) for lab, reg, _ in self.masks]
        seen, unique = set(), []
        for lab, reg in out:
            if not isinstance(reg, GlobalRegion) and lab not in seen:
                seen.add(lab)
                unique.append((lab, reg))
        return unique


def resolve_degradations(model: ScenarioModel, base_dir: Path, height_m: float,
                         systems: Sequence[System] = PRIMARY_SYSTEMS) -> Degraded:
    """Resolve a scenario's degradations to regions per denied system and satellite sets.

    ``systems`` are those the configurations use: a jammer denies, among them, each one
    whose tracked band it covers (:func:`~gnss_interop.scenarios.jammer.receiver_bands_for`).
    """
    d = Degraded()
    for k, deg in enumerate(model.degradation):
        if isinstance(deg, DenyModel):
            region = region_from_spec(deg.region if deg.region == "global" else deg.region.spec(),
                                      base_dir)
            system = System.from_letter(deg.system)
            label = deg.label or f"{system.display_name} denied {region.describe()}"
            d.denied.setdefault(system, []).append((label, region))
        elif isinstance(deg, JammerModel):
            jam = Jammer(deg.lat, deg.lon, deg.height_m, deg.eirp_dbw, tuple(deg.bands),
                         deg.js_tolerance_db, deg.rx_gain_dbi, receiver_bands_for(systems))
            label = deg.label or jam.describe(height_m)
            for system, circle in jam.denial_regions(height_m).items():
                d.denied.setdefault(system, []).append((f"{label} [{system.letter}]", circle))
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
        else:  # pragma: no cover - the schema is closed
            raise TypeError(f"degradation {k}: unknown type")
    return d
