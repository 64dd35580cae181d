"""Expected positioning accuracy: user range error budget and confidence factors."""

from gnss_interop.accuracy.budget import (
    SystemBudget,
    iono_vertical_variance_m2,
    satellite_variances,
    system_budget,
    uere_terms_m,
    uere_variance_m2,
    uere_weight,
)
from gnss_interop.accuracy.confidence import V95_FACTOR, horizontal_95_factor

__all__ = ["SystemBudget", "V95_FACTOR", "horizontal_95_factor",
           "iono_vertical_variance_m2", "satellite_variances", "system_budget", "uere_terms_m",
           "uere_variance_m2", "uere_weight"]
