"""Denial scenarios: the scenario file, its validation, and running it on the coverage engine.

A scenario file (TOML, schema below, examples in ``almanacs/``) names the ephemerides,
span, grid, masks and PDOP threshold, and a list of scenarios. Each scenario has a list
of degradations:

* ``deny``: a whole system (``C`` or ``R``), globally or inside a region;
* ``jammer``: an emitter whose free-space J/S exceeds the receiver's tolerance inside a
  radius limited by the radio horizon (:mod:`gnss_interop.scenarios.jammer`);
* ``outage``: listed satellites, or N random satellites per system (Monte Carlo, seeded;
  the result is the mean over trials, with the worst case in ``availability_worst``);
* ``mask``: a raised elevation mask inside a region (urban canyon, terrain).

How results are composed, and why it is exact: a system denied at a point contributes
no satellite there. With one receiver clock per system the engine then drops that
system's clock unknown, so C+R (and C+R/interop) at a point where BeiDou is denied
*is* the R-only solution. Denials therefore select, per point, among the configurations
of one undegraded coverage run. Only outages and raised masks need runs of their own,
and runs are shared between scenarios.

Derived layers per scenario:

* ``backup_availability_<X>``: where system X is denied, the availability the other
  system(s) still provide (NaN outside X's denial region, stated in the attribute);
* ``combination_gain_availability`` = A(C+R) − max(A(C), A(R)) and
  ``combination_gain_pdop`` = min(PDOP(C), PDOP(R)) − PDOP(C+R) (mean PDOP; > 0 is better);
* ``interop_gain_availability`` = A(C+R/interop) − A(C+R) and ``interop_gain_pdop``:
  what the broadcast BDT−GLONASST offset adds.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
import xarray as xr
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gnss_interop.coverage.configs import Configuration, standard_configurations
from gnss_interop.errors import EphemerisRangeWarning, GnssInputError, InteropUnavailableWarning
from gnss_interop.scenarios.jammer import Band, Jammer
from gnss_interop.coverage.masks import ElevationMask
from gnss_interop.scenarios.regions import GlobalRegion, Region, region_from_spec
from gnss_interop.systems import System

__all__ = ["ScenarioFile", "ScenarioResult", "load_scenario_file", "run_scenarios",
           "summarise", "DEFAULT_SCENARIO_FILE", "ALMANAC_DIR"]

ALMANAC_DIR = Path(__file__).resolve().parents[2] / "almanacs"
DEFAULT_SCENARIO_FILE = ALMANAC_DIR / "default_scenarios.toml"
#: Almanacs the project ships, by name.
SHIPPED_ALMANACS = {"nominal": ALMANAC_DIR / "nominal_bds3_glonass_20240101.rnx.gz"}
#: Latitude bands of the summary tables [deg].
LATITUDE_BANDS = ((-90, -60), (-60, -30), (-30, 0), (0, 30), (30, 60), (60, 90))

_DOPS = ("gdop", "pdop", "hdop", "vdop", "tdop")


# ============================================================================ schema

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CircleModel(_Model):
    lat: float = Field(ge=-90, le=90, description="centre latitude [deg]")
    lon: float = Field(ge=-180, le=360, description="centre longitude [deg]")
    radius_km: float = Field(gt=0, le=20_000, description="radius [km], great circle")


class BoxModel(_Model):
    lat_min: float = Field(ge=-90, le=90)
    lat_max: float = Field(ge=-90, le=90)
    lon_min: float = Field(ge=-180, le=360)
    lon_max: float = Field(ge=-180, le=360)

    @model_validator(mode="after")
    def _order(self) -> "BoxModel":
        if self.lat_min >= self.lat_max:
            raise ValueError(f"lat_min ({self.lat_min}) must be below lat_max ({self.lat_max})")
        return self


class RegionModel(_Model):
    """Exactly one of: circle, box, geojson (file or object), polygon ([[lon, lat], ...])."""

    circle: CircleModel | None = None
    box: BoxModel | None = None
    geojson: str | dict[str, Any] | None = None
    polygon: list[tuple[float, float]] | None = None

    @model_validator(mode="after")
    def _one(self) -> "RegionModel":
        given = [k for k in ("circle", "box", "geojson", "polygon") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"a region needs exactly one of circle, box, geojson, polygon; "
                             f"got {given or 'none'}")
        return self

    def spec(self) -> dict[str, Any]:
        (k, v), = ((k, getattr(self, k)) for k in ("circle", "box", "geojson", "polygon")
                   if getattr(self, k) is not None)
        return {k: v.model_dump() if isinstance(v, BaseModel) else v}


RegionField = Union[Literal["global"], RegionModel]
SystemLetter = Literal["C", "R"]


class DenyModel(_Model):
    type: Literal["deny"]
    system: SystemLetter
    region: RegionField = "global"
    label: str | None = None


class JammerModel(_Model):
    type: Literal["jammer"]
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=360)
    height_m: float = Field(ge=0, le=50_000, description="emitter height above ground [m]")
    eirp_dbw: float = Field(ge=-60, le=90, description="EIRP towards the receiver [dBW]")
    bands: list[str] = Field(default_factory=lambda: ["wideband"], min_length=1)
    js_tolerance_db: float | None = Field(default=None, ge=0, le=120)
    rx_gain_dbi: float = Field(default=0.0, ge=-30, le=30)
    label: str | None = None

    @field_validator("bands")
    @classmethod
    def _bands(cls, v: list[str]) -> list[str]:
        for b in v:
            if b.strip().lower() != "wideband":
                Band.parse(b)
        return v


class OutageModel(_Model):
    type: Literal["outage"]
    satellites: list[Annotated[str, Field(pattern=r"^[CR]\d{2}$")]] = Field(default_factory=list)
    random: dict[SystemLetter, Annotated[int, Field(ge=0, le=60)]] = Field(default_factory=dict)
    trials: int = Field(default=20, ge=1, le=1000)
    seed: int = 0

    @model_validator(mode="after")
    def _something(self) -> "OutageModel":
        if not self.satellites and not any(self.random.values()):
            raise ValueError("an outage needs 'satellites' or a 'random' count")
        return self


class MaskModel(_Model):
    type: Literal["mask"]
    elevation_deg: float = Field(ge=0, lt=90)
    region: RegionField = "global"
    label: str | None = None


Degradation = Annotated[Union[DenyModel, JammerModel, OutageModel, MaskModel],
                        Field(discriminator="type")]


class ScenarioModel(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80,
                      description="also the output folder name")
    title: str | None = None
    degradation: list[Degradation] = Field(default_factory=list)


class GridModel(_Model):
    resolution_deg: float = Field(default=2.0, gt=0, le=30)
    lat_min: float = Field(default=-90.0, ge=-90, le=90)
    lat_max: float = Field(default=90.0, ge=-90, le=90)
    lon_min: float = Field(default=-180.0, ge=-180, le=360)
    lon_max: float = Field(default=180.0, ge=-180, le=360)
    height_m: float = Field(default=0.0, ge=-500, le=100_000)


class ReceiverMaskModel(_Model):
    elevation_deg: float = Field(default=5.0, ge=0, lt=90)
    horizon: list[tuple[float, float]] = Field(default_factory=list,
                                               description="[[azimuth_deg, elevation_deg], ...]")


class ScenarioFile(_Model):
    """The whole scenario file (TOML)."""

    title: str = "gnss-interop coverage scenarios"
    ephemerides: list[str] | None = Field(default=None, description="navigation files")
    almanac: Literal["nominal"] | None = Field(default=None, description="a shipped almanac")
    date: str | None = Field(default=None, description="fetch (or take from the cache) the IGS "
                                                       "daily broadcast file of this day")
    start: str = Field(description="first epoch, ISO 8601, GPST")
    end: str = Field(description="end of the span (exclusive), ISO 8601, GPST")
    step_s: float = Field(default=60.0, gt=0, le=86_400)
    grid: GridModel = Field(default_factory=GridModel)
    mask: ReceiverMaskModel = Field(default_factory=ReceiverMaskModel)
    pdop_max: float = Field(default=6.0, gt=0, le=100)
    configurations: list[Literal["C", "R", "C+R", "C+R/interop"]] = Field(
        default_factory=lambda: ["C", "R", "C+R", "C+R/interop"], min_length=1)
    scenario: list[ScenarioModel] = Field(min_length=1)

    @field_validator("date")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is not None:
            from gnss_interop.reading.fetch import parse_date

            parse_date(v)
        return v

    @model_validator(mode="after")
    def _checks(self) -> "ScenarioFile":
        given = [k for k in ("ephemerides", "almanac", "date") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'ephemerides' (files), 'almanac' (e.g. "
                             f"\"nominal\") or 'date' (fetched); got {given or 'none'}")

        try:
            t0, t1 = np.datetime64(self.start, "s"), np.datetime64(self.end, "s")
        except ValueError as exc:
            raise ValueError(f"start/end must be ISO 8601 times: {exc}") from None
        if t1 <= t0:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        names = [s.name for s in self.scenario]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"scenario names must be unique; repeated: {dupes}")
        return self


def _format_validation(path: Path | str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-after"))
        value = err.get("input")
        shown = json.dumps(value, default=str) if not isinstance(value, dict) else "{...}"
        if len(shown) > 80:
            shown = shown[:77] + "..."
        lines.append(f"  - {loc or '(file)'} = {shown}: {err['msg']}")
    return f"{path}: invalid scenario file:\n" + "\n".join(lines)


def load_scenario_file(path: str | Path) -> tuple[ScenarioFile, Path]:
    """Read and validate a scenario TOML file; errors name the field and value."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GnssInputError(f"cannot read scenario file: {exc.strerror}", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise GnssInputError(f"not valid TOML: {exc}", path) from None
    try:
        return ScenarioFile.model_validate(raw), path.resolve().parent
    except ValidationError as exc:
        raise GnssInputError(_format_validation(path, exc)) from None


