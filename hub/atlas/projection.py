"""The Equal Earth projection (Šavrič, Patterson and Jenny, 2018): equal-area, with straight
parallels, so the map can be drawn once at build time and the markers placed on it at run time."""

from __future__ import annotations

import math

# The polynomial coefficients of the published projection.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
ROOT3_HALF = math.sqrt(3) / 2


def equal_earth(longitude: float, latitude: float) -> tuple[float, float]:
    """A point in degrees as (x, y) in the projection's unit plane, y growing northwards."""
    lam = math.radians(longitude)
    theta = math.asin(ROOT3_HALF * math.sin(math.radians(latitude)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (2 * math.sqrt(3) * lam * math.cos(theta)) / (
        3 * (9 * A4 * t6 * t2 + 7 * A3 * t6 + 3 * A2 * t2 + A1)
    )
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y
