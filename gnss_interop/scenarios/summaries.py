"""Area-weighted summaries of a scenario: the headline table in metres, and the long table
(global, each region, each latitude band).

Both tables take their quantities from the variable catalogue
(:func:`gnss_interop.variables.summary_variables`): each layer there says how it is
reduced over an area (cos-latitude weighted mean or median), its column name with its
unit (``hacc95_p95_median_m``, ``accuracy_availability_pct``, ...), its human header and
its definition. One function computes them (:func:`area_statistics`); the report's
headline table, ``headline.csv``/``.md`` and ``summary.csv``/``.md`` of the main job all
go through it.

Example (a notebook)
--------------------
>>> from gnss_interop.scenarios import load_scenario_file, run_scenarios      # doctest: +SKIP
>>> spec, base = load_scenario_file("almanacs/default_scenarios.toml")       # doctest: +SKIP
>>> table = headline_table(run_scenarios(spec, base))                       # doctest: +SKIP
>>> table.rows[0]["hacc95_p95_median_m"]            # metres          # doctest: +SKIP
1.47
>>> table.display_rows()[0]                          # human headers    # doctest: +SKIP
>>> from gnss_interop.output.tables import write_table_markdown
>>> write_table_markdown(table.display_rows(), "headline.md", caption=table.caption,
...                      notes=table.notes(), align_right=table.numeric_headers)  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import xarray as xr

from gnss_interop.coverage.configs import ClockModel, Configuration
from gnss_interop.scenarios.regions import Region
from gnss_interop.variables import Variable, summary_variables

__all__ = [
    "GLOBAL_AREA",
    "HeadlineColumn",
    "HeadlineTable",
    "LATITUDE_BANDS",
    "area_statistics",
    "headline_rows",
    "headline_table",
    "summarise",
    "weighted_median",
]

#: Latitude bands of the summary tables [deg].
LATITUDE_BANDS = ((-90, -60), (-60, -30), (-30, 0), (0, 30), (30, 60), (60, 90))
#: Label of the whole grid in the ``area`` column.
GLOBAL_AREA = "global"
#: Columns that name a row (scenario, area, configuration), before the quantities.
_KEY_COLUMNS = (
    ("scenario", "Scenario", "the scenario (its title; the name in headline.csv)"),
    ("area", "Area", 'the whole grid ("global") or a region where the scenario degrades '
                     'reception, by a denial or a raised elevation mask ("inside: <region>")'),
    ("config", "Configuration", ""),
)


# ----------------------------------------------------------------------------- reductions

def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """cos-latitude weighted mean of the finite values (NaN if there is none)."""
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return math.nan
    return float(np.sum(values[ok] * weights[ok]) / np.sum(weights[ok]))


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted (lower) median: the smallest value whose cumulative weight, values sorted
    ascending, reaches half of the total weight.

    NaN values and points of zero weight are left out; +inf counts as a value (larger
    than every finite one), so the median is +inf when at least half of the weight sits
    on +inf. NaN if nothing is left.

    Parameters
    ----------
    values, weights : numpy.ndarray
        Same shape; weights ≥ 0 (e.g. cos(latitude), dimensionless). Values in any unit
        (the result has the unit of ``values``).
    """
    v = np.asarray(values, dtype=float).ravel()
    w = np.broadcast_to(np.asarray(weights, dtype=float), np.shape(values)).ravel()
    ok = ~np.isnan(v) & (w > 0)
    if not ok.any():
        return math.nan
    v, w = v[ok], w[ok]
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cum, 0.5 * cum[-1])])


def _reduce(var: Variable, values: np.ndarray, weights: np.ndarray) -> float:
    assert var.summary is not None
    if var.summary.reduce == "median":
        out = weighted_median(values, weights)
    else:
        out = _weighted_mean(values, weights)
    return 100.0 * out if var.summary.percent else out


# ----------------------------------------------------------------------------- areas