def scenario_file_from_dict(data: dict[str, Any]) -> ScenarioFile:
    """Validate a scenario definition built in code (same schema as the TOML file)."""
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise GnssInputError(_format_validation("<scenario>", exc)) from None


# ============================================================================ running

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


def _resolve(model: ScenarioModel, base_dir: Path, height_m: float) -> Degraded:
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
                         deg.js_tolerance_db, deg.rx_gain_dbi)
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


@dataclass
class ScenarioResult:
    """One scenario's coverage (dims config, lat, lon), derived layers and summary rows."""

    name: str
    title: str
    definition: dict[str, Any]
    dataset: xr.Dataset
    regions: list[tuple[str, Region]]
    summary: list[dict[str, Any]]


def _none_result(template: xr.Dataset) -> xr.Dataset:
    """What a configuration gives where all its systems are denied: nothing."""
    out = {}
    for name, da in template.data_vars.items():
        if "config" not in da.dims:
            continue
        if name.startswith("nsat_") or name in ("availability", "solution_fraction"):
            fill = 0
        elif name.endswith("_mean"):
            fill = np.nan
        else:                                  # p95 / max: no solution counts as +inf
            fill = np.inf
        out[name] = xr.full_like(da.isel(config=0, drop=True), fill)
    return xr.Dataset(out)


