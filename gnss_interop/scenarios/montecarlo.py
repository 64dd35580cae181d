"""Random satellite outages: Monte Carlo over seeded draws, combined per the catalogue.

Each trial removes, on top of the fixed outages, N random satellites per system (seeded
``numpy.random.default_rng``). Trials combine layer by layer as the catalogue says
(:attr:`~gnss_interop.variables.Variable.trial_reduce`: mean, or min/max for extremes);
``availability_worst`` keeps the worst trial.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from gnss_interop.errors import GnssInputError
from gnss_interop.systems import System
from gnss_interop.variables import lookup, require

__all__ = ["mean_over_trials", "random_outages"]


def random_outages(svs: Sequence[str], counts: dict[System, int], trials: int, seed: int,
                    fixed: frozenset[str]) -> list[frozenset[str]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(trials):
        chosen = set(fixed)
        for system, n in counts.items():
            pool = [s for s in svs if s[0] == system.letter and s not in fixed]
            if n > len(pool):
                raise GnssInputError(f"outage of {n} random {system.display_name} satellites requested, "
                                     f"only {len(pool)} available")
            chosen |= set(rng.choice(pool, size=n, replace=False).tolist()) if n else set()
        out.append(frozenset(chosen))
    return out


def mean_over_trials(trials: list[xr.Dataset]) -> xr.Dataset:
    if len(trials) == 1:
        return trials[0]
    stack = xr.concat([t.drop_vars("crs", errors="ignore") for t in trials], dim="trial",
                      coords="minimal", compat="override", join="override")
    out = trials[0].copy()
    for name, da in stack.data_vars.items():
        if "trial" not in da.dims:
            continue
        how = require(str(name), "how its trials combine").trial_reduce
        if how == "min":
            out[name] = da.min("trial")
        elif how == "max":
            out[name] = da.max("trial")
        else:
            out[name] = da.mean("trial", skipna=True)
        out[name].attrs = dict(trials[0][name].attrs)
    worst = stack["availability"].min("trial")
    worst.attrs = {**lookup("availability_worst").attrs(dtype=worst.dtype),
                   **({"grid_mapping": "crs"} if "crs" in out else {})}
    out["availability_worst"] = worst
    out.attrs["outage_trials"] = len(trials)
    out["availability"].attrs["comment"] = f"mean over {len(trials)} random-outage trials"
    return out
