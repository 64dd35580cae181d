"""The scenario file: its schema (pydantic), loading and validation, and its hash.

A scenario file (TOML, examples in ``almanacs/``) names the ephemerides, span, grid,
masks, PDOP threshold and configurations, and a list of scenarios, each with a list of
degradations (``deny``, ``jammer``, ``outage``, ``mask``). Systems and configurations are
checked against the registry (:mod:`gnss_interop.systems`): ``C``, ``R``, ``G``, ``E``
and any combination such as ``C+R``, ``G+E``, ``C+R+G+E``, ``C+R/interop``.

Errors name the field and the value, e.g.
``scenario.0.degradation.0.deny.region.circle.radius_km = -5: Input should be greater than 0``.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import warnings
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from gnss_interop.constants import RECEIVER_ANTENNA_HEIGHT_M
from gnss_interop.coverage.configs import Configuration, combinations
from gnss_interop.errors import GnssInputError, ScenarioWarning
from gnss_interop.scenarios.jammer import Band
from gnss_interop.systems import registered, spec_of_letter

__all__ = ["ScenarioFile", "ScenarioModel", "definition_hash", "load_scenario_file",
           "scenario_file_from_dict"]


def _is_number_annotation(ann: Any) -> bool:
    args = getattr(ann, "__args__", ())
    return ann in (float, int) or (bool not in args and any(a in (float, int) for a in args))


class _Model(BaseModel):
    # no NaN/inf anywhere; a TOML boolean is not a number (pydantic would take true as 1)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                if isinstance(data.get(name), bool) and _is_number_annotation(field.annotation):
                    raise ValueError(f"{name} = {str(data[name]).lower()}: a number is "
                                     f"needed, not a boolean")
        return data


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


#: ISO 8601 date or date-time without a time zone: every time of a scenario file is GPST.
_ISO_GPST = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$")


def _gpst_time(v: str) -> str:
    text = v.strip()
    if not text:
        raise ValueError("an ISO 8601 time is needed, e.g. 2023-03-12T00:00:00 (GPST)")
    if not _ISO_GPST.match(text):
        tz = re.search(r"(Z|[+-]\d{2}:?\d{2})$", text)
        raise ValueError(("times are GPST and take no time zone; write the GPST time "
                          "without it" if tz else "not an ISO 8601 time (YYYY-MM-DD or "
                          "YYYY-MM-DDThh:mm[:ss]), GPST"))
    try:
        t = np.datetime64(text.replace(" ", "T"), "s")
    except ValueError as exc:
        raise ValueError(f"not a valid time: {exc}") from None
    if np.isnat(t):  # pragma: no cover - the pattern excludes NaT
        raise ValueError("not a time")
    return text


def _registered_letter(v: str) -> str:
    if spec_of_letter(v) is None:
        known = ", ".join(f"{s.letter} ({s.display_name})" for s in registered())
        raise ValueError(f"unknown system; one of {known}")
    return v


def _satellite_id(v: str) -> str:
    if len(v) != 3 or not v[1:].isdigit() or v[1:] == "00":
        raise ValueError("a satellite is a system letter and a two-digit number, e.g. C19")
    _registered_letter(v[0])
    return v


def _configuration_name(v: str) -> str:
    try:
        cfg = Configuration.parse(v)
    except ValueError as exc:
        raise ValueError(f"not a configuration ({exc}); e.g. C, R, C+R, C+R/interop, G+E") from None
    return cfg.name


#: A registered system's RINEX letter (C, R, G, E).
SystemLetter = Annotated[str, AfterValidator(_registered_letter)]
#: A satellite of a registered system, e.g. ``"C19"``.
SatelliteId = Annotated[str, AfterValidator(_satellite_id)]
#: A configuration name, e.g. ``"C+R/interop"`` (normalised as :attr:`Configuration.name`).
ConfigurationName = Annotated[str, AfterValidator(_configuration_name)]
#: A GPST time, ISO 8601 without time zone.
GpstTime = Annotated[str, AfterValidator(_gpst_time)]


class DenyModel(_Model):
    type: Literal["deny"]
    system: SystemLetter
    region: RegionField = "global"
    label: str | None = None


class JammerModel(_Model):
    type: Literal["jammer"]
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=360)
    height_m: float = Field(ge=0, le=50_000, description="emitter height above ground [m] "
                                                         "(below 1.5 m: taken at 1.5 m)")
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
    satellites: list[SatelliteId] = Field(default_factory=list)
    random: dict[SystemLetter, Annotated[int, Field(ge=0, le=60)]] = Field(default_factory=dict)
    trials: int = Field(default=20, ge=1, le=1000)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)

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
    """The receiver grid. ``height_m`` places the points for the satellite geometry (above
    WGS 84, default 0); the jammer model needs the receivers' antenna height above the ground
    as well, which is ``height_m`` for an airborne grid but at least ``antenna_height_m``
    (default a person's 1.5 m) for a ground grid: max(height_m, antenna_height_m), over a
    smooth Earth (no terrain). The grid's own height stays the geometric one, so coverage
    results do not change with the jammer model. ``receiver_heights_m`` lists further
    receiver heights at which every jammer's footprint is reported (its description, the
    ``jammers`` attribute), e.g. ``[1.5, 3048, 10668]`` for the ground, FL100 and FL350;
    the maps and denials use the grid's receiver height only."""

    resolution_deg: float = Field(default=2.0, gt=0, le=30)
    lat_min: float = Field(default=-90.0, ge=-90, le=90)
    lat_max: float = Field(default=90.0, ge=-90, le=90)
    lon_min: float = Field(default=-180.0, ge=-180, le=360)
    lon_max: float = Field(default=180.0, ge=-180, le=360)
    height_m: float = Field(default=0.0, ge=-500, le=100_000,
                            description="height of the grid points above WGS 84 [m]")
    antenna_height_m: float = Field(
        default=RECEIVER_ANTENNA_HEIGHT_M, ge=0, le=100_000,
        description="receiver antenna height above the ground for the jammer model [m] "
                    "(ground grids; the jammer model uses max(height_m, antenna_height_m))")
    receiver_heights_m: list[Annotated[float, Field(ge=0, le=100_000)]] = Field(
        default_factory=list, max_length=10,
        description="receiver heights above the ground [m] at which each jammer's footprint "
                    "is reported, e.g. [1.5, 3048, 10668]")

    def jammer_receiver_height_m(self) -> float:
        """The receivers' height above the smooth ground for the jammer model [m]."""
        return max(self.height_m, self.antenna_height_m)

    @model_validator(mode="after")
    def _box(self) -> "GridModel":
        for lo, hi, what in ((self.lat_min, self.lat_max, "lat"),
                             (self.lon_min, self.lon_max, "lon")):
            if lo >= hi:
                rows = "rows" if what == "lat" else "columns"
                raise ValueError(f"{what}_min ({lo:g}) must be below {what}_max ({hi:g}): "
                                 f"a grid needs at least two {rows}")
            n = (hi - lo) / self.resolution_deg
            if abs(n - round(n)) > 1e-6:
                raise ValueError(f"{what}_max - {what}_min = {hi - lo:g} deg is not a multiple "
                                 f"of resolution_deg = {self.resolution_deg:g}")
        if self.lon_max - self.lon_min > 360.0:
            raise ValueError(f"lon_max - lon_min = {self.lon_max - self.lon_min:g} deg "
                             f"exceeds a full circle")
        return self