def _weights(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, cos-latitude weights), each (lat, lon) [deg, deg, 1]."""
    lat2, lon2 = np.meshgrid(ds["lat"].values, ds["lon"].values, indexing="ij")
    return lat2, lon2, np.clip(np.cos(np.radians(lat2)), 0.0, None)


def _areas(ds: xr.Dataset, regions: Sequence[tuple[str, Region]], *, bands: bool
           ) -> list[tuple[str, np.ndarray]]:
    """(label, (lat, lon) weights) of the global area, each region and, with ``bands``, each
    latitude band; areas of zero weight are left out."""
    lat2, lon2, w = _weights(ds)
    areas: list[tuple[str, np.ndarray]] = [(GLOBAL_AREA, w)]
    areas += [(f"inside: {label}", np.where(reg.contains(lat2, lon2), w, 0.0))
              for label, reg in regions]
    if bands:
        # half-open bands [lo, hi), the last one closed, so node rows at ±30°, ±60° count once
        top = LATITUDE_BANDS[-1][1]
        areas += [(f"lat {lo:+d}..{hi:+d}",
                   np.where((lat2 >= lo) & ((lat2 < hi) | (hi == top)), w, 0.0))
                  for lo, hi in LATITUDE_BANDS]
    return [(label, ww) for label, ww in areas if ww.sum() > 0]


def area_statistics(ds: xr.Dataset, areas: Sequence[tuple[str, np.ndarray]], scenario: str,
                    variables: Sequence[Variable] | None = None) -> list[dict[str, Any]]:
    """The summary quantities of ``ds`` per area and configuration, unrounded.

    Parameters
    ----------
    ds : xarray.Dataset
        Dims (config, lat, lon), e.g. a scenario's dataset.
    areas : sequence of (label, weights)
        Weights over (lat, lon): cos(latitude) inside the area, 0 outside.
    scenario : str
        Written into the ``scenario`` column.
    variables : sequence of Variable, optional
        Catalogue entries with a ``summary`` (default: :func:`summary_variables`); those not
        in ``ds`` are left out.

    Returns
    -------
    list of dict
        One row per (area, configuration): ``scenario``, ``area``, ``config`` and, per
        variable, its :attr:`~gnss_interop.variables.Variable.summary_key` (per cent, metres
        or a count, as the key says).
    """
    wanted = [v for v in (variables or summary_variables()) if v.name in ds]
    stacked = {v.name: np.asarray(ds[v.name].transpose("config", "lat", "lon").values, dtype=float)
               for v in wanted}
    rows = []
    for area, ww in areas:
        for i, cfg in enumerate(ds["config"].values):
            row: dict[str, Any] = {"scenario": scenario, "area": area, "config": str(cfg)}
            for v in wanted:
                row[v.summary_key] = _reduce(v, stacked[v.name][i], ww)
            rows.append(row)
    return rows


def headline_rows(ds: xr.Dataset, regions: Sequence[tuple[str, Region]], scenario: str
                  ) -> list[dict[str, Any]]:
    """The headline rows of one scenario: global, then inside each of its regions, each with
    one row per configuration (:func:`area_statistics`)."""
    return area_statistics(ds, _areas(ds, regions, bands=False), scenario)


def summarise(ds: xr.Dataset, regions: Sequence[tuple[str, Region]], scenario: str
              ) -> list[dict[str, Any]]:
    """Area-weighted (cos latitude) summaries: global, each region, each latitude band.

    Per configuration: the headline quantities (:func:`area_statistics`; when the accuracy
    layers were computed, ``hacc95_p95_median_m`` and ``vacc95_p95_median_m`` [m] and
    ``accuracy_availability_pct`` [%]; ``availability_pct`` [%] and ``nsat_mean``), then
    the area fraction with availability ≥ 99 % [%], the mean PDOP over cells with a
    solution and the share of area that has one [%]. Rounded for the tables (0.001).
    """
    areas = _areas(ds, regions, bands=True)
    stats = iter(area_statistics(ds, areas, scenario))
    avail = ds["availability"].transpose("config", "lat", "lon").values
    pdop = ds["pdop_mean"].transpose("config", "lat", "lon").values
    rows = []
    for _, ww in areas:
        for i in range(ds.sizes["config"]):
            row = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in next(stats).items()}
            row.update({
                "area_with_99pct_availability_pct":
                    round(100 * _weighted_mean((avail[i] >= 0.99).astype(float), ww), 2),
                "pdop_mean": round(_weighted_mean(pdop[i], ww), 3),
                "area_with_solution_pct":
                    round(100 * _weighted_mean(np.isfinite(pdop[i]).astype(float), ww), 2),
            })
            rows.append(row)
    return rows


# ----------------------------------------------------------------------------- headline table

class _ScenarioLike(Protocol):
    name: str
    title: str
    dataset: xr.Dataset
    regions: list[tuple[str, Region]]


@dataclass(frozen=True)
class HeadlineColumn:
    """A column of the headline table: CSV name (unit last), human header, definition and
    the format of its numbers (``None``: a text column)."""

    key: str
    header: str
    definition: str
    fmt: str | None = None


def _limit_text(text: str) -> str:
    return text.replace("<=", "≤").replace(">=", "≥")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _config_text(name: str) -> str:
    """``C+R: BeiDou + GLONASS, one receiver clock per system`` and the like."""
    try:
        cfg = Configuration.parse(name)
    except ValueError:
        return name
    if len(cfg.systems) == 1:
        return cfg.title
    systems = " + ".join(s.display_name for s in cfg.systems)
    if cfg.clock is ClockModel.PER_SYSTEM:
        return f"{cfg.name}: {systems}, one receiver clock per system"
    return f"{cfg.name}: {systems}, one receiver clock (broadcast inter-system time offset applied)"


def _number(value: Any, fmt: str) -> str:
    v = float(value)
    if math.isnan(v):
        return "–"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return fmt.format(v)


@dataclass
class HeadlineTable:
    """Scenarios compared in metres: one row per scenario × area × configuration.

    ``rows`` hold the CSV keys of ``columns`` with unrounded values (per cent, metres or a
    count, as the key says); :meth:`display_rows` gives them under the human headers,
    formatted. ``titles`` maps scenario names to titles; ``configurations`` lists the
    configurations in table order.
    """

    rows: list[dict[str, Any]]
    columns: tuple[HeadlineColumn, ...]
    receiver_profile: str
    receiver_description: str
    accuracy_limit: str
    pdop_max: float | None
    titles: dict[str, str] = field(default_factory=dict)
    configurations: tuple[str, ...] = ()

    @property
    def caption(self) -> str:
        """One line naming the receiver profile and the limits."""
        limit = _limit_text(self.accuracy_limit) or "none"
        pdop = f", PDOP ≤ {self.pdop_max:g}" if self.pdop_max is not None else ""
        return (f"Scenarios compared in metres: receiver profile {self.receiver_profile}, "
                f"accuracy limit {limit}{pdop}")

    def preamble(self) -> list[tuple[str, str]]:
        """(label, text) stated above the table: the receiver profile and the limits."""
        profile, description = self.receiver_profile, self.receiver_description
        if description and not description.startswith(f"{profile}:"):
            description = f"{profile}: {description}" if profile else description
        out = [("Receiver profile", description or profile or "not recorded")]
        out.append(("Accuracy limit",
                    f"{_limit_text(self.accuracy_limit)} (predicted 95 % horizontal and "
                    f"vertical errors at one epoch)" if self.accuracy_limit else "not recorded"))
        if self.pdop_max is not None:
            out.append(("PDOP availability", f"an epoch with a solution and PDOP ≤ "
                                             f"{self.pdop_max:g}"))
        return out

    def definitions(self) -> list[tuple[str, str]]:
        """(header, definition) of every column, as written under the table."""
        configs = "; ".join(_config_text(c) for c in self.configurations)
        return [(c.header, (configs + "." if c.key == "config" and configs else c.definition))
                for c in self.columns if c.definition or c.key == "config"]

    @property
    def numeric_headers(self) -> tuple[str, ...]:
        """Headers of the columns holding numbers (right-aligned)."""
        return tuple(c.header for c in self.columns if c.fmt is not None)

    def display_rows(self) -> list[dict[str, str]]:
        """Rows under the human headers, numbers formatted (``∞``: +inf, ``–``: NaN); the
        scenario title and the area are shown on the first row of their group only."""
        out = []
        last_scenario = last_area = None
        for row in self.rows:
            shown: dict[str, str] = {}
            for c in self.columns:
                value = row.get(c.key)
                if c.key == "scenario":
                    text = "" if value == last_scenario else self.titles.get(value, str(value))
                elif c.key == "area":
                    same = value == last_area and row["scenario"] == last_scenario
                    text = "" if same else str(value)
                elif c.fmt is not None and value is not None:
                    text = _number(value, c.fmt)
                else:
                    text = "" if value is None else str(value)
                shown[c.header] = text
            last_scenario, last_area = row["scenario"], row["area"]
            out.append(shown)
        return out

    def csv_rows(self) -> list[dict[str, Any]]:
        """Rows of ``headline.csv``: the CSV keys (scenario names, unrounded values), and the
        receiver profile and accuracy limit in every row (a CSV has no caption)."""
        return [{**row, "receiver_profile": self.receiver_profile,
                 "accuracy_limit": self.accuracy_limit} for row in self.rows]

    def notes(self) -> list[str]:
        """Lines stated below the table in Markdown: the receiver profile and the limits,
        then every column's definition."""
        return [f"{label}: {text}" for label, text in (*self.preamble(), *self.definitions())]

    def report_section(self) -> dict[str, Any]:
        """The headline section of :func:`gnss_interop.output.report.write_report`."""
        return {"title": "Headline: scenarios compared in metres",
                "preamble": self.preamble(), "caption": self.caption,
                "rows": self.display_rows(), "numeric": self.numeric_headers,
                "definitions": self.definitions()}


