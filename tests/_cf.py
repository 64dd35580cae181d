"""compliance-checker (IOOS) ``cf:1.11`` findings of a NetCDF file, for the tests.

``cf_findings(path)`` runs the checker through its Python API (the same checks as
``compliance-checker --test cf:1.11 FILE``) and returns the failed checks' messages by
level. ``assert_cf_clean(path)`` asserts zero errors, no checker exception, and no warning
but :data:`KNOWN_FALSE_POSITIVES`. The tests that use them skip, with the reason, when the
checker (the ``test`` extra) is not installed.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

#: Warnings the checker gives on CF-valid files. CF §7.1: a boundary variable has one
#: dimension more than its coordinate, so the bounds of a *scalar* coordinate (the
#: statistics period) have one; compliance-checker 6.1 requires two in every case.
KNOWN_FALSE_POSITIVES = (
    re.compile(r"Boundary variable time(_period)?_bnds specified by time(_period)? should have "
               r"at least two dimensions"),
)


def _failed(groups, out: dict[int, list[str]]) -> None:
    for g in groups:
        if g.value is None or g.value[0] == g.value[1]:
            continue
        if g.children:
            _failed(g.children, out)
        else:
            out.setdefault(g.weight, []).extend(g.msgs)


def cf_findings(path: str | Path) -> dict[str, list[str]]:
    """``{"errors": [...], "warnings": [...], "info": [...], "exceptions": [...]}``."""
    with warnings.catch_warnings():
        # the checker's own deprecation notes (its ioos_sos plugin) when it loads
        warnings.simplefilter("ignore", DeprecationWarning)
        runner = pytest.importorskip("compliance_checker.runner",
                                     reason="compliance-checker is not installed (test extra)")
        suite = runner.CheckSuite()
        suite.load_all_available_checkers()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = suite.load_dataset(str(path))
        try:
            groups, errors = suite.run_all(ds, ["cf:1.11"])["cf:1.11"]
        finally:
            ds.close()
    levels: dict[int, list[str]] = {}
    _failed(groups, levels)
    return {"errors": levels.get(3, []), "warnings": levels.get(2, []),
            "info": levels.get(1, []),
            "exceptions": [f"{name}: {exc}" for name, (exc, _tb) in errors.items()]}


def assert_cf_clean(path: str | Path, *, allow: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Zero errors, no checker exception, no warning but the known false positives and
    those matching ``allow`` (regular expressions, for a warning the caller accepts)."""
    found = cf_findings(path)
    assert found["errors"] == [], found["errors"]
    assert found["exceptions"] == [], found["exceptions"]
    patterns = KNOWN_FALSE_POSITIVES + tuple(re.compile(a) for a in allow)
    other = [w for w in found["warnings"] if not any(p.search(w) for p in patterns)]
    assert other == [], other
    return found
