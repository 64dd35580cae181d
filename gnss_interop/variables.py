"""The catalogue of output variables: one entry per layer the pipeline writes.

Every variable the coverage engine, the scenarios and the outputs produce is described
here once: its name, CF long name and units, the kind of colour scale a map uses, whether
it has a ``config`` dimension, how it is reduced over time (CF ``cell_methods``), what a
configuration whose systems are all denied gives there, how Monte Carlo trials combine,
which outputs carry it, and how it enters the area-weighted summary tables
(:class:`AreaSummary`: the report's headline table, headline.csv, summary.csv). The Dataset builder (:mod:`gnss_interop.coverage.dataset`),
the scenario layers (:mod:`gnss_interop.scenarios.layers`), the main job
(:mod:`gnss_interop.output.job`) and the maps (:mod:`gnss_interop.output.maps`) read it
instead of repeating names and recognising layers by name patterns.

Long names may hold ``{pdop_max}``, ``{system}`` (display name) and ``{config}``, filled
by :meth:`Variable.attrs`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from gnss_interop.systems import System

__all__ = [
    "ACCURACY_NAMES",
    "AreaSummary",
    "DOP_NAMES",
    "backup_accuracy_name",
    "DOP_STATISTICS",
    "OUTPUTS",
    "Variable",
    "backup_name",
    "catalogue",
    "lookup",
    "require",
    "summary_variables",
    "variables_with",
]

#: Order of the dilution-of-precision quantities everywhere in the package.
DOP_NAMES: tuple[str, ...] = ("gdop", "pdop", "hdop", "vdop", "tdop")
#: Time statistics of each DOP, in the order the kernel returns them.
DOP_STATISTICS: tuple[str, ...] = ("mean", "p95", "max")
#: What an output can be: the NetCDF grid, a GeoTIFF, a C | R | C+R panel, a single map,
#: an image in the HTML report. Every layer drawn (panel or map) is also a GeoTIFF, so a
#: GIS user can map what the report shows (tests/test_export.py checks it).
OUTPUTS = frozenset({"netcdf", "geotiff", "panel", "map", "report"})

Kind = Literal["fraction", "nsat", "dop", "gain", "accuracy", "gain_m", "spread"]

#: Per point-epoch accuracy quantities of the weighted solution, in kernel order
#: (:data:`gnss_interop.coverage.kernels.ACC_NAMES`).
ACCURACY_NAMES: tuple[str, ...] = ("hacc95", "vacc95", "sigma_east", "sigma_north", "sigma_up",
                                   "wpdop")
#: The accuracy quantities reduced to a 95th percentile over time too (the others: mean, max).
ACCURACY_P95: tuple[str, ...] = ("hacc95", "vacc95")
_ACC_LONG = {
    "sigma_east": ("predicted 1-sigma east position error", "m"),
    "sigma_north": ("predicted 1-sigma north position error", "m"),
    "sigma_up": ("predicted 1-sigma up position error", "m"),
    "hacc95": ("predicted 95 % horizontal position error (radius)", "m"),
    "vacc95": ("predicted 95 % vertical position error", "m"),
    "wpdop": ("weighted PDOP (weights 1/sigma_URE^2 normalised to their mean)", "1"),
}
#: How the accuracy layers are defined (written into every accuracy layer).
ACCURACY_RULE = (
    "Weighted least squares with weights 1/sigma_URE^2 of the receiver profile's error "
    "budget (attribute error_budget); covariance (H^T W H)^-1 in local ENU; 95 % horizontal "
    "= radius of the circle holding 95 % of the 2-D Gaussian (eigenvalues, no circular "
    "approximation), 95 % vertical = 1.96 sigma_up. Epochs without a solution count as +inf "
    "in p95 and max.")

_DOP_LONG = {
    "gdop": "geometric dilution of precision",
    "pdop": "position dilution of precision",
    "hdop": "horizontal dilution of precision (local east/north)",
    "vdop": "vertical dilution of precision (local up)",
    "tdop": "time dilution of precision (first configured system's receiver clock)",
}
_DOP_STAT_LONG = {
    "mean": "mean over epochs with a solution",
    "p95": "95th percentile (nearest rank, histogram upper bin edge)",
    "max": "maximum",
}
#: How epochs without a solution enter the DOP statistics (written into every DOP layer).
NO_SOLUTION_RULE = (
    "Epochs without a solution (fewer visible satellites than unknowns, or singular "
    "geometry) count as +inf in p95 and max; the mean is over epochs with a "
    "solution (see solution_fraction) and is NaN only where solution_fraction = 0.")


@dataclass(frozen=True)
class AreaSummary:
    """How a layer enters the area-weighted summary tables (the report's headline table,
    ``headline.csv`` and ``summary.csv``; :mod:`gnss_interop.scenarios.summaries`).

    The layer's (lat, lon) field of one configuration is reduced over an area with
    cos(latitude) weights, by ``reduce``: the weighted mean of the finite values, or the
    weighted (lower) median of the values that are not NaN, +inf included (a grid point
    without a solution at more than 5 % of the epochs has a p95 of +inf).
    ``header`` and ``definition`` may hold ``{pdop_max}`` and ``{accuracy_limit}``.
    """

    rank: int
    reduce: Literal["median", "mean"]
    header: str
    definition: str
    percent: bool = False
    fmt: str = "{:.2f}"


@dataclass(frozen=True)
class Variable:
    """One output variable.

    ``denied_fill`` is the value where every system of a configuration is denied (no
    satellite: no solution); ``trial_reduce`` combines Monte Carlo trials.
    """

    name: str
    long_name: str
    units: str
    kind: Kind
    per_config: bool = True
    outputs: frozenset[str] = frozenset({"netcdf"})
    cell_methods: str | None = None
    comment: str = ""
    valid_min: float | None = None
    valid_max: float | None = None
    denied_fill: float = np.nan
    trial_reduce: Literal["mean", "min", "max"] = "mean"
    extra: dict[str, Any] = field(default_factory=dict)
    summary: AreaSummary | None = None

    def __post_init__(self) -> None:
        unknown = self.outputs - OUTPUTS
        if unknown:
            raise ValueError(f"{self.name}: unknown outputs {sorted(unknown)}")

    @property
    def summary_key(self) -> str:
        """Column name of the layer in the summary tables (CSV), its unit last:
        ``<name>_pct`` for a fraction given in per cent, ``<name>_median_m`` for a median
        in metres, ``<name>`` for a mean of a count."""
        if self.summary is None:
            raise ValueError(f"{self.name} is not in the summary tables")
        if self.summary.percent:
            return f"{self.name}_pct"
        stat = "_median" if self.summary.reduce == "median" else ""
        unit = "" if self.units == "1" else f"_{self.units}"
        return f"{self.name}{stat}{unit}"

    def attrs(self, *, dtype: Any = np.float32, **fmt: Any) -> dict[str, Any]:
        """CF attributes, with the long name's fields filled from ``fmt``.

        ``valid_min``/``valid_max`` are cast to ``dtype``, the type the variable is
        stored as (CF: the same type as the data).
        """
        out: dict[str, Any] = {"long_name": self.long_name.format(**fmt), "units": self.units}
        if self.cell_methods:
            out["cell_methods"] = self.cell_methods
        if self.comment:
            out["comment"] = self.comment.format(**fmt)
        for key in ("valid_min", "valid_max"):
            value = getattr(self, key)
            if value is not None:
                out[key] = np.asarray(value, dtype=dtype)[()]
        out.update(self.extra)
        return out


def _dop_variables() -> Iterator[Variable]:
    for dop in DOP_NAMES:
        for stat in DOP_STATISTICS:
            yield Variable(
                f"{dop}_{stat}", f"{_DOP_LONG[dop]}, {_DOP_STAT_LONG[stat]}", "1", "dop",
                outputs=frozenset({"netcdf", "geotiff", "panel", "report"})
                if (dop, stat) == ("pdop", "mean") else frozenset({"netcdf"}),
                cell_methods={"mean": "time: mean", "max": "time: maximum"}.get(stat),
                comment=NO_SOLUTION_RULE,
                denied_fill=np.nan if stat == "mean" else np.inf,
                trial_reduce="mean" if stat == "mean" else "max")


def backup_name(system: System) -> str:
    """Name of the layer "what is left where ``system`` is denied"."""
    return f"backup_availability_{system.letter}"


def backup_accuracy_name(system: System) -> str:
    """Name of the layer "accuracy still achieved where ``system`` is denied" (metres)."""
    return f"backup_hacc95_{system.letter}"


_AREA_MEDIAN_RULE = (
    "at each grid point the 95th percentile over the epochs (an epoch without a solution "
    "counts as +inf), then the median over the area with cos(latitude) weights; "
    "∞ (inf in CSV files): at least half of the area has no solution at more than 5 % of "
    "the epochs")
#: The accuracy layers of the summary tables (headline table first columns).
_ACC_SUMMARY = {
    "hacc95_p95": AreaSummary(
        10, "median", "H95, m (95th pct over time, area-weighted median)",
        "predicted 95 % horizontal position error (radius of the circle holding 95 % of the "
        "2-D error distribution) of the weighted solution with the receiver profile's error "
        "budget; " + _AREA_MEDIAN_RULE),
    "vacc95_p95": AreaSummary(
        20, "median", "V95, m (95th pct over time, area-weighted median)",
        "predicted 95 % vertical position error (1.96 sigma up) of the same solution; "
        + _AREA_MEDIAN_RULE),
}


def _accuracy_variables() -> Iterator[Variable]:
    for q in ACCURACY_NAMES:
        long, units = _ACC_LONG[q]
        for stat in DOP_STATISTICS:
            if stat == "p95" and q not in ACCURACY_P95:
                continue
            outputs = {"netcdf"}
            if (q, stat) == ("hacc95", "p95"):
                outputs = {"netcdf", "geotiff", "panel", "map", "report"}
            elif (q, stat) == ("vacc95", "p95"):
                outputs = {"netcdf", "geotiff", "panel"}
            elif (q, stat) == ("hacc95", "mean"):
                outputs = {"netcdf", "geotiff", "panel"}
            yield Variable(
                f"{q}_{stat}", f"{long}, {_DOP_STAT_LONG[stat]} over time", units,
                "accuracy" if units == "m" else "dop", outputs=frozenset(outputs),
                cell_methods={"mean": "time: mean", "max": "time: maximum"}.get(stat),
                comment=ACCURACY_RULE, valid_min=0.0,
                denied_fill=np.nan if stat == "mean" else np.inf,
                trial_reduce="mean" if stat == "mean" else "max",
                summary=_ACC_SUMMARY.get(f"{q}_{stat}"))


def _entries() -> Iterator[Variable]:
    yield Variable("availability", "fraction of epochs with a solution and PDOP <= {pdop_max:g}",
                   "1", "fraction", outputs=frozenset({"netcdf", "geotiff", "panel", "map", "report"}),
                   valid_min=0.0, valid_max=1.0, denied_fill=0.0,
                   summary=AreaSummary(40, "mean", "PDOP ≤ {pdop_max:g} availability, %",
                                       "share of the epochs with a solution and PDOP ≤ "
                                       "{pdop_max:g}, mean over the area with cos(latitude) "
                                       "weights", percent=True))
    yield Variable("data_gap_fraction",
                   "fraction of epochs without an ephemeris for a system of the configuration",
                   "1", "fraction", valid_min=0.0, valid_max=1.0, trial_reduce="max",
                   comment="data gaps (no usable satellite of a system has a valid broadcast "
                           "ephemeris) are left out of every other statistic: a gap in the "
                           "data is not a loss of service (gnss_interop.coverage.gaps)")
    for q, what in (("availability", "PDOP availability"),
                    ("accuracy_availability", "accuracy availability")):
        yield Variable(f"{q}_daily", f"{what} of each GPST day", "1", "fraction",
                       valid_min=0.0, valid_max=1.0,
                       comment="NaN on a day that is a data gap for the configuration "
                               "(gnss_interop.coverage.days)")
        yield Variable(f"{q}_day_min", f"lowest daily {what} over the span", "1", "fraction",
                       outputs=frozenset({"netcdf", "geotiff", "map"}),
                       valid_min=0.0, valid_max=1.0, trial_reduce="min")
        yield Variable(f"{q}_day_max", f"highest daily {what} over the span", "1",
                       "fraction", valid_min=0.0, valid_max=1.0, trial_reduce="max")
        yield Variable(f"{q}_day_spread", f"spread (max - min) of the daily {what}", "1",
                       "spread", outputs=frozenset({"netcdf", "geotiff", "map"}),
                       comment="how much one day's map can differ from another's at this "
                               "point (ground tracks repeat every 7-8 sidereal days)")
    yield Variable("solution_fraction", "fraction of epochs with a position solution", "1",
                   "fraction", comment="solution: visible satellites >= unknowns and non-singular "
                                       "geometry", denied_fill=0.0)
    yield from _dop_variables()
    yield from _accuracy_variables()
    yield Variable("accuracy_availability",
                   "fraction of epochs with a solution and {accuracy_limit}", "1", "fraction",
                   outputs=frozenset({"netcdf", "geotiff", "panel", "map", "report"}),
                   comment="predicted 95 % errors of the weighted solution (see hacc95_p95)",
                   valid_min=0.0, valid_max=1.0, denied_fill=0.0, trial_reduce="min",
                   summary=AreaSummary(30, "mean", "Accuracy availability, % ({accuracy_limit})",
                                       "share of the epochs with a solution whose predicted 95 % "
                                       "errors are within the limit ({accuracy_limit}), mean "
                                       "over the area with cos(latitude) weights", percent=True))
    yield Variable("nsat_mean", "mean number of visible satellites", "1", "nsat",
                   outputs=frozenset({"netcdf", "geotiff", "panel", "report"}),
                   cell_methods="time: mean",
                   comment="satellites without a valid ephemeris at an epoch count as not visible",
                   denied_fill=0.0,
                   summary=AreaSummary(50, "mean", "Visible satellites (mean over time and area)",
                                       "satellites above the elevation mask that the receiver "
                                       "profile tracks, mean over the epochs, then over the "
                                       "area with cos(latitude) weights", fmt="{:.1f}"))
    yield Variable("nsat_min", "minimum number of visible satellites", "1", "nsat",
                   cell_methods="time: minimum", valid_min=0, denied_fill=0.0, trial_reduce="min")
    yield Variable("nsat_max", "maximum number of visible satellites", "1", "nsat",
                   cell_methods="time: maximum", valid_min=0, denied_fill=0.0, trial_reduce="max")
    # --- scenario layers
    for system in System:
        yield Variable(backup_name(system),
                       f"availability still provided where {system.display_name} is denied "
                       "(configuration {config})", "1", "fraction", per_config=False,
                       outputs=frozenset({"netcdf", "geotiff", "map", "report"}),
                       comment=f"NaN outside the region where {system.display_name} is denied",
                       valid_min=0.0, valid_max=1.0,
                       extra={"nodata_label": f"outside the {system.display_name} denial region"})
    for system in System:
        yield Variable(backup_accuracy_name(system),
                       f"95th percentile over time of the 95 % horizontal error still achieved "
                       f"where {system.display_name} is denied (configuration {{config}})", "m",
                       "accuracy", per_config=False,
                       outputs=frozenset({"netcdf", "geotiff", "map", "report"}),
                       comment=f"NaN outside the region where {system.display_name} is denied; "
                               f"+inf where what is left never gives a solution",
                       valid_min=0.0,
                       extra={"nodata_label": f"outside the {system.display_name} denial region"})
    derived = frozenset({"netcdf", "geotiff", "map", "report"})
    yield Variable("combination_gain_hacc95",
                   "p95 horizontal 95 % error of the best single system minus that of {config} "
                   "(> 0: the combination is better)", "m", "gain_m", per_config=False,
                   outputs=derived,
                   comment="NaN where {config} or both single systems have no finite p95")
    yield Variable("interop_gain_hacc95",
                   "p95 horizontal 95 % error of {twin} minus that of {config} (> 0: better)",
                   "m", "gain_m", per_config=False, outputs=derived,
                   comment="NaN where either has no finite p95")
    yield Variable("combination_gain_availability",
                   "availability of {config} minus the best single system", "1", "gain",
                   per_config=False, outputs=derived)
    yield Variable("combination_gain_pdop",
                   "mean PDOP of the best single system minus mean PDOP of {config} (> 0: better)",
                   "1", "gain", per_config=False, outputs=derived,
                   comment="NaN where {config} or both single systems never have a solution")
    yield Variable("interop_gain_availability",
                   "availability gained by applying the broadcast inter-system time offsets "
                   "({config} minus {twin})", "1", "gain", per_config=False, outputs=derived)
    yield Variable("interop_gain_pdop",
                   "mean PDOP of {twin} minus mean PDOP of {config} (> 0: better)", "1", "gain",
                   per_config=False, outputs=derived,
                   comment="NaN where either never has a solution")
    yield Variable("availability_worst", "worst availability over the random-outage trials",
                   "1", "fraction", outputs=frozenset({"netcdf", "geotiff", "map", "report"}),
                   valid_min=0.0, valid_max=1.0, denied_fill=0.0, trial_reduce="min")
    # --- per-epoch values (keep_time grids, sites)
    yield Variable("nsat", "number of visible satellites", "1", "nsat", denied_fill=0.0)
    for dop in DOP_NAMES:
        yield Variable(dop, _DOP_LONG[dop], "1", "dop", comment="+inf where there is no solution",
                       denied_fill=np.inf)
    for q in ACCURACY_NAMES:
        long, units = _ACC_LONG[q]
        yield Variable(q, long, units, "accuracy" if units == "m" else "dop",
                       comment="+inf where there is no solution; " + ACCURACY_RULE,
                       denied_fill=np.inf)


_CATALOGUE: dict[str, Variable] = {v.name: v for v in _entries()}


def catalogue() -> dict[str, Variable]:
    """Every output variable by name (a copy)."""
    return dict(_CATALOGUE)


def lookup(name: str) -> Variable | None:
    """The catalogue entry of ``name``, or ``None`` for a variable the pipeline does not make."""
    return _CATALOGUE.get(name)


def require(name: str, what: str) -> Variable:
    """The catalogue entry of ``name``; a ValueError saying ``what`` is unknown otherwise."""
    entry = _CATALOGUE.get(name)
    if entry is None:
        raise ValueError(f"layer {name!r} is not in the variable catalogue "
                         f"(gnss_interop.variables): {what} is unknown")
    return entry


def summary_variables() -> tuple[Variable, ...]:
    """The variables of the area-weighted summary tables, in column order (``summary.rank``)."""
    return tuple(sorted((v for v in _CATALOGUE.values() if v.summary is not None),
                        key=lambda v: v.summary.rank))  # type: ignore[union-attr]


def variables_with(output: str) -> tuple[Variable, ...]:
    """The variables an output carries (``"geotiff"``, ``"panel"``, ``"map"``, ...), in
    catalogue order."""
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; one of {sorted(OUTPUTS)}")
    return tuple(v for v in _CATALOGUE.values() if output in v.outputs)
