"""Tiles on a two-worker dask.distributed LocalCluster give the single-process result."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from _synthetic import synthetic_positions
from gnss_interop.coverage.configs import standard_configurations
from gnss_interop.coverage import compute_grid
from gnss_interop.errors import CoverageError
from gnss_interop.coverage.grid import GridSpec

distributed = pytest.importorskip("distributed")

CONFIGS = standard_configurations(interop_offset_available=True)
POS = synthetic_positions(40, 90.0)
GRID = GridSpec.from_bbox(-180, -60, 170, 60, 10.0)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as c:
        yield c


def test_cluster_matches_single_process(cluster):
    local = compute_grid(POS, GRID, configs=CONFIGS, time_chunk=15, threads=1)
    done = []
    remote = compute_grid(POS, GRID, configs=CONFIGS, time_chunk=15,
                          scheduler=cluster.scheduler_address,
                          progress=lambda i, n: done.append((i, n)))
    assert done and done[-1][0] == done[-1][1]
    for name in local.data_vars:
        xr.testing.assert_identical(local[name], remote[name])


def test_cluster_failure_names_the_tile(cluster):
    pos = POS.copy()
    pos.values[20, 4, 1] = np.inf  # epoch 20 = 00:30:00, in the second time chunk
    with pytest.raises(CoverageError, match=r"tile lat \[.*\] deg, time \[2023-03-12T00:22:30, "
                                            r"2023-03-12T00:43:30\] GPST failed: ValueError"):
        compute_grid(pos, GRID, configs=CONFIGS, time_chunk=15,
                     scheduler=cluster.scheduler_address, retries=1)


def test_workers_starts_its_own_cluster():
    local = compute_grid(POS, GRID, configs=CONFIGS[:2], threads=2)
    remote = compute_grid(POS, GRID, configs=CONFIGS[:2], workers=2)
    for name in local.data_vars:
        xr.testing.assert_identical(local[name], remote[name])


def test_failed_tile_is_retried(monkeypatch):
    """A transient failure of one tile is retried (distributed ``retries=``); without
    retries the job fails with an error naming the tile and the cause."""
    import gnss_interop.coverage.engine as cov

    original = cov._prepare_chunk
    calls = {"n": 0}

    def flaky(chunk, st):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("transient worker hiccup")
        return original(chunk, st)

    monkeypatch.setattr(cov, "_prepare_chunk", flaky)
    grid = GridSpec.from_bbox(-180, -60, 150, 60, 30.0)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as c:
        calls["n"] = 1  # no failure for the local reference run
        expected = compute_grid(POS, grid, configs=CONFIGS, threads=1)
        calls["n"] = 0
        got = compute_grid(POS, grid, configs=CONFIGS, scheduler=c.scheduler_address, retries=1)
        assert calls["n"] > 1
        for name in expected.data_vars:
            xr.testing.assert_identical(expected[name], got[name])
        calls["n"] = 0
        with pytest.raises(CoverageError, match=r"tile lat \[-60, .*\] deg.*transient worker"):
            compute_grid(POS, grid, configs=CONFIGS, scheduler=c.scheduler_address, retries=0)
