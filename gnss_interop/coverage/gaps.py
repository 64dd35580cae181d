"""Data gaps: epochs at which a system has no ephemeris at all, told apart from outages.

A broadcast file that does not cover an epoch says nothing about the service there: a
daily merged file starts GLONASS at 00:15, so 00:00 has no GLONASS ephemeris although
every satellite was transmitting. Counting such an epoch as "no solution" would report a
loss of service that did not happen. So an epoch is a **data gap** for a system when none
of the satellites the receiver profile can use has an ephemeris valid at it (outside every
validity window: :meth:`Ephemerides.positions` marks these in its ``ephemeris_gap``
coordinate; a satellite flagged unhealthy, or removed by an outage scenario, is *not* a
gap: that is the service), and a data gap for a configuration when it is one for any of
the configuration's systems (its solution would silently lose that system).

Grid and site statistics leave a configuration's gap epochs out (means, percentiles and
availability are over the other epochs) and report ``data_gap_fraction``. A single
satellite without an ephemeris while its system's others have one is not a gap here: the
position warning of :meth:`Ephemerides.positions` names it and it counts as not visible.
Positions without the ``ephemeris_gap`` coordinate (built by hand) have no known gaps.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from gnss_interop.coverage.configs import Configuration
from gnss_interop.systems import System

__all__ = ["GAP_COORD", "configuration_gaps", "system_gaps"]

#: Name of the (time, sv) boolean coordinate of positions: True where no ephemeris is valid.
GAP_COORD = "ephemeris_gap"


def system_gaps(positions: xr.DataArray, systems: Sequence[System],
                usable: NDArray[np.bool_] | None = None) -> NDArray[np.bool_]:
    """(time, system) True where no usable satellite of the system has an ephemeris.

    A system without a usable satellite in ``positions`` has no gaps (it is absent, which
    the configurations report on their own)."""
    n_t = positions.sizes["time"]
    out = np.zeros((n_t, len(systems)), dtype=bool)
    if GAP_COORD not in positions.coords:
        return out
    gap = np.asarray(positions.coords[GAP_COORD].transpose("time", "sv").values, dtype=bool)
    svs = [str(s) for s in positions["sv"].values]
    use = np.ones(len(svs), bool) if usable is None else np.asarray(usable, bool)
    for k, system in enumerate(systems):
        cols = np.array([sv[:1] == system.letter for sv in svs]) & use
        if cols.any():
            out[:, k] = gap[:, cols].all(axis=1)
    return out


def configuration_gaps(sys_gaps: NDArray[np.bool_], systems: Sequence[System],
                       configs: Sequence[Configuration]) -> NDArray[np.uint8]:
    """(time, config) 1 where the epoch is a data gap for the configuration."""
    index = {s: k for k, s in enumerate(systems)}
    out = np.zeros((sys_gaps.shape[0], len(configs)), dtype=np.uint8)
    for c, cfg in enumerate(configs):
        cols = [index[s] for s in cfg.systems if s in index]
        if cols:
            out[:, c] = sys_gaps[:, cols].any(axis=1)
    return out