class ReceiverMaskModel(_Model):
    elevation_deg: float = Field(default=5.0, ge=0, lt=90)
    horizon: list[tuple[float, float]] = Field(default_factory=list,
                                               description="[[azimuth_deg, elevation_deg], ...]")

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for k, (az, el) in enumerate(v):
            if not 0.0 <= az <= 360.0:
                raise ValueError(f"horizon.{k}: azimuth {az:g} deg outside [0, 360]")
            if not 0.0 <= el < 90.0:
                raise ValueError(f"horizon.{k}: elevation {el:g} deg outside [0, 90)")
        return v


class ScenarioFile(_Model):
    """The whole scenario file (TOML)."""

    def profile(self):
        """The receiver profile of the file (:func:`gnss_interop.receivers.receiver_profile`)."""
        from gnss_interop.receivers.profiles import receiver_profile

        return receiver_profile(self.receiver)

    def accuracy_limit(self):
        from gnss_interop.accuracy.limits import accuracy_limit

        return accuracy_limit(self.accuracy_max_m)

    title: str = "gnss-interop coverage scenarios"
    ephemerides: list[str] | None = Field(default=None, description="navigation files")
    almanac: Literal["nominal"] | None = Field(default=None, description="a shipped almanac")
    date: str | None = Field(default=None, description="fetch (or take from the cache) the IGS "
                                                       "daily broadcast file of this day")
    start: GpstTime = Field(description="first epoch, ISO 8601, GPST (no time zone)")
    end: GpstTime = Field(description="end of the span (exclusive), ISO 8601, GPST")
    step_s: float = Field(default=60.0, gt=0, le=86_400)
    grid: GridModel = Field(default_factory=GridModel)
    mask: ReceiverMaskModel = Field(default_factory=ReceiverMaskModel)
    pdop_max: float = Field(default=6.0, gt=0, le=100)
    receiver: str | dict[str, Any] | None = Field(
        default=None, description="receiver profile: a preset name (gnss-interop receivers) or "
                                  "a table (preset, beidou, glonass, noise_m, sisre_m, ...)")
    accuracy_max_m: dict[str, float | None] | None = Field(
        default=None, description="limits of the accuracy availability: horizontal and/or "
                                  "vertical 95 % error [m] (default 5 and 10)")
    configurations: list[ConfigurationName] = Field(
        default_factory=lambda: [c.name for c in combinations()], min_length=1)
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
        from gnss_interop.accuracy.limits import accuracy_limit
        from gnss_interop.receivers.profiles import receiver_profile

        try:
            receiver_profile(self.receiver)
        except ValueError as exc:
            raise ValueError(f"receiver: {exc}") from None
        try:
            accuracy_limit(self.accuracy_max_m)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        configs = sorted({n for n in self.configurations if self.configurations.count(n) > 1})
        if configs:
            raise ValueError(f"configurations must be unique; repeated: {configs}")
        return self


