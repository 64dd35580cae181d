"""Accuracy limits of the accuracy availability (95 % horizontal and vertical, metres)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["AccuracyLimit", "DEFAULT_ACCURACY_LIMIT", "accuracy_limit"]


@dataclass(frozen=True)
class AccuracyLimit:
    """An epoch is *accuracy-available* if it has a solution with H95 ≤ ``horizontal_m`` and
    V95 ≤ ``vertical_m`` (``None``: that component is not limited)."""

    horizontal_m: float | None = 5.0
    vertical_m: float | None = 10.0

    def __post_init__(self) -> None:
        for name in ("horizontal_m", "vertical_m"):
            v = getattr(self, name)
            if v is not None and not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"accuracy_max_m.{name.removesuffix('_m')} must be a positive "
                                 f"number of metres, got {v!r}")
        if self.horizontal_m is None and self.vertical_m is None:
            raise ValueError("accuracy_max_m: give a horizontal or a vertical limit")

    @property
    def horizontal_max(self) -> float:
        return math.inf if self.horizontal_m is None else float(self.horizontal_m)

    @property
    def vertical_max(self) -> float:
        return math.inf if self.vertical_m is None else float(self.vertical_m)

    def describe(self) -> str:
        parts = []
        if self.horizontal_m is not None:
            parts.append(f"H95 <= {self.horizontal_m:g} m")
        if self.vertical_m is not None:
            parts.append(f"V95 <= {self.vertical_m:g} m")
        return " and ".join(parts)


DEFAULT_ACCURACY_LIMIT = AccuracyLimit()


def accuracy_limit(value: "AccuracyLimit | Mapping | None") -> AccuracyLimit:
    """An :class:`AccuracyLimit` from itself, ``None`` (default) or a mapping with keys
    ``horizontal`` and/or ``vertical`` (metres)."""
    if value is None:
        return DEFAULT_ACCURACY_LIMIT
    if isinstance(value, AccuracyLimit):
        return value
    if not isinstance(value, Mapping):
        raise ValueError(f"accuracy_max_m: expected a table with horizontal/vertical, got "
                         f"{value!r}")
    unknown = set(value) - {"horizontal", "vertical"}
    if unknown:
        raise ValueError(f"accuracy_max_m: unknown key(s) {', '.join(sorted(unknown))}; "
                         f"known: horizontal, vertical")
    for k, v in value.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise ValueError(f"accuracy_max_m.{k}: expected a number of metres, got {v!r}")
    return AccuracyLimit(value.get("horizontal"), value.get("vertical"))