def _compose(runs: dict[float, xr.Dataset], base_mask: float, mask_value: np.ndarray,
             denied: dict[System, np.ndarray], out_configs: Sequence[Configuration]) -> xr.Dataset:
    """Per point, pick each output configuration's result among the runs and configurations."""
    base = runs.get(base_mask) or next(iter(runs.values()))   # template for dims and attrs
    shape = mask_value.shape
    result = {}
    names = [c.name for c in out_configs]
    for name, da in base.data_vars.items():
        if "config" in da.dims:
            result[name] = np.empty((len(out_configs),) + shape, dtype=da.dtype)
    none = _none_result(base)
    for i, cfg in enumerate(out_configs):
        filled = np.zeros(shape, dtype=bool)
        for mval, ds in runs.items():
            at_mask = mask_value == mval
            # every subset of the configuration's systems that survives the denials
            for keep in range(1 << len(cfg.systems)):
                remaining = tuple(s for j, s in enumerate(cfg.systems) if keep >> j & 1)
                sel = at_mask.copy()
                for s in cfg.systems:
                    d = denied.get(s, np.zeros(shape, bool))
                    sel &= ~d if s in remaining else d
                if not sel.any():
                    continue
                for name in result:
                    if remaining:
                        sub = Configuration(remaining, cfg.clock)
                        src = ds[name].sel(config=sub.name).values
                    else:
                        src = none[name].values
                    result[name][i][sel] = src[sel]
                filled |= sel
        assert filled.all(), "composition left points unassigned"
    data = {name: (base[name].dims, arr) for name, arr in result.items()}
    out = xr.Dataset(data, coords={**{k: v for k, v in base.coords.items() if k != "config"
                                      and "config" not in v.dims},
                                   "config": names})
    for name in result:
        out[name].attrs = dict(base[name].attrs)
    if "crs" in base:
        out["crs"] = base["crs"]
    out.attrs = dict(base.attrs)
    return out


