"""The main job: run a scenario file and write maps, grids, tables and one HTML report.

Layout under the output folder (default ``maps/``)::

    run.json                 manifest: definition hash, inputs, software version, files
    report.html              self-contained report (headline table, maps embedded, tables,
                             definitions)
    headline.csv / .md       the headline table: every scenario and configuration compared
                             in metres (H95, V95, accuracy and PDOP availability, satellites)
    summary.csv / .md        area-weighted summaries of every scenario
    <scenario>/coverage.nc   all layers (CF-1.11 NetCDF; compliance-checker cf:1.11 clean)
    <scenario>/*.tif         GeoTIFF (float32, EPSG:4326) of every layer a map shows: per
                             configuration (availability, accuracy, PDOP, satellites) and
                             the derived backup and gain layers
    <scenario>/regions.geojson  denied regions, jammer footprints and raised masks (RFC 7946;
                             scenarios with such regions only)
    <scenario>/*.png         maps: one per layer and a C | R | C+R panel per quantity
    <scenario>/summary.csv / .md

Every file is written atomically (temporary file + rename). An output folder that
holds another run's results (a manifest with a different definition hash) is not
overwritten unless ``overwrite=True``; rerunning the same definition replaces its
own results.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gnss_interop.output.atomic import write_bytes_atomic
from gnss_interop.coverage.configs import ClockModel, Configuration
from gnss_interop.errors import OptionalDependencyWarning, OutputExistsError
from gnss_interop.scenarios.layers import headline_combination
from gnss_interop.scenarios.summaries import headline_table
from gnss_interop.variables import variables_with
from gnss_interop.scenarios import ScenarioFile, ScenarioResult, definition_hash, run_scenarios

__all__ = ["JobOutputs", "PANEL_LAYERS", "map_configurations", "run_job"]

#: Quantities drawn as a C | R | C+R panel in every scenario (catalogue output "panel").
PANEL_LAYERS = tuple(v.name for v in variables_with("panel"))


def map_configurations(configs: list[str]) -> tuple[list[str], list[str]]:
    """(panel configurations, single-map configurations) of a scenario's configurations.

    Panels show the headline combination's systems alone and the combination (C | R | C+R);
    single maps show the combination and its one-clock twin (C+R, C+R/interop). Without
    a combination, every configuration gets a panel column and a single map.
    """
    cfgs = [Configuration.parse(c) for c in configs]
    m = headline_combination(cfgs)
    if m is None:
        return list(configs), list(configs)
    panel = [Configuration((s,)).name for s in m.systems] + [m.name]
    twin = Configuration(m.systems, ClockModel.SINGLE).name
    return panel, [m.name] + ([twin] if twin in configs else [])


@dataclass
class JobOutputs:
    """What a job wrote."""

    out_dir: Path
    report: Path
    files: list[Path]
    results: list[ScenarioResult]


def _slug(text: str) -> str:
    return text.replace("/", "-").replace(" ", "_")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    write_bytes_atomic(path, json.dumps(data, indent=2, default=str).encode())


def _check_overwrite(out_dir: Path, digest: str, overwrite: bool) -> None:
    manifest = out_dir / "run.json"
    if overwrite or not manifest.exists():
        return
    try:
        previous = json.loads(manifest.read_text())
    except (OSError, json.JSONDecodeError):
        previous = {}
    if previous.get("definition_hash") != digest:
        raise OutputExistsError(
            f"{out_dir} holds the results of another run (definition "
            f"{previous.get('definition_hash', 'unknown')}, created "
            f"{previous.get('created', 'unknown')}); choose another --out or pass --overwrite")


def _geotiff_available() -> bool:
    """Whether GeoTIFFs can be written; checked before any work, with a warning if not."""
    try:
        import rioxarray  # noqa: F401
    except ImportError:
        warnings.warn("rioxarray is not installed: GeoTIFF files are skipped (install it with "
                      "pip install rioxarray); maps, NetCDF, tables and the report are written",
                      OptionalDependencyWarning, stacklevel=3)
        return False
    return True


def _draw_map(ds, variable: str, configs, outlines, scenario: str, path: Path,
              formats: Sequence[str]) -> list[Path]:
    """One map (``configs`` a str or None) or panel (a tuple) of ``variable``, saved."""
    import matplotlib.pyplot as plt

    from gnss_interop.output.maps import plot_layer, plot_panel, save_figure

    if isinstance(configs, tuple):
        fig = plot_panel(ds, variable, configs=configs, outlines=outlines, scenario=scenario)
    else:
        fig = plot_layer(ds, variable, config=configs, outlines=outlines, scenario=scenario)
    try:
        return save_figure(fig, path, formats=formats)
    finally:
        plt.close(fig)


class _MapDrawer:
    """Draws the job's maps in a pool of worker processes (one per core; in this process
    when there is one core). Each task gets only the variable it draws."""

    def __init__(self, formats: Sequence[str]) -> None:
        import os

        self.formats = tuple(formats)
        n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
        self.pool = None
        if n > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn: no fork of a process that holds numba/dask threads
            self.pool = ProcessPoolExecutor(max_workers=n,
                                            mp_context=multiprocessing.get_context("spawn"))
        self.jobs: list[Any] = []
        self.done: dict[int, list[Path]] = {}

    def submit(self, ds, variable: str, configs, outlines, scenario: str, path: Path) -> int:
        small = ds[[variable]]
        args = (small, variable, configs, outlines, scenario, path, self.formats)
        self.jobs.append(self.pool.submit(_draw_map, *args) if self.pool else _draw_map(*args))
        return len(self.jobs) - 1

    def result(self, job: int) -> list[Path]:
        if job not in self.done:
            j = self.jobs[job]
            self.done[job] = j.result() if self.pool else j
        return self.done[job]

    def finish(self) -> list[list[Path]]:
        """Every map's files, in submission order (waits; the pool is shut down)."""
        try:
            return [self.result(k) for k in range(len(self.jobs))]
        finally:
            if self.pool:
                self.pool.shutdown()