def headline_table(scenarios: Iterable[_ScenarioLike]) -> HeadlineTable:
    """The headline table of scenario results (e.g. :func:`~gnss_interop.scenarios.run_scenarios`).

    For each scenario, globally and inside each region where it degrades reception, and
    for each configuration: the area-weighted median H95 and V95 (95th percentile over
    time) [m], the accuracy availability at the datasets' limit [%], the PDOP availability
    [%] and the mean number of visible satellites (the catalogue's
    :func:`~gnss_interop.variables.summary_variables`; a quantity no dataset has is left
    out).

    Parameters
    ----------
    scenarios : iterable
        Objects with ``name``, ``title``, ``dataset`` (dims config, lat, lon) and
        ``regions`` (``[(label, Region), ...]``), such as
        :class:`~gnss_interop.scenarios.ScenarioResult`.

    Raises
    ------
    ValueError
        If there is no scenario, or the datasets were computed with different receiver
        profiles, accuracy limits or PDOP thresholds (one table states one of each).
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("headline_table needs at least one scenario")
    stated = ("receiver_profile", "accuracy_limit", "pdop_max")
    mixed = [k for k in stated if len({str(sc.dataset.attrs.get(k, "")) for sc in scenarios}) > 1]
    if mixed:
        raise ValueError(f"the scenarios differ in {', '.join(mixed)}: one headline table "
                         f"states one receiver profile, accuracy limit and PDOP threshold")
    rows: list[dict[str, Any]] = []
    configs: list[str] = []
    present: set[str] = set()
    for sc in scenarios:
        rows += headline_rows(sc.dataset, sc.regions, sc.name)
        configs += [str(c) for c in sc.dataset["config"].values if str(c) not in configs]
        present |= {str(v) for v in sc.dataset.data_vars}
    attrs = scenarios[0].dataset.attrs
    pdop_max = float(attrs["pdop_max"]) if attrs.get("pdop_max") not in (None, "") else None
    limit = str(attrs.get("accuracy_limit", ""))
    fmt = {"accuracy_limit": _limit_text(limit) or "no limit recorded",
           "pdop_max": pdop_max if pdop_max is not None else math.nan}
    columns = [HeadlineColumn(key, header, _sentence(text) if text else "")
               for key, header, text in _KEY_COLUMNS]
    for v in summary_variables():
        if v.name in present and v.summary is not None:
            columns.append(HeadlineColumn(v.summary_key, v.summary.header.format(**fmt),
                                          _sentence(v.summary.definition.format(**fmt)),
                                          v.summary.fmt))
    return HeadlineTable(rows, tuple(columns), str(attrs.get("receiver_profile", "")),
                         str(attrs.get("receiver_description", "")), limit, pdop_max,
                         {sc.name: str(getattr(sc, "title", "") or sc.name) for sc in scenarios},
                         tuple(configs))