def _systems_in_no_configuration(spec: ScenarioFile) -> list[str]:
    """Notes, as ``field = value: message``, on degradations of systems no configuration uses."""
    used = {s.letter for c in spec.configurations for s in Configuration.parse(c).systems}
    listed = ", ".join(spec.configurations)
    problems = []
    for k, sc in enumerate(spec.scenario):
        for j, deg in enumerate(sc.degradation):
            where = f"scenario.{k}.degradation.{j}.{deg.type}"
            if isinstance(deg, DenyModel):
                items = [("system", deg.system, deg.system)]
            elif isinstance(deg, OutageModel):
                items = [(f"random.{x}", n, x) for x, n in deg.random.items()]
                items += [(f"satellites.{i}", sv, sv[0]) for i, sv in enumerate(deg.satellites)]
            else:
                items = []
            for field_name, value, letter in items:
                if letter not in used:
                    problems.append(f"{where}.{field_name} = {json.dumps(value)}: "
                                    f"{spec_of_letter(letter).display_name} is in no "
                                    f"configuration ({listed}), so this only draws its backup "
                                    f"layer; add a configuration that uses it")
    return problems


def _validated(data: Any, where: Path | str) -> ScenarioFile:
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise GnssInputError(_format_validation(where, exc)) from None
    for note in _systems_in_no_configuration(spec):
        warnings.warn(f"{where}: {note}", ScenarioWarning, stacklevel=3)
    from gnss_interop.scenarios.estimate import check_job

    check_job(spec, str(where))
    return spec


def _format_validation(path: Path | str, exc: ValidationError) -> str:
    lines = []
    errors = exc.errors()
    for err in errors:
        # a region is "global" or a table: when the table is wrong, the message that it is
        # not the literal "global" only confuses
        if any(str(p).startswith("literal[") for p in err["loc"]) and len(errors) > 1:
            continue
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-after")
                       and not str(p) == "RegionModel")
        value = err.get("input")
        shown = json.dumps(value, default=str) if not isinstance(value, dict) else "{...}"
        if len(shown) > 80:
            shown = shown[:77] + "..."
        lines.append(f"  - {loc or '(file)'} = {shown}: {err['msg']}")
    return f"{path}: invalid scenario file:\n" + "\n".join(lines)


def _check_regions(spec: ScenarioFile, base_dir: Path | None, where: Path | str) -> None:
    """Build every region now, so that a broken GeoJSON or polygon fails at load time."""
    from gnss_interop.scenarios.regions import region_from_spec

    for k, sc in enumerate(spec.scenario):
        for j, deg in enumerate(sc.degradation):
            region = getattr(deg, "region", None)
            if region is None or region == "global":
                continue
            field = f"scenario.{k}.degradation.{j}.{deg.type}.region"
            try:
                region_from_spec(region.spec(), base_dir)
            except (ValueError, TypeError, KeyError, OSError, GnssInputError) as exc:
                raise GnssInputError(f"{where}: invalid scenario file:\n  - {field}: "
                                     f"{exc}") from None


def load_scenario_file(path: str | Path) -> tuple[ScenarioFile, Path]:
    """Read and validate a scenario TOML file; errors name the field and value."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GnssInputError(f"cannot read scenario file: {exc.strerror}", path) from None
    except UnicodeDecodeError as exc:
        raise GnssInputError(f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                             f"{exc.start}); TOML files are UTF-8", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise GnssInputError(f"not valid TOML: {exc}", path) from None
    spec = _validated(raw, path)
    _check_regions(spec, path.resolve().parent, path)
    return spec, path.resolve().parent


def scenario_file_from_dict(data: dict[str, Any]) -> ScenarioFile:
    """Validate a scenario definition built in code (same schema as the TOML file)."""
    spec = _validated(data, "<scenario>")
    _check_regions(spec, None, "<scenario>")
    return spec


def definition_hash(spec: ScenarioFile) -> str:
    """Stable hash of a scenario definition (to recognise a rerun of the same job)."""
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