def run_job(spec: ScenarioFile, base_dir: Path, out_dir: str | Path = "maps", *,
            overwrite: bool = False, formats: Sequence[str] = ("png",),
            workers: int | None = None, scheduler: str | None = None,
            progress: Callable[[str, int, int], None] | None = None,
            on_file: Callable[[Path], None] | None = None) -> JobOutputs:
    """Run every scenario in ``spec`` and write all outputs under ``out_dir``.

    Raises :class:`OutputExistsError` before computing anything if ``out_dir``
    holds another run's results and ``overwrite`` is false.
    """
    from gnss_interop._version import __version__
    from gnss_interop.output.geojson import regions_feature_collection, write_geojson
    from gnss_interop.output.geotiff import to_geotiff
    from gnss_interop.output.netcdf import write_netcdf
    from gnss_interop.output.tables import write_table_csv, write_table_markdown
    from gnss_interop.output.report import write_report

    out_dir = Path(out_dir)
    geotiff = _geotiff_available()
    digest = definition_hash(spec)
    _check_overwrite(out_dir, digest, overwrite)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = run_scenarios(spec, base_dir, workers=workers, scheduler=scheduler, progress=progress)
    files: list[Path] = []
    drawer = _MapDrawer(formats)

    def wrote(p: Path | Sequence[Path]) -> None:
        for q in ([p] if isinstance(p, (str, Path)) else p):
            files.append(Path(q))
            if on_file:
                on_file(Path(q))

    all_rows: list[dict[str, Any]] = []
    report_scenarios = []
    for res in results:
        sdir = out_dir / res.name
        sdir.mkdir(parents=True, exist_ok=True)
        ds = res.dataset
        outlines = [(lon, lat, label) for label, reg in res.regions for lon, lat in reg.outline()]
        wrote(write_netcdf(ds, sdir / "coverage.nc"))
        configs = [str(c) for c in ds.config.values]
        panel_cfgs, map_cfgs = map_configurations(configs)
        registration = ds.attrs.get("grid_registration")
        for var in variables_with("geotiff") if geotiff else ():
            if var.name not in ds:
                continue
            for cfg in (configs if var.per_config else [None]):
                da = ds[var.name].sel(config=cfg) if cfg else ds[var.name]
                name = f"{var.name}_{_slug(cfg)}" if cfg else var.name
                wrote(to_geotiff(da, sdir / f"{name}.tif", registration=registration,
                                 tags={"scenario": res.name}))
        if res.records:
            wrote(write_geojson(regions_feature_collection(res.records, scenario=res.name,
                                                           title=res.title),
                                sdir / "regions.geojson"))
        # maps: drawn in worker processes (matplotlib/cartopy take most of a job's time and
        # hold the GIL); the report keeps the order in which they are listed here
        figures = []
        for var in variables_with("panel"):
            if var.name not in ds:
                continue
            title = (f"{ds[var.name].attrs.get('long_name', var.name)} — "
                     f"{' | '.join(panel_cfgs)}")
            figures.append((title, drawer.submit(ds, var.name, tuple(panel_cfgs), outlines,
                                                 res.title, sdir / f"{var.name}_panel.png")))
        for var in variables_with("map"):
            if var.name not in ds:
                continue
            for cfg in (map_cfgs if var.per_config else [None]):
                name = f"{var.name}_{_slug(cfg)}" if cfg else var.name
                job = drawer.submit(ds, var.name, cfg, outlines, res.title, sdir / f"{name}.png")
                # the report shows the panels and the scenario's own layers; maps of a
                # panel quantity for one configuration repeat the panel and stay on disk
                if "report" in var.outputs and "panel" not in var.outputs \
                        and (cfg is None or cfg == map_cfgs[0]):
                    title = str(ds[var.name].attrs.get("long_name", var.name))
                    figures.append((f"{title} ({cfg})" if cfg else title, job))
        wrote(write_table_csv(res.summary, sdir / "summary.csv"))
        wrote(write_table_markdown(res.summary, sdir / "summary.md"))
        all_rows += res.summary
        report_scenarios.append({
            "name": res.name, "title": res.title, "definition": res.definition,
            # what each jammer does for the receiver profile (bands, radii, fallback rings)
            "description": f"Jammers: {ds.attrs['jammers']}" if ds.attrs.get("jammers") else None,
            "figures": figures,  # (title, pending map): resolved below
            "tables": [("Area-weighted summary (cos-latitude weights)", res.summary)],
        })
    for paths in drawer.finish():
        wrote(paths)
    for sc in report_scenarios:
        sc["figures"] = [(title, Path(drawer.result(job)[0])) for title, job in sc["figures"]]
    wrote(write_table_csv(all_rows, out_dir / "summary.csv"))
    wrote(write_table_markdown(all_rows, out_dir / "summary.md"))
    headline = headline_table(results) if results else None
    if headline is not None:
        wrote(write_table_csv(headline.csv_rows(), out_dir / "headline.csv",
                              float_format="{:.6g}"))
        wrote(write_table_markdown(headline.display_rows(), out_dir / "headline.md",
                                   caption=headline.caption, notes=headline.notes(),
                                   align_right=headline.numeric_headers))
    first = results[0].dataset.attrs if results else {}
    provenance = {
        "software": f"gnss_interop {__version__}",
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "ephemerides": first.get("input_files", ""),
        "span (GPST)": f"{spec.start} to {spec.end} (end exclusive), step {spec.step_s:g} s",
        "grid": first.get("grid", ""),
        "elevation mask": first.get("mask", f"{spec.mask.elevation_deg:g} deg"),
        "PDOP threshold": f"{spec.pdop_max:g}",
        "configurations": first.get("configurations", ""),
        "receiver profile": first.get("receiver_description", ""),
        "accuracy limit": first.get("accuracy_limit", ""),
        "error budget": first.get("error_budget", ""),
        "SISRE": first.get("sisre_m", ""),
        "excluded satellites": first.get("excluded_satellites", ""),
        "broadcast records excluded by screening": first.get("excluded_records", ""),
        "broadcast records unverified (no cross-check possible)":
            first.get("unverified_records", ""),
        "definition hash": digest,
    }
    provenance = {k: v for k, v in provenance.items() if v != ""}
    report = write_report(out_dir / "report.html", title=spec.title, scenarios=report_scenarios,
                          provenance=provenance,
                          headline=headline.report_section() if headline else None)
    wrote(report)
    _write_json(out_dir / "run.json", {
        "definition_hash": digest, "created": provenance["created"],
        "software": provenance["software"], "title": spec.title,
        "definition": spec.model_dump(mode="json"),
        "files": sorted(str(p.relative_to(out_dir)) for p in files
                        if Path(p).is_relative_to(out_dir)),
    })
    return JobOutputs(out_dir, Path(report), files, results)
