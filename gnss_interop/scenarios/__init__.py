"""Denial scenarios: the scenario file, its degradations, and running it on the coverage engine.

Modules: :mod:`~.schema` (the TOML schema, loading, validation), :mod:`~.regions`
(circles, boxes, polygons, GeoJSON; antimeridian-safe), :mod:`~.jammer` (a jammer on the
receiver profile's RF bands: denial and single-frequency regions per system),
:mod:`~.propagation` (its path loss over a smooth Earth against distance),
:mod:`~.degradations` (a scenario resolved to regions and satellite sets),
:mod:`~.composition` (denials as a per-point choice among configurations),
:mod:`~.montecarlo` (random outages), :mod:`~.layers` (derived layers),
:mod:`~.summaries` (area-weighted tables) and :mod:`~.runner` (:func:`run_scenarios`).
"""

from gnss_interop.scenarios.runner import ScenarioResult, run_scenarios
from gnss_interop.scenarios.schema import (
    ScenarioFile,
    definition_hash,
    load_scenario_file,
    scenario_file_from_dict,
)
from gnss_interop.scenarios.summaries import summarise

__all__ = [
    "ScenarioFile",
    "ScenarioResult",
    "definition_hash",
    "load_scenario_file",
    "run_scenarios",
    "scenario_file_from_dict",
    "summarise",
]
