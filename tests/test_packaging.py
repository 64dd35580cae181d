"""Packaging: what a normal (not editable) install gets, tried from a built wheel.

The default scenario and the nominal almanac are package data (``almanacs/`` installs as
``gnss_interop.almanacs``). The slow test builds the wheel, installs it into a clean
virtual environment outside the source tree, and runs ``gnss-interop run`` with no
scenario argument from there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: Longest a wheel build may take before the test gives up [s] (it downloads setuptools).
BUILD_TIMEOUT_S = 600
#: Longest the one-scenario run from the installed wheel may take [s].
RUN_TIMEOUT_S = 900


def test_every_subpackage_is_listed():
    """``packages`` is an explicit list (almanacs/ is mapped in): it must name every subpackage."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "gnss_interop").rglob("__init__.py")}
    assert found - listed == set(), f"subpackages missing from pyproject.toml: {found - listed}"
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"gnss_interop.almanacs": "almanacs"}


def test_version_has_one_source():
    from gnss_interop import __version__
    from gnss_interop._version import __version__ as v

    assert PYPROJECT["project"]["dynamic"] == ["version"] and "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "gnss_interop._version.__version__"}
    assert __version__ == v
    # PEP 639 license expressions need setuptools 77 (earlier versions reject the string)
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]


def test_resources_live_in_the_package():
    import gnss_interop
    from gnss_interop import resources

    pkg = Path(gnss_interop.__file__).parent
    for path in (resources.DEFAULT_SCENARIO_FILE, resources.SHIPPED_ALMANACS["nominal"],
                 resources.NATURAL_EARTH_DIR, resources.SATELLITE_METADATA):
        assert path.exists(), path
    assert resources.NATURAL_EARTH_DIR.is_relative_to(pkg)
    examples = sorted(p.name for p in resources.EXAMPLES_DIR.iterdir() if p.suffix != ".py")
    assert "all_degradations.toml" in examples


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                          "-w", str(out), "-q"], capture_output=True, text=True,
                         timeout=BUILD_TIMEOUT_S)
    assert res.returncode == 0, res.stderr[-3000:]
    (whl,) = out.glob("gnss_interop-*.whl")
    return whl


@pytest.mark.slow
def test_wheel_carries_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("gnss_interop/almanacs/default_scenarios.toml",
                 "gnss_interop/almanacs/nominal_bds3_glonass_20240101.rnx.gz",
                 "gnss_interop/almanacs/examples/all_degradations.toml",
                 "gnss_interop/almanacs/examples/baltic_zone.geojson",
                 "gnss_interop/_data/natural_earth/shapefiles/natural_earth/physical/ne_110m_coastline.shp",
                 "gnss_interop/_data/metadata/igs_satellite_metadata.snx",
                 "gnss_interop/_version.py"):
        assert name in names, name
    assert not any(n.startswith(("tests/", "benchmarks/", "almanacs/")) for n in names)


@pytest.mark.slow
def test_installed_wheel_runs_the_default_job(wheel, tmp_path):
    """A clean venv holding only the wheel (dependencies reached through a path entry to
    this environment's site-packages, without its editable-install hook) runs
    ``gnss-interop run`` with no scenario argument, from outside the source tree."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    res = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                          "--target", str(site), str(wheel), "-q"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    # a plain path line: the directory joins sys.path, its .pth files (the editable hook) do not run
    (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CARTOPY_DATA_DIR")}
    where = subprocess.run([str(py), "-c", "import gnss_interop; print(gnss_interop.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, check=True)
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout
    out = tmp_path / "maps"
    run = subprocess.run([str(py), "-m", "gnss_interop", "run", "--out", str(out),
                          "--only", "baseline"], capture_output=True, text=True, cwd=tmp_path,
                         env=env, timeout=RUN_TIMEOUT_S)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "default_scenarios.toml" in run.stdout and str(site) in run.stdout
    assert (out / "report.html").stat().st_size > 10_000
    assert (out / "baseline" / "coverage.nc").exists() and (out / "run.json").exists()
