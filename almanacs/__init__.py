"""Inputs gnss_interop ships: the default scenarios, the nominal almanac, example scenarios.

This folder is installed as the package-data package ``gnss_interop.almanacs``
(``pyproject.toml``: ``[tool.setuptools.package-dir]``), so a normal ``pip install`` finds
it; :mod:`gnss_interop.resources` locates its files.
"""
