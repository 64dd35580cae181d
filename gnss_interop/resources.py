"""Files gnss_interop ships as package data, located through :mod:`importlib.resources`.

* ``gnss_interop.almanacs`` (the top-level ``almanacs/`` folder of the source tree): the
  default scenario file, the nominal BDS-3 + GLONASS almanac, example scenarios;
* ``gnss_interop/_data/natural_earth``: the Natural Earth 1:110m layers the maps draw;
* ``gnss_interop/_data/metadata``: the IGS satellite metadata SINEX (satellite blocks).

Nothing is looked up relative to the source tree, so an installed wheel (not editable)
works the same as a checkout.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = [
    "ALMANAC_DIR",
    "DEFAULT_SCENARIO_FILE",
    "EXAMPLES_DIR",
    "NATURAL_EARTH_DIR",
    "SATELLITE_METADATA",
    "SHIPPED_ALMANACS",
]


def _path(package: str, *parts: str) -> Path:
    # wheels install as folders (not zips), so the Traversable is a real path
    return Path(str(files(package).joinpath(*parts)))


def _almanac_dir() -> Path:
    try:
        return _path("gnss_interop.almanacs")
    except ModuleNotFoundError:
        # a bare source checkout on sys.path (not installed): almanacs/ beside the package
        return Path(__file__).resolve().parents[1] / "almanacs"


#: The shipped almanacs and scenarios (``almanacs/`` in the source tree).
ALMANAC_DIR: Path = _almanac_dir()
#: The scenario file ``gnss-interop run`` uses when given none.
DEFAULT_SCENARIO_FILE: Path = ALMANAC_DIR / "default_scenarios.toml"
#: Example scenario files (each runs end to end in the tests).
EXAMPLES_DIR: Path = ALMANAC_DIR / "examples"
#: Almanacs the project ships, by the name a scenario file gives (``almanac = "nominal"``).
SHIPPED_ALMANACS: dict[str, Path] = {"nominal": ALMANAC_DIR / "nominal_bds3_glonass_20240101.rnx.gz"}
#: IGS satellite metadata SINEX (Steigenberger & Montenbruck, doi 10.57677/metadata-sinex),
#: release 2404: which satellite and block holds which PRN and slot on which date.
SATELLITE_METADATA: Path = _path("gnss_interop", "_data", "metadata", "igs_satellite_metadata.snx")
#: Folder, in cartopy's ``pre_existing_data_dir`` layout, of the shipped Natural Earth layers.
NATURAL_EARTH_DIR: Path = _path("gnss_interop", "_data", "natural_earth")