def _derived_layers(ds: xr.Dataset, degraded: Degraded, denied: dict[System, np.ndarray]) -> None:
    configs = list(ds.config.values)
    gm = {"grid_mapping": "crs"} if "crs" in ds else {}
    avail = ds["availability"]
    pdop = ds["pdop_mean"]
    for system, mask in denied.items():
        others = [c for c in configs if "/" not in c and system.letter not in c.split("+")]
        if not others or not mask.any():
            continue
        best_other = max(others, key=len)              # all other systems together
        layer = avail.sel(config=best_other).where(mask)
        ds[f"backup_availability_{system.letter}"] = layer.drop_vars("config", errors="ignore").assign_attrs(
            long_name=f"availability still provided where {system.display_name} is denied "
                      f"(configuration {best_other})",
            units="1", comment=f"NaN outside the region where {system.display_name} is denied",
            nodata_label=f"outside the {system.display_name} denial region", **gm)
    if {"C", "R", "C+R"} <= set(configs):
        single = np.maximum(avail.sel(config="C"), avail.sel(config="R"))
        ds["combination_gain_availability"] = (avail.sel(config="C+R") - single).drop_vars(
            "config", errors="ignore").assign_attrs(
            long_name="availability of C+R minus the best single system", units="1", **gm)
        best_pdop = np.fmin(pdop.sel(config="C"), pdop.sel(config="R"))
        ds["combination_gain_pdop"] = (best_pdop - pdop.sel(config="C+R")).drop_vars(
            "config", errors="ignore").assign_attrs(
            long_name="mean PDOP of the best single system minus mean PDOP of C+R (> 0: better)",
            units="1", comment="NaN where C+R or both single systems never have a solution", **gm)
    if {"C+R", "C+R/interop"} <= set(configs):
        ds["interop_gain_availability"] = (avail.sel(config="C+R/interop") - avail.sel(config="C+R")
                                           ).drop_vars("config", errors="ignore").assign_attrs(
            long_name="availability gained by applying the broadcast BDT-GLONASST offset "
                      "(C+R/interop minus C+R)", units="1", **gm)
        ds["interop_gain_pdop"] = (pdop.sel(config="C+R") - pdop.sel(config="C+R/interop")
                                   ).drop_vars("config", errors="ignore").assign_attrs(
            long_name="mean PDOP of C+R minus mean PDOP of C+R/interop (> 0: better)", units="1",
            comment="NaN where either never has a solution", **gm)


