"""Derived layers of a scenario: what the backup is worth, what combining and one clock add.

Names, long names and units come from the catalogue (:mod:`gnss_interop.variables`):

* ``backup_availability_<X>``: where system X is denied, the availability the other
  systems still give: the per-system-clock configuration with the most systems that
  does not use X (R for a BeiDou denial in the default run); NaN outside X's denial;
* ``combination_gain_availability`` = A(M) − max over M's systems of A(system alone), and
  ``combination_gain_pdop`` = min PDOP(system alone) − PDOP(M) (mean PDOP; > 0 is
  better), for the *headline combination* M: the first multi-system configuration with
  one clock per system whose systems each have a single-system configuration (C+R);
* ``interop_gain_availability`` = A(M/interop) − A(M) and ``interop_gain_pdop``: what the
  broadcast inter-system time offset adds (one receiver clock instead of one per system),
  for M the headline combination, or else the first two-clock configuration whose
  one-clock twin is configured;
* in metres, when the accuracy layers were computed: ``backup_hacc95_<X>`` (the p95 over
  time of the 95 % horizontal error the other systems still give inside X's denial),
  ``combination_gain_hacc95`` = min over M's systems of H95(system alone) − H95(M) and
  ``interop_gain_hacc95`` = H95(M) − H95(M/interop) (p95 over time; > 0 is better; NaN
  where either side has no finite value).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from gnss_interop.coverage.configs import ClockModel, Configuration
from gnss_interop.systems import System
from gnss_interop.variables import backup_accuracy_name, backup_name, lookup

__all__ = ["add_derived_layers", "headline_combination"]


def headline_combination(configs: list[Configuration]) -> Configuration | None:
    """The combination the derived layers and panels compare with its systems alone."""
    for cfg in configs:
        if (len(cfg.systems) > 1 and cfg.clock is ClockModel.PER_SYSTEM
                and all(Configuration((s,)) in configs for s in cfg.systems)):
            return cfg
    return None


def _layer(ds: xr.Dataset, name: str, values: xr.DataArray, **fmt) -> None:
    """Store a derived layer with the catalogue's attributes only (none inherited from the
    arithmetic: a gain is not bounded to [0, 1], a PDOP difference is no time mean)."""
    gm = {"grid_mapping": "crs"} if "crs" in ds else {}
    layer = values.drop_vars("config", errors="ignore")
    layer.attrs = {**lookup(name).attrs(dtype=layer.dtype, **fmt), **gm}
    ds[name] = layer


def add_derived_layers(ds: xr.Dataset, denied: dict[System, np.ndarray]) -> None:
    """Add the derived layers to a composed scenario Dataset (dims config, lat, lon), in place.

    ``denied`` maps each denied system to its (lat, lon) denial mask.
    """
    names = [str(c) for c in ds.config.values]
    configs = [Configuration.parse(n) for n in names]
    avail = ds["availability"]
    pdop = ds["pdop_mean"]
    h95 = ds["hacc95_p95"] if "hacc95_p95" in ds else None
    for system, mask in denied.items():
        others = [c for c in configs if c.clock is ClockModel.PER_SYSTEM or len(c.systems) == 1]
        others = [c for c in others if system not in c.systems]
        if not others or not mask.any():
            continue
        best = max(others, key=lambda c: len(c.systems))   # all other systems together
        _layer(ds, backup_name(system), avail.sel(config=best.name).where(mask), config=best.name)
        if h95 is not None:
            _layer(ds, backup_accuracy_name(system), h95.sel(config=best.name).where(mask),
                   config=best.name)
    m = headline_combination(configs)
    if m is not None:
        singles = [Configuration((s,)).name for s in m.systems]
        best_single = avail.sel(config=singles[0])
        best_pdop = pdop.sel(config=singles[0])
        for name in singles[1:]:
            best_single = np.maximum(best_single, avail.sel(config=name))
            best_pdop = np.fmin(best_pdop, pdop.sel(config=name))
        _layer(ds, "combination_gain_availability", avail.sel(config=m.name) - best_single,
               config=m.name)
        _layer(ds, "combination_gain_pdop", best_pdop - pdop.sel(config=m.name), config=m.name)
        if h95 is not None:
            best_h = h95.sel(config=singles[0])
            for name in singles[1:]:
                best_h = np.fmin(best_h, h95.sel(config=name))
            _layer(ds, "combination_gain_hacc95", _finite_difference(best_h, h95.sel(config=m.name)),
                   config=m.name)
    # the interop gain needs only a two-clock combination and its one-clock twin
    pairs = [(c, Configuration(c.systems, ClockModel.SINGLE)) for c in configs
             if len(c.systems) > 1 and c.clock is ClockModel.PER_SYSTEM]
    pairs = [(c, twin) for c, twin in pairs if twin in configs]
    if pairs:
        c, twin = next(((c, t) for c, t in pairs if c == m), pairs[0])
        _layer(ds, "interop_gain_availability",
               avail.sel(config=twin.name) - avail.sel(config=c.name), config=twin.name,
               twin=c.name)
        _layer(ds, "interop_gain_pdop", pdop.sel(config=c.name) - pdop.sel(config=twin.name),
               config=twin.name, twin=c.name)
        if h95 is not None:
            _layer(ds, "interop_gain_hacc95",
                   _finite_difference(h95.sel(config=c.name), h95.sel(config=twin.name)),
                   config=twin.name, twin=c.name)


def _finite_difference(a: xr.DataArray, b: xr.DataArray) -> xr.DataArray:
    """a − b where both are finite, NaN elsewhere (an infinite p95 has no metres to compare)."""
    both = np.isfinite(a) & np.isfinite(b)
    return (a - b).where(both)
