"""Shared fixtures: the real data in ../shared/data (never copied into the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
EPH = SHARED / "ephemerides"
BRD4 = EPH / "BRD400DLR_S_20230710000_01D_MN.rnx.gz"
SEPT = EPH / "SEPT1890.23P"
BRDC_GLO = EPH / "brdc0730.23g"
VILL = EPH / "VILL00ESP_R_20181700000_01D_MN.rnx.gz"
SP3 = SHARED / "precise" / "COD0MGXFIN_20231890000_01D_05M_ORB.SP3"


def pytest_configure(config):
    if not SHARED.is_dir():
        raise pytest.UsageError(
            f"real test data not found at {SHARED}: clone the project next to 'shared/' "
            "(see README, 'Tests')")


@pytest.fixture(scope="session")
def brd4_eph():
    from gnss_interop import load_ephemerides

    return load_ephemerides(BRD4)


@pytest.fixture(scope="session")
def sept_eph():
    from gnss_interop import load_ephemerides

    return load_ephemerides(SEPT)