def _mean_over_trials(trials: list[xr.Dataset]) -> xr.Dataset:
    if len(trials) == 1:
        return trials[0]
    stack = xr.concat([t.drop_vars("crs", errors="ignore") for t in trials], dim="trial",
                      coords="minimal", compat="override", join="override")
    out = trials[0].copy()
    for name, da in stack.data_vars.items():
        if "trial" not in da.dims:
            continue
        if name == "nsat_min":
            out[name] = da.min("trial")
        elif name == "nsat_max" or name.endswith(("_p95", "_max")):
            out[name] = da.max("trial")
        else:
            out[name] = da.mean("trial", skipna=True)
        out[name].attrs = dict(trials[0][name].attrs)
    out["availability_worst"] = stack["availability"].min("trial").assign_attrs(
        long_name="worst availability over the random-outage trials", units="1",
        **({"grid_mapping": "crs"} if "crs" in out else {}))
    out.attrs["outage_trials"] = len(trials)
    out["availability"].attrs["comment"] = f"mean over {len(trials)} random-outage trials"
    return out


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return math.nan
    return float(np.sum(values[ok] * weights[ok]) / np.sum(weights[ok]))


def summarise(ds: xr.Dataset, regions: Sequence[tuple[str, Region]], scenario: str
              ) -> list[dict[str, Any]]:
    """Area-weighted (cos latitude) summaries: global, each region, each latitude band.

    Per configuration: availability [%], mean visible satellites, mean PDOP (over cells
    with a solution, with the share of area that has one), and area fraction with
    availability ≥ 99 %.
    """
    lat = ds["lat"].values
    lon = ds["lon"].values
    lat2, lon2 = np.meshgrid(lat, lon, indexing="ij")
    w = np.cos(np.radians(lat2))
    areas: list[tuple[str, np.ndarray]] = [("global", np.ones_like(w, dtype=bool))]
    areas += [(f"inside: {label}", reg.contains(lat2, lon2)) for label, reg in regions]
    # half-open bands [lo, hi), the last one closed, so node rows at ±30°, ±60° count once
    areas += [(f"lat {lo:+d}..{hi:+d}", (lat2 >= lo) & ((lat2 < hi) | (hi == LATITUDE_BANDS[-1][1])))
              for lo, hi in LATITUDE_BANDS]
    rows = []
    for area, sel in areas:
        ww = np.where(sel, w, 0.0)
        if ww.sum() == 0:
            continue
        for cfg in ds.config.values:
            a = ds["availability"].sel(config=cfg).values
            pd = ds["pdop_mean"].sel(config=cfg).values
            rows.append({
                "scenario": scenario, "area": area, "config": str(cfg),
                "availability_pct": round(100 * _weighted_mean(a, ww), 3),
                "area_with_99pct_availability_pct": round(100 * _weighted_mean((a >= 0.99).astype(float), ww), 2),
                "nsat_mean": round(_weighted_mean(ds["nsat_mean"].sel(config=cfg).values, ww), 2),
                "pdop_mean": round(_weighted_mean(pd, ww), 3),
                "area_with_solution_pct": round(100 * _weighted_mean(np.isfinite(pd).astype(float), ww), 2),
            })
    return rows


