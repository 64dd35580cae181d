"""Composing a scenario from undegraded runs: why denials need no run of their own.

A system denied at a point contributes no satellite there. With one receiver clock per
system the engine then drops that system's clock unknown, so C+R (or C+R/interop) at a
point where BeiDou is denied *is* the R-only solution. So per point and output
configuration, :func:`compose` picks the result of the configuration made of the
systems that survive the denials there, from the run of the mask in force there. Where
every system of a configuration is denied, the catalogue's ``denied_fill`` applies (no
satellite: no solution). :func:`needed_configurations` lists the sub-configurations the
runs must hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import numpy as np
import xarray as xr

from gnss_interop.coverage.configs import Configuration
from gnss_interop.systems import System
from gnss_interop.variables import require

__all__ = ["compose", "denied_result", "needed_configurations"]


def needed_configurations(out_configs: Sequence[Configuration], deniable: Iterable[System]
                          ) -> list[Configuration]:
    """The output configurations plus every one left when deniable systems are removed."""
    deniable = set(deniable)
    out = list(out_configs)
    for cfg in out_configs:
        removable = [s for s in cfg.systems if s in deniable]
        for k in range(1, len(removable) + 1):
            for gone in combinations(removable, k):
                rest = tuple(s for s in cfg.systems if s not in gone)
                sub = Configuration(rest, cfg.clock) if rest else None
                if sub is not None and sub not in out:
                    out.append(sub)
    return out


def denied_result(template: xr.Dataset) -> xr.Dataset:
    """What a configuration gives where all its systems are denied (catalogue ``denied_fill``)."""
    out = {}
    for name, da in template.data_vars.items():
        if "config" not in da.dims:
            continue
        entry = require(str(name), "its value under denial")
        out[name] = xr.full_like(da.isel(config=0, drop=True), entry.denied_fill)
    return xr.Dataset(out)


def compose(runs: dict[float, xr.Dataset], base_mask: float, mask_value: np.ndarray,
             denied: dict[System, np.ndarray], out_configs: Sequence[Configuration]) -> xr.Dataset:
    """Per point, pick each output configuration's result among the runs and configurations."""
    base = runs.get(base_mask) or next(iter(runs.values()))   # template for dims and attrs
    shape = mask_value.shape
    result = {}
    names = [c.name for c in out_configs]
    for name, da in base.data_vars.items():
        if "config" in da.dims:
            result[name] = np.empty((len(out_configs),) + shape, dtype=da.dtype)
    none = denied_result(base)
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
