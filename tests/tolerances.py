"""Named tolerances of the numerical tests, each with the reason for its size."""

#: The same arithmetic in another order or another code path (float64 round-off only).
EXACT_RTOL = 1e-12
#: A value that went through NetCDF storage as float32 (24-bit mantissa: 6e-8 relative,
#: with margin for sums of a few values).
FLOAT32_RTOL = 1e-6
#: Unit vectors and orthogonality of local bases (a few ulp of 1.0).
UNIT_VECTOR_ATOL = 1e-14
#: Geodetic angles after a round trip through ECEF [deg] (1e-9 deg is 0.1 mm on the ground).
ANGLE_ATOL_DEG = 1e-9
#: Positions after a round trip through geodetic coordinates [m].
POSITION_ATOL_M = 1e-6
