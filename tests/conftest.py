"""Shared fixtures: the real data in ../shared/data (never copied into the repository).

Tests that read the real data carry the ``real_data`` marker (tests using the
``brd4_eph``/``sept_eph`` fixtures get it automatically). Without the data folder they are
skipped with the reason; under CI (``CI`` set) a missing data folder is an error, so a
green CI always means the real-data tests ran. ``GNSS_INTEROP_TEST_DATA`` points the tests
at another copy of ``shared/data``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GNSS_INTEROP_TEST_DATA") or ROOT.parent / "shared" / "data")
EPH = SHARED / "ephemerides"
BRD4 = EPH / "BRD400DLR_S_20230710000_01D_MN.rnx.gz"
SEPT = EPH / "SEPT1890.23P"
BRDC_GLO = EPH / "brdc0730.23g"
VILL = EPH / "VILL00ESP_R_20181700000_01D_MN.rnx.gz"
SP3 = SHARED / "precise" / "COD0MGXFIN_20231890000_01D_05M_ORB.SP3"

HAVE_DATA = SHARED.is_dir()
#: Fixtures that read the real data: tests using them are real-data tests.
_DATA_FIXTURES = {"brd4_eph", "brd4_all", "sept_eph"}


def pytest_configure(config):
    if not HAVE_DATA and os.environ.get("CI"):
        raise pytest.UsageError(
            f"real test data not found at {SHARED} (CI must run the real-data tests): clone "
            "the project next to 'shared/' (see README, 'Tests')")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"real test data not found at {SHARED}: clone the project "
                                   "next to 'shared/' to run this test (README, 'Tests')")
    for item in items:
        if _DATA_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.real_data)
        if not HAVE_DATA and item.get_closest_marker("real_data"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def brd4_eph():
    """The RINEX 4 merged file as a default load: BeiDou and GLONASS."""
    from gnss_interop import load_ephemerides

    return load_ephemerides(BRD4)


@pytest.fixture(scope="session")
def brd4_all():
    """The RINEX 4 merged file with every registered system (BeiDou, GLONASS, GPS, Galileo)."""
    from gnss_interop import load_ephemerides

    return load_ephemerides(BRD4, systems=None)


@pytest.fixture(scope="session")
def sept_eph():
    """The receiver file of the SP3 day, every registered system (validation compares all)."""
    from gnss_interop import load_ephemerides

    return load_ephemerides(SEPT, systems=None)