def _random_outages(svs: Sequence[str], counts: dict[System, int], trials: int, seed: int,
                    fixed: frozenset[str]) -> list[frozenset[str]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(trials):
        chosen = set(fixed)
        for system, n in counts.items():
            pool = [s for s in svs if s[0] == system.letter and s not in fixed]
            if n > len(pool):
                raise GnssInputError(f"outage of {n} random {system.name} satellites requested, "
                                     f"only {len(pool)} available")
            chosen |= set(rng.choice(pool, size=n, replace=False).tolist()) if n else set()
        out.append(frozenset(chosen))
    return out


def _ephemeris_paths(spec: ScenarioFile, base_dir: Path) -> list[Path]:
    if spec.almanac is not None:
        return [SHIPPED_ALMANACS[spec.almanac]]
    if spec.date is not None:
        from gnss_interop.reading.fetch import fetch

        return [fetch(spec.date)]
    return [p if p.is_absolute() else base_dir / p for p in map(Path, spec.ephemerides or [])]


def definition_hash(spec: ScenarioFile) -> str:
    """Stable hash of a scenario definition (to recognise a rerun of the same job)."""
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
        Passed to :func:`~gnss_interop.coverage.engine.compute_grid`.
    progress
        ``progress(label, done, total)`` after each latitude band of each coverage run.
    only
        Names of the scenarios to run (default: all).
    """
    from gnss_interop.coverage.engine import compute_grid
    from gnss_interop.ephemerides.store import load_ephemerides
    from gnss_interop.coverage.grid import GridSpec

    base_dir = Path(base_dir or ".")
    paths = _ephemeris_paths(spec, base_dir)
    eph = load_ephemerides(paths)
    t0 = np.datetime64(spec.start, "ns")
    t1 = np.datetime64(spec.end, "ns")
    step = np.timedelta64(int(round(spec.step_s * 1e9)), "ns")
    times = np.arange(t0, t1, step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EphemerisRangeWarning)
        positions = eph.positions(times)
    for w in caught:                       # re-issue once, from here
        warnings.warn(w.message, w.category, stacklevel=2)
    g = spec.grid
    grid = GridSpec(g.resolution_deg, g.lat_min, g.lat_max, g.lon_min, g.lon_max, g.height_m)
    wanted = [Configuration.parse(c) for c in spec.configurations]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropUnavailableWarning)
        available = standard_configurations((System.BEIDOU, System.GLONASS),
                                            interop_offset_available=eph.has_time_offset)
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=2)
    out_configs = [c for c in wanted if c in available]
    horizon = spec.mask.horizon

    cache: dict[tuple[frozenset[str], float], xr.Dataset] = {}

    def coverage(outage: frozenset[str], mask_deg: float, label: str) -> xr.Dataset:
        key = (outage, mask_deg)
        if key not in cache:
            pos = positions
            if outage:
                pos = positions.where(~positions.sv.isin(sorted(outage)))
            mask = ElevationMask.from_pairs(horizon, mask_deg) if horizon else ElevationMask(mask_deg)
            cb = (lambda d, n: progress(label, d, n)) if progress else None
            cache[key] = compute_grid(pos, grid, mask=mask, configs=available,
                                      pdop_max=spec.pdop_max, workers=workers,
                                      scheduler=scheduler, threads=threads, progress=cb,
                                      input_files=[str(p) for p in paths])
        return cache[key]

    lat2, lon2 = np.meshgrid(grid.lat_deg, grid.lon_deg, indexing="ij")
    results = []
    svs = list(positions.sv.values)
    for model in spec.scenario:
        if only and model.name not in only:
            continue
        degraded = _resolve(model, base_dir, g.height_m)
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
        outages = (_random_outages(svs, degraded.outage_random, degraded.trials, degraded.seed,
                                   degraded.outage_fixed)
                   if degraded.outage_random else [degraded.outage_fixed])
        trials = []
        for k, outage in enumerate(outages):
            runs = {}
            for mval in np.unique(mask_value):
                label = (f"{model.name}: mask {mval:g} deg" +
                         (f", trial {k + 1}/{len(outages)}" if len(outages) > 1 else ""))
                runs[float(mval)] = coverage(outage, float(mval), label)
            trials.append(_compose(runs, float(spec.mask.elevation_deg), mask_value, denied,
                                   out_configs))
        ds = _mean_over_trials(trials)
        _derived_layers(ds, degraded, denied)
        title = model.title or model.name
        ds.attrs.update(scenario=model.name, scenario_title=title,
                        scenario_definition=json.dumps(model.model_dump(mode="json", exclude_none=True)),
                        degradations="; ".join(lab for lab, _ in degraded.regions())
                        or "none")
        regions = degraded.regions()
        results.append(ScenarioResult(model.name, title, model.model_dump(mode="json", exclude_none=True), ds,
                                      regions, summarise(ds, regions, model.name)))
    return results
