"""Running a scenario file: ephemerides → positions → coverage runs → composed scenarios.

Runs are shared: one coverage run per (outage set, elevation mask), reused by every
scenario that needs it; denials select among the configurations of those runs
(:mod:`~gnss_interop.scenarios.composition`). Nothing is written here: the main job
(:mod:`gnss_interop.output.job`) writes the outputs.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gnss_interop.coverage import compute_grid
from gnss_interop.coverage.configs import Configuration, systems_of, usable_configurations
from gnss_interop.coverage.grid import GridSpec
from gnss_interop.coverage.masks import ElevationMask
from gnss_interop.ephemerides.store import load_ephemerides
from gnss_interop.errors import EphemerisRangeWarning, GnssInputError, InteropUnavailableWarning
from gnss_interop.resources import SHIPPED_ALMANACS
from gnss_interop.scenarios.composition import compose, needed_configurations
from gnss_interop.scenarios.degradations import RegionRecord, resolve_degradations
from gnss_interop.scenarios.layers import add_derived_layers
from gnss_interop.scenarios.montecarlo import mean_over_trials, random_outages
from gnss_interop.scenarios.regions import Region
from gnss_interop.scenarios.schema import ScenarioFile
from gnss_interop.scenarios.summaries import summarise

__all__ = ["ScenarioResult", "ephemeris_paths", "run_scenarios"]


@dataclass
class ScenarioResult:
    """One scenario's coverage (dims config, lat, lon), derived layers and summary rows;
    ``records``: its regions with what made them (denials, jammer footprints, masks)."""

    name: str
    title: str
    definition: dict[str, Any]
    dataset: xr.Dataset
    regions: list[tuple[str, Region]]
    summary: list[dict[str, Any]]
    records: list[RegionRecord] = field(default_factory=list)


def ephemeris_paths(spec: ScenarioFile, base_dir: Path) -> list[Path]:
    """The navigation files of a scenario file: its files, the fetched day, or the shipped
    almanac, which covers any span: beyond its own day, the nominal files of the span's
    days are generated once into the cache (:func:`~gnss_interop.ephemerides.nominal.
    nominal_files`, continuous with the shipped day)."""
    if spec.almanac is not None:
        from gnss_interop.ephemerides.nominal import NOMINAL_REFERENCE_DAY, nominal_files

        ref = np.datetime64(NOMINAL_REFERENCE_DAY, "s")
        t0, t1 = np.datetime64(spec.start, "s"), np.datetime64(spec.end, "s")
        if spec.almanac == "nominal" and not (ref <= t0 and t1 <= ref + np.timedelta64(1, "D")):
            if t0 < ref:
                raise GnssInputError(
                    f"the nominal almanac starts on {NOMINAL_REFERENCE_DAY} (its reference "
                    f"day); the span {spec.start} .. {spec.end} begins before it")
            from gnss_interop.reading.fetch import resolve_cache_dir

            return nominal_files(spec.start, spec.end, resolve_cache_dir() / "nominal")
        return [SHIPPED_ALMANACS[spec.almanac]]
    if spec.date is not None:
        from gnss_interop.reading.fetch import fetch

        return [fetch(spec.date)]
    return [p if p.is_absolute() else base_dir / p for p in map(Path, spec.ephemerides or [])]


def run_scenarios(spec: ScenarioFile, base_dir: Path | None = None, *,
                  workers: int | None = None, scheduler: str | None = None,
                  threads: int | None = None,
                  progress: Callable[[str, int, int], None] | None = None,
                  only: Sequence[str] | None = None) -> list[ScenarioResult]:
    """Run every scenario of ``spec`` and return its results (nothing is written).

    Parameters
    ----------
    spec
        A validated :class:`ScenarioFile` (:func:`load_scenario_file`).
    base_dir
        Folder relative paths in ``spec`` refer to (the scenario file's folder).
    workers, scheduler, threads
        Passed to :func:`~gnss_interop.coverage.compute_grid`.
    progress
        ``progress(label, done, total)`` after each latitude band of each coverage run.
    only
        Names of the scenarios to run (default: all).
    """
    base_dir = Path(base_dir or ".")
    paths = ephemeris_paths(spec, base_dir)
    wanted = [Configuration.parse(c) for c in spec.configurations]
    eph = load_ephemerides(paths, systems_of(wanted))
    t0 = np.datetime64(spec.start, "ns")
    t1 = np.datetime64(spec.end, "ns")
    step = np.timedelta64(int(round(spec.step_s * 1e9)), "ns")
    times = np.arange(t0, t1, step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropUnavailableWarning)
        out_configs = list(usable_configurations(wanted,
                                                 interop_offset_available=eph.has_time_offset))
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=2)
    if not out_configs:
        raise GnssInputError(f"no configuration of {', '.join(spec.configurations)} can be "
                             f"computed from {', '.join(map(str, paths))} (see the warnings)")
    systems = systems_of(out_configs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EphemerisRangeWarning)
        positions = eph.positions(times, svs=eph.svs_of(systems))
    for w in caught:                       # re-issue once, from here
        warnings.warn(w.message, w.category, stacklevel=2)
    g = spec.grid
    grid = GridSpec(g.resolution_deg, g.lat_min, g.lat_max, g.lon_min, g.lon_max, g.height_m)
    profile = spec.profile()
    degraded_by_name = {m.name: resolve_degradations(m, base_dir, g.jammer_receiver_height_m(),
                                                     systems, receiver=profile,
                                                     report_heights_m=g.receiver_heights_m)
                        for m in spec.scenario if not only or m.name in only}
    deniable = {s for d in degraded_by_name.values() for s in d.denied}
    run_configs = needed_configurations(out_configs, deniable)
    horizon = spec.mask.horizon
    limit = spec.accuracy_limit()
    catalogue = eph.catalogue()

    cache: dict[tuple[frozenset[str], float], xr.Dataset] = {}

    def coverage(outage: frozenset[str], mask_deg: float, label: str) -> xr.Dataset:
        key = (outage, mask_deg)
        if key not in cache:
            pos = positions
            if outage:
                pos = positions.where(~positions.sv.isin(sorted(outage)))
            mask = ElevationMask.from_pairs(horizon, mask_deg) if horizon else ElevationMask(mask_deg)
            cb = (lambda d, n: progress(label, d, n)) if progress else None
            cache[key] = compute_grid(pos, grid, mask=mask, configs=run_configs,
                                      pdop_max=spec.pdop_max, workers=workers,
                                      scheduler=scheduler, threads=threads, progress=cb,
                                      input_files=[str(p) for p in paths], receiver=profile,
                                      catalogue=catalogue, accuracy_max_m=limit)
        return cache[key]

    lat2, lon2 = np.meshgrid(grid.lat_deg, grid.lon_deg, indexing="ij")
    results = []
    svs = list(positions.sv.values)
    for model in spec.scenario:
        if model.name not in degraded_by_name:
            continue
        degraded = degraded_by_name[model.name]
        unknown = sorted(s for s in degraded.outage_fixed if s not in svs)
        if unknown:
            raise GnssInputError(f"scenario {model.name!r}: outage of satellites not in the "
                                 f"ephemerides: {', '.join(unknown)}")
        denied = {}
        for system, regs in degraded.denied.items():
            m = np.zeros(lat2.shape, dtype=bool)
            for _, reg in regs:
                m |= reg.contains(lat2, lon2)
            denied[system] = m
        mask_value = np.full(lat2.shape, spec.mask.elevation_deg)
        for _, reg, value in degraded.masks:
            mask_value = np.where(reg.contains(lat2, lon2), np.maximum(mask_value, value), mask_value)
        outages = (random_outages(svs, degraded.outage_random, degraded.trials, degraded.seed,
                                   degraded.outage_fixed)
                   if degraded.outage_random else [degraded.outage_fixed])
        trials = []
        for k, outage in enumerate(outages):
            runs = {}
            for mval in np.unique(mask_value):
                label = (f"{model.name}: mask {mval:g} deg" +
                         (f", trial {k + 1}/{len(outages)}" if len(outages) > 1 else ""))
                runs[float(mval)] = coverage(outage, float(mval), label)
            trials.append(compose(runs, float(spec.mask.elevation_deg), mask_value, denied,
                                   out_configs))
        ds = mean_over_trials(trials)
        add_derived_layers(ds, denied)
        title = model.title or model.name
        ds.attrs.update(scenario=model.name, scenario_title=title,
                        scenario_definition=json.dumps(model.model_dump(mode="json", exclude_none=True)),
                        degradations="; ".join(lab for lab, _ in degraded.regions())
                        or "none")
        if degraded.jammers:
            ds.attrs["jammers"] = "; ".join(degraded.jammers)
        regions = degraded.regions()
        results.append(ScenarioResult(model.name, title, model.model_dump(mode="json", exclude_none=True), ds,
                                      regions, summarise(ds, regions, model.name),
                                      list(degraded.records)))
    return results
